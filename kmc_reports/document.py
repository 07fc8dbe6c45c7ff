"""The document model every report is built as, and every writer reads.

Like pandoc's AST it knows nothing of any output format: headings, paragraphs of runs, lists,
key–value blocks, tables with spans and repeated header rows, images, page breaks and
portrait/landscape sections.  Templates produce it (see :mod:`.templating`); writers turn it
into DOCX, PDF and HTML.  Span geometry lives here once (:func:`grid`) so no writer
re-derives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    checkbox: bool = False  # a box to tick: text is 「□」; Word gets a clickable check box


@dataclass
class Paragraph:
    runs: list[Run]
    align: str = "left"  # left | center | right | justify
    style: str = "body"  # body | title | subtitle | small | note

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Heading:
    level: int
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class ListItem:
    runs: list[Run]
    children: list["ListBlock"] = field(default_factory=list)


@dataclass
class ListBlock:
    items: list[ListItem]
    ordered: bool = False


@dataclass
class KeyValue:
    """Label–value pairs printed as a two-column block (a form's header)."""

    rows: list[tuple[list[Run], list[Run]]]
    key_width: float = 0.25  # share of the line the labels take
    id: str = ""  # lets checks find the block again

    def as_table(self) -> "Table":
        """Writers print it as a borderless-looking two-column table."""
        return Table([self.key_width, 1 - self.key_width],
                     [[Cell([Paragraph(k)], shade="EEF2F6", valign="middle"),
                       Cell([Paragraph(v)])] for k, v in self.rows], id=self.id)


@dataclass
class Cell:
    blocks: list["Block"]
    rowspan: int = 1
    colspan: int = 1
    align: str = "left"
    valign: str = "top"  # top | middle
    shade: str | None = None  # RRGGBB
    header: bool = False

    @property
    def text(self) -> str:
        return "\n".join(plain(b) for b in self.blocks)


@dataclass
class Table:
    """Rows list only the cells that start in them (HTML semantics); spans cover the rest."""

    widths: list[float]  # relative column widths
    rows: list[list[Cell]]
    header_rows: int = 0  # repeated at the top of every page
    size: str = "normal"  # normal | small
    id: str = ""  # lets checks find the table again (e.g. the course report's 表2)


@dataclass
class Image:
    """A PNG or JPEG.  ``data`` holds the bytes checked when the document was made (see
    :mod:`.images`); writers use them and never read ``path`` again."""

    path: str
    width_mm: float
    align: str = "left"
    data: bytes = field(default=b"", repr=False)
    format: str = ""  # PNG | JPEG


@dataclass
class Chart:
    """A bar chart: one group of bars per category, one bar per series (stacked or not)."""

    categories: list[str]
    series: list[tuple[str, list[float]]]
    title: str = ""
    width_mm: float = 160
    height_mm: float = 70
    stacked: bool = False
    value_title: str = ""     # the value axis: what it counts and its unit, e.g. 時數（小時）
    category_title: str = ""  # the category axis, e.g. 單元


@dataclass
class PageBreak:
    pass


@dataclass
class Spacer:
    height_mm: float


Block = Union[Heading, Paragraph, ListBlock, KeyValue, Table, Image, Chart, PageBreak, Spacer]


@dataclass
class Section:
    blocks: list[Block]
    orientation: str = "portrait"  # portrait | landscape


@dataclass
class Document:
    sections: list[Section]
    title: str = ""
    subject: str = ""
    author: str = ""
    keywords: str = ""
    header: str = ""  # page header text
    footer: str = "第 {page} 頁，共 {pages} 頁"


# -- helpers shared by the writers ----------------------------------------------------------


@dataclass
class Slot:
    """One grid position of a table: the cell covering it and where it sits in the span."""

    cell: Cell
    origin: bool  # the top-left position of the cell
    first_col: bool  # the cell's leftmost column (vertical merges are marked there)
    row_in_span: int
    last_row: bool  # the bottom row of the cell's span


def grid(table: Table) -> list[list[Slot]]:
    """Expand the rows into a full grid of slots, resolving row and column spans."""
    ncols = len(table.widths)
    out: list[list[Slot | None]] = [[None] * ncols for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < ncols and out[r][c] is not None:
                c += 1
            if c + cell.colspan > ncols:
                raise ValueError(f"第 {r + 1} 列的儲存格多於表格的 {ncols} 欄")
            span = min(cell.rowspan, len(table.rows) - r)
            for dr in range(span):
                for dc in range(cell.colspan):
                    out[r + dr][c + dc] = Slot(cell, dr == 0 and dc == 0, dc == 0, dr,
                                               dr == span - 1)
            c += cell.colspan
    for r, row in enumerate(out):
        for c, slot in enumerate(row):
            if slot is None:  # a short row: fill with empty cells
                row[c] = Slot(Cell([]), True, True, 0, True)
    return out  # type: ignore[return-value]


def plain(block) -> str:
    """The text of a block, for tests, search and glyph checks."""
    if isinstance(block, (Paragraph, Heading)):
        return block.text
    if isinstance(block, ListBlock):
        return "\n".join("".join(r.text for r in i.runs) + "\n" + "\n".join(
            plain(c) for c in i.children) for i in block.items)
    if isinstance(block, KeyValue):
        return "\n".join("".join(r.text for r in k) + " " + "".join(r.text for r in v)
                         for k, v in block.rows)
    if isinstance(block, Table):
        return "\n".join(c.text for row in block.rows for c in row)
    if isinstance(block, Chart):
        return "\n".join([block.title, *block.categories, *(name for name, _ in block.series)])
    return ""


def document_text(doc: Document) -> str:
    parts = [doc.title, doc.header, doc.footer]
    for section in doc.sections:
        parts += [plain(b) for b in section.blocks]
    return "\n".join(parts)


def find_table(doc: Document, table_id: str) -> Table | None:
    """The table (or key–value block, as a table) a template marked with this id."""
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Table) and block.id == table_id:
                return block
            if isinstance(block, KeyValue) and block.id == table_id:
                return block.as_table()
    return None


def em_width(text: str) -> float:
    """Printed width in ems, for the estimates of column widths and row heights: CJK and
    full-width characters 1, others about half."""
    return sum(1 if ord(ch) > 0x2E7F else 0.55 for ch in text)


# The mark of a merged cell printed again after a page break cut it (a label or a shared
# level/K/S): writers add it, our readers drop such cells when they read our documents back.
CONTINUED = "（續）"
