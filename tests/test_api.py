"""kg from Python: the public names, the README's example, typed values, a handle that follows rebuilds."""

from __future__ import annotations

import datetime
import os
import re
import shutil
from decimal import Decimal

import pytest
from conftest import ROOT, SEEDS

import graph


def test_the_public_names_are_these():
    assert sorted(graph.__all__) == ["EntityInfo", "KgError", "KnowledgeGraph", "NoGraphError", "QueryError",
                                     "QueryTimeout", "StoreError", "__version__", "build", "open"]
    assert callable(graph.open) and callable(graph.build)
    assert issubclass(graph.QueryTimeout, graph.KgError) and issubclass(graph.NoGraphError, graph.KgError)
    assert {"open", "build", "KnowledgeGraph"} <= set(dir(graph))  # what tab completion offers
    with pytest.raises(AttributeError):
        graph.trace_relationship  # noqa: B018 - the library's inside is not the API


def test_the_readme_python_example_runs(tmp_path, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "[{'name': 'Jason Droege', 'n': 3}]" in out
    assert "interim CEO" in out and out.rstrip().endswith("True")


def test_values_come_typed(built_seeds):
    out, _ = built_seeds
    kg = graph.open(out)
    [row] = kg.query("""SELECT ?iri ?n ?d ?b ?day ?s ?tagged WHERE {
        BIND(kgo:meta AS ?iri) BIND(3 AS ?n) BIND(14.3 AS ?d) BIND(true AS ?b)
        BIND("2025-06-13"^^xsd:date AS ?day) BIND("x" AS ?s) BIND("schaal AI"@nl AS ?tagged) }""")
    assert row == {"iri": "https://kg.example.org/id/org/meta", "n": 3, "d": Decimal("14.3"), "b": True,
                   "day": datetime.date(2025, 6, 13), "s": "x", "tagged": "schaal AI"}
    assert kg.query("ASK { kgo:meta kg:investsIn kgo:scale-ai }") is True
    stakes = kg.query("SELECT DISTINCT ?v WHERE { VALUES ?x { UNDEF } ?i kg:investor ?x ; kg:stake ?v }",
                      {"x": "kgo:meta"})
    assert sorted(r["v"] for r in stakes) == [Decimal(49), Decimal(50)]


def test_the_networkx_graph_is_the_one_kg_viz_draws_and_rdflib_holds_every_quad(built_seeds):

    out, _ = built_seeds
    kg = graph.open(out)
    g = kg.to_networkx()
    html = (out / "graph.html").read_text(encoding="utf-8")
    nodes, edges = map(int, re.search(r"(\d+) entities, (\d+) relationships", html).groups())
    assert g.number_of_nodes() == nodes
    droege = "https://kg.example.org/id/person/jason-droege"
    roles = {d["role"] for _, _, d in g.out_edges(droege, data=True)}
    assert "interim CEO" in roles
    edge = next(d for _, _, d in g.out_edges(droege, data=True) if d["role"] == "interim CEO")
    assert edge["source_count"] == 3 and edge["asserted"] and edge["evidence"][0]["quote"]
    import rdflib

    written = rdflib.Dataset()
    written.parse(out / "graph.trig", format="trig")
    # the quads as graph.trig has them (the store keeps xsd:nonNegativeInteger as xsd:integer)
    assert set(kg.to_rdflib().quads()) == set(written.quads())


def test_a_handle_opened_before_a_rebuild_reads_the_new_build(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    graph.build(seeds, tmp_path / "out")
    kg = graph.open(tmp_path / "out")
    assert kg.query("ASK { kgo:meta kg:investsIn kgo:scale-ai }") is True
    from graph.corrections import append_correction, new_correction

    append_correction(seeds / "corrections.jsonl", new_correction(
        "reject", by="ana", why="test", label="Meta —[invests in]→ Scale AI",
        relationship="investment|org/meta||org/scale-ai"))
    graph.build(seeds, tmp_path / "out")
    assert kg.query("ASK { kgo:meta kg:investsIn kgo:scale-ai }") is False


def test_open_where_nothing_was_built_is_the_commands_error(tmp_path):
    from graph.errors import NoGraphError

    with pytest.raises(NoGraphError, match="no built graph here"):
        graph.open(tmp_path)


def test_a_query_with_a_timeout_runs_apart_and_is_stopped(built_seeds):
    import time

    from graph.query import QueryTimeout

    out, _ = built_seeds
    kg = graph.open(out)
    select = "SELECT ?p ?n WHERE { ?p a schema:Person ; rdfs:label ?n } ORDER BY ?n ?p"
    assert kg.query(select, timeout=30) == kg.query(select)
    assert kg.query("ASK { kgo:meta kg:investsIn kgo:scale-ai }", timeout=30) is True
    construct = "CONSTRUCT { kgo:meta ?p ?o } WHERE { kgo:meta ?p ?o }"
    assert sorted(kg.query(construct, timeout=30)) == sorted(kg.query(construct))
    bound = "SELECT ?n WHERE { VALUES ?x { UNDEF } ?x rdfs:label ?n }"
    assert kg.query(bound, {"x": "kgo:meta"}, timeout=30) == kg.query(bound, {"x": "kgo:meta"})
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"stopped after 1 s \(timeout=1\)"):
        kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1)
    assert time.monotonic() - started < 20


def test_bad_queries_and_timeouts_say_what_is_wrong(built_seeds):
    from graph.query import QueryError

    out, _ = built_seeds
    kg = graph.open(out)
    for timeout in (None, 30):
        with pytest.raises(QueryError, match=r"^syntax error: at 1:"):
            kg.query("SELECT ?x WHERE { ?x ?y }", timeout=timeout)
        with pytest.raises(QueryError, match="read-only"):
            kg.query("DELETE WHERE { ?s ?p ?o }", timeout=timeout)
    for bad in (0, -1, float("nan"), "5"):
        with pytest.raises(QueryError, match="timeout"):
            kg.query("ASK { ?s ?p ?o }", timeout=bad)


def test_rows_become_a_dataframe(built_seeds):
    pandas = pytest.importorskip("pandas")  # a test dependency; optional for users

    out, _ = built_seeds
    rows = graph.open(out).query("SELECT ?name ?n WHERE { VALUES (?name ?n) { (\"a\" 1) (\"b\" 2) } }")
    frame = rows.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["name", "n"] and frame["n"].sum() == 3


def test_a_binding_never_becomes_query_text(built_seeds):
    from graph.query import QueryError

    out, _ = built_seeds
    kg = graph.open(out)
    # the marker inside a string is text: the value has no VALUES line to go into, so nothing runs
    hostile = {"x": ') AS ?u) SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } BIND(CONCAT('}
    for timeout in (None, 30):
        with pytest.raises(QueryError, match="does not contain"):
            kg.query('SELECT ?s WHERE { BIND(CONCAT("VALUES ?x { UNDEF }") AS ?s) }', hostile, timeout=timeout)
        rows = kg.query('SELECT ?s ?x WHERE { BIND("VALUES ?x { UNDEF }" AS ?s) # VALUES ?x { UNDEF }\n'
                        'VALUES ?x { UNDEF } }', {"x": "kgo:meta"}, timeout=timeout)
        assert rows == [{"s": "VALUES ?x { UNDEF }", "x": "https://kg.example.org/id/org/meta"}]


def test_python_values_bind_as_their_types(built_seeds):
    from graph.query import QueryError

    out, _ = built_seeds
    kg = graph.open(out)
    q = "SELECT ?x (DATATYPE(?x) AS ?t) WHERE { VALUES ?x { UNDEF } }"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for value, kind, back in ((Decimal("1.5"), "decimal", Decimal("1.5")), (7, "integer", 7),
                              (2.5, "double", 2.5), (True, "boolean", True), ("3", "string", "3"),
                              (datetime.date(2025, 6, 13), "date", datetime.date(2025, 6, 13))):
        assert kg.query(q, {"x": value}) == [{"x": back, "t": xsd + kind}], value
    both = kg.query("SELECT ?x WHERE { VALUES ?x { UNDEF } }", {"?x": ["kgo:meta", "<https://kg.example.org/id/org/openai>"]})
    assert [r["x"] for r in both] == ["https://kg.example.org/id/org/meta", "https://kg.example.org/id/org/openai"]
    for bad in ({"x": None}, {"x": b"x"}, {"x y": 1}, {1: 1}, {"x": []}):
        with pytest.raises(QueryError, match="bindings"):
            kg.query(q, bad)


def test_literals_not_in_their_datatypes_form_come_back_as_text(built_seeds):
    out, _ = built_seeds
    kg = graph.open(out)
    q = """SELECT ?b ?i ?d ?day WHERE { BIND("TRUE"^^xsd:boolean AS ?b) BIND("1_000"^^xsd:integer AS ?i)
           BIND("abc"^^xsd:decimal AS ?d) BIND("20240102"^^xsd:date AS ?day) }"""
    expected = [{"b": "TRUE", "i": "1_000", "d": "abc", "day": "20240102"}]
    assert kg.query(q) == expected and kg.query(q, timeout=30) == expected


def test_a_relative_folder_stays_put_when_the_current_folder_moves(built_seeds, tmp_path):
    out, _ = built_seeds
    cwd = os.getcwd()
    os.chdir(out.parent)
    try:
        kg = graph.open(out.name)
        os.chdir(tmp_path)
        assert kg.query("ASK { kgo:meta ?p ?o }") is True
    finally:
        os.chdir(cwd)


def test_a_damaged_store_is_a_one_line_store_error(tmp_path):
    from graph.errors import StoreError

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    graph.build(seeds, tmp_path / "out")
    (tmp_path / "out" / "store" / "CURRENT").write_text("junk\n")
    kg = graph.open(tmp_path / "out")
    with pytest.raises(StoreError, match="cannot open the store"):
        kg.query("ASK { ?s ?p ?o }")
    with pytest.raises(StoreError, match="cannot open the store"):
        kg.entities()
    from click.testing import CliRunner

    from graph.cli import main

    result = CliRunner().invoke(main, ["trace", "Droege", "--graph", str(tmp_path / "out")])
    assert result.exit_code != 0 and "internal error" not in result.output
    assert "cannot open the store" in result.output


SCRIPT_INTERRUPT = """
import os, signal, sys, threading, time
import graph
kg = graph.open(sys.argv[1])
threading.Timer(1, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
started = time.monotonic()
try:
    kg.query("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=60)
except KeyboardInterrupt:
    print("interrupted", round(time.monotonic() - started))
"""

SCRIPT_THREADS = """
import sys, threading, gc
import graph
kg = graph.open(sys.argv[1])
def work():
    for _ in range(20):
        kg.query("SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 50")
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
gc.collect()
print("done")
"""


def test_ctrl_c_stops_a_query_with_a_timeout_at_once(built_seeds, tmp_path):
    import subprocess
    import sys

    out, _ = built_seeds
    (tmp_path / "graph.py").write_text("raise SystemExit('the user file, not kg')\n")  # must not shadow kg
    result = subprocess.run([sys.executable, "-P", "-c", SCRIPT_INTERRUPT, str(out)], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() in ("interrupted 1", "interrupted 2"), result.stdout + result.stderr


def test_queries_from_threads_leave_nothing_on_stderr(built_seeds):
    import subprocess
    import sys

    out, _ = built_seeds
    result = subprocess.run([sys.executable, "-c", SCRIPT_THREADS, str(out)], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "done" and result.stderr == "", result.stderr


@pytest.mark.parametrize("query", [
    "SELECT ?o WHERE { BIND(schema:it\\'s AS ?p) BIND(CONCAT('VALUES ?x { UNDEF }') AS ?o) }",
    'SELECT ?o WHERE { BIND("""a\\"""" AS ?s) BIND(CONCAT("VALUES ?x { UNDEF }") AS ?o) }',
    'SELECT ?o WHERE { BIND(1 AS ?a) FILTER(?a<"z>"||true) BIND(CONCAT(" VALUES ?x { UNDEF } ") AS ?o) }',
])
def test_a_marker_that_only_looks_outside_a_string_binds_nothing(built_seeds, query):
    from click.testing import CliRunner

    from graph.cli import main
    from graph.query import QueryError

    out, _ = built_seeds
    with pytest.raises(QueryError, match="cannot be told apart"):
        graph.open(out).query(query, {"x": "', STR(?p), '"})
    result = CliRunner().invoke(main, ["query", query, "--graph", str(out), "--bind", "x=', STR(?p), '"])
    assert result.exit_code == 2 and "cannot be told apart" in result.output


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { BIND(schema:it\\'s AS ?p) SERVICE <http://127.0.0.1:9/s> { ?a ?b ?c } BIND('x' AS ?q) "
    "LATERAL { BIND(1 AS ?l) } }",
    'SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<"z>"||true) SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } '
    'BIND("q" AS ?q) LATERAL { BIND(1 AS ?l) } }',
])
def test_service_is_refused_in_queries_the_checking_parser_cannot_read(built_seeds, query):
    from graph.query import QueryError

    out, _ = built_seeds
    for timeout in (None, 30):
        with pytest.raises(QueryError, match="SERVICE clauses are refused"):
            graph.open(out).query(query, timeout=timeout)


def test_doubles_not_in_their_form_come_back_as_text(built_seeds):
    out, _ = built_seeds
    rows = graph.open(out).query('SELECT ?a ?b WHERE { BIND("1_000"^^xsd:double AS ?a) BIND("1.5e3"^^xsd:double AS ?b) }')
    assert rows == [{"a": "1_000", "b": 1500.0}]


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { BIND(1 AS ?a) # a comment that ends at a carriage return\r SERVICE <http://127.0.0.1:9/s> "
    "{ ?s ?p ?o } \n}",
    'SELECT * WHERE { BIND("x\\u00000022 AS ?a) } # " AS ?a) SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }',
    "SELECT * { # x\rSERVICE<http://127.0.0.1:9/s> { ?s ?p ?o } }",
    "SELECT * WHERE {\n SERVICE<http://127.0.0.1:9/s> { ?s ?p ?o }\n LATERAL { BIND(1 AS ?z) }\n}",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }",
    "ASK { ?s ?p trueSERVICE <http://127.0.0.1:9/s> { } }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * { SERVICE SILENT#c\n :x { ?s ?p ?o } }",
])
def test_service_hidden_where_two_parsers_split_the_text_differently_is_refused(built_seeds, query):
    from click.testing import CliRunner

    from graph.cli import main
    from graph.query import QueryError

    out, _ = built_seeds
    for timeout in (None, 30):
        with pytest.raises(QueryError, match="SERVICE clauses are refused|takes no .u escapes"):
            graph.open(out).query(query, timeout=timeout)
    result = CliRunner().invoke(main, ["query", query, "--graph", str(out)])
    assert result.exit_code == 2 and ("SERVICE clauses are refused" in result.output or "takes no" in result.output)
    result = CliRunner().invoke(main, ["query", "-", "--graph", str(out)], input=query)  # stdin keeps a "\r"
    assert result.exit_code == 2 and ("SERVICE clauses are refused" in result.output or "takes no" in result.output)


def test_escapes_the_checking_parser_misreads_are_refused_and_ordinary_words_are_not(built_seeds):
    from graph.query import QueryError

    out, _ = built_seeds
    kg = graph.open(out)
    with pytest.raises(QueryError, match="takes no .u escapes"):
        kg.query('SELECT ?a WHERE { BIND("caf\\u00e9abcd" AS ?a) }')
    assert kg.query('SELECT ?a WHERE { BIND("café" AS ?a) }') == [{"a": "café"}]
    assert kg.query("SELECT ?service WHERE { ?service schema:name ?n } LIMIT 1") == []
    assert kg.query('SELECT ?s WHERE { ?s rdfs:label "IT service desk: hours" }') == []
    rows = kg.query("SELECT ?x ?y WHERE { VALUES ?x { UNDEF } VALUES ?y { UNDEF } }",
                    {"x": "C:\\u0020x SERVICE desk", "y": 1})
    assert rows == [{"x": "C:\\u0020x SERVICE desk", "y": 1}]
    assert kg.query('SELECT ?s WHERE { ?s rdfs:label "customer service" }') == []


def test_every_marker_of_a_variable_is_bound(built_seeds):
    out, _ = built_seeds
    kg = graph.open(out)
    assert kg.query("SELECT ?x WHERE { { VALUES ?x { UNDEF } } UNION { VALUES ?x { UNDEF } } }", {"x": 1}) == \
        [{"x": 1}, {"x": 1}]
    rows = kg.query("SELECT ?x ?n { VALUES ?x { UNDEF } { SELECT (COUNT(*) AS ?n) { VALUES ?x { UNDEF } ?x ?p ?o } } }",
                    {"x": "kgo:scale-ai"})
    whole = kg.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0]["n"]
    assert rows[0]["n"] < whole  # the subquery's marker was bound too, not left open to the whole store


@pytest.mark.timeout(120)  # a guard against a hang, not a measure of speed
def test_a_comment_of_many_hashes_after_the_word_service_is_read_in_one_pass(built_seeds):
    out, _ = built_seeds
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # customer service " + "#" * 80 + "\n"
    assert len(graph.open(out).query(query)) == 1  # the old search split the run of "#" 2^80 ways


def test_names_ending_in_service_are_no_service_clause(built_seeds):
    from graph.query import QueryError

    out, _ = built_seeds
    kg = graph.open(out)
    assert len(kg.query("SELECT ?customerService ?n WHERE { ?customerService ?p ?n } LIMIT 1")) == 1
    assert len(kg.query("SELECT ?web_service ?n WHERE { ?web_service ?p ?n } LIMIT 1")) == 1
    assert kg.query("SELECT * WHERE { ?org kgo:providesService ?svc }") == []
    with pytest.raises(QueryError, match="SERVICE clauses are refused"):  # a prefix declared after a comment
        kg.query("PREFIX#c\nm: <http://127.0.0.1:9/> SELECT * { SERVICE m:b { ?s ?p ?o } }")
