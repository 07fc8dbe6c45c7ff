"""Standards in the formats of the systems training providers already run: CASE v1.1
packages (competency registries), Moodle competency frameworks (CSV for tool_lpimportcsv)
and CTDL-ASN JSON-LD (Credential Engine).

Every format writes the same tree (`items.build`) with the same stable identifiers
(`ids`).  What links standards exported together is gathered here once: the crosswalk's
decisions (items of one concept are the same; pairs in its review band are related) and
the version before each standard (CASE ``replacedBy``, only when that version is exported
too: a link to a document no package holds would dangle).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..model import STANDARD_CODE, Standard
from . import ids
from .items import Tree, build

FORMATS = ("case", "moodle", "ctdl")
DEFAULT_CREATOR = "勞動部勞動力發展署"  # publishes iCAP standards; the model names no developer
Ref = tuple[str, str]  # (standard code, item key)


@dataclass
class Export:
    """What one export writes from: the standards' trees and what links them."""

    trees: list[Tree]
    levels: dict[int, str]  # the official level descriptors (data/levels.yaml)
    creator: str = DEFAULT_CREATOR
    base_uri: str = ""  # + identifier: each record's URI (empty: each format's default)
    exact: list[tuple[Ref, Ref]] = field(default_factory=list)  # crosswalk: the same item
    related: list[tuple[Ref, Ref]] = field(default_factory=list)  # crosswalk: to review
    plans: list = field(default_factory=list)  # syllabus Plans (CTDL courses)

    def uri(self, identifier: str, default: str = "urn:uuid:") -> str:
        return f"{self.base_uri or default}{identifier}"

    def predecessor(self, std: Standard) -> str | None:
        """The code of the version a standard replaced, if it is exported too: the highest
        lower version of the same code among its version rows and the exported standards.
        None when that version is not exported (an older one exported instead is not what
        this one replaced), so no link names a record the export does not hold."""
        base, _ = ids.split_code(std.code)
        number = ids.version_number(std.code)
        exported = {t.standard.code for t in self.trees}
        codes = {v.code for v in std.versions} | exported
        older = [c for c in codes if re.match(STANDARD_CODE, c)
                 and ids.split_code(c)[0] == base and ids.version_number(c) < number]
        previous = max(older, key=ids.version_number, default=None)
        return previous if previous in exported else None


def json_bytes(data: dict) -> bytes:
    """A JSON export file: UTF-8 with the Chinese as it is, indented, one final newline, and
    keys in the order written, so the same input gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


EPOCH = "1970-01-01T00:00:00Z"  # a standard whose version table gives no date


def version_date(text: str) -> str | None:
    """「2023/12/15」, 「2019/1/17」 or a ROC date 「112/12/15」 as 2023-12-15; None if no date."""
    m = re.fullmatch(r"\s*(\d{2,4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?\s*", text)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    year += 1911 if year < 1000 else 0
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def change_time(std: Standard) -> str:
    """When the standard last changed, for records that must carry one (CASE
    ``lastChangeDateTime``): its newest version date, at midnight Taiwan time — never the
    time of the export, so exports stay byte-identical; EPOCH when no row has a date."""
    dates = [d for v in std.versions if (d := version_date(v.date))]
    return f"{max(dates)}T00:00:00+08:00" if dates else EPOCH


def prepare(standards: list[Standard], levels: dict[int, str], crosswalk=None,
            **options) -> Export:
    """The trees of ``standards`` and, with the crosswalk of them, its links."""
    trees = [build(std) for std in standards]
    out = Export(trees, levels, **{k: v for k, v in options.items() if v})
    if crosswalk is not None:
        by_code = {t.standard.code: t for t in trees}

        def ref(item) -> Ref | None:
            tree = by_code.get(item.standard)
            key = tree.key_of(item.kind, item.code, item.name) if tree else None
            return (item.standard, key) if key else None

        def pair(a, b) -> tuple[Ref, Ref] | None:
            ra, rb = ref(a), ref(b)
            return (ra, rb) if ra and rb and ra[0] != rb[0] else None

        out.exact = [p for c in crosswalk.concepts for i, m in enumerate(c.members)
                     for n in c.members[i + 1:] if (p := pair(m.item, n.item))]
        out.related = [p for c in crosswalk.possible if (p := pair(c.a, c.b))]
    return out


def render(fmt: str, export: Export) -> dict[str, bytes]:
    """File name → bytes of every file of one format."""
    if fmt == "case":
        from .case import files
    elif fmt == "moodle":
        from .moodle import files
    else:
        from .ctdl import files
    return files(export)
