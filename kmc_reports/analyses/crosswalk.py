"""Crosswalk: which K, S and A items of different standards mean the same thing.

Codes are local to a standard (K05 here has nothing to do with K05 there), so items are
matched by the meaning of their printed names, and every automatic decision is visible
(score, reason, band) and can be overridden by hand (data/crosswalk.yaml).

What a score means.  Two items of one kind from different standards score 0–100, the best
over their printed names (and, for attitudes, their descriptions):

* 100, reason "exact": a printed name is identical;
  100, reason "normalised": identical after `normalise` (width, spaces, punctuation, markers).
* otherwise reason "fuzzy": ``0.85 × agreement(core) + 0.15 × ratio(name)``, where ratio is
  rapidfuzz's ``fuzz.ratio`` (2 × longest common subsequence / total length, in %) and the
  *core* is the normalised name without words that say little: generic endings
  (能力, 技能, 技巧, 概念, 知識, 方法, 作業), generic prefixes (相關; 辦理 "to carry out";
  組織內外, which widens a name to every context instead of narrowing it), and the
  standard's domain word wherever it stands (a two-character prefix that starts at least
  half of its K or S names, e.g. 活動 in an event planner's skills: 撰寫活動計畫 → 撰寫計畫),
  with a few synonyms spelt one way (`SYNONYMS`: 運用 → 應用; 法令, 法律 → 法規).  So the
  score is, roughly, the share of the meaningful characters the two names have in common,
  in order; generic words cost at most 15 points.

  The core agreement is the ratio of the cores, or more for a *minor extension*: names join
  parts with 與/及/和/並 (資源盤點與分析, 產業現況與發展趨勢及輿情; `_parts`), and when one
  core's parts are the other's leading parts, the longer adds parts to the same subject —
  agreement 90 for one extra part, 10 less for each further one, 100 for the same parts in
  another order.  Only leading parts count: a trailing part alone (資料分析 / 資料蒐集與分析)
  is often a bare verb whose object is in the first part, and a qualifier in front
  (客訴溝通協調) is no part at all.

  視覺化簡報製作 / 視覺化簡報製作能力 → 98 (same core); 活動溝通協調 (in a standard whose
  skills all start with 活動) / 溝通協調能力 → 95; 活動資源盤點 / 活動資源盤點與分析 → 88.5
  (minor extension); 客訴溝通協調 / 溝通協調能力 → 78 (客訴 narrows the meaning and is not a
  domain prefix); 財務報表概念 / 財務管理 → 48.
  Containment measures (partial ratios) are deliberately not used: in Chinese a qualifier
  in front of a name narrows it (客訴溝通協調 ⊂ 溝通協調), which containment would score 100.
  管理 is not generic here: it names a discipline (專案管理, 風險管理, 品質管理).

* attitudes: iCAP attitudes carry a description from a common dictionary (親和力：對他人表現
  理解、友善、同理心…).  Two attitudes whose normalised descriptions are ≥ 90 alike (fuzz.ratio)
  are one attitude whatever their names: ``0.85 × ratio(description) + 0.15 × ratio(name)``
  when that is higher (親和力 / 親和關係 → 94, reason "fuzzy").  An attitude printed without
  description is read with the descriptions its name has in the other compared standards
  (`attitude_dictionary`), so 親和關係 also meets a bare 親和力.

Bands per kind, from data/crosswalk-thresholds.yaml (benchmarks/calibrate_crosswalk.py):
score ≥ auto joins automatically; review ≤ score < auto is listed for review; below is no match.
`possible` holds, for every two concepts linked by a pair ≥ review (including pairs ≥ auto
that grouping kept apart), their best pair — one row per decision an auditor has to make.

Grouping is complete-link and never chains: a merge needs every cross pair ≥ auto, and never
puts two items of one standard together; pairs are taken by descending score, then input
order, so the best match of a standard wins.  Manual decisions always win: `same` pairs are
joined first (whatever their score or standard), `different` pairs are never joined.

Scale: only distinct (name, core) strings are scored, only pairs whose cores share a
character bigram (also across one skipped character), found by a sparse unit×bigram product
in row blocks and scored with rapidfuzz's vectorised ``cpdist``; minor extensions by a hash
join of part sets; alike descriptions among the few distinct descriptions; no loop over all
pairs.  `pair_score` (one pair) and `_key_scores` (all pairs ≥ review) give the same scores.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from scipy import sparse

from ..atomic import write_text
from ..errors import KmcError, yaml_problem
from ..model import STANDARD_CODE, Standard, code_key

KINDS = ("K", "S", "A")
# Words that say little (see the module docstring).  作業 ("the work of", 核銷作業, 採購作業)
# and 辦理 ("to carry out") only say that something is done; 組織內外 ("inside and outside
# the organisation") widens a name to every context instead of narrowing it.
GENERIC_SUFFIXES = ("能力", "技能", "技巧", "概念", "知識", "方法", "作業")
GENERIC_PREFIXES = ("相關", "組織內外", "辦理")
# Spellings of one competency word, read as the first (in the core only): a small table of
# words that iCAP names use interchangeably — to apply/use, laws and regulations — not of
# pairs of names.
SYNONYMS = (("應用", ("運用",)), ("法規", ("法令", "法律")))
CORE_WEIGHT = 0.85
# Conjunct parts: names join parts with these words (資源盤點與分析, 問題判別及解決).  A
# connector splits only between two parts of at least two characters, and not inside the
# words listed (參與, 親和力, 及時 …), whose character is no connector.
CONNECTORS = re.compile(r"以及|並且|與|及|和|並")
NOT_CONNECTORS = ("參與", "給與", "及時", "普及", "涉及", "親和", "和諧", "溫和", "平和",
                  "調和", "緩和", "總和", "和解", "並行", "並存")
EXTENSION_CORE = 90.0   # core agreement of a minor extension by one part ...
EXTENSION_STEP = 10.0   # ... less this for each further extra part
DESCRIPTION_MIN = 90.0  # attitudes: descriptions this alike (fuzz.ratio) name one attitude
DATA = Path(__file__).resolve().parents[2] / "data"
THRESHOLDS_FILE = DATA / "crosswalk-thresholds.yaml"
# Used only when data/crosswalk-thresholds.yaml is missing.
DEFAULT_THRESHOLDS = {"K": (80.0, 50.0), "S": (80.0, 50.0), "A": (80.0, 50.0)}
_BLOCK = 1024  # rows of the sparse bigram product scored at a time: bounds memory


# -- model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One K, S or A item of one standard."""

    standard: str
    kind: str
    code: str | None
    names: tuple[str, ...]
    tasks: tuple[str, ...]
    levels: tuple[int, ...]
    domain: str = ""  # the standard's domain prefix for this kind (see the module docstring)
    description: str = ""  # an attitude's description as printed (K and S: empty)

    @property
    def ref(self) -> str:
        return f"{self.standard} {self.code or self.name}"

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Member:
    """An item in its concept: how it joined (band auto|manual), its score against the
    concept's anchor (first member) and the reason of that score (or "manual")."""

    item: Item
    band: str
    score: float
    reason: str


@dataclass
class Concept:
    """Items of different standards that mean the same thing; members in input order."""

    id: str
    kind: str
    label: str
    members: list[Member]

    @property
    def standards(self) -> list[str]:
        return list(dict.fromkeys(m.item.standard for m in self.members))


@dataclass(frozen=True)
class Candidate:
    """A possible match for review: the best pair between two concepts."""

    a: Item
    b: Item
    score: float
    reason: str


@dataclass
class Crosswalk:
    """Every item of the compared standards in exactly one concept, plus pairs to review."""

    standards: list[str]
    concepts: list[Concept]
    possible: list[Candidate]
    thresholds: dict[str, tuple[float, float]]
    _index: dict[str, Concept] = field(default_factory=dict, init=False, repr=False)

    def concept_of(self, item_ref: str) -> Concept | None:
        if not self._index:
            self._index = {m.item.ref: c for c in self.concepts for m in c.members}
        return self._index.get(item_ref)


# -- items and names ---------------------------------------------------------------------

_MARKUP = re.compile(r"【\s*註\s*\d+\s*】|\^\{[^}]*\}|</?[ub]>", re.IGNORECASE)


@lru_cache(maxsize=1 << 17)
def normalise(name: str) -> str:
    """The name as compared: NFKC (full → half width), no footnote markers or markup, no
    spaces or punctuation, Latin in lower case."""
    text = _MARKUP.sub("", unicodedata.normalize("NFKC", name))
    return "".join(ch for ch in text
                   if not ch.isspace() and not unicodedata.category(ch).startswith("P")).lower()


def _domain(names: Iterable[str]) -> str:
    """The two-character prefix that starts at least half (and at least 3) of the names."""
    names = [normalise(n) for n in names]
    for prefix, count in Counter(n[:2] for n in names if len(n) > 2).most_common(1):
        if count >= 3 and 2 * count >= len(names):
            return prefix
    return ""


@lru_cache(maxsize=1 << 17)
def _core(name: str, domain: str = "") -> str:
    """A normalised name without its generic words and the standard's domain word (wherever
    it stands: 撰寫活動計畫 → 撰寫計畫), synonyms in their first spelling (`SYNONYMS`); at
    least two characters are kept."""
    if domain and len(name) - name.count(domain) * len(domain) >= 2:
        name = name.replace(domain, "")
    name = _strip(name)
    for spelling, others in SYNONYMS:
        for other in others:
            name = name.replace(other, spelling)
    return name


def _strip(name: str) -> str:
    """The name without generic prefixes and endings; at least two characters are kept."""
    while True:
        for p in GENERIC_PREFIXES:
            if name.startswith(p) and len(name) > len(p) + 1:
                name = name[len(p):]
                break
        else:
            for s in GENERIC_SUFFIXES:
                if name.endswith(s) and len(name) > len(s) + 1:
                    name = name[:-len(s)]
                    break
            else:
                return name


@lru_cache(maxsize=1 << 17)
def _parts(core: str) -> tuple[str, ...]:
    """The conjunct parts of a core, in order, each without generic words:
    資源盤點與分析 → (資源盤點, 分析); 產業現況與發展趨勢及輿情 → (產業現況, 發展趨勢, 輿情).
    A connector splits only between parts of at least two characters (親和力 is one part) and
    not inside a word of `NOT_CONNECTORS`.  List commas are gone after `normalise`, so
    類型、場地及設備 reads as (類型場地, 設備)."""
    inside = set()
    for word in NOT_CONNECTORS:
        at = core.find(word)
        while at >= 0:
            inside.update(range(at, at + len(word)))
            at = core.find(word, at + 1)
    parts, start = [], 0
    for m in CONNECTORS.finditer(core):
        if (m.start() - start >= 2 and len(core) - m.end() >= 2
                and not inside & set(range(m.start(), m.end()))):
            parts.append(core[start:m.start()])
            start = m.end()
    parts.append(core[start:])
    return tuple(_strip(p) for p in parts)


@lru_cache(maxsize=1 << 17)
def _extension(core_a: str, core_b: str) -> float:
    """Core agreement when one core is the other with conjunct parts added at its end (a
    minor extension: 資源盤點 / 資源盤點與分析): `EXTENSION_CORE`, less `EXTENSION_STEP` per
    further extra part; 100 when the parts are the same in another order or with other
    connectors; else 0.  The shorter core must be the longer's *leading* parts: a trailing
    part alone (分析 / 資源盤點與分析, 資料分析 / 資料蒐集與分析) is often a bare verb whose
    object is in the first part, and a qualifier in front (客訴溝通協調 / 溝通協調) is no part."""
    pa, pb = _parts(core_a), _parts(core_b)
    if len(pa) > len(pb):
        pa, pb = pb, pa
    if core_a == core_b or len(set(pa)) < len(pa) or set(pa) != set(pb[:len(pa)]):
        return 0.0
    extra = len(pb) - len(pa)
    return 100.0 if not extra else max(0.0, EXTENSION_CORE - EXTENSION_STEP * (extra - 1))


def items_of(std: Standard) -> list[Item]:
    """K items, S items (code order), then attitudes (printed order)."""
    out: list[Item] = []
    for kind, attr in (("K", "knowledge"), ("S", "skills")):
        catalogue = std.catalogue(kind)
        tasks: dict[str, dict[str, None]] = defaultdict(dict)
        levels: dict[str, set[int]] = defaultdict(set)
        for _, task in std.tasks():
            for band in task.bands:
                for ref in getattr(band, attr):
                    tasks[ref.code][task.code] = None
                    if band.level is not None:
                        levels[ref.code].add(band.level)
        domain = _domain(n for names in catalogue.values() for n in names)
        out += [Item(std.code, kind, code, tuple(names), tuple(tasks[code]),
                     tuple(sorted(levels[code])), domain)
                for code, names in catalogue.items()]
    out += [Item(std.code, "A", a.code, (a.name,), (), (), description=a.description)
            for a in std.attitudes]
    return out


def attitude_dictionary(items: Iterable[Item]) -> dict[str, tuple[str, ...]]:
    """Normalised attitude name -> the normalised descriptions it is printed with among
    `items`: iCAP attitudes come from a common dictionary, so an attitude printed without
    description is read with the description its name has elsewhere (see `_descriptions`)."""
    out: dict[str, set[str]] = defaultdict(set)
    for it in items:
        if it.kind == "A" and normalise(it.description):
            for n in it.names:
                out[normalise(n)].add(normalise(it.description))
    return {name: tuple(sorted(ds)) for name, ds in out.items()}


def _descriptions(it: Item, dictionary: dict[str, tuple[str, ...]] | None
                  ) -> tuple[str, ...]:
    """The normalised descriptions an attitude is read with: its own, else those of its
    names in the dictionary; K and S items: none."""
    if it.kind != "A":
        return ()
    if normalise(it.description):
        return (normalise(it.description),)
    return tuple(sorted({d for n in it.names for d in (dictionary or {}).get(normalise(n), ())}))


# -- scoring -----------------------------------------------------------------------------

def _fuzzy(norm_a: str, core_a: str, norm_b: str, core_b: str) -> float:
    core = fuzz.ratio(core_a, core_b)
    if len(_parts(core_a)) + len(_parts(core_b)) > 2:  # else no extension: spare the cache
        core = max(core, _extension(core_a, core_b))
    return CORE_WEIGHT * core + (1 - CORE_WEIGHT) * fuzz.ratio(norm_a, norm_b)


def pair_score(a: Item, b: Item, dictionary: dict[str, tuple[str, ...]] | None = None
               ) -> tuple[float, str]:
    """Score and reason of two items: the best over their printed names and, for attitudes,
    their descriptions.  `dictionary` (`attitude_dictionary` of the compared items, as
    build_crosswalk uses) supplies the descriptions of attitudes printed without one."""
    if set(a.names) & set(b.names):
        return 100.0, "exact"
    norms_a, norms_b = [normalise(n) for n in a.names], [normalise(n) for n in b.names]
    if set(norms_a) & set(norms_b):
        return 100.0, "normalised"
    score = max(_fuzzy(x, _core(x, a.domain), y, _core(y, b.domain))
                for x in norms_a for y in norms_b)
    alike = [r for da in _descriptions(a, dictionary) for db in _descriptions(b, dictionary)
             if (r := fuzz.ratio(da, db)) >= DESCRIPTION_MIN]
    if alike:
        names = max(fuzz.ratio(x, y) for x in norms_a for y in norms_b)
        score = max(score, CORE_WEIGHT * max(alike) + (1 - CORE_WEIGHT) * names)
    return score, "fuzzy"


def _bigrams(text: str) -> set[str]:
    """Character bigrams, also across one skipped character (成概念: 成概, 概念 and 成念),
    so that one dropped or added character leaves a short name a bigram in common."""
    return {text[i] + text[i + k] for k in (1, 2) for i in range(len(text) - k)} or {text}


def score_pairs(units: list[tuple[str, str]], cutoff: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores ≥ cutoff among distinct (normalised name, core) units: arrays i < j, score.

    Candidates share a bigram of their cores (see `_bigrams`): a sparse unit×bigram product,
    one block of rows at a time, scored at once so memory stays bounded.  Equal names score
    100.  The rest are pruned by length (a core ratio can't exceed 2·shorter/total) and
    scored with rapidfuzz's vectorised cpdist — the full-name ratio only where the core
    ratio can still reach the cutoff.
    """
    columns: dict[str, int] = {}
    rows, cols = [], []
    for u, (_, core) in enumerate(units):
        for g in _bigrams(core):
            rows.append(u)
            cols.append(columns.setdefault(g, len(columns)))
    m = sparse.csr_matrix((np.ones(len(rows), np.int32), (rows, cols)),
                          shape=(len(units), max(len(columns), 1)))
    mt = m.T.tocsr()
    norms = np.array([n for n, _ in units], dtype=object)
    cores = np.array([c for _, c in units], dtype=object)
    length = np.array([len(c) for c in cores])
    need = (cutoff - 100 * (1 - CORE_WEIGHT)) / CORE_WEIGHT  # least core ratio that can do
    out_i, out_j, out_s = [], [], []
    for start in range(0, len(units), _BLOCK):
        block = (m[start:start + _BLOCK] @ mt).tocoo()
        i = block.row.astype(np.int64) + start
        j = block.col.astype(np.int64)
        keep = (j > i) & (200 * np.minimum(length[i], length[j])
                          >= need * (length[i] + length[j]))
        i, j = i[keep], j[keep]
        core = _cpdist(cores[i], cores[j], need)
        i, j, core = i[core >= need], j[core >= need], core[core >= need]
        score = CORE_WEIGHT * core + (1 - CORE_WEIGHT) * _cpdist(norms[i], norms[j])
        score[norms[i] == norms[j]] = 100.0
        keep = score >= cutoff
        out_i.append(i[keep])
        out_j.append(j[keep])
        out_s.append(score[keep])
    by_norm: dict[str, list[int]] = defaultdict(list)
    for u, (norm, _) in enumerate(units):
        by_norm[norm].append(u)
    same = [(x, y) for us in by_norm.values() for k, x in enumerate(us) for y in us[k + 1:]]
    out_i.append(np.array([x for x, _ in same], np.int64))
    out_j.append(np.array([y for _, y in same], np.int64))
    out_s.append(np.full(len(same), 100.0))  # some of these twice: harmless
    i, j, agree = _extension_pairs(cores.tolist())
    if len(i):
        score = CORE_WEIGHT * agree + (1 - CORE_WEIGHT) * _cpdist(norms[i], norms[j])
        keep = score >= cutoff
        out_i.append(i[keep])
        out_j.append(j[keep])
        out_s.append(score[keep])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def _extension_pairs(cores: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of units (i < j) whose cores are minor extensions of each other (`_extension`)
    and their core agreement.  A hash join: each core looks up the cores whose part set is
    the set of its own leading parts, so the work grows with the pairs found, not with the
    square of the units."""
    units_of_core: dict[str, list[int]] = defaultdict(list)
    for u, core in enumerate(cores):
        units_of_core[core].append(u)
    by_parts: dict[frozenset, list[str]] = defaultdict(list)
    for core in units_of_core:
        by_parts[frozenset(_parts(core))].append(core)
    out_i, out_j, out_a = [], [], []
    for core in units_of_core:
        parts = _parts(core)
        for k in range(1, len(parts) + 1):
            for other in by_parts.get(frozenset(parts[:k]), ()):
                if other == core or (k == len(parts) and other < core):
                    continue  # the same core; same parts: each pair once
                agree = _extension(core, other)
                if agree:
                    for u in units_of_core[core]:
                        for v in units_of_core[other]:
                            out_i.append(min(u, v))
                            out_j.append(max(u, v))
                            out_a.append(agree)
    return (np.array(out_i, np.int64), np.array(out_j, np.int64),
            np.array(out_a, np.float64))


def _cpdist(a: np.ndarray, b: np.ndarray, cutoff: float = 0) -> np.ndarray:
    return process.cpdist(list(a), list(b), scorer=fuzz.ratio, dtype=np.float64,
                          score_cutoff=cutoff, workers=-1).ravel()


# -- decisions ---------------------------------------------------------------------------

@dataclass
class Decisions:
    """data/crosswalk.yaml: manual decisions, which always win."""

    same: list[tuple[str, str]] = field(default_factory=list)
    different: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    path: str = ""                                                    # for messages
    lines: dict[str, int] = field(default_factory=dict, repr=False)  # ref -> first line

    def merged(self, newer: Decisions) -> Decisions:
        """These decisions updated by newer ones: a pair decided again keeps only its new
        verdict; a new label replaces the old one."""
        again = {frozenset(p) for p in newer.same + newer.different}
        return Decisions([p for p in self.same if frozenset(p) not in again] + newer.same,
                         [p for p in self.different if frozenset(p) not in again]
                         + newer.different, {**self.labels, **newer.labels}, self.path,
                         dict(self.lines))

    def refs(self) -> list[str]:
        refs = [r for pair in self.same + self.different for r in pair] + list(self.labels)
        return list(dict.fromkeys(refs))

    def check(self, standards: list[Standard]) -> list[KmcError]:
        """Problems to report, not to stop on: refs naming no item of `standards`, pairs of
        items of two kinds (never compared), pairs marked both same and different (different
        wins)."""
        kinds = {it.ref: it.kind for std in standards for it in items_of(std)}
        problems = [self._problem(f"不認得的項目 {ref!r}：職能基準中沒有這個項目", ref)
                    for ref in self.refs() if ref not in kinds]
        problems += [self._problem(f"{a} 與 {b} 屬於不同類別；只有同類項目才會比較", a)
                     for a, b in self.same + self.different
                     if a in kinds and b in kinds and kinds[a] != kinds[b]]
        both = {frozenset(p) for p in self.same} & {frozenset(p) for p in self.different}
        problems += [self._problem(f"{a} 與 {b} 同時標為相同與不同；以不同為準", a)
                     for a, b in sorted(tuple(sorted(p, key=_ref_key)) for p in both)]
        return problems

    def _problem(self, message: str, ref: str) -> KmcError:
        return KmcError(message, self.path or None, self.lines.get(ref))


def _unknown_refs(decisions: Decisions, standards: list[Standard]) -> list[str]:
    known = {item.ref for std in standards for item in items_of(std)}
    return [ref for ref in decisions.refs() if ref not in known]


_REF = re.compile(STANDARD_CODE.rstrip("$") + r" \S.*$")


@lru_cache(maxsize=1 << 17)
def _ref_key(ref: str) -> tuple:
    std, _, rest = ref.partition(" ")
    return std, code_key(rest)


def load_decisions(path: str | Path, standards: list[Standard] | None = None) -> Decisions:
    """Read data/crosswalk.yaml; a missing file means no decisions.

    Malformed YAML, a wrong shape or a malformed ref stop with the file and line.  With
    `standards`, a ref to one of them that names none of its items stops too; refs to other
    standards are kept and ignored when comparing (see `Decisions.check` to report them).
    """
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Decisions(path=where)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        message, line = yaml_problem(exc)
        raise KmcError(message, where, line) from None
    out = Decisions(path=where)
    if root is None:
        return out

    def fail(msg: str, node: yaml.Node):
        raise KmcError(msg, where, node.start_mark.line + 1)

    def ref(node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode) or not _REF.match(node.value):
            fail("應為項目，例如 'KMC2432-001v4 K05'", node)
        out.lines.setdefault(node.value, node.start_mark.line + 1)
        return node.value

    if not isinstance(root, yaml.MappingNode):
        fail("應為含 same、different、labels 的對照", root)
    for key, value in root.value:
        if key.value in ("same", "different"):
            if value.tag == "tag:yaml.org,2002:null":
                continue
            if not isinstance(value, yaml.SequenceNode):
                fail(f"{key.value}：應為項目配對的清單", value)
            for pair in value.value:
                if not isinstance(pair, yaml.SequenceNode) or len(pair.value) != 2:
                    fail(f"{key.value}：應為一對項目 [項目, 項目]", pair)
                getattr(out, key.value).append((ref(pair.value[0]), ref(pair.value[1])))
        elif key.value == "labels":
            if value.tag == "tag:yaml.org,2002:null":
                continue
            if not isinstance(value, yaml.MappingNode):
                fail("labels：應為「項目: 概念名稱」對照", value)
            for k, v in value.value:
                if not isinstance(v, yaml.ScalarNode) or not v.value.strip():
                    fail("labels：應為概念名稱文字", v)
                out.labels[ref(k)] = v.value
        else:
            fail(f"不認得的區段 {key.value!r}（應為 same、different、labels）", key)
    if standards is not None:
        given = {std.code for std in standards}
        for ref in _unknown_refs(out, standards):
            if ref.partition(" ")[0] in given:
                raise out._problem(f"不認得的項目 {ref!r}：{ref.partition(' ')[0]} 沒有項目 "
                                   f"{ref.partition(' ')[2]!r}", ref)
    return out


_HEADER = """\
# Crosswalk decisions (kmc-reports compare).  They always win over the automatic matching.
# Items are "<standard> <code>", or "<standard> <name>" for an attitude printed without code.
#   same:      pairs that mean the same thing: joined into one concept, whatever their score
#   different: pairs that must never be in one concept, however alike their names
#   labels:    item -> the label of the concept that contains the item
"""


def save_decisions(decisions: Decisions, path: str | Path) -> None:
    """Readable YAML in a stable order (pairs and labels sorted by ref), written atomically."""
    def pairs(ps: list[tuple[str, str]]) -> list[list[str]]:
        unique = {tuple(sorted(p, key=_ref_key)) for p in ps}
        return [list(p) for p in sorted(unique, key=lambda p: tuple(map(_ref_key, p)))]

    def dump(data) -> str:
        return yaml.dump(data, Dumper=_FlowPairs, allow_unicode=True, sort_keys=False,
                         width=1_000_000, default_flow_style=False)

    labels = {r: decisions.labels[r] for r in sorted(decisions.labels, key=_ref_key)}
    body = "".join(dump({k: v}) for k, v in (("same", pairs(decisions.same)),
                                            ("different", pairs(decisions.different)),
                                            ("labels", labels)))
    write_text(path, _HEADER + body)


class _FlowPairs(yaml.SafeDumper):
    """Lists of strings (the pairs) on one line each."""


_FlowPairs.add_representer(list, lambda d, data: d.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=all(isinstance(x, str) for x in data)))


# -- thresholds --------------------------------------------------------------------------

def load_thresholds(path: str | Path = THRESHOLDS_FILE) -> dict[str, tuple[float, float]]:
    """kind -> (auto, review) from the calibration file, else the built-in defaults."""
    path = Path(path)
    if not path.is_file():
        return dict(DEFAULT_THRESHOLDS)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))["thresholds"]
        return {k: (float(data[k]["auto"]), float(data[k]["review"])) for k in KINDS}
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise KmcError(f"不是門檻值設定檔（{exc.__class__.__name__}：{exc}）",
                       str(path)) from None


# -- grouping ----------------------------------------------------------------------------

def _key_scores(items: list[Item], review: float,
                dictionary: dict[str, tuple[str, ...]] | None = None
                ) -> tuple[list[int], dict[tuple[int, int], float]]:
    """Each item's key (its distinct (name, core) units and, attitudes, the descriptions it
    is read with: items with one key have the same names) and the scores ≥ review of pairs
    of keys, k1 < k2 — the scores `pair_score` gives their items."""
    units: dict[tuple[str, str], int] = {}
    keys: dict[tuple[tuple[int, ...], tuple[str, ...]], int] = {}
    item_key = []
    for it in items:
        us = tuple(sorted({units.setdefault((n, _core(n, it.domain)), len(units))
                           for n in map(normalise, it.names)}))
        item_key.append(keys.setdefault((us, _descriptions(it, dictionary)), len(keys)))
    keys_of_unit = defaultdict(list)
    for key, (unit_ids, _) in enumerate(keys):
        for u in unit_ids:
            keys_of_unit[u].append(key)
    ui, uj, us = score_pairs(list(units), review)
    shared = [(u, u, 100.0) for u, ks in keys_of_unit.items() if len(ks) > 1]
    scores: dict[tuple[int, int], float] = {}
    for u, v, s in [*zip(ui.tolist(), uj.tolist(), us.tolist()), *shared]:
        for k1 in keys_of_unit[u]:
            for k2 in keys_of_unit[v]:
                if k1 != k2:
                    kp = (min(k1, k2), max(k1, k2))
                    scores[kp] = max(s, scores.get(kp, 0.0))
    norms, key_list = [n for n, _ in units], list(keys)
    for k1, k2, alike in _description_pairs([ds for _, ds in key_list]):
        names = max(fuzz.ratio(norms[u], norms[v]) for u in key_list[k1][0]
                    for v in key_list[k2][0])
        s = CORE_WEIGHT * alike + (1 - CORE_WEIGHT) * names
        if s >= review and scores.get((k1, k2), 0.0) < s:
            scores[k1, k2] = s
    return item_key, scores


def _description_pairs(descriptions: list[tuple[str, ...]], block: int = 256
                       ) -> list[tuple[int, int, float]]:
    """Pairs of keys k1 < k2 read with descriptions ≥ DESCRIPTION_MIN alike, and the best
    ratio.  Distinct descriptions are few (a common dictionary): compared all with all,
    `block` rows at a time."""
    keys_of: dict[str, list[int]] = defaultdict(list)
    for key, ds in enumerate(descriptions):
        for d in ds:
            keys_of[d].append(key)
    texts = list(keys_of)
    best: dict[tuple[int, int], float] = {}
    for start in range(0, len(texts), block):
        ratios = process.cdist(texts[start:start + block], texts, scorer=fuzz.ratio,
                               dtype=np.float64, score_cutoff=DESCRIPTION_MIN, workers=-1)
        for a, b in zip(*np.nonzero(ratios >= DESCRIPTION_MIN)):
            for k1 in keys_of[texts[start + a]]:
                for k2 in keys_of[texts[b]]:
                    if k1 < k2 and best.get((k1, k2), 0.0) < ratios[a, b]:
                        best[k1, k2] = float(ratios[a, b])
    return [(k1, k2, r) for (k1, k2), r in sorted(best.items())]


def _nodes(items: list[Item], item_key: list[int], decided: set[int]) -> list[list[int]]:
    """Starting groups: the items of one key, at most one per standard (a second item of a
    standard with the same names starts a second node); items in decisions stand alone."""
    nodes: list[list[int]] = []
    stds: list[set[str]] = []
    open_node: dict[tuple[int, int], int] = {}  # (key, rank) -> node still taking items
    for n, it in enumerate(items):
        key, rank = item_key[n], 0
        while (key, rank) in open_node and it.standard in stds[open_node[key, rank]]:
            rank += 1
        if n in decided or (key, rank) not in open_node:
            nodes.append([])
            stds.append(set())
            if n not in decided:
                open_node[key, rank] = len(nodes) - 1
        node = len(nodes) - 1 if n in decided else open_node[key, rank]
        nodes[node].append(n)
        stds[node].add(it.standard)
    return nodes


class _Clusters:
    """Union of nodes into concepts, with what a merge has to respect."""

    def __init__(self, items: list[Item], nodes: list[list[int]], item_key: list[int],
                 different: set[frozenset]):
        self.nodes, self.different = nodes, different
        self.of = list(range(len(nodes)))  # node -> cluster (a cluster is named by a node)
        self.members = [[k] for k in range(len(nodes))]
        self.keys = [{item_key[ns[0]]} for ns in nodes]
        self.stds = [{items[i].standard for i in ns} for ns in nodes]
        named = {i for pair in different for i in pair}
        self.decided = [{i for i in ns if i in named} for ns in nodes]

    def merge(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        for node in self.members[b]:
            self.of[node] = a
        self.members[a] += self.members[b]
        self.keys[a] |= self.keys[b]
        self.stds[a] |= self.stds[b]
        self.decided[a] |= self.decided[b]

    def kept_apart(self, a: int, b: int) -> bool:
        """A `different` decision separates the two clusters."""
        return any(frozenset((i, j)) in self.different
                   for i in self.decided[a] for j in self.decided[b])

    def may_join(self, a: int, b: int, auto_pairs: set[tuple[int, int]]) -> bool:
        """Complete link: every cross pair of keys ≥ auto, no standard twice, no decision."""
        return (not self.stds[a] & self.stds[b] and not self.kept_apart(a, b)
                and all(k1 == k2 or (min(k1, k2), max(k1, k2)) in auto_pairs
                        for k1 in self.keys[a] for k2 in self.keys[b]))

    def groups(self) -> list[list[int]]:
        return [sorted(i for node in ms for i in self.nodes[node])
                for c, ms in enumerate(self.members) if self.of[c] == c]


def _group(items: list[Item], decisions: Decisions, auto: float, review: float,
           dictionary: dict[str, tuple[str, ...]] | None = None
           ) -> tuple[list[list[int]], list[tuple[int, int]], set[int]]:
    """Concepts (lists of item indices) of one kind; the review pairs, the best item pair
    between two concepts that may still be joined; the items joined by a `same` decision."""
    index = {it.ref: n for n, it in enumerate(items)}
    same = [(index[a], index[b]) for a, b in decisions.same if a in index and b in index]
    different = {frozenset((index[a], index[b])) for a, b in decisions.different
                 if a in index and b in index}
    item_key, scores = _key_scores(items, review, dictionary)
    nodes = _nodes(items, item_key, {i for pair in [*same, *different] for i in pair})
    node_of = {i: k for k, ns in enumerate(nodes) for i in ns}
    nodes_of_key: dict[int, list[int]] = defaultdict(list)
    for k, ns in enumerate(nodes):
        nodes_of_key[item_key[ns[0]]].append(k)
    cl = _Clusters(items, nodes, item_key, different)

    auto_pairs = {kp for kp, s in scores.items() if s >= auto}
    links = [*scores.items(), *(((k, k), 100.0) for k in nodes_of_key)]
    edges = sorted((-s, min(nodes[x][0], nodes[y][0]), max(nodes[x][0], nodes[y][0]), x, y)
                   for (k1, k2), s in links if s >= auto
                   for x in nodes_of_key[k1] for y in nodes_of_key[k2] if x < y or k1 != k2)
    for *_, x, y in edges:
        a, b = cl.of[x], cl.of[y]
        if a != b and cl.may_join(a, b, auto_pairs):
            cl.merge(a, b)

    # A `same` decision joins the two items' concepts, each with what it matched on its own:
    # the auditor says these belong together, not that they should leave their matches.
    manual = set()
    for i, j in same:
        a, b = cl.of[node_of[i]], cl.of[node_of[j]]
        if a != b and not cl.kept_apart(a, b):
            cl.merge(a, b)
        if cl.of[node_of[i]] == cl.of[node_of[j]]:
            manual |= {i, j}

    best: dict[tuple[int, int], tuple[float, int, int]] = {}  # clusters -> (-score, i, j)
    for (k1, k2), s in links:
        for x in nodes_of_key[k1]:
            for y in nodes_of_key[k2]:
                a, b = sorted((cl.of[x], cl.of[y]))
                pair = _cross_pair(items, nodes[x], nodes[y]) if a != b else None
                if pair and ((a, b) not in best or (-s, *pair) < best[a, b]):
                    best[a, b] = (-s, *pair)
    review_pairs = [(i, j) for (a, b), (_, i, j) in best.items() if not cl.kept_apart(a, b)]
    return cl.groups(), review_pairs, manual


def _cross_pair(items: list[Item], xs: list[int], ys: list[int]) -> tuple[int, int] | None:
    """The first pair of items of two nodes from different standards, in input order."""
    return next((tuple(sorted((i, j))) for i in xs for j in ys
                 if items[i].standard != items[j].standard), None)


def _label(members: list[Member]) -> str:
    """The most common printed name; ties: the shortest, then the first in member order."""
    counts = Counter(n for m in members for n in dict.fromkeys(m.item.names))
    order = {n: k for k, n in enumerate(dict.fromkeys(
        n for m in members for n in m.item.names))}
    return min(counts, key=lambda n: (-counts[n], len(n), order[n]))


def build_crosswalk(standards: list[Standard], decisions: Decisions | None = None,
                    thresholds: dict | None = None) -> Crosswalk:
    """Group every K, S and A item of `standards` into concepts (singletons included)."""
    decisions = decisions or Decisions()
    thresholds = {k: (float(a), float(r)) for k, (a, r) in
                  {**load_thresholds(), **(thresholds or {})}.items()}
    all_items = [it for std in standards for it in items_of(std)]
    dictionary = attitude_dictionary(all_items)
    concepts: list[Concept] = []
    possible: list[Candidate] = []
    for kind in KINDS:
        auto, review = thresholds[kind]
        items = [it for it in all_items if it.kind == kind]
        groups, review_pairs, manual = _group(items, decisions, auto, review, dictionary)
        for group in groups:
            anchor = items[group[0]]
            members = [Member(anchor, "auto", 100.0, "exact")]
            for i in group[1:]:
                score, reason = pair_score(anchor, items[i], dictionary)
                if i in manual:
                    members.append(Member(items[i], "manual", score, "manual"))
                else:
                    members.append(Member(items[i], "auto", score, reason))
            label = next((decisions.labels[m.item.ref] for m in members
                          if m.item.ref in decisions.labels), None) or _label(members)
            concepts.append(Concept("", kind, label, members))
        for i, j in review_pairs:
            score, reason = pair_score(items[i], items[j], dictionary)
            possible.append(Candidate(items[i], items[j], score, reason))
    concepts.sort(key=lambda c: (KINDS.index(c.kind), -len(c.standards), c.label,
                                 _ref_key(c.members[0].item.ref)))
    numbers: Counter = Counter()
    for c in concepts:
        numbers[c.kind] += 1
        c.id = f"{c.kind}-{numbers[c.kind]:04d}"
    possible.sort(key=lambda p: (-p.score, _ref_key(p.a.ref), _ref_key(p.b.ref)))
    return Crosswalk([s.code for s in standards], concepts, possible, thresholds)


# -- output ------------------------------------------------------------------------------

def _item_json(it: Item) -> dict:
    return {"standard": it.standard, "code": it.code, "name": "／".join(it.names)}


def to_json(cw: Crosswalk) -> str:
    """The crosswalk for `kmc-reports compare --format json`; deterministic."""
    data = {
        "standards": cw.standards,
        "thresholds": {k: {"auto": a, "review": r} for k, (a, r) in cw.thresholds.items()},
        "concepts": [{"id": c.id, "label": c.label, "kind": c.kind, "members": [
            {**_item_json(m.item), "band": m.band, "score": round(m.score, 1),
             "reason": m.reason} for m in c.members]} for c in cw.concepts],
        "possible": [{"a": _item_json(p.a), "b": _item_json(p.b), "score": round(p.score, 1),
                      "reason": p.reason} for p in cw.possible],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
