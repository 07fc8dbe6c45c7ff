"""YAML files: canonical bytes, and errors that name the line, field and value."""

from __future__ import annotations

import re

import json

import pytest

from conftest import CODES, ROOT
from kmc_reports.corrections import apply_corrections
from kmc_reports.errors import KmcError
from kmc_reports.schema import SCHEMA_FILE, schema_json
from kmc_reports.store import dump_standard, load_standard

STANDARDS = ROOT / "data" / "standards"


@pytest.mark.parametrize("code", CODES)
def test_bundled_yaml_is_what_the_importer_makes(imported, code):
    """data/standards stays in step with the importer and its recorded hand corrections
    (re-import after changing either)."""
    committed = load_standard(STANDARDS / f"{code}.yaml")
    warnings: list[str] = []
    made = apply_corrections(imported[code][0], committed.corrections, warnings.append)
    assert warnings == []
    assert dump_standard(made) == (STANDARDS / f"{code}.yaml").read_text(encoding="utf-8")


def test_hand_corrections_carry_their_reasons():
    std = load_standard(STANDARDS / "KMC3332-002v3.yaml")
    fixed = {c.place: c for c in std.corrections}
    assert "相關法規與作業規範" in std.task("T3.2").indicators[3].text
    assert fixed["P3.2.4"].printed.count("。") == 2 and "誤植" in fixed["P3.2.4"].reason


@pytest.mark.parametrize("code", CODES)
def test_load_then_save_gives_the_same_bytes(code):
    path = STANDARDS / f"{code}.yaml"
    assert dump_standard(load_standard(path)) == path.read_text(encoding="utf-8")


def test_committed_schema_matches_the_model():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()
    schema = json.loads(schema_json())
    assert schema["properties"]["duties"]["minItems"] == 1


def _write(tmp_path, text):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path) -> str:
    with pytest.raises(KmcError) as exc:
        load_standard(path)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_malformed_yaml_names_the_line(tmp_path):
    good = (STANDARDS / "KMC2432-001v4.yaml").read_text(encoding="utf-8").splitlines()
    good[9] = "name: a: b"
    msg = _error(_write(tmp_path, "\n".join(good)))
    assert msg.startswith(f"{tmp_path / 'x.yaml'}:10: YAML 格式錯誤：")


@pytest.mark.parametrize("text", [
    "name: [", "name: a: b", "name: \"x", "a: 1\n\tb: 2", "a: *nope",
    "name: x # c\n y: z", "? [a]\n: b", "- a\nb: c", "{a: 1", "a: !!foo x",
    "a: b\n- c", "&: x", "a: \"\\q\""])
def test_every_yaml_problem_is_said_in_chinese(tmp_path, text):
    """Whatever PyYAML says, the line shows no English: a problem without Chinese words is
    said as 「此處的內容無法解析」."""
    msg = _error(_write(tmp_path, text))
    said = msg.split("YAML 格式錯誤：", 1)[1]
    assert not re.search(r"[A-Za-z]{3,}", said.replace("Tab", "")), msg


def test_model_errors_name_field_value_and_line(tmp_path):
    text = (STANDARDS / "KMC2432-001v4.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip() == "- level: 3")
    lines[at] = lines[at].replace("3", "9")
    msg = _error(_write(tmp_path, "\n".join(lines)))
    assert "duties[0].tasks[0].bands[0].level = 9" in msg
    assert f":{at + 1}:" in msg


def test_unknown_fields_and_bad_codes_are_rejected(tmp_path):
    text = (STANDARDS / "KMC2432-001v4.yaml").read_text(encoding="utf-8")
    assert "colour" in _error(_write(tmp_path, text + "colour: red\n"))
    msg = _error(_write(tmp_path, text.replace("code: T1.1", "code: X1.1", 1)))
    assert "tasks[0].code" in msg and '"X1.1"' in msg


def test_not_a_mapping(tmp_path):
    assert "不是職能基準" in _error(_write(tmp_path, "- just\n- a list\n"))


def test_a_library_parses_each_file_once_while_it_is_unchanged(tmp_path, monkeypatch):
    import kmc_reports.store as store

    folder = tmp_path / "standards"
    folder.mkdir()
    path = folder / "KMC2432-001v4.yaml"
    text = (STANDARDS / "KMC2432-001v4.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    parsed, read = [], store.read_yaml
    monkeypatch.setattr(store, "read_yaml", lambda p: parsed.append(p) or read(p))
    library = store.Library(folder)
    first, second = library.get("KMC2432-001v4"), library.load()[0]
    assert len(parsed) == 1
    assert first == second and first is not second  # each caller gets a model of its own
    first.name = "changed"
    assert library.get("KMC2432-001v4").name != "changed"
    path.write_text(text.replace("name: ", "name: 新", 1), encoding="utf-8")  # size changes
    assert library.get("KMC2432-001v4").name.startswith("新")
    assert len(parsed) == 2


def test_a_library_still_names_the_line_of_a_bad_field(tmp_path):
    from kmc_reports.store import Library

    folder = tmp_path / "standards"
    folder.mkdir()
    text = (STANDARDS / "KMC2432-001v4.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip() == "- level: 3")
    lines[at] = lines[at].replace("3", "9")
    (folder / "KMC2432-001v4.yaml").write_text("\n".join(lines), encoding="utf-8")
    library = Library(folder)
    for _ in range(2):  # the second time from what was parsed
        with pytest.raises(KmcError) as exc:
            library.get("KMC2432-001v4")
        assert f":{at + 1}:" in str(exc.value)
