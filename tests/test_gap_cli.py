"""`kmc-reports gap` on the command line: one-line errors with exit code 2 and nothing
written, the template, the bar's options, and 200 people in under 10 s."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import gapgen
from conftest import ROOT, copy_data
from kmc_reports.cli import main
from kmc_reports.ratings import team_template
from kmc_reports.store import Library
from kmc_reports.writers.xlsx import write_workbook

CODE, OTHER = "KMC2432-001v4", "KMC2432-004v2"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return copy_data(tmp_path_factory.mktemp("gapcli") / "data")


@pytest.fixture(scope="module")
def library(data):
    return Library(data / "standards")


def run(data, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), "gap", *map(str, args)])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kmc-reports：錯誤："), result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture(scope="module")
def bad_inputs(library, tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformed")
    return gapgen.malformed(library.get(CODE), library.get(OTHER), folder)


def test_every_malformed_input_is_one_line_and_writes_nothing(data, bad_inputs, tmp_path):
    assert len(bad_inputs) >= 20
    for bad in bad_inputs:
        out = tmp_path / bad.name
        args = [*bad.files, "--out", out, "--format", "xlsx"]
        if bad.standard:
            args += ["--standard", bad.standard]
        line = one_line_error(run(data, *args))
        assert str(bad.file) in line and bad.place in line and bad.word in line, \
            (bad.name, line)
        assert not out.exists(), bad.name


@pytest.mark.parametrize("args, words", [
    ([], ["請指定填寫完成的評分表"]),
    (["{good}", "--bar", "0.5"], ["--bar 0.5", "1–5"]),
    (["{good}", "--bar", "6"], ["--bar 6"]),
    (["{good}", "--hours", "0.3"], ["--hours 0.3", "0.5 的倍數"]),
    (["{good}", "--hours", "0"], ["--hours 0"]),
    (["{good}", "--format", "pptx"], ["--format", "pptx"]),
    (["{good}", "--people", "3"], ["--people", "--template"]),
    (["{good}", "--template", CODE], ["--template"]),
    (["{good}", "--standard", OTHER], [OTHER]),
    (["--template", "XYZ9999-001"], ["XYZ9999-001"]),
    (["{missing}"], ["missing.xlsx"]),
])
def test_bad_options_are_one_line(data, library, tmp_path, args, words):
    good = gapgen.team_workbook(library.get(CODE), gapgen.team(library.get(CODE), 2),
                                tmp_path / "good.xlsx")
    args = [a.format(good=good, missing=tmp_path / "missing.xlsx") for a in args]
    line = one_line_error(run(data, *args, "--out", tmp_path / "out"))
    assert all(w in line for w in words), line
    assert not (tmp_path / "out").exists()


def test_template_is_the_team_workbook_to_fill_in(data, library, tmp_path):
    result = run(data, "--template", CODE, "--people", "3", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / f"{CODE}-gap-template.xlsx"
    assert result.output.split() == [str(path)]
    assert path.read_bytes() == write_workbook(team_template(library.get(CODE), 3))
    ws = load_workbook(path)["評分"]
    assert ws.max_row == 1 + 3 * 18  # three blocks of the 18 behaviour indicators


def test_bar_and_its_basis_come_from_the_options_and_the_config(data, library, tmp_path):
    std = library.get(CODE)
    people = gapgen.team(std, 4)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx")
    config = tmp_path / "kmc-reports.yaml"
    config.write_text("gap_by: lower\ngap_bar: 3.5\n", encoding="utf-8")
    configured = ["--config", str(config)]
    for before, after, bar, by in [([], [], 3.0, "supervisor"),
                                   ([], ["--bar", "2.5"], 2.5, "supervisor"),
                                   (configured, [], 3.5, "lower"),
                                   (configured, ["--bar", "4"], 4.0, "lower")]:
        out = tmp_path / f"out-{bar}"
        result = CliRunner().invoke(main, ["--data", str(data), *before, "gap", str(path),
                                           "--format", "xlsx", "--out", str(out), *after])
        assert result.exit_code == 0, result.output
        ws = load_workbook(out / f"{CODE}-gap-team.xlsx")["落差熱度圖"]
        rows = list(zip(gapgen.indicators(std), zip(*[p.ratings for p in people])))
        for k, person in enumerate(people):
            for c in range(4, ws.max_column + 1):
                code = ws.cell(1, c).value.split("\n")[0]
                mine = [r[k] for (_, t, _), r in rows if t == code]
                own = sum(s for s, _ in mine) / len(mine)
                sup = sum(v for _, v in mine) / len(mine)
                value = min(own, sup) if by == "lower" else sup
                cell = ws.cell(2 + k, c)
                assert cell.value == pytest.approx(round(value, 2))
                assert bool(cell.font.b) == (value < bar), (bar, by, code)
        guide = " ".join(str(c.value) for row in load_workbook(
            out / f"{CODE}-gap-team.xlsx")["說明"].iter_rows() for c in row if c.value)
        assert f"達 {bar:.2f}" in guide


def test_200_people_make_the_team_workbook(data, library, tmp_path):
    """200 people on the largest bundled standard, team outputs only (the time it takes:
    benchmarks/bench_gap.py)."""
    std = library.get("KMC3332-002v3")  # the largest bundled standard: 65 indicators
    path = gapgen.team_workbook(std, gapgen.team(std, 200), tmp_path / "team.xlsx")
    done = subprocess.run([sys.executable, "-m", "kmc_reports", "--data", str(data), "gap",
                           str(path), "--format", "xlsx", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    ws = load_workbook(tmp_path / "out" / "KMC3332-002v3-gap-team.xlsx", read_only=True)
    assert sum(1 for _ in ws["落差熱度圖"].iter_rows()) == 1 + 200 + 2
    assert done.stdout.splitlines()[-1].startswith("200 人依 KMC3332-002v3 評分")


def test_help_loads_nothing_heavy(tmp_path):
    from test_startup import HEAVY, loaded

    copy_data(tmp_path / "data")
    assert not loaded(tmp_path, "gap", "--help") & HEAVY


def test_a_name_the_pdf_font_cannot_print_is_named_before_anything_is_made(data, library,
                                                                          tmp_path):
    std = library.get(CODE)
    people = gapgen.team(std, 2)
    people[1] = gapgen.Person("王😀明", people[1].ratings)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx")
    line = one_line_error(run(data, path, "--format", "pdf", "--out", tmp_path / "out"))
    assert str(path) in line and "王😀明" in line and "U+1F600" in line and "第 20 列" in line
    assert not (tmp_path / "out").exists()
