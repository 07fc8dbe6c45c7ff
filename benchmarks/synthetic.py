"""Deterministic synthetic standards for scale tests of the crosswalk.

Names come from the K, S and attitude names of the bundled standards; about a third are
perturbed (some several times) the way real standards differ — a generic suffix added
(能力, 概念 …), a character dropped, two names combined with 與 — so the scorer meets
exact, near and far pairs.  Each
standard has 30–80 K/S items and 5–15 attitudes, spread over 2–5 duties of 1–4 tasks, and
is a valid `Standard`.  The same (n, seed) always gives the same standards.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

from kmc_reports.model import Standard
from kmc_reports.store import Library

DATA = Path(__file__).resolve().parent.parent / "data" / "standards"
SUFFIXES = {"K": ("概念", "知識", "方法"), "S": ("能力", "技能", "技巧"), "A": ("力",)}
PERTURBED = 0.35


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple]:
    """kind -> sorted distinct names (attitudes: (name, description)) of the bundled data."""
    stds = Library(DATA).load()
    out: dict[str, set] = {"K": set(), "S": set(), "A": set()}
    for std in stds:
        for kind in "KS":
            out[kind] |= {n for names in std.catalogue(kind).values() for n in names}
        out["A"] |= {(a.name, a.description) for a in std.attitudes}
    return {k: tuple(sorted(v)) for k, v in out.items()}


def perturb(name: str, kind: str, rng: random.Random, names: tuple[str, ...]) -> str:
    way = rng.randrange(3)
    if way == 0 or len(name) < 4:
        return name + rng.choice(SUFFIXES[kind])
    if way == 1:
        k = rng.randrange(1, len(name))
        return name[:k] + name[k + 1:]
    return f"{name}與{rng.choice(names)}"


def _names(kind: str, count: int, rng: random.Random) -> list[str]:
    vocab = vocabulary()[kind]
    pool = [v[0] if kind == "A" else v for v in vocab]
    out: dict[str, None] = {}
    while len(out) < count:
        name = rng.choice(pool)
        while rng.random() < PERTURBED:
            name = perturb(name, kind, rng, pool)
        out[name] = None
    return list(out)


def standard(index: int, rng: random.Random) -> Standard:
    total = rng.randint(30, 80)
    n_k = rng.randint(total // 3, 2 * total // 3)
    knowledge = _names("K", n_k, rng)
    skills = _names("S", total - n_k, rng)
    descriptions = dict(vocabulary()["A"])
    attitudes = [{"code": f"A{k:02d}", "name": n, "description": descriptions.get(n, "")}
                 for k, n in enumerate(_names("A", rng.randint(5, 15), rng), 1)]
    duties = []
    for d in range(1, rng.randint(2, 5) + 1):
        duties.append({"code": f"T{d}", "name": f"職責{d}", "tasks": [
            {"code": f"T{d}.{t}", "name": f"任務{d}.{t}",
             "bands": [{"level": rng.randint(2, 5), "knowledge": [], "skills": []}]}
            for t in range(1, rng.randint(1, 4) + 1)]})
    bands = [task["bands"][0] for duty in duties for task in duty["tasks"]]
    for field, prefix, names in (("knowledge", "K", knowledge), ("skills", "S", skills)):
        for k, name in enumerate(names, 1):
            for band in rng.sample(bands, min(len(bands), rng.randint(1, 3))):
                band[field].append({"code": f"{prefix}{k:02d}", "name": name})
    return Standard.model_validate({
        "code": f"SYN{index // 1000:04d}-{index % 1000:03d}v1", "name": f"合成職能基準{index}",
        "level": 3, "duties": duties, "attitudes": attitudes})


def generate(n: int, seed: int = 0) -> list[Standard]:
    """n synthetic standards, the same for the same (n, seed)."""
    rng = random.Random(seed)
    return [standard(i, rng) for i in range(n)]
