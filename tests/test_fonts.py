"""Fonts for the PDF writer: cached static Noto Sans TC, user fonts, coverage, reportlab.

The bundled variable font is instantiated once per test session (about 20 s) into the shared
temporary cache of conftest.py; every other test reuses it or builds a tiny font of its own.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.ttCollection import TTCollection

from kmc_reports import fonts
from kmc_reports.errors import KmcError


@pytest.fixture
def noto(font_cache, monkeypatch) -> fonts.FontSet:
    """The cached default FontSet, with KMC_CACHE_DIR pointing at the session cache."""
    monkeypatch.setenv("KMC_CACHE_DIR", str(font_cache))
    return fonts.default_fonts()


def _box(pen, width=500):
    pen.moveTo((50, 0))
    pen.lineTo((50, 700))
    pen.lineTo((width - 50, 700))
    pen.lineTo((width - 50, 0))
    pen.closePath()


def tiny_font(path: Path, family="Tiny Test", style="Regular", cff=False, fs_type=0) -> Path:
    """A two-glyph font ('A' only) with TrueType or CFF outlines."""
    fb = FontBuilder(1000, isTTF=not cff)
    fb.setupGlyphOrder([".notdef", "A"])
    fb.setupCharacterMap({ord("A"): "A"})
    ps_name = family.replace(" ", "") + "-" + style
    if cff:
        strings = {}
        for g in (".notdef", "A"):
            pen = T2CharStringPen(500, None)
            _box(pen)
            strings[g] = pen.getCharString()
        fb.setupCFF(ps_name, {"FullName": f"{family} {style}"}, strings, {})
    else:
        glyphs = {}
        for g in (".notdef", "A"):
            pen = TTGlyphPen(None)
            _box(pen)
            glyphs[g] = pen.glyph()
        fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({".notdef": (500, 50), "A": (500, 50)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": style, "psName": ps_name})
    fb.setupOS2(fsType=fs_type)
    fb.setupPost()
    fb.save(str(path))
    return path


# --- cache location ------------------------------------------------------------------------

def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path / "k"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert fonts.cache_dir() == tmp_path / "k"
    monkeypatch.delenv("KMC_CACHE_DIR")
    assert fonts.cache_dir() == tmp_path / "x" / "kmc-reports"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert fonts.cache_dir() == tmp_path / "home" / ".cache" / "kmc-reports"


# --- the bundled default -----------------------------------------------------------------

def test_default_fonts_are_static_regular_and_bold(noto, font_cache):
    assert noto.family == "Noto Sans TC"
    assert noto.regular.parent == font_cache / "fonts" and noto.regular != noto.bold
    for path, style, weight in ((noto.regular, "Regular", 400), (noto.bold, "Bold", 700)):
        with TTFont(path) as font:
            name = font["name"]
            assert "fvar" not in font and "gvar" not in font and "glyf" in font
            assert name.getDebugName(1) == "Noto Sans TC"
            assert name.getDebugName(2) == style
            assert name.getDebugName(4) == f"Noto Sans TC {style}"
            assert name.getDebugName(6) == f"NotoSansTC-{style}"
            for typo_id, want in ((16, "Noto Sans TC"), (17, style)):
                assert name.getDebugName(typo_id) in (None, want)
            assert not [r for r in name.names if "Thin" in r.toUnicode()]
            assert font["OS/2"].usWeightClass == weight
            assert bool(font["OS/2"].fsSelection & 0x20) == (style == "Bold")
    # No font but the two finished ones is left in the cache folder: no temp files.
    assert sorted(p.name for p in (font_cache / "fonts").iterdir()
                  if p.suffix in (".ttf", ".tmp")) == sorted([noto.bold.name, noto.regular.name])


def test_second_call_reuses_the_cache(noto, monkeypatch):
    from fontTools.varLib import instancer

    def boom(*args, **kwargs):
        raise AssertionError("instantiated again")

    monkeypatch.setattr(instancer, "instantiateVariableFont", boom)
    assert fonts.default_fonts() == noto


def test_new_process_reuses_the_cache(noto, font_cache):
    """A second run neither cuts the fonts nor parses their tables: the instances,
    reportlab's tables and the character maps all come from the cache."""
    fonts.register_reportlab(noto)  # the first run, in this process
    fonts.missing_characters(noto.bold, "職")
    code = ("import fontTools.varLib.instancer as i\n"
            "from fontTools.ttLib.tables._c_m_a_p import table__c_m_a_p\n"
            "from reportlab.pdfbase.ttfonts import TTFontFile\n"
            "def boom(*a, **k): raise SystemExit('parsed again')\n"
            "i.instantiateVariableFont = table__c_m_a_p.decompile = boom\n"
            "extract = TTFontFile.extractInfo\n"
            "TTFontFile.extractInfo = lambda self, charInfo=1: (boom() if charInfo else\n"
            "                                                   extract(self, 0))\n"
            "from kmc_reports import fonts\n"
            "fs = fonts.default_fonts()\n"
            "assert fonts.missing_characters(fs.bold, '職能𠀀') == ['𠀀']\n"
            "print(fs.regular, fonts.register_reportlab(fs))\n")
    env = {**os.environ, "KMC_CACHE_DIR": str(font_cache)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(" ", 1) == [str(noto.regular), "('NotoSansTC', 'NotoSansTC-Bold')\n"]


def test_digests_are_remembered_per_file_version(noto, tmp_path, monkeypatch):
    """Naming the instances needs the variable font's SHA-256; a run reads the remembered
    one instead of 12 MB, and a changed file is hashed afresh."""
    source = str(fonts._bundled_source())
    want = fonts._file_sha256(source)
    monkeypatch.setattr(fonts, "_digests", {})  # as in a new process

    def no_reading(*args, **kwargs):
        raise AssertionError("read the font to hash it again")

    with monkeypatch.context() as m:
        m.setattr(fonts, "open", no_reading, raising=False)
        assert fonts._file_sha256(source) == want
    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "f.ttf"
    path.write_bytes(b"one")
    assert fonts._file_sha256(str(path)) == hashlib.sha256(b"one").hexdigest()
    path.write_bytes(b"other")
    assert fonts._file_sha256(str(path)) == hashlib.sha256(b"other").hexdigest()


def test_cache_key_names_source_and_fonttools(noto):
    key = noto.regular.name.split(".")[2]
    assert re.fullmatch(r"[0-9a-f]{16}", key) and noto.bold.name.split(".")[2] == key
    assert not noto.regular.name.startswith("NotoSansTC-")  # what earlier versions delete


def test_set_static_names_without_stat(tmp_path):
    """The fallback that names a static cut when updateFontNames could not (no STAT)."""
    path = tiny_font(tmp_path / "thin.ttf", family="Foo Thin", style="Regular")
    with TTFont(path) as font:
        font["name"].setName("Foo", 16, 3, 1, 0x409)
        font["name"].setName("Thin", 17, 3, 1, 0x409)
        font["name"].setName("Foo Thin", 1, 3, 1, 0x404)  # a localised record
        fonts._set_static_names(font, "Foo", "Bold")
        name = font["name"]
        assert [name.getDebugName(i) for i in (1, 2, 4, 6, 16, 17)] == [
            "Foo", "Bold", "Foo Bold", "Foo-Bold", "Foo", "Bold"]
        assert not [r for r in name.names if "Thin" in r.toUnicode()]
        assert font["OS/2"].fsSelection & 0x20 and font["head"].macStyle & 1


# --- coverage ------------------------------------------------------------------------------

def test_missing_characters(noto):
    assert fonts.missing_characters(noto.regular, "職能基準 ABC abc 123，。\n\t") == []
    text = "職能\U0001F600基準𠀀A\U0001F600 \x00"
    assert fonts.missing_characters(noto.regular, text) == ["\U0001F600", "𠀀"]
    assert fonts.missing_characters(noto.bold, "𠀀職") == ["𠀀"]


# --- a user's font -----------------------------------------------------------------------

def test_fonts_from_path_accepts_ttf_and_ttc(tmp_path):
    ttf = tiny_font(tmp_path / "tiny.ttf")
    assert fonts.fonts_from_path(ttf) == fonts.FontSet("Tiny Test", ttf, ttf)
    bold = tiny_font(tmp_path / "tiny-bold.ttf", style="Bold")
    assert fonts.fonts_from_path(str(ttf), str(bold)) == fonts.FontSet("Tiny Test", ttf, bold)
    ttc = tmp_path / "pair.ttc"
    coll = TTCollection()
    coll.fonts = [TTFont(ttf), TTFont(tiny_font(tmp_path / "other.ttf", family="Other"))]
    coll.save(str(ttc))
    assert fonts.fonts_from_path(ttc).family == "Tiny Test"  # subfont 0
    assert fonts.missing_characters(ttc, "AB") == ["B"]


def test_fonts_from_path_rejects_cff(tmp_path):
    otf = tiny_font(tmp_path / "tiny.otf", cff=True)
    with pytest.raises(KmcError) as err:
        fonts.fonts_from_path(otf)
    assert str(err.value) == f"{otf}: {fonts.CFF_MESSAGE}"
    assert "CFF (PostScript)" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"not a font at all\n"])
def test_fonts_from_path_rejects_non_fonts(tmp_path, content):
    text = tmp_path / "notes.txt"
    text.write_bytes(content)
    with pytest.raises(KmcError) as err:
        fonts.fonts_from_path(text)
    assert str(err.value).startswith(f"{text}: ")


def test_fonts_from_path_rejects_missing_bold_and_restricted(tmp_path):
    ttf = tiny_font(tmp_path / "tiny.ttf")
    missing = tmp_path / "nope.ttf"
    with pytest.raises(KmcError, match=re.escape(f"{missing}: ")):
        fonts.fonts_from_path(ttf, missing)
    locked = tiny_font(tmp_path / "locked.ttf", fs_type=0x0002)
    with pytest.raises(KmcError, match="禁止內嵌"):
        fonts.fonts_from_path(locked)


def test_fonts_from_path_rejects_variable_font():
    with pytest.raises(KmcError, match="可變字型"):
        fonts.fonts_from_path(fonts._bundled_source())


def test_system_font(monkeypatch):
    assert fonts.system_font("No Such Family Kmc Test") is None  # fc-match's fallback refused
    found = fonts.system_font("DejaVu Sans")
    assert found is None or found.is_file()
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    assert fonts.system_font("DejaVu Sans") is None


# --- reportlab ---------------------------------------------------------------------------

def test_register_twice_and_bold_mapping(noto):
    from reportlab.lib.fonts import tt2ps
    from reportlab.pdfbase import pdfmetrics

    names = fonts.register_reportlab(noto)
    assert names == ("NotoSansTC", "NotoSansTC-Bold")
    assert fonts.register_reportlab(noto) == names
    assert set(names) <= set(pdfmetrics.getRegisteredFontNames())
    assert tt2ps("NotoSansTC", 1, 0) == "NotoSansTC-Bold"  # <b> in a Paragraph


def test_register_single_file_and_name_clash(tmp_path):
    ttf = tiny_font(tmp_path / "tiny.ttf")
    assert fonts.register_reportlab(fonts.fonts_from_path(ttf)) == ("TinyTest", "TinyTest")
    other = tiny_font(tmp_path / "same-family.ttf")  # same family name, different file
    regular, _ = fonts.register_reportlab(fonts.fonts_from_path(other))
    assert re.fullmatch(r"TinyTest-[0-9a-f]{6}", regular)


def test_pdf_embeds_a_named_subset(noto, tmp_path):
    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = fonts.register_reportlab(noto)
    pdf = tmp_path / "t.pdf"
    c = Canvas(str(pdf), invariant=1)
    c.setFont(regular, 14)
    c.drawString(72, 720, "職能基準 ABC")
    c.setFont(bold, 14)
    c.drawString(72, 700, "職能基準 ABC")
    c.save()
    page = PdfReader(str(pdf)).pages[0]
    used = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    embedded = [f for f in used if f["/Subtype"] == "/TrueType"]  # not the canvas's Helvetica
    names = {str(f["/BaseFont"]) for f in embedded}
    for name in names:
        assert re.fullmatch(r"/[A-Z]{6}\+NotoSansTC-(Regular|Bold)", name), name
        assert "Thin" not in name
    assert {n.split("+")[1] for n in names} == {"NotoSansTC-Regular", "NotoSansTC-Bold"}
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in embedded)
    assert "職能基準 ABC" in page.extract_text()


# --- the cache shared by installs and processes --------------------------------------------

def test_font_from_cached_tables_is_reportlabs_own(noto):
    """The TTFont built from cached tables equals the one reportlab's constructor makes,
    attribute by attribute: this fails if a reportlab upgrade changes what it keeps."""
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

    fonts._reportlab_font("KmcProbe", noto.bold)  # makes sure the tables are cached
    data, digest = fonts._read_font(str(noto.bold))
    from reportlab import Version
    arrays = fonts._load_arrays(fonts._tables_path(digest, "reportlab", Version))
    ours = fonts._font_from_tables("KmcProbe", str(noto.bold), data, fonts._face_tables(arrays))
    theirs = RLTTFont("KmcProbe", str(noto.bold), subfontIndex=0)
    assert type(ours) is type(theirs) and type(ours.face) is type(theirs.face)
    skip = {"face", "state", "encoding"}
    assert {k: v for k, v in vars(ours).items() if k not in skip} == {
        k: v for k, v in vars(theirs).items() if k not in skip}
    assert vars(ours.encoding) == vars(theirs.encoding) and not ours.state
    a, b = vars(ours.face), vars(theirs.face)
    assert a.keys() == b.keys()
    for key in a.keys() - {"_pos", "_pdfScale"}:  # a read position; a lambda
        assert a[key] == b[key], key
        assert type(a[key]) is type(b[key]), key
    assert a["_pdfScale"](1234) == b["_pdfScale"](1234)
    assert [type(v) for v in a["charWidths"].values()] == [
        type(v) for v in b["charWidths"].values()]  # ints print differently from floats


def test_pdf_is_the_same_bytes_as_with_reportlabs_own_parse(noto, tmp_path):
    """Same input, same bytes: a PDF drawn with the cached tables is byte for byte the one
    reportlab's own parse gives (each in a new process: reportlab keeps fonts by name)."""
    draw = ("import sys\n"
            "from reportlab.pdfgen.canvas import Canvas\n"
            "from reportlab.pdfbase import pdfmetrics\n"
            "from reportlab.pdfbase.ttfonts import TTFont\n"
            "from kmc_reports import fonts\n"
            "regular, bold = {paths!r}\n"
            "if sys.argv[1] == 'reportlab':\n"
            "    pdfmetrics.registerFont(TTFont('NotoSansTC', regular))\n"
            "    pdfmetrics.registerFont(TTFont('NotoSansTC-Bold', bold))\n"
            "else:\n"
            "    fonts.register_reportlab(fonts.FontSet('Noto Sans TC', regular, bold))\n"
            "c = Canvas(sys.argv[2], invariant=1)\n"
            "for y, font in ((720, 'NotoSansTC'), (690, 'NotoSansTC-Bold')):\n"
            "    c.setFont(font, 14)\n"
            "    c.drawString(72, y, '職能基準：規劃與執行 ABC 123（續）')\n"
            "c.save()\n").format(paths=(str(noto.regular), str(noto.bold)))
    env = {**os.environ, "KMC_CACHE_DIR": str(fonts.cache_dir())}
    for way in ("reportlab", "cached"):
        subprocess.run([sys.executable, "-c", draw, way, str(tmp_path / f"{way}.pdf")],
                       env=env, check=True)
    assert (tmp_path / "cached.pdf").read_bytes() == (tmp_path / "reportlab.pdf").read_bytes()


def _valid_tables(path: Path) -> bytes:
    fonts._save_arrays(path, {"codes": [1, 2, 3], "widths": [0.5, 2.0]})
    return path.read_bytes()


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],                       # half written
    lambda b: b"",                                     # empty
    lambda b: b[:-1] + bytes([b[-1] ^ 1]),             # one bit flipped
    lambda b: b"\x80\x04" + b[2:],                     # a pickle's opening, say
    lambda b: b + b"\0",                               # trailing bytes
])
def test_damaged_tables_are_ignored(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path))
    path = tmp_path / "fonts" / ("0" * 32 + ".cmap")
    good = _valid_tables(path)
    assert fonts._load_arrays(path) == {"codes": [1, 2, 3], "widths": [0.5, 2.0]}
    path.write_bytes(damage(good))
    assert fonts._load_arrays(path) is None


@pytest.mark.parametrize("header", [
    b'{"a": 1}', b'[["codes", "O", 1]]', b'[["codes", "q", -1]]', b'[["codes", "q", 1.5]]',
    b'[["codes", "q", 99]]', b"[" * 100000, b"\xff\xfe", b"[1]", b'[["a", "q"]]',
])
def test_foreign_tables_with_a_right_hash_are_ignored(tmp_path, header):
    """Another program's file (its hash right) is parsed, never run, and rejected."""
    body = struct.pack("<I", len(header)) + header + bytes(8)
    path = tmp_path / "x.cmap"
    path.write_bytes(fonts._MAGIC + hashlib.sha256(body).digest() + body)
    assert fonts._load_arrays(path) is None


def test_damaged_cache_files_are_rebuilt(noto, tmp_path, monkeypatch):
    """A run finding the font's cached tables and digest damaged parses the font again,
    gets the same answers, and leaves good files behind."""
    from reportlab import Version

    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_digests", {})
    path = str(noto.regular)
    want_font = vars(fonts._reportlab_font("KmcProbe", noto.regular).face)
    want_cmap = fonts._cmap.__wrapped__(path)
    cached = sorted(p for p in (tmp_path / "fonts").iterdir() if p.name != ".lock")
    assert sorted(p.suffix for p in cached) == [".cmap", ".reportlab", ".sha256"]
    for p in cached:
        p.write_bytes(p.read_bytes()[:100])  # as if cut off
    monkeypatch.setattr(fonts, "_digests", {})
    digest = fonts._file_sha256(path)
    assert digest == hashlib.sha256(noto.regular.read_bytes()).hexdigest()
    assert fonts._cmap.__wrapped__(path) == want_cmap
    got = vars(fonts._reportlab_font("KmcProbe", noto.regular).face)
    assert got["charToGlyph"] == want_font["charToGlyph"]
    assert fonts._load_arrays(fonts._tables_path(digest, "reportlab", Version)) is not None
    assert fonts._load_arrays(fonts._tables_path(digest, "cmap", fonts.fonttools_version()))


def _aged(path: Path, days: float) -> Path:
    """`path`, made if missing, last used (mtime) `days` ago."""
    if not path.exists():
        path.write_bytes(b"x")
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def test_prune_removes_only_files_unused_for_30_days(tmp_path):
    folder = tmp_path / "fonts"
    folder.mkdir()
    ours = ["NotoSansTC.Regular.{0}.ttf", "NotoSansTC-Bold-{0}.ttf", "{0}{0}.reportlab",
            "{0}{0}.cmap", "{0}{0}.sha256", ".{0}.lock"]
    old = {_aged(folder / n.format("0123456789abcdef"), 31) for n in ours}
    recent = {_aged(folder / n.format("fedcba9876543210"), 29) for n in ours}
    others = {_aged(folder / n, 400) for n in (".lock", "notes.txt", "NotoSansTC.txt")}
    assert set(fonts.prune(folder)) == old
    assert set(folder.iterdir()) == recent | others


def test_using_a_font_keeps_it(tmp_path):
    """Installs touch what they use (at most daily), so an old but used file stays."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    font = _aged(folder / "NotoSansTC.Regular.0123456789abcdef.ttf", 300)
    assert fonts._touch(font) and not fonts.prune(folder) and font.exists()
    assert not fonts._touch(folder / "NotoSansTC.Bold.0123456789abcdef.ttf")


@pytest.mark.skipif(fonts.fcntl is None, reason="no flock")
def test_no_pruning_while_a_run_is_choosing_its_fonts(tmp_path):
    folder = tmp_path / "fonts"
    folder.mkdir()
    font = _aged(folder / "NotoSansTC.Regular.0123456789abcdef.ttf", 31)
    with fonts._locked(folder / ".lock", exclusive=False):  # another run, between check and touch
        assert fonts.prune(folder) == [] and font.exists()
    assert fonts.prune(folder) == [font]


# A run of an install in its own process.  `recipe` stands for what tells installs apart (the
# fontTools version, the source font's content); cutting is faked by copying the session's
# instances, as really cutting takes 10-30 s a weight.  It waits for the file `go` before
# its first cut, and notes each cut in `cuts` and each progress line in `said`.
RUN = """
import os, sys, time
from pathlib import Path
from kmc_reports import fonts
from reportlab.pdfgen.canvas import Canvas

recipe, real_regular, real_bold, work, rounds = sys.argv[1:]
work = Path(work)
fonts._RECIPE = recipe
real = {"Regular": real_regular, "Bold": real_bold}

def fake_cut(source, weight, style):
    (work / "cutting").touch()
    for _ in range(600):
        if (work / "go").exists():
            break
        time.sleep(0.05)
    with open(work / "cuts", "a") as fh:
        fh.write(f"{os.getpid()} {recipe} {style}\\n")
    return Path(real[style]).read_bytes()

def say(line):
    with open(work / f"said-{os.getpid()}", "a") as fh:
        fh.write(line + "\\n")

fonts._instantiate = fake_cut
for n in range(int(rounds)):
    fs = fonts.default_fonts(notify=say)
    fonts._cmap.cache_clear()
    assert fonts.missing_characters(fs.bold, "職能") == []
    regular, bold = fonts.register_reportlab(fs)
    c = Canvas(str(work / f"{os.getpid()}-{n}.pdf"), invariant=1)
    c.setFont(bold, 12)
    c.drawString(72, 720, "職能基準")
    c.save()
print(fs.regular, fs.bold)
"""


def _start(recipe: str, noto, work: Path, cache: Path, rounds: int = 1) -> subprocess.Popen:
    env = {**os.environ, "KMC_CACHE_DIR": str(cache)}
    return subprocess.Popen([sys.executable, "-c", RUN, recipe, str(noto.regular),
                             str(noto.bold), str(work), str(rounds)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> list[Path]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return [Path(p) for p in out.split()]


def _wait_for(path: Path) -> None:
    for _ in range(1200):
        if path.exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_two_installs_at_once_keep_each_others_fonts(noto, tmp_path):
    """Install A has its fonts; install B (another fontTools, say) cuts its own into the same
    cache while A runs again and again: both succeed and all four fonts stay."""
    cache, work = tmp_path / "cache", tmp_path / "work"
    (cache / "fonts").mkdir(parents=True)
    work.mkdir()
    for path in (noto.regular, noto.bold):  # install A as it is after its first run
        os.link(path, cache / "fonts" / path.name)
    (work / "go").touch()
    a = _start(fonts._RECIPE, noto, work, cache, rounds=6)
    b = _start("another install", noto, work, cache, rounds=3)
    a_fonts, b_fonts = _finish(a), _finish(b)
    assert [p.name for p in a_fonts] == [noto.regular.name, noto.bold.name]
    assert set(a_fonts).isdisjoint(b_fonts)
    assert all(p.is_file() for p in a_fonts + b_fonts)
    cuts = (work / "cuts").read_text().split("\n")
    assert sorted(line.split(" ", 1)[1] for line in cuts if line) == [
        "another install Bold", "another install Regular"]  # B once; A never


def test_concurrent_first_runs_cut_once(noto, tmp_path):
    """Two runs of a fresh install: the second waits for the first's cut, does not cut too."""
    cache, work = tmp_path / "cache", tmp_path / "work"
    work.mkdir()
    first = _start("fresh", noto, work, cache)
    _wait_for(work / "cutting")  # the first holds the lock, cutting
    second = _start("fresh", noto, work, cache)
    _wait_for(work / f"said-{second.pid}")  # the second says it waits
    assert "等待" in (work / f"said-{second.pid}").read_text()
    (work / "go").touch()
    assert _finish(first) == _finish(second)
    cuts = [line.split() for line in (work / "cuts").read_text().splitlines()]
    assert sorted(style for _, _, style in cuts) == ["Bold", "Regular"]
    assert {pid for pid, _, _ in cuts} == {str(first.pid)}


def test_the_fonttools_version_read_without_importing_it_is_its_own():
    """Cache keys name fontTools' version; it is read from fontTools' own file so that a
    command that only uses cached fonts does not import fontTools (issue 12)."""
    from fontTools import version

    assert fonts.fonttools_version() == version
