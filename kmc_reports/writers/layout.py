"""Page geometry and type sizes shared by the DOCX and PDF writers, so both look alike."""

from __future__ import annotations

import datetime as dt
import re

PAGE = (210.0, 297.0)  # A4, mm
MARGINS = {"portrait": 20.0, "landscape": 15.0}  # left and right, mm
TOP_BOTTOM = 18.0
SIZES = {"body": 10.5, "table": 9.5, "table_small": 8.5, "small": 8.5, "note": 8.5,
         "title": 18.0, "subtitle": 11.0, "h1": 15.0, "h2": 13.0, "h3": 11.0}
# Office files carry dates; a fixed one keeps builds byte-identical.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)


# Metadata fields have length limits: Office core properties (title, subject, keywords,
# author…) hold at most 255 characters; python-docx refuses more.
CORE_PROPERTY_LIMIT = 255


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut; a list
    (「A、B、C」, 「a,b,c」) is cut after a whole item where one ends in the second half."""
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    end = max(head.rfind(sep) for sep in "、,，;； ")
    return (head[:end + 1] if end >= limit // 2 else head) + "…"


def metadata(text: str) -> str:
    """A document property (title, subject, keywords, author) as every writer stores it."""
    return clip(text, CORE_PROPERTY_LIMIT)


def body_width_mm(orientation: str) -> float:
    width = PAGE[1] if orientation == "landscape" else PAGE[0]
    return width - 2 * MARGINS[orientation]


def footer_parts(template: str) -> list[tuple[str, str]]:
    """「第 {page} 頁，共 {pages} 頁」 → text and field pieces."""
    out = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            out.append(("page", ""))
        elif piece == "{pages}":
            out.append(("pages", ""))
        elif piece:
            out.append(("text", piece))
    return out


def inline_markup(runs, line_break: str) -> str:
    """Runs as HTML-style inline markup (<b>, <i>), which both reportlab paragraphs and HTML
    read; `line_break` is how each speaks a forced line break."""
    from html import escape

    out = []
    for run in runs:
        text = escape(run.text, quote=False).replace("\n", line_break)
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        out.append(text)
    return "".join(out)


# -- Chinese line breaking (禁則) ----------------------------------------------------------
# The rules of where a line may end, for every writer that breaks lines itself (the PDF
# writer; Word and browsers apply their own).  A line never starts with a closing mark, never
# ends with an opening one, and never splits a code (P1.2.3, K08, KMC2432-001v4), a number
# (2023/12/15, 3.5) or a Latin word, nor a check box from its label (□口頭報告).
NO_LINE_START = ("、，。；：！？）〕】》」』〉］｝〗〙｠’”・…‥％‰°℃"
                 ",.;:!?)]}%")
NO_LINE_END = "（〔【《「『〈［｛〖〘｟‘“([{" "□■☐☑☒○●◎◇◆"
# A closing mark (or a space) that does not fit may hang past the line's end, as reportlab
# and Word do, rather than pull the character before it down to the next line.
HANGING = "、，。,. "
# Latin words, codes and numbers: letters and digits, joined by . / - _ : , between them
_WORD = re.compile(r"[A-Za-z0-9]+(?:[./\-_:,'’+][A-Za-z0-9]+)*")
_REPEATED = "…‥—─－-"  # 「……」「——」 stay whole


# Inside a word or code longer than a whole line, a break after one of these reads best:
# 「KMC2432-」「001v4」, 「2023/」「12/15」 (never after the dot of T1.2 or 3.5).
_WORD_JOINTS = "-/_"


def line_breaks(text: str) -> tuple[list[bool], list[bool], list[bool]]:
    """Where a line may break in `text`: ``ok[k]`` is True when a line may end between
    ``text[k-1]`` and ``text[k]`` (k = 1 … len-1; ok[0] and ok[len] are True).  The second
    list: the breaks to fall back on when a word or code is longer than a whole line, only
    after a hyphen, slash or underscore joining its parts (「KPS3334-」「004v4」).  The third
    is the same as the first without the rule against splitting words: the last resort, for
    such a word with no joint that helps (punctuation rules still hold)."""
    n = len(text)
    loose = [True] * (n + 1)
    for k in range(1, n):
        a, b = text[k - 1], text[k]
        if b.isspace():
            loose[k] = False  # a space stays at the end of its line
        elif b in NO_LINE_START or a in NO_LINE_END:
            loose[k] = False
        elif a == b and a in _REPEATED:
            loose[k] = False
    strict, joints = list(loose), [False] * (n + 1)
    for m in _WORD.finditer(text):
        for k in range(m.start() + 1, m.end()):
            strict[k] = False
            joints[k] = loose[k] and text[k - 1] in _WORD_JOINTS
    return strict, joints, loose
