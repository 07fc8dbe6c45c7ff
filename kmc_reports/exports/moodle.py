"""Moodle competency frameworks: one CSV per standard for Site administration ▸ Competencies
▸ Import competency framework (admin/tool/lpimportcsv).

The importer (``framework_importer``) reads the 14 columns by position, in the order of
``list_required_headers``; the first data row with *Is framework* set is the framework, the
others are competencies hung under the row whose *ID number* equals their *Parent ID number*
(empty: the top), and a competency without ID number or short name is skipped with all its
children.  ID numbers and short names are cut at 100 characters, so ours are never longer;
*Cross-referenced competency ID numbers* are comma-separated with commas written ``%2C``.
Related competencies must be in the same framework, so K, S and A are competencies of the
standard's own framework (domains 知識／技能／態度) and each task cross-references the K and S
it needs.  Depth 1 domain (duties and the three groups), 2 competency (tasks and K/S/A
items), 3 indicator (behaviour indicators); work outputs are listed in their task's
description.  The scale is the six iCAP levels (1–6); a task is proficient from its own
level on, the framework from the standard's level.
"""

from __future__ import annotations

import csv
import html
import io
import json

from . import Export
from .items import LABELS, Node, Tree

# framework_importer::list_required_headers(), English strings of tool_lpimportcsv.
HEADERS = ("Parent ID number", "ID number", "Short name", "Description", "Description format",
           "Scale values", "Scale configuration", "Rule type (optional)",
           "Rule outcome (optional)", "Rule config (optional)",
           "Cross-referenced competency ID numbers", "Exported ID (optional)", "Is framework",
           "Taxonomy")
LIMIT = 100  # ID number and short name (shorten_text(…, 100) in the importer)
FORMAT_HTML = "1"
SCALE = ",".join(str(n) for n in range(1, 7))
TAXONOMY = "domain,competency,indicator"


def files(export: Export) -> dict[str, bytes]:
    return {f"{t.standard.code}.moodle.csv": framework_csv(t, export) for t in export.trees}


def scale_configuration(level: int) -> str:
    """Moodle's scale configuration: the scale first (its id is set by the importer), then
    each value; the default rating and every value from it on are proficient."""
    values = [{"id": n, "scaledefault": int(n == level), "proficient": int(n >= level)}
              for n in range(1, 7)]
    return json.dumps([{"scaleid": "1"}, *values], separators=(",", ":"))


def limited(text: str) -> str:
    """One line of at most LIMIT characters; no angle brackets (PARAM_TEXT strips tags)."""
    text = " ".join(text.split()).replace("<", "＜").replace(">", "＞")
    return text if len(text) <= LIMIT else text[:LIMIT - 1] + "…"


def _html(*paragraphs: str, items: list[str] = ()) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    if items:
        body += "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
    return body


def _label(node: Node) -> str:
    return f"{node.code} {node.text}" if node.code else node.text


def framework_csv(tree: Tree, export: Export) -> bytes:
    std = tree.standard
    levels = [lv for n in tree.nodes for lv in n.levels]
    level = std.level or min(levels, default=1)
    version = std.latest_version()
    rows = [HEADERS, (
        "", std.code, limited(f"{std.code} {std.name}"),
        _html(std.description.strip(),
              f"職能基準代碼：{std.code}；版本：{version.printed_version}"
              + (f"（{version.printed_date}）" if version.printed_date else "")
              + (f"；基準級別：{std.level_label}" if std.level_label else ""),
              "評分量尺 1–6 為 iCAP 職能級別：",
              items=[f"{n} 級：{export.levels[n]}" for n in sorted(export.levels)]),
        FORMAT_HTML, SCALE, scale_configuration(level), "", "", "", "", "", "1", TAXONOMY)]
    nodes = {n.key: n for n in tree.nodes}
    for node in tree.nodes:
        if node.kind == "output":
            continue
        scale = config = ""
        if node.levels:
            scale, config = SCALE, scale_configuration(min(node.levels))
        related = ",".join(k.replace(",", "%2C") for k in node.needs)
        rows.append((node.parent, node.key, limited(_label(node) if node.kind != "group" else
                                                    f"{node.text}（{node.key}）"),
                     _description(node, tree, nodes), FORMAT_HTML, scale, config, "", "0",
                     "null", related, "", "", ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _description(node: Node, tree: Tree, nodes: dict[str, Node]) -> str:
    if node.kind == "group":
        return _html(f"{tree.standard.code} 的{node.text}項目")
    lines = [_label(node), node.note]
    if node.kind != "task":
        return _html(*lines)
    if node.levels:
        lines.append(f"職能級別：{'、'.join(str(lv) for lv in node.levels)}")
    outputs = [_label(n) for n in tree.children(node.key) if n.kind == "output"]
    needs = [f"{LABELS[nodes[k].kind]} {_label(nodes[k])}" for k in node.needs]
    return _html(*lines, *(["工作產出："] if outputs else []), items=outputs) + \
        (_html("所需知識與技能：", items=needs) if needs else "")
