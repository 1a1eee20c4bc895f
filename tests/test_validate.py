"""The fast SHACL validator finds what pyshacl finds, on the seeds and on broken graphs."""

from __future__ import annotations

import pytest
from conftest import SEEDS
from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SDO, XSD

from graph.errors import ValidationError
from graph.model import model_document
from graph.pipeline import extract_article
from graph.read import read_article
from graph.validate import _pyshacl_problems, fast_problems, validate_document
from graph.vocab import KG, OA


@pytest.fixture(scope="module")
def seed_graphs(rules, registry):
    return [model_document(extract_article(read_article(p, root=SEEDS), rules, registry), registry).triples
            for p in sorted(SEEDS.glob("*.txt"))]


def where(problems):
    """(focus, path) of each violation: what both validators must agree on."""
    return {tuple(p.split(": ", 1)[0].split(" ", 1)) for p in problems}


def test_seed_graphs_conform_for_both_validators(seed_graphs):
    for triples in seed_graphs:
        assert fast_problems(triples) == []
        assert _pyshacl_problems(triples) == []


def first(triples, predicate):
    return next(t for t in triples if t[1] == predicate)


MUTATIONS = {
    "label removed": lambda g: [t for t in g if t[1] != RDFS.label],
    "quote removed": lambda g: [t for t in g if t != first(g, OA.exact)],
    "confidence above 1": lambda g: [t for t in g if t[1] != KG.confidence] + [
        (first(g, KG.confidence)[0], KG.confidence, Literal("1.5", datatype=XSD.decimal))],
    "start after end": lambda g: [t for t in g if t != first(g, OA.start)] + [
        (first(g, OA.start)[0], OA.start, Literal("999999", datatype=XSD.nonNegativeInteger))],
    "two members": lambda g: g + [(first(g, ORG.member)[0], ORG.member, URIRef("https://kg.example.org/id/person/other"))],
    "member not a person": lambda g: g + [(URIRef("https://kg.example.org/membership/x"), RDF.type, ORG.Membership),
                                          (URIRef("https://kg.example.org/membership/x"), ORG.member, URIRef("https://kg.example.org/id/org/meta"))],
    "stake over 100": lambda g: g + [(first(g, KG.investee)[0], KG.stake, Literal("150", datatype=XSD.decimal))],
    "lower-case currency": lambda g: g + [(first(g, KG.investee)[0], KG.currency, Literal("usd"))],
    "language not ours": lambda g: [t for t in g if not (t[1] == RDF.type and t[2] == SDO.NewsArticle)] + [
        (first(g, KG.sha256)[0], RDF.type, SDO.NewsArticle), (first(g, KG.sha256)[0], KG.path, Literal("x"))] + [
        (first(g, OA.hasSource)[0], URIRef("http://purl.org/dc/terms/language"), Literal("fr"))],
    "bad hash": lambda g: [t for t in g if t[1] != KG.sha256] + [(first(g, KG.sha256)[0], KG.sha256, Literal("nothex"))],
    "string where a decimal belongs": lambda g: g + [(first(g, KG.investee)[0], KG.amount, Literal("a lot"))],
    "statement without evidence": lambda g: [t for t in g if t[1] != URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")],
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_both_validators_find_the_same_violations(seed_graphs, name):
    broken = MUTATIONS[name](list(seed_graphs[3]))
    fast, reference = fast_problems(broken), _pyshacl_problems(broken)
    assert fast, "the mutation must break the graph"
    assert where(fast) == where(reference)


def test_a_violation_names_the_document(seed_graphs):
    broken = MUTATIONS["label removed"](list(seed_graphs[0]))
    with pytest.raises(ValidationError, match=r"^a\.txt: graph violates ontology/shapes\.ttl: "):
        validate_document(broken, name="a.txt")
    with pytest.raises(ValidationError):
        validate_document(broken, name="a.txt", validator="pyshacl")
