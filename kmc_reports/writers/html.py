"""HTML writer: a self-contained preview page of the document model (print CSS included)."""

from __future__ import annotations

import base64
from html import escape
from typing import Callable

from .. import document as dm
from ..fonts import FontSet, default_fonts
from ..images import MIME, image_bytes
from .layout import inline_markup

_CSS = """
body { font-family: "Noto Sans TC", "Microsoft JhengHei", "PingFang TC", sans-serif;
       color: #111; margin: 0; background: #eef1f4; line-height: 1.5; }
main { max-width: 1120px; margin: 24px auto; background: #fff; padding: 32px 40px;
       box-shadow: 0 1px 4px rgba(0,0,0,.15); }
section + section { border-top: 2px dashed #c9d2dc; margin-top: 28px; padding-top: 8px; }
.running { color: #666; font-size: 12px; text-align: right; }
.title { font-size: 26px; font-weight: bold; text-align: center; margin: 8px 0 4px; }
.subtitle { font-size: 15px; text-align: center; margin: 0 0 16px; }
.small, .note { font-size: 12px; color: #444; }
h1, h2, h3 { color: #1f3a5f; margin: 18px 0 6px; }
h1 { font-size: 21px; } h2 { font-size: 18px; } h3 { font-size: 15px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; table-layout: fixed; }
td, th { border: 1px solid #7f8c9a; padding: 3px 5px; vertical-align: top; font-size: 13px; }
table.small td, table.small th { font-size: 12px; }
th { background: #e8eef4; }
td p, th p { margin: 0 0 2px; }
.middle { vertical-align: middle; }
.center { text-align: center; } .right { text-align: right; } .justify { text-align: justify; }
thead { display: table-header-group; }
@media print { body { background: #fff; } main { box-shadow: none; margin: 0; padding: 0; }
  section + section { border: 0; page-break-before: always; } }
"""


def write_html(doc: dm.Document, fonts: Callable[[], FontSet] = default_fonts) -> bytes:
    """`fonts` is asked only when the document has a chart (drawn as inline SVG)."""
    parts = ["<!DOCTYPE html>", '<html lang="zh-Hant-TW">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(doc.title)}</title>",
             f'<meta name="description" content="{escape(doc.subject)}">',
             f'<meta name="keywords" content="{escape(doc.keywords)}">',
             f"<style>{_CSS}</style>", "</head>", "<body>", "<main>"]
    if doc.header:
        parts.append(f'<div class="running">{escape(doc.header)}</div>')
    for section in doc.sections:
        parts.append(f'<section class="{section.orientation}">')
        parts += [_block(b, fonts) for b in section.blocks]
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def _runs(runs: list[dm.Run]) -> str:
    return inline_markup(runs, "<br>")


def _block(block, fonts) -> str:
    if isinstance(block, dm.Heading):
        return f"<h{block.level}>{_runs(block.runs)}</h{block.level}>"
    if isinstance(block, dm.Paragraph):
        classes = " ".join(c for c in (block.style if block.style != "body" else "",
                                       block.align if block.align != "left" else "") if c)
        cls = f' class="{classes}"' if classes else ""
        return f"<p{cls}>{_runs(block.runs)}</p>"
    if isinstance(block, dm.ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{_runs(i.runs)}{''.join(_block(c, fonts) for c in i.children)}</li>"
                        for i in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, dm.KeyValue):
        return _table(block.as_table(), fonts)
    if isinstance(block, dm.Table):
        return _table(block, fonts)
    if isinstance(block, dm.Chart):
        from . import charts  # reportlab draws the charts: loaded only for a document with one

        return f'<figure class="center">{charts.svg(block, fonts())}</figure>'

    if isinstance(block, dm.Image):
        return f'<p class="{block.align}"><img src="{_data_uri(block)}" ' \
               f'style="width:{block.width_mm}mm" alt=""></p>'
    if isinstance(block, dm.PageBreak):
        return '<div style="page-break-after: always"></div>'
    if isinstance(block, dm.Spacer):
        return f'<div style="height:{block.height_mm}mm"></div>'
    return ""


def _table(table: dm.Table, fonts) -> str:
    total = sum(table.widths)
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in table.widths)
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for cell in row:
            tag = "th" if cell.header else "td"
            attrs = []
            if cell.rowspan > 1:
                attrs.append(f'rowspan="{cell.rowspan}"')
            if cell.colspan > 1:
                attrs.append(f'colspan="{cell.colspan}"')
            classes = [c for c in (cell.align if cell.align != "left" else "",
                                   "middle" if cell.valign == "middle" else "") if c]
            if classes:
                attrs.append(f'class="{" ".join(classes)}"')
            if cell.shade and not cell.header:
                attrs.append(f'style="background:#{cell.shade}"')
            inner = "".join(_block(b, fonts) for b in cell.blocks)
            cells.append(f"<{tag} {' '.join(attrs)}>{inner}</{tag}>".replace(f"<{tag} >",
                                                                             f"<{tag}>"))
        rows.append(("thead" if r < table.header_rows else "tbody", "<tr>" + "".join(cells)
                     + "</tr>"))
    head = "".join(r for part, r in rows if part == "thead")
    body = "".join(r for part, r in rows if part == "tbody")
    cls = ' class="small"' if table.size == "small" else ""
    return (f"<table{cls}><colgroup>{cols}</colgroup>"
            + (f"<thead>{head}</thead>" if head else "") + f"<tbody>{body}</tbody></table>")


def _data_uri(block: dm.Image) -> str:
    """Images are embedded, so the preview is one file that can be mailed or archived."""
    data, kind = image_bytes(block)
    return f"data:{MIME[kind]};base64,{base64.b64encode(data).decode()}"
