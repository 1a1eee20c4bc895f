"""The vocabulary in graph/vocab.py, the ontology files and the built graph agree."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from graph.model import ONTOLOGY_DIR
from graph.vocab import KG, KG_NS


def ontology_terms():
    g = Graph().parse(ONTOLOGY_DIR / "kg.ttl")
    return {str(s)[len(KG_NS):] for s in g.subjects(RDF.type, None) if str(s).startswith(KG_NS)}, g


def test_vocab_module_and_ontology_define_the_same_terms():
    terms, _ = ontology_terms()
    assert terms == set(KG.__annotations__)


def test_every_kg_term_has_labels_in_english_german_and_dutch_and_a_domain_or_range():
    from rdflib.namespace import RDFS

    terms, g = ontology_terms()
    for term in terms:
        iri = KG[term]
        langs = {label.language for label in g.objects(iri, RDFS.label)}
        assert langs == {"en", "de", "nl"}, term
        if (iri, RDF.type, OWL.Class) not in g:
            assert (iri, RDFS.range, None) in g, term


def test_every_predicate_in_the_built_graph_is_defined(built_seeds):
    out, _ = built_seeds
    store = ox.Store()
    store.load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    predicates = {row[0].value for row in store.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }")}
    terms, _ = ontology_terms()
    standard = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
                "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2004/02/skos/core#", "https://schema.org/",
                "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#",
                "http://purl.org/dc/terms/")
    for p in predicates:
        if p.startswith(KG_NS):
            assert p[len(KG_NS):] in terms, p
        else:
            assert p.startswith(standard), p


def test_no_blank_nodes_in_the_built_graph(built_seeds):
    out, _ = built_seeds
    assert "_:" not in (out / "graph.trig").read_text(encoding="utf-8")
