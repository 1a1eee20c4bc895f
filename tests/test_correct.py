"""kg correct end to end on the seeds: reject, confirm, add, merge, split, undo, stale corrections."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from graph.cli import main


def kg(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory):
    """The seeds built once without corrections; each test works on a copy (the cache makes rebuilds quick)."""
    root = tmp_path_factory.mktemp("correct")
    shutil.copytree(SEEDS, root / "seeds")
    result = kg("build", "--seeds", root / "seeds", "--out", root / "out")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(prebuilt, tmp_path):
    shutil.copytree(prebuilt / "seeds", tmp_path / "seeds")
    shutil.copytree(prebuilt / "out", tmp_path / "out")
    return tmp_path


def correct(project, *args, by="ana"):
    return kg("correct", *args, "--seeds", project / "seeds", "--graph", project / "out", "--by", by)


def roles(project) -> str:
    return kg("query", "roles", "--graph", project / "out", "--format", "tsv").output


def trace_json(project, *names) -> dict:
    result = kg("trace", *names, "--graph", project / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def the(rels, predicate: str) -> dict:
    found = [r for r in rels if r["predicate"]["label"] == predicate]
    assert len(found) == 1, [r["predicate"]["label"] for r in rels]
    return found[0]


def test_reject_leaves_the_ready_queries_and_shows_its_reason_and_author_in_trace(project):
    assert '"Alexandr Wang"\t"head of AI"\t"Meta"' in roles(project)
    result = correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "He leads the lab, not AI at Meta")
    assert result.exit_code == 0, result.output
    assert "Recorded #1" in result.output and "1 correction applied" in result.output
    assert '"head of AI"' not in roles(project)
    rel = the(trace_json(project, "Wang", "Meta")["relationships"], "head of AI")
    assert rel["status"] == "rejected" and rel["asserted"] is False
    assert rel["sources"], "the statement keeps its evidence"
    [c] = rel["corrections"]
    assert (c["operation"], c["by"], c["why"]) == ("reject", "ana", "He leads the lab, not AI at Meta")
    text = kg("trace", "Wang", "Meta", "--graph", project / "out").output
    assert "REJECTED" in text and "reject by ana at" in text and "He leads the lab" in text
    rows = kg("query", "corrections", "--graph", project / "out", "--format", "tsv").output.splitlines()
    assert len(rows) == 2 and '"reject"' in rows[1] and '"ana"' in rows[1]


def test_a_rebuild_after_a_reject_extracts_no_article_again(project):
    correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "x", "--no-build")
    result = kg("build", "--seeds", project / "seeds", "--out", project / "out")
    assert result.exit_code == 0, result.output
    assert "(5 from cache)" in result.output


def test_undo_restores_graph_trig_byte_for_byte(project):
    before = (project / "out" / "graph.trig").read_bytes()
    correct(project, "reject", "Droege", "interim CEO", "Scale AI", "--why", "test")
    assert (project / "out" / "graph.trig").read_bytes() != before
    result = kg("correct", "undo", "1", "--seeds", project / "seeds", "--graph", project / "out")
    assert result.exit_code == 0, result.output
    assert (project / "out" / "graph.trig").read_bytes() == before
    assert '"Jason Droege"\t"interim CEO"\t"Scale AI"' in roles(project)


def test_the_later_of_a_reject_and_a_confirm_stands_and_list_shows_both(project):
    correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "first thought", "--no-build")
    correct(project, "confirm", "Wang", "head of AI", "Meta", "--why", "checked again", by="bo")
    rel = the(trace_json(project, "Wang", "Meta")["relationships"], "head of AI")
    assert rel["status"] == "confirmed" and rel["asserted"] is True
    assert [c["operation"] for c in rel["corrections"]] == ["reject", "confirm"]
    assert '"head of AI"' in roles(project)
    listing = kg("correct", "list", "--seeds", project / "seeds").output
    assert "  1. reject" in listing and "  2. confirm" in listing and "by bo at" in listing


def test_confirm_asserts_a_candidate(project):
    rel = next(r for r in trace_json(project, "Meta", "Scale AI")["relationships"]
               if r["predicate"]["label"] == "acquired")
    assert rel["asserted"] is False
    result = correct(project, "confirm", "Meta", "acquired", "Scale AI", "--why", "Say we checked it")
    assert result.exit_code == 0, result.output
    rel = the(trace_json(project, "Meta", "Scale AI")["relationships"], "acquired")
    assert rel["asserted"] is True and rel["status"] == "confirmed"


def test_reject_in_one_document_keeps_what_the_others_say(project):
    rel = the(trace_json(project, "Droege", "Scale AI")["relationships"], "interim CEO")
    docs = sorted({s["document"] for s in rel["sources"]})
    assert len(docs) >= 2
    result = correct(project, "reject", "Droege", "interim CEO", "Scale AI", "--document", docs[0], "--why", "misread")
    assert result.exit_code == 0, result.output
    rel = the(trace_json(project, "Droege", "Scale AI")["relationships"], "interim CEO")
    assert rel["asserted"] is True and rel["status"] == "extracted"
    assert [s["document"] for s in rel["sources"] if s.get("rejected")] == [docs[0]]


def test_reject_one_value_keeps_the_others(project):
    rel = next(r for r in trace_json(project, "Meta", "Scale AI")["relationships"]
               if r["predicate"]["label"] == "invests in")
    stakes = [d["value"] for d in rel["disagreements"].get("stake", [])] or [rel["qualifiers"]["stake"]]
    result = correct(project, "reject", "Meta", "invests in", "Scale AI", "--value", stakes[-1], "--why", "misprint")
    assert result.exit_code == 0, result.output
    query = """SELECT ?v WHERE { GRAPH ?g { ?i a kg:Investment ; kg:stake ?v } }"""
    values = kg("query", query, "--graph", project / "out", "--format", "tsv").output.split()[1:]
    assert str(stakes[-1]) not in [v.strip('"').split("^")[0] for v in values]
    rel = next(r for r in trace_json(project, "Meta", "Scale AI")["relationships"]
               if r["predicate"]["label"] == "invests in")
    assert rel["asserted"] is True
    assert rel["corrections"][0]["qualifier"] == "stake" and rel["corrections"][0]["value"] == stakes[-1]


def test_add_a_relationship_with_a_quote_and_a_new_person(project):
    doc = sorted(p.name for p in (project / "seeds").iterdir() if p.suffix == ".txt")[0]
    text = (project / "seeds" / doc).read_text(encoding="utf-8")
    quote = text.split("\n")[0][:30]
    result = correct(project, "add", "Mira Castellanos", "CEO", "Scale AI", "--document", doc, "--quote", quote,
                     "--type", "person", "--why", "Said on the phone; the quote names the company")
    assert result.exit_code == 0, result.output
    rel = the(trace_json(project, "Mira Castellanos", "Scale AI")["relationships"], "CEO")
    assert rel["status"] == "added" and rel["asserted"] is True
    [src] = rel["sources"]
    assert (src["document"], src["quote"], src["rule"]) == (doc, quote, "correction.add")
    assert text[src["start"]:src["end"]] == quote
    assert kg("verify", "--graph", project / "out", "--seeds", project / "seeds").exit_code == 0


def test_add_refuses_a_quote_the_article_does_not_hold_and_writes_nothing(project):
    doc = sorted(p.name for p in (project / "seeds").iterdir() if p.suffix == ".txt")[0]
    result = correct(project, "add", "Droege", "CEO", "Scale AI", "--document", doc,
                     "--quote", "Jason Droege was never here", "--why", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --quote: not in {doc}")
    assert not (project / "seeds" / "corrections.jsonl").exists()


def test_unknown_names_are_refused_with_the_closest_matches(project):
    result = correct(project, "reject", "Alexander Wang", "CEO", "Scale AI", "--why", "x")
    assert result.exit_code == 2
    assert result.stderr == "Error: A 'Alexander Wang': no entity of that name; did you mean 'Alexandr Wang'?\n"
    result = correct(project, "reject", "Droege", "chairman", "Scale AI", "--why", "x")
    assert result.exit_code == 2 and "'interim CEO'" in result.stderr
    assert not (project / "seeds" / "corrections.jsonl").exists()


def graphs_but_corrections(project) -> set:
    import pyoxigraph as ox

    quads = ox.parse(path=str(project / "out" / "graph.trig"), format=ox.RdfFormat.TRIG)
    return {q for q in quads if q.graph_name.value != "https://kg.example.org/graph/corrections"}


def test_merge_moves_statements_and_split_takes_them_back(project):
    extracted = graphs_but_corrections(project)
    before = trace_json(project, "Benchmark")["relationships"]
    assert before
    result = correct(project, "merge", "Scale AI", "Benchmark", "--why", "test of a merge")
    assert result.exit_code == 0, result.output
    merged = trace_json(project, "Benchmark")  # the old name now finds the kept entity
    assert merged["subject"]["label"] == "Scale AI"
    droege = trace_json(project, "Droege", "Scale AI")["relationships"]
    assert any(r["predicate"]["label"] == "venture partner" for r in droege)
    statements = {r["statement"] for r in before}
    assert not statements & {r["statement"] for r in droege}, "statements are minted again for the new participants"
    docs = sorted({s["document"] for r in before for s in r["sources"]})
    for doc in docs:
        result = correct(project, "split", "Scale AI", "--document", doc, "--into", "Benchmark", "--why", "undo by split")
        assert result.exit_code == 0, result.output
    after = trace_json(project, "Benchmark")
    assert after["subject"]["label"] == "Benchmark"
    assert any(r["predicate"]["label"] == "venture partner" for r in after["relationships"])
    assert graphs_but_corrections(project) == extracted, "split back, every article says what extraction said"


def test_a_correction_that_no_longer_applies_is_reported_and_kept(project):
    from graph.corrections import append_correction, new_correction

    path = project / "seeds" / "corrections.jsonl"
    append_correction(path, new_correction("reject", by="ana", why="old", label="Ola Brandt —[CEO]→ Meta",
                                           relationship="membership|person/ola-brandt|ceo|org/meta"))
    result = kg("build", "--seeds", project / "seeds", "--out", project / "out")
    assert result.exit_code == 0
    assert ("Warning: corrections line 1: no longer applies (no article states it any longer); "
            "kept: reject Ola Brandt —[CEO]→ Meta") in result.stderr
    assert len(path.read_text().splitlines()) == 1


def test_a_malformed_corrections_file_stops_the_build_and_keeps_the_output(project):
    before = (project / "out" / "graph.trig").read_bytes()
    path = project / "seeds" / "corrections.jsonl"
    path.write_text('{"op": "reject", "by": "a", "at": "2026-01-01T00:00:00Z", "why": "x", "label": "x", '
                    '"relationship": "membership|person/a|ceo|org/b"}\n{"op": "explode"}\n')
    result = kg("build", "--seeds", project / "seeds", "--out", project / "out")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {path}:2: unknown op 'explode'; one of reject, confirm, add, merge, split, "
                             "rename, wikidata, alias, type\n")
    assert (project / "out" / "graph.trig").read_bytes() == before


def test_rename_wikidata_and_alias(project):
    correct(project, "rename", "Benchmark", "Benchmark Capital", "--why", "full name")
    correct(project, "wikidata", "Benchmark Capital", "Q4887242", "--why", "checked", "--no-build")
    correct(project, "alias", "Benchmark Capital", "Benchmark Partners", "--why", "also written so")
    found = trace_json(project, "Benchmark Partners")
    assert found["subject"]["label"] == "Benchmark Capital"
    assert trace_json(project, "Benchmark")["subject"]["label"] == "Benchmark Capital"
    query = "SELECT ?o WHERE { GRAPH ?g { kgo:benchmark owl:sameAs ?o } }"
    assert "Q4887242" in kg("query", query, "--graph", project / "out", "--format", "tsv").output


ARTICLE = """Velantis names a new finance chief

Velantis, the payments start-up, said on Tuesday that it had hired Jon Court as chief financial officer. \
Court joins from Brightwell Bank, where he led the treasury team.

Velo, as its customers call the firm, also said it had no plans to sell shares this year.
"""
OTHER = """Brightwell Bank reports a quiet quarter

Brightwell Bank said on Friday that its deposits grew slowly in the spring. The bank did not comment on staff.
"""


@pytest.fixture
def fresh(tmp_path):
    """Two articles of names no registry holds: one has a person the name rules read as a company."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "velantis.txt").write_text(ARTICLE, encoding="utf-8")
    (seeds / "brightwell.txt").write_text(OTHER, encoding="utf-8")
    assert kg("build", "--seeds", seeds, "--out", tmp_path / "out").exit_code == 0
    return tmp_path


def test_type_reads_again_only_the_articles_that_name_the_entity(fresh):
    before = trace_json(fresh, "Jon Court")
    assert before["subject"]["iri"].endswith("/org/jon-court"), "the name rules read him as a company"
    result = correct(fresh, "type", "Jon Court", "person", "--why", "'he led the treasury team'")
    assert result.exit_code == 0, result.output
    assert "(1 from cache)" in result.output, "the other article is not read again"
    after = trace_json(fresh, "Jon Court")
    assert after["subject"]["iri"].endswith("/person/jon-court")
    rel = the(after["relationships"], "chief financial officer")
    assert rel["object"]["label"] == "Velantis" and rel["asserted"] is True


def test_alias_lets_extraction_find_the_other_name(fresh):
    query = "SELECT ?d WHERE { GRAPH ?g { ?d schema:mentions kgo:velantis } }"
    assert kg("query", query, "--graph", fresh / "out", "--format", "tsv").output.count("\n") == 2
    result = correct(fresh, "alias", "Velantis", "Velo", "--why", "what its customers call it")
    assert result.exit_code == 0, result.output
    assert trace_json(fresh, "Velo")["subject"]["label"] == "Velantis"
    # the article's own "Velo" is now a mention of Velantis, with the sentence as evidence of the alias
    aliases = kg("query", "SELECT ?g WHERE { GRAPH ?g { kgo:velantis skos:altLabel \"Velo\"@en } }",
                 "--graph", fresh / "out", "--format", "tsv").output
    assert "graph/corrections" not in aliases and aliases.count("\n") == 2


def test_the_html_hides_a_rejected_edge_until_asked_and_then_shows_it_struck_with_its_reason(project):
    from browser import open_page, severe_console_messages, start_browser

    correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "He leads the lab, not AI at Meta")
    driver = start_browser()
    try:
        open_page(driver, project / "out" / "graph.html")
        struck = "".join(ch + "\u0336" for ch in "head of AI")
        visible = "var want = arguments[0]; return kg.edgeView.get().filter(function (e) { return e.label === want; }).length"
        assert driver.execute_script("return kg.data.rejected") == 1
        assert driver.execute_script(visible, struck) == 0
        driver.find_element("id", "rejected").click()
        assert driver.execute_script(visible, struck) == 1
        assert driver.execute_script("""
            var want = arguments[0];
            var e = kg.edgeView.get().find(function (e) { return e.label === want; });
            return kg.selectEdge(e.id);""", struck)
        panel = driver.find_element("id", "panel")
        assert "rejected by an analyst" in panel.text
        assert "reject by ana at" in panel.text and "He leads the lab, not AI at Meta" in panel.text
        head = panel.find_element("css selector", ".rel .head")
        assert head.value_of_css_property("text-decoration-line") == "line-through"
        assert severe_console_messages(driver) == []
    finally:
        driver.quit()


@pytest.mark.parametrize(("line", "problem"), [
    ('{"op": "reject"', "not a JSON object (Expecting ',' delimiter, column 16)"),
    ('["reject"]', "not a JSON object"),
    ('{"op": "merge", "keep": "org/a", "drop": "org/b", "label": "x", "by": "ana", "at": "2026-01-01T00:00:00Z"}',
     "merge: 'why' must be a non-empty string"),
    ('{"op": "merge", "keep": "org/a", "drop": "org/b", "label": "x", "by": "ana", "at": "yesterday", "why": "x"}',
     "merge: 'at' must be a UTC time like 2026-01-31T09:30:00Z, not 'yesterday'"),
    ('{"op": "merge", "keep": "Acme", "drop": "org/b", "label": "x", "by": "ana", "at": "2026-01-01T00:00:00Z", '
     '"why": "x"}', "merge: 'keep' must be an entity key such as person/jane-doe, not 'Acme'"),
    ('{"op": "merge", "keep": "org/a", "label": "x", "by": "ana", "at": "2026-01-01T00:00:00Z", "why": "x"}',
     "merge: missing 'drop'"),
    ('{"op": "wikidata", "entity": "org/a", "qid": "42", "by": "ana", "at": "2026-01-01T00:00:00Z", "why": "x", '
     '"colour": "red"}', "wikidata: unknown field 'colour'"),
    ('{"op": "merge", "keep": "org/a", "drop": "person/b", "label": "x", "by": "ana", "at": "2026-01-01T00:00:00Z", '
     '"why": "x"}', "merge: org/a and person/b are not of one kind (a person and an organization are never one "
     "entity)"),
    ('{"op": "reject", "relationship": "membership|org/a|ceo|org/b", "label": "x", "by": "ana", '
     '"at": "2026-01-01T00:00:00Z", "why": "x"}', "reject: membership needs a person as member, not org/a"),
    ('{"op": "reject", "relationship": "bogusKind|org/a||org/b", "label": "x", "by": "ana", '
     '"at": "2026-01-01T00:00:00Z", "why": "x"}', "reject: 'bogusKind' is not a kind of relationship kg corrects"),
    ('{"op": "reject", "relationship": "investment|org/a||org/b", "label": "x", "value": "50.0", '
     '"qualifier": "stake", "by": "ana", "at": "2026-01-01T00:00:00Z", "why": "x"}',
     "reject: 'value' must be a number written plainly, such as 49 or 14.3, not '50.0'"),
    ('{"op": "reject", "relationship": "investment|org/a||org/b", "label": "x", "qualifier": "stake", "by": "ana", '
     '"at": "2026-01-01T00:00:00Z", "why": "x"}', "reject: 'qualifier' and 'value' go together"),
    ('{"op": "merge", "keep": "org/a", "drop": "org/b", "label": "x", "by": "ana", "at": "2026-1-1T1:1:1Z", '
     '"why": "x"}', "merge: 'at' must be a UTC time like 2026-01-31T09:30:00Z, not '2026-1-1T1:1:1Z'"),
])
def test_a_malformed_line_is_named_with_what_is_wrong(tmp_path, line, problem):
    from graph.corrections import CorrectionError, load_corrections

    path = tmp_path / "corrections.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CorrectionError) as err:
        load_corrections(path)
    assert str(err.value) == f"{path}:2: {problem}"


def test_undo_of_a_number_the_file_does_not_hold_is_refused(project):
    result = kg("correct", "undo", "3", "--seeds", project / "seeds", "--graph", project / "out")
    assert result.exit_code == 2
    assert "no correction on line 3" in result.stderr


# ---------------------------------------------------------------- what a review found (each pinned)

def ask(project, query: str) -> bool:
    return kg("query", query, "--graph", project / "out", "--format", "tsv").output.strip().endswith("true")


def test_a_rejected_investment_leaves_no_plain_edge_even_where_a_funding_round_states_it(project):
    assert ask(project, "ASK { kgo:meta kg:investsIn kgo:scale-ai }")
    assert correct(project, "reject", "Meta", "invests in", "Scale AI", "--why", "x").exit_code == 0
    assert not ask(project, "ASK { kgo:meta kg:investsIn kgo:scale-ai }")


def test_whole_and_one_article_corrections_agree_in_the_graph_and_in_trace(project):
    correct(project, "reject", "Wang", "founder", "Scale AI", "--why", "x", "--no-build")
    doc = "003_e472da36a4955f5c.txt"
    assert correct(project, "confirm", "Wang", "founder", "Scale AI", "--document", doc, "--why", "y").exit_code == 0
    rel = the(trace_json(project, "Wang", "Scale AI")["relationships"], "founder")
    assert rel["asserted"] is True and rel["status"] == "confirmed"
    assert '"Alexandr Wang"\t"founder"\t"Scale AI"' in roles(project)
    assert [s["document"] for s in rel["sources"] if s.get("confirmed")] == [doc]

    correct(project, "confirm", "Droege", "venture partner", "Benchmark", "--why", "x", "--no-build")
    [src] = the(trace_json(project, "Droege", "Benchmark")["relationships"], "venture partner")["sources"]
    correct(project, "reject", "Droege", "venture partner", "Benchmark", "--document", src["document"], "--why", "y")
    rel = the(trace_json(project, "Droege", "Benchmark")["relationships"], "venture partner")
    assert rel["asserted"] is False and rel["status"] == "rejected"
    assert "venture partner" not in roles(project)


def test_a_rejected_value_leaves_the_qualifiers_and_the_ready_queries(project):
    assert correct(project, "reject", "Meta", "invests in", "Scale AI", "--value", "49", "--why", "x").exit_code == 0
    rel = the(trace_json(project, "Meta", "Scale AI")["relationships"], "invests in")
    assert rel["qualifiers"]["stake"] == 50 and "stake" not in rel.get("disagreements", {})
    investments = kg("query", "investments", "--graph", project / "out", "--format", "tsv").output
    assert '"49"' not in investments and '"50"' in investments
    assert "#stake" not in kg("query", "disagreements", "--graph", project / "out", "--format", "tsv").output


def test_a_funding_round_is_named_from_its_investors_side(project):
    result = correct(project, "reject", "Amazon", "funding round", "Scale AI", "--why", "x")
    assert result.exit_code == 0, result.output
    rels = [r for r in trace_json(project, "Amazon", "Scale AI")["relationships"] if r["subject"]["label"] == "Amazon"]
    assert the(rels, "funding round")["status"] == "rejected"


def test_a_merge_makes_no_entity_invest_in_itself(project):
    assert correct(project, "merge", "Scale AI", "Meta", "--why", "x").exit_code == 0
    rels = trace_json(project, "Scale AI")["relationships"]
    assert not [r for r in rels if r["subject"]["iri"] == (r["object"] or {}).get("iri")]


def test_undoing_a_merge_makes_its_split_back_stale_not_a_full_split(project):
    correct(project, "merge", "Scale AI", "Benchmark", "--why", "x")
    [src] = [s for r in trace_json(project, "Droege", "Scale AI")["relationships"]
             if r["predicate"]["label"] == "venture partner" for s in r["sources"]]
    assert correct(project, "split", "Scale AI", "--document", src["document"], "--into", "Benchmark",
                   "--why", "y").exit_code == 0
    result = kg("correct", "undo", "1", "--seeds", project / "seeds", "--graph", project / "out")
    assert "corrections line 1: no longer applies (the merge of org/benchmark into org/scale-ai it takes back " \
           "is gone)" in result.stderr
    assert '"Jason Droege"\t"interim CEO"\t"Scale AI"' in roles(project)


def test_a_split_across_kinds_and_into_the_same_name_are_refused(project):
    result = correct(project, "split", "Jason Droege", "--document", "003_e472da36a4955f5c.txt", "--into", "Scale AI",
                     "--why", "x")
    assert result.exit_code == 2 and "a person's mentions cannot become an organization's" in result.stderr
    result = correct(project, "split", "Jason Droege", "--document", "003_e472da36a4955f5c.txt",
                     "--into", "Jason Droegé", "--why", "x")
    assert result.exit_code == 2 and "would be Jason Droege again" in result.stderr
    result = correct(project, "alias", "Meta", "Scale AI", "--why", "x")
    assert result.exit_code == 2 and "names Scale AI already; if they are one entity, use 'kg correct merge'" \
        in result.stderr
    assert not (project / "seeds" / "corrections.jsonl").exists()


def test_the_later_wikidata_item_stands_and_one_item_names_one_entity(project):
    correct(project, "wikidata", "Benchmark", "Q111", "--why", "x", "--no-build")
    correct(project, "wikidata", "Benchmark", "Q222", "--why", "y")
    items = kg("query", "SELECT ?o WHERE { GRAPH ?g { kgo:benchmark owl:sameAs ?o } }", "--graph",
               project / "out", "--format", "tsv").output
    assert "Q222" in items and "Q111" not in items
    result = correct(project, "wikidata", "Uber", "Q222", "--why", "z")
    assert result.exit_code == 2 and "the Wikidata item of Benchmark already" in result.stderr


def test_a_line_separator_in_a_reason_keeps_the_file_readable(project):
    why = "copied from a PDF\u2028next line\u0085and more"
    assert correct(project, "reject", "Wang", "head of AI", "Meta", "--why", why).exit_code == 0
    assert correct(project, "confirm", "Wang", "head of AI", "Meta", "--why", "ok").exit_code == 0
    assert len((project / "seeds" / "corrections.jsonl").read_text(encoding="utf-8").split("\n")) == 3
    rel = the(trace_json(project, "Wang", "Meta")["relationships"], "head of AI")
    assert rel["corrections"][0]["why"] == why


def test_list_and_undo_number_corrections_by_their_line(project):
    correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "x", "--no-build")
    path = project / "seeds" / "corrections.jsonl"
    path.write_text("\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert "  2. reject" in kg("correct", "list", "--seeds", project / "seeds").output
    assert kg("correct", "undo", "2", "--seeds", project / "seeds", "--graph", project / "out").exit_code == 0
    assert kg("correct", "list", "--seeds", project / "seeds").output.startswith("No corrections")


def test_reject_takes_a_role_in_german_and_says_when_it_needs_b(project):
    assert correct(project, "reject", "Droege", "Interims-CEO", "Scale AI", "--why", "x", "--no-build").exit_code == 0
    result = correct(project, "reject", "Droege", "CEO", "--why", "x")
    assert result.exit_code == 2 and "RELATION 'CEO' needs B: Jason Droege —[CEO]→ Scale AI" in result.stderr


def test_add_refuses_a_relationship_the_article_states_the_other_way_round(project):
    rel = next(r for r in trace_json(project, "Meta", "OpenAI")["relationships"]
               if r["predicate"]["label"] == "competes with")
    src = rel["sources"][0]
    a, b = rel["object"]["label"], rel["subject"]["label"]
    result = correct(project, "add", a, "competes with", b, "--document", src["document"], "--quote", src["quote"],
                     "--why", "x")
    assert result.exit_code == 2 and "is read from" in result.stderr


def test_corrections_no_longer_in_the_file_leave_nothing_in_the_cache(project):
    correct(project, "reject", "Wang", "head of AI", "Meta", "--why", "x")
    assert list((project / "out" / ".cache").glob("*/*~*"))
    kg("correct", "undo", "1", "--seeds", project / "seeds", "--graph", project / "out")
    assert not list((project / "out" / ".cache").glob("*/*~*"))


def test_typing_an_entity_twice_gives_it_back_and_a_reject_follows_the_new_type(fresh):
    correct(fresh, "type", "Jon Court", "person", "--why", "x")
    assert correct(fresh, "reject", "Jon Court", "chief financial officer", "Velantis", "--why", "y").exit_code == 0
    assert correct(fresh, "type", "Velantis", "unit", "--why", "z").exit_code == 0
    rel = the(trace_json(fresh, "Jon Court", "Velantis")["relationships"], "chief financial officer")
    assert rel["status"] == "rejected" and rel["object"]["iri"].endswith("/unit/velantis")
    assert correct(fresh, "type", "Velantis", "organization", "--why", "back").exit_code == 0
    assert trace_json(fresh, "Velantis")["subject"]["iri"].endswith("/org/velantis")


def test_alias_finds_the_name_in_an_article_not_in_utf8(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = ("Müller Spedition wächst weiter\n\nDie Müller Spedition GmbH hat im Frühjahr neue Lager eröffnet, sagte "
            "Geschäftsführerin Hanne Kolbeck am Montag. Die Firma, die ihre Kunden kurz müsped nennen, beschäftigt "
            "nun 900 Menschen.\n")
    (seeds / "a.txt").write_bytes(text.encode("cp1252"))
    assert kg("build", "--seeds", seeds, "--out", tmp_path / "out").exit_code == 0
    result = correct(tmp_path, "alias", "Müller Spedition", "MüSped", "--why", "its short name")
    assert result.exit_code == 0, result.output
    assert "(0 from cache)" in result.output, "the article holds the alias: it is read again"


def test_rejecting_a_units_parent_takes_the_registrys_edge_too(project):
    assert ask(project, "ASK { kgu:meta-superintelligence-labs org:subOrganizationOf kgo:meta }")
    result = correct(project, "reject", "Meta Superintelligence Labs", "part of", "Meta", "--why", "x")
    assert result.exit_code == 0, result.output
    assert not ask(project, "ASK { kgu:meta-superintelligence-labs org:subOrganizationOf kgo:meta }")


def test_a_funding_round_whose_investors_no_sentence_names_stays_asserted(extract_text, registry):
    from rdflib.namespace import RDF

    from graph.model import model_document
    from graph.vocab import KG

    extraction = extract_text("Voltaris raises money\n\nVoltaris, a Dutch maker of solar boats, raised 40 million "
                              "euros in a funding round, the company said on Monday.\n", "en")
    assert [c.kind for c in extraction.claims] == ["fundingRound"]
    triples = model_document(extraction, registry).triples
    assert [t for t in triples if t[1] == RDF.type and t[2] == KG.FundingRound]


# ---------------------------------------------------------------- what a second review found

def test_splitting_or_merging_a_registry_entity_builds(project):
    result = correct(project, "split", "Meta", "--document", "003_e472da36a4955f5c.txt", "--into", "Meta Ventures",
                     "--why", "x")
    assert result.exit_code == 0, result.output
    assert "003_e472da36a4955f5c.txt" in {s["document"] for r in trace_json(project, "Meta Ventures")["relationships"]
                                          for s in r["sources"]}
    assert correct(project, "merge", "SignalFire", "Uber", "--why", "y").exit_code == 0


def test_an_added_relationship_follows_a_later_merge(project):
    correct(project, "add", "Meta", "competes with", "OpenAI", "--document", "003_e472da36a4955f5c.txt",
            "--quote", "Meta sieht sich einem intensiven Wettbewerb mit Unternehmen wie OpenAI und Alphabet gegenüber",
            "--why", "x", "--no-build")
    assert correct(project, "merge", "Microsoft", "OpenAI", "--why", "y").exit_code == 0
    assert not ask(project, "ASK { GRAPH ?g { kgo:meta kg:competesWith kgo:openai } }")
    assert ask(project, "ASK { kgo:meta kg:competesWith kgo:microsoft }")


def test_rejecting_one_investors_part_of_a_round_leaves_the_others(project):
    correct(project, "reject", "Amazon", "funding round", "Scale AI", "--why", "x")
    meta = [r for r in trace_json(project, "Meta", "Scale AI")["relationships"]
            if r["predicate"]["label"] == "funding round" and r["subject"]["label"] == "Meta"]
    assert meta and meta[0]["asserted"] is True and meta[0]["status"] == "extracted"


def test_a_name_from_before_an_unbuilt_merge_still_finds_the_relationship(project):
    correct(project, "merge", "Scale AI", "Benchmark", "--why", "m", "--no-build")
    assert correct(project, "reject", "Droege", "venture partner", "Benchmark", "--why", "x").exit_code == 0
    assert "venture partner" not in roles(project)


def test_a_correction_whose_role_left_the_ontology_is_stale_not_fatal(project):
    from graph.corrections import new_correction

    path = project / "seeds" / "corrections.jsonl"
    line = new_correction("reject", by="a", why="x", label="x",
                          relationship="membership|person/jason-droege|chief-ai-whisperer|org/scale-ai")
    path.write_text("\ufeff" + json.dumps(line.to_json()) + "\n", encoding="utf-8")
    result = kg("build", "--seeds", project / "seeds", "--out", project / "out")
    assert result.exit_code == 0
    assert "the role 'chief-ai-whisperer' is no longer in ontology/roles.ttl" in result.stderr
    assert kg("correct", "list", "--seeds", project / "seeds").exit_code == 0


def test_corrections_that_change_nothing_or_cannot_be_written_are_refused(project):
    for args, message in [
        (("type", "Scale AI", "organization"), "Scale AI is an organization already"),
        (("rename", "Scale AI", "Scale AI"), "the name Scale AI has already"),
        (("alias", "Scale AI", "schaal AI"), "a name of Scale AI already"),
        (("reject", "Meta", "invests in", "Scale AI", "--value", "50", "--document", "001_2b02b5d996e006f7.txt"),
         "no value 50 in Meta —[invests in]→ Scale AI as 001_2b02b5d996e006f7.txt states it"),
        (("reject", "Wang", "head of AI", "Meta", "--why", "bad \udcff byte"), "'why' is not valid UTF-8 text"),
    ]:
        result = correct(project, *args, "--why", "x") if "--why" not in args else correct(project, *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    assert not (project / "seeds" / "corrections.jsonl").exists()


def test_type_keeps_an_earlier_rename_and_a_first_build_counts_no_negative_cache(fresh):
    correct(fresh, "rename", "Brightwell Bank", "Brightwell Bank Group", "--why", "x")
    result = correct(fresh, "type", "Brightwell Bank Group", "unit", "--why", "y")
    assert result.exit_code == 0 and "no longer applies" not in result.stderr, result.output
    found = trace_json(fresh, "Brightwell Bank Group")["subject"]
    assert found["iri"].endswith("/unit/brightwell-bank-group") and found["label"] == "Brightwell Bank Group"
    shutil.rmtree(fresh / "out")
    result = kg("build", "--seeds", fresh / "seeds", "--out", fresh / "out")
    assert "(0 from cache)" in result.output


def test_python_dash_m_reaches_kg_correct():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "graph.cli", "correct", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "reject" in result.stdout


def test_a_rejected_role_is_no_side_of_a_disagreement_and_registry_edges_follow_a_merge(project):
    correct(project, "reject", "Droege", "CEO", "Scale AI", "--why", "x", "--no-build")
    correct(project, "merge", "Scale AI", "Meta", "--why", "y")
    rel = the(trace_json(project, "Droege", "Scale AI")["relationships"], "interim CEO")
    assert "role" not in rel.get("disagreements", {})
    assert ask(project, "ASK { kgu:meta-superintelligence-labs org:subOrganizationOf kgo:scale-ai }")
    assert not ask(project, "ASK { ?x org:subOrganizationOf kgo:meta }")


# ---------------------------------------------------------------- what a third review found

def test_two_entities_of_one_name_are_told_apart_by_their_keys(project):
    from graph.corrections import append_correction, new_correction

    # a person who shares the name of a company (written by hand: kg correct would refuse the clash)
    doc = "002_fb7b9d9538adbfa3.txt"
    text = (project / "seeds" / doc).read_text(encoding="utf-8")
    quote = "Meta bestätigte die Investition"
    append_correction(project / "seeds" / "corrections.jsonl", new_correction(
        "add", by="a", why="x", label="x", relationship="membership|person/meta|ceo|org/scale-ai", document=doc,
        quote=quote, start=text.index(quote), new={"person/meta": "Meta"}))
    assert kg("build", "--seeds", project / "seeds", "--out", project / "out").exit_code == 0
    result = kg("trace", "Meta", "--graph", project / "out")
    assert result.exit_code == 2
    assert "is ambiguous: Meta (org/meta), Meta (person/meta); name one by its key" in result.stderr
    assert trace_json(project, "org/meta")["subject"]["iri"].endswith("/org/meta")
    assert trace_json(project, "kgp:meta")["subject"]["iri"].endswith("/person/meta")
    assert trace_json(project, "<https://kg.example.org/id/person/meta>")["subject"]["iri"].endswith("/person/meta")


def test_a_rename_keeps_the_old_name_after_a_later_alias_that_reads_an_article_again(fresh):
    correct(fresh, "rename", "Velantis", "Velantis Payments", "--why", "x")
    result = correct(fresh, "alias", "Velantis Payments", "Velo", "--why", "y")  # "Velo" is in the article
    assert "(1 from cache)" in result.output
    assert trace_json(fresh, "Velantis")["subject"]["label"] == "Velantis Payments"
    assert trace_json(fresh, "Velo")["subject"]["label"] == "Velantis Payments"


def test_corrections_already_in_effect_are_refused(project):
    correct(project, "reject", "Meta", "acquired", "Scale AI", "--why", "x")
    result = correct(project, "reject", "Meta", "acquired", "Scale AI", "--why", "again")
    assert result.exit_code == 2 and "is rejected already" in result.stderr
    correct(project, "wikidata", "Benchmark", "Q4887242", "--why", "x")
    result = correct(project, "wikidata", "Benchmark", "Q4887242", "--why", "again")
    assert result.exit_code == 2 and "the Wikidata item of Benchmark already" in result.stderr
    result = correct(project, "reject", "Meta", "invests in", "Scale AI", "--value", "29000000000",
                     "--document", "004_5e06687d31efdb21.txt", "--why", "x")
    assert result.exit_code == 2 and "as 004_5e06687d31efdb21.txt states it" in result.stderr


def test_a_company_merged_with_its_parent_is_no_part_of_itself(project):
    assert ask(project, "ASK { kgo:google org:subOrganizationOf kgo:alphabet }")
    assert correct(project, "merge", "Google", "Alphabet", "--why", "x").exit_code == 0
    assert not ask(project, "ASK { ?x org:subOrganizationOf ?x }")


def test_hand_written_collisions_are_stale_and_a_self_merge_malformed(fresh):
    from graph.corrections import append_correction, new_correction

    path = fresh / "seeds" / "corrections.jsonl"
    append_correction(path, new_correction("alias", by="a", why="x", entity="org/velantis", alias="Brightwell Bank"))
    result = kg("build", "--seeds", fresh / "seeds", "--out", fresh / "out")
    assert "“Brightwell Bank” names org/brightwell-bank; to make them one entity, merge them" in result.stderr
    assert trace_json(fresh, "Brightwell Bank")["subject"]["iri"].endswith("/org/brightwell-bank")
    with pytest.raises(Exception, match="keep and drop are one entity"):
        new_correction("merge", by="a", why="x", keep="org/velantis", drop="org/velantis", label="x")


def test_an_amended_article_keeps_a_funding_round_whose_investors_no_sentence_names(extract_text):
    from graph.amend import Amendment, amend_extraction

    extraction = extract_text("Voltaris raises money\n\nVoltaris, a Dutch maker of solar boats, raised 40 million "
                              "euros in a funding round, the company said on Monday.\n", "en")
    amended, _ = amend_extraction(extraction, Amendment())
    assert [c.kind for c in amended.claims] == ["fundingRound"]
