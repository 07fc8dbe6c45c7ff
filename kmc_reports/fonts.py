"""Fonts for the PDF writer: TrueType only, Traditional Chinese coverage checked before writing.

reportlab can embed only TrueType ('glyf') outlines, not CFF, so the Noto Sans CJK .otf files
are no use.  The default is Noto Sans TC from the `justmytype-intl-cjk` package, which ships
it as a *variable* TrueType font whose default instance is Thin; reportlab ignores variations,
so we cut static Regular and Bold instances once and keep them in the user's cache.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fontTools import version as FONTTOOLS_VERSION
from fontTools.ttLib import TTFont

from .atomic import write_bytes
from .errors import KmcError, os_message

BUNDLED_PACKAGE = "justmytype_intl_cjk"
BUNDLED_FONT = "fonts/ofl/notosanstc/NotoSansTC[wght].ttf"
FAMILY = "Noto Sans TC"
_WEIGHTS = {"Regular": 400, "Bold": 700}
# Bump when the way cached instances are made changes, so old caches are not reused.
_RECIPE = "1"
CFF_MESSAGE = "此字型為 CFF (PostScript) 外框，reportlab 無法內嵌；請改用 TrueType (.ttf) 字型"


@dataclass(frozen=True)
class FontSet:
    """One family for the PDF: `bold` is the same file as `regular` when only one was given."""

    family: str
    regular: Path
    bold: Path


def cache_dir() -> Path:
    """$KMC_CACHE_DIR, else $XDG_CACHE_HOME/kmc-reports, else ~/.cache/kmc-reports."""
    env = os.environ.get("KMC_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg) / "kmc-reports"
    return Path.home() / ".cache" / "kmc-reports"


# --- the bundled default ---------------------------------------------------------------

# Who hears about the slow first-time cut of the default fonts: the command line sets this
# (a line on stderr); None keeps the library silent.
progress: Callable[[str], None] | None = None


def default_fonts(notify: Callable[[str], None] | None = None) -> FontSet:
    """Noto Sans TC Regular and Bold, cut from the bundled variable font on first use only.

    Cached file names carry a hash of the source font's size and mtime and of the fontTools
    version, so upgrading either makes fresh instances.  Files are written whole (temp file +
    rename), so two processes racing just both write the same bytes; no locks, no waiting.
    `notify` (else :data:`progress`) hears one line before the slow first-time work (10–30 s
    per weight) and one as each weight is done; nothing at all when the cache has them.
    """
    source = _bundled_source()
    st = source.stat()
    key = hashlib.sha256(
        f"{st.st_size}:{st.st_mtime_ns}:{FONTTOOLS_VERSION}:{_RECIPE}".encode()).hexdigest()[:10]
    folder = cache_dir() / "fonts"
    paths = {style: folder / f"NotoSansTC-{style}-{key}.ttf" for style in _WEIGHTS}
    todo = [style for style, path in paths.items() if not path.is_file()]
    if todo:
        say = notify or progress or (lambda line: None)
        say(f"首次使用：正在準備 PDF 字型 {FAMILY}（{'、'.join(todo)}，約需 {10 * len(todo)}–"
            f"{30 * len(todo)} 秒，只需一次）…")
        for done, style in enumerate(todo, 1):
            start = time.monotonic()
            data = _instantiate(source, _WEIGHTS[style], style)
            try:
                write_bytes(paths[style], data)
            except OSError as exc:
                raise KmcError(f"無法寫入字型快取：{os_message(exc)}",
                               str(folder)) from None
            say(f"  {style} 完成（{done}/{len(todo)}，{time.monotonic() - start:.0f} 秒）"
                + (f"；字型存於 {folder}" if done == len(todo) else ""))
        _prune(folder, keep=set(paths.values()))
    return FontSet(FAMILY, paths["Regular"], paths["Bold"])


def _bundled_source() -> Path:
    """The variable font inside the installed package (a real file: pip installs unzipped)."""
    from importlib import resources

    try:
        path = Path(str(resources.files(BUNDLED_PACKAGE) / BUNDLED_FONT))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise KmcError(f"找不到內建的 {FAMILY} 字型：請安裝 justmytype-intl-cjk 套件，"
                       "或以 --font 指定 TrueType 字型")
    return path


def bundled_missing(text: str) -> list[str]:
    """Characters of ``text`` the bundled font cannot print, read from the variable font
    itself, so asking never cuts the static instances."""
    return missing_characters(_bundled_source(), text)


def _instantiate(source: Path, weight: int, style: str) -> bytes:
    """A static instance of `source` at `weight`, named as a plain Regular/Bold font."""
    from fontTools.varLib import instancer  # slow import; only needed on a cache miss

    font = TTFont(source, recalcTimestamp=False)  # same bytes on every run: reproducible
    # updateFontNames needs a STAT table; _set_static_names below fixes the names either way.
    font = instancer.instantiateVariableFont(font, {"wght": weight}, inplace=True,
                                             updateFontNames="STAT" in font)
    _set_static_names(font, FAMILY, style)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _set_static_names(font: TTFont, family: str, style: str) -> None:
    """Make name IDs 1-4, 6 (and 16/17 if present) say `family` + `style`, never 'Thin'.

    Without this a static instance of Noto's variable font keeps the default instance's
    names, and PDFs would list the font as NotoSansTC-Thin.
    """
    ps_name = re.sub(r"[^A-Za-z0-9]", "", family) + "-" + style
    name = font["name"]
    name.removeNames(nameID=25)  # variations PostScript prefix: meaningless in a static font
    values = {1: family, 2: style, 3: f"{font['head'].fontRevision:.3f};{ps_name}",
              4: f"{family} {style}", 6: ps_name}
    if name.getName(16, 3, 1, 0x409) or name.getName(17, 3, 1, 0x409):
        values.update({16: family, 17: style})
    for name_id, text in values.items():
        # Drop every localised variant first, so no stale 'Thin' survives in another language.
        name.removeNames(nameID=name_id)
        name.setName(text, name_id, 3, 1, 0x409)
    bold = style == "Bold"
    if "OS/2" in font:
        os2 = font["OS/2"]
        os2.usWeightClass = _WEIGHTS.get(style, os2.usWeightClass)
        os2.fsSelection = (os2.fsSelection & ~0x61) | (0x20 if bold else 0x40)  # BOLD / REGULAR
    font["head"].macStyle = (font["head"].macStyle & ~0x3) | (1 if bold else 0)


def _prune(folder: Path, keep: set[Path]) -> None:
    """Remove instances made for an older source/fontTools and temp files of killed runs."""
    for path in folder.glob("NotoSansTC-*.ttf"):
        if path not in keep:
            path.unlink(missing_ok=True)
    for path in folder.glob(".NotoSansTC-*.tmp"):
        try:
            if time.time() - path.stat().st_mtime > 3600:  # a live writer is far quicker
                path.unlink(missing_ok=True)
        except OSError:
            pass


# --- a user's own font -------------------------------------------------------------------

def fonts_from_path(regular: str | Path, bold: str | Path | None = None) -> FontSet:
    """A FontSet from a user's --font file(s), checked now so the PDF writer cannot fail later.

    Accepts TrueType .ttf and .ttc; of a .ttc collection the first font (subfont 0) is used.
    The family name comes from the regular font's name table.
    """
    regular = Path(regular)
    family = _check_font(regular)
    bold = regular if bold is None else Path(bold)
    if bold != regular:
        _check_font(bold)
    return FontSet(family, regular, bold)


def _check_font(path: Path) -> str:
    """The font's family name, or a KmcError naming the file if reportlab could not embed it."""
    where = str(path)
    if path.is_dir():
        raise KmcError("這是資料夾，不是字型檔", where)
    if not path.is_file():
        raise KmcError("找不到字型檔", where)
    try:
        font = TTFont(path, fontNumber=0, lazy=True)
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", where) from None
    except Exception:  # fontTools raises many kinds for files that are not fonts
        raise KmcError("不是字型檔（應為 TrueType .ttf 或 .ttc）", where) from None
    with font:
        if "CFF " in font or "CFF2" in font:
            raise KmcError(CFF_MESSAGE, where)
        if font.flavor:
            raise KmcError(f"{font.flavor.upper()} 網頁字型無法內嵌；請使用 TrueType (.ttf) 字型",
                           where)
        if "glyf" not in font:
            raise KmcError("此字型沒有 TrueType 外框（glyf 表）", where)
        if "fvar" in font:
            raise KmcError("這是可變字型，reportlab 只會內嵌其預設字重；請使用靜態 TrueType (.ttf) "
                           "字型", where)
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        if fs_type == 0x0002 or fs_type & 0x0300:  # the same test reportlab applies
            raise KmcError(f"字型授權禁止內嵌（fsType 0x{fs_type:04X}）",
                           where)
        family = font["name"].getBestFamilyName() if "name" in font else None
    _reportlab_font("_kmc_probe", path)  # reportlab's own parser has the final word
    return family or path.stem


def system_font(name: str) -> Path | None:
    """The file of the installed font family `name`, via fontconfig; None if not installed.

    fc-match always answers with *some* font, so the family it reports must match `name`.
    """
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}\n%{family}", name], capture_output=True,
                             text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, families = out.partition("\n")
    wanted = _loose(name.split(":")[0])
    if file and wanted and wanted in {_loose(f) for f in families.split(",")}:
        path = Path(file)
        return path if path.is_file() else None
    return None


def _loose(family: str) -> str:
    return re.sub(r"[\s_-]", "", family).casefold()


# --- coverage ---------------------------------------------------------------------------

def missing_characters(font: str | Path, text: str) -> list[str]:
    """Characters of `text` the font has no glyph for, distinct and in order of first use.

    Whitespace and control characters are skipped (they are not drawn as glyphs); format
    characters such as U+200B are reported, as reportlab would draw them as a box.  Called
    before writing a PDF so that no missing-glyph box ever reaches a reader.
    """
    cmap = _cmap(str(Path(font).resolve()))
    seen: set[str] = set()
    missing: list[str] = []
    for ch in text:
        if ch in seen:
            continue
        seen.add(ch)
        if ch.isspace() or unicodedata.category(ch) == "Cc":
            continue
        if ord(ch) not in cmap:
            missing.append(ch)
    return missing


@functools.lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    """Code points the font maps (first font of a .ttc), read once per file per process."""
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", path) from None


# --- reportlab ----------------------------------------------------------------------------

_registered: dict[str, str] = {}  # reportlab font name -> resolved file it was registered with
_lock = threading.Lock()


def register_reportlab(fonts: FontSet) -> tuple[str, str]:
    """Register the set with reportlab and return its (regular, bold) font names.

    Names are stable and derived from the family ('NotoSansTC', 'NotoSansTC-Bold'); calling
    again is cheap and returns the same names.  The family mapping makes <b> in a Paragraph
    pick the bold file.  When bold is the regular file, both names are the same.
    """
    from reportlab.pdfbase import pdfmetrics

    base = re.sub(r"[^A-Za-z0-9]", "", fonts.family) or "KmcFont"
    with _lock:
        regular = _register(base, fonts.regular)
        bold = regular if fonts.bold == fonts.regular else _register(base + "-Bold", fonts.bold)
        pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold,
                                      italic=regular, boldItalic=bold)
    return regular, bold


def _register(name: str, path: Path) -> str:
    """Register `path` as `name`; if another file already has that name, add a path hash."""
    from reportlab.pdfbase import pdfmetrics

    key = str(Path(path).resolve())
    for candidate in (name, f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"):
        have = _registered.get(candidate)
        if have == key:
            return candidate
        if have is None:
            pdfmetrics.registerFont(_reportlab_font(candidate, path))
            _registered[candidate] = key
            return candidate
    raise AssertionError("unreachable: the hashed name is unique to the file")


def _reportlab_font(name: str, path: Path):
    """reportlab's TTFont for `path` (first font of a .ttc), its errors made into KmcErrors."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont as RLTTFont

    try:
        return RLTTFont(name, str(path), subfontIndex=0)
    except TTFError as exc:
        msg = str(exc).replace(f'"{path}"', "").replace(str(path), "").strip(" :")
        raise KmcError(f"reportlab 無法使用此字型：{msg}", str(path)) from None
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", str(path)) from None
