"""Reports are Jinja2 templates that write a small XML markup of the document model.

Templates live in ``templates/`` and a user may override any of them with a file of the same
name in ``--templates DIR`` (Pelican-style: the user's folder first, the built-in one after).
Autoescaping keeps text from the data from ever becoming markup.  Templates are shared like
documents, so every one runs in Jinja's (immutable) sandbox, may include only files of the
template folders, and may show only images allowed by :mod:`.images`; a violation is one line
naming the template file and line.  The markup is HTML-like:

    <document title="…" header="…" footer="第 {page} 頁，共 {pages} 頁">
      <section orientation="landscape">
        <h1>…</h1> <p align="center" style="title">text <b>bold</b> <i>italic</i><br/></p>
        <box/> (a box to tick: 「□」, a clickable check box in Word)
        <ul><li>…<ul><li>…</li></ul></li></ul>   <ol>…</ol>
        <kv key-width="0.25" id="…"><item key="職能基準代碼">…</item></kv>
        <table widths="1,2,3" header-rows="1" size="small" id="…">  (widths="auto": by content)
          <tr><th>…</th><td rowspan="2" colspan="1" align="center" valign="middle"
              shade="F2F2F2">text, or <p>/<ul> blocks</td></tr></table>
        <img src="…" width="30"/>  <pagebreak/>  <spacer height="4"/>
        <chart title="…" width="160" height="70" stacked="yes" categories="A|B|C"
               value-title="時數（小時）" category-title="單元">
          <series name="共有" values="1,2,3"/></chart>
      </section>
    </document>
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from jinja2.loaders import split_template_path
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment, SecurityError

from .document import (Block, Cell, Chart, Document, Heading, Image, KeyValue, ListBlock,
                       ListItem, PageBreak, Paragraph, Run, Section, Spacer, Table, em_width,
                       grid)
from .atomic import write_bytes
from .errors import KmcError
from .images import ImagePolicy
from .views import (block_tasks, duty_label, named, printed_notes, printed_qualifications,
                    printed_text, task_label)

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


class _OutsideFolder(Exception):
    def __init__(self, name: str, path: str):
        super().__init__(name)
        self.name, self.path = name, path

    @property
    def message(self) -> str:
        return f"範本 {self.name!r} 是連到範本資料夾以外的檔案，不可使用"


class _Loader(jinja2.FileSystemLoader):
    """FileSystemLoader that also refuses a template (or {% include %}) whose file is a symlink
    leading out of its folder: a shared template folder may not read other files."""

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(Path(folder).resolve()):
                    raise _OutsideFolder(template, str(candidate))
                break
        return super().get_source(environment, template)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Templates run in Jinja's sandbox: no underscore attributes (``__globals__``,
    ``__class__``…), no internal attributes of functions and frames, no method that changes a
    list, dict or set of the data.  Nor pydantic's ``parse_file`` (it reads any file), nor any
    attribute of a path object."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in _UNSAFE_NAMES or isinstance(obj, os.PathLike):
            return False
        return super().is_safe_attribute(obj, attr, value)


_UNSAFE_NAMES = frozenset({"parse_file"})


# How every template is compiled: part of the name of its cached code, so code compiled with
# other settings (an older kmc-reports, another Jinja) is never loaded.
_SETTINGS = dict(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                 undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_CACHE_TAG = (f"{jinja2.__version__}|{_SETTINGS}|{ImmutableSandboxedEnvironment.__name__}"
              "|finalize=printed")

def printed(value: Any) -> Any:
    """Every value a template prints, as documents print text (:func:`.views.printed_text`);
    text already marked safe stays so."""
    if isinstance(value, str):
        cleaned = printed_text(value)
        if cleaned != value:
            return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value
_STALE_DAYS = 30


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates, kept for the process and in the user's cache folder (by template
    name and file; Jinja checks the source itself, so a changed file is compiled anew): the
    documents of many standards do not each compile their template again, and a command does
    not start by compiling it (≈60 ms of a one-profile command)."""

    def __init__(self):
        self.code: dict[str, tuple[str, Any]] = {}

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code
            return
        try:
            bucket.bytecode_from_string(self._file(bucket).read_bytes())
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()  # none yet, or unreadable: compiled and written again
        if bucket.code is not None:
            self.code[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)
        folder = self._file(bucket).parent
        try:
            write_bytes(self._file(bucket), bucket.bytecode_to_string())
            now = time.time()  # code of templates not used for a month goes
            for old in folder.glob("*.jinja"):
                if now - old.stat().st_mtime > _STALE_DAYS * 86400:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written is only slower

    @staticmethod
    def _file(bucket) -> Path:
        from .cache import cache_dir

        key = hashlib.sha256(f"{bucket.key}|{_CACHE_TAG}".encode()).hexdigest()[:32]
        return cache_dir() / "templates" / f"{key}.jinja"


_COMPILED = _Compiled()


def environment(user_dir: str | Path | None = None) -> jinja2.Environment:
    dirs = ([str(user_dir)] if user_dir else []) + [str(BUILTIN)]
    if user_dir and not Path(user_dir).is_dir():
        raise KmcError("找不到範本資料夾", str(user_dir))
    env = _Sandbox(loader=_Loader(dirs), bytecode_cache=_COMPILED, finalize=printed,
                   **_SETTINGS)
    env.filters["hours"] = hours
    env.globals["named"] = named
    env.globals["block_tasks"] = block_tasks
    # names and notes as documents print them (views.py: no placeholder or leaked text)
    env.filters["duty_label"] = duty_label
    env.filters["task_label"] = task_label
    env.filters["printed_qualifications"] = printed_qualifications
    env.filters["printed_notes"] = printed_notes
    return env


def hours(value: float) -> str:
    """3.0 → 「3」, 2.5 → 「2.5」: how hours are printed everywhere (never 1e+03)."""
    return f"{value:.1f}".removesuffix(".0")


def render(name: str, context: dict[str, Any], user_dir: str | Path | None = None,
           images: ImagePolicy | None = None) -> Document:
    """Render a template to the document model.  ``images``: where its ``<img src>`` may point
    (default: the template folders only)."""
    env = environment(user_dir)
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise KmcError(f"找不到範本 {name!r}", str(user_dir or BUILTIN)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise KmcError(f"範本錯誤：{exc.message}", exc.filename or name, exc.lineno) from None
    except _OutsideFolder as exc:
        raise KmcError(exc.message, exc.path) from None
    try:
        markup = template.render(**context)
    except KmcError:
        raise
    except jinja2.TemplateNotFound as exc:  # an {% include %} or {% import %}
        raise _template_error(f"找不到範本 {exc.name!r}", exc, template) from None
    except jinja2.TemplateSyntaxError as exc:
        raise KmcError(f"範本錯誤：{exc.message}", exc.filename or name, exc.lineno) from None
    except _OutsideFolder as exc:  # an {% include %} of a link leading out
        raise _template_error(exc.message, exc, template) from None
    except SecurityError as exc:
        raise _template_error(_sandbox_message(str(exc)), exc, template) from None
    except jinja2.UndefinedError as exc:
        raise _template_error(f"範本錯誤：{_undefined_message(exc.message or '')}", exc,
                              template) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
            AttributeError, RecursionError) as exc:
        raise _template_error(_runtime_message(exc), exc, template) from None
    images = images or ImagePolicy.of(user_dir)
    return parse(markup, template.filename or name, images)


def _template_error(message: str, exc: BaseException, template) -> KmcError:
    """The error at the template line that raised it: Jinja rewrites tracebacks so that its
    frames carry the template's file and line (an included or imported template's too)."""
    folders = tuple(os.path.join(f, "") for f in template.environment.loader.searchpath)
    path, line = template.filename, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(folders):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return KmcError(message, path, line)


def _runtime_message(exc: Exception) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "範本執行錯誤：除以零"
    if isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc):
        return f"範本執行錯誤：range() 的範圍太大（沙箱上限 {MAX_RANGE} 項）"
    if isinstance(exc, RecursionError):
        return "範本執行錯誤：巨集或 include 無限遞迴"
    if isinstance(exc, jinja2.TemplateError):
        return f"範本錯誤：{exc.message}"
    return f"範本執行錯誤：{type(exc).__name__}：{exc}"


_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute '(.*)' of '(.*)' object is unsafe\.?$")
_NOT_CALLABLE = re.compile(r"(.*) is not safely callable$")


def _sandbox_message(text: str) -> str:
    """Jinja's SecurityError, as a template author reads it."""
    if m := _UNSAFE_ATTRIBUTE.match(text):
        attr, kind = m.groups()
        if attr.startswith("_"):
            return f"範本不可使用 {kind} 的內部屬性 {attr!r}（範本在沙箱中執行）"
        return f"範本不可使用 {kind} 的 {attr!r}（範本在沙箱中執行，不可修改資料或讀寫檔案）"
    if m := _NOT_CALLABLE.match(text):
        return f"範本不可呼叫 {m.group(1)}（範本在沙箱中執行）"
    return f"範本做了沙箱不允許的操作：{text}"


_UNDEFINED = [
    (re.compile(r"'(.*)' is undefined$"), "未定義的名稱 {0!r}"),
    (re.compile(r"'(.*)' has no attribute '(.*)'$"), "{0} 沒有屬性 {1!r}"),
    (re.compile(r"'(.*)' has no element (.*)$"), "{0} 沒有項目 {1}"),
]


def _undefined_message(text: str) -> str:
    for pattern, zh in _UNDEFINED:
        if m := pattern.match(text):
            return zh.format(*m.groups())
    return text


def parse(markup: str, source: str, images: ImagePolicy | None = None) -> Document:
    """Read the markup a template wrote into the document model; each ``<img>`` is checked
    against ``images`` (default: the built-in template folder) and carries its bytes."""
    images = images or ImagePolicy.of(None)
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        problem = str(exc).split(":")[0]
        raise KmcError(f"範本產生的標記格式錯誤：{_XML_PROBLEMS.get(problem, problem)}",
                       source, line) from None
    if root.tag != "document":
        raise KmcError(f"範本必須產生 <document>，而不是 <{root.tag}>", source)
    sections = [Section(_blocks(s, source, images), s.get("orientation", "portrait"))
                for s in root if s.tag == "section"]
    return Document(sections=sections, title=root.get("title", ""),
                    subject=root.get("subject", ""), author=root.get("author", ""),
                    keywords=root.get("keywords", ""), header=root.get("header", ""),
                    footer=root.get("footer", "第 {page} 頁，共 {pages} 頁"))


BOX = "□"
_BLOCK_TAGS = {"h1", "h2", "h3", "p", "ul", "ol", "kv", "table", "img", "chart", "pagebreak",
               "spacer"}


def _blocks(parent: ET.Element, source: str, images: ImagePolicy) -> list[Block]:
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
                                _number(el, "key-width", "0.25", source, 0.05, 0.95),
                                el.get("id", "")))
        elif tag == "table":
            out.append(_table(el, source, images))
        elif tag == "img":
            picture = images.image(el.get("src", ""), source)
            out.append(Image(picture.path, _number(el, "width", "30", source, 1, 500),
                             el.get("align", "left"), picture.data, picture.format))
        elif tag == "chart":
            out.append(_chart(el, source))
        elif tag == "pagebreak":
            out.append(PageBreak())
        elif tag == "spacer":
            out.append(Spacer(_number(el, "height", "4", source, 0, 250)))
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
        elif child.tag == "box":  # a box to tick (□; a check box in Word)
            runs.append(Run(BOX, bold, italic, checkbox=True))
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


def _table(el: ET.Element, source: str, images: ImagePolicy) -> Table:
    rows = []
    for tr in el:
        if tr.tag != "tr":
            continue
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            if any(c.tag in _BLOCK_TAGS for c in td):
                blocks = _blocks(td, source, images)
            else:
                runs = _runs(td, bold=td.tag == "th")
                blocks = [Paragraph(runs, td.get("align", "left"))] if runs else []
            cells.append(Cell(blocks, _integer(td, "rowspan", "1", source, 1, 10000),
                              _integer(td, "colspan", "1", source, 1, 100),
                              td.get("align", "center" if td.tag == "th" else "left"),
                              td.get("valign", "middle" if td.tag == "th" else "top"),
                              td.get("shade") or ("E8EEF4" if td.tag == "th" else None),
                              td.tag == "th"))
        rows.append(cells)
    auto = el.get("widths", "").strip() == "auto"
    widths = [] if auto else [_number(el, "widths", "", source, 0.01, 1000, text=w)
                              for w in el.get("widths", "").split(",") if w.strip()]
    if not widths:
        widths = [1.0] * max((sum(c.colspan for c in r) for r in rows), default=1)
    table = Table(widths, rows, _integer(el, "header-rows", "0", source, 0, 100),
                  el.get("size", "normal"), el.get("id", ""))
    try:
        slots = grid(table)  # a row wider than the table is the template's mistake: say so here
    except ValueError as exc:
        raise KmcError(f"範本的表格有誤：{exc}", source) from None
    if auto:
        table.widths = content_widths(slots, len(table.widths))
    return table


_CAP_EM = 16  # a column wider than this many characters wraps its text instead
_TOKEN = re.compile(r"[A-Za-z0-9.\-/]+")


def content_widths(slots, ncols: int) -> list[float]:
    """Relative column widths from a table's text (``widths="auto"``): each column as wide as
    its longest line up to ``_CAP_EM`` characters, never narrower than its header or its
    longest code (codes such as ``T1.2``, ``P1.2.3`` never break)."""
    want = [2.0] * ncols
    least = [2.0] * ncols
    for row in slots:
        for c, slot in enumerate(row):
            cell = slot.cell
            if not slot.origin or cell.colspan != 1:
                continue
            for line in cell.text.split("\n"):
                want[c] = max(want[c], min(em_width(line), _CAP_EM))
                if cell.header and em_width(line) <= 8:
                    least[c] = max(least[c], em_width(line))
                for token in _TOKEN.findall(line):
                    least[c] = max(least[c], em_width(token))
    return [round(max(w, m) + 1, 2) for w, m in zip(want, least)]


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
    return Chart(categories, series, el.get("title", ""),
                 _number(el, "width", "160", source, 10, 500),
                 _number(el, "height", "70", source, 10, 500), el.get("stacked", "no") == "yes",
                 el.get("value-title", ""), el.get("category-title", ""))


def _number(el: ET.Element, name: str, default: str, source: str, low: float, high: float,
            integer: bool = False, text: str | None = None):
    """An attribute's number (``text``: one item of a list attribute), or one line naming the
    element and the value."""
    value = el.get(name, default) if text is None else text
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:  # NaN fails both
        kind = "整數" if integer else "數字"
        raise KmcError(f"範本標記 <{el.tag}> 的 {name}=\"{value}\" 應為 {low:g} 到 {high:g} "
                       f"之間的{kind}", source)
    return number


def _integer(el: ET.Element, name: str, default: str, source: str, low: int, high: int) -> int:
    return _number(el, name, default, source, low, high, integer=True)
