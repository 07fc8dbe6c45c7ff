"""`kmc-reports export`: every bundled and real standard as a CASE package (valid against
the official CFPackage schema, formats checked), a Moodle competency framework CSV (read
back and held to tool_lpimportcsv's rules) and CTDL-ASN JSON-LD (CTIDs unique and well
formed, every reference resolving); identifiers the same in every export."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import copy_data
from kmc_reports.cli import main
from kmc_reports.exports import ids, version_date
from kmc_reports.exports.ctdl import REGISTRY
from kmc_reports.exports.items import build, one_line
from kmc_reports.exports.moodle import HEADERS, LIMIT
from kmc_reports.store import Library, load_standard, save_standard
from real_gold import REAL

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "case" /
                     "case-v1p1-cfpackage.json").read_text(encoding="utf-8"))
Validator = jsonschema.Draft201909Validator
FORMATS = ("case", "moodle", "ctdl")
OLDER = "KMC2432-001v3"  # a second version of a bundled standard, made here


def run(data: Path, *args):
    result = CliRunner().invoke(main, ["--data", str(data), *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """The bundled standards, every real one imported from its OCS JSON, and an older
    version of KMC2432-001v4 (so two versions of one standard are in the folder)."""
    data = copy_data(tmp_path_factory.mktemp("exports") / "data")
    if REAL.is_dir():
        assert run(data, "import", REAL / "ocs-json").exit_code == 0
    std = load_standard(data / "standards" / "KMC2432-001v4.yaml")
    rows = [v.model_copy(update={"status": "最新版本" if v.code == OLDER else "歷史版本"})
            for v in std.versions if v.code != std.code]
    save_standard(std.model_copy(update={"code": OLDER, "versions": rows}),
                  data / "standards" / f"{OLDER}.yaml")
    return data


@pytest.fixture(scope="module")
def codes(library) -> list[str]:
    return Library(library / "standards").codes()


@pytest.fixture(scope="module")
def exported(library, codes, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """format → file name → bytes, all standards of the folder exported together."""
    out = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        result = run(library, "export", *codes, "--format", fmt, "--out", folder)
        assert result.exit_code == 0, result.output
        out[fmt] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    return out


def test_real_standards_are_in_the_export(codes):
    if REAL.is_dir():
        assert len(codes) == 5 + 1 + len(list((REAL / "ocs-json").glob("*.json")))


# -- identifiers ---------------------------------------------------------------------------

def test_identifiers_are_the_same_on_every_machine():
    """UUIDv5 of fixed names under a fixed namespace: these values never change."""
    assert ids.standard_id("KMC2432-001v4") == "73fbe9ad-61d6-5ae7-83b2-ce8a44a6a7b8"
    assert ids.item_id("KMC2432-001v4", "T1.1") == "f37d16b5-fa8f-51ac-b360-ae5adff75a73"
    assert ids.level_id(3) == "f4e75069-a1d4-5e9f-9bd3-75f334a01a7b"
    assert ids.split_code("CCM7114-002") == ("CCM7114-002", "V1")


def test_a_second_export_gives_the_same_bytes(library, exported, tmp_path):
    for fmt in FORMATS:
        result = run(library, "export", "KMC2432-001v4", "KMC2432-004v2", "--format", fmt,
                     "--out", tmp_path / fmt)
        assert result.exit_code == 0
        again = run(library, "export", "KMC2432-001v4", "KMC2432-004v2", "--format", fmt,
                    "--out", tmp_path / f"{fmt}2")
        assert again.exit_code == 0
        first = {p.name: p.read_bytes() for p in (tmp_path / fmt).iterdir()}
        assert first == {p.name: p.read_bytes() for p in (tmp_path / f"{fmt}2").iterdir()}
    # an item keeps its identifier whichever standards it is exported with
    alone = json.loads((tmp_path / "case" / "KMC2432-004v2.case.json").read_bytes())
    together = json.loads(exported["case"]["KMC2432-004v2.case.json"])
    assert [i["identifier"] for i in alone["CFItems"]] == \
        [i["identifier"] for i in together["CFItems"]]


def test_bad_codes_are_one_line_and_write_nothing(library, tmp_path):
    result = run(library, "export", "KMC2432-001v4", "NOPE", "--format", "case",
                 "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "NOPE" in result.output
    assert not (tmp_path / "out").exists()
    result = run(library, "export", "KMC2432-001v4", "--format", "xml")
    assert result.exit_code == 2


def test_version_dates():
    assert version_date("2019/1/17") == "2019-01-17"
    assert version_date("112/12/15") == "2023-12-15"
    assert version_date("Unknown") is None


# -- CASE ----------------------------------------------------------------------------------

def _packages(exported) -> dict[str, dict]:
    return {name: json.loads(data) for name, data in exported["case"].items()}


def test_every_case_package_is_valid_against_the_official_schema(exported):
    Validator.check_schema(SCHEMA)
    validator = Validator(SCHEMA, format_checker=Validator.FORMAT_CHECKER)
    for name, package in _packages(exported).items():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(package)]
        assert errors == [], name
        assert package["CFDocument"]["lastChangeDateTime"]
    # every URI absolute (the schema's uri fields carry no format of their own)
    uris = [v for p in _packages(exported).values() for v in _values(p, "uri")]
    assert uris and all(Validator.FORMAT_CHECKER.conforms(u, "uri") for u in uris)
    # the format checks are on: a bad UUID and a bad date-time are refused
    package = _packages(exported)["KMC2432-001v4.case.json"]
    package["CFItems"][0]["identifier"] = "T1"
    package["CFItems"][1]["lastChangeDateTime"] = "2023/12/15"
    assert len(list(validator.iter_errors(package))) == 2


def _values(data, key: str):
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(data, list):
        for v in data:
            yield from _values(v, key)


def test_base_uri_names_every_record(library, tmp_path):
    base = "https://example.org/kmc/"
    for fmt in ("case", "ctdl"):
        assert run(library, "export", "KMC2432-003v1", "--format", fmt, "--base-uri", base,
                   "--out", tmp_path).exit_code == 0
    package = json.loads((tmp_path / "KMC2432-003v1.case.json").read_bytes())
    assert all(u.startswith(base) for u in _values(package, "uri"))
    graph = json.loads((tmp_path / "KMC2432-003v1.ctdl.json").read_bytes())["@graph"]
    assert all(r["@id"] == base + r["ceterms:ctid"] for r in graph)


def test_case_items_cover_every_item_with_its_code(exported, library, codes):
    packages = _packages(exported)
    for code in codes:
        std = Library(library / "standards").get(code)
        package = packages[f"{code}.case.json"]
        doc = package["CFDocument"]
        assert doc["title"] == std.name and doc["language"] == "zh-TW"
        assert code in doc["notes"] and doc["identifier"] == ids.standard_id(code)
        by_type = Counter(i["CFItemType"] for i in package["CFItems"])
        assert by_type["主要職責"] == len(std.duties)
        assert by_type["工作任務"] == sum(1 for _ in std.tasks())
        assert by_type["行為指標"] == sum(len(t.indicators) for _, t in std.tasks())
        assert by_type["工作產出"] == sum(len(t.outputs) for _, t in std.tasks())
        assert by_type["態度"] == len(std.attitudes)
        assert by_type["知識"] >= len(std.catalogue("K"))
        coded = {(i["CFItemType"], i.get("humanCodingScheme")) for i in package["CFItems"]}
        assert {("行為指標", p.code) for _, t in std.tasks() for p in t.indicators} <= coded
        assert {("知識", k) for k in std.catalogue("K")} <= coded
        types = {t["title"] for t in package["CFDefinitions"]["CFItemTypes"]}
        assert {i["CFItemType"] for i in package["CFItems"]} == types
        if std.latest_version().status == "最新版本":
            assert doc["adoptionStatus"] == "Adopted"


def _check_links(packages: dict[str, dict]) -> None:
    """Identifiers unique across the packages of one export, and both ends of every
    association a document or item of those packages, named by its own URI: the export
    references nothing outside itself (an importer would reject or orphan such a link)."""
    records = [p["CFDocument"] for p in packages.values()] + \
        [i for p in packages.values() for i in p["CFItems"]]
    known = Counter(r["identifier"] for r in records)
    assert [k for k, n in known.items() if n > 1] == []
    uris = {r["identifier"]: r["uri"] for r in records}
    associations = [a for p in packages.values() for a in p["CFAssociations"]]
    assert len({a["identifier"] for a in associations}) == len(associations)
    for a in associations:
        for end in (a["originNodeURI"], a["destinationNodeURI"]):
            assert end["identifier"] in known, a
            assert end["uri"] == uris[end["identifier"]], a


def test_case_identifiers_are_unique_and_every_association_resolves(exported):
    _check_links(_packages(exported))


def test_case_replaced_by_only_between_exported_versions(library, tmp_path):
    """The reviewer's export (v4 of two standards, their v3 not exported) names no older
    version; a v4 exported with its v3 says v3 replacedBy v4; a v4 exported with v2 but not
    v3 links neither, since v2 was replaced by v3, which the export does not hold."""
    data = copy_data(tmp_path / "data")
    std = load_standard(library / "standards" / f"{OLDER}.yaml")
    save_standard(std.model_copy(update={"code": "KMC2432-001v2"}),
                  data / "standards" / "KMC2432-001v2.yaml")
    for name in (f"{OLDER}.yaml", "KMC2432-001v4.yaml"):
        (data / "standards" / name).write_bytes((library / "standards" / name).read_bytes())

    def replaced(*codes: str) -> list[tuple[str, str]]:
        out = tmp_path / "-".join(codes)
        assert run(data, "export", *codes, "--format", "case", "--out", out).exit_code == 0
        packages = {p.name: json.loads(p.read_bytes()) for p in out.iterdir()}
        _check_links(packages)
        return [(a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
                for p in packages.values() for a in p["CFAssociations"]
                if a["associationType"] == "replacedBy"]

    assert replaced("KMC2432-001v4", "KMC2432-002v4") == []
    assert replaced("KMC2432-001v4", OLDER) == [
        (ids.standard_id(OLDER), ids.standard_id("KMC2432-001v4"))]
    assert replaced("KMC2432-001v4", "KMC2432-001v2") == []
    assert sorted(replaced("KMC2432-001v4", OLDER, "KMC2432-001v2")) == sorted([
        (ids.standard_id(OLDER), ids.standard_id("KMC2432-001v4")),
        (ids.standard_id("KMC2432-001v2"), ids.standard_id(OLDER))])


def test_case_associations(exported, library):
    packages = _packages(exported)
    package = packages["KMC2432-001v4.case.json"]
    items = {i["identifier"]: i for i in package["CFItems"]}
    kinds = Counter(a["associationType"] for a in package["CFAssociations"])
    assert kinds["isChildOf"] == len(items)
    levels = {i["identifier"]: i for i in packages["icap-levels.case.json"]["CFItems"]}
    descriptors = (library / "levels.yaml").read_text(encoding="utf-8")
    assert len(levels) == 6 and all(i["fullStatement"] in descriptors for i in levels.values())
    task = next(i for i in items.values() if i.get("humanCodingScheme") == "T1.1")
    out = [a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"] ==
           task["identifier"]]
    related = {items[a["destinationNodeURI"]["identifier"]]["humanCodingScheme"] for a in out
               if a["associationType"] == "isRelatedTo"}
    std = Library(library / "standards").get("KMC2432-001v4")
    assert related == {r.code for r in std.task("T1.1").knowledge + std.task("T1.1").skills}
    assert [levels[a["destinationNodeURI"]["identifier"]]["humanCodingScheme"] for a in out
            if a["associationType"] == "hasSkillLevel"] == [str(std.task("T1.1").level)]
    # the crosswalk: the older version's items are the same items
    exact = [a for p in packages.values() for a in p["CFAssociations"]
             if a["associationType"] == "exactMatchOf"]
    k01 = ids.item_id(OLDER, "K01")
    assert any({a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"]} ==
               {k01, ids.item_id("KMC2432-001v4", "K01")} for a in exact)
    # versions: v3 replaced by v4, v4 adopted, v3 deprecated
    replaced = [a for a in package["CFAssociations"] if a["associationType"] == "replacedBy"]
    assert [(a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
            for a in replaced] == [(ids.standard_id(OLDER), ids.standard_id("KMC2432-001v4"))]
    assert packages[f"{OLDER}.case.json"]["CFDocument"]["adoptionStatus"] == "Adopted"


# -- Moodle --------------------------------------------------------------------------------

def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _check_moodle(rows: list[list[str]]) -> None:
    """What framework_importer needs: 14 columns in its order; the first row the framework
    (Is framework set, scale and its configuration valid); ID numbers unique and within 100
    characters; every competency reachable from the top through Parent ID numbers (the
    importer drops the rest); cross-references naming competencies of the file."""
    assert rows[0] == list(HEADERS)
    assert all(len(r) == 14 for r in rows)
    framework, competencies = rows[1], rows[2:]
    assert framework[12] == "1" and framework[0] == "" and all(r[12] == "" for r in competencies)
    assert framework[13] == "domain,competency,indicator"
    for r in [framework] + [r for r in competencies if r[5]]:
        assert r[5] == "1,2,3,4,5,6"
        config = json.loads(r[6])
        assert "scaleid" in config[0] and [c["id"] for c in config[1:]] == list(range(1, 7))
        default = [c["id"] for c in config[1:] if c["scaledefault"]]
        assert len(default) == 1
        assert [c["id"] for c in config[1:] if c["proficient"]] == list(range(default[0], 7))
    for r in [framework] + competencies:
        assert r[1] and r[2] and len(r[1]) <= LIMIT and len(r[2]) <= LIMIT
        assert r[4] == "1"
    idnumbers = [r[1] for r in competencies]
    assert len(set(idnumbers)) == len(idnumbers)
    children: dict[str, list[str]] = {}
    for r in competencies:
        children.setdefault(r[0], []).append(r[1])
    reached, depth = [], {"": 0}
    todo = [""]
    while todo:
        parent = todo.pop()
        for child in children.get(parent, []):
            depth[child] = depth[parent] + 1
            reached.append(child)
            todo.append(child)
    assert sorted(reached) == sorted(idnumbers) and max(depth.values()) <= 3
    for r in competencies:
        for ref in filter(None, r[10].split(",")):
            assert ref.replace("%2C", ",") in idnumbers


def test_moodle_frameworks_follow_the_importer_rules(exported, codes, library):
    files = exported["moodle"]
    assert sorted(files) == sorted(f"{c}.moodle.csv" for c in codes)
    for code in codes:
        rows = _read_csv(files[f"{code}.moodle.csv"])
        _check_moodle(rows)
        std = Library(library / "standards").get(code)
        assert rows[1][1] == code
        by_id = {r[1]: r for r in rows[2:]}
        tree = build(std)  # the keys are the ID numbers
        for node in tree.nodes:
            if node.kind == "output":  # listed in its task's description
                assert html.escape(node.text) in by_id[node.parent][3]
                continue
            row = by_id[node.key]
            assert row[0] == node.parent
            if node.kind == "indicator":  # the full text, escaped, in the description
                p = next(p for _, t in std.tasks() for p in t.indicators if p.code == node.code
                         and one_line(p.text) == node.text)
                assert html.escape(one_line(p.text)) in row[3]
            if node.levels:  # a task is proficient from its own level on
                assert json.loads(row[6])[min(node.levels)]["scaledefault"] == 1


def test_moodle_escapes_commas_quotes_and_line_breaks(library, tmp_path):
    std = load_standard(library / "standards" / "KMC2432-003v1.yaml")
    duty = std.duties[0]
    task = duty.tasks[0]
    odd = 'a,b "quoted"\nnext line'
    task = task.model_copy(update={"name": odd})
    std = std.model_copy(update={
        "description": "第一行, 含逗號\n第二行",
        "duties": [duty.model_copy(update={"tasks": [task, *duty.tasks[1:]]}), *std.duties[1:]]})
    data = copy_data(tmp_path / "data")
    save_standard(std, data / "standards" / "KMC2432-003v1.yaml")
    assert run(data, "export", "KMC2432-003v1", "--format", "moodle",
               "--out", tmp_path / "out").exit_code == 0
    raw = (tmp_path / "out" / "KMC2432-003v1.moodle.csv").read_bytes()
    rows = _read_csv(raw)
    _check_moodle(rows)
    row = next(r for r in rows if r[1] == task.code)
    assert row[2] == f'{task.code} a,b "quoted" next line'
    assert html.escape(odd.replace("\n", " ")) in row[3]
    assert b'"T1.1 a,b ""quoted"" next line"' in raw
    assert rows[1][3].startswith("<p>第一行, 含逗號\n第二行</p>")  # a line break kept, quoted


def test_moodle_cross_references_are_the_tasks_k_and_s(exported, library):
    rows = _read_csv(exported["moodle"]["KMC2432-001v4.moodle.csv"])
    std = Library(library / "standards").get("KMC2432-001v4")
    row = next(r for r in rows if r[1] == "T1.1")
    assert set(row[10].split(",")) == {r.code for r in std.task("T1.1").knowledge
                                       + std.task("T1.1").skills}


# -- CTDL ----------------------------------------------------------------------------------

_CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_REFS = ("ceasn:isPartOf", "ceasn:isTopChildOf", "ceasn:isChildOf", "ceasn:hasChild",
         "ceasn:hasTopChild", "ceasn:knowledgeEmbodied", "ceasn:skillEmbodied",
         "ceasn:complexityLevel", "ceasn:exactAlignment", "ceasn:minorAlignment",
         "skos:inScheme", "skos:topConceptOf", "skos:hasTopConcept")


def _strings(data):
    if isinstance(data, str):
        yield data
    for v in data.values() if isinstance(data, dict) else data if isinstance(data, list) else []:
        yield from _strings(v)


def test_ctdl_ctids_are_unique_and_every_reference_resolves(exported, codes, library):
    graphs = {name: json.loads(data) for name, data in exported["ctdl"].items()}
    records = [r for g in graphs.values() for r in g["@graph"]]
    for name, g in graphs.items():
        ctids = [r["ceterms:ctid"] for r in g["@graph"]]
        assert len(set(ctids)) == len(ctids), name
    assert all(_CTID.match(r["ceterms:ctid"]) for r in records)
    assert len({r["ceterms:ctid"] for r in records}) == len(records)
    known = {r["@id"] for r in records}
    assert all(r["@id"].endswith(r["ceterms:ctid"]) for r in records)
    for r in records:
        for prop in _REFS:
            value = r.get(prop)
            for uri in [value] if isinstance(value, str) else value or []:
                assert uri in known, (r["@id"], prop, uri)
        for align in r.get("ceterms:teaches", []):
            assert align["ceterms:targetNode"] in known and align["ceterms:framework"] in known
        # and whatever property names a record (no older version, no unexported standard)
        named = {u for k, v in r.items() if k != "@id" for u in _strings(v)
                 if u.startswith(REGISTRY)}
        assert named <= known, (r["@id"], named - known)
        for prop in ("ceasn:name", "ceasn:competencyText", "ceterms:name", "skos:prefLabel"):
            if prop in r:
                assert list(r[prop]) == ["zh-TW"] and r[prop]["zh-TW"]
    for code in codes:
        std = Library(library / "standards").get(code)
        graph = graphs[f"{code}.ctdl.json"]["@graph"]
        framework, *rest = graph
        assert framework["@type"] == "ceasn:CompetencyFramework"
        assert framework["ceasn:name"] == {"zh-TW": std.name}
        competencies = [r for r in rest if r["@type"] == "ceasn:Competency"]
        assert sum(r["ceasn:competencyCategory"]["zh-TW"] == "工作任務" for r in competencies) \
            == sum(1 for _ in std.tasks())
        courses = [r for r in rest if r["@type"] == "ceterms:Course"]
        assert len(courses) == 1 and courses[0]["ceterms:teaches"]
        assert re.fullmatch(r"PT\d+H(\d+M)?", courses[0]["ceterms:estimatedDuration"][0][
            "ceterms:exactDuration"])


def test_ctdl_task_needs_and_levels(exported, library):
    graph = json.loads(exported["ctdl"]["KMC2432-001v4.ctdl.json"])["@graph"]
    by_id = {r["@id"]: r for r in graph}
    task = next(r for r in graph if r.get("ceasn:codedNotation") == "T1.1")
    std = Library(library / "standards").get("KMC2432-001v4")
    assert {by_id[u]["ceasn:codedNotation"] for u in task["ceasn:knowledgeEmbodied"]} == \
        {r.code for r in std.task("T1.1").knowledge}
    assert task["ceasn:complexityLevel"] == [
        f"https://credentialengineregistry.org/resources/ce-{ids.level_id(std.task('T1.1').level)}"]
