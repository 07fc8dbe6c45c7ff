"""Field-by-field comparison of an imported standard with a gold file (``../shared/real/gold``
and ``tests/gold``): the measure of every importer, used by the tests and by
``benchmarks/bench_import.py``.

A *field* is one thing a person would check: the code, name, level, each category entry, the
description, each version row, each duty name, each task's name, level, outputs, indicators,
knowledge and skills, each attitude and each hard indicator text.  Texts are compared without
whitespace (sources wrap and space Chinese text at random).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"


def sq(value):
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, (list, tuple)):
        return [sq(v) for v in value]
    if isinstance(value, dict):
        return {k: sq(v) for k, v in value.items()}
    return value


def as_gold(std) -> dict:
    """The model in the gold files' shape: one level per task, K/S as [code, name]; the
    outputs and indicators of a task in a block whose items name no task are null."""
    c = std.categories
    first = lambda xs, attr: getattr(xs[0], attr) if xs else None  # noqa: E731
    unassigned = std.tasks_with_unassigned_items()

    def items(task, field, attr):
        if task.code in unassigned:
            return None
        got = [x.code for x in getattr(task, field)] if attr is None else \
            [[x.code, getattr(x, attr)] for x in getattr(task, field)]
        return got

    return {
        "code": std.code, "name": std.name, "level": std.level,
        "category": {
            "occupation_class": first(c.job_categories, "name"),
            "occupation_class_code": first(c.job_categories, "code"),
            "occupation": first(c.occupations, "name"),
            "occupation_code": first(c.occupations, "code"),
            "industry": first(c.industries, "name"),
            "industry_code": first(c.industries, "code"),
        },
        "description": std.description,
        "versions": [[v.version, v.code, v.name, v.date] for v in std.versions],
        "duties": [{"code": d.code, "name": d.name, "tasks": [{
            "code": t.code, "name": t.name, "level": t.level,
            "outputs": items(t, "outputs", "name"),
            "indicators": items(t, "indicators", None),
            "knowledge": [[r.code, r.name] for r in t.knowledge],
            "skills": [[r.code, r.name] for r in t.skills],
        } for t in d.tasks]} for d in std.duties],
        "attitudes": [[a.code, a.name] for a in std.attitudes],
        "indicator_texts": {p.code: p.text for _, t in std.tasks() for b in t.bands
                            for p in b.indicators},
    }


def fields(doc: dict) -> dict[str, object]:
    """The gold (or as_gold) document as a flat {field name: squashed value}."""
    out: dict[str, object] = {}
    for key in ("code", "name", "level", "description"):
        out[key] = sq(doc.get(key))
    for key, value in (doc.get("category") or {}).items():
        out[f"category.{key}"] = sq(value)
    for i, row in enumerate(doc.get("versions") or []):
        out[f"versions[{i}]"] = sq(row)
    for duty in doc.get("duties") or []:
        out[f"{duty['code']}.name"] = sq(duty["name"])
        for task in duty["tasks"]:
            place = f"{duty['code']}/{task['code']}"
            for key in ("name", "level", "outputs", "indicators", "knowledge", "skills"):
                out[f"{place}.{key}"] = sq(task[key])
    for i, row in enumerate(doc.get("attitudes") or []):
        out[f"attitudes[{i}]"] = sq(row)
    return out


def compare(std, gold: dict) -> tuple[int, int, list[str]]:
    """(fields right, fields in the gold, names of the wrong ones)."""
    got = as_gold(std)
    want = fields(gold)
    have = fields(got)
    texts = got["indicator_texts"]
    for code, text in (gold.get("indicator_texts") or {}).items():
        want[f"text.{code}"] = sq(text)
        have[f"text.{code}"] = sq(texts.get(code))
    wrong = [k for k, v in want.items() if have.get(k) != v]
    return len(want) - len(wrong), len(want), wrong


def main_table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header row and the rows of the main table in a reader's tab-separated text: from
    the line starting 主要職責 to the next blank line."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("主要職責\t"))
    rows = []
    for ln in lines[start + 1:]:
        if not ln:
            break
        rows.append(ln.split("\t"))
    return lines[start].split("\t"), rows


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --- the real standards, imported ----------------------------------------------------------

REAL_CODES = sorted(p.stem for p in (REAL / "gold").glob("*.json")) if REAL.is_dir() else []
FORMS = {"text": "txt", "docx": "docx", "pdf": "pdf", "ocs-json": "json"}


def import_forms(forms) -> dict:
    """(form, code) -> (Standard, warnings) for every real standard in each of `forms`."""
    from kmc_reports.importers import import_file

    out = {}
    for form in forms:
        for code in REAL_CODES:
            warnings: list[str] = []
            out[form, code] = (import_file(REAL / form / f"{code}.{FORMS[form]}",
                                           warnings.append), warnings)
    return out


def bundled_and_real() -> dict:
    """Code -> Standard: the bundled standards, and the real ones from their OCS JSON."""
    from kmc_reports.store import Library

    library = Library(ROOT / "data" / "standards")
    out = {code: library.get(code) for code in library.codes()}
    out.update((code, std) for (_, code), (std, _) in import_forms(["ocs-json"]).items())
    return out
