"""A command that fails writes nothing: the output folder is byte for byte as it was.  And
every error says where: the file, the line, the option."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kmc_reports.cli import main
from conftest import ROOT


def _hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def _run(*args, data: Path):
    return CliRunner().invoke(main, ["--data", str(data), *map(str, args)])


def _one_line(result, *words) -> str:
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("kmc-reports：錯誤：")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.stderr
    for w in words:
        assert w in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def data(tmp_path) -> Path:
    """Two bundled standards with their course specs."""
    data = tmp_path / "data"
    (data / "standards").mkdir(parents=True)
    (data / "courses").mkdir()
    for code in ("KMC2432-003v1", "KMC2432-004v2"):
        shutil.copy(ROOT / "data" / "standards" / f"{code}.yaml", data / "standards")
        spec = ROOT / "data" / "courses" / f"{code}.yaml"
        if spec.exists():
            shutil.copy(spec, data / "courses")
    return data


@pytest.fixture
def built(data, tmp_path) -> Path:
    out = tmp_path / "out"
    result = _run("build", "--out", out, data=data)
    assert result.exit_code == 0, result.output
    return out


def _failed_standard(result, code, *words) -> str:
    """A build where one standard failed: exit 1, one error line naming it, the others
    done; no traceback."""
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("kmc-reports：錯誤：")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.stderr
    for w in words:
        assert w in errors[0], errors[0]
    assert f"{code} 失敗" in result.stderr and "失敗 1 項" in result.output
    return errors[0]


def test_a_failing_standard_leaves_its_previous_output_untouched(data, built):
    before = _hash(built)
    spec = data / "courses" / "KMC2432-004v2.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\ntotal_hours: -1\n"
                    if "total_hours" not in spec.read_text(encoding="utf-8") else
                    "\n".join("total_hours: -1" if ln.startswith("total_hours")
                              else ln for ln in spec.read_text(encoding="utf-8").splitlines()),
                    encoding="utf-8")
    _failed_standard(_run("build", "--out", built, data=data), "KMC2432-004v2", str(spec),
                     "total_hours")
    after = _hash(built)
    assert {k: v for k, v in after.items() if k != ".kmc-build.json"} == {
        k: v for k, v in before.items() if k != ".kmc-build.json"}
    assert not list(built.rglob("*.tmp"))


def test_a_character_the_font_lacks_stops_that_standard_before_any_of_its_files(data, tmp_path):
    path = data / "standards" / "KMC2432-004v2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 公關企劃人員",
                                                             "name: 公關企劃人員𠀀", 1),
                    encoding="utf-8")
    out = tmp_path / "fresh"
    err = _failed_standard(_run("build", "--out", out, data=data), "KMC2432-004v2", str(path),
                           "U+20000")
    assert "KMC2432-004v2 的 name" in err
    assert not (out / "KMC2432-004v2").exists()
    assert len(list((out / "KMC2432-003v1").iterdir())) == 12  # the other standard is built


def test_two_files_with_one_code_are_an_error_naming_both(data, tmp_path):
    original = data / "standards" / "KMC2432-003v1.yaml"
    copy = data / "standards" / "copy-of-003.yaml"
    shutil.copy(original, copy)
    _one_line(_run("compare", "--out", tmp_path / "c.xlsx", data=data), str(copy), str(original))
    assert not (tmp_path / "c.xlsx").exists()


def test_a_file_named_for_another_code_is_an_error(data):
    path = data / "standards" / "KMC2432-003v1.yaml"
    path.rename(data / "standards" / "KMC9999-003v1.yaml")
    _one_line(_run("list", data=data), "KMC9999-003v1.yaml", "KMC2432-003v1.yaml")


def test_a_duplicate_task_code_points_at_the_item(data):
    path = data / "standards" / "KMC2432-004v2.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    second = [i for i, ln in enumerate(lines) if ln.strip().startswith("- code: T1.2")][0]
    lines[second] = lines[second].replace("T1.2", "T1.1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _one_line(_run("show", "KMC2432-004v2", data=data), "T1.1 重複出現")
    first = next(i for i, ln in enumerate(lines) if ln.strip() == "- code: T1.1")
    assert f"{path}:{first + 1}:" in err  # the item's line, not line 1


def test_hours_that_do_not_fit_blame_the_option(data, tmp_path):
    err = _one_line(_run("syllabus", "KMC2432-004v2", "--hours", "1", "--out", tmp_path,
                         data=data), "--hours 1")
    assert "total_hours" not in err


def test_a_course_spec_for_no_standard_of_the_folder_is_warned(data, tmp_path):
    shutil.copy(data / "courses" / "KMC2432-004v2.yaml", data / "courses" / "KMC0000-001v1.yaml")
    result = _run("build", "--out", tmp_path / "out", data=data)
    assert result.exit_code == 0, result.output
    assert "KMC0000-001v1.yaml：資料夾中沒有職能基準 KMC0000-001v1" in result.stderr


def test_lint_says_which_characters_the_pdf_font_lacks_before_any_pdf(data):
    path = data / "standards" / "KMC2432-004v2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 公關企劃人員",
                                                             "name: 公關企劃人員𠀀", 1),
                    encoding="utf-8")
    result = _run("lint", "KMC2432-004v2", data=data)
    assert "unprintable" in result.output and "U+20000" in result.output
