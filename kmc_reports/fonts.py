"""Fonts for the PDF writer: TrueType only, Traditional Chinese coverage checked before writing.

reportlab can embed only TrueType ('glyf') outlines, not CFF, so the Noto Sans CJK .otf files
are no use.  The default is Noto Sans TC from the `justmytype-intl-cjk` package, which ships
it as a *variable* TrueType font whose default instance is Thin; reportlab ignores variations,
so we cut static Regular and Bold instances once and keep them in the user's cache.

The cache is shared by every install (virtual environment, version) and every process of the
user: files are named by a hash of what they are made from, written whole (temp file +
rename), touched when used and removed only after 30 days unused, and flock(2) keeps a
remover from deleting a file that a starting run is about to use.  Beside each font it keeps
what is slow to parse per process (reportlab's tables, the character map) in a plain
array format, not pickle, so a damaged or foreign file is merely rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import unicodedata
from array import array
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Callable


from . import lifecycle
from .atomic import write_bytes
from .cache import cache_dir
from .errors import KmcError, os_message

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; atomic renames still keep files whole
    fcntl = None

BUNDLED_PACKAGE = "justmytype_intl_cjk"
BUNDLED_FONT = "fonts/ofl/notosanstc/NotoSansTC[wght].ttf"
FAMILY = "Noto Sans TC"
_WEIGHTS = {"Regular": 400, "Bold": 700}
# Bump when the way cached instances are made changes, so old caches are not reused.
_RECIPE = "1"
# Bump when the layout of the cached tables (_save_arrays, _face_arrays) changes.
_TABLES_FORMAT = "1"
KEEP_UNUSED_DAYS = 30
_DAY = 86400.0
# Every file the cache folder holds: fonts (also the NotoSansTC-<style>-<key>.ttf of earlier
# versions), cached tables, remembered digests and per-key build locks; not the global `.lock`.
_CACHE_FILE = re.compile(
    r"^(NotoSansTC[-.].+\.ttf|[0-9a-f]{32}\.(reportlab|cmap|sha256)|\.[0-9a-f]{16}\.lock)$")
CFF_MESSAGE = "此字型為 CFF (PostScript) 外框，reportlab 無法內嵌；請改用 TrueType (.ttf) 字型"


@dataclass(frozen=True)
class FontSet:
    """One family for the PDF: `bold` is the same file as `regular` when only one was given."""

    family: str
    regular: Path
    bold: Path


# --- the bundled default ---------------------------------------------------------------

# Who hears about the slow first-time cut of the default fonts: the command line sets this
# (a line on stderr); None keeps the library silent.
progress: Callable[[str], None] | None = None


def default_fonts(notify: Callable[[str], None] | None = None) -> FontSet:
    """Noto Sans TC Regular and Bold, cut from the bundled variable font on first use only.

    Cached file names carry a hash of the source font's content and of the fontTools version,
    so every install with the same font and fontTools shares one pair and an upgrade makes a
    new pair without touching the old one (another install may still use it).  Concurrent
    first runs of the same pair wait for one cutter instead of each spending 10–30 s per
    weight.  `notify` (else :data:`progress`) hears one line before the slow first-time work
    and one as each weight is done; nothing at all when the cache has them.
    """
    source = _bundled_source()
    folder = cache_dir() / "fonts"
    key = hashlib.sha256(f"{_file_sha256(str(source))}:{fonttools_version()}:{_RECIPE}"
                         .encode()).hexdigest()[:16]
    # Dots, not the hyphens of earlier versions, whose clean-up deletes every NotoSansTC-*.ttf.
    paths = {style: folder / f"NotoSansTC.{style}.{key}.ttf" for style in _WEIGHTS}
    with _locked(folder / ".lock", exclusive=False):  # no pruning between the check and use
        if all(_touch(path) for path in paths.values()):
            return FontSet(FAMILY, paths["Regular"], paths["Bold"])
    say = notify or progress or (lambda line: None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KmcError(f"無法寫入字型快取：{os_message(exc)}", str(folder)) from None
    with _locked(folder / f".{key}.lock", exclusive=True,
                 waiting=lambda: say(f"另一個程序正在準備 PDF 字型 {FAMILY}，等待它完成…")):
        todo = [style for style, path in paths.items() if not path.is_file()]
        if todo:
            say(f"首次使用：正在準備 PDF 字型 {FAMILY}（{'、'.join(todo)}，約需 {10 * len(todo)}–"
                f"{30 * len(todo)} 秒，只需一次）…")
        for done, style in enumerate(todo, 1):
            start = time.monotonic()
            data = _instantiate(source, _WEIGHTS[style], style)
            try:
                write_bytes(paths[style], data)
            except OSError as exc:
                raise KmcError(f"無法寫入字型快取：{os_message(exc)}", str(folder)) from None
            say(f"  {style} 完成（{done}/{len(todo)}，{time.monotonic() - start:.0f} 秒）"
                + (f"；字型存於 {folder}" if done == len(todo) else ""))
    prune(folder)
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
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer  # slow imports; only needed on a cache miss

    font = TTFont(source, recalcTimestamp=False)  # same bytes on every run: reproducible
    # updateFontNames needs a STAT table; _set_static_names below fixes the names either way.
    font = instancer.instantiateVariableFont(font, {"wght": weight}, inplace=True,
                                             updateFontNames="STAT" in font)
    _set_static_names(font, FAMILY, style)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _set_static_names(font, family: str, style: str) -> None:
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


def prune(folder: Path) -> list[Path]:
    """Remove cache files unused for :data:`KEEP_UNUSED_DAYS` days; returns those removed.

    Only by age: a font another install still uses is touched by it at least daily, so it is
    never old.  Runs only when no process is between checking and touching a font (the
    shared lock in :func:`default_fonts`); when one is, this time nothing is removed.
    """
    removed: list[Path] = []
    limit = time.time() - KEEP_UNUSED_DAYS * _DAY
    with _locked(folder / ".lock", exclusive=True, wait=False) as free:
        if not free:
            return removed
        try:
            entries = [e for e in os.scandir(folder) if _CACHE_FILE.match(e.name)]
        except OSError:
            return removed
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _touch(path: Path) -> bool:
    """True if `path` exists; marks it used (mtime) at most once a day, for :func:`prune`."""
    try:
        if time.time() - path.stat().st_mtime > _DAY:
            os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:  # another user's shared cache: readable, but not ours to touch
        pass
    return True


@contextlib.contextmanager
def _locked(path: Path, exclusive: bool, wait: bool = True,
            waiting: Callable[[], None] | None = None):
    """Hold flock(2) on `path` (the OS drops it if the process dies, so it is never stale).

    Yields False only when `wait` is off and another process holds the lock; `waiting` is
    called once before blocking.  Where there is no flock (Windows) or the lock file cannot
    be made (a read-only cache), yields True without a lock: the atomic writes still keep
    every file whole, only the waiting and the prune guard are lost.
    """
    try:
        fh = open(path, "ab") if fcntl else None
    except OSError:
        fh = None
    if fh is None:
        yield True
        return
    with fh:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fh, mode | fcntl.LOCK_NB)
            got = True
        except BlockingIOError:
            got = False
        except OSError:  # e.g. no locks on this file system
            got = True
        if not got and wait:
            if waiting:
                waiting()
            fcntl.flock(fh, mode)
            got = True
        yield got


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
    from fontTools.ttLib import TTFont

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
    cmap = _cmap(str(font))
    unknown = {ch for ch in set(text) if ord(ch) not in cmap}  # each distinct character once
    if not unknown:
        return []
    return [ch for ch in dict.fromkeys(text) if ch in unknown
            and not ch.isspace() and unicodedata.category(ch) != "Cc"]


@functools.lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    """Code points the font maps (first font of a .ttc), read once per file per process and
    kept in the cache: fontTools takes ~60 ms to parse a CJK character map."""
    path = str(Path(path).resolve())
    try:
        digest = _file_sha256(path)
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", path) from None
    cache = _tables_path(digest, "cmap", fonttools_version())
    stored = _load_arrays(cache)
    if stored is not None and list(stored) == ["codes"]:
        return frozenset(stored["codes"])
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            codes = sorted(font.getBestCmap() or ())
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", path) from None
    _save_arrays(cache, {"codes": codes})
    return frozenset(codes)


@functools.lru_cache(maxsize=1)
def fonttools_version() -> str:
    """fontTools' version, part of every cache key its work goes into.  Read from its
    __init__.py, where fontTools states it: importing fontTools (≈20 ms) is left to the runs
    that cut or parse a font."""
    spec = importlib.util.find_spec("fontTools")
    try:
        with open(spec.origin, encoding="utf-8") as fh:
            found = re.search(r'^version = __version__ = "([^"]+)"', fh.read(), re.M)
    except (OSError, TypeError, AttributeError):
        found = None
    if found:
        return found.group(1)
    from fontTools import version

    return version


# --- cached tables ---------------------------------------------------------------------------

_digests: dict[tuple[str, str], str] = {}  # (path, size:mtime:inode) -> SHA-256 of content


def _file_sha256(path: str, data: bytes | None = None,
                 st: os.stat_result | None = None) -> str:
    """SHA-256 of a file's content (`data` if the caller has read it): once per version of
    the file, not once per process.

    Like make or git's index, a file whose size, mtime and inode are unchanged is taken to be
    unchanged; the digest is remembered in the cache as ``<hash of the path>.sha256``, so a
    run need not read the 12 MB variable font just to name the instances.
    """
    st = st or os.stat(path)
    where, version = os.path.abspath(path), f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    if (where, version) in _digests:
        return _digests[where, version]
    memo = cache_dir() / "fonts" / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.sha256"
    try:
        have, _, digest = memo.read_text("ascii").partition(" ")
    except (OSError, ValueError):
        have = digest = ""
    if have == version and re.fullmatch(r"[0-9a-f]{64}", digest):
        _touch(memo)
    else:
        h = hashlib.sha256()
        if data is None:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        else:
            h.update(data)
        digest = h.hexdigest()
        try:
            write_bytes(memo, f"{version} {digest}".encode())
        except OSError:
            pass
    _digests[where, version] = digest
    return digest


def _read_font(path: str) -> tuple[bytes, str]:
    """A font file's bytes and their SHA-256."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = fh.read()
    return data, _file_sha256(path, data, st)


def _tables_path(digest: str, kind: str, version: str) -> Path:
    """Where tables of `kind` parsed from the font with content `digest` by `version` of the
    parser are kept; byte order is part of the key as the arrays are stored natively."""
    key = hashlib.sha256(f"{digest}:{kind}:{version}:{_TABLES_FORMAT}:{sys.byteorder}"
                         .encode()).hexdigest()[:32]
    return cache_dir() / "fonts" / f"{key}.{kind}"


_MAGIC = b"kmc-reports tables\n"


def _save_arrays(path: Path, fields: dict[str, list]) -> None:
    """Store lists of numbers as typed arrays behind a JSON header and a SHA-256 of it all.

    Ints stay ints and floats floats (reportlab prints them differently in a PDF).  A cache
    that cannot be written is no error: the next run parses the font again.
    """
    header, blobs = [], []
    for name, values in fields.items():
        code = "q" if all(type(v) is int for v in values) else "d"
        header.append([name, code, len(values)])
        blobs.append(array(code, values).tobytes())
    head = json.dumps(header).encode()
    body = struct.pack("<I", len(head)) + head + b"".join(blobs)
    try:
        write_bytes(path, _MAGIC + hashlib.sha256(body).digest() + body)
    except OSError:
        return
    prune(path.parent)


def _load_arrays(path: Path) -> dict[str, list] | None:
    """What :func:`_save_arrays` stored, or None for a missing, half-written, damaged or
    foreign file (the caller parses the font again and overwrites it).  Nothing in the file
    is executed or unpickled; the hash only tells damage from data."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    start = len(_MAGIC) + 32
    if not blob.startswith(_MAGIC) or hashlib.sha256(blob[start:]).digest() != blob[
            len(_MAGIC):start]:
        return None
    try:
        (size,) = struct.unpack_from("<I", blob, start)
        pos = start + 4 + size
        out = {}
        for name, code, count in json.loads(blob[start + 4:pos]):
            if code not in ("q", "d") or type(count) is not int or count < 0:
                return None
            values = array(code)
            end = pos + count * values.itemsize
            values.frombytes(blob[pos:end])
            if len(values) != count:
                return None
            out[name], pos = values.tolist(), end
    except (ValueError, TypeError, struct.error, RecursionError):
        return None
    if pos != len(blob):
        return None
    _touch(path)
    return out


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
    """reportlab's TTFont for `path` (first font of a .ttc), its errors made into KmcErrors.

    reportlab parses the character map, widths and glyph offsets in pure Python on every
    load (~35 ms a weight for Noto Sans TC, more on a busy machine); those tables are kept
    in the cache, keyed by the font's content and reportlab's version, and reused.
    """
    from reportlab import Version as REPORTLAB_VERSION
    from reportlab.pdfbase.ttfonts import TTFError, TTFont as RLTTFont

    try:
        data, digest = _read_font(str(path))
        cache = _tables_path(digest, "reportlab", REPORTLAB_VERSION)
        with lifecycle.bulk():
            tables = _face_tables(_load_arrays(cache))
        if tables is not None:
            return _font_from_tables(name, str(path), data, tables)
        font = RLTTFont(name, str(path), subfontIndex=0)
    except TTFError as exc:
        msg = str(exc).replace(f'"{path}"', "").replace(str(path), "").strip(" :")
        raise KmcError(f"reportlab 無法使用此字型：{msg}", str(path)) from None
    except OSError as exc:
        raise KmcError(f"無法讀取字型檔：{os_message(exc)}", str(path)) from None
    _save_arrays(cache, _face_arrays(font.face))
    return font


# The tables reportlab's TTFontFile.extractInfo reads after its cheap header fields, as flat
# lists of numbers: dicts as key and value lists, glyph -> [codes] as counts and codes.
_FACE_FIELDS = ("c2g_codes", "c2g_glyphs", "g2c_glyphs", "g2c_counts", "g2c_codes",
                "width_codes", "widths", "default_width", "advances", "lsbs", "glyph_pos")


def _face_arrays(face) -> dict[str, list]:
    g2c = face.glyphToChar
    return dict(zip(_FACE_FIELDS, (
        list(face.charToGlyph), list(face.charToGlyph.values()),
        list(g2c), [len(codes) for codes in g2c.values()],
        [code for codes in g2c.values() for code in codes],
        list(face.charWidths), list(face.charWidths.values()), [face.defaultWidth],
        [advance for advance, _ in face.hmetrics], [lsb for _, lsb in face.hmetrics],
        list(face.glyphPos))))


def _face_tables(arrays: dict[str, list] | None) -> dict | None:
    """The face attributes :func:`_face_arrays` flattened, or None if they do not fit together
    (a file of another layout)."""
    if arrays is None or tuple(arrays) != _FACE_FIELDS:
        return None
    a = arrays
    counts = a["g2c_counts"]
    if (len(a["c2g_codes"]) != len(a["c2g_glyphs"]) or len(a["g2c_glyphs"]) != len(counts)
            or min(counts, default=0) < 0 or sum(counts) != len(a["g2c_codes"])
            or len(a["width_codes"]) != len(a["widths"]) or len(a["default_width"]) != 1
            or len(a["advances"]) != len(a["lsbs"])):
        return None
    codes, ends = a["g2c_codes"], list(accumulate(counts))
    return {"charToGlyph": dict(zip(a["c2g_codes"], a["c2g_glyphs"])),
            "glyphToChar": {g: codes[end - n:end]
                            for g, n, end in zip(a["g2c_glyphs"], counts, ends)},
            "charWidths": dict(zip(a["width_codes"], a["widths"])),
            "defaultWidth": a["default_width"][0],
            "hmetrics": list(zip(a["advances"], a["lsbs"])),
            "glyphPos": a["glyph_pos"]}


def _font_from_tables(name: str, path: str, data: bytes, tables: dict):
    """The TTFont reportlab's constructor would make, minus its slow part: reportlab itself
    reads the file's header fields (TTFontFile with charInfo=0), the cache adds the rest.

    This mirrors TTFont.__init__ and TTFontFace.__init__; test_fonts checks that the result
    still equals reportlab's own, attribute by attribute, after any reportlab upgrade.
    """
    from fnmatch import fnmatch
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont as RLTTFont, TTFontFace, \
        TTFontFile

    face = TTFontFace.__new__(TTFontFace)
    pdfmetrics.TypeFace.__init__(face, None)
    face.filename, face._ttf_data = path, data  # TTFontParser.readFile keeps preset data
    TTFontFile.__init__(face, None, charInfo=0)
    face.__dict__.update(tables)
    font = RLTTFont.__new__(RLTTFont)
    font.fontName, font.face, font.encoding = name, face, TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    return font
