"""Text helpers shared by the importers: decoding, markup, footnote markers, codes, joins."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel

from ..errors import KmcError

# -- decoding ----------------------------------------------------------------------------

_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]


def decode(data: bytes, path: str) -> str:
    """Decode the encodings users have: UTF-8 (BOM or not), UTF-16, Big5/CP950."""
    if not data.strip():
        raise KmcError("空白檔案", path)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _clean(data.decode(enc, errors="strict"), path)
    if b"\x00" in data:  # UTF-16 without a BOM, or binary
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return _clean(text, path)
        raise KmcError("二進位檔案，不是職能基準文字檔", path)
    try:
        return _clean(data.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # cut inside its last character: UTF-8 all the same (the reader then sees where
            # the text stops)
            return _clean(data[:exc.start].decode("utf-8"), path)
    for enc in ("cp950", "big5hkscs"):
        try:
            return _clean(data.decode(enc), path)
        except UnicodeDecodeError:
            continue
    raise KmcError("無法辨識文字編碼（已嘗試 UTF-8、UTF-16、Big5/CP950）", path)


def _plausible(text: str) -> bool:
    """Text, not bytes read with the wrong encoding: no control characters, mostly CJK or
    ASCII letters."""
    if any(unicodedata.category(c) in ("Cc", "Cs", "Cn") and c not in "\n\r\t\f"
           for c in text):
        return False
    good = sum(1 for c in text if c.isascii() or is_cjk(c))
    return good >= 0.9 * len(text)


def _clean(text: str, path: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f")
    if bad > max(8, len(text) // 100):
        raise KmcError("二進位檔案，不是職能基準文字檔", path)
    return text


# -- characters ----------------------------------------------------------------------------


def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms: text that joins without spaces."""
    o = ord(ch)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x2E80 <= o <= 0x2FDF)


def width(s: str) -> int:
    """Display width: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


_CJK_SPACE = re.compile(r"(?<=[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff"
                        r"\uf900-\ufaff\uff00-\uffef])\s+(?=[\u2e80-\u2fdf\u3000-\u303f"
                        r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef])")


_PUNCT = r"()\[\]{}/,.;:!?%&+\-"
_CJK_PUNCT_SPACE = re.compile(
    rf"(?<=[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef])"
    rf"\s+(?=[{_PUNCT}])|(?<=[{_PUNCT}])\s+(?=[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf"
    rf"\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef])")


def join_cjk(text: str) -> str:
    """Undo line wraps and stray spaces: no space between two CJK characters or between CJK
    and punctuation; one space elsewhere (「運用 AI 科技」 keeps its spaces)."""
    text = re.sub(r"\s+", " ", text).strip()
    return _CJK_PUNCT_SPACE.sub("", _CJK_SPACE.sub("", text))


_IDEOGRAPH = r"[\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_FONT_GAP = re.compile(rf"(?<={_IDEOGRAPH})[ \t]+(?=[A-Za-z0-9])|"
                       rf"(?<=[A-Za-z0-9])[ \t]+(?={_IDEOGRAPH})")


def drop_font_gaps(value):
    """A text (or every text of a model, list or dict) without the spaces pdftotext prints
    where Chinese characters and Latin letters or digits meet (「PCB 品檢員」: the two are set
    in different fonts, and pdftotext spaces runs of different fonts); the PDF holds no space
    there (「PCB品檢員」).  Spaces between Latin words stay (「ISO/IEC 17025」)."""
    if isinstance(value, str):
        return _FONT_GAP.sub("", value)
    if isinstance(value, list):
        return [drop_font_gaps(v) for v in value]
    if isinstance(value, dict):
        return {k: drop_font_gaps(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(update={k: drop_font_gaps(getattr(value, k))
                                        for k in type(value).model_fields})
    return value


def split_cjk_gaps(text: str) -> list[str]:
    """Split a line where a space stands between two CJK characters (separate PDF cells)."""
    return [p for p in _CJK_SPACE.split(text.strip()) if p]


# -- markup and footnote markers -------------------------------------------------------------

_MARKER = re.compile(
    r"(?:<u>(?P<u>.*?)</u>\s*)?(?:\^\{\s*)?(?:\*\*)?【\s*註\s*(?P<n>\d+)\s*】(?:\*\*)?(?:\s*\})?")
_TAG = re.compile(r"</?\s*(?:p|u|b|i|strong|em|span|br|li|ul|ol|div|font)\b[^>]*>", re.I)
_BLOCK_TAG = re.compile(r"</?\s*(?:p|br|li|ul|ol|div)\b[^>]*>", re.I)


@dataclass
class Marker:
    number: int
    text: str  # the underlined words the marker explains, if the source marks them


def take_markers(text: str) -> tuple[str, list[Marker]]:
    """Remove 【註N】 markers (also ^{【註N】}) and return them; underlined words are kept."""
    found: list[Marker] = []

    def repl(m: re.Match) -> str:
        found.append(Marker(int(m.group("n")), join_cjk(strip_markup(m.group("u") or ""))))
        return m.group("u") or ""

    return _MARKER.sub(repl, text), found


def strip_markup(text: str) -> str:
    """Drop HTML tags and markdown emphasis; block tags become line breaks."""
    text = _BLOCK_TAG.sub("\n", text)
    text = _TAG.sub("", text)
    text = re.sub(r"\*\*(.*?)\*\*", r"\1", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<") \
        .replace("&gt;", ">")
    return text


def clean(text: str) -> tuple[str, list[Marker]]:
    """An item's text as the model keeps it, with its footnote markers apart."""
    text, markers = take_markers(text)
    return join_cjk(strip_markup(text)), markers


def flat(line: str) -> str:
    """A layout line reduced to words: no tabs, table pipes or markup."""
    line = strip_markup(line).replace("\t", " ")
    if line.lstrip().startswith("|"):
        line = line.replace("|", " ")
    return re.sub(r"\s+", " ", line).strip()


# The heading of the qualifications (建議擔任此職類/職業之學歷/經驗/或能力條件), which some
# converted standards repeat as the first qualification line.
QUAL_HEAD = re.compile(r"^(?:建議擔任)?[^：:]{0,20}學歷[^：:]*條件\s*[:：]?\s*")


# -- codes ------------------------------------------------------------------------------------

_B = r"(?<![A-Za-z0-9.])"
CODE_PATTERNS = {
    "duty": _B + r"T\d+(?![.\d])",
    "task": _B + r"T\d+\.\d+(?![.\d])",
    "output": _B + r"O\.?\d+\.\d+(?:\.\d+)?(?![.\d])",  # O.2.2.3: a stray dot
    "indicator": _B + r"P\.?\d+\.\d+(?:\.\d+)?(?![.\d])",
    "knowledge": _B + r"K\d+(?![.\d])",
    "skill": _B + r"S\d+(?![.\d])",
    "attitude": _B + r"A\d+(?![.\d])",
}
CODE_RES = {k: re.compile(v) for k, v in CODE_PATTERNS.items()}


def split_items(text: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a cell at the codes of one kind: (leading uncoded text, [(code, raw text)])."""
    matches = list(CODE_RES[kind].finditer(text))
    if not matches:
        return text, []
    items = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        items.append((m.group().replace(".", "", 1) if m.group()[1] == "." else m.group(),
                      text[m.end():end]))
    return text[:matches[0].start()], items


def glued_codes(text: str, kind: str) -> list[str]:
    """Codes of one kind printed right after other text (「計畫O.2.2.3人員考核表」)."""
    return [m.group() for m in CODE_RES[kind].finditer(text)
            if m.start() and not text[m.start() - 1].isspace() and text[m.start() - 1] != ">"]


def code_parts(code: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", code))


def named_task(code: str) -> str | None:
    """The task an output or indicator code names (P1.2.3 → T1.2).  Two-level codes (P1.2),
    which older standards number per duty, name none."""
    parts = code_parts(code)
    return f"T{parts[0]}.{parts[1]}" if len(parts) == 3 else None


# A code glued into another item's text, sometimes with a stray dot (計畫O.2.2.3人員考核表).
_GLUED = {kind: (letter, re.compile(
    rf"(?<=[^\sA-Za-z0-9.]){letter}\.?(\d+(?:\.\d+){{{n}}})(?![.\d])"))
    for kind, letter, n in (("output", "O", "1,2"), ("indicator", "P", "1,2"),
                            ("knowledge", "K", "0"), ("skill", "S", "0"))}


def split_glued(code: str | None, text: str, kind: str) -> list[tuple[str | None, str]]:
    """An item whose text carries further items of its kind glued on, as separate items."""
    letter, pattern = _GLUED[kind]
    matches = list(pattern.finditer(text))
    if not matches:
        return [(code, text)]
    out = [(code, text[:matches[0].start()].strip())]
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out.append((letter + m.group(1), text[m.end():end].strip()))
    return [(c, t) for c, t in out if t]


_LEVEL_CELL = re.compile(r"[1-6](?:\s*級)?")


def parse_level(value) -> tuple[int | None, str]:
    """(level, as printed) of a level cell: a level 1–6, or None and the printed text when
    the cell holds anything else (「34」, 「4級以上」, 「3（初）」) or nothing."""
    if isinstance(value, bool) or value is None:
        return None, ""
    text = str(value).strip()
    if _LEVEL_CELL.fullmatch(text):
        return int(text[0]), ""
    return None, text
