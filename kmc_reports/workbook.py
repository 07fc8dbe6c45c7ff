"""Workbooks as reports build them: sheets of typed columns and rows of cells, with no
format in sight.

A report says *what* a sheet holds — its title, columns (kind and width), header rows, data
rows, merged cells, frozen panes, filter, colour scales, list validations, charts and which
rows and columns a printed page repeats.  `kmc_reports.writers.xlsx.write_workbook` turns
that into an .xlsx file and owns every format quirk: row heights from the text, text that
never becomes a formula, fonts, borders, print scaling and byte-identical output.

Cells are plain values (str, int, float, date, None) or `Cell` when one needs a tint, bold
type or a merge; a `Formula` is the only way a formula reaches a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Align = Literal["left", "center", "right"]
Style = Literal["data", "head", "title", "subtitle", "note", "group", "total", "plain"]


class Formula(str):
    """A formula the report means (e.g. ``=AVERAGE(F3:F9)``); every other string that
    starts with = + - @ is written as text."""


@dataclass
class Cell:
    value: Any = None
    fill: str | None = None          # RGB, e.g. "E2EFDA"
    bold: bool | None = None
    align: Align | None = None       # default: the column's
    span: int = 1                    # merged over this many columns to the right
    number_format: str | None = None


@dataclass
class Column:
    width: float                      # in characters of the default font (CJK count 2)
    align: Align = "left"
    number_format: str | None = None  # e.g. "0.00", "0%"
    hidden: bool = False
    fill: str | None = None           # tint of the data cells (input columns)


@dataclass
class Row:
    cells: list
    style: Style = "data"
    fill: str | None = None           # tint of every cell of the row


@dataclass
class ColorScale:
    ref: str                          # e.g. "B5:F9"
    low: float = 0
    high: float = 1
    low_color: str = "FFFFFF"
    high_color: str = "5B9BD5"
    mid: float | None = None          # a three-colour scale passes through mid_color here
    mid_color: str = "FFEB84"


@dataclass
class Validation:
    column: int                       # 1-based
    first_row: int
    last_row: int
    choices: list[str]
    title: str
    message: str


@dataclass
class BarChart:
    title: str
    x_title: str
    y_title: str
    data_columns: tuple[int, int]     # first and last column of the series (1-based)
    header_row: int                   # the row naming the series
    last_row: int
    category_column: int = 1
    stacked: bool = False
    anchor_row: int | None = None     # default: two rows under the table


@dataclass
class Print:
    landscape: bool = True
    title_rows: tuple[int, int] | None = None   # repeated on every page
    title_columns: tuple[int, int] | None = None
    header: str = ""                  # printed above every page
    min_scale: int = 75               # below this, split into more pages across


@dataclass
class Sheet:
    title: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    freeze: tuple[int, int] | None = None     # first cell not frozen (row, column), 1-based
    filter: tuple[int, int, int] | None = None  # (header row, last column, last row)
    scales: list[ColorScale] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    charts: list[BarChart] = field(default_factory=list)
    print: Print = field(default_factory=Print)
    hidden: bool = False

    def add(self, cells: list, style: Style = "data", fill: str | None = None) -> int:
        """Append a row; returns its 1-based number."""
        self.rows.append(Row(list(cells), style, fill))
        return len(self.rows)

    def head(self, labels: list) -> int:
        return self.add(labels, "head")

    def blank(self) -> int:
        return self.add([], "plain")

    @property
    def last(self) -> int:
        return len(self.rows)


@dataclass
class Workbook:
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    active: int = 0                   # the sheet a person sees on opening the file

    def sheet(self, title: str, columns: list[Column] | None = None) -> Sheet:
        s = Sheet(title, list(columns or []))
        self.sheets.append(s)
        return s
