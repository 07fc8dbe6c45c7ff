"""Charts: bars inside the plot area, a value axis from 0 to a nice maximum, axis titles with
units, and category labels that neither overlap nor leave the canvas — for small and large
data, checked on the reportlab drawing that the PDF, the HTML (SVG) and Word (PNG) all share."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from PIL import Image
from reportlab.graphics.shapes import Group, Rect, String, mmult
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

from kmc_reports.document import Chart
from kmc_reports.fonts import default_fonts
from kmc_reports.templating import parse
from kmc_reports.writers import charts

ROOT = Path(__file__).resolve().parent.parent
LONG = "永續活動專案企劃與現場執行人員（含媒體關係、危機處理）之職能基準"
EPS = 1e-6


def _cases():
    codes40 = [f"KMC{2400 + i}-00{i % 9}v{i % 4 + 1}" for i in range(40)]
    return {
        "one": ([("單元 1")], [("時數", [4.5])]),
        "forty": (codes40, [("與他基準共有", [i % 13 for i in range(40)]),
                            ("獨有", [(i * 7) % 30 for i in range(40)])]),
        "forty-cjk": ([f"{LONG}{i}" for i in range(40)], [("時數", [i / 2 for i in range(40)])]),
        "long-cjk": ([LONG, "活動企劃助理", LONG * 3], [("時數", [3, 1.5, 2])]),
        "zeros": ([f"單元 {i}" for i in range(6)], [("時數", [0] * 6)]),
        "huge": ([f"單元 {i}" for i in range(12)],
                 [("甲", [1] * 11 + [1e9]), ("乙", [2] * 12)]),
        "twenty": ([f"KMC2432-0{i:02d}v4 活動企劃" for i in range(20)],
                   [("共有", [i % 7 for i in range(20)]), ("獨有", [3] * 20)]),
        "syllabus": ([f"單元 {i}" for i in range(1, 18)],
                     [("時數", [4.5, 1, 4.5, 1, 1.5, 2.5, 3, 2, 2, 1, 2, 1, 4.5, 1, 2, 1.5, 1])]),
    }


CHARTS = [
    pytest.param(Chart(cats, series, f"{name} 標題", width_mm=w, height_mm=h, stacked=stacked,
                       value_title="時數（小時）" if len(series) == 1 else "項目數（項）",
                       category_title="單元"), id=f"{name}-{w}x{h}-{'stacked' if stacked else 'bars'}")
    for name, (cats, series) in _cases().items()
    for w, h in ((160, 70), (230, 72), (90, 45))
    for stacked in (False, True)
]


@pytest.fixture(scope="module")
def fonts():
    return default_fonts()


def _shapes(node, m=(1, 0, 0, 1, 0, 0)):
    """(shape, matrix) for every Rect and String under `node`."""
    if isinstance(node, Group):
        m = mmult(m, node.transform)
        for child in node.contents:
            yield from _shapes(child, m)
    else:
        yield node, m


def _at(m, x, y):
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _box(s: String, m) -> list[tuple[float, float]]:
    """The corners of a string's ink box (advance width × ascent..descent), on the page."""
    w = stringWidth(s.text, s.fontName, s.fontSize)
    asc, desc = getAscentDescent(s.fontName, s.fontSize)
    x0 = s.x - {"middle": w / 2, "end": w}.get(s.textAnchor, 0)
    return [_at(m, x, y) for x, y in ((x0, s.y + desc), (x0 + w, s.y + desc),
                                      (x0 + w, s.y + asc), (x0, s.y + asc))]


def _overlap(a, b) -> bool:
    """Separating-axis test for two convex polygons (touching edges do not count)."""
    for poly in (a, b):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y1 - y2, x2 - x1
            pa = [nx * x + ny * y for x, y in a]
            pb = [nx * x + ny * y for x, y in b]
            if max(pa) <= min(pb) + 1e-6 or max(pb) <= min(pa) + 1e-6:
                return False
    return True


def _strings(node):
    return [(s, m) for s, m in _shapes(node) if isinstance(s, String) and s.text]


@pytest.mark.parametrize("chart", CHARTS)
def test_bars_inside_the_plot_area(chart, fonts):
    d = charts.drawing(chart, fonts)
    area = d.plot_area
    px0, py0, px1, py1 = area.x, area.y, area.x + area.width, area.y + area.height
    assert area.width > 20 and area.height > 10
    assert 0 <= px0 and px1 <= d.width and 0 <= py0 and py1 <= d.height
    bars = [(s, m) for s, m in _shapes(d.bars) if isinstance(s, Rect)]
    assert bars or all(v == 0 for _, vals in chart.series for v in vals)
    for r, m in bars:
        (x0, y0), (x1, y1) = _at(m, r.x, r.y), _at(m, r.x + r.width, r.y + r.height)
        assert px0 - EPS <= min(x0, x1) and max(x0, x1) <= px1 + EPS
        assert py0 - EPS <= min(y0, y1) and max(y0, y1) <= py1 + EPS, "a bar past the axis"
    # The tallest bar (or stack) is drawn in full: the axis maximum is at or above it.
    if chart.stacked:
        top = max(sum(vals[i] for _, vals in chart.series) for i in range(len(chart.categories)))
    else:
        top = max(v for _, vals in chart.series for v in vals)
    ticks = [float(s.text.replace(",", "")) for s, _ in _strings(d.value_labels)]
    assert ticks[0] == 0 and ticks == sorted(ticks) and ticks[-1] >= top
    assert 3 <= len(ticks) <= 11
    if top > 0:
        assert ticks[-1] < 2.6 * top, "a sensible nice maximum"
    if bars:
        drawn = max(y for r, m in bars for _, y in (_at(m, r.x, r.y + r.height),))
        assert drawn == pytest.approx(py0 + top / ticks[-1] * area.height)


@pytest.mark.parametrize("chart", CHARTS)
def test_labels_fit_and_do_not_overlap(chart, fonts):
    d = charts.drawing(chart, fonts)
    area = d.plot_area
    labels = [_box(s, m) for s, m in _strings(d.category_labels)]
    ticks = [_box(s, m) for s, m in _strings(d.value_labels)]
    titles = [_box(s, m) for s, m in _strings(d.value_title) + _strings(d.category_title)]
    head = [_box(s, m) for name in ("title", "legend") if hasattr(d, name)
            for s, m in _strings(getattr(d, name))]
    everything = labels + ticks + titles + head
    assert labels, "category labels are shown"
    for box in everything:  # on the canvas
        for x, y in box:
            assert -EPS <= x <= d.width + EPS and -EPS <= y <= d.height + EPS
    for i, a in enumerate(everything):
        for b in everything[i + 1:]:
            assert not _overlap(a, b), "two texts overlap"
    for box in labels:  # below the axis line
        assert max(y for _, y in box) <= area.y + EPS
    for box in ticks:  # left of the axis line
        assert max(x for x, _ in box) <= area.x + EPS
    for box in head:  # above the plot
        assert min(y for _, y in box) >= area.y + area.height - EPS
    # Every category is named in full or shortened with …, or (only when there are too many
    # to name even upright) every k-th one is.
    texts = ["".join(s.text for s, _ in _strings(d.category_labels))]
    for cat in chart.categories[:3]:
        shown = texts[0]
        assert cat[:1] in shown


@pytest.mark.parametrize("chart", CHARTS)
def test_axis_titles_with_units(chart, fonts):
    d = charts.drawing(chart, fonts)
    value = "".join(s.text for s, _ in _strings(d.value_title))
    assert value == chart.value_title and ("（小時）" in value or "（項）" in value)
    (s, m), = _strings(d.value_title)
    assert _at(m, 1, 0)[1] > _at(m, 0, 0)[1], "the value axis title reads upward"
    assert "".join(s.text for s, _ in _strings(d.category_title)) == "單元"


def test_labels_are_wrapped_then_shortened_then_turned(fonts):
    def angles(chart):
        d = charts.drawing(chart, fonts)
        return {round(math.degrees(math.atan2(m[1], m[0]))) for _, m in _strings(d.category_labels)}

    few = Chart(["KMC2432-001v4", "KMC2432-002v4"], [("a", [1, 2])])
    assert angles(few) == {0}
    wrapped = Chart([LONG, "短"], [("a", [1, 2])], width_mm=80)
    d = charts.drawing(wrapped, fonts)
    lines = [s.text for s, _ in _strings(d.category_labels)]
    assert len(lines) > 2 and lines[-1] == "短"
    assert any(t.endswith("…") for t in lines) or "".join(lines[:-1]) == LONG
    many = Chart([f"KMC2432-0{i:02d}v4" for i in range(40)], [("a", [1] * 40)])
    assert angles(many) == {90}
    twenty = Chart([f"KMC2432-0{i:02d}v4 活動企劃" for i in range(20)], [("a", [1] * 20)])
    assert angles(twenty) == {45}
    crowded = Chart([f"第{i}類" for i in range(300)], [("a", [1] * 300)])
    shown = [s.text for s, _ in _strings(charts.drawing(crowded, fonts).category_labels)]
    assert 0 < len(shown) < 300


def test_wrap_keeps_punctuation_and_codes(fonts):
    from kmc_reports.fonts import register_reportlab

    font, _ = register_reportlab(fonts)
    for width in range(20, 120, 7):
        lines, whole, cut = charts.wrap("公關企劃人員（含媒體關係、危機處理）KMC2432-001v4",
                                        font, 7, width, 40)
        assert whole
        # narrower than the code's first part: it is cut inside, and that is said
        assert cut == (width < stringWidth("KMC2432-", font, 7))
        for line in lines:
            assert stringWidth(line, font, 7) <= width
            assert line[0] not in "、，。）" and line[-1] not in "（"
        if width >= 35:  # wide enough for the code's parts: split only after its hyphen
            assert any("KMC2432-" in t for t in lines) and any("001v4" in t for t in lines)
    lines, whole, cut = charts.wrap(LONG * 3, font, 7, 50, 2)
    assert not whole and not cut and len(lines) == 2 and lines[-1].endswith("…")
    assert all(stringWidth(t, font, 7) <= 50 for t in lines)


@pytest.mark.parametrize("highest, whole, step, top", [
    (82, True, 20, 100), (4.5, False, 1, 5), (36, True, 10, 40), (0, True, 1, 5),
    (0, False, 1, 1), (1, True, 1, 1), (3, True, 1, 3), (0.3, False, 0.1, 0.3),
    (1e9, False, 2e8, 1e9), (7, True, 2, 8), (13, False, 5, 15), (12, False, 2.5, 12.5)])
def test_nice_scale(highest, whole, step, top):
    assert charts.nice_scale(highest, whole) == pytest.approx((step, top))


@pytest.mark.parametrize("chart", [CHARTS[0], CHARTS[6], CHARTS[18]])
def test_same_drawing_in_every_format(chart, fonts):
    d = charts.drawing(chart, fonts)
    img = Image.open(io.BytesIO(charts.png(chart, fonts, dpi=100)))
    assert img.size == (math.ceil(d.width * 100 / 72), math.ceil(d.height * 100 / 72))
    assert len(img.convert("L").getcolors(1 << 16)) > 2
    svg = charts.svg(chart, fonts)
    assert svg.startswith("<svg") and chart.value_title in svg
    assert "font-family: 'Noto Sans TC'" in svg and "NotoSansTC" not in svg


def test_templates_give_axis_titles_with_units():
    doc = parse('<document><section><chart title="t" categories="A|B" value-title="時數（小時）"'
                ' category-title="單元"><series name="s" values="1,2"/></chart></section>'
                '</document>', "t.xml")
    chart = doc.sections[0].blocks[0]
    assert (chart.value_title, chart.category_title) == ("時數（小時）", "單元")
    syllabus = (ROOT / "templates" / "syllabus.xml.j2").read_text(encoding="utf-8")
    comparison = (ROOT / "templates" / "comparison.xml.j2").read_text(encoding="utf-8")
    assert 'value-title="時數（小時）"' in syllabus
    assert 'value-title="項目數（項）"' in comparison
