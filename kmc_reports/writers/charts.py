"""Charts drawn once with reportlab's own graphics, then given to each writer in its form:
vector in the PDF, SVG in the HTML preview, PNG in Word.

reportlab's PNG renderer now needs pycairo, which has no wheels; the bar charts here are
rectangles, lines and text, so a few lines of Pillow rasterise the same drawing.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import (Drawing, Group, Line, Polygon, PolyLine, Rect, String,
                                       UserNode, mmult)
from reportlab.lib import colors
from reportlab.lib.units import mm

from ..document import Chart
from ..fonts import FontSet, register_reportlab

PALETTE = ["#1F4E79", "#8FB3D9", "#C55A11", "#F4B183", "#548235", "#A9D18E"]


def drawing(chart: Chart, fonts: FontSet) -> Drawing:
    font, bold = register_reportlab(fonts)
    width, height = chart.width_mm * mm, chart.height_mm * mm
    d = Drawing(width, height)
    top = height - (16 if chart.title else 4)
    if chart.title:
        d.add(String(width / 2, height - 11, chart.title, fontName=bold, fontSize=10,
                     textAnchor="middle"))
    bars = VerticalBarChart()
    bars.x, bars.y = 34, 34
    bars.width, bars.height = width - 34 - 110, top - 44
    bars.data = [values for _, values in chart.series] or [[0] * len(chart.categories)]
    bars.categoryAxis.categoryNames = chart.categories
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.labels.angle = 20 if len(chart.categories) > 4 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(chart.categories) > 4 else "n"
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    bars.valueAxis.visibleGrid = True
    bars.categoryAxis.style = "stacked" if chart.stacked else "parallel"
    bars.barSpacing, bars.groupSpacing = 1, 8
    for i, _ in enumerate(chart.series):
        bars.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        bars.bars[i].strokeColor = None
    d.add(bars)
    legend = Legend()
    legend.x, legend.y = width - 100, top - 10
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), name)
                             for i, (name, _) in enumerate(chart.series)]
    d.add(legend)
    return d


def png(chart: Chart, fonts: FontSet, dpi: int = 200) -> bytes:
    d = drawing(chart, fonts)
    scale = dpi / 72
    img = Image.new("RGB", (math.ceil(d.width * scale), math.ceil(d.height * scale)), "white")
    files = {register_reportlab(fonts)[0]: fonts.regular, register_reportlab(fonts)[1]:
             fonts.bold}
    # PDF space has y up from the bottom; the image has y down from the top.
    base = (scale, 0, 0, -scale, 0, d.height * scale)
    _paint(ImageDraw.Draw(img), img, d.expandUserNodes(), base, files)
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
    return text[text.index("<svg"):]  # drop the XML prolog for inline use
