"""Chinese line breaking (禁則) of every PDF paragraph (:func:`kmc_reports.writers.pdf.
kinsoku_lines`): real texts of the bundled standards and syllabi and worst cases, wrapped at
widths from 30 to 400 pt, checked line by line."""

from __future__ import annotations

import re

import pytest
import yaml
from reportlab.lib.styles import ParagraphStyle

from kmc_reports import fonts
from kmc_reports.writers.layout import NO_LINE_END, NO_LINE_START
from kmc_reports.writers.pdf import KinsokuParagraph
from conftest import ROOT

CLOSING = "、，。；：！？）〕】》」』,.;:!?)"
OPENING = "（〔【《「『("
CODE = re.compile(r"(?:KMC\d{4}-\d{3}v\d|[PO]\d+\.\d+\.\d+|T\d+\.\d+|[KSA]\d{2}|"
                  r"\d{4}/\d{1,2}/\d{1,2}|\d+\.\d+|[A-Za-z]{2,})")
CRAFTED = [
    "「□口頭報告」「□書面報告」「□實作」，（一）、（二）、（三）。",
    "依據 P1.2.3、K08、T1.1 與 KMC2432-001v4（2023/12/15 版），每次 3.5 小時。",
    "。。。、、、，，，」」」））〕】》』！？；：",
    "（（（「「「【【【《《《〔〔〔『『『",
    "Microsoft Office Word Excel PowerPoint 等軟體，（含 AI 工具）。",
    "甲，乙。丙、丁；戊：己！庚？辛）壬〕癸】子》丑」寅』",
    "<b>P2.4.1</b> 與所有參與者溝通計畫與其樣貌。<b>K73</b> 利害關係人管理（含「□外部」）",
    "這是一個很長很長的句子沒有任何標點符號只為了測試在極窄的欄位中斷行是否正確" * 2,
]


def _texts() -> list[str]:
    out: list[str] = list(CRAFTED)

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and len(node) > 3 and not node.isascii():
            out.append(node)

    for folder in ("standards", "courses"):
        for path in sorted((ROOT / "data" / folder).glob("*.yaml")):
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return list(dict.fromkeys(out))


@pytest.fixture(scope="module")
def style():
    regular, _ = fonts.register_reportlab(fonts.default_fonts())
    return ParagraphStyle("k", fontName=regular, fontSize=9.5, leading=13, wordWrap="CJK")


def _lines(text: str, style, width: float) -> list[str]:
    p = KinsokuParagraph(text, style)
    p.wrap(width, 1e6)
    return ["".join(getattr(f, "text", "") for f in line.words) for line in p.blPara.lines]


def test_the_rules_cover_the_marks():
    assert set(CLOSING) <= set(NO_LINE_START) and set(OPENING) <= set(NO_LINE_END)


def test_every_line_at_every_width(style):
    from html import escape

    texts = _texts()
    assert len(texts) > 300
    bad = []
    for width in (30, 45, 75, 120, 190, 300, 400):
        for text in texts:
            markup = text if text in CRAFTED else escape(text, quote=False)
            lines = _lines(markup, style, width)
            plain = re.sub(r"<[^>]+>", "", text)
            assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", plain)
            for k, line in enumerate(lines):
                line = line.strip()
                if not line:
                    continue
                if k and line[0] in CLOSING and not set(lines[k - 1].strip()) <= set(CLOSING):
                    bad.append((width, "start", line, text))
                if k < len(lines) - 1 and line[-1] in OPENING and \
                        not set(line) <= set(OPENING):
                    bad.append((width, "end", line, text))
            # a code, number or Latin word that fits on a line is never split
            for m in CODE.finditer(plain):
                if style.fontSize * 0.6 * len(m.group()) < width * 0.8 and \
                        not any(m.group() in line for line in lines):
                    bad.append((width, "split", m.group(), text))
    assert not bad, bad[:10]


def test_label_with_box_stays_whole(style):
    for width in range(30, 200, 7):
        for line in _lines("請勾選：「□口頭報告」「□書面報告」。", style, width):
            assert not line.rstrip().endswith("□")


def test_lines_kept_per_width_survive_a_split(style):
    """A paragraph measured again at a width it had gets the same lines, kept from the first
    time; reportlab's split, which appends spaces to the words of the lines it splits at,
    works on copies, so it changes neither the kept lines nor what the next measure gets."""
    text = CRAFTED[1] * 3

    def texts(p):
        return ["".join(f.text for f in line.words) for line in p.blPara.lines]

    p = KinsokuParagraph(text, style)
    p.wrap(120, 1e6)
    first = texts(p)
    once = KinsokuParagraph(text, style)
    once.wrap(120, 1e6)
    parts = [_part_lines(q) for q in p.split(120, 3 * style.leading)]
    assert parts == [_part_lines(q) for q in once.split(120, 3 * style.leading)]
    p.wrap(75, 1e6)
    assert texts(p) == _lines(text, style, 75)
    p.wrap(120, 1e6)
    assert texts(p) == first == _lines(text, style, 120)
    # split again after several measures: the same parts as the first time
    assert [_part_lines(q) for q in p.split(120, 3 * style.leading)] == parts


def _part_lines(p) -> list[str]:
    p.wrap(120, 1e6)
    return ["".join(getattr(f, "text", "") for f in line.words) for line in p.blPara.lines]
