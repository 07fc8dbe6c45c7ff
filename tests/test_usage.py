"""Click's own errors as the tool's one Chinese line; `list`; the README's course spec; one name
for the coverage matrix; documents that do not tell their readers to run a command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from kmc_reports import cli
from kmc_reports.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_chinese_line(result, *words, code=2):
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.stdout == ""
    err = result.stderr
    assert len(err.splitlines()) == 1, err
    assert err.startswith("kmc-reports：錯誤："), err
    assert CJK.search(err), err
    for english in ("Usage:", "Try ", "Error:", "Aborted", "Invalid value", "No such",
                    "Missing", "requires", "Traceback"):
        assert english not in err, err
    for w in words:
        assert w in err, err
    return err


@pytest.mark.parametrize("args, words", [
    (["profile", "KMC2432-001v4", "--out", "{file}"], ["--out", "是檔案", "需要資料夾"]),
    (["compare", "--out", "{folder}"], ["--out", "是資料夾", "需要檔案"]),
    (["--data", "{file}", "list"], ["--data", "是檔案"]),
    (["syllabus", "KMC2432-001v4", "--hours", "abc"], ["--hours", "「abc」", "不是數字"]),
    (["show"], ["缺少參數 CODE", "kmc-reports show --help"]),
    (["diff", "KMC2432-001v4"], ["缺少參數 NEW"]),
    (["import"], ["缺少參數 FILES"]),
    (["bogus"], ["沒有「bogus」這個命令", "build", "list"]),
    (["buld"], ["是不是 build"]),
    (["crosswalk", "nope"], ["沒有「nope」這個命令", "apply"]),
    (["show", "KMC2432-001v4", "--bogus"], ["沒有 --bogus 這個選項"]),
    (["compare", "--forma", "json"], ["是不是 --format"]),
    (["show", "KMC2432-001v4", "--format", "xml"], ["--format", "「xml」", "yaml、json"]),
    (["list", "--format", "csv"], ["--format", "table、json"]),
    (["lint", "--format"], ["選項 --format 需要一個值"]),
    (["diff", "a", "b", "--force=yes"], ["選項 --force 不接受值"]),
    (["show", "a", "b"], ["多出的參數：b"]),
])
def test_click_errors_are_one_chinese_line(tmp_path, args, words):
    file = tmp_path / "a-file"
    file.write_text("x")
    args = [a.format(file=file, folder=tmp_path) for a in args]
    one_chinese_line(run(*args), *words)


def test_help_screens_stay_clicks():
    result = run("--help")
    assert result.exit_code == 0 and "Usage: kmc-reports" in result.stdout
    assert "list" in result.stdout
    result = run("build", "--help")
    assert result.exit_code == 0 and "Usage: kmc-reports build" in result.stdout
    result = run()  # no command: the help screen, as click shows it
    assert "Usage: kmc-reports" in result.output
    assert run("--version").stdout.startswith("kmc-reports, version")


def _group(exc: BaseException) -> click.Group:
    """A throwaway group of the CLI's kind with one command that raises `exc`."""
    @click.group(cls=cli._Group)
    def group():
        pass

    @group.command()
    def boom():
        raise exc

    return group


def test_aborted_is_one_chinese_line():
    result = CliRunner().invoke(_group(click.Abort()), ["boom"], catch_exceptions=False)
    one_chinese_line(result, "已取消")


def test_keyboard_interrupt_is_one_line_and_exit_130():
    result = CliRunner().invoke(_group(KeyboardInterrupt()), ["boom"], catch_exceptions=False)
    assert result.exit_code == 130
    assert result.stderr == "kmc-reports：錯誤：已中斷（Ctrl-C）；未完成的檔案已清除\n"


def test_a_click_exception_raised_by_a_command_is_one_line():
    result = CliRunner().invoke(_group(click.BadParameter("x", param_hint="--x")), ["boom"],
                                catch_exceptions=False)
    one_chinese_line(result, "--x")


# -- list ----------------------------------------------------------------------------------

def test_list_table_is_aligned_with_chinese_headings():
    from kmc_reports.importers.text import width

    result = run("list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["代碼", "名稱", "級別", "最新版本", "日期", "主要職責數",
                                "工作任務數", "來源檔"]
    rows = lines[1:6]
    assert [r.split()[0] for r in rows] == sorted(p.stem for p in
                                                  (ROOT / "data/standards").glob("*.yaml"))
    # columns line up on the terminal: every cell starts where a heading starts
    def starts(line):
        cols = "".join(ch * width(ch) for ch in line)
        return {i for i, ch in enumerate(cols) if ch != " " and (i == 0 or cols[i - 1] == " ")}

    assert len(starts(lines[0])) == 8
    for row in rows:
        assert starts(row) <= starts(lines[0]), row
    assert "KMC2432-001v4  活動企劃專員" in result.stdout
    assert re.search(r"KMC2432-001v4 .* 3 +V4 +2023/12/15 +2 +6 +KMC2432-001v4\.txt", rows[0])
    assert lines[-1].startswith("共 5 項職能基準")


def test_list_json(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    std = yaml.safe_load((data / "standards/KMC2432-001v4.yaml").read_text(encoding="utf-8"))
    del std["level"]
    std["printed_level"] = "4級以上"
    (data / "standards/KMC2432-001v4.yaml").write_text(
        yaml.safe_dump(std, allow_unicode=True), encoding="utf-8")
    result = run("--data", data, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    first = rows["KMC2432-001v4"]
    assert first["level"] is None and first["level_label"] == "4級以上"
    assert (first["version"], first["date"], first["duties"], first["tasks"]) == \
        ("V4", "2023/12/15", 2, 6)
    assert first["source"] == "KMC2432-001v4.txt"
    assert Path(first["file"]) == data / "standards/KMC2432-001v4.yaml"
    assert "4級以上" in run("--data", data, "list").stdout  # printed level when no level


def test_list_of_an_empty_folder_is_one_line(tmp_path):
    (tmp_path / "standards").mkdir()
    one_chinese_line(run("--data", tmp_path, "list"), "沒有職能基準")


# -- the README's course spec -------------------------------------------------------------

def test_readme_course_spec_example_has_every_key_and_plans(tmp_path):
    from kmc_reports.course import CourseSpec

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(# data/courses/.*?)```", readme, re.S)[1]
    spec = yaml.safe_load(example)
    assert set(spec) == set(CourseSpec.model_fields), "README: document every course-spec key"
    path = tmp_path / "course.yaml"
    path.write_text(example, encoding="utf-8")
    result = run("syllabus", path, "--format", "xlsx", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "course-coverage.xlsx").is_file()


# -- wording of the documents ----------------------------------------------------------------

def _texts() -> dict[Path, str]:
    files = [*(ROOT / "templates").glob("*.j2"), *(ROOT / "kmc_reports").rglob("*.py"),
             *(ROOT / "tests").glob("*.py"), ROOT / "README.md"]
    return {p: p.read_text(encoding="utf-8") for p in files if p != Path(__file__)}


def test_one_name_for_the_coverage_matrix():
    assert not [p for p, text in _texts().items() if "覆蓋" in text]


def test_documents_do_not_tell_readers_to_run_a_command():
    """A command may be mentioned on the terminal, not in a document given to reviewers."""
    documents = [*(ROOT / "templates").glob("*.j2"),
                 *(ROOT / "kmc_reports" / "writers").glob("*xlsx*.py")]
    for path in documents:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":  # only the strings a workbook shows, not docstrings
            text = "\n".join(re.findall(r'"([^"\n]*[\u4e00-\u9fff][^"\n]*)"', text))
        else:
            text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        for pattern in (r"kmc-reports\s+[a-z]", r"請執行", r"執行\s*kmc", r"\s--[a-z]"):
            assert not re.search(pattern, text), (path.name, pattern)
