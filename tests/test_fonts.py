"""Fonts for the PDF writer: cached static Noto Sans TC, user fonts, coverage, reportlab.

The bundled variable font is instantiated once per test session (about 20 s) into the shared
temporary cache of conftest.py; every other test reuses it or builds a tiny font of its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
    # Nothing but the two finished fonts is left in the cache folder.
    assert sorted(p.name for p in (font_cache / "fonts").iterdir()) == sorted(
        [noto.bold.name, noto.regular.name])


def test_second_call_reuses_the_cache(noto, monkeypatch):
    from fontTools.varLib import instancer

    def boom(*args, **kwargs):
        raise AssertionError("instantiated again")

    monkeypatch.setattr(instancer, "instantiateVariableFont", boom)
    assert fonts.default_fonts() == noto


def test_new_process_reuses_the_cache(noto, font_cache):
    code = ("import fontTools.varLib.instancer as i\n"
            "def boom(*a, **k): raise SystemExit('instantiated again')\n"
            "i.instantiateVariableFont = boom\n"
            "from kmc_reports.fonts import default_fonts\n"
            "print(default_fonts().regular)\n")
    env = {**os.environ, "KMC_CACHE_DIR": str(font_cache)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert Path(out.strip()) == noto.regular


def test_cache_key_names_source_and_fonttools(noto):
    key = noto.regular.stem.rsplit("-", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{10}", key) and noto.bold.stem.endswith(key)


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
