"""CTDL-ASN JSON-LD (Credential Engine): ``<code>.ctdl.json`` per standard.

A ``ceasn:CompetencyFramework`` and a ``ceasn:Competency`` for every node of the tree
(``ceasn:isPartOf`` the framework, ``ceasn:isTopChildOf``/``isChildOf`` and ``hasChild`` for
the tree, ``ceasn:codedNotation`` the local code, ``ceasn:competencyCategory`` its kind); a
task names the K and S it needs (``ceasn:knowledgeEmbodied``, ``ceasn:skillEmbodied``) and
its level (``ceasn:complexityLevel``, a concept of ``icap-levels.ctdl.json``, the official
descriptors as a ``skos:ConceptScheme``).  Items the crosswalk decides are the same are
``ceasn:exactAlignment`` of each other, pairs in its review band ``ceasn:minorAlignment``.
The standard's syllabus (data/courses/<code>.yaml, or the default plan) is a
``ceterms:Course`` whose ``ceterms:teaches`` aligns it to the tasks and K/S it covers.
Texts are language maps ``{"zh-TW": …}``; CTIDs are ``ce-<uuid>`` of `ids`; a record's
``@id`` is its registry address unless a base URI is given.
"""

from __future__ import annotations


from . import Export, change_time, ids, json_bytes
from .case import ADOPTION, LEVELS_DATE, LEVELS_SOURCE, LEVELS_TITLE, LEVEL_TYPE
from .items import LABELS, Node, Tree

CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
REGISTRY = "https://credentialengineregistry.org/resources/"
LANGUAGE = "zh-TW"
STATUS = {"Adopted": "publicationStatus:Published", "Deprecated": "publicationStatus:Deprecated"}


def files(export: Export) -> dict[str, bytes]:
    out = {f"{t.standard.code}.ctdl.json": json_bytes(graph(t, export)) for t in export.trees}
    out["icap-levels.ctdl.json"] = json_bytes(levels_graph(export))
    return out


def _text(value: str) -> dict:
    return {LANGUAGE: value}


def _uri(export: Export, identifier: str) -> str:
    return export.uri(ids.ctid(identifier), REGISTRY)


def _node_uri(export: Export, code: str, key: str) -> str:
    return _uri(export, ids.item_id(code, key))


def graph(tree: Tree, export: Export) -> dict:
    std = tree.standard
    code = std.code
    framework_uri = _uri(export, ids.standard_id(code))
    version = ids.split_code(code)[1]
    level = f"；基準級別：{std.level_label}" if std.level_label else ""
    about = "\n".join(p for p in (std.description.strip(),
                                  f"職能基準代碼：{code}；版本：{version}{level}") if p)
    framework = {"@id": framework_uri, "@type": "ceasn:CompetencyFramework",
                 "ceterms:ctid": ids.ctid(ids.standard_id(code)), "ceasn:name": _text(std.name),
                 "ceasn:description": _text(about), "ceasn:inLanguage": [LANGUAGE],
                 "ceasn:publisherName": _text(export.creator)}
    status = ADOPTION.get(std.latest_version().status)
    if status:
        framework["ceasn:publicationStatusType"] = STATUS[status]
    framework["ceasn:dateModified"] = change_time(std)[:10]
    framework["ceasn:hasTopChild"] = [_node_uri(export, code, n.key) for n in tree.nodes
                                      if not n.parent]
    aligned = _alignments(export, code)
    nodes = {n.key: n for n in tree.nodes}
    records = [framework] + [_competency(export, tree, n, nodes, framework_uri, aligned)
                             for n in tree.nodes]
    records += [_course(export, plan) for plan in export.plans
                if plan.spec.standards[0] == code]
    return {"@context": CONTEXT, "@graph": records}


def _alignments(export: Export, code: str) -> dict[str, dict[str, list[str]]]:
    """Item key of this standard → alignment property → the other items' URIs."""
    out: dict[str, dict[str, list[str]]] = {}
    for prop, pairs in (("ceasn:exactAlignment", export.exact),
                        ("ceasn:minorAlignment", export.related)):
        for a, b in pairs:
            for mine, other in ((a, b), (b, a)):
                if mine[0] == code:
                    out.setdefault(mine[1], {}).setdefault(prop, []).append(
                        _node_uri(export, *other))
    return out


def _competency(export: Export, tree: Tree, node: Node, nodes: dict[str, Node],
                framework_uri: str, aligned: dict) -> dict:
    code = tree.standard.code
    record = {"@id": _node_uri(export, code, node.key), "@type": "ceasn:Competency",
              "ceterms:ctid": ids.ctid(ids.item_id(code, node.key)),
              "ceasn:competencyText": _text(node.text),
              "ceasn:competencyCategory": _text(LABELS[node.kind])}
    if node.code:
        record["ceasn:codedNotation"] = node.code
    record["ceasn:isPartOf"] = framework_uri
    if node.parent:
        record["ceasn:isChildOf"] = [_node_uri(export, code, node.parent)]
    else:
        record["ceasn:isTopChildOf"] = framework_uri
    children = [_node_uri(export, code, c.key) for c in tree.children(node.key)]
    if children:
        record["ceasn:hasChild"] = children
    record["ceasn:inLanguage"] = [LANGUAGE]
    if node.note:
        record["ceasn:comment"] = {LANGUAGE: [node.note]}
    for prop, kind in (("ceasn:knowledgeEmbodied", "knowledge"),
                       ("ceasn:skillEmbodied", "skill")):
        needed = [_node_uri(export, code, k) for k in node.needs if nodes[k].kind == kind]
        if needed:
            record[prop] = needed
    if node.levels:
        record["ceasn:complexityLevel"] = [_uri(export, ids.level_id(lv)) for lv in node.levels]
    record |= aligned.get(node.key, {})
    return record


def _duration(hours: float) -> str:
    minutes = round(hours * 60)
    return f"PT{minutes // 60}H" + (f"{minutes % 60}M" if minutes % 60 else "")


def _course(export: Export, plan) -> dict:
    """A syllabus as a course teaching the tasks and K/S it covers (of exported standards)."""
    spec = plan.spec
    identifier = str(ids.name("course", *spec.standards, spec.name))
    trees = {t.standard.code: t for t in export.trees}
    teaches = []
    wanted = [(r.standard, "task", r.code) for r in plan.tasks]
    wanted += [(i.standard, kind, i.code) for u in plan.units
               for kind, its in (("knowledge", u.knowledge), ("skill", u.skills)) for i in its]
    for std_code, kind, item_code in dict.fromkeys(wanted):
        node = trees[std_code].first(kind, item_code) if std_code in trees else None
        if node is None:
            continue
        teaches.append({"@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:framework": _uri(export, ids.standard_id(std_code)),
                        "ceterms:frameworkName": _text(trees[std_code].standard.name),
                        "ceterms:targetNode": _node_uri(export, std_code, node.key),
                        "ceterms:targetNodeName": _text(node.text),
                        "ceterms:codedNotation": node.code})
    record = {"@id": _uri(export, identifier), "@type": "ceterms:Course",
              "ceterms:ctid": ids.ctid(identifier), "ceterms:name": _text(spec.name)}
    about = plan.summary or plan.purpose
    if about:
        record["ceterms:description"] = _text(about)
    record |= {"ceterms:inLanguage": [LANGUAGE],
               "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile",
                                              "ceterms:exactDuration": _duration(
                                                  plan.total_hours)}],
               "ceterms:teaches": teaches}
    return record


def levels_graph(export: Export) -> dict:
    scheme_uri = _uri(export, ids.levels_id())
    concepts = [_uri(export, ids.level_id(lv)) for lv in sorted(export.levels)]
    scheme = {"@id": scheme_uri, "@type": "skos:ConceptScheme",
              "ceterms:ctid": ids.ctid(ids.levels_id()), "ceasn:name": _text(LEVELS_TITLE),
              "ceasn:description": _text(f"職能級別 1–6 的能力內涵，依{LEVELS_SOURCE}逐字照錄。"),
              "ceasn:inLanguage": [LANGUAGE], "ceasn:publisherName": _text("勞動部勞動力發展署"),
              "ceasn:publicationStatusType": STATUS["Adopted"],
              "ceasn:dateModified": LEVELS_DATE[:10], "skos:hasTopConcept": concepts}
    records = [scheme] + [
        {"@id": uri, "@type": "skos:Concept", "ceterms:ctid": ids.ctid(ids.level_id(lv)),
         "skos:prefLabel": _text(f"{LEVEL_TYPE} {lv}"), "skos:definition": _text(
             export.levels[lv]), "skos:notation": str(lv), "skos:inScheme": scheme_uri,
         "skos:topConceptOf": scheme_uri}
        for lv, uri in zip(sorted(export.levels), concepts)]
    return {"@context": CONTEXT, "@graph": records}
