"""kg query: results in the W3C formats, ready queries, read-only, errors, timeout, endpoints."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import main

SELECT = "SELECT ?person ?label WHERE { ?person a schema:Person ; rdfs:label ?label } ORDER BY ?label"


def kg(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def graph_dir(built_seeds):
    return str(built_seeds[0])


def test_select_as_w3c_json_parses_with_rdflib(graph_dir):
    from rdflib.query import Result

    result = kg("query", SELECT, "--graph", graph_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format="json")
    labels = [str(row[1]) for row in parsed]
    assert "Jason Droege" in labels and "Alexandr Wang" in labels


def test_select_as_w3c_xml_parses_with_rdflib(graph_dir):
    from rdflib.query import Result

    result = kg("query", SELECT, "--graph", graph_dir, "--format", "xml")
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format="xml")
    assert "Jason Droege" in [str(row[1]) for row in parsed]


def test_select_as_csv_parses_with_the_csv_module(graph_dir):
    result = kg("query", SELECT, "--graph", graph_dir, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8"))))
    assert rows[0] == ["person", "label"]
    assert ["https://kg.example.org/id/person/jason-droege", "Jason Droege"] in rows


def test_select_as_tsv_parses_with_rdflib(graph_dir):
    from rdflib.query import Result

    result = kg("query", SELECT, "--graph", graph_dir, "--format", "tsv")
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format="tsv")
    assert "Jason Droege" in [str(row[1]) for row in parsed]


def test_table_is_the_default_on_a_terminal_and_tsv_when_piped(graph_dir):
    result = kg("query", SELECT, "--graph", graph_dir)  # CliRunner's stdout is not a terminal
    assert result.stdout.startswith("?person\t?label\n")
    table = kg("query", SELECT, "--graph", graph_dir, "--format", "table").stdout
    assert table.splitlines()[0].split() == ["person", "label"]
    assert "kgp:jason-droege" in table and table.rstrip().endswith("rows)")


def test_ask_and_construct(graph_dir):
    ask = kg("query", "ASK { kgo:meta kg:investsIn kgo:scale-ai }", "--graph", graph_dir, "--format", "json")
    assert json.loads(ask.stdout)["boolean"] is True
    construct = kg("query", "CONSTRUCT { ?s kg:customerOf ?o } WHERE { ?s kg:customerOf ?o }", "--graph", graph_dir)
    assert "@prefix kg:" in construct.stdout and "kg:customerOf kgo:scale-ai" in construct.stdout
    nt = kg("query", "CONSTRUCT { ?s kg:customerOf ?o } WHERE { ?s kg:customerOf ?o }", "--graph", graph_dir, "--format", "nt")
    assert "<https://kg.example.org/ontology#customerOf>" in nt.stdout


def test_query_from_stdin_and_from_a_file(graph_dir, tmp_path):
    assert "Jason Droege" in kg("query", "-", "--graph", graph_dir, input=SELECT).stdout
    (tmp_path / "q.rq").write_text(SELECT)
    assert "Jason Droege" in kg("query", f"@{tmp_path / 'q.rq'}", "--graph", graph_dir).stdout


def test_graph_reaches_one_article(graph_dir):
    query = """SELECT ?path (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d kg:path ?path . ?s a rdf:Statement } }
               GROUP BY ?path ORDER BY ?path"""
    rows = list(csv.reader(io.StringIO(kg("query", query, "--graph", graph_dir, "--format", "csv").stdout)))
    assert len(rows) == 6 and all(int(n) > 10 for _, n in rows[1:])


def test_prefixes_and_list(graph_dir):
    prefixes = kg("query", "--prefixes").stdout
    pairs = [line.split() for line in prefixes.splitlines()]
    assert ["org", "http://www.w3.org/ns/org#"] in pairs and ["kg", "https://kg.example.org/ontology#"] in pairs
    listing = kg("query", "--list").stdout
    for name in ("roles", "relationships", "single-source", "disagreements", "articles"):
        assert f"\n{name} " in "\n" + listing


def read_csv(graph_dir, *args):
    out = kg("query", *args, "--graph", graph_dir, "--format", "csv")
    assert out.exit_code == 0, out.output
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_ready_query_roles(graph_dir):
    rows = read_csv(graph_dir, "roles")
    found = {(r["person"], r["role"], r["organization"]): r for r in rows}
    assert found[("Jason Droege", "interim CEO", "Scale AI")]["sources"] == "3"
    # two articles say he gives the post up; the Dutch one calls him CEO without saying so
    assert found[("Alexandr Wang", "CEO", "Scale AI")]["status"] == "current / former"
    assert found[("Alexandr Wang", "CEO", "Scale AI")]["asserted"] == "true"
    assert ("Jason Droege", "venture partner", "Benchmark") in found


def test_ready_query_disagreements(graph_dir):
    rows = read_csv(graph_dir, "disagreements")
    got = {(r["about"], r["value"]) for r in rows}
    assert {("Meta / Scale AI", "49"), ("Meta / Scale AI", "50"),
            ("Jason Droege / Scale AI", "CEO"), ("Jason Droege / Scale AI", "interim CEO"),
            ("Alexandr Wang / Scale AI", "founder"), ("Alexandr Wang / Scale AI", "co-founder")} <= got
    fifty = next(r for r in rows if r["value"] == "50")
    assert fifty["documents"] == "004_5e06687d31efdb21.txt"


def test_ready_query_single_source(graph_dir):
    rows = read_csv(graph_dir, "single-source")
    assert any(r["predicate"].endswith("#votingRights") and r["document"] == "003_e472da36a4955f5c.txt" for r in rows)
    assert not any(r["predicate"].endswith("#investsIn") and r["subject"] == "Meta" for r in rows)


def test_ready_query_articles(graph_dir):
    rows = read_csv(graph_dir, "articles")
    from conftest import SEEDS

    assert [r["document"] for r in rows] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert {r["language"] for r in rows} == {"de", "nl"}


def test_ready_query_relationships_with_a_bound_entity(graph_dir):
    rows = read_csv(graph_dir, "relationships", "--bind", "entity=kgp:jason-droege")
    assert {r["subject"] for r in rows if not r["subject"].startswith("https://")} == {"Jason Droege"}
    assert any(r["predicate"].endswith("#succeeded") and r["object"] == "Alexandr Wang" for r in rows)


def test_a_bound_value_is_data_not_query_text(graph_dir):
    sneaky = 'x" } ; DROP ALL ; SELECT * WHERE { "'
    rows = read_csv(graph_dir, "relationships", "--bind", f"entity={sneaky}")
    assert rows == []


def store_digest(graph_dir):
    digest = hashlib.sha256()
    for path in sorted(Path(graph_dir, "store").iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP GRAPH <https://kg.example.org/graph/registry>",
    "LOAD <http://example.org/data.ttl>",
    "PREFIX ex: <http://e/>\nWITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_and_the_graph_is_unchanged(graph_dir, update):
    before = store_digest(graph_dir)
    result = kg("query", update, "--graph", graph_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: kg query is read-only: ")
    assert len(result.stderr.splitlines()) == 1
    assert store_digest(graph_dir) == before


def test_a_syntax_error_is_one_line_with_line_and_column(graph_dir):
    result = kg("query", "SELECT ?x\nWHERE { ?x ?y }", "--graph", graph_dir)
    assert result.exit_code == 2
    assert result.stderr == "Error: syntax error: at 2:16: expected one of LATERAL, SERVICE, [_]\n" or \
        result.stderr.startswith("Error: syntax error: at 2:")


def test_a_missing_graph_folder_suggests_building(tmp_path):
    result = kg("query", SELECT, "--graph", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: --graph {tmp_path / 'none'}: no built graph here (run 'kg build --out {tmp_path / 'none'}' first)\n"


def test_wrong_format_for_the_query_form_is_a_clear_error(graph_dir):
    result = kg("query", SELECT, "--graph", graph_dir, "--format", "turtle")
    assert result.exit_code == 2 and "for CONSTRUCT and DESCRIBE" in result.stderr


def test_a_query_that_runs_too_long_stops_at_the_timeout(graph_dir):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    result = kg("query", slow, "--graph", graph_dir, "--timeout", "1")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr == "Error: query stopped after 1 s (--timeout)\n"


def test_queries_run_on_oxigraph_never_on_rdflibs_evaluator(graph_dir):
    # rdflib's grammar checks the query (read-only, no SERVICE); its evaluator must never run it
    code = f"""
import io, sys
from pathlib import Path
import rdflib.plugins.sparql.evaluate as evaluator
def refuse(*args, **kwargs):
    raise SystemExit("rdflib's evaluator ran the query")
evaluator.evalQuery = evaluator.evalPart = refuse
from graph.query import run_local, Format
out = io.BytesIO()
run_local({SELECT!r}, Path({graph_dir!r}), Format.JSON, out)
print(b"Alexandr Wang" in out.getvalue(), 'pyoxigraph' in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]  # the parent only relays; the child ran pyoxigraph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(graph_dir, tmp_path_factory):
    """A real Oxigraph SPARQL server on loopback, serving a copy of the built store."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not os.path.exists(binary):
        pytest.fail("the oxigraph server is not installed (pip install '.[test]')")
    location = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(Path(graph_dir) / "store", location)
    port = free_port()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_endpoint_gives_the_same_answers_as_the_local_store(graph_dir, oxigraph_server):
    local = json.loads(kg("query", SELECT, "--graph", graph_dir, "--format", "json").stdout)
    remote_result = kg("query", SELECT, "--endpoint", oxigraph_server, "--format", "json")
    assert remote_result.exit_code == 0, remote_result.output
    remote = json.loads(remote_result.stdout)
    assert remote["results"]["bindings"] == local["results"]["bindings"]


def test_ready_queries_answer_the_same_on_the_server(graph_dir, oxigraph_server):
    for name in ("roles", "disagreements", "single-source", "articles"):
        local = kg("query", name, "--graph", graph_dir, "--format", "csv").stdout
        remote = kg("query", name, "--endpoint", oxigraph_server, "--format", "csv").stdout
        assert remote == local, name


def test_sparqlwrapper_reads_the_live_server(oxigraph_server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(oxigraph_server)
    client.setQuery("PREFIX schema: <https://schema.org/> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }")
    client.setReturnFormat(JSON)
    n = int(client.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n >= 3


def test_an_unreachable_endpoint_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}/query"
    result = kg("query", SELECT, "--endpoint", url, "--timeout", "3")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --endpoint {url}: ")
    assert len(result.stderr.splitlines()) == 1


def test_an_endpoint_error_names_the_status(oxigraph_server):
    result = kg("query", "SELECT ?x WHERE { ?x nope:y ?z }", "--endpoint", oxigraph_server)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {oxigraph_server} answered HTTP 400")


@pytest.mark.parametrize("text", [
    "SELECT ?load ?insert WHERE { ?load ?drop ?insert } LIMIT 1",
    "PREFIX load: <http://example.org/> SELECT ?s WHERE { ?s load:clear ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s rdfs:label ?copy FILTER(CONTAINS(STR(?copy), 'DELETE')) } LIMIT 1",
])
def test_a_read_only_query_naming_update_keywords_is_not_refused(graph_dir, text):
    result = kg("query", text, "--graph", graph_dir, "--format", "tsv")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text, words", [
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", "INSERT DATA"),
])
def test_an_update_is_refused_by_name_before_anything_runs(graph_dir, text, words):
    result = CliRunner().invoke(main, ["query", text, "--graph", graph_dir])
    assert result.exit_code == 2
    assert f"read-only: {words} is an update" in result.output


def test_a_service_clause_is_refused_and_reaches_no_server(graph_dir):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        proc = subprocess.run([sys.executable, "-m", "graph.cli", "query", "--graph", graph_dir,
                               f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"],
                              capture_output=True, text=True, check=False, timeout=120)
        assert proc.returncode == 2 and "SERVICE clauses are refused" in proc.stderr
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing connected
    finally:
        listener.close()


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_a_timeout_that_is_no_positive_number_of_seconds_is_a_usage_error(graph_dir, value):
    result = CliRunner().invoke(main, ["query", "roles", "--graph", graph_dir, "--timeout", value])
    assert result.exit_code == 2 and "--timeout" in result.output and "internal error" not in result.output


def test_a_query_file_that_is_not_utf8_is_a_clear_error(graph_dir, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_bytes(b"SELECT \xff")
    result = CliRunner().invoke(main, ["query", f"@{path}", "--graph", graph_dir])
    assert result.exit_code == 2 and "is not UTF-8 text" in result.output


def test_a_reader_that_stops_early_is_no_error(graph_dir):
    proc = subprocess.run(f"'{sys.executable}' -m graph.cli query --graph '{graph_dir}' "
                          f"'SELECT * WHERE {{ ?s ?p ?o }}' --format tsv | head -1",
                          shell=True, capture_output=True, text=True, check=False, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert "internal error" not in proc.stderr and "Broken pipe" not in proc.stderr


@pytest.mark.parametrize("args", [["trace", "Droege", ""], ["trace", " "], ["viz", "--focus", ""]])
def test_an_empty_name_is_a_usage_error_not_ignored(graph_dir, args, tmp_path):
    extra = ["-o", str(tmp_path / "x.html")] if args[0] == "viz" else []
    result = CliRunner().invoke(main, [*args, "--graph", graph_dir, *extra])
    assert result.exit_code == 2 and "an empty name" in result.output


def _failing_engine(monkeypatch):
    # the engine writes part of a result, then fails: the forked child inherits the patch
    import graph.store

    def fail_midway(folder, text, fmt, form, out, substitutions):
        out.write(b'{"head": {"vars": ["s"]}, "results": {"bindings": [')
        out.flush()
        raise RuntimeError("the engine failed")

    monkeypatch.setattr(graph.store, "write_query_result", fail_midway)


def test_a_query_that_fails_after_its_output_began_exits_non_zero_with_one_line(graph_dir, monkeypatch):
    _failing_engine(monkeypatch)
    result = CliRunner().invoke(main, ["query", SELECT, "--graph", graph_dir, "--format", "json"])
    assert result.exit_code != 0
    assert result.stderr.strip().count("\n") == 0 and "failed after its result had begun" in result.stderr


def test_output_to_a_file_is_whole_or_not_there(graph_dir, monkeypatch, tmp_path):
    target = tmp_path / "people.json"
    ok = CliRunner().invoke(main, ["query", SELECT, "--graph", graph_dir, "--format", "json", "-o", str(target)])
    assert ok.exit_code == 0 and json.loads(target.read_text())["results"]["bindings"]
    target.unlink()
    _failing_engine(monkeypatch)
    bad = CliRunner().invoke(main, ["query", SELECT, "--graph", graph_dir, "--format", "json", "-o", str(target)])
    assert bad.exit_code != 0
    assert not target.exists() and list(tmp_path.iterdir()) == []  # no partial file, no temporary left


def test_candidates_on_a_query_without_candidates_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from graph.cli import main

    result = CliRunner().invoke(main, ["query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "--candidates",
                                       "--graph", str(tmp_path)])
    assert result.exit_code == 2 and "--candidates: this query has no candidates to add" in result.output
