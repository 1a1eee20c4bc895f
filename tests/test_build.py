"""Building the seeds end to end: the graph, its evidence, determinism and incremental rebuilds."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from conftest import SEEDS, copy_seeds

from graph.builder import build_graph

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX kg: <https://kg.example.org/ontology#>
PREFIX kgo: <https://kg.example.org/id/org/>
PREFIX kgp: <https://kg.example.org/id/person/>
PREFIX kgu: <https://kg.example.org/id/unit/>
PREFIX role: <https://kg.example.org/role/>
"""


def trig_store(out):
    """The written graph.trig, read by an independent parser into a fresh store."""
    store = ox.Store()
    store.load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    return store


def select(store, query):
    return [tuple(None if v is None else v.value for v in row)
            for row in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def test_build_summary_counts_the_seeds(built_seeds):
    _, summary = built_seeds
    assert summary.documents == 5
    assert summary.languages == ["de", "nl"]
    assert summary.statements > 50 and summary.evidence > 50 and summary.entities > 10
    assert summary.warnings == []


def test_graph_trig_parses_with_pyoxigraph_and_has_one_graph_per_document(built_seeds):
    out, _ = built_seeds
    store = trig_store(out)
    graphs = {g.value for g in store.named_graphs()}
    docs = [g for g in graphs if "/graph/" in g and not g.endswith(("registry", "ontology"))]
    assert len(docs) == 5
    assert "https://kg.example.org/graph/registry" in graphs


def test_every_evidence_quote_is_the_text_at_its_offsets(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """
        SELECT ?path ?exact ?start ?end WHERE {
          ?e a kg:Evidence ; oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
          ?doc kg:path ?path .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . }""")
    assert len(rows) > 50
    from graph.read import read_article
    texts = {}
    for path, exact, start, end in rows:
        if path not in texts:
            texts[path] = read_article(SEEDS / path, root=SEEDS).text
        assert texts[path][int(start):int(end)] == exact


def test_droege_is_interim_ceo_of_scale_ai_in_german_and_dutch(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """
        SELECT DISTINCT ?lang ?exact WHERE {
          ?m org:member kgp:jason-droege ; org:organization kgo:scale-ai ; org:role role:interim-ceo .
          ?s rdf:subject ?m ; rdf:predicate org:role ; prov:wasDerivedFrom ?e .
          ?e dct:language ?lang ; oa:hasSelector/oa:exact ?exact . }""")
    langs = {lang for lang, _ in rows}
    assert langs == {"de", "nl"}
    assert any("Jason Droege" in exact for _, exact in rows)


def test_wang_leads_meta_superintelligence_labs_which_is_part_of_meta(built_seeds):
    out, _ = built_seeds
    store = trig_store(out)
    assert store.query(PREFIXES + "ASK { ?m org:member kgp:alexandr-wang ; org:organization kgu:meta-superintelligence-labs ; org:role role:head }",
                       use_default_graph_as_union=True)
    assert store.query(PREFIXES + "ASK { kgp:alexandr-wang org:headOf kgu:meta-superintelligence-labs }",
                       use_default_graph_as_union=True)
    assert store.query(PREFIXES + "ASK { kgu:meta-superintelligence-labs org:subOrganizationOf kgo:meta }",
                       use_default_graph_as_union=True)


def test_openai_and_google_reduced_reliance_on_scale_ai_with_sources_in_two_languages(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """
        SELECT DISTINCT ?who ?lang WHERE {
          ?s rdf:subject ?who ; rdf:predicate kg:reducedRelianceOn ; rdf:object kgo:scale-ai ;
             prov:wasDerivedFrom/dct:language ?lang . }""")
    assert {(w.rsplit("/", 1)[1], lang) for w, lang in rows} >= {
        ("openai", "de"), ("openai", "nl"), ("google", "de"), ("google", "nl")}


def test_the_same_fact_from_several_articles_is_one_statement_with_evidence_in_each(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """
        SELECT ?s (COUNT(DISTINCT ?g) AS ?graphs) WHERE {
          GRAPH ?g { ?s rdf:subject ?i ; rdf:predicate kg:amount ; rdf:object ?amount ; prov:wasDerivedFrom ?e . }
          ?i kg:investor kgo:meta ; kg:investee kgo:scale-ai .
          FILTER(?amount = 14300000000.0) } GROUP BY ?s""")
    assert len(rows) == 1, rows
    assert int(rows[0][1]) >= 4


def test_disagreeing_stakes_are_both_kept_with_their_evidence(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """
        SELECT ?stake (SAMPLE(?approx) AS ?a) WHERE {
          ?s rdf:predicate kg:stake ; rdf:object ?stake ; prov:wasDerivedFrom ?e .
          ?e kg:approximate ?approx . } GROUP BY ?stake ORDER BY ?stake""")
    assert [(float(s), a) for s, a in rows] == [(49.0, "false"), (50.0, "true")]


def test_hedged_and_conditional_claims_keep_evidence_but_are_not_asserted(built_seeds):
    out, _ = built_seeds
    store = trig_store(out)
    # "könnte Meta gezwungen sein, das gesamte Unternehmen zu übernehmen"
    flags = select(store, """SELECT ?c WHERE { ?s rdf:subject kgo:meta ; rdf:predicate kg:acquired ;
                             rdf:object kgo:scale-ai ; prov:wasDerivedFrom/kg:conditional ?c }""")
    assert ("true",) in flags
    assert not store.query(PREFIXES + "ASK { kgo:meta kg:acquired kgo:scale-ai }", use_default_graph_as_union=True)


def test_voting_rights_are_recorded_as_denied_not_dropped(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), "SELECT DISTINCT ?v WHERE { ?i kg:investor kgo:meta ; kg:votingRights ?v }")
    assert rows == [("false",)]


def test_boilerplate_headlines_yield_no_facts(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """SELECT ?exact WHERE { ?e a kg:Evidence ; oa:hasSelector/oa:exact ?exact }""")
    quotes = " ".join(exact for (exact,) in rows)
    for headline in ("promotes strategy chief", "Zuckerberg Pledges", "Hinterlasse", "Stellenangebote",
                     "Upended the AI Data Industry", "Die besten Bücher"):
        assert headline not in quotes


def test_new_people_get_their_own_entities_with_labels(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), "SELECT DISTINCT ?label WHERE { ?p a schema:Person ; rdfs:label ?label }")
    assert {"Alexandr Wang", "Jason Droege", "Mark Zuckerberg"} <= {label for (label,) in rows}


def test_aliases_seen_in_articles_are_recorded_with_their_language(built_seeds):
    out, _ = built_seeds
    rows = select(trig_store(out), """SELECT ?alias WHERE { GRAPH ?g { kgo:scale-ai <http://www.w3.org/2004/02/skos/core#altLabel> ?alias }
                                      FILTER(?g != <https://kg.example.org/graph/registry>) FILTER(LANG(?alias) = "nl") }""")
    assert ("schaal AI",) in rows


def test_same_seeds_give_byte_identical_graph(tmp_path, built_seeds):
    from graph.builder import build_graph

    out, _ = built_seeds
    seeds_copy = shutil.copytree(SEEDS, tmp_path / "elsewhere" / "seeds")
    build_graph(seeds_copy, tmp_path / "out")
    assert (tmp_path / "out" / "graph.trig").read_bytes() == (out / "graph.trig").read_bytes()


def test_rebuild_reprocesses_only_changed_articles_and_drops_removed_ones(tmp_path):
    from graph.builder import build_graph

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    first = build_graph(seeds, out)
    assert first.reused == 0
    again = build_graph(seeds, out)
    assert again.reused == 5
    changed = seeds / "000_43ff3c33451dc81b.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nNvidia-Gründer Jensen Huang lobte den Schritt.\n",
                       encoding="utf-8")
    (seeds / "004_5e06687d31efdb21.txt").unlink()
    third = build_graph(seeds, out)
    assert (third.documents, third.reused) == (4, 3)
    store = trig_store(out)
    paths = {p for (p,) in select(store, "SELECT ?p WHERE { ?d a schema:NewsArticle ; kg:path ?p }")}
    assert "004_5e06687d31efdb21.txt" not in paths
    assert store.query(PREFIXES + "ASK { kgo:nvidia schema:founder kgp:jensen-huang }", use_default_graph_as_union=True)
    # the publisher only article 004 named is gone with its graph
    assert not store.query(PREFIXES + "ASK { ?d schema:publisher ?p }", use_default_graph_as_union=True)


def test_failed_build_leaves_previous_output_untouched(tmp_path, monkeypatch):
    from graph import builder as build_module
    from graph.errors import ValidationError

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    build_module.build_graph(seeds, out)
    before = (out / "graph.trig").read_bytes()
    store_files = sorted(p.name for p in (out / "store").iterdir())
    (seeds / "new.txt").write_text("Microsoft investiert 2 Milliarden Euro in OpenAI.", encoding="utf-8")

    def broken(*args, **kwargs):
        raise ValidationError("new.txt: graph violates ontology/shapes.ttl: (simulated)")

    monkeypatch.setattr("graph.validate.validate_document", broken)
    with pytest.raises(ValidationError):
        build_module.build_graph(seeds, out)
    assert (out / "graph.trig").read_bytes() == before
    assert sorted(p.name for p in (out / "store").iterdir()) == store_files
    assert not list(out.glob(".build-*"))


def test_a_graph_that_violates_the_shapes_is_refused(registry):
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, SDO

    from graph.errors import ValidationError
    from graph.validate import validate_document

    person = URIRef("https://kg.example.org/id/person/nobody")
    bad = [(person, RDF.type, SDO.Person), (person, SDO.worksFor, Literal("not an organization"))]
    with pytest.raises(ValidationError, match="shapes.ttl"):
        validate_document(bad, name="bad.txt")


def test_store_answers_the_same_as_the_trig_file(built_seeds):
    from graph.store import open_store

    out, _ = built_seeds
    store = open_store(out / "store")
    assert len(store) == len(trig_store(out))


def _rebuild(seeds, out):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "graph.cli", "build", "--seeds", str(seeds), "--out", str(out)],
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.parametrize("damage", ["truncate", "garble", "delete"])
def test_a_damaged_cache_block_is_rebuilt_from_its_article_not_published(tmp_path, damage):
    import pyoxigraph as ox

    seeds = copy_seeds(tmp_path / "seeds")
    clean = tmp_path / "clean"
    build_graph(seeds, clean)
    out = tmp_path / "out"
    build_graph(seeds, out)
    block = min((out / ".cache").glob("*/*.trig"))
    data = block.read_bytes()
    if damage == "truncate":
        block.write_bytes(data[: len(data) // 2])
    elif damage == "garble":
        block.write_bytes(data.replace(b"<", b"{", 3))
    else:
        block.unlink()
    proc = _rebuild(seeds, out)
    assert proc.returncode == 0, proc.stderr
    if damage != "delete":
        assert f"{block.name}: damaged cache entry" in proc.stderr or block.name in proc.stderr
    assert "4 from cache" in proc.stdout
    ox.Dataset(ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG))  # parses
    assert (out / "graph.trig").read_bytes() == (clean / "graph.trig").read_bytes()
    again = _rebuild(seeds, out)  # healed: the next build trusts the cache again
    assert "5 from cache" in again.stdout and "damaged" not in again.stderr


@pytest.mark.parametrize("what", ["manifest", "stats"])
def test_damaged_cache_metadata_is_rebuilt_not_an_internal_error(tmp_path, what):
    seeds = copy_seeds(tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    target = out / ".cache" / "manifest.json" if what == "manifest" else min((out / ".cache").glob("*/stats.json"))
    target.write_bytes(b"")
    proc = _rebuild(seeds, out)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize("damage", ["truncate-sst", "no-current"])
def test_a_damaged_store_is_rebuilt_from_graph_trig_with_a_warning(tmp_path, damage):
    import pyoxigraph as ox

    seeds = copy_seeds(tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    (seeds / "new.txt").write_text("Velorix übernimmt den Zulieferer Prenzlow.\n", encoding="utf-8")
    store = out / "store"
    if damage == "truncate-sst":
        for sst in store.glob("*.sst"):
            sst.write_bytes(sst.read_bytes()[:100])
    else:
        (store / "CURRENT").unlink()
    proc = _rebuild(seeds, out)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    assert len(ox.Store.read_only(str(out / "store"))) > 0


def _children(pid: int) -> set[int]:
    from pathlib import Path as _Path

    out = set()
    for task in _Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead; its parent (init here) reaps it
        from pathlib import Path as _Path

        return _Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_build_killed_with_sigkill_takes_its_workers_and_the_next_build_removes_its_leftovers(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    sys.path.insert(0, str(SEEDS.parent / "benchmarks"))
    import corpus

    seeds = tmp_path / "gen" / "seeds"
    corpus.generate(400, seeds)
    out = tmp_path / "out"
    (out).mkdir()
    (out / ".build-999999").mkdir()  # left by a build killed earlier: no living owner
    (out / "graph.trig.tmp999998").write_bytes(b"partial")
    proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "build", "--seeds", str(seeds), "--out", str(out),
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the build started no workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "workers outlived the killed build"
    again = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--seeds", str(seeds), "--out", str(out)],
                           capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0, again.stderr
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".build-", ".store-old-", ".lock-"))
                 or ".tmp" in p.name]
    assert leftovers == []


def test_verify_says_when_graph_trig_and_the_store_disagree(tmp_path):
    from click.testing import CliRunner

    from graph.cli import main

    seeds = copy_seeds(tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--graph", str(out), "--seeds", str(seeds)])
    assert ok.exit_code == 0, ok.output
    trig = out / "graph.trig"
    lines = trig.read_text(encoding="utf-8").splitlines(keepends=True)
    # drop one statement line inside a document's graph block
    index = next(i for i, line in enumerate(lines) if line.startswith("\t") and line.rstrip().endswith(" ."))
    trig.write_text("".join(lines[:index] + lines[index + 1:]), encoding="utf-8")
    bad = runner.invoke(main, ["verify", "--graph", str(out), "--seeds", str(seeds)])
    assert bad.exit_code == 1
    assert "quads in graph.trig" in bad.output or "does not parse" in bad.output
