"""Reports are Jinja2 templates that write a small XML markup of the document model.

Templates live in ``templates/`` and a user may override any of them with a file of the same
name in ``--templates DIR`` (Pelican-style: the user's folder first, the built-in one after).
Autoescaping keeps text from the data from ever becoming markup.  The markup is HTML-like:

    <document title="…" header="…" footer="第 {page} 頁，共 {pages} 頁">
      <section orientation="landscape">
        <h1>…</h1> <p align="center" style="title">text <b>bold</b> <i>italic</i><br/></p>
        <ul><li>…<ul><li>…</li></ul></li></ul>   <ol>…</ol>
        <kv key-width="0.25" id="…"><item key="職能基準代碼">…</item></kv>
        <table widths="1,2,3" header-rows="1" size="small" id="…">
          <tr><th>…</th><td rowspan="2" colspan="1" align="center" valign="middle"
              shade="F2F2F2">text, or <p>/<ul> blocks</td></tr></table>
        <img src="…" width="30"/>  <pagebreak/>  <spacer height="4"/>
        <chart title="…" width="160" height="70" stacked="yes" categories="A|B|C">
          <series name="共有" values="1,2,3"/></chart>
      </section>
    </document>
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jinja2

from .document import (Block, Cell, Chart, Document, Heading, Image, KeyValue, ListBlock,
                       ListItem, PageBreak, Paragraph, Run, Section, Spacer, Table, grid)
from .errors import KmcError
from .views import block_tasks, named

BUILTIN = Path(__file__).resolve().parent.parent / "templates"
# expat's messages for malformed markup, as a template author reads them
_XML_PROBLEMS = {
    "mismatched tag": "標籤不成對",
    "not well-formed (invalid token)": "格式不正確（無效的字元）",
    "unclosed token": "標籤未結束",
    "undefined entity": "未定義的實體（& 請寫成 &amp;）",
    "junk after document element": "<document> 之後還有多餘內容",
    "no element found": "沒有任何元素",
}


def environment(user_dir: str | Path | None = None) -> jinja2.Environment:
    dirs = ([str(user_dir)] if user_dir else []) + [str(BUILTIN)]
    if user_dir and not Path(user_dir).is_dir():
        raise KmcError("找不到範本資料夾", str(user_dir))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["hours"] = hours
    env.globals["named"] = named
    env.globals["block_tasks"] = block_tasks
    return env


def hours(value: float) -> str:
    """3.0 → 「3」, 2.5 → 「2.5」: how hours are printed everywhere (never 1e+03)."""
    return f"{value:.1f}".removesuffix(".0")


def render(name: str, context: dict[str, Any], user_dir: str | Path | None = None) -> Document:
    env = environment(user_dir)
    try:
        template = env.get_template(name)
        markup = template.render(**context)
    except jinja2.TemplateNotFound:
        raise KmcError(f"找不到範本 {name!r}", str(user_dir or BUILTIN)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise KmcError(f"範本錯誤：{exc.message}", exc.filename or name,
                       exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise KmcError(f"範本錯誤：{exc.message}", template.filename) from None
    return parse(markup, template.filename or name)


def parse(markup: str, source: str) -> Document:
    """Read the markup a template wrote into the document model."""
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        problem = str(exc).split(":")[0]
        raise KmcError(f"範本產生的標記格式錯誤：{_XML_PROBLEMS.get(problem, problem)}",
                       source, line) from None
    if root.tag != "document":
        raise KmcError(f"範本必須產生 <document>，而不是 <{root.tag}>", source)
    sections = [Section(_blocks(s, source), s.get("orientation", "portrait"))
                for s in root if s.tag == "section"]
    return Document(sections=sections, title=root.get("title", ""),
                    subject=root.get("subject", ""), author=root.get("author", ""),
                    keywords=root.get("keywords", ""), header=root.get("header", ""),
                    footer=root.get("footer", "第 {page} 頁，共 {pages} 頁"))


_BLOCK_TAGS = {"h1", "h2", "h3", "p", "ul", "ol", "kv", "table", "img", "chart", "pagebreak",
               "spacer"}


def _blocks(parent: ET.Element, source: str) -> list[Block]:
    out: list[Block] = []
    for el in parent:
        tag = el.tag
        if tag in ("h1", "h2", "h3"):
            out.append(Heading(int(tag[1]), _runs(el)))
        elif tag == "p":
            out.append(Paragraph(_runs(el), el.get("align", "left"), el.get("style", "body")))
        elif tag in ("ul", "ol"):
            out.append(_list(el))
        elif tag == "kv":
            out.append(KeyValue([([Run(item.get("key", ""), bold=True)], _runs(item))
                                 for item in el if item.tag == "item"],
                                float(el.get("key-width", "0.25")), el.get("id", "")))
        elif tag == "table":
            out.append(_table(el, source))
        elif tag == "img":
            out.append(Image(el.get("src", ""), float(el.get("width", "30")),
                             el.get("align", "left")))
        elif tag == "chart":
            out.append(_chart(el, source))
        elif tag == "pagebreak":
            out.append(PageBreak())
        elif tag == "spacer":
            out.append(Spacer(float(el.get("height", "4"))))
        else:
            raise KmcError(f"範本標記中有不認得的元素 <{tag}>", source)
    return out


def _runs(el: ET.Element, bold: bool = False, italic: bool = False) -> list[Run]:
    """Inline content: text with <b>, <i> and <br/>; whitespace from the template's own
    indentation is dropped, spaces inside the text are kept."""
    runs: list[Run] = []

    def add(text: str | None, b: bool, i: bool) -> None:
        if text:
            text = " ".join(text.split("\n")).replace("\r", "")
            text = _squeeze(text)
            if text:
                runs.append(Run(text, b, i))

    add(el.text, bold, italic)
    for child in el:
        if child.tag == "br":
            runs.append(Run("\n", bold, italic))
        elif child.tag in ("b", "i"):
            runs += _runs(child, bold or child.tag == "b", italic or child.tag == "i")
        add(child.tail, bold, italic)
    if runs:
        runs[0].text = runs[0].text.lstrip(" ")
        runs[-1].text = runs[-1].text.rstrip(" ")
    return [r for r in runs if r.text]


def _squeeze(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _list(el: ET.Element) -> ListBlock:
    items = []
    for li in el:
        if li.tag != "li":
            continue
        nested = [c for c in li if c.tag in ("ul", "ol")]
        for c in nested:
            li.remove(c)
        items.append(ListItem(_runs(li), [_list(c) for c in nested]))
    return ListBlock(items, ordered=el.tag == "ol")


def _table(el: ET.Element, source: str) -> Table:
    rows = []
    for tr in el:
        if tr.tag != "tr":
            continue
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            if any(c.tag in _BLOCK_TAGS for c in td):
                blocks = _blocks(td, source)
            else:
                runs = _runs(td, bold=td.tag == "th")
                blocks = [Paragraph(runs, td.get("align", "left"))] if runs else []
            cells.append(Cell(blocks, int(td.get("rowspan", "1")), int(td.get("colspan", "1")),
                              td.get("align", "center" if td.tag == "th" else "left"),
                              td.get("valign", "middle" if td.tag == "th" else "top"),
                              td.get("shade") or ("E8EEF4" if td.tag == "th" else None),
                              td.tag == "th"))
        rows.append(cells)
    widths = [float(w) for w in el.get("widths", "").split(",") if w.strip()]
    if not widths:
        widths = [1.0] * max((sum(c.colspan for c in r) for r in rows), default=1)
    table = Table(widths, rows, int(el.get("header-rows", "0")), el.get("size", "normal"),
                  el.get("id", ""))
    try:
        grid(table)  # a row wider than the table is the template's mistake: say so here
    except ValueError as exc:
        raise KmcError(f"範本的表格有誤：{exc}", source) from None
    return table


def _chart(el: ET.Element, source: str) -> Chart:
    categories = el.get("categories", "").split("|") if el.get("categories") else []
    series = []
    for s in el:
        if s.tag != "series":
            continue
        try:
            values = [float(v) for v in s.get("values", "").split(",") if v.strip()]
        except ValueError:
            raise KmcError(f"圖表數列 {s.get('name', '')!r} 有不是數字的值", source) from None
        if len(values) != len(categories):
            raise KmcError(f"圖表數列 {s.get('name', '')!r} 有 {len(values)} 個值，"
                           f"但有 {len(categories)} 個類別", source)
        series.append((s.get("name", ""), values))
    return Chart(categories, series, el.get("title", ""), float(el.get("width", "160")),
                 float(el.get("height", "70")), el.get("stacked", "no") == "yes")
