"""The command line: imports, one-line errors with exit code 2, nothing half-written."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT, SOURCES
from kmc_reports.cli import main


def run(*args, data=None):
    runner = CliRunner()
    pre = ["--data", str(data)] if data else []
    return runner.invoke(main, pre + [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def data(tmp_path):
    """A private copy of the bundled data folder."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def one_line_error(result, *words):
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("kmc-reports：錯誤："), err
    assert "Traceback" not in result.output
    for w in words:
        assert w in err, err
    return err


def refused(result, *words, code=2):
    """An import of one file that refused it: bad input, exit code 2, one error line on
    stderr naming it (of many files, the rest are imported and the code is 1)."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [l for l in result.stderr.splitlines() if l.startswith("kmc-reports：錯誤：")]
    assert len(errors) == 1, result.stderr
    for w in words:
        assert w in errors[0], errors[0]
    assert "拒絕：" in result.stdout
    return errors[0]


def test_import_writes_one_yaml_per_standard(tmp_path):
    out = tmp_path / "out"
    result = run("import", *sorted(SOURCES.glob("*.txt")), "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.stem + ".yaml" for p in SOURCES.glob("*.txt"))
    assert (out / "KMC2432-001v4.yaml").read_text(encoding="utf-8") == \
        (ROOT / "data/standards/KMC2432-001v4.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("content, words", [
    (b"", ["空白檔案"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" * 20, ["二進位檔案"]),
    ("隨便一段文字，不是職能基準。\n第二行\n".encode(), ["不是 iCAP 職能基準"]),
    (b"{\"a\": 1,", ["JSON 格式錯誤"]),
])
def test_bad_files_are_refused_and_the_rest_imported(tmp_path, content, words):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "out"
    result = run("import", SOURCES / "KMC2432-001v4.txt", bad, "--out", out)
    refused(result, str(bad), *words, code=1)
    assert sorted(p.name for p in out.iterdir()) == ["KMC2432-001v4.yaml"]  # no stray files


def test_truncated_standard(tmp_path):
    text = (SOURCES / "KMC2432-002v4.txt").read_text(encoding="utf-8")
    for cut in (text[: len(text) // 2], text[: text.index("主要職責")]):
        bad = tmp_path / "cut.txt"
        bad.write_text(cut, encoding="utf-8")
        refused(run("import", bad, "--out", tmp_path / "o"), "cut.txt", "KMC2432-002v4")
        assert not (tmp_path / "o").exists()


def test_missing_file():
    refused(run("import", "/nonexistent/x.txt"), "/nonexistent/x.txt", "找不到檔案")


def test_unknown_code(data):
    one_line_error(run("show", "KMC9999-001v1", data=data), "KMC9999-001v1", "KMC2432-001v4")
    one_line_error(run("lint", "NOPE", data=data), "NOPE")


def test_malformed_yaml_in_data_names_file_and_line(data):
    path = data / "standards" / "KMC2432-001v4.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = "  job_categories: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    err = one_line_error(run("show", "KMC2432-001v4", data=data), str(path))
    assert "YAML 格式錯誤" in err and f"{path}:6:" in err  # where the parser sees the list end
    result = run("build", "--out", data / "out", data=data)  # the others are built
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("kmc-reports：錯誤：")]
    assert errors == [err.strip()]
    assert not (data / "out" / "KMC2432-001v4").exists()
    assert (data / "out" / "KMC2432-003v1" / "KMC2432-003v1-profile.pdf").is_file()


def test_yaml_breaking_the_model_names_field_and_value(data):
    path = data / "standards" / "KMC2432-004v2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: 3", "level: 7", 1),
                    encoding="utf-8")
    err = one_line_error(run("show", "KMC2432-004v2", data=data), str(path))
    assert "level = 7" in err and ":3:" in err


def test_failed_import_leaves_existing_yaml_untouched(data, tmp_path):
    target = data / "standards" / "KMC2432-002v4.yaml"
    before = target.read_bytes()
    text = (SOURCES / "KMC2432-002v4.txt").read_text(encoding="utf-8")
    bad = tmp_path / "KMC2432-002v4.txt"
    bad.write_text(text[: len(text) // 2], encoding="utf-8")
    refused(run("import", bad, data=data), str(bad))
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        p.name for p in (ROOT / "data" / "standards").iterdir())


def test_show_json_and_schema(data):
    import json
    result = run("show", "KMC2432-003v1", "--format", "json", data=data)
    doc = json.loads(result.output)
    assert doc["code"] == "KMC2432-003v1" and doc["duties"][0]["tasks"][0]["bands"][0]["level"] == 2
    assert json.loads(run("schema").output)["title"].startswith("iCAP")


def test_corrections_survive_reimport(data):
    path = data / "standards" / "KMC2432-001v4.yaml"
    text = path.read_text(encoding="utf-8")
    text += ("corrections:\n- place: P1.3.2\n  printed: 依協議後活動提案，蒐集並尋找符合的活動方式或場地，"
             "並確認設備測。\n  corrected: 依協議後活動提案，蒐集並尋找符合的活動方式或場地，並確認設備測試。\n"
             "  reason: 原文缺字\n")
    path.write_text(text, encoding="utf-8")
    result = run("import", SOURCES / "KMC2432-001v4.txt", data=data)
    assert result.exit_code == 0, result.output
    reimported = path.read_text(encoding="utf-8")
    assert "並確認設備測試。" in reimported and "reason: 原文缺字" in reimported


def test_real_process_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "kmc_reports", "import", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2  # the one file given is bad input
    assert proc.stderr.strip() == f"kmc-reports：錯誤：{bad}: 空白檔案"


def test_profile_command_writes_named_files(data, tmp_path):
    out = tmp_path / "out"
    result = run("profile", "KMC2432-003v1", "--format", "docx,html", "--out", out, data=data)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "KMC2432-003v1-profile.docx", "KMC2432-003v1-profile.html"]
    result = run("profile", "KMC2432-003v1", "--layout", "job", "--tasks", "T2",
                 "--title", "場地專員", "--format", "html", "--out", out, data=data)
    assert result.exit_code == 0, result.output
    page = (out / "KMC2432-003v1-job.html").read_text(encoding="utf-8")
    assert "場地專員" in page and "尋找活動場地或場所" in page and "取得活動籌辦技術" not in page


@pytest.mark.parametrize("args, words", [
    (["profile", "KMC2432-003v1", "--format", "odt"], ["--format：odt 不是可用的格式"]),
    (["profile", "KMC2432-003v1", "--tasks", "T1"], ["--layout job"]),
    (["profile", "KMC2432-003v1", "--layout", "job", "--tasks", "T7"], ["T7"]),
    (["profile", "KMC2432-003v1", "--logo", "/nonexistent.png", "--format", "html"],
     ["/nonexistent.png"]),
    (["checklist", "NOPE-1"], ["NOPE-1"]),
])
def test_document_commands_reject_bad_options(data, tmp_path, args, words):
    one_line_error(run(*args, "--out", tmp_path / "o", data=data), *words)
    assert not (tmp_path / "o").exists()


def test_bad_config_file(data, tmp_path):
    config = tmp_path / "kmc-reports.yaml"
    config.write_text("org_name: 範例\ncolour: red\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data", str(data), "--config", str(config), "profile",
                                       "KMC2432-003v1", "--out", str(tmp_path / "o")])
    one_line_error(result, str(config), "colour")


def test_diff_command(data, tmp_path):
    from kmc_reports.store import load_standard, save_standard
    new = load_standard(data / "standards" / "KMC2432-001v4.yaml")
    task = new.task("T1.1")
    changed = task.model_copy(update={"name": task.name + "（舊）"})
    duty = new.duties[0].model_copy(update={"tasks": [changed, *new.duties[0].tasks[1:]]})
    old = new.model_copy(update={"code": "KMC2432-001v3", "duties": [duty, *new.duties[1:]]})
    save_standard(old, tmp_path / "old.yaml")
    out = tmp_path / "out"
    result = run("diff", tmp_path / "old.yaml", "KMC2432-001v4", "--format", "xlsx,html",
                 "--out", out, data=data)
    assert result.exit_code == 0, result.output
    assert "1 項變更" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "KMC2432-001v3-KMC2432-001v4-diff.html", "KMC2432-001v3-KMC2432-001v4-diff.xlsx"]
    one_line_error(run("diff", "KMC2432-001v4", "KMC2432-002v4", "--out", tmp_path / "x",
                       data=data), "KMC2432-001v4", "KMC2432-002v4")
    assert not (tmp_path / "x").exists()


def test_a_data_folder_of_your_own(tmp_path):
    """Import an OCS JSON standard into an empty folder and build everything from it."""
    data = tmp_path / "mine"
    sample = ROOT / "tests" / "fixtures" / "BAS1219-001v4-excerpt.json"
    assert run("import", sample, "--out", data / "standards").exit_code == 0
    result = run("build", "--out", tmp_path / "out", data=data)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out" / "BAS1219-001v4").iterdir())
    assert "BAS1219-001v4-syllabus.pdf" in names and "BAS1219-001v4-profile.docx" in names
