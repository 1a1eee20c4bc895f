"""kg export: each format read back by a real reader, every attribute compared with to_networkx().

The fixture is an article written for these tests whose quotes and names hold what breaks
exporters: double quotes, backslashes, `<&>`, a leading `=`, a form feed and other control
characters (one name gets them through a correction, as an analyst's rename would).
"""

from __future__ import annotations

import csv
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner

import graph
from graph.cli import main

ARTICLE = (
    "Harlow & Finch names a new chief\n\n"
    "LONDON \u2014 Harlow & Finch said on Monday that Mara Quill will become its chief executive, replacing a "
    'founder who ran the <Harlow & Finch> group for "twenty\fyears" \\ and more.\n\n'
    "=Tobiah Renn, the chief executive of Ostrava Robotics, said sales rose.\x01\x1b "
    "Ostrava Robotics was founded in 2019.\n"
)
HOSTILE_NAME = '=Harlow "<&>" \\ Finch\f\x01\r'
RENAME = {"op": "rename", "entity": "org/harlow-finch", "name": HOSTILE_NAME, "label": "Harlow & Finch",
          "by": "test", "at": "2026-11-27T10:00:00Z", "why": "a name with every character exporters trip on"}
# what XML 1.0 forbids (no surrogates in a str here), and the carriage return XML readers make a line feed
NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "hostile.txt").write_text(ARTICLE, encoding="utf-8")
    (seeds / "corrections.jsonl").write_text(json.dumps(RENAME) + "\n", encoding="utf-8")
    graph.build(seeds, root / "out", workers=1)
    # an analyst's reject: a rejected relationship is exported with its status, and counted apart
    result = CliRunner().invoke(main, ["correct", "reject", "Tobiah Renn", "CEO", "Ostrava Robotics", "--why", "test",
                                       "--by", "test", "--seeds", str(seeds), "--graph", str(root / "out")])
    assert result.exit_code == 0, result.output
    kg = graph.open(root / "out")
    reference = kg.to_networkx()
    # the fixture holds what it claims to, or the tests below prove nothing
    texts = [d["label"] for _, d in reference.nodes(data=True)]
    texts += [e["quote"] for _, _, d in reference.edges(data=True) for e in d["evidence"]]
    joined = "".join(texts)
    for needle in ('"', "\\", "<", "&", ">", "\f", "\x01", "\x1b"):
        assert needle in joined, needle
    assert any(t.startswith("=") for t in texts)
    assert reference.number_of_edges() >= 2
    return root, kg, reference


def xml_clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def expected_edges(reference, *, xml: bool, graph_dir) -> dict[tuple[str, str, str], dict]:
    """What an export holds for each relationship of to_networkx(), keyed by (subject, object, statement);
    the trace hint names the graph folder, which is not ./output here."""
    clean = xml_clean if xml else (lambda t: t)
    out = {}
    for u, v, statement, d in reference.edges(keys=True, data=True):
        first = d["evidence"][0] if d["evidence"] else None
        attrs = {"statement": statement, "relation": d["relation"], "label": clean(d["label"]),
                 "source_count": d["source_count"], "asserted": d["asserted"], "status": d["status"],
                 "evidence_count": len(d["evidence"]),
                 "trace": f"kg trace {u.split('/id/')[1]} {v.split('/id/')[1]} --graph {graph_dir}"}
        if d.get("role"):
            attrs["role"] = clean(d["role"])
        if first:
            attrs["quote"], attrs["document"] = clean(first["quote"]), first["document"]
        out[(u, v, statement)] = attrs
    return out


def read_back(g) -> tuple[dict, dict]:
    g = nx.MultiDiGraph(g)
    nodes = {n: dict(d) for n, d in g.nodes(data=True)}
    edges = {}
    for u, v, d in g.edges(data=True):
        d = dict(d)
        d.pop("id", None)  # GEXF's own edge ids
        edges[(u, v, d["statement"])] = d
    return nodes, edges


@pytest.mark.parametrize("fmt,reader", [("graphml", lambda p: nx.read_graphml(p, force_multigraph=True)),
                                        ("gexf", nx.read_gexf)])
def test_graph_files_read_back_in_networkx_with_every_attribute_of_to_networkx(hostile, tmp_path, fmt, reader):
    _, kg, reference = hostile
    path = tmp_path / f"g.{fmt}"
    summary = kg.export(path, fmt)
    nodes, edges = read_back(reader(path))
    assert nodes == {iri: {"label": xml_clean(d["label"]), "kind": d["kind"]}
                     for iri, d in reference.nodes(data=True)}
    want = expected_edges(reference, xml=True, graph_dir=kg.out)
    for d in want.values():
        d["weight"] = float(d["source_count"])
    assert edges == want
    # the hostile characters other than controls come back as they were; the controls are counted
    assert nodes["https://kg.example.org/id/org/harlow-finch"]["label"] == '=Harlow "<&>" \\ Finch\ufffd\ufffd\ufffd'
    forbidden = sum(len(NOT_XML.findall(d["label"])) for _, d in reference.nodes(data=True))
    forbidden += sum(len(NOT_XML.findall(d["evidence"][0]["quote"])) for _, _, d in reference.edges(data=True)
                     if d["evidence"])
    assert summary.replaced == forbidden > 0


def test_graphml_reads_back_in_igraph_a_second_reader_of_its_own(hostile, tmp_path):
    igraph = pytest.importorskip("igraph")  # a test dependency: libxml2's parser, stricter than Python's

    _, kg, reference = hostile
    path = tmp_path / "g.graphml"
    kg.export(path, "graphml")
    g = igraph.Graph.Read_GraphML(str(path))
    assert {v["id"]: (v["label"], v["kind"]) for v in g.vs} == \
        {iri: (xml_clean(d["label"]), d["kind"]) for iri, d in reference.nodes(data=True)}
    want = expected_edges(reference, xml=True, graph_dir=kg.out)
    got = {}
    for e in g.es:
        attrs = {k: e[k] for k in g.es.attributes() if k != "id" and e[k] is not None and e[k] == e[k]}
        for number in ("source_count", "evidence_count"):
            attrs[number] = int(attrs[number])  # igraph keeps every number as a double
        attrs.pop("weight")
        got[(g.vs[e.source]["id"], g.vs[e.target]["id"], attrs["statement"])] = attrs
    assert got == want


def test_gexf_and_graphml_carry_typed_attributes(hostile, tmp_path):
    _, kg, _ = hostile
    kg.export(tmp_path / "g.graphml", "graphml")
    text = (tmp_path / "g.graphml").read_text(encoding="utf-8")
    for name, kind in (("source_count", "long"), ("asserted", "boolean"), ("evidence_count", "long"),
                       ("quote", "string")):
        assert f'attr.name="{name}" attr.type="{kind}"' in text


NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
               "localtime", "time", "localdatetime", "datetime", "duration"}


def neo4j_header_problems(header: list[str], *, relationships: bool) -> list[str]:
    """What `neo4j-admin database import` refuses in a header: the rules of its manual."""
    problems, names = [], set()
    fields = [h.rpartition(":") if ":" in h else (h, "", "") for h in header]
    special = [re.sub(r"\(.*\)$", "", t) for _, _, t in fields]  # ID(space): an id in an id space
    for name, colon, kind in fields:
        base = re.sub(r"\(.*\)$", "", kind)
        if colon and base not in NEO4J_TYPES | {"ID", "START_ID", "END_ID", "TYPE", "LABEL", "IGNORE"} \
                and base.removesuffix("[]") not in NEO4J_TYPES:
            problems.append(f"unknown type {kind!r}")
        if not name and base not in ("ID", "START_ID", "END_ID", "TYPE", "LABEL", "IGNORE"):
            problems.append("a property without a name")
        if name and name in names:
            problems.append(f"{name!r} twice")
        names.add(name)
    needed = ("START_ID", "END_ID", "TYPE") if relationships else ("ID",)
    for n in needed:
        if special.count(n) != 1:
            problems.append(f"{special.count(n)} :{n} columns")
    return problems


def test_the_header_check_refuses_what_the_import_tool_refuses():
    assert neo4j_header_problems(["id:ID", "age:integer"], relationships=False) == ["unknown type 'integer'"]
    assert neo4j_header_problems(["name", "name", ":ID"], relationships=False) == ["'name' twice"]
    assert neo4j_header_problems([":START_ID", ":TYPE"], relationships=True) == ["0 :END_ID columns"]
    assert neo4j_header_problems([":ID", ":int"], relationships=False) == ["a property without a name"]
    assert neo4j_header_problems(["id:ID(Person)", "tags:string[]", ":LABEL"], relationships=False) == []


def test_csv_folder_has_neo4j_headers_and_every_value_of_to_networkx_unaltered(hostile, tmp_path):
    _, kg, reference = hostile
    folder = tmp_path / "neo4j"
    kg.export(folder, "csv")
    assert sorted(p.name for p in folder.iterdir()) == ["nodes.csv", "relationships.csv"]
    with open(folder / "nodes.csv", encoding="utf-8", newline="") as f:
        nodes = list(csv.reader(f))
    with open(folder / "relationships.csv", encoding="utf-8", newline="") as f:
        rels = list(csv.reader(f))
    assert neo4j_header_problems(nodes[0], relationships=False) == []
    assert neo4j_header_problems(rels[0], relationships=True) == []
    by_iri = {row[0]: dict(zip(nodes[0], row)) for row in nodes[1:]}
    assert {iri: (r["name"], r["kind"]) for iri, r in by_iri.items()} == \
        {iri: (d["label"], d["kind"]) for iri, d in reference.nodes(data=True)}
    assert by_iri["https://kg.example.org/id/org/harlow-finch"]["name"] == HOSTILE_NAME  # controls kept in CSV
    assert by_iri["https://kg.example.org/id/person/mara-quill"][":LABEL"] == "Person"

    def typed(row: dict) -> dict:
        out = {}
        for head, value in row.items():
            name, _, kind = head.rpartition(":") if ":" in head else (head, "", "")
            if not name or value == "":
                continue  # the special columns, and empty fields the import tool leaves unset
            out[name] = int(value) if kind == "int" else (value == "true") if kind == "boolean" else value
        return out

    got = {}
    for row in rels[1:]:
        record = dict(zip(rels[0], row))
        attrs = typed(record)
        got[(record[":START_ID"], record[":END_ID"], attrs["statement"])] = attrs
        assert record[":TYPE"] == re.sub(r"(?<=[a-z])(?=[A-Z])", "_", attrs["relation"]).upper()
    assert got == expected_edges(reference, xml=False, graph_dir=kg.out)


def test_jsonld_holds_the_quads_of_graph_trig_for_pyoxigraph_and_rdflib(hostile, tmp_path):
    import pyoxigraph as ox
    import rdflib

    root, kg, _ = hostile
    path = tmp_path / "g.jsonld"
    summary = kg.export(path, "jsonld")
    trig = set(ox.parse(path=str(root / "out" / "graph.trig"), format=ox.RdfFormat.TRIG))
    assert set(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)) == trig
    assert summary.quads == len(trig)
    ours, theirs = rdflib.Dataset(), rdflib.Dataset()
    ours.parse(path, format="json-ld")
    theirs.parse(root / "out" / "graph.trig", format="trig")
    assert set(ours.quads()) == set(theirs.quads())
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["@context"]["kgo"] == "https://kg.example.org/id/org/"
    assert '"kgo:harlow-finch"' in path.read_text(encoding="utf-8")  # the context's prefixes are used


def test_the_same_build_exports_the_same_bytes(hostile, tmp_path):
    _, kg, _ = hostile
    for fmt in ("graphml", "gexf", "jsonld"):
        kg.export(tmp_path / f"a.{fmt}", fmt)
        kg.export(tmp_path / f"b.{fmt}", fmt)
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes(), fmt
    kg.export(tmp_path / "a", "csv")
    kg.export(tmp_path / "b", "csv")
    for name in ("nodes.csv", "relationships.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_focus_keeps_the_entities_within_hops(built_seeds, tmp_path):
    out, _ = built_seeds
    kg = graph.open(out)
    whole = kg.to_networkx()
    droege = "https://kg.example.org/id/person/jason-droege"
    for hops in (0, 1, 2):
        kg.export(tmp_path / f"h{hops}.graphml", "graphml", focus="Droege", hops=hops)
        part = nx.read_graphml(tmp_path / f"h{hops}.graphml", force_multigraph=True)
        near = set(nx.ego_graph(whole.to_undirected(as_view=True), droege, radius=hops))
        assert set(part.nodes) == near
        assert part.number_of_edges() == whole.subgraph(near).number_of_edges()
    assert len(near) < whole.number_of_nodes()


def test_progress_is_reported_up_to_the_total(hostile, tmp_path):
    _, kg, _ = hostile
    for fmt in ("csv", "jsonld", "gexf"):
        calls = []
        kg.export(tmp_path / f"p-{fmt}", fmt, progress=lambda done, total: calls.append((done, total)))
        assert calls and calls[-1][0] == calls[-1][1]
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_an_existing_target_is_kept_unless_forced(hostile):
    root, _, _ = hostile
    out = root / "out"
    runner = CliRunner()
    target = out / "mine.gexf"
    target.write_text("an analyst's own file", encoding="utf-8")
    result = runner.invoke(main, ["export", "--graph", str(out), "--format", "gexf", "-o", str(target)])
    assert result.exit_code == 2 and "already exists (--force replaces it)" in result.output
    assert target.read_text(encoding="utf-8") == "an analyst's own file"
    result = runner.invoke(main, ["export", "--graph", str(out), "--format", "gexf", "-o", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(target).number_of_nodes() > 0
    assert "written as U+FFFD" in result.output  # the forbidden characters are said, not hidden


def test_force_never_replaces_a_folder_it_did_not_write(hostile):
    root, _, _ = hostile
    folder = root / "notes"
    folder.mkdir()
    (folder / "draft.md").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--graph", str(root / "out"), "--format", "csv", "-o",
                                       str(folder), "--force"])
    assert result.exit_code == 2 and "draft.md" in result.output and "not replaced" in result.output
    assert (folder / "draft.md").read_text(encoding="utf-8") == "keep me"


def test_a_failed_export_leaves_the_previous_file(hostile, monkeypatch, tmp_path):
    _, kg, _ = hostile
    path = tmp_path / "g.graphml"
    kg.export(path, "graphml")
    before = path.read_bytes()

    def broken(g, target):
        with open(target, "w") as f:
            f.write("<graphml")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nx, "write_graphml", broken)
    from graph.export import ExportError

    with pytest.raises(ExportError, match="No space left"):
        kg.export(path, "graphml", force=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]


def test_bad_format_and_focus_get_one_line(hostile):
    root, _, _ = hostile
    out = str(root / "out")
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--graph", out, "--format", "dot"])
    assert result.exit_code == 2 and "'graphml', 'gexf', 'csv', 'jsonld'" in result.output
    result = runner.invoke(main, ["export", "--graph", out, "--format", "jsonld", "--focus", "Quill"])
    assert result.exit_code == 2 and "jsonld is the whole dataset" in result.output
    result = runner.invoke(main, ["export", "--graph", out, "--format", "gexf", "--focus", "Nobody Known"])
    assert result.exit_code == 2 and "--focus 'Nobody Known'" in result.output
    result = runner.invoke(main, ["export", "--graph", str(root / "nothing"), "--format", "gexf"])
    assert result.exit_code == 2 and "no built graph here" in result.output


def test_rejected_relationships_are_exported_with_their_status_and_counted_apart(hostile, tmp_path):
    _, kg, reference = hostile
    statuses = sorted(d["status"] for _, _, d in reference.edges(data=True))
    assert "rejected" in statuses
    summary = kg.export(tmp_path / "g.graphml", "graphml")
    assert summary.rejected == statuses.count("rejected")
    assert summary.candidates == sum(1 for _, _, d in reference.edges(data=True)
                                     if not d["asserted"] and d["status"] != "rejected")


def test_the_trace_hint_runs_and_prints_the_quote(hostile, tmp_path):
    import shlex

    _, kg, reference = hostile
    kg.export(tmp_path / "g.graphml", "graphml")
    exported = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    for _, _, d in exported.edges(data=True):
        argv = shlex.split(d["trace"])
        assert argv[:2] == ["kg", "trace"]
        result = CliRunner().invoke(main, argv[1:])
        assert result.exit_code == 0, result.output
        assert d["statement"].rsplit("/", 1)[1] in CliRunner().invoke(main, argv[1:] + ["--format", "json"]).output


def test_gephi_keeps_parallel_edges_apart_by_their_kind(built_seeds, tmp_path):
    from xml.etree import ElementTree

    out, _ = built_seeds
    path = tmp_path / "g.gexf"
    graph.open(out).export(path, "gexf")
    root = ElementTree.parse(path).getroot()
    ns = {"g": root.tag.split("}")[0].strip("{")}
    edges = root.findall(".//g:edges/g:edge", ns)
    pairs = {}
    for e in edges:
        pairs.setdefault((e.get("source"), e.get("target")), []).append(e.get("kind"))
    assert any(len(kinds) > 1 for kinds in pairs.values())  # the seeds have parallel edges (Meta, Scale AI)
    assert all(None not in kinds and len(set(kinds)) == len(kinds) for kinds in pairs.values())
    text = path.read_text(encoding="utf-8")
    assert "networkx_key" not in text and "lastmodifieddate" not in text  # nothing of the writer's, nor the day


def test_force_replaces_only_what_an_export_could_have_written(hostile, tmp_path):
    root, _, _ = hostile
    out = str(root / "out")
    runner = CliRunner()

    def export(*args):
        return runner.invoke(main, ["export", "--graph", out, *args])

    trap = tmp_path / "trap"
    (trap / "nodes.csv").mkdir(parents=True)
    (trap / "nodes.csv" / "thesis.docx").write_text("precious", encoding="utf-8")
    result = export("--format", "csv", "-o", str(trap), "--force")
    assert result.exit_code == 2 and "not replaced" in result.output
    assert (trap / "nodes.csv" / "thesis.docx").read_text(encoding="utf-8") == "precious"

    real = tmp_path / "real.gexf"
    real.write_text("mine", encoding="utf-8")
    (tmp_path / "link.gexf").symlink_to(real)
    result = export("--format", "gexf", "-o", str(tmp_path / "link.gexf"), "--force")
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert real.read_text(encoding="utf-8") == "mine" and (tmp_path / "link.gexf").is_symlink()

    result = export("--format", "gexf", "-o", str(tmp_path))
    assert result.exit_code == 2 and "a folder; gexf writes a file" in result.output

    result = export("--format", "jsonld", "-o", str(root / "out" / "graph.trig"), "--force")
    assert result.exit_code == 2 and "a file of the build itself" in result.output
    assert "Internal" not in result.output and (root / "out" / "graph.trig").read_text(encoding="utf-8").startswith("@prefix")


def test_hops_must_be_a_whole_number(hostile, tmp_path):
    from graph.export import ExportError

    _, kg, _ = hostile
    for hops in (-1, 1.5, "2", True):
        with pytest.raises(ExportError, match="--hops"):
            kg.export(tmp_path / "g.gexf", "gexf", focus="Quill", hops=hops)


def test_the_builds_own_files_are_refused_by_any_path(hostile, tmp_path):
    root, _, _ = hostile
    out = root / "out"
    (tmp_path / "link").symlink_to(out)
    before = (out / "graph.trig").read_bytes()
    runner = CliRunner()
    for target in (out / ".." / "out" / "graph.trig", tmp_path / "link" / "graph.trig",
                   out / ".cache" / "manifest.json", out / "store" / "x"):
        result = runner.invoke(main, ["export", "--graph", str(out), "--format", "jsonld", "-o", str(target),
                                      "--force"])
        assert result.exit_code == 2 and "a file of the build itself" in result.output, target
    assert (out / "graph.trig").read_bytes() == before


def test_a_damaged_graph_trig_is_a_store_error(hostile, tmp_path):
    import shutil

    from graph.errors import StoreError

    root, _, _ = hostile
    copy = shutil.copytree(root / "out", tmp_path / "out")
    with open(copy / "graph.trig", "a", encoding="utf-8") as f:
        f.write("garbage <x y> .\n")
    with pytest.raises(StoreError, match="cannot read the built graph"):
        graph.open(copy).export(tmp_path / "g.jsonld", "jsonld")
    assert not (tmp_path / "g.jsonld").exists() and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_exports_from_threads_to_one_path_each_end_whole_or_say_why(hostile, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from graph.export import ExportError

    _, kg, _ = hostile

    def one(force: bool):
        try:
            kg.export(tmp_path / "same.gexf", "gexf", force=force)
            return "ok"
        except ExportError as exc:
            return "exists" if "already exists" in str(exc) else str(exc)

    with ThreadPoolExecutor(8) as pool:
        plain = list(pool.map(one, [False] * 8))
        forced = list(pool.map(one, [True] * 8))
    assert plain.count("ok") == 1 and plain.count("exists") == 7
    assert forced == ["ok"] * 8
    assert nx.read_gexf(tmp_path / "same.gexf").number_of_nodes() > 0
    assert [p.name for p in tmp_path.iterdir()] == ["same.gexf"]
