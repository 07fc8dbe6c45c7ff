"""The PDF reader: the tab-separated text it makes of the 14 real standards (LibreOffice
prints, A4 landscape) holds what the DOCX of the same standard holds, cell for cell, with rows
cut by a page break joined again and the page furniture and repeated header rows gone; a PDF
drawn by hand in another page size and column widths reads the same way; a scanned, corrupt or
encrypted PDF fails with one line naming the file.

Each real PDF is read once per session (fixture ``pdf_read``).
"""

from __future__ import annotations

import io
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.importers import pdf as pdf_reader
from kmc_reports.importers.layout import Table, as_text
from real_gold import REAL, compare, fields, load_gold, main_table_rows, sq

PDF_DIR = REAL / "pdf"
CODES = sorted(p.stem for p in PDF_DIR.glob("*.pdf"))
needs_real = pytest.mark.skipif(not CODES, reason="../shared/real/pdf is not there")

# Gold fields right (of REAL/gold's fields) when this reader was written, per file: all of
# them.  Raise these when the gold grows, never lower them.
BASELINE = {
    "AVA2173-005v3": 69,   # of 69
    "BAS1219-001v4": 66,   # of 66
    "BGM1219-001v4": 94,   # of 94
    "BHR2422-006v4": 57,   # of 57
    "CAP2421-001": 57,     # of 57
    "CAP2522-001": 56,     # of 56
    "CCM7114-002": 194,    # of 194
    "IDC2172-002v3": 71,   # of 71
    "KPS3334-004v4": 206,  # of 206
    "LLS2619-005": 36,     # of 36
    "MPD2145-001v5": 39,   # of 39
    "MPD3114-002v2": 61,   # of 61
    "NEP3295-002v3": 61,   # of 61
    "SET2529-001v2": 66,   # of 66
}

MAIN_HEADER = ["主要職責", "工作任務", "工作產出", "行為指標", "職能級別",
               "職能內涵（K=knowledge 知識）", "職能內涵（S=skills 技能）"]


@pytest.fixture(scope="session")
def pdf_read():
    """code -> {"text": the reader's text, "import": (Standard or None, warnings, error)}:
    each PDF goes through import_file once, its text kept on the way."""
    texts: dict[str, str] = {}
    real = pdf_reader.read_pdf

    def recording(data: bytes, path: str, marks=None) -> str:
        texts[path] = real(data, path, marks)
        return texts[path]

    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_reader, "read_pdf", recording)
        for code in CODES:
            path = PDF_DIR / f"{code}.pdf"
            warnings: list[str] = []
            try:
                result = (import_file(path, warnings.append), warnings, None)
            except Exception as exc:  # noqa: BLE001 - the shared reader's errors are reported
                result = (None, warnings, exc)
            out[code] = {"text": texts.get(str(path)), "import": result}
    return out


def _main_rows(text: str) -> list[list[str]]:
    header, rows = main_table_rows(text)
    assert [re.sub(r"<br>|\s", "", c) for c in header] == [re.sub(r"\s", "", h) for h in MAIN_HEADER]
    return rows


def _flat(cell: str) -> str:
    return sq(cell.replace("<br>", ""))


# -- the real PDFs ----------------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_pdf_gold_score(pdf_read, code):
    std, warnings, error = pdf_read[code]["import"]
    gold = load_gold(REAL / "gold" / f"{code}.json")
    if std is None:
        total = len(fields(gold)) + len(gold.get("indicator_texts") or {})
        print(f"{code}: 0/{total} (import failed: {error})")
        right = 0
    else:
        right, total, wrong = compare(std, gold)
        print(f"{code}: {right}/{total} wrong: {wrong}")
    assert right >= BASELINE[code]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(path: Path) -> str:
    """What the DOCX of a standard says, as layout text: its body's paragraphs and tables, a
    cell a vertical merge continues "", a cell spanning columns followed by "" cells."""
    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))

    def text(el) -> str:
        return "".join(t.text or "" if t.tag == W + "t" else "\n" if t.tag == W + "br" else ""
                       for t in el.iter())

    blocks: list = []
    for el in root.find(W + "body"):
        if el.tag == W + "p":
            blocks.append(text(el))
        elif el.tag == W + "tbl":
            rows = []
            for tr in el.findall(W + "tr"):
                row = []
                for tc in tr.findall(W + "tc"):
                    pr = tc.find(W + "tcPr")
                    merge = pr.find(W + "vMerge") if pr is not None else None
                    span = pr.find(W + "gridSpan") if pr is not None else None
                    cont = merge is not None and merge.get(W + "val", "continue") == "continue"
                    row.append("" if cont else "\n".join(text(p) for p in tc.findall(W + "p")))
                    row += [""] * (int(span.get(W + "val")) - 1 if span is not None else 0)
                rows.append(row)
            blocks.append(Table(rows))
    return as_text(blocks)


def _lines_without_spaces(text: str) -> list[str]:
    return [re.sub(r"<br>|[ \u3000]", "", ln) for ln in text.split("\n") if ln.strip()]


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_pdf_text_is_what_the_docx_cells_hold(pdf_read, code):
    """Line for line, cell for cell, the PDF's text is the DOCX's (spaces and line breaks
    inside a cell aside: the PDF wraps lines where the DOCX has none)."""
    docx = REAL / "docx" / f"{code}.docx"
    if not docx.exists():
        pytest.skip("no DOCX of this standard")
    assert _lines_without_spaces(pdf_read[code]["text"]) == \
        _lines_without_spaces(_docx_text(docx))


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_pdf_text_has_no_page_furniture_and_one_header_row(pdf_read, code):
    text = pdf_read[code]["text"]
    lines = text.split("\n")
    assert not any(re.search(r"第\s*\d+\s*頁", ln) for ln in lines)
    assert sum(1 for ln in lines if ln.startswith("主要職責\t")) == 1
    assert sum(1 for ln in lines if "attitude" in ln) == 1
    name = load_gold(REAL / "gold" / f"{code}.json")["name"]
    assert sq(lines[0]) == sq(f"{name}職能基準")
    rows = _main_rows(text)
    assert rows and all(len(r) == 7 for r in rows)


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_no_header_words_or_page_marks_in_imported_fields(pdf_read, code):
    std = pdf_read[code]["import"][0]
    if std is None:
        pytest.skip("the shared reader did not read this one")
    values = _strings(std.model_dump())
    for value in values:
        assert not re.search(r"職能內涵\s*[（(]\s*[KSA]\s*=|=\s*(?:knowledge|skills)|"
                             r"第\s*\d+\s*頁|總共\s*\d+\s*頁", value), value
        assert value.strip() not in {"主要職責", "工作任務", "工作產出", "行為指標", "職能級別"}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


@needs_real
def test_a_row_cut_by_a_page_break_is_one_row_again(pdf_read):
    """NEP3295-002v3: the second row of the main table (T1.3–T1.6) runs from page 1 onto page
    2, where its task cell goes on with 「ISO17025實驗室管理系統…」 and its output cell with
    「規範之運作及督導」 and O1.5–O1.6; BHR2422-006v4: T2.1's row goes on with cells that start
    with a code (P2.1.2, S06)."""
    pages = pdf_reader._load((PDF_DIR / "NEP3295-002v3.pdf").read_bytes(), "x")
    page2 = pdf_reader._page_items(pages[1], 1)
    cut = next(it for it in page2 if isinstance(it, pdf_reader._Grid)).rows[1]
    assert cut[1].startswith("ISO17025") and cut[2].startswith("規範之運作及督導")
    assert cut[4] == ""  # the level was printed on page 1

    rows = _main_rows(pdf_read["NEP3295-002v3"]["text"])
    assert len(rows) == 2
    second = [_flat(c) for c in rows[1]]
    assert second[0] == ""
    assert second[1] == ("T1.3檢測報告核可簽署T1.4實驗室相關設施運作之監督及檢測環境條件之確認"
                         "T1.5檢測人員能力及訓練規劃T1.6ISO17025實驗室管理系統及環境檢驗相關法規")
    assert "O1.4檢驗室設施及運作規範之運作及督導O1.5" in second[2]
    assert second[2].endswith("O1.6相關品質文件之審核")
    assert second[3].endswith("P1.6相關品質文件之核章。")
    assert second[4] == "3"
    assert second[5].endswith("K06ISO/IEC17025環境污染管制法規之通盤了解")
    assert second[6].endswith("S06落實ISO/IEC17025及環境檢驗法規")
    # the cell breaks where the page did: a line of its own
    assert "O1.4 檢驗室設施及運作<br>規範之運作及督導" in rows[1][2]

    rows = _main_rows(pdf_read["BHR2422-006v4"]["text"])
    row = next(r for r in rows if r[1].startswith("T2.1 "))
    assert re.findall(r"P2\.1\.\d", row[3]) == ["P2.1.1", "P2.1.2", "P2.1.3"]
    assert re.findall(r"S\d\d", row[6]) == ["S02", "S03", "S05", "S06", "S07"]
    assert not any(r[3].startswith("P2.1.2") for r in rows)


@needs_real
def test_merged_cells_of_a_real_pdf(pdf_read):
    """CCM7114-002 T3.2: one task cell over two rows, each row with its own level; the
    profile's 職能基準代碼 spans two columns, its value three."""
    text = pdf_read["CCM7114-002"]["text"]
    rows = _main_rows(text)
    i = next(i for i, r in enumerate(rows) if r[1].startswith("T3.2 "))
    first, second = rows[i], rows[i + 1]
    assert first[0] == second[0] == second[1] == ""
    assert first[3].startswith("P3.2.1 ") and second[3].startswith("P3.2.2 ")
    assert first[4] == second[4] == "3"
    assert "職能基準代碼\t\tCCM7114-002\t\t" in text.split("\n")


# -- a PDF drawn by hand: Letter portrait, other columns, three pages ------------------------

SIZE, PITCH, PAD = 9, 12, 3
LETTER = (612.0, 792.0)


def _font() -> str:
    from kmc_reports import fonts
    return fonts.register_reportlab(fonts.default_fonts())[0]


def _table(c, font, left, top, widths, rows, merged_down=(), spans=(), open_below=(),
           shade=()) -> float:
    """Draw a ruled table whose cells are lists of lines, top at `top` (from the page top);
    no rule under the cells in `merged_down`, none right of those in `spans`, none under the
    last row in the columns `open_below` (a cell going on over a page break, as reportlab
    leaves it); the cells in `shade` get a background (a filled rectangle, no rule).  Each row
    is as tall as its tallest cell, as a word processor lays it out.  Returns its bottom."""
    h = LETTER[1]
    xs = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [top]
    for row in rows:
        ys.append(ys[-1] + max(len(cell) for cell in row) * PITCH + 2 * PAD)
    c.setFillGray(0.95)
    for r, k in shade:
        c.rect(xs[k], h - ys[r + 1], widths[k], ys[r + 1] - ys[r], stroke=0, fill=1)
    c.setFillGray(0)
    c.setLineWidth(0.5)
    c.line(xs[0], h - ys[0], xs[-1], h - ys[0])
    for k in range(len(widths)):
        if k not in open_below:
            c.line(xs[k], h - ys[-1], xs[k + 1], h - ys[-1])
    for r in range(1, len(rows)):
        for k in range(len(widths)):
            if (r - 1, k) not in merged_down:
                c.line(xs[k], h - ys[r], xs[k + 1], h - ys[r])
    for r in range(len(rows)):
        for k, x in enumerate(xs):
            if not (0 < k < len(widths) and (r, k - 1) in spans):
                c.line(x, h - ys[r], x, h - ys[r + 1])
    c.setFont(font, SIZE)
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            for n, line in enumerate(cell):
                c.drawString(xs[k] + PAD, h - (ys[r] + PAD + n * PITCH + SIZE), line)
    return ys[-1]


def _line(c, font, left, top, text) -> float:
    c.setFont(font, SIZE)
    c.drawString(left, LETTER[1] - top - SIZE, text)
    return top + PITCH


WIDTHS = [50, 70, 70, 110, 30, 100, 100]  # from x = 40 to 570
HEAD = [["主要職責"], ["工作任務"], ["工作產出"], ["行為指標"], ["職能", "級別"],
        ["職能內涵（K=", "knowledge 知識）"], ["職能內涵（S=", "skills 技能）"]]


def _hand_made_pdf() -> bytes:
    """A standard over three pages: a page header and a running footer on each page, a title
    in made-up bold, the header row repeated, a row cut by the first page break (its
    indicator and knowledge cells go on, each with a new item), a duty cell merged over two
    rows and the break, a row that starts the third page, a wrapped paragraph."""
    from reportlab.pdfgen import canvas

    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, invariant=1)

    def furniture(n: int) -> None:
        _line(c, font, 40, 30, f"第 {n} 頁，總共 3 頁")
        _line(c, font, 250, 750, "TST1234-001v2 測試人員")

    furniture(1)
    _line(c, font, 40.3, 50, "測試人員職能基準")  # printed twice: a made-up bold
    y = _line(c, font, 40, 50, "測試人員職能基準")
    y = _table(c, font, 40, y + 6, [120, 200, 210], [
        [["職能基準代碼"], ["TST1234-001v2"], [""]],
        [["職能基準名稱"], ["職業"], ["測試人員"]],
        [["所屬類別"], ["職類別 製造/品質管理"], ["職類別代碼 MPD"]],
        [["工作描述"], ["依標準程序執行產品測試並記錄結果。"], [""]],
        [["基準級別"], ["3"], [""]],
    ], spans={(0, 1), (3, 1), (4, 1)})
    _table(c, font, 40, y + 10, WIDTHS, [
        HEAD,
        [["T1 執行測", "試"], ["T1.1 準備測試"], ["O1.1.1 測試計", "畫"],
         ["P1.1.1 依測試需求", "準備儀器與樣品。"], ["3"], ["K01 測試原理"], ["S01 儀器操作能", "力"]],
        [[""], ["T1.2 執行測試"], ["O1.2.1 測試紀", "錄"],
         ["P1.2.1 依標準程序", "執行測試,並記錄", "測試結果與異常狀", "況,通報主管。"],
         ["3"], ["K02 量測不確定", "度", "K03 統計製程管", "制"], ["S02 記錄能力"]],
    ], merged_down={(1, 0)})
    c.showPage()
    furniture(2)
    _table(c, font, 40, 50, WIDTHS, [
        HEAD,
        [[""], [""], [""], ["P1.2.2 將測試結果", "歸檔。"], [""], ["K04 測試標準"], [""]],
        [["T2 維護設", "備"], ["T2.1 保養儀器"], ["O2.1.1 保養紀", "錄"],
         ["P2.1.1 依保養計畫", "清潔與校正儀器。"], ["3"], ["K05 儀器保養", "K06 校正原理"],
         ["S03 保養能力", "S04 校正能力"]],
    ])
    c.showPage()
    furniture(3)
    y = _table(c, font, 40, 50, WIDTHS, [
        HEAD,
        [[""], ["T2.2 排除故障"], ["O2.2.1 維修紀", "錄"], ["P2.2.1 判斷故障原", "因並排除。"],
         ["4"], ["K07 故障診斷"], ["S05 維修能力"]],
    ])
    y = _table(c, font, 40, y + 10, [530], [
        [["職能內涵（A=attitude 態度）"]], [["A01 謹慎細心"]], [["A02 主動積極"]]])
    y = _line(c, font, 40, y + 10, "說明與補充事項")
    y = _line(c, font, 40, y, "● 建議擔任此職類/職業之學歷/經驗/或能力條件：")
    long = "　具備品質管理相關科系畢業或同等學力，並有一年以上產品測試工作經驗者，"
    while c.stringWidth(long + "尤", font, SIZE) <= 530:
        long += "尤"  # up to the right edge of the text (x = 570)
    y = _line(c, font, 40, y, long)
    y = _line(c, font, 40, y, "佳。")
    _line(c, font, 40, y, "　熟悉 ISO 9001 品質管理系統。")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "TST1234-001v2.pdf"
    path.write_bytes(_hand_made_pdf())
    return path


def test_hand_made_pdf_reads_as_laid_out(hand_made):
    text = pdf_reader.read_pdf(hand_made.read_bytes(), str(hand_made))
    lines = text.split("\n")
    assert "頁" not in text and "TST1234-001v2 測試人員" not in text  # page header, footer
    assert lines[:6] == [
        "測試人員職能基準",
        "職能基準代碼\tTST1234-001v2\t",  # a cell over two columns
        "職能基準名稱\t職業\t測試人員",
        "所屬類別\t職類別 製造/品質管理\t職類別代碼 MPD",
        "工作描述\t依標準程序執行產品測試並記錄結果。\t",
        "基準級別\t3\t",
    ]
    # A line the next one's first character would not have fitted on goes on in it (T1, O1.1.1
    # fill their cells); the other lines of these cells leave room for it: line breaks.
    assert _main_rows(text) == [
        ["T1 執行測試", "T1.1 準備測試", "O1.1.1 測試計畫",
         "P1.1.1 依測試需求<br>準備儀器與樣品。", "3", "K01 測試原理", "S01 儀器操作能<br>力"],
        # cut by the page break and joined again: the cells going on start with a code
        ["", "T1.2 執行測試", "O1.2.1 測試紀錄",
         "P1.2.1 依標準程序<br>執行測試,並記錄<br>測試結果與異常狀<br>況,通報主管。"
         "<br>P1.2.2 將測試結果<br>歸檔。", "3",
         "K02 量測不確定<br>度<br>K03 統計製程管<br>制<br>K04 測試標準", "S02 記錄能力"],
        ["T2 維護設備", "T2.1 保養儀器", "O2.1.1 保養紀錄",
         "P2.1.1 依保養計畫<br>清潔與校正儀器。", "3", "K05 儀器保養<br>K06 校正原理",
         "S03 保養能力<br>S04 校正能力"],
        # a new row on the third page, though the row before filled the second to its end
        ["", "T2.2 排除故障", "O2.2.1 維修紀錄", "P2.2.1 判斷故障原<br>因並排除。", "4",
         "K07 故障診斷", "S05 維修能力"],
    ]
    end = lines[lines.index("職能內涵（A=attitude 態度）"):]
    assert end[:8] == [
        "職能內涵（A=attitude 態度）", "A01 謹慎細心", "A02 主動積極", "",
        "說明與補充事項", "● 建議擔任此職類/職業之學歷/經驗/或能力條件：",
        end[6], "熟悉 ISO 9001 品質管理系統。",
    ]
    assert end[6].startswith("具備品質管理") and end[6].endswith("尤佳。")  # one paragraph


def test_hand_made_pdf_imports(hand_made):
    warnings: list[str] = []
    std = import_file(hand_made, warnings.append)
    assert (std.code, std.name, std.level, std.source) == \
        ("TST1234-001v2", "測試人員", 3, "TST1234-001v2.pdf")
    tasks = {t.code: t for _, t in std.tasks()}
    assert [d.code for d in std.duties] == ["T1", "T2"]
    assert list(tasks) == ["T1.1", "T1.2", "T2.1", "T2.2"]
    band = tasks["T1.2"].bands[0]
    assert [p.code for p in band.indicators] == ["P1.2.1", "P1.2.2"]
    assert sq(band.indicators[0].text) == "依標準程序執行測試,並記錄測試結果與異常狀況,通報主管。"
    assert [k.code for k in band.knowledge] == ["K02", "K03", "K04"]
    assert [(t.code, t.bands[0].level) for t in tasks.values()] == \
        [("T1.1", 3), ("T1.2", 3), ("T2.1", 3), ("T2.2", 4)]
    assert [a.code for a in std.attitudes] == ["A01", "A02"]


def _part(rows: list[list[str]], room: list[float | None]) -> "pdf_reader._Grid":
    xs = [40.0 + 100 * i for i in range(len(rows[0]) + 1)]
    return pdf_reader._Grid(xs, 50.0, 500.0, rows, room, 12.0)


def test_table_parts_on_following_pages():
    """The parts of one table on following pages, as the reader finds them on each page."""
    head = MAIN_HEADER
    row = ["T1 甲", "T1.1 乙", "", "P1.1.1 丙。", "3", "K01 丁", "S01 戊"]
    # the header row alone at the foot of a page, repeated on the next
    pages = [[_part([head], [3.0] * 7)], [_part([head, row], [3.0] * 7)]]
    [table] = pdf_reader._blocks(pages)
    assert table.rows == [head, row]
    # attitudes going on over a page: a new row that starts with its code; a cut one
    att = ["職能內涵（A=attitude 態度）"]
    pages = [[_part([att, ["A01 細心"], ["A02 主動：對於任務"]], [3.0])],
             [_part([["的執行過程。"], ["A03 負責"]], [3.0])],
             [_part([["A04 誠信"]], [3.0])]]
    [table] = pdf_reader._blocks(pages)
    assert table.rows == [att, ["A01 細心"], ["A02 主動：對於任務\n的執行過程。"], ["A03 負責"],
                          ["A04 誠信"]]


# -- PDFs as reportlab draws them: merged cells over page breaks, wrapped codes ---------------


def _merged_over_breaks_pdf() -> bytes:
    """Three pages as reportlab splits a table with cells merged down ("visual merge": the
    merged cell's paragraphs flow over the rows it spans, no rule between them): page 1 ends
    with no rule under the duty, the task T1.2 (its second row is on page 2) and the
    level/K/S cell merged over T1.1–T1.2, which goes on on page 2 beside T1.2's second row;
    T2.1's row is cut inside (page 2 ends without any rule under it); the duty and S cells
    are shaded to the page's end.  A page header and footer on every page."""
    from reportlab.pdfgen import canvas

    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, invariant=1)

    def furniture(n: int) -> None:
        _line(c, font, 400, 30, "TST1234-001v2　測試人員職能基準")
        _line(c, font, 260, 750, f"第 {n} 頁，共 3 頁")

    furniture(1)
    _table(c, font, 40, 50, WIDTHS, [
        HEAD,
        [["T1 執行測試"], ["T1.1 準備測試"], ["O1.1.1 測試計畫"], ["P1.1.1 準備儀器"], ["3"],
         ["K01 測試原理"], ["S01 儀器操作"]],
        [[""], ["T1.2 執行測試"], ["O1.2.1 測試紀錄"], ["P1.2.1 執行測試"], [""],
         ["K02 量測概論"], ["S02 記錄能力"]],
    ], merged_down={(1, 0), (1, 4), (1, 5), (1, 6)}, open_below={0, 1, 4, 5, 6},
        shade={(1, 0), (2, 0), (1, 6), (2, 6)})
    c.showPage()
    furniture(2)
    _table(c, font, 40, 50, WIDTHS, [
        HEAD,
        [[""], [""], ["O1.2.2 異常報告"], ["P1.2.2 歸檔結果"], [""], ["K03 統計製程"],
         ["S03 異常通報"]],
        [["T2 維護設備"], ["T2.1 保養儀器"], ["O2.1.1 保養紀錄"], ["P2.1.1 清潔儀器"], ["4"],
         ["K04 儀器保養"], ["S04 保養能力"]],
    ], open_below=set(range(7)), shade={(1, 0), (1, 6)})
    c.showPage()
    furniture(3)
    _table(c, font, 40, 50, WIDTHS, [
        HEAD, [[""], [""], [""], ["P2.1.2 校正儀器"], [""], ["K05 校正原理"], [""]]])
    c.showPage()
    c.save()
    return buf.getvalue()


def test_cells_merged_over_page_breaks_as_reportlab_draws_them():
    """A column the page break left without a rule goes on in its first cell on the next
    page, whatever the other columns do: a row of its own there (T1.2's second row) keeps its
    cells, the merged K/S cell gets its continuation; a place no cell box covers (T1.2's task
    cell, open at the foot of page 1) is a cell; a row cut inside goes on (T2.1), though no
    rule closes page 2; shading is no rule."""
    text = pdf_reader.read_pdf(_merged_over_breaks_pdf(), "x.pdf")
    assert "頁" not in text and text.count("TST1234") == 1  # the running title, once
    assert _main_rows(text) == [
        ["T1 執行測試", "T1.1 準備測試", "O1.1.1 測試計畫", "P1.1.1 準備儀器", "3",
         "K01 測試原理<br>K02 量測概論<br>K03 統計製程", "S01 儀器操作<br>S02 記錄能力<br>S03 異常通報"],
        ["", "T1.2 執行測試", "O1.2.1 測試紀錄", "P1.2.1 執行測試", "", "", ""],
        ["", "", "O1.2.2 異常報告", "P1.2.2 歸檔結果", "", "", ""],
        ["T2 維護設備", "T2.1 保養儀器", "O2.1.1 保養紀錄", "P2.1.1 清潔儀器<br>P2.1.2 校正儀器",
         "4", "K04 儀器保養<br>K05 校正原理", "S04 保養能力"],
    ]


def _wrapped_code_pdf() -> bytes:
    """A version table whose code column is as narrow as reportlab's: 「BHR2422-006v」 fills
    its line and 「4」 goes to the next; a Latin phrase broken at a space where the line had
    room for a letter more; a second paragraph that would have fitted on the line before."""
    from reportlab.pdfgen import canvas

    font = _font()
    width = lambda s: c.stringWidth(s, font, SIZE)  # noqa: E731
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, invariant=1)
    code = width("BHR2422-006v") + 2 * PAD + 0.5 * width("4")
    note = width("熟悉 Microsoft") + 2 * PAD + 1.5 * width("O")
    _table(c, font, 40, 50, [code, 90, note], [
        [["版本"], ["職能基準代碼"], ["更新說明"]],
        [["BHR2422-006v", "4"], ["BHR2422-006v4"], ["熟悉 Microsoft", "Office 軟體", "第二段"]],
        [["V3"], ["BHR2422-006v3"], ["略"]],
    ])
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_code_wrapped_in_its_cell_is_one_code():
    text = pdf_reader.read_pdf(_wrapped_code_pdf(), "x.pdf")
    assert text.split("\n")[:3] == [
        "版本\t職能基準代碼\t更新說明",
        "BHR2422-006v4\tBHR2422-006v4\t熟悉 Microsoft Office 軟體<br>第二段",
        "V3\tBHR2422-006v3\t略",
    ]


def test_our_pdf_writer_reads_back_cell_for_cell():
    """Our own writer (reportlab): codes in a column too narrow for them, Latin words
    wrapped, two paragraphs in a cell; a cell merged down over 40 rows whose paragraphs flow
    beside them over page breaks, the header row repeated on each page, a page header and
    footer: every row read once, every item of the merged cell once, whole and in order."""
    from kmc_reports import fonts
    from kmc_reports.templating import parse
    from kmc_reports.writers.pdf import write_pdf

    items = [f"K{n:02d} 知識項目第{n}項" for n in range(1, 81)]
    tasks = [(f"T1.{n} 工作任務{n}", f"P1.{n}.1 依據程序完成工作任務{n}。") for n in range(1, 41)]
    merged = "".join(f"<p>{k}</p>" for k in items)
    rows = "".join(f"<tr><td>{t}</td><td>{p}</td>"
                   + (f'<td rowspan="{len(tasks)}">{merged}</td>' if n == 0 else "") + "</tr>"
                   for n, (t, p) in enumerate(tasks))
    markup = f"""<document header="TST1234-001v2　測試人員職能基準"><section>
      <table widths="0.8,2,2.4,1.3" header-rows="1" size="small">
        <tr><th>版本</th><th>職能基準代碼</th><th>更新說明</th><th>日期</th></tr>
        <tr><td align="center">BHR2422-006v4</td><td>BHR2422-006v4</td>
          <td><p>熟悉 Microsoft Office Word Excel PowerPoint 等軟體</p><p>已被取代</p></td>
          <td>2024/12/31</td></tr>
      </table>
      <table widths="2,4,3" header-rows="1" size="small">
        <tr><th>工作任務</th><th>行為指標</th><th>職能內涵（K＝知識）</th></tr>{rows}
      </table></section></document>"""
    data = write_pdf(parse(markup, "test"), fonts.default_fonts())
    assert len(pdf_reader._load(data, "x.pdf")) >= 2
    lines = pdf_reader.read_pdf(data, "x.pdf").split("\n")
    assert lines[0] == "TST1234-001v2　測試人員職能基準" and not any("頁" in ln for ln in lines)
    version = lines[lines.index("版本\t職能基準代碼\t更新說明\t日期") + 1].split("\t")
    assert version[:2] == ["BHR2422-006v4", "BHR2422-006v4"]  # wrapped in its cell
    assert re.sub(r"\s", "", version[2]) == \
        "熟悉MicrosoftOfficeWordExcelPowerPoint等軟體<br>已被取代"
    start = lines.index("工作任務\t行為指標\t職能內涵（K＝知識）")
    body = [ln.split("\t") for ln in lines[start + 1:lines.index("", start)]]
    assert [(t, p) for t, p, _ in body] == tasks
    assert [k for _, _, cell in body for k in cell.split("<br>") if k] == items


def test_text_without_ruling_lines_is_paragraphs():
    from reportlab.pdfgen import canvas

    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, invariant=1)
    _line(c, font, 40, 40, "職能基準代碼 TST1234-001v2")
    _line(c, font, 40, 52, "主要職責 工作任務 工作產出")
    c.showPage()
    c.save()
    assert pdf_reader.read_pdf(buf.getvalue(), "x.pdf") == \
        "職能基準代碼 TST1234-001v2\n主要職責 工作任務 工作產出\n"


# -- PDFs that cannot be read ---------------------------------------------------------------


def _scanned_pdf(stamp: str | None = None) -> bytes:
    """A page that is only a picture of a table (what a scanner makes), perhaps with a
    page number stamped on it as text."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (850, 600), 255)
    draw = ImageDraw.Draw(image)
    for y in range(40, 560, 40):
        draw.line((40, y, 810, y), fill=0, width=2)
        for x in range(60, 800, 14):
            draw.rectangle((x, y + 12, x + 9, y + 24), fill=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(842, 595), invariant=1)
    c.drawImage(ImageReader(image), 0, 0, 842, 595)
    if stamp:
        c.setFont("Helvetica", 9)
        c.drawString(40, 570, stamp)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("stamp", [None, "1 / 1"])
def test_scanned_pdf_says_it_has_no_text_layer(tmp_path, stamp):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_scanned_pdf(stamp))
    with pytest.raises(KmcError) as err:
        import_file(path, lambda _: None)
    message = str(err.value)
    assert "沒有文字層（可能是掃描檔）" in message
    assert message.startswith(f"{path}: ") and "\n" not in message


def _encrypted(data: bytes) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_corrupt_truncated_and_encrypted_pdfs_fail_in_one_line(tmp_path, hand_made):
    good = hand_made.read_bytes()
    cases = {
        "garbage.pdf": (b"%PDF-1.7\n\x00\x01 not a pdf at all", "檔案損毀"),
        "cut.pdf": (good[: len(good) // 3], "檔案損毀"),
        "header.pdf": (b"%PDF", "檔案損毀"),
        "locked.pdf": (_encrypted(good), "已加密"),
    }
    for name, (data, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(KmcError) as err:
            import_file(path, lambda _: None)
        message = str(err.value)
        assert words in message and message.startswith(f"{path}: ") and "\n" not in message, \
            (name, message)
