"""`kmc-reports import` over many files: each imported on its own, a bad one refused and
reported while the rest are imported, a summary table, exit code 1 when any was refused, and
an optional report (.xlsx or .json) that is the same bytes for the same input."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import ROOT, SOURCES
from kmc_reports.batch import COLUMNS
from kmc_reports.cli import main

EXCERPT = ROOT / "tests" / "fixtures" / "BAS1219-001v4-excerpt.json"


def run(*args, data=None):
    pre = ["--data", str(data)] if data else []
    return CliRunner().invoke(main, pre + [str(a) for a in args], catch_exceptions=False)


def table_rows(stdout: str) -> list[str]:
    """The table's lines: the header, then one line per file (up to the blank line)."""
    lines = stdout.splitlines()
    return lines[:lines.index("")]


@pytest.fixture
def folder(tmp_path):
    """Two good text copies, one bad file, and files an import of the folder leaves alone."""
    src = tmp_path / "in"
    src.mkdir()
    for code in ("KMC2432-003v1", "KMC2432-001v4"):
        shutil.copy(SOURCES / f"{code}.txt", src / f"{code}.txt")
    (src / "KMC2432-002v4-cut.txt").write_text(
        (SOURCES / "KMC2432-002v4.txt").read_text(encoding="utf-8")[:800], encoding="utf-8")
    (src / "notes.md").write_text("不是要匯入的檔案", encoding="utf-8")
    (src / ".hidden.txt").write_text("", encoding="utf-8")
    (src / "sub").mkdir()
    return src


def test_a_folder_imports_each_file_on_its_own(folder, tmp_path):
    out = tmp_path / "out"
    result = run("import", folder, EXCERPT, "--out", out)
    assert result.exit_code == 1, result.output  # one file was refused
    assert "Traceback" not in result.output
    # every good file written, the refused one not, nothing else
    assert sorted(p.name for p in out.iterdir()) == [
        "BAS1219-001v4.yaml", "KMC2432-001v4.yaml", "KMC2432-003v1.yaml"]
    assert (out / "KMC2432-001v4.yaml").read_bytes() == \
        (ROOT / "data/standards/KMC2432-001v4.yaml").read_bytes()
    rows = table_rows(result.stdout)
    assert rows[0].split() == COLUMNS
    # the folder's importable files by name, then the file named after it
    assert [r.split()[0] for r in rows[1:]] == [
        str(folder / "KMC2432-001v4.txt"), str(folder / "KMC2432-002v4-cut.txt"),
        str(folder / "KMC2432-003v1.txt"), str(EXCERPT)]
    good = rows[1].split()
    assert good[1:] == ["KMC2432-001v4", "活動企劃專員", "6", "0", "已匯入"]
    bad = rows[2]
    assert "拒絕：" in bad and "KMC2432-002v4" in bad
    assert "共 4 個檔案：已匯入 3 個" in result.stdout and "拒絕 1 個" in result.stdout
    # the refusal is also one line on stderr, naming the file
    errors = [l for l in result.stderr.splitlines() if l.startswith("kmc-reports：錯誤：")]
    assert len(errors) == 1 and str(folder / "KMC2432-002v4-cut.txt") in errors[0]


def test_all_imported_exits_0_and_warnings_still_go_to_stderr(tmp_path):
    sample = json.loads(EXCERPT.read_text(encoding="utf-8"))
    sample["ocs_attitude"]["attitudes"] = []  # a standard without attitudes: a warning
    warned = tmp_path / "no-attitudes.json"
    warned.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    result = run("import", SOURCES / "KMC2432-003v1.txt", warned, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert rows[1].split()[-1] == "已匯入" and rows[2].split()[-1] == "已匯入（有警告）"
    warnings = [l for l in result.stderr.splitlines() if l.startswith("kmc-reports：警告：")]
    assert warnings and int(rows[2].split()[-2]) == len(warnings)
    assert "error" not in result.stderr


def test_the_same_code_twice_refuses_the_second_naming_both(tmp_path):
    copy = tmp_path / "copy-of-003.txt"
    shutil.copy(SOURCES / "KMC2432-003v1.txt", copy)
    out = tmp_path / "out"
    result = run("import", SOURCES / "KMC2432-003v1.txt", copy, "--out", out)
    assert result.exit_code == 1
    second = table_rows(result.stdout)[2]
    assert second.startswith(str(copy)) and "拒絕：" in second
    assert str(SOURCES / "KMC2432-003v1.txt") in second and "KMC2432-003v1" in second
    assert [p.name for p in out.iterdir()] == ["KMC2432-003v1.yaml"]
    # the very same file named twice (also through its folder) is imported once
    result = run("import", copy, tmp_path / "." / copy.name, "--out", tmp_path / "o2")
    assert result.exit_code == 0 and "共 1 個檔案" in result.stdout


def test_json_report(folder, tmp_path):
    report = tmp_path / "reports" / "import.json"
    result = run("import", folder, "--out", tmp_path / "out", "--report", report)
    assert result.exit_code == 1
    raw = report.read_bytes()
    assert "活動企劃專員".encode() in raw  # ensure_ascii=False
    rows = json.loads(raw)
    assert [r["file"] for r in rows] == [
        str(folder / n) for n in ("KMC2432-001v4.txt", "KMC2432-002v4-cut.txt",
                                  "KMC2432-003v1.txt")]
    first, cut, _ = rows
    assert first == {"file": str(folder / "KMC2432-001v4.txt"), "code": "KMC2432-001v4",
                     "name": "活動企劃專員", "tasks": 6, "warnings": [], "status": "imported",
                     "result": "已匯入", "reason": None,
                     "output": str(tmp_path / "out" / "KMC2432-001v4.yaml")}
    assert cut["status"] == "refused" and cut["result"] == "拒絕：" + cut["reason"]
    assert cut["output"] is None and "KMC2432-002v4" in cut["reason"]
    # same input, same bytes
    run("import", folder, "--out", tmp_path / "out", "--report", report)
    assert report.read_bytes() == raw


def test_json_report_holds_the_warnings_texts(tmp_path):
    sample = json.loads(EXCERPT.read_text(encoding="utf-8"))
    sample["ocs_attitude"]["attitudes"] = []
    warned = tmp_path / "warned.json"
    warned.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "r.json"
    result = run("import", warned, "--out", tmp_path / "out", "--report", report)
    [row] = json.loads(report.read_text(encoding="utf-8"))
    assert row["status"] == "imported_with_warnings" and row["warnings"]
    for warning in row["warnings"]:
        assert f"kmc-reports：警告：{warning}" in result.stderr


def test_xlsx_report(folder, tmp_path):
    odd = folder / "=HYPERLINK(1).txt"  # a file name that must stay text, never a formula
    odd.write_text("不是職能基準\n", encoding="utf-8")
    report = tmp_path / "import.xlsx"
    result = run("import", folder, "--out", tmp_path / "out", "--report", report)
    assert result.exit_code == 1
    wb = load_workbook(report)
    assert wb.sheetnames == ["匯入結果", "警告"]
    ws = wb["匯入結果"]
    assert [c.value for c in ws[1]] == COLUMNS
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [v[0] for v in values] == [str(folder / n) for n in (
        "=HYPERLINK(1).txt", "KMC2432-001v4.txt", "KMC2432-002v4-cut.txt", "KMC2432-003v1.txt")]
    assert ws["A2"].data_type == "s"
    assert values[1] == [str(folder / "KMC2432-001v4.txt"), "KMC2432-001v4", "活動企劃專員", 6,
                         0, "已匯入"]
    assert values[0][5].startswith("拒絕：") and values[2][5].startswith("拒絕：")
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert wb.properties.title == "職能基準匯入結果"
    # same input, same bytes
    raw = report.read_bytes()
    run("import", folder, "--out", tmp_path / "out", "--report", report)
    assert report.read_bytes() == raw


@pytest.mark.parametrize("args, words", [
    (["--report", "r.csv"], ["r.csv", ".xlsx", ".json"]),
    (["--report", "."], ["--report"]),
])
def test_bad_report_option_is_a_usage_error(folder, tmp_path, args, words):
    result = run("import", folder, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in result.stderr
    assert not (tmp_path / "out").exists()  # checked before anything was imported


def test_a_folder_with_nothing_to_import_is_a_usage_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("x", encoding="utf-8")
    result = run("import", SOURCES / "KMC2432-003v1.txt", empty, "--out", tmp_path / "out")
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and str(empty) in err and "沒有可匯入的檔案" in err
    assert not (tmp_path / "out").exists()


def test_corrections_are_kept_per_file(tmp_path):
    """A file refused in the run does not stop another file's hand corrections being
    re-applied."""
    out = tmp_path / "out"
    assert run("import", SOURCES / "KMC2432-001v4.txt", "--out", out).exit_code == 0
    path = out / "KMC2432-001v4.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "corrections:\n- place: P1.3.2\n  printed: 依協議後活動提案，蒐集並尋找符合的活動方式或場地，"
        "並確認設備測試。\n  corrected: 依協議後活動提案，蒐集並尋找符合的活動方式或場地，並確認設備之測試。\n"
        "  reason: 示範\n"), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = run("import", bad, SOURCES / "KMC2432-001v4.txt", "--out", out)
    assert result.exit_code == 1
    assert "並確認設備之測試。" in path.read_text(encoding="utf-8")


def test_no_progress_bar_when_not_a_terminal(tmp_path):
    """Not a terminal (a pipe, a log): no bar and no label in stderr."""
    result = run("import", SOURCES / "KMC2432-003v1.txt", "--out", tmp_path / "out")
    assert "匯入職能基準" not in result.stderr and result.stderr == ""


def test_the_table_lines_up_chinese_text(tmp_path):
    result = run("import", SOURCES / "KMC2432-003v1.txt", SOURCES / "KMC3332-002v3.txt",
                 "--out", tmp_path / "out")
    from kmc_reports.importers.text import width
    rows = table_rows(result.stdout)
    starts = {width(r[:r.index("已匯入")]) for r in rows[1:]}
    assert len(starts) == 1 and width(rows[0][:rows[0].index("結果")]) in starts


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_then_messages(tmp_path):
    """stderr a terminal: a bar labelled in Chinese, and the refusals after it, not inside."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "kmc_reports", "import",
                           SOURCES / "KMC2432-003v1.txt", tmp_path / "missing.txt",
                           "--out", tmp_path / "out"],
                          stdout=subprocess.PIPE, stderr=slave, timeout=120)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    err = b"".join(chunks).decode()
    assert proc.returncode == 1
    assert "匯入職能基準" in err and "100%" in err
    last = err.rstrip().splitlines()[-1]
    assert last == f"kmc-reports：錯誤：{tmp_path / 'missing.txt'}: 找不到檔案"
    assert "已匯入" in proc.stdout.decode() and "匯入職能基準" not in proc.stdout.decode()
