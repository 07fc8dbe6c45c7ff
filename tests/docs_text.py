"""Text of written documents, as a reader (or a search) would get it."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_text(path: Path) -> str:
    """The text a reader sees (the zero-width break hints after 「、」 left out)."""
    body = Document(str(path)).element.body
    return "".join(t.text or "" for t in body.iter(qn("w:t"))).replace("\u200b", "")


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdf_text(path: Path, drop: tuple[str, ...] = ()) -> str:
    """All pages' text without whitespace, page decorations and repeated header rows, so a
    paragraph split over two pages reads as one."""
    text = squash("".join(pdf_pages(path)))
    text = re.sub(r"第\d+頁，共\d+頁", "", text)
    for d in drop:
        text = text.replace(squash(d), "")
    return text


def standard_texts(std) -> list[str]:
    """Every task, output, indicator and K/S/A name of a standard."""
    out = [d.name for d in std.duties]
    for _, t in std.tasks():
        out.append(t.name)
        out += [o.name for o in t.outputs] + [p.text for p in t.indicators]
        out += [r.name for r in t.knowledge] + [r.name for r in t.skills]
    out += [a.name for a in std.attitudes] + [a.description for a in std.attitudes if a.description]
    return out
