"""The DOCX/ODT reader: the tab-separated text it makes of the 14 real standards is complete
and column-true, merged cells come out as the layout says, ODT gives what DOCX gives, and bad
packages fail with one line naming the file.

Each real file is read once per session (fixtures); the 14 ODT copies are made by one
LibreOffice call.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.importers.docx import read_blocks, read_package
from kmc_reports.importers.layout import Table
from real_gold import REAL, compare, fields, load_gold, main_table_rows, sq

DOCX_DIR = REAL / "docx"
CODES = sorted(p.stem for p in DOCX_DIR.glob("*.docx"))

pytestmark = pytest.mark.skipif(not CODES, reason="../shared/real/docx is not there")

# Gold fields right (of REAL/gold's fields) per file when this reader was written: all of
# them.  Never lower these.
BASELINE = {
    "AVA2173-005v3": 69, "BAS1219-001v4": 66, "BGM1219-001v4": 94, "BHR2422-006v4": 57,
    "CAP2421-001": 57, "CAP2522-001": 56, "CCM7114-002": 194, "IDC2172-002v3": 71,
    "KPS3334-004v4": 206, "LLS2619-005": 36, "MPD2145-001v5": 39, "MPD3114-002v2": 61,
    "NEP3295-002v3": 61, "SET2529-001v2": 66,
}

MAIN_HEADER = ["主要職責", "工作任務", "工作產出", "行為指標", "職能級別",
               "職能內涵（K=knowledge 知識）", "職能內涵（S=skills 技能）"]


def _import(path: Path):
    """(Standard or None, warnings, the error if the import failed)."""
    warnings: list[str] = []
    try:
        return import_file(path, warnings.append), warnings, None
    except Exception as exc:  # noqa: BLE001 - the shared reader's errors are reported, not ours
        return None, warnings, exc


def _read_all(paths: dict[str, Path]) -> dict:
    return {code: {"text": read_package(p.read_bytes(), str(p)), "import": _import(p)}
            for code, p in paths.items()}


@pytest.fixture(scope="session")
def docx_read():
    """code -> {"text": tab-separated text, "import": (std, warnings, error)}."""
    return _read_all({c: DOCX_DIR / f"{c}.docx" for c in CODES})


@pytest.fixture(scope="session")
def odt_read(tmp_path_factory):
    """The same for ODT copies of the 14 DOCX, made in one LibreOffice run."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("odt")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "odt", "--outdir", str(out),
                    *[str(DOCX_DIR / f"{c}.docx") for c in CODES]],
                   check=True, capture_output=True, timeout=300)
    return _read_all({c: out / f"{c}.odt" for c in CODES})


def _gold(code: str) -> dict:
    return load_gold(REAL / "gold" / f"{code}.json")


def _score(entry, code: str) -> tuple[int, int, list[str]]:
    std, _, error = entry["import"]
    gold = _gold(code)
    if std is None:
        total = len(fields(gold)) + len(gold.get("indicator_texts") or {})
        print(f"{code}: 0/{total} (import failed: {error!r})")
        return 0, total, ["<import failed>"]
    right, total, wrong = compare(std, gold)
    print(f"{code}: {right}/{total} wrong: {wrong}")
    return right, total, wrong


def _main_rows(text: str) -> list[list[str]]:
    header, rows = main_table_rows(text)
    assert header == MAIN_HEADER
    return rows


def _column(rows: list[list[str]], i: int) -> str:
    return sq("".join(r[i] for r in rows).replace("<br>", ""))


# -- the text of the real files -------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_text_holds_every_gold_text_in_its_column(docx_read, code):
    """Independent of the shared reader: every text of the gold stands in the text we make,
    items of the main table in their own column, on rows of exactly seven cells."""
    text = docx_read[code]["text"]
    gold = _gold(code)
    flat = sq(text.replace("<br>", ""))
    rows = _main_rows(text)
    assert rows and all(len(r) == 7 for r in rows)
    cols = {name: _column(rows, i) for i, name in
            enumerate(["duty", "task", "output", "indicator", "level", "knowledge", "skill"])}
    for value in [gold["code"], gold["name"], gold["description"],
                  *[v for v in gold["category"].values() if v],
                  *[x for row in gold["versions"] for x in row]]:
        assert sq(value) in flat, value
    for duty in gold["duties"]:
        assert sq(f"{duty['code']}{duty['name']}") in cols["duty"]
        for task in duty["tasks"]:
            assert sq(f"{task['code']}{task['name']}") in cols["task"]
            for oc, name in task["outputs"] or []:
                assert sq(f"{oc}{name}") in cols["output"], oc
            for key in ("knowledge", "skill"):
                for kc, name in task[key if key == "knowledge" else "skills"]:
                    assert sq(f"{kc}{name}") in cols[key], kc
    for pc, ptext in gold["indicator_texts"].items():
        assert sq(f"{pc}{ptext}") in cols["indicator"], pc
    for ac, name in gold["attitudes"]:
        assert re.search(rf"^{ac}\s*{re.escape(name)}", text, re.M), ac


@pytest.mark.parametrize("code", CODES)
def test_text_has_no_page_furniture_and_one_header_row(docx_read, code):
    text = docx_read[code]["text"]
    assert "頁，總共" not in text
    assert text.count("行為指標") == 1
    assert text.startswith(f"{_gold(code)['name']}職能基準\n")
    assert "說明與補充事項" in text


def test_merged_cells_of_a_real_table():
    """CCM7114-002 T3.2: the task cell spans two rows (vMerge), each row with its own level."""
    text = read_package((DOCX_DIR / "CCM7114-002.docx").read_bytes(), "x.docx")
    rows = _main_rows(text)
    i = next(i for i, r in enumerate(rows) if r[1].startswith("T3.2 "))
    first, second = rows[i], rows[i + 1]
    assert first[0] == "" and second[0] == "" and second[1] == ""  # T3 and T3.2 continued
    assert first[3].startswith("P3.2.1 ") and second[3].startswith("P3.2.2 ")
    assert second[2].split("<br>")[0] == "O3.2.3 拆除屋頂與原有屋脊支撐"
    assert first[4] == second[4] == "3"
    # the profile block: 職能基準代碼 spans two columns, its value three
    assert "職能基準代碼\t\tCCM7114-002\t\t" in text.split("\n")


# -- gold scores ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_docx_gold_score(docx_read, code):
    right, total, _ = _score(docx_read[code], code)
    assert right >= BASELINE[code]


@pytest.mark.parametrize("code", CODES)
def test_odt_gold_score(odt_read, code):
    right, total, _ = _score(odt_read[code], code)
    assert right >= BASELINE[code]


@pytest.mark.parametrize("code", CODES)
def test_odt_reads_as_the_docx(docx_read, odt_read, code):
    """LibreOffice's ODT of a DOCX gives the very same text, so the same model."""
    assert odt_read[code]["text"] == docx_read[code]["text"]
    std_docx, warn_docx, err_docx = docx_read[code]["import"]
    std_odt, warn_odt, err_odt = odt_read[code]["import"]
    assert (std_odt is None) == (std_docx is None)
    if std_docx is not None:
        assert std_odt.model_dump(exclude={"source"}) == std_docx.model_dump(exclude={"source"})
        assert std_odt.source == f"{code}.odt"
        assert [w.replace(".odt", "") for w in warn_odt] == \
            [w.replace(".docx", "") for w in warn_docx]
    else:
        assert str(err_odt).replace(".odt", "") == str(err_docx).replace(".docx", "")


# -- synthetic packages ---------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(body: str, extra: dict[str, str] | None = None) -> bytes:
    """A minimal DOCX whose body is ``body`` (WordprocessingML, prefix w)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
                    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                    'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    'officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}" '
                    f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                    f'<w:body>{body}</w:body></w:document>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _p(*texts: str) -> str:
    return "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r></w:p>" for t in texts)


def _tc(text: str = "", pr: str = "", paras: list[str] | None = None) -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{_p(*(paras or [text]))}</w:tc>"


MAIN_HEAD_ROW = "<w:tr>" + "".join(_tc(h) for h in MAIN_HEADER) + "</w:tr>"


def test_docx_merged_cells_line_up():
    vm_start, vm = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    body = _p("標題職能基準") + "<w:tbl>" + MAIN_HEAD_ROW + (
        "<w:tr>" + _tc("T1 甲", vm_start) + _tc("T1.1 乙", vm_start)
        + _tc("O1.1.1 丙") + _tc(paras=["P1.1.1 丁。", "P1.1.2 戊。"])
        + _tc("3", vm_start) + _tc("K01 己 K02 庚", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        "<w:tr>" + _tc("", vm) + _tc("", '<w:vMerge w:val="continue"/>')
        + _tc("O1.1.2 辛") + _tc("P1.1.3 壬。") + _tc("", vm) + _tc("K03") + _tc("S01")
        + "</w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"2\"/><w:gridAfter w:val=\"1\"/></w:trPr>"
        + _tc("O1.2.1 癸") + _tc("P1.2.1 子。") + _tc("3") + _tc("K04") + "</w:tr>"
    ) + "</w:tbl>"
    text = read_package(_docx(body), "m.docx")
    assert text.split("\n")[:5] == [
        "標題職能基準",
        "\t".join(MAIN_HEADER),
        "T1 甲\tT1.1 乙\tO1.1.1 丙\tP1.1.1 丁。<br>P1.1.2 戊。\t3\tK01 己 K02 庚\t",
        "\t\tO1.1.2 辛\tP1.1.3 壬。\t\tK03\tS01",
        "\t\tO1.2.1 癸\tP1.2.1 子。\t3\tK04\t",
    ]


def test_docx_run_content_headers_and_nested_tables():
    header = ('<?xml version="1.0"?><w:hdr xmlns:w="' + W_NS + '">' + _p("第 1 頁，總共 2 頁")
              + "</w:hdr>")
    nested = "<w:tbl><w:tr>" + _tc("內1") + _tc("內2") + "</w:tr><w:tr>" + _tc("內3") \
        + "</w:tr></w:tbl>"
    body = (
        '<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r>'
        '<w:del><w:r><w:delText>刪除</w:delText></w:r></w:del>'
        '<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隱藏</w:t></w:r>'
        '<w:hyperlink><w:r><w:t>連結</w:t></w:r></w:hyperlink></w:p>'
        '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + _p("控制項")
        + "</w:sdtContent></w:sdt>"
        + "<w:tbl>" + MAIN_HEAD_ROW + "<w:tr>" + _tc("T1 甲")
        + f"<w:tc>{_p('外')}{nested}</w:tc>" + "".join(_tc("") for _ in range(5))
        + "</w:tr></w:tbl>"
    )
    text = read_package(_docx(body, {"word/header1.xml": header}), "h.docx")
    lines = text.split("\n")
    assert lines[:4] == ["甲 乙", "丙插入7連結", "控制項", "\t".join(MAIN_HEADER)]
    assert lines[4] == "T1 甲\t外<br>內1 內2<br>內3\t\t\t\t\t"
    assert "頁" not in text and "刪除" not in text and "PAGE" not in text


ODT_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}


def _odt(body: str, mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in ODT_NS.items())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                                   f'<office:document-content {ns}><office:body><office:text>'
                                   f'{body}</office:text></office:body>'
                                   f'</office:document-content>')
        zf.writestr("styles.xml", f'<office:document-styles {ns}><office:master-styles>'
                                  f'<text:p>第 1 頁，總共 2 頁</text:p></office:master-styles>'
                                  f'</office:document-styles>')
    return buf.getvalue()


def _oc(text: str = "", attrs: str = "") -> str:
    return f'<table:table-cell {attrs}><text:p>{text}</text:p></table:table-cell>'


def test_odt_spans_covered_cells_repeats_and_inline_text():
    head = "<table:table-header-rows><table:table-row>" + "".join(
        _oc(h) for h in MAIN_HEADER) + "</table:table-row></table:table-header-rows>"
    covered = "<table:covered-table-cell/>"
    body = (
        "<text:h>標題<text:s/>職能基準</text:h>"
        "<text:list><text:list-item><text:p>項目<text:tab/>一</text:p></text:list-item>"
        "</text:list>"
        "<text:p>甲<text:s text:c=\"3\"/>乙<text:line-break/>丙"
        "<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>註"
        "</text:p></text:note-body></text:note></text:p>"
        "<table:table>" + head
        + "<table:table-row>" + _oc("T1 甲", 'table:number-rows-spanned="2"')
        + _oc("T1.1 乙") + _oc("O1.1.1 丙")
        + '<table:table-cell><text:p>P1.1.1 丁。</text:p><text:p>P1.1.2 戊。</text:p>'
        + "</table:table-cell>" + _oc("3")
        + _oc("K01 己", 'table:number-columns-spanned="2"') + covered + "</table:table-row>"
        + "<table:table-row>" + covered + _oc("", 'table:number-columns-repeated="2"')
        + _oc("P1.1.3 壬。") + covered + _oc("K03") + _oc("S01") + "</table:table-row>"
        + '<table:table-row table:number-rows-repeated="2">'
        + _oc("", 'table:number-columns-repeated="7"') + "</table:table-row>"
        + "</table:table>"
    )
    text = read_package(_odt(body), "s.odt")
    assert text.split("\n")[:8] == [
        "標題 職能基準", "項目 一", "甲 乙", "丙", "\t".join(MAIN_HEADER),
        "T1 甲\tT1.1 乙\tO1.1.1 丙\tP1.1.1 丁。<br>P1.1.2 戊。\t3\tK01 己\t",
        "\t\t\tP1.1.3 壬。\t\tK03\tS01",
        "\t" * 6,
    ]
    assert "註" not in text and "頁" not in text


def _odt_of(blocks: list) -> bytes:
    """An ODT holding these paragraphs and tables (a cell's lines as paragraphs)."""
    body = []
    for block in blocks:
        if isinstance(block, Table):
            rows = "".join(
                "<table:table-row>" + "".join(
                    "<table:table-cell>" + "".join(f"<text:p>{escape(ln)}</text:p>"
                                                   for ln in cell.split("\n"))
                    + "</table:table-cell>" for cell in row) + "</table:table-row>"
                for row in block.rows)
            body.append(f"<table:table>{rows}</table:table>")
        else:
            body.append("".join(f"<text:p>{escape(ln)}</text:p>" for ln in block.split("\n")))
    return _odt("".join(body))


@pytest.mark.parametrize("code", ["MPD2145-001v5", "CCM7114-002"])  # "P&ID"; merges
def test_a_real_docx_and_a_hand_made_odt_of_it_agree(code):
    """Without LibreOffice: a DOCX's blocks, written as an ODT, read back the same."""
    blocks = read_blocks((DOCX_DIR / f"{code}.docx").read_bytes(), "x.docx")
    assert any(isinstance(b, Table) and b.rows[0] == MAIN_HEADER for b in blocks)
    again = read_blocks(_odt_of(blocks), "x.odt")
    assert [b.rows if isinstance(b, Table) else b for b in again] == \
        [b.rows if isinstance(b, Table) else b for b in blocks]


# -- bad input ------------------------------------------------------------------------------


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


BAD = {
    "truncated.docx": lambda: (DOCX_DIR / "BAS1219-001v4.docx").read_bytes()[:5000],
    "notes.docx": lambda: _zip({"readme.txt": "hello"}),
    "book.docx": lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"}),
    "sheet.odt": lambda: _odt("", "application/vnd.oasis.opendocument.spreadsheet"),
    "letter.docx": lambda: _docx(_p("敬啟者：", "這不是職能基準。")),
    "broken.docx": lambda: _docx("<w:p><w:r><w:t>未結束"),
    "nobody.docx": lambda: _zip({"word/document.xml": f'<w:document xmlns:w="{W_NS}"/>'}),
    "empty.odt": lambda: _odt(""),
}
BAD_WORDS = {
    "truncated.docx": "損毀", "notes.docx": "不是 Word", "book.docx": "Excel",
    "sheet.odt": "試算表", "letter.docx": "不是 iCAP 職能基準", "broken.docx": "XML",
    "nobody.docx": "w:body", "empty.odt": "不是 iCAP 職能基準",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_packages_fail_with_one_line_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD[name]())
    with pytest.raises(KmcError) as info:
        import_file(path, lambda msg: None)
    err = info.value
    assert err.path == str(path)
    assert "\n" not in str(err) and BAD_WORDS[name] in err.message
    assert str(err).startswith(f"{path}: ")


def test_a_zip_bomb_is_refused(monkeypatch, tmp_path):
    from kmc_reports.importers import docx as reader
    monkeypatch.setattr(reader, "_MAX_PART", 10_000)
    data = _docx(_p("空" * 20_000))
    with pytest.raises(KmcError, match="過大"):
        read_package(data, "big.docx")


def test_a_docx_with_another_main_part_name_is_read():
    """The main part is found through _rels/.rels, whatever its name."""
    table = "<w:tbl>" + MAIN_HEAD_ROW + "</w:tbl>"
    with zipfile.ZipFile(io.BytesIO(_docx(table))) as src:
        files = {n: src.read(n).decode() for n in src.namelist()}
    files["word/document2.xml"] = files.pop("word/document.xml")
    files["_rels/.rels"] = files["_rels/.rels"].replace("document.xml", "document2.xml")
    text = read_package(_zip(files), "d.docx")
    assert text == "\t".join(MAIN_HEADER) + "\n\n"


def _row(*cells: str) -> str:
    return "<w:tr>" + "".join(cells) + "</w:tr>"


def test_a_merged_level_and_ks_cell_is_shared_by_its_tasks(tmp_path):
    """End to end: a level/K/S cell merged down over two tasks (vMerge) is one block the
    tasks share; the duty cell merged over both rows holds both tasks."""
    restart, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    span2, span3 = '<w:gridSpan w:val="2"/>', '<w:gridSpan w:val="3"/>'
    body = (
        _p("測試專員職能基準")
        + "<w:tbl>" + _row(_tc("職能基準代碼", span2), _tc("TST1234-001v1", span3))
        + _row(_tc("職能基準名稱", restart), _tc("(擇一填寫)", restart), _tc("職類"),
               _tc("", span2))
        + _row(_tc("", cont), _tc("", cont), _tc("職業"), _tc("測試專員", span2))
        + _row(_tc("所屬類別", restart), _tc("職類別"), _tc("資訊科技/資訊支援與服務"),
               _tc("職類別代碼"), _tc("IIS"))
        + _row(_tc("", cont), _tc("職業別"), _tc("測試專員"), _tc("職業別代碼"), _tc("2519"))
        + _row(_tc("", cont), _tc("行業別"), _tc("出版影音及資通訊業/資訊服務業"),
               _tc("行業別代碼"), _tc("J6312"))
        + _row(_tc("工作描述", span2), _tc("測試軟體。", span3))
        + _row(_tc("基準級別", span2), _tc("3", span3)) + "</w:tbl>"
        + "<w:tbl>" + MAIN_HEAD_ROW
        + _row(_tc("T1 規劃測試", restart), _tc("T1.1 分析需求"), _tc("O1.1.1 需求表"),
               _tc("P1.1.1 分析需求。"), _tc("3", restart),
               _tc(paras=["K01 軟體工程", "K02 測試方法"], pr=restart),
               _tc("S01 溝通能力", restart))
        + _row(_tc("", cont), _tc("T1.2 撰寫計畫"), _tc("O1.2.1 測試計畫"),
               _tc("P1.2.1 撰寫計畫。"), _tc("", cont), _tc("", cont), _tc("", cont))
        + "</w:tbl>"
        + "<w:tbl>" + _row(_tc("職能內涵（A=attitude 態度）"))
        + _row(_tc(paras=["A01 細心", "A02 耐心"])) + "</w:tbl>"
        + _p("說明與補充事項", "⚫ 其他補充說明：", "無。")
    )
    path = tmp_path / "TST1234-001v1.docx"
    path.write_bytes(_docx(body))
    warnings: list[str] = []
    std = import_file(path, warnings.append)
    assert (std.code, std.name, std.level, std.description) == \
        ("TST1234-001v1", "測試專員", 3, "測試軟體。")
    assert [(c.name, c.code) for c in std.categories.industries] == \
        [("出版影音及資通訊業/資訊服務業", "J6312")]
    t11, t12 = std.task("T1.1"), std.task("T1.2")
    assert [d.code for d in std.duties] == ["T1"] and std.duties[0].name == "規劃測試"
    assert [(r.code, r.name) for r in t12.knowledge] == [("K01", "軟體工程"), ("K02", "測試方法")]
    assert t11.knowledge == t12.knowledge and t11.skills == t12.skills
    assert t11.bands[0].shared_with == ["T1.2"] and t12.bands[0].level == 3
    assert [p.text for p in t12.indicators] == ["撰寫計畫。"]
    assert [a.name for a in std.attitudes] == ["細心", "耐心"]
    assert std.source == "TST1234-001v1.docx"
