"""The form every laid-out source (DOCX, ODT, PDF) is reduced to before it is read.

A laid-out standard is a sequence of paragraphs and tables.  Its readers only find those;
the iCAP structure (profile, version table, main table, attitudes, notes) is then read by one
reader, :func:`.icap_text.read_icap_text`, from the tab-separated form a copy of the iCAP web
page has: one line per table row, cells separated by tabs, line breaks inside a cell as
``<br>``.  A merged cell's text stands in its first row; the rows it covers hold "".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = "str | Table"


def _cell(text: str) -> str:
    lines = [re.sub(r"[\t ]+", " ", ln).strip() for ln in text.replace("\r", "\n").split("\n")]
    return "<br>".join(ln for ln in lines if ln)


def as_text(blocks: list) -> str:
    """The blocks as the tab-separated text :func:`read_icap_text` reads."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                out.append("\t".join(_cell(c) for c in row))
            out.append("")
        else:
            text = _cell(block).replace("<br>", "\n")
            if text:
                out.append(text)
    return "\n".join(out) + "\n"
