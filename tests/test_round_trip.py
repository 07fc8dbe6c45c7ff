"""Our profile is the iCAP layout, so our own readers must read it: profile → DOCX/PDF →
import gives back the same model (texts compared without whitespace, as everywhere).  Notes
come back as their text, in order: profiles print a converter's note lines joined into the
items they were cut from (views.printed_notes), so where the lines fall may differ."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from kmc_reports.cli import main
from kmc_reports.importers import import_file
from kmc_reports.store import load_standard
from conftest import ROOT
from real_gold import REAL, sq

REAL_CODES = ["AVA2173-005v3", "CCM7114-002", "KPS3334-004v4", "CAP2421-001", "NEP3295-002v3"]
FORMATS = ["docx", "pdf"]


def _comparable(std) -> dict:
    """The model without where it came from; footnote markers' underlined words are not
    printed by profiles, so only their places are compared."""
    data = std.model_dump(mode="json", exclude={"source", "corrections"})
    for note in data["notes"]["footnotes"]:
        note["refs"] = [r["place"] for r in note["refs"]]
    notes = data.pop("notes")
    data["notes"] = ["".join(q["text"] + "".join(q["items"]) for q in notes["qualifications"]),
                     notes["footnotes"], "".join(notes["remarks"])]
    return sq(data)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The bundled standards and a few real ones (imported from their OCS JSON)."""
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(ROOT / "data" / "standards", data / "standards")
    if REAL.is_dir():
        result = CliRunner().invoke(main, ["import", *[str(REAL / "ocs-json" / f"{c}.json")
                                                     for c in REAL_CODES],
                                           "--out", str(data / "standards")])
        assert result.exit_code == 0, result.output
    return data


@pytest.fixture(scope="module")
def profiles(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("profiles")
    codes = sorted(p.stem for p in (data_dir / "standards").glob("*.yaml"))
    result = CliRunner().invoke(main, ["--data", str(data_dir), "profile", *codes,
                                       "--format", ",".join(FORMATS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, codes


@pytest.mark.parametrize("fmt", FORMATS)
def test_profile_reads_back_as_the_same_model(data_dir, profiles, fmt):
    out, codes = profiles
    for code in codes:
        original = load_standard(data_dir / "standards" / f"{code}.yaml")
        back = import_file(out / f"{code}-profile.{fmt}", lambda _: None)
        assert _comparable(back) == _comparable(original), code
