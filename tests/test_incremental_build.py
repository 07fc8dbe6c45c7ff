"""`kmc-reports build` redoes only what changed, in parallel processes, and one failing
standard never stops the others: no-op rebuilds, one change, templates, --force, sources
removed, a corrupt standard among others, Ctrl-C half way and a resumed build."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kmc_reports.cli import main

CODES = ("KMC2432-003v1", "KMC2432-004v2")


def _data(folder: Path, codes=CODES) -> Path:
    data = folder / "data"
    (data / "standards").mkdir(parents=True)
    (data / "courses").mkdir()
    for code in codes:
        shutil.copy(ROOT / "data" / "standards" / f"{code}.yaml", data / "standards")
        spec = ROOT / "data" / "courses" / f"{code}.yaml"
        if spec.exists():
            shutil.copy(spec, data / "courses")
    return data


def _build(data: Path, out: Path, *args):
    return CliRunner().invoke(main, ["--data", str(data), "build", "--out", str(out), *args])


def _state(out: Path) -> dict[str, tuple[str, int]]:
    """Every output file: its hash and modification time (a file not rewritten keeps both)."""
    return {str(p.relative_to(out)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                      p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".kmc-build.json"}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One full build, in two processes."""
    folder = tmp_path_factory.mktemp("incremental")
    data, out = _data(folder), folder / "out"
    result = _build(data, out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "產生 2 項、未變更 0 項、失敗 0 項" in result.output
    return folder, data, out, _state(out)


def _copy(first, tmp_path):
    folder, data, out, state = first
    shutil.copytree(data, tmp_path / "data")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "data", tmp_path / "out", _state(tmp_path / "out")


def test_a_no_op_rebuild_touches_nothing(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    result = _build(data, out)
    assert result.exit_code == 0, result.output
    assert "產生 0 項、未變更 2 項" in result.output
    assert _state(out) == before
    record = json.loads((out / ".kmc-build.json").read_text(encoding="utf-8"))
    assert set(record["targets"]) == {*CODES, "comparison"}
    assert all(len(t["key"]) == 64 for t in record["targets"].values())


def test_one_changed_standard_rebuilds_it_and_the_comparison(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    path = data / "standards" / "KMC2432-004v2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 公關企劃人員",
                                                             "name: 公關企劃專員", 1),
                    encoding="utf-8")
    result = _build(data, out)
    assert "產生 1 項、未變更 1 項" in result.output, result.output
    after = _state(out)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed and all(k.startswith(("KMC2432-004v2/", "comparison")) for k in changed)
    assert any(k.startswith("comparison") for k in changed)
    assert all(after[k] == before[k] for k in after if k.startswith("KMC2432-003v1/"))


def test_a_changed_course_spec_rebuilds_only_its_standard(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    spec = data / "courses" / "KMC2432-003v1.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("total_hours: 24",
                                                             "total_hours: 27"),
                    encoding="utf-8")
    result = _build(data, out)
    assert "產生 1 項、未變更 1 項" in result.output, result.output
    after = _state(out)
    changed = {k for k in after if after[k] != before[k]}
    assert changed and all(k.startswith("KMC2432-003v1/") for k in changed)


def test_a_changed_template_rebuilds_all_and_force_too(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    text = (ROOT / "templates" / "job-description.xml.j2").read_text(encoding="utf-8")
    (templates / "job-description.xml.j2").write_text(text + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data", str(data), "--templates", str(templates),
                                       "build", "--out", str(out)])
    assert "產生 2 項、未變更 0 項" in result.output, result.output
    result = CliRunner().invoke(main, ["--data", str(data), "--templates", str(templates),
                                       "build", "--out", str(out), "--force", "-j", "1"])
    assert "產生 2 項、未變更 0 項" in result.output, result.output
    same_bytes = {k: v[0] for k, v in _state(out).items()}
    assert same_bytes == {k: v[0] for k, v in before.items()}  # same input, same bytes


def test_reports_of_a_removed_standard_are_removed_and_listed(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    (out / "KMC2432-004v2" / "notes-of-mine.txt").write_text("mine", encoding="utf-8")
    (data / "standards" / "KMC2432-004v2.yaml").unlink()
    (data / "courses" / "KMC2432-004v2.yaml").unlink()
    result = _build(data, out)
    assert result.exit_code == 0, result.output
    assert "移除 1 項來源已刪除的報表（KMC2432-004v2）" in result.output
    left = list((out / "KMC2432-004v2").iterdir())
    assert [p.name for p in left] == ["notes-of-mine.txt"]  # only what the build wrote goes
    assert "KMC2432-004v2" not in (out / "lint.txt").read_text(encoding="utf-8")


def test_the_comparison_made_beside_the_standards_equals_one_made_after_them(first, tmp_path):
    """In several processes the comparison starts at once, beside the standards' reports
    (issue 12); in one it is made after them.  Both give the same files."""
    folder, data, out, state = first
    result = _build(data, tmp_path / "serial", "-j", "1")
    assert result.exit_code == 0, result.output
    serial = _state(tmp_path / "serial")
    names = [n for n in state if n.startswith("comparison")]
    assert {"comparison.xlsx", "comparison-summary.pdf", "comparison-summary.docx"} <= set(names)
    assert all(serial[n][0] == state[n][0] for n in names)


def test_a_corrupt_standard_among_others(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    shutil.copy(ROOT / "data" / "standards" / "KMC2432-001v4.yaml", data / "standards")
    bad = data / "standards" / "KMC2432-004v2.yaml"
    bad.write_text("code: [unclosed\n", encoding="utf-8")
    result = _build(data, out)
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("kmc-reports：錯誤：")]
    assert len(errors) == 1 and str(bad) in errors[0] and "Traceback" not in result.output
    assert "產生 1 項、未變更 1 項、失敗 1 項" in result.output
    assert (out / "KMC2432-001v4" / "KMC2432-001v4-profile.pdf").is_file()
    assert _state(out)["KMC2432-004v2/KMC2432-004v2-profile.pdf"] == \
        before["KMC2432-004v2/KMC2432-004v2-profile.pdf"]  # its old reports stay
    result = _build(data, out)  # still failing: retried, still exit 1
    assert result.exit_code == 1 and "失敗 1 項" in result.output


def test_ctrl_c_half_way_then_resume(tmp_path):
    """A build interrupted after its first standard records it; the next build makes only
    the rest."""
    data = _data(tmp_path, ("KMC2432-003v1", "KMC2432-004v2", "KMC2432-001v4"))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "kmc_reports", "--data", str(data), "build", "--out",
               str(out), "--jobs", "1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                               env=env, text=True)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("[1/3]"):
            process.send_signal(signal.SIGINT)
            break
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130, lines + [rest]
    assert "已中斷" in rest and "Traceback" not in rest
    record = json.loads((out / ".kmc-build.json").read_text(encoding="utf-8"))
    done = [name for name, t in record["targets"].items() if t["key"]]
    assert len(done) in (1, 2)
    assert not list(out.rglob("*.tmp"))
    result = _build(data, out, "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"產生 {3 - len(done)} 項、未變更 {len(done)} 項" in result.output


def test_a_comparison_that_breaks_is_one_line_and_the_reports_stay(first, tmp_path, monkeypatch):
    from kmc_reports.build import Project

    data, out, before = _copy(first, tmp_path)
    (out / ".kmc-build.json").unlink()  # everything is made again

    def broken(*args, **kwargs):
        raise RuntimeError("太大了")

    monkeypatch.setattr(Project, "comparison", broken)
    result = _build(data, out, "-j", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("kmc-reports：錯誤：")]
    assert errors == ["kmc-reports：錯誤：比較結果：內部錯誤 RuntimeError: 太大了"]
    assert "產生 2 項、未變更 0 項、失敗 0 項" in result.output
    assert "未產生比較結果" in result.output and "None" not in result.output
    record = json.loads((out / ".kmc-build.json").read_text(encoding="utf-8"))
    assert record["targets"]["comparison"]["key"] == ""  # retried next time


def test_format_subset_makes_only_those_and_switching_back_cleans_up(first, tmp_path):
    data, out, before = _copy(first, tmp_path)
    result = _build(data, out, "--format", "pdf", "-j", "1")
    assert result.exit_code == 0 and "產生 2 項、未變更 0 項" in result.output, result.output
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.*")
                  if p.name != ".kmc-build.json")
    assert left and all(name.endswith((".pdf", ".txt", ".json")) for name in left), [
        n for n in left if not n.endswith((".pdf", ".txt", ".json"))]
    assert "KMC2432-003v1/KMC2432-003v1-syllabus.pdf" in left
    assert "comparison-summary.pdf" in left
    result = _build(data, out, "--format", "docx,pdf,html,xlsx", "-j", "1")
    assert {k: v[0] for k, v in _state(out).items()} == {k: v[0] for k, v in before.items()}
    result = _build(data, out, "--format", "epub")
    assert result.exit_code == 2 and "epub" in result.stderr
