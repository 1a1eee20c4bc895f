"""Vocabularies as closed namespaces: a misspelt term is an error, not a new IRI.

`KG` is the project's own vocabulary, kept in step with `ontology/kg.ttl` by a
test; `OA` holds the W3C Web Annotation terms rdflib does not ship.
"""

from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

BASE = "https://kg.example.org/"
KG_NS = BASE + "ontology#"


class KG(DefinedNamespace):
    _NS = Namespace(KG_NS)
    _fail = True

    # classes
    Evidence: URIRef
    Investment: URIRef
    FundingRound: URIRef
    WorkforceReduction: URIRef
    RevenueReport: URIRef
    # relationships between entities
    investsIn: URIRef
    customerOf: URIRef
    reducedRelianceOn: URIRef
    cutTiesWith: URIRef
    competesWith: URIRef
    employeesMovedTo: URIRef
    joined: URIRef
    succeeded: URIRef
    recruited: URIRef
    acquired: URIRef
    cites: URIRef
    left: URIRef
    mergedWith: URIRef
    partnerOf: URIRef
    supplierOf: URIRef
    sued: URIRef
    # qualifiers of events and memberships
    investor: URIRef
    investee: URIRef
    amount: URIRef
    currency: URIRef
    stake: URIRef
    valuation: URIRef
    valuationCurrency: URIRef
    votingRights: URIRef
    date: URIRef
    affectedOrganization: URIRef
    workforceShare: URIRef
    employeesAffected: URIRef
    contractorsAffected: URIRef
    revenueOf: URIRef
    current: URIRef
    # evidence and documents
    rule: URIRef
    confidence: URIRef
    hedged: URIRef
    negated: URIRef
    conditional: URIRef
    approximate: URIRef
    future: URIRef
    antecedent: URIRef
    path: URIRef
    sha256: URIRef
    encoding: URIRef
    # analysts' corrections
    Correction: URIRef
    operation: URIRef
    line: URIRef
    target: URIRef
    document: URIRef
    qualifier: URIRef
    value: URIRef
    # roles
    plainProperty: URIRef
    isPosition: URIRef
    # what kg eval scores a predicate or event class as
    family: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation vocabulary (the terms kg uses)."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef
    start: URIRef
    end: URIRef


#: prefixes for files and queries, in a stable order
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dct": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "kg": KG_NS,
    "kgo": BASE + "id/org/",
    "kgp": BASE + "id/person/",
    "kgu": BASE + "id/unit/",
    "role": BASE + "role/",
}


def compact(iri: str) -> str:
    """An IRI as a prefixed name where a known prefix fits.

    >>> compact("https://kg.example.org/id/org/scale-ai")
    'kgo:scale-ai'
    """
    best = None
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and re.fullmatch(r"[\w.-]*", iri[len(base):]):
            if best is None or len(base) > len(PREFIXES[best]):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"
