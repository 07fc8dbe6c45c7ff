"""CASE v1.1 packages (1EdTech Competencies and Academic Standards Exchange).

One package per standard version, ``<code>.case.json``: its CFDocument, a CFItem for every
duty, task, output, indicator, K, S and A (and the groups 知識／技能／態度), the item types
in CFDefinitions, and the associations: ``isChildOf`` for the tree (with sequence numbers),
``isRelatedTo`` task → the K and S it needs, ``hasSkillLevel`` task → its level; with other
standards exported together, ``exactMatchOf`` (the crosswalk decides they are the same) and
``isRelatedTo`` (its review band), each written once, in the package of the first standard;
``replacedBy`` from the version before, when it is exported too (never a link to a
document no package holds).  The six official level descriptors are their own
package, ``icap-levels.case.json``, which every standard's ``hasSkillLevel`` points into.
"""

from __future__ import annotations


from ..model import Standard
from . import Export, change_time, ids, json_bytes, version_date
from .items import LABELS, Node, Tree

CASE_VERSION = "1.1"
LANGUAGE = "zh-TW"
LEVELS_TITLE = "iCAP 職能級別"
LEVELS_SOURCE = "職能基準發展指引（111年10月修正）表3 職能級別表"
LEVELS_DATE = "2022-10-01T00:00:00+08:00"  # that revision of the guide
LEVEL_TYPE = "職能級別"
# 最新版本 is the standard in force; 歷史版本 one that a later version replaced.
ADOPTION = {"最新版本": "Adopted", "歷史版本": "Deprecated"}
TYPE_NOTES = {"duty": "主要職責（T）", "task": "工作任務（T）：以其職能級別對應 iCAP 職能級別",
              "output": "工作產出（O）", "indicator": "行為指標（P）",
              "group": "職能內涵的分類：知識、技能、態度",
              "knowledge": "知識（K）", "skill": "技能（S）", "attitude": "態度（A）",
              LEVEL_TYPE: "iCAP 職能級別 1–6 的能力內涵（官方文字）"}
HIERARCHY = {"duty": "1", "task": "1.1", "output": "1.1.1", "indicator": "1.1.2", "group": "2",
             "knowledge": "2.1", "skill": "2.2", "attitude": "2.3", LEVEL_TYPE: "3"}


def files(export: Export) -> dict[str, bytes]:
    out = {f"{t.standard.code}.case.json": json_bytes(package(t, export)) for t in export.trees}
    out["icap-levels.case.json"] = json_bytes(levels_package(export))
    return out


def _title(node: Node) -> str:
    return f"{node.code} {node.text}" if node.code else node.text


class _Package:
    """The records of one package and the links between them."""

    def __init__(self, export: Export, when: str):
        self.export, self.when = export, when
        self.associations: list[dict] = []
        self.types: dict[str, dict] = {}

    def link(self, identifier: str, title: str) -> dict:
        return {"title": title, "identifier": identifier, "uri": self.export.uri(identifier),
                "targetType": "CASE"}

    def item_type(self, kind: str) -> dict:
        label = LABELS.get(kind, kind)
        if kind not in self.types:
            identifier = str(ids.name("CFItemType", label))
            self.types[kind] = {
                "identifier": identifier, "uri": self.export.uri(identifier), "title": label,
                "description": TYPE_NOTES[kind], "hierarchyCode": HIERARCHY[kind],
                "lastChangeDateTime": self.when}
        t = self.types[kind]
        return {"CFItemType": label,
                "CFItemTypeURI": {"title": label, "identifier": t["identifier"], "uri": t["uri"]}}

    def item(self, identifier: str, kind: str, text: str, code: str, note: str) -> dict:
        record = {"identifier": identifier, "fullStatement": text, **self.item_type(kind)}
        if code:
            record["humanCodingScheme"] = code
        record |= {"uri": self.export.uri(identifier), "language": LANGUAGE,
                   "lastChangeDateTime": self.when}
        if note:
            record["notes"] = note
        return record

    def associate(self, kind: str, origin: dict, destination: dict, sequence: int = 0,
                  note: str = "") -> None:
        identifier = str(ids.name(origin["identifier"], kind, destination["identifier"]))
        record = {"identifier": identifier, "associationType": kind}
        if sequence:
            record["sequenceNumber"] = sequence
        record |= {"uri": self.export.uri(identifier), "originNodeURI": origin,
                   "destinationNodeURI": destination, "lastChangeDateTime": self.when}
        if note:
            record["notes"] = note
        self.associations.append(record)

    def result(self, document: dict, items: list[dict]) -> dict:
        return {"CFDocument": document, "CFItems": items, "CFAssociations": self.associations,
                "CFDefinitions": {"CFItemTypes": list(self.types.values())}}


def _document(std: Standard, export: Export, when: str) -> dict:
    code, version = std.code, ids.split_code(std.code)[1]
    identifier = ids.standard_id(code)
    latest = std.latest_version()
    doc = {"identifier": identifier, "uri": export.uri(identifier), "creator": export.creator,
           "title": std.name, "lastChangeDateTime": when, "publisher": export.creator}
    if std.description.strip():
        doc["description"] = std.description.strip()
    subjects = [c.name for group in (std.categories.job_categories, std.categories.occupations,
                                     std.categories.industries) for c in group]
    if subjects:
        doc["subject"] = list(dict.fromkeys(subjects))
    doc |= {"language": LANGUAGE, "version": version, "caseVersion": CASE_VERSION}
    if latest.status in ADOPTION:
        doc["adoptionStatus"] = ADOPTION[latest.status]
    if started := version_date(latest.date):
        doc["statusStartDate"] = started
    level = f"；基準級別：{std.level_label}" if std.level_label else ""
    doc["notes"] = f"職能基準代碼：{code}；版本：{version}{level}"
    return doc


def package(tree: Tree, export: Export) -> dict:
    std = tree.standard
    code, when = std.code, change_time(std)
    pkg = _Package(export, when)
    document = _document(std, export, when)
    doc_link = pkg.link(document["identifier"], std.name)
    items, links = [], {}
    for node in tree.nodes:
        identifier = ids.item_id(code, node.key)
        items.append(pkg.item(identifier, node.kind, node.text, node.code, node.note))
        links[node.key] = pkg.link(identifier, _title(node))
    siblings: dict[str, int] = {}
    for node in tree.nodes:
        siblings[node.parent] = siblings.get(node.parent, 0) + 1
        parent = links[node.parent] if node.parent else doc_link
        pkg.associate("isChildOf", links[node.key], parent, siblings[node.parent])
    for node in tree.nodes:
        for need in node.needs:
            pkg.associate("isRelatedTo", links[node.key], links[need])
    for node in tree.nodes:
        for level in node.levels:
            pkg.associate("hasSkillLevel", links[node.key],
                          pkg.link(ids.level_id(level), f"{LEVEL_TYPE} {level}"))
    trees = {t.standard.code: t for t in export.trees}

    def other(ref) -> dict:
        node = next(n for n in trees[ref[0]].nodes if n.key == ref[1])
        return pkg.link(ids.item_id(ref[0], ref[1]), f"{ref[0]} {_title(node)}")

    for kind, pairs, note in (("exactMatchOf", export.exact, "職能對照判定為相同"),
                              ("isRelatedTo", export.related, "職能對照列為待確認的相近項目")):
        for a, b in pairs:
            if a[0] == code:
                pkg.associate(kind, links[a[1]], other(b), note=note)
    if older := export.predecessor(std):
        pkg.associate("replacedBy", pkg.link(ids.standard_id(older), older), doc_link,
                      note=f"{older} 已被 {code} 取代")
    return pkg.result(document, items)


def levels_package(export: Export) -> dict:
    """The official level descriptors as a framework of six items."""
    pkg = _Package(export, LEVELS_DATE)
    identifier = ids.levels_id()
    document = {"identifier": identifier, "uri": export.uri(identifier),
                "creator": "勞動部勞動力發展署", "title": LEVELS_TITLE,
                "lastChangeDateTime": LEVELS_DATE, "publisher": "勞動部勞動力發展署",
                "description": f"職能級別 1–6 的能力內涵，依{LEVELS_SOURCE}逐字照錄。",
                "language": LANGUAGE, "caseVersion": CASE_VERSION, "adoptionStatus": "Adopted"}
    doc_link = pkg.link(identifier, LEVELS_TITLE)
    items = []
    for level in sorted(export.levels):
        item = pkg.item(ids.level_id(level), LEVEL_TYPE, export.levels[level], str(level), "")
        items.append(item)
        pkg.associate("isChildOf", pkg.link(item["identifier"], f"{LEVEL_TYPE} {level}"),
                      doc_link, level)
    return pkg.result(document, items)

