"""Deterministic synthetic standards for scale tests.

Two generators:

- `generate(n, seed)`: standards in memory for the crosswalk.  Names come from the K, S and
  attitude names of the bundled standards; about a third are perturbed (some several times)
  the way real standards differ — a generic suffix added (能力, 概念 …), a character dropped,
  two names combined with 與 — so the scorer meets exact, near and far pairs.  Each standard
  has 30–80 K/S items and 5–15 attitudes, spread over 2–5 duties of 1–4 tasks, and is a
  valid `Standard`.  The same (n, seed) always gives the same standards.

- `make_catalogue(folder, n, seed)`: a whole data folder for `kmc-reports build` — n
  standards as YAML in folder/standards (codes such as SYN2432-001v4: the source's
  occupation digits and a serial), folder/levels.yaml and a small folder/crosswalk.yaml.
  Each standard is recombined from real ones (the five bundled standards and the 14 of
  ../shared/real/ocs-json, when present): the duties of one source, some swapped for duties
  of others, tasks renamed from the pool of all tasks, K/S names kept, swapped for another
  source's or perturbed as above; levels, outputs, indicators, merged cells (shared_with,
  items_shared), attitudes, categories, description and qualifications as printed (not the
  footnotes and hand corrections, whose places no longer exist).  Sizes and shapes are
  those of real standards, oddities included; names overlap across standards as they do in
  the wild, so the comparison has realistic work.  Standard i depends only on (seed, i),
  and the same (n, seed) gives byte-identical files.

    python benchmarks/synthetic.py DIR N [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from kmc_reports.model import STANDARD_CODE, Standard  # noqa: E402
from kmc_reports.store import Library, save_standard  # noqa: E402

DATA = ROOT / "data" / "standards"
REAL = ROOT.parent / "shared" / "real" / "ocs-json"  # the 14 real standards, where present
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


# -- a data folder for `kmc-reports build` ------------------------------------------------

SWAP_DUTY = 0.4      # a duty of the base standard replaced by a duty of any source
ADD_DUTY = 0.3       # one more duty from any source
DROP_DUTY = 0.2      # one duty fewer (never the last)
RENAME_TASK = 0.25   # a task named after another task of any source
SWAP_NAME = 0.15     # a K/S name replaced by another source's
PERTURB_NAME = 0.15  # a K/S name perturbed (suffix, a character dropped, combined)
SWAP_ATTITUDE = 0.3  # an attitude replaced by another source's
PREFIXES = ("", "", "", "資深", "初階", "數位", "區域", "專案", "國際", "中小企業")
_ITEM_CODE = re.compile(r"^([OP])(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class _Pools:
    sources: tuple[dict, ...]               # each source standard as plain data
    duties: tuple[tuple[int, dict], ...]    # (source index, duty) of every source
    tasks: tuple[str, ...]                  # every non-empty task name
    names: dict[str, tuple[str, ...]]       # K/S -> every distinct name
    attitudes: tuple[dict, ...]             # every distinct attitude (name, description)


@lru_cache(maxsize=1)
def _pools() -> _Pools:
    """The source standards: the bundled five and, when present, the 14 real ones."""
    standards = Library(DATA).load()
    if REAL.is_dir():
        from kmc_reports.importers import import_file

        warnings: list[str] = []  # the importer's notes on odd real data: not ours to show
        standards += [import_file(path, warnings.append) for path in sorted(REAL.glob("*.json"))]
    sources = tuple(s.model_dump(mode="json", exclude_defaults=True) for s in standards)
    duties = tuple((i, d) for i, s in enumerate(sources) for d in s["duties"])
    tasks = tuple(dict.fromkeys(t["name"] for _, d in duties for t in d["tasks"]
                                if t.get("name")))
    names = {kind: tuple(dict.fromkeys(r["name"] for _, d in duties for t in d["tasks"]
                                       for b in t["bands"] for r in b.get(field, [])))
             for kind, field in (("K", "knowledge"), ("S", "skills"))}
    attitudes = tuple({k: v for k, v in a.items() if k != "code"} for a in dict(
        ((a["name"], a.get("description", "")), a) for s in sources
        for a in s.get("attitudes", [])).values())
    return _Pools(sources, duties, tasks, names, attitudes)


SERIES = "NOPQRSTUVWXYZABCDEFGHIJKLM"  # SYN… for the first 999 standards, then SYO… …


def catalogue_code(index: int, occupation: str = "0000") -> str:
    """The code of standard `index` (0-based) without its version: SYN<occupation>-001 …
    SYN<occupation>-999, then SYO<occupation>-001 …; the occupation digits are those of the
    standard it is based on (as real codes carry their 職業別), the rest makes it unique."""
    if not 0 <= index < 999 * len(SERIES):
        raise ValueError(f"index {index} out of range")
    return f"SY{SERIES[index // 999]}{occupation}-{1 + index % 999:03d}"


def catalogue_standard(index: int, seed: int = 0) -> Standard:
    """Standard `index` of the catalogue of `seed`: the same for the same (index, seed),
    whatever the size of the catalogue."""
    rng = random.Random(f"kmc-synthetic-catalogue:{seed}:{index}")
    pools = _pools()
    base_index = rng.randrange(len(pools.sources))
    base = pools.sources[base_index]

    picked = [(base_index, d) for d in base["duties"]]

    def another() -> tuple[int, dict]:  # a duty of any source not in this standard yet
        while True:
            duty = rng.choice(pools.duties)
            if all(duty[1] is not d for _, d in picked):
                return duty

    for k in range(len(picked)):
        if rng.random() < SWAP_DUTY:
            picked[k] = another()
    if rng.random() < ADD_DUTY:
        picked.insert(rng.randrange(len(picked) + 1), another())
    if len(picked) > 1 and rng.random() < DROP_DUTY:
        del picked[rng.randrange(len(picked))]

    # K/S: one new code per (source, code); a name met again (from any source) keeps its code
    codes: dict[str, dict] = {"K": {}, "S": {}}
    by_name: dict[str, dict] = {"K": {}, "S": {}}
    named: dict[tuple, str] = {}
    count = {"K": 0, "S": 0}

    def ref(kind: str, src: int, r: dict) -> dict:
        key = (kind, src, r["code"], r["name"])
        if key not in named:
            name, draw = r["name"], rng.random()
            if draw < SWAP_NAME:
                name = rng.choice(pools.names[kind])
            elif draw < SWAP_NAME + PERTURB_NAME:
                name = perturb(name, kind, rng, pools.names[kind])
            named[key] = name
        name = named[key]
        code = codes[kind].get((src, r["code"])) or by_name[kind].get(name)
        if code is None:
            count[kind] += 1
            code = f"{kind}{count[kind]:02d}"
        codes[kind].setdefault((src, r["code"]), code)
        by_name[kind].setdefault(name, code)
        return {"code": code, "name": name}

    def item(it: dict, d: int, t: int, renamed: dict[str, str]) -> dict:
        """An output or indicator with its code moved to duty d (task t, unless its code
        names another task of the duty, as in a block of several tasks)."""
        m = _ITEM_CODE.match(it.get("code") or "")
        if not m:
            return dict(it)
        prefix, old, second, third = m.groups()  # O1.2.3, or per duty in older ones (O1.3)
        if not third:
            return {**it, "code": f"{prefix}{d}.{second}"}
        task = renamed.get(f"T{old}.{second}", f"T{d}.{t}")
        return {**it, "code": f"{prefix}{task[1:]}.{third}"}

    duties = []
    for d, (src, duty) in enumerate(picked, 1):
        renamed = {t["code"]: f"T{d}.{k}" for k, t in enumerate(duty["tasks"], 1)}
        tasks = []
        for k, task in enumerate(duty["tasks"], 1):
            name = task.get("name", "")
            if name and rng.random() < RENAME_TASK:
                name = rng.choice(pools.tasks)
            bands = []
            for band in task["bands"]:
                new = {**band, "outputs": [item(o, d, k, renamed) for o in band.get("outputs", [])],
                       "indicators": [item(p, d, k, renamed)
                                      for p in band.get("indicators", [])]}
                for kind, field in (("K", "knowledge"), ("S", "skills")):
                    refs = [ref(kind, src, r) for r in band.get(field, [])]
                    new[field] = list({(r["code"], r["name"]): r for r in refs}.values())
                if band.get("shared_with"):
                    new["shared_with"] = [renamed[c] for c in band["shared_with"]]
                bands.append(new)
            tasks.append({"code": f"T{d}.{k}", "name": name, "bands": bands})
        duties.append({"code": f"T{d}", "name": duty.get("name", ""), "tasks": tasks})

    attitudes: dict[str, dict] = {}
    for a in base.get("attitudes", []):
        if rng.random() < SWAP_ATTITUDE:
            a = rng.choice(pools.attitudes)
        attitudes.setdefault(a["name"], a)
    attitudes_out = [{**a, "code": f"A{k:02d}"} for k, a in enumerate(attitudes.values(), 1)]

    name = rng.choice(PREFIXES) + base["name"]
    latest = rng.randint(1, 4)
    occupation = re.match(r"^[A-Z]{3}(\d{4})-", base["code"]).group(1)
    prefix = catalogue_code(index, occupation)
    code = f"{prefix}v{latest}"
    dated = next((v.get("date") for v in base.get("versions", []) if v.get("date")), "")
    year = int(dated[:4]) if dated[:4].isdigit() else 2024
    versions = [{"version": f"V{v}", "code": f"{prefix}v{v}", "name": name,
                 "status": "最新版本" if v == latest else "歷史版本",
                 "note": "略" if v == latest else f"已被《{prefix}v{v + 1}》取代",
                 "date": dated if v == latest and dated else f"{year - 2 * (latest - v)}/12/31"}
                for v in range(latest, 0, -1)] if base.get("versions") else []
    notes = {k: v for k, v in base.get("notes", {}).items() if k != "footnotes"}
    data = {"code": code, "name": name, "duties": duties, "attitudes": attitudes_out,
            "notes": notes, "versions": versions}
    for key in ("level", "printed_level", "categories", "description"):
        if key in base:
            data[key] = base[key]
    return Standard.model_validate(data)


EMPTY_CROSSWALK = """\
# Crosswalk decisions of a synthetic catalogue (benchmarks/synthetic.py): one of each kind,
# so that a build applies decisions as it does on real data.
"""


def make_catalogue(folder: Path, n: int, seed: int = 0) -> list[str]:
    """Write a data folder of n synthetic standards: folder/standards/<code>.yaml,
    folder/levels.yaml (the bundled one) and a small folder/crosswalk.yaml.  Synthetic
    standards (SYN…) left there by a bigger catalogue are removed; nothing else is touched.
    Returns the codes, in order."""
    if n < 1:
        raise ValueError("n must be at least 1")
    folder = Path(folder)
    out = folder / "standards"
    out.mkdir(parents=True, exist_ok=True)
    standards, seen = [], {}
    for index in range(n):
        std = catalogue_standard(index, seed)
        count = seen[std.name] = seen.get(std.name, 0) + 1
        if count > 1:  # standard names differ, as they do in one catalogue
            std = std.model_copy(update={"name": f"{std.name}（{count}）", "versions": [
                v.model_copy(update={"name": f"{std.name}（{count}）"}) for v in std.versions]})
        standards.append(std)
    codes = [std.code for std in standards]
    assert len(set(codes)) == n and all(re.match(STANDARD_CODE, c) for c in codes)
    for old in out.glob("SY*.yaml"):
        if old.stem not in codes and re.match(STANDARD_CODE, old.stem):
            old.unlink()
    for std in standards:
        save_standard(std, out / f"{std.code}.yaml")
    shutil.copyfile(ROOT / "data" / "levels.yaml", folder / "levels.yaml")
    (folder / "crosswalk.yaml").write_text(EMPTY_CROSSWALK + _decisions(standards),
                                           encoding="utf-8")
    return codes


def _decisions(standards: list[Standard]) -> str:
    """A `same` and a `different` between the first standards' first K/S items (the build
    warns about a decision that names no item, so they are taken from the data)."""
    firsts = [(s.code, kind, next(iter(s.catalogue(kind)))) for s in standards[:3]
              for kind in "KS" if s.catalogue(kind)]
    k = [f"{c} {code}" for c, kind, code in firsts if kind == "K"]
    s = [f"{c} {code}" for c, kind, code in firsts if kind == "S"]
    same = f"- [{k[0]}, {k[1]}]\n" if len(k) > 1 else ""
    different = f"- [{s[0]}, {s[1]}]\n" if len(s) > 1 else ""
    return (f"same:\n{same}" if same else "same: []\n") + \
        (f"different:\n{different}" if different else "different: []\n") + "labels: {}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a data folder of N synthetic "
                                     "standards (DIR/standards, levels.yaml, crosswalk.yaml).")
    parser.add_argument("dir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    codes = make_catalogue(args.dir, args.n, args.seed)
    print(f"{len(codes)} synthetic standards in {args.dir / 'standards'} "
          f"({codes[0]} … {codes[-1]})")


if __name__ == "__main__":
    main()
