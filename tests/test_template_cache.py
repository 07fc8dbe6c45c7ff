"""Compiled templates are kept in the user's cache folder (issue 12: a command does not
start by compiling its template), and what is kept is never stale or trusted blindly."""

from __future__ import annotations

import jinja2
import pytest

from kmc_reports import templating
from kmc_reports.document import document_text

MARKUP = '<document title="t"><section><p>{{ word }} {}</p></section></document>'


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "templates"


def fresh_process_render(folder) -> str:
    """What a new process renders: nothing compiled in memory yet."""
    templating._COMPILED.code.clear()
    return document_text(templating.render("mine.xml.j2", {"word": "甲"}, folder))


def test_a_new_process_loads_the_compiled_template_instead_of_compiling(tmp_path, cache,
                                                                         monkeypatch):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "mine.xml.j2").write_text(MARKUP.replace("{}", "一"), encoding="utf-8")
    assert "甲 一" in fresh_process_render(folder)
    assert len(list(cache.glob("*.jinja"))) == 1

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    with monkeypatch.context() as m:
        m.setattr(jinja2.Environment, "compile", no_compiling)
        assert "甲 一" in fresh_process_render(folder)


def test_an_edited_template_or_a_broken_cache_file_is_compiled_anew(tmp_path, cache):
    folder = tmp_path / "templates"
    folder.mkdir()
    template = folder / "mine.xml.j2"
    template.write_text(MARKUP.replace("{}", "一"), encoding="utf-8")
    fresh_process_render(folder)
    template.write_text(MARKUP.replace("{}", "二"), encoding="utf-8")
    assert "甲 二" in fresh_process_render(folder)
    for path in cache.glob("*.jinja"):
        path.write_bytes(b"not compiled code")
    assert "甲 二" in fresh_process_render(folder)


def test_an_unwritable_cache_only_makes_it_slower(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("KMC_CACHE_DIR", str(blocker))  # a file where the folder would be
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "mine.xml.j2").write_text(MARKUP.replace("{}", "三"), encoding="utf-8")
    assert "甲 三" in fresh_process_render(folder)
