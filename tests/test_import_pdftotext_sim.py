"""The pdftotext reader on page breaks it has never seen.

Each bundled standard is printed as pdftotext would print it (tests/pdftotext_sim.py) with
pages of many lengths, then read back.  Where a page break leaves the reader unsure which cell a
carried-over fragment belongs to, it may guess wrong — but it must never lose or invent a
character, and nearly every field (99 %) must come back exactly.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import CODES, ROOT
from kmc_reports.importers.icap_text import read_icap_text
from kmc_reports.model import code_key
from kmc_reports.store import load_standard
from pdftotext_sim import render

PAGES = range(22, 60, 3)
SEEDS = range(3)


def _chars(std) -> Counter:
    """Every character of the table's texts; a shared K/S item counts once."""
    texts = [d.name for d in std.duties]
    for _, t in std.tasks():
        texts.append(t.name)
        for b in t.bands:
            texts += [o.name for o in b.outputs] + [p.text for p in b.indicators]
            if all(code_key(t.code) < code_key(o) for o in b.shared_with):  # merged: once
                texts += [r.name for r in b.knowledge + b.skills]
    return Counter(re.sub(r"\s", "", "".join(texts)))


def _fields(std) -> list[str]:
    out = []
    for _, t in std.tasks():
        out += [t.code + t.name] + [o.name for o in t.outputs] + [p.text for p in t.indicators]
    return [re.sub(r"\s", "", f) for f in out]


@pytest.mark.parametrize("code", CODES)
def test_carried_over_fragments_are_never_lost(code):
    std = load_standard(ROOT / "data" / "standards" / f"{code}.yaml")
    right = total = 0
    for lines in PAGES:
        for seed in SEEDS:
            got = read_icap_text(render(std, lines, seed), "sim.txt", lambda _: None)
            assert [t.code for _, t in got.tasks()] == [t.code for _, t in std.tasks()]
            assert _chars(got) == _chars(std), (lines, seed)
            want, have = _fields(std), _fields(got)
            right += sum(a == b for a, b in zip(want, have))
            total += len(want)
    assert right / total >= 0.99, f"{right}/{total} fields exact"
