"""The version diff: each edit reported once, in the right place, formatting noise ignored;
the workbook and the printable document hold every change."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from kmc_reports.analyses.diff import CHANGES, KINDS, diff
from kmc_reports.document import Table, document_text
from kmc_reports.errors import KmcError
from kmc_reports.model import Task
from kmc_reports.store import load_standard
from kmc_reports.templating import render
from kmc_reports.writers.diff_xlsx import DETAIL, HEADERS, SUMMARY, TINTS, write_diff_xlsx

STANDARDS = ROOT / "data" / "standards"
NEW = load_standard(STANDARDS / "KMC2432-001v4.yaml")

# (kind, change, place, old place) of every edit old_version() makes, seen from v3 to v4.
EXPECTED = [
    ("task", "removed", "T2.4", ""),
    ("indicator", "moved", "P1.3.4", "P1.3.5"),
    ("indicator", "changed", "P1.1.1", ""),
    ("level", "changed", "T2.3", ""),
    ("knowledge", "added", "T1.2/K06", ""),
    ("attitude", "renamed", "A03", ""),
]


def old_version():
    """v4 taken back to a v3 that differs by exactly the edits in EXPECTED."""
    old = NEW.model_copy(deep=True)
    old.code = "KMC2432-001v3"
    old.task("T1.1").bands[0].indicators[0].text = "蒐集專案活動產業現況與注意事項。"
    old.task("T1.3").bands[0].indicators[3].code = "P1.3.5"
    old.task("T2.3").bands[0].level = 2
    t12 = old.task("T1.2").bands[0]
    t12.knowledge = [r for r in t12.knowledge if r.code != "K06"]
    old.attitudes[2].name = "自信"
    old.duties[1].tasks.append(Task.model_validate({
        "code": "T2.4", "name": "管理活動安全",
        "bands": [{"level": 3, "outputs": [{"code": "O2.4.1", "name": "安全檢查表"}],
                   "indicators": [{"code": "P2.4.1", "text": "依活動計畫書檢查場地安全。"}],
                   "knowledge": [{"code": "K01", "name": "法令規範"}],
                   "skills": [{"code": "S03", "name": "活動溝通協調"}]}]}))
    return old


def keys(d):
    return [(c.kind, c.change, c.place, c.old_place) for c in d.changes]


def document(d):
    """The document as reports.diff_document renders it."""
    return render("diff.xml.j2", {
        "diff": d, "counts": d.counts(), "kinds": KINDS, "changes": CHANGES,
        "old_version": d.old.latest_version(), "new_version": d.new.latest_version(),
        "org": {"name": "", "logo": None}})


def test_each_edit_is_reported_once_in_its_place():
    d = diff(old_version(), NEW)
    assert sorted(keys(d)) == sorted(EXPECTED)
    assert d.warnings == []
    texts = {(c.kind, c.change): (c.old, c.new) for c in d.changes}
    assert texts["indicator", "changed"] == (
        "蒐集專案活動產業現況與注意事項。", "蒐集專案活動產業現況、活動形式與注意事項。")
    assert texts["indicator", "moved"][0] == texts["indicator", "moved"][1]
    assert texts["level", "changed"] == ("2", "3")
    assert texts["attitude", "renamed"] == ("自信", "自信心")
    assert texts["task", "removed"] == ("管理活動安全", "")
    assert texts["knowledge", "added"] == ("", "消費者行為")
    counts = d.counts()
    assert counts["indicator"] == {"added": 0, "removed": 0, "changed": 1, "moved": 1,
                                   "renamed": 0}
    assert sum(n for per in counts.values() for n in per.values()) == len(EXPECTED)


def test_header_fields_and_catalogue():
    old = old_version()
    old.name, old.level, old.description = "活動企劃人員", 2, "舊的工作描述。"
    old.categories.occupations[0].code = "3339"
    for band in (b for _, t in old.tasks() for b in t.bands):
        band.knowledge = [r.model_copy(update={"code": "K19"}) if r.code == "K09" else r
                          for r in band.knowledge]
    changes = keys(diff(old, NEW))
    assert [c for c in changes if c[0] == "header"] == [
        ("header", "changed", place, "") for place in ("職能基準名稱", "基準級別", "工作描述", "職業別")]
    # A K renumbered throughout is one catalogue change, not a remove + add in each task.
    assert [c for c in changes if c[0] == "knowledge"] == [
        ("knowledge", "moved", "K09", "K19"), ("knowledge", "added", "T1.2/K06", "")]


def test_new_catalogue_item_is_reported_for_the_standard_and_the_task():
    old = old_version()
    for band in (b for _, t in old.tasks() for b in t.bands):
        band.skills = [r for r in band.skills if r.code != "S22"]
    assert [c for c in keys(diff(old, NEW)) if c[0] == "skill"] == [
        ("skill", "added", "S22", ""), ("skill", "added", "T2.3/S22", "")]


def test_inserted_indicator_shifts_codes_instead_of_rewriting_texts():
    old = NEW.model_copy(deep=True)
    band = old.task("T2.1").bands[0]
    band.indicators = [p.model_copy(update={"code": f"P2.1.{i}"})
                       for i, p in enumerate(band.indicators[1:], 1)]
    assert keys(diff(old, NEW)) == [("indicator", "added", "P2.1.1", "")] + [
        ("indicator", "moved", f"P2.1.{i + 1}", f"P2.1.{i}") for i in range(1, 5)]


def test_identical_versions_have_no_changes_and_say_so():
    d = diff(NEW, NEW)
    assert d.changes == [] and d.warnings == []
    assert "兩個版本的內容無差異" in document_text(document(d))


def test_whitespace_and_full_width_forms_are_not_changes():
    old = NEW.model_copy(deep=True)
    old.code = "KMC2432-001v3"
    for _, task in old.tasks():
        task.name = " ".join(task.name)
        for p in task.indicators:
            p.text = p.text.replace("，", "， ").replace("、", "\n、")
    old.attitudes[0].description = "  " + old.attitudes[0].description + " "
    old.categories.job_categories[0].name = "行銷與銷售/行銷傳播"
    assert diff(old, NEW).changes == []


def test_two_different_standards_are_refused_unless_forced():
    other = load_standard(STANDARDS / "KMC2432-002v4.yaml")
    with pytest.raises(KmcError, match="KMC2432-001v4 與 KMC2432-002v4 不是同一職能基準的兩個版本"):
        diff(NEW, other)
    forced = diff(NEW, other, force=True)
    assert forced.changes and "不是同一職能基準" in forced.warnings[0]


def test_swapped_versions_warn_and_report_the_other_way():
    d = diff(NEW, old_version())
    assert len(d.warnings) == 1 and "放反" in d.warnings[0]
    assert ("task", "added", "T2.4", "") in keys(d)
    assert ("knowledge", "removed", "T1.2/K06", "") in keys(d)
    # The added task's indicator, output and K/S come with it; they are not listed again.
    assert not [c for c in d.changes if c.place.startswith(("P2.4", "O2.4", "T2.4/"))]


@pytest.fixture(scope="module")
def changed():
    old = old_version()
    old.task("T1.2").bands[0].indicators[0].text = "=HYPERLINK(\"x\")"
    old.attitudes[0].name = "+親和"
    return diff(old, NEW)


def test_workbook_holds_every_change(changed):
    data = write_diff_xlsx(changed)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [SUMMARY, DETAIL]
    ws = wb[DETAIL]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [(r[2], r[3] or "", r[4] or "") for r in rows[1:]] == [
        (c.where, c.old, c.new) for c in changed.changes]
    assert {r[1] for r in rows[1:]} <= set(CHANGES.values())
    assert ws["C2"].value and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:E{len(changed.changes) + 1}"
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    fills = {r[0].row: r[0].fill.fgColor.rgb[-6:] for r in ws.iter_rows(min_row=2)}
    for row, c in enumerate(changed.changes, 2):
        assert fills[row] == TINTS.get(c.change, TINTS["changed"])
        assert ws.cell(row, 4).alignment.wrap_text
    summary = [r for r in wb[SUMMARY].iter_rows(values_only=True) if r[0] == "合計"]
    assert summary[-1][-1] == len(changed.changes)


def test_workbook_is_deterministic_and_keeps_formula_text_as_text(changed):
    data = write_diff_xlsx(changed)
    assert data == write_diff_xlsx(changed)
    sheets = zipfile.ZipFile(io.BytesIO(data))
    xml = "".join(sheets.read(n).decode() for n in sheets.namelist()
                  if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    values = [v for r in load_workbook(io.BytesIO(data))[DETAIL].iter_rows(values_only=True)
              for v in r]
    assert '=HYPERLINK("x")' in values and "+親和" in values


def test_document_holds_every_change(changed):
    doc = document(changed)
    text = document_text(doc)
    assert "職能基準版本比較" in text and "KMC2432-001v3" in text and "KMC2432-001v4" in text
    assert "2020/12/20" in text and "2023/12/15" in text
    flat = re.sub(r"\s+", "", text)
    for c in changed.changes:
        for t in (c.old, c.new, c.where):
            assert re.sub(r"\s+", "", t) in flat, t
    assert all(s.orientation == "portrait" for s in doc.sections)
    assert text.count("無差異") == sum(1 for k in KINDS
                                       if not any(c.kind == k for c in changed.changes))
    # Only the edit of a lightly edited text is bold; a rewrite stays plain.
    bold = [r.text for s in doc.sections for b in s.blocks if isinstance(b, Table)
            for row in b.rows[b.header_rows:] for cell in row for p in cell.blocks
            for r in getattr(p, "runs", []) if r.bold]
    assert "、活動形式" in bold and not [t for t in bold if "HYPERLINK" in t]
