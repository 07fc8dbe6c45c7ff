"""What templates print: a line wrap a converter kept between two Chinese characters
(「審核能 力」, the OCS JSON of real standards) is not printed, in any report, while the model
keeps the text as imported (lint reports it)."""

from __future__ import annotations

from conftest import ROOT
from kmc_reports.document import document_text
from kmc_reports.reports import Options, checklist_document, job_document, profile_document
from kmc_reports.store import Library
from kmc_reports.templating import printed


def test_wraps_between_chinese_characters_are_not_printed():
    std = Library(ROOT / "data" / "standards").get("KMC2432-001v4")
    task = std.duties[0].tasks[0]
    ref = task.bands[0].knowledge[0]
    wrapped = ref.name[:2] + " \n " + ref.name[2:]
    ref.name = wrapped
    task.indicators[0].text = "能 依據" + task.indicators[0].text
    for make in (profile_document, job_document, checklist_document):
        text = document_text(make(std, Options()))
        assert wrapped.replace(" \n ", "") in text and wrapped not in text, make.__name__
        assert "能 依據" not in text, make.__name__
        assert ("能依據" in text) == (make is not job_document), make.__name__  # no indicators
    assert ref.name == wrapped  # the model is untouched


def test_only_whitespace_between_two_chinese_characters_goes():
    assert printed("審核能 力") == "審核能力"
    assert printed("ISO/IEC 17025 環境") == "ISO/IEC 17025 環境"  # Latin or digits beside
    assert printed("T1 名稱") == "T1 名稱" and printed("職能級別 3") == "職能級別 3"
    assert printed("企劃　能力") == "企劃　能力"  # a full-width space is meant
    assert printed(3) == 3


def test_a_placeholder_date_prints_as_not_given():
    """A version dated 「Unknown」 (BHR2422-006v4's converter) reads like one without a date."""
    std = Library(ROOT / "data" / "standards").get("KMC2432-001v4")
    for v in std.versions:
        v.date = "Unknown"
    assert std.latest_version().printed_date == ""
    text = document_text(profile_document(std, Options()))
    assert "Unknown" not in text and "發展更新日期 未載明" in text
    text = document_text(job_document(std, Options()))
    assert "Unknown" not in text and "日期未載明" in text


def test_a_version_cell_holding_the_whole_code_prints_as_the_version():
    """BHR2422-006v4's converter put the whole code in every version cell; documents print
    「V4」, the model keeps what was imported."""
    from kmc_reports.model import Version

    def version(text):
        return Version(version=text, code="BHR2422-006v4", name="人力資源勞動法令人員")

    assert version("BHR2422-006v4").printed_version == "V4"
    assert version("V3").printed_version == "V3"
    assert version("第1版").printed_version == "第1版"
