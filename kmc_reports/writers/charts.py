"""Charts drawn once with reportlab's own graphics, then given to each writer in its form:
vector in the PDF, SVG in the HTML preview, PNG in Word.

The layout is computed here, not left to reportlab's chart widgets: the value axis starts at 0
and ends at a nice maximum at or above the largest bar (or stack), so no bar is ever drawn past
the plot area; the axes carry titles with their units; category labels are measured with the
real font and wrapped (or shortened with …, or turned 45° or 90°) so that they never overlap
each other or leave the canvas.  The drawing names its parts (``plot_area``, ``bars``,
``category_labels``, ``value_labels``, ``value_title``, ``category_title``, ``legend``) so
tests can check them.

reportlab's PNG renderer now needs pycairo, which has no wheels; the bar charts here are
rectangles, lines and text, so a few lines of Pillow rasterise the same drawing.
"""

from __future__ import annotations

import io
import math
import re
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import (Drawing, Group, Line, Polygon, PolyLine, Rect, String,
                                       UserNode, mmult)
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

from ..document import Chart
from ..fonts import FontSet, register_reportlab

PALETTE = ["#1F4E79", "#8FB3D9", "#C55A11", "#F4B183", "#548235", "#A9D18E"]
PAD = 4            # points of white round the drawing
TITLE_SIZE = 10
TEXT_SIZE = 7      # tick labels, category labels, axis titles, legend
MIN_LABEL_SIZE = 5
GRID = colors.HexColor("#DDDDDD")
AXIS = colors.HexColor("#444444")
TEXT = colors.HexColor("#222222")

_CLOSING = set("、，。；：！？）〕】》」』〉,.;:!?)]}%％")
_OPENING = set("（〔【《「『〈([{")
_TOKEN = re.compile(r"[A-Za-z0-9_.+#&']+[-/]?|\s+|.", re.S)


def drawing(chart: Chart, fonts: FontSet) -> Drawing:
    font, bold = register_reportlab(fonts)
    width, height = chart.width_mm * mm, chart.height_mm * mm
    d = Drawing(width, height)
    n = len(chart.categories)
    series = [(name, [_clean(v) for v in values][:n] + [0.0] * (n - len(values)))
              for name, values in chart.series] or [("", [0.0] * n)]
    top = height - PAD

    if chart.title:
        title = _fit(chart.title, bold, TITLE_SIZE, width - 2 * PAD)
        d.add(String(width / 2, top - TITLE_SIZE * 0.88, title, fontName=bold,
                     fontSize=TITLE_SIZE, textAnchor="middle", fillColor=TEXT), name="title")
        top -= TITLE_SIZE * 1.3
    if len(chart.series) > 1:
        legend, used = _legend(chart, font, width, top)
        d.add(legend, name="legend")
        top -= used

    # Value axis: 0 to a nice maximum at or above the tallest bar or stack.
    if chart.stacked:
        highest = max((sum(vals[i] for _, vals in series) for i in range(n)), default=0.0)
    else:
        highest = max((v for _, vals in series for v in vals), default=0.0)
    whole = all(float(v).is_integer() for _, vals in series for v in vals)
    step, vmax = nice_scale(highest, whole)
    ticks = [i * step for i in range(round(vmax / step) + 1)]
    decimals = _decimals(step)
    tick_text = [f"{t:,.{decimals}f}" for t in ticks]
    asc, desc = _ascent_descent(font, TEXT_SIZE)
    tick_w = max(stringWidth(t, font, TEXT_SIZE) for t in tick_text)
    left = PAD + (asc - desc + 3 if chart.value_title else 0) + tick_w + 5
    right = width - PAD
    plot_top = top - asc / 2 - 2  # room for the top tick label's upper half

    bottom_fixed = PAD + (asc - desc + 3 if chart.category_title else 0) + 4
    budget = max(TEXT_SIZE * 2.5, 0.4 * (plot_top - bottom_fixed))
    labels = _category_layout(chart.categories, font, left, right, budget)
    if labels.angle == 45 and labels.overflow > 0:  # the first labels reach left of the canvas
        left = min(left + labels.overflow, left + 0.25 * (right - left))
        labels = _category_layout(chart.categories, font, left, right, budget)
    bottom = bottom_fixed + labels.depth
    plot_h = max(plot_top - bottom, 1.0)
    plot_w = right - left
    d.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=None),
          name="plot_area")

    grid = Group()
    for t in ticks[1:]:
        y = bottom + t / vmax * plot_h
        grid.add(Line(left, y, right, y, strokeColor=GRID, strokeWidth=0.5))
    d.add(grid, name="grid")

    bars = Group()
    slot = plot_w / max(n, 1)
    colours = [colors.HexColor(PALETTE[i % len(PALETTE)]) for i in range(len(series))]
    k = 1 if chart.stacked else len(series)
    bar_w = min(slot * 0.7 / k, 28.0)
    for i in range(n):
        x0 = left + i * slot + (slot - bar_w * k) / 2
        base = 0.0
        for j, (_, vals) in enumerate(series):
            v = min(vals[i], vmax - base)
            if v <= 0:
                continue
            x = x0 if chart.stacked else x0 + j * bar_w
            y0 = bottom + base / vmax * plot_h
            y1 = min(bottom + (base + v) / vmax * plot_h, bottom + plot_h)
            bars.add(Rect(x, y0, bar_w, y1 - y0, fillColor=colours[j], strokeColor=None,
                          strokeWidth=0))
            if chart.stacked:
                base += v
    d.add(bars, name="bars")

    axes = Group()
    axes.add(Line(left, bottom, left, bottom + plot_h, strokeColor=AXIS, strokeWidth=0.7))
    axes.add(Line(left, bottom, right, bottom, strokeColor=AXIS, strokeWidth=0.7))
    for t in ticks:
        y = bottom + t / vmax * plot_h
        axes.add(Line(left - 3, y, left, y, strokeColor=AXIS, strokeWidth=0.5))
    d.add(axes, name="axes")

    tick_labels = Group()
    for t, text in zip(ticks, tick_text):
        y = bottom + t / vmax * plot_h
        tick_labels.add(String(left - 5, y - (asc + desc) / 2, text, fontName=font,
                               fontSize=TEXT_SIZE, textAnchor="end", fillColor=TEXT))
    d.add(tick_labels, name="value_labels")

    d.add(_draw_labels(labels, font, left, slot, bottom), name="category_labels")

    if chart.value_title:
        text = _fit(chart.value_title, font, TEXT_SIZE, plot_h)
        g = Group(String(0, 0, text, fontName=font, fontSize=TEXT_SIZE, textAnchor="middle",
                         fillColor=TEXT))
        # Turned 90° to read upward, its glyphs just left of the tick labels.
        g.transform = (0, 1, -1, 0, left - 5 - tick_w - 3 + desc, bottom + plot_h / 2)
        d.add(g, name="value_title")
    if chart.category_title:
        text = _fit(chart.category_title, font, TEXT_SIZE, plot_w)
        d.add(String(left + plot_w / 2, PAD - desc, text, fontName=font, fontSize=TEXT_SIZE,
                     textAnchor="middle", fillColor=TEXT), name="category_title")
    return d


def nice_scale(highest: float, whole: bool = False, target: int = 5) -> tuple[float, float]:
    """(step, maximum) of a value axis from 0: 1, 2, 2.5 or 5 × 10ⁿ steps, about `target` of
    them, the maximum a whole number of steps at or above `highest` (whole steps for whole
    data)."""
    if not highest > 0:
        return 1.0, float(target if whole else 1)
    raw = highest / target
    mag = 10 ** math.floor(math.log10(raw))
    step = 10 * mag
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw * (1 - 1e-9) and not (whole and not float(m * mag).is_integer()):
            step = m * mag
            break
    if whole:
        step = max(1.0, step)
    count = math.ceil(highest / step - 1e-9)
    while count * step < highest:
        count += 1
    return step, max(count, 1) * step


def _decimals(step: float) -> int:
    for dec in range(0, 7):
        if abs(round(step, dec) - step) < 1e-9 * max(1.0, step):
            return dec
    return 6


def _clean(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    return v if math.isfinite(v) and v > 0 else 0.0


def _ascent_descent(font: str, size: float) -> tuple[float, float]:
    asc, desc = getAscentDescent(font, size)
    return asc, desc  # desc is negative


def _fit(text: str, font: str, size: float, avail: float) -> str:
    """`text`, or as much of it as fits in `avail` points followed by …."""
    if stringWidth(text, font, size) <= avail:
        return text
    while text and stringWidth(text + "…", font, size) > avail:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _tokens(text: str) -> list[str]:
    """Break units: Latin words and numbers whole (a hyphen or slash ends one), CJK characters
    one by one, closing punctuation kept with what precedes and opening with what follows."""
    out: list[str] = []
    carry = ""
    for tok in _TOKEN.findall(text):
        if tok in _OPENING:
            carry += tok
        elif tok in _CLOSING and out and not carry:
            out[-1] += tok
        else:
            out.append(carry + tok)
            carry = ""
    if carry:
        out.append(carry)
    return out


class Wrapped(NamedTuple):
    lines: list[str]
    whole: bool  # all the text is shown
    cut: bool    # a word or code is cut inside


def wrap(text: str, font: str, size: float, avail: float, max_lines: int) -> Wrapped:
    """Lines of `text` at most `avail` wide, at most `max_lines` of them (the last shortened
    with … when the text is longer), whether all of it is shown, and whether a word or code
    had to be cut inside, being wider than a line (「BGM121」「9-001v4」): the caller turns
    such labels rather than print them so."""
    lines: list[str] = []
    line, cut_inside = "", False
    for tok in _tokens(" ".join(text.split())):
        if stringWidth(line + tok, font, size) <= avail:
            line += tok
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = tok.lstrip()
        while stringWidth(line, font, size) > avail and len(line) > 1:  # a unit too long
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > avail:
                cut -= 1
            lines.append(line[:cut])
            line, cut_inside = line[cut:], True
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) <= max_lines and all(stringWidth(t, font, size) <= avail for t in lines):
        return Wrapped(lines, True, cut_inside)
    kept = lines[:max_lines]
    rest = "".join(lines[max_lines - 1:])
    kept[-1] = _fit(rest + "…", font, size, avail) if stringWidth(rest, font, size) <= avail \
        else _fit(rest, font, size, avail)
    if not kept[-1].endswith("…"):
        kept[-1] = _fit(kept[-1] + "…", font, size, avail)
    return Wrapped(kept, False, cut_inside)


class _Labels:
    def __init__(self, angle, size, lines, depth, every=1, overflow=0.0):
        self.angle, self.size, self.lines = angle, size, lines
        self.depth, self.every, self.overflow = depth, every, overflow


def _category_layout(categories: list[str], font: str, left: float, right: float,
                     budget: float) -> _Labels:
    """How the category labels are set: flat and wrapped when they fit so (or when the slots
    are wide), else turned 45° or 90° and shortened to the depth `budget`, in a smaller size or
    on every second (third…) category when even that does not fit."""
    n = max(len(categories), 1)
    slot = (right - left) / n
    gap = 2.0
    for size in (TEXT_SIZE, 6.0, MIN_LABEL_SIZE):
        asc, desc = _ascent_descent(font, size)
        line_h = size * 1.15
        max_lines = max(1, min(3, int((budget - 4) // line_h)))
        flat = [wrap(c, font, size, slot - gap, max_lines) for c in categories]
        rows = max((len(w.lines) for w in flat), default=1)
        if not any(w.cut for w in flat) and (
                all(w.whole for w in flat) or (slot - gap >= 4 * size and size == TEXT_SIZE)):
            return _Labels(0, size, [w.lines for w in flat], rows * line_h + 4)
        thick = asc - desc
        for angle in (45, 90):
            rad = math.radians(angle)
            if slot * math.sin(rad) < thick + 1:  # neighbours would touch
                continue
            longest = (budget - 4 - thick * math.cos(rad)) / math.sin(rad)
            texts, overflow = [], 0.0
            for i, c in enumerate(categories):
                text = _fit(c, font, size, longest)
                if angle == 45:  # keep the label's far end on the canvas
                    room = (left + (i + 0.5) * slot - PAD - thick) / math.cos(rad)
                    need = stringWidth(text, font, size)
                    overflow = max(overflow, (need - room) * math.cos(rad))
                    text = _fit(text, font, size, max(room, 0))
                texts.append([text])
            reach = max((stringWidth(t[0], font, size) for t in texts), default=0)
            depth = reach * math.sin(rad) + thick * math.cos(rad) + 4
            return _Labels(angle, size, texts, depth, overflow=overflow)
    # Too many categories even for 5 pt turned upright: label every k-th one.
    size = MIN_LABEL_SIZE
    asc, desc = _ascent_descent(font, size)
    every = math.ceil((asc - desc + 1) / slot)
    texts = [[_fit(c, font, size, budget - 4)] if i % every == 0 else []
             for i, c in enumerate(categories)]
    reach = max((stringWidth(t[0], font, size) for t in texts if t), default=0)
    return _Labels(90, size, texts, reach + 4, every=every)


def _draw_labels(labels: _Labels, font: str, left: float, slot: float, bottom: float) -> Group:
    group = Group()
    size = labels.size
    asc, desc = _ascent_descent(font, size)
    line_h = size * 1.15
    for i, lines in enumerate(labels.lines):
        x = left + (i + 0.5) * slot
        if labels.angle == 0:
            for r, text in enumerate(lines):
                group.add(String(x, bottom - 4 - asc - r * line_h, text, fontName=font,
                                 fontSize=size, textAnchor="middle", fillColor=TEXT))
            continue
        for text in lines:
            rad = math.radians(labels.angle)
            c, s = math.cos(rad), math.sin(rad)
            g = Group(String(0, -(asc + desc) / 2, text, fontName=font, fontSize=size,
                             textAnchor="end", fillColor=TEXT))
            g.transform = (c, s, -s, c, x, bottom - 4)
            group.add(g)
    return group


def _legend(chart: Chart, font: str, width: float, top: float) -> tuple[Group, float]:
    """One swatch and name per series, in centred rows under the title."""
    group = Group()
    size, sw = TEXT_SIZE, 7.0
    asc, desc = _ascent_descent(font, size)
    row_h = size * 1.5
    avail = width - 2 * PAD
    items = [(colors.HexColor(PALETTE[i % len(PALETTE)]),
              _fit(name, font, size, avail - sw - 3)) for i, (name, _) in enumerate(chart.series)]
    rows: list[list[tuple]] = [[]]
    used = 0.0
    for colour, name in items:
        w = sw + 3 + stringWidth(name, font, size)
        if rows[-1] and used + 12 + w > avail:
            rows.append([])
            used = 0.0
        used += (12 if rows[-1] else 0) + w
        rows[-1].append((colour, name, w))
    for r, row in enumerate(rows):
        total = sum(w for _, _, w in row) + 12 * (len(row) - 1)
        x = (width - total) / 2
        y = top - (r + 1) * row_h + (row_h - size) / 2
        for colour, name, w in row:
            group.add(Rect(x, y + (asc + desc) / 2 - sw / 2, sw, sw, fillColor=colour,
                           strokeColor=None, strokeWidth=0))
            group.add(String(x + sw + 3, y, name, fontName=font, fontSize=size,
                             fillColor=TEXT))
            x += w + 12
    return group, len(rows) * row_h + 2


def png(chart: Chart, fonts: FontSet, dpi: int = 200) -> bytes:
    d = drawing(chart, fonts)
    scale = dpi / 72
    img = Image.new("RGB", (math.ceil(d.width * scale), math.ceil(d.height * scale)), "white")
    files = {register_reportlab(fonts)[0]: fonts.regular, register_reportlab(fonts)[1]:
             fonts.bold}
    # PDF space has y up from the bottom; the image has y down from the top.
    base = (scale, 0, 0, -scale, 0, d.height * scale)
    _paint(ImageDraw.Draw(img), img, d, base, files)
    out = io.BytesIO()
    img.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _paint(draw, img, node, m, files) -> None:
    if isinstance(node, UserNode):  # widgets such as axis labels: their primitive shapes
        node = node.provideNode()
    if isinstance(node, Group):
        m = mmult(m, node.transform)
        for child in node.contents:
            _paint(draw, img, child, m, files)
    elif isinstance(node, Rect):
        pts = [_at(m, x, y) for x, y in ((node.x, node.y), (node.x + node.width, node.y),
                                          (node.x + node.width, node.y + node.height),
                                          (node.x, node.y + node.height))]
        draw.polygon(pts, fill=_rgb(node.fillColor), outline=_rgb(node.strokeColor))
    elif isinstance(node, Line):
        draw.line([_at(m, node.x1, node.y1), _at(m, node.x2, node.y2)],
                  fill=_rgb(node.strokeColor), width=_width(m, node.strokeWidth))
    elif isinstance(node, (Polygon, PolyLine)):
        pts = [_at(m, *node.points[i:i + 2]) for i in range(0, len(node.points), 2)]
        if isinstance(node, Polygon):
            draw.polygon(pts, fill=_rgb(node.fillColor), outline=_rgb(node.strokeColor))
        else:
            draw.line(pts, fill=_rgb(node.strokeColor), width=_width(m, node.strokeWidth))
    elif isinstance(node, String) and node.text:
        _text(img, node, m, files)


def _text(img, node: String, m, files) -> None:
    size = node.fontSize * math.hypot(m[0], m[1])
    font = ImageFont.truetype(str(files.get(node.fontName, next(iter(files.values())))),
                              max(1, round(size)))
    left, top, right, bottom = font.getbbox(node.text)
    w, h = right - left, font.getmetrics()[0]
    shift = {"middle": w / 2, "end": w}.get(node.textAnchor, 0)
    angle = math.degrees(math.atan2(-m[1], m[0]))  # rotation of the text's baseline
    label = Image.new("RGBA", (w + 2, h + font.getmetrics()[1] + 2), (255, 255, 255, 0))
    ImageDraw.Draw(label).text((-left, 0), node.text, font=font, fill=_rgb(node.fillColor))
    origin = _at(m, node.x, node.y)  # the baseline start, in pixels
    if abs(angle) > 0.5:
        rad = math.radians(angle)
        label = label.rotate(angle, expand=True, resample=Image.BICUBIC)
        dx, dy = -shift, -h  # from the baseline start to the label's top-left, unrotated
        x = origin[0] + dx * math.cos(rad) + dy * math.sin(rad)
        y = origin[1] - dx * math.sin(rad) + dy * math.cos(rad)
        corners = [(0, 0), (w, 0), (0, h), (w, h)]
        xs = [x + cx * math.cos(rad) + cy * math.sin(rad) for cx, cy in corners]
        ys = [y - cx * math.sin(rad) + cy * math.cos(rad) for cx, cy in corners]
        img.paste(label, (round(min(xs)), round(min(ys))), label)
    else:
        img.paste(label, (round(origin[0] - shift), round(origin[1] - h)), label)


def _at(m, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _width(m, width) -> int:
    return max(1, round((width or 1) * math.hypot(m[0], m[1])))


def _rgb(color):
    if color is None:
        return None
    return tuple(round(255 * c) for c in (color.red, color.green, color.blue))


def svg(chart: Chart, fonts: FontSet) -> str:
    text = renderSVG.drawToString(drawing(chart, fonts))
    text = text[text.index("<svg"):]  # drop the XML prolog for inline use
    # reportlab names its registered fonts (NotoSansTC-Bold); a browser knows the family.
    regular, bold = register_reportlab(fonts)
    family = f"'{fonts.family}', 'Microsoft JhengHei', 'PingFang TC', sans-serif"
    if bold != regular:
        text = text.replace(f"font-family: {bold};", f"font-family: {family}; font-weight: bold;")
    return text.replace(f"font-family: {regular};", f"font-family: {family};")
