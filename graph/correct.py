"""`kg correct`: an analyst's decision, named as in `kg trace`, turned into a line of the corrections file.

In: the built graph (to find the entities and relationships the names mean),
the articles (to find an added quote) and the command's arguments. Out: a
checked `Correction`, appended to the file. Nothing is written when a name is
unknown or ambiguous, a relationship is not in the graph or a quote is not in
the article: the error names the closest matches.
"""

from __future__ import annotations

import difflib
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from .amend import kind_of
from .corrections import (
    KINDS,
    NUMERIC,
    Correction,
    CorrectionError,
    Relationship,
    new_correction,
)
from .vocab import BASE, KG_NS, PREFIXES

ID = BASE + "id/"
ROLE = BASE + "role/"
_EVENTS = {KG_NS + "investsIn": "investment", KG_NS + "FundingRound": "fundingRound",
           KG_NS + "WorkforceReduction": "workforceReduction", KG_NS + "RevenueReport": "revenue",
           PREFIXES["schema"] + "foundingDate": "founded"}


def _key(iri: str) -> str:
    return iri[len(ID):]


def relationship_of(rel) -> Relationship:
    """What a relationship of `kg trace` is, as the corrections file names it."""
    from .model import _BINARY

    subject = _key(rel.subject.iri)
    obj = _key(rel.object["iri"]) if rel.object and "iri" in rel.object else ""
    pred = rel.predicate.iri
    if pred.startswith(ROLE):
        return Relationship("membership", subject, pred[len(ROLE):], obj)
    if pred in _EVENTS:
        kind = _EVENTS[pred]
        return Relationship(kind, subject, "", obj if kind in ("investment", "fundingRound") else "")
    kinds = {str(p): k for k, p in _BINARY.items()}
    if pred not in kinds:
        raise CorrectionError(f"{rel.predicate.label!r} cannot be corrected (it is about the article, not an entity)")
    return Relationship(kinds[pred], subject, "", obj)


def describe(rel) -> str:
    obj = rel.object or {}
    target = obj.get("label") or (str(obj["value"]) if "value" in obj else "")
    return f"{rel.subject.label} —[{rel.predicate.label}]→ {target}".rstrip(" →")


def _matches(rel, relation: str) -> bool:
    """Whether RELATION names the relationship: its label, its type, or any name `add` takes (a role in de/nl)."""
    from .viz import relation_key

    wanted = relation.strip().casefold()
    names = {rel.predicate.label, relation_key(rel), rel.predicate.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]}
    if wanted in {n.casefold() for n in names}:
        return True
    try:
        this = relationship_of(rel)
    except CorrectionError:
        return False
    return relation_names().get(wanted) == (this.kind, this.relation)


def find_relationship(graph_dir: Path, a: str, relation: str, b: str | None, *, document: str | None = None):
    """The one relationship between A and B (or of A alone, for an event) that RELATION names.

    Raises CorrectionError (with what there is instead) when there is none or more than one.
    """
    from .trace import trace_relationship

    trace = trace_relationship(graph_dir, a, b)
    # A's own side: a funding round of several investors shows every investor's part
    rels = [r for r in trace.relationships if trace.subject.iri in (r.subject.iri, (r.object or {}).get("iri"))]
    if b is None:
        with_b = [r for r in rels if _matches(r, relation) and r.object and "iri" in r.object]
        rels = [r for r in rels if r.object is None or "value" in r.object]
        if with_b and not any(_matches(r, relation) for r in rels):
            raise CorrectionError(f"RELATION {relation!r} needs B: " + "; ".join(describe(r) for r in with_b[:5]))
    found = [r for r in rels if _matches(r, relation)]
    if document is not None:
        found = [r for r in found if any(s.document == document for s in r.sources)] or found
    if not found:
        there = sorted({r.predicate.label for r in rels})
        between = f"between {trace.subject.label} and {trace.object.label}" if trace.object else f"of {trace.subject.label}"
        hint = (f"; {between} there are: {', '.join(repr(t) for t in there[:8])}" if there
                else f"; there is no relationship {between}")
        raise CorrectionError(f"RELATION {relation!r}: no such relationship{hint}")
    if len({r.statement for r in found}) > 1:
        raise CorrectionError(f"RELATION {relation!r} is ambiguous: "
                              + "; ".join(describe(r) for r in found[:5]))
    rel = found[0]
    if document is not None and not any(s.document == document for s in rel.sources):
        docs = sorted({s.document for s in rel.sources})
        raise CorrectionError(f"--document {document!r}: not a source of {describe(rel)}; its sources: "
                              + ", ".join(docs))
    return rel


def review(graph_dir: Path, op: str, a: str, relation: str, b: str | None, *, by: str, why: str,
           document: str | None = None, value: str | None = None) -> Correction:
    """A reject or confirm of a relationship (or, with `value`, of one value of its qualifiers)."""
    rel = find_relationship(graph_dir, a, relation, b, document=document)
    if value is None:  # a correction that changes nothing is refused
        said = [s for s in rel.sources if document in (None, s.document)]
        if said and all(s.rejected if op == "reject" else s.confirmed for s in said):
            raise CorrectionError(f"{describe(rel)} is {op}ed already" + (f" in {document}" if document else ""))
    qualifier = None
    if value is not None:
        qualifier, value = _qualifier_value(graph_dir, rel, value, document)
    return new_correction(op, by=by, why=why, relationship=relationship_of(rel).key(), label=describe(rel),
                          document=document, qualifier=qualifier, value=value)


Q_VALUES = """
SELECT DISTINCT ?p ?v ?path WHERE {
  VALUES ?st { UNDEF }
  GRAPH ?g0 { ?st rdf:subject ?node }
  GRAPH ?g { ?s rdf:subject ?node ; rdf:predicate ?p ; rdf:object ?v ; prov:wasDerivedFrom/oa:hasSource ?d }
  GRAPH ?gd { ?d kg:path ?path }
}"""


def _qualifier_value(graph_dir: Path, rel, value: str, document: str | None = None) -> tuple[str, str]:
    """Which qualifier holds the value (in that article, with --document); its name and the value as text."""
    from .types import decimal_text

    try:
        wanted = Decimal(value.replace(",", ".") if value.count(",") == 1 and "." not in value else value)
    except InvalidOperation:
        wanted = None
    if wanted is None or not wanted.is_finite():
        raise CorrectionError(f"--value {value!r}: not a number")
    from .store import built_store, open_store, select
    from .trace import QUALIFIER

    have: dict[str, set] = {name: set() for name in NUMERIC}
    store = open_store(built_store(graph_dir))
    for row in select(store, Q_VALUES, st=rel.statement):  # every value of the relationship's node, by article
        name = QUALIFIER.get(row["p"])
        if name in have and (document is None or row["path"] == document):
            try:
                have[name].add(Decimal(row["v"]))
            except InvalidOperation:
                continue
    already = {(c.get("qualifier"), str(c.get("value"))) for c in rel.corrections
               if c["operation"] == "reject" and "qualifier" in c and c.get("document") in (None, document)}
    names = [n for n, vs in have.items() if wanted in vs]
    if len(names) == 1 and (names[0], decimal_text(wanted)) in {(q, decimal_text(Decimal(v))) for q, v in already}:
        raise CorrectionError(f"--value {value}: {names[0]} {decimal_text(wanted)} of {describe(rel)} is rejected already")
    if len(names) != 1:
        there = ", ".join(f"{n}={decimal_text(v)}" for n, vs in sorted(have.items()) for v in sorted(vs))
        what = "no value" if not names else "more than one qualifier with the value"
        where = f" as {document} states it" if document else ""
        raise CorrectionError(f"--value {value}: {what} {value} in {describe(rel)}{where}"
                              + (f"; it has {there}" if there else ""))
    return names[0], decimal_text(wanted)


# ---------------------------------------------------------------- entities

def find_entity(graph_dir: Path, name: str, argument: str = "NAME"):
    """(key, label) of the entity a name means, as kg trace resolves it."""
    from .sources import StoreReader
    from .store import built_store, open_store
    from .trace import resolve_name

    store = open_store(built_store(graph_dir))
    found = resolve_name(store, name, argument=argument)
    return _key(found.iri), StoreReader(store).label(found.iri)


def merge(graph_dir: Path, a: str, b: str, *, by: str, why: str) -> Correction:
    keep, keep_label = find_entity(graph_dir, a, "A")
    drop, drop_label = find_entity(graph_dir, b, "B")
    if keep == drop:
        raise CorrectionError(f"A {a!r} and B {b!r} are one entity already ({keep_label})")
    if keep.split("/")[0] != drop.split("/")[0] and "person" in (keep.split("/")[0], drop.split("/")[0]):
        raise CorrectionError(f"cannot merge {drop_label} ({drop.split('/')[0]}) into {keep_label} "
                              f"({keep.split('/')[0]}): a person and an organization are not one entity")
    return new_correction("merge", by=by, why=why, keep=keep, drop=drop, label=f"{drop_label} into {keep_label}")


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def split(graph_dir: Path, name: str, document: str, into: str, *, by: str, why: str) -> Correction:
    from .resolve import entity_key
    from .store import built_store, open_store, select
    from .trace import TraceError

    entity, label = find_entity(graph_dir, name)
    store = open_store(built_store(graph_dir))
    docs = [r["path"] for r in select(store, """SELECT ?path WHERE { VALUES ?e { UNDEF }
                                                   GRAPH ?g { ?d schema:mentions ?e ; kg:path ?path } }""", e=ID + entity)]
    if document not in docs:
        raise CorrectionError(f"--document {document!r}: does not name {label}; the articles that do: "
                              + (", ".join(sorted(docs)) or "none"))
    if not into.strip():
        raise CorrectionError("--into: an empty name")
    new, back = None, None
    try:
        other, _ = find_entity(graph_dir, into, "--into")
    except TraceError:
        other = None
    if other is not None and other != entity and (other.startswith("person/") != entity.startswith("person/")):
        raise CorrectionError(f"--into {into!r} is {_a(kind_of(other).value)} and {label} {_a(kind_of(entity).value)}: "
                              "a person's mentions cannot become an organization's, nor the other way")
    if other == entity:  # the name of an entity merged into this one: the split takes it back out
        rows = select(store, """SELECT ?old ?l WHERE { VALUES ?e { UNDEF } GRAPH <https://kg.example.org/graph/corrections> {
                                  ?old owl:sameAs ?e ; rdfs:label ?l } }""", e=ID + entity)
        back = sorted({r["old"][len(ID):] for r in rows if r["l"].casefold() == into.strip().casefold()})
        if len(back) != 1:
            raise CorrectionError(f"--into {into!r} names {label} itself; give another name")
        other, back = back[0], True
    if other is None:
        other = entity_key(kind_of(entity), into)
        if other == entity:
            raise CorrectionError(f"--into {into!r} would be {label} again (both are {other}); give a name "
                                  "that differs in more than case and accents")
        new = {other: into.strip()}
    return new_correction("split", by=by, why=why, entity=entity, document=document, into=other,
                          label=f"{label} in {document} into {into.strip()}", new=new, back=back)


def entity_fact(graph_dir: Path, op: str, name: str, value: str, *, by: str, why: str) -> Correction:
    """rename, wikidata, alias and type: one entity, one value."""
    entity, label = find_entity(graph_dir, name)
    if not value.strip():
        raise CorrectionError(f"{op}: an empty value")
    field = {"rename": "name", "wikidata": "qid", "alias": "alias", "type": "type"}[op]
    value = value.strip()
    if op == "wikidata":
        value = value.upper()
        _check_wikidata(graph_dir, entity, label, value)
    if op == "type":
        value = value.lower()
        if value not in KINDS:
            raise CorrectionError(f"TYPE {value!r}: one of {', '.join(KINDS)}")
        if kind_of(entity).value == value:
            raise CorrectionError(f"TYPE {value!r}: {label} is {_a(value)} already")
    if op == "rename" and value == label:
        raise CorrectionError(f"NEW {value!r}: the name {label} has already")
    if op in ("alias", "rename"):
        from .trace import TraceError

        try:
            other, other_label = find_entity(graph_dir, value, "ALIAS" if op == "alias" else "NEW")
        except TraceError:
            other = None
        if other is not None and other != entity:
            raise CorrectionError(f"{'ALIAS' if op == 'alias' else 'NEW'} {value!r} names {other_label} already; "
                                  f"if they are one entity, use 'kg correct merge'")
        if op == "alias" and other == entity:
            raise CorrectionError(f"ALIAS {value!r}: a name of {label} already")
    return new_correction(op, by=by, why=why, entity=entity, label=label, **{field: value})


def _check_wikidata(graph_dir: Path, entity: str, label: str, qid: str) -> None:
    """One Wikidata item names one entity: another that has it already is refused."""
    from .model import WIKIDATA
    from .sources import StoreReader
    from .store import built_store, open_store, select

    store = open_store(built_store(graph_dir))
    rows = select(store, "SELECT ?e WHERE { VALUES ?q { UNDEF } GRAPH ?g { ?e owl:sameAs ?q } }", q=WIKIDATA + qid)
    if ID + entity in {r["e"] for r in rows}:
        raise CorrectionError(f"QID {qid}: the Wikidata item of {label} already")
    others = sorted({r["e"] for r in rows if r["e"].startswith(ID) and r["e"] != ID + entity})
    if others:
        raise CorrectionError(f"QID {qid}: the Wikidata item of {StoreReader(store).label(others[0])} already; "
                              f"if it is one entity with {label}, use 'kg correct merge'")


# ---------------------------------------------------------------- add

@lru_cache(maxsize=1)
def relation_names() -> dict[str, tuple[str, str]]:
    """Every name of a relation `add` takes (any case, any of en/de/nl) -> (claim kind, role id)."""
    from rdflib import Graph
    from rdflib.namespace import ORG, RDF, RDFS

    from .model import _BINARY, ONTOLOGY_DIR

    g = Graph()
    g.parse(ONTOLOGY_DIR / "roles.ttl")
    g.parse(ONTOLOGY_DIR / "kg.ttl")
    names: dict[str, tuple[str, str]] = {}
    for role in g.subjects(RDF.type, ORG.Role):
        rid = str(role)[len(ROLE):]
        for label in (*g.objects(role, RDFS.label), rid):
            names[str(label).casefold()] = ("membership", rid)
    properties = {k: p for k, p in _BINARY.items() if k != "subOrganizationOf"}
    from .vocab import KG

    properties["investment"] = KG.investsIn
    for kind, prop in properties.items():
        for label in (*g.objects(prop, RDFS.label), kind, str(prop).rsplit("#", 1)[-1]):
            names.setdefault(str(label).casefold(), (kind, ""))
    names.setdefault("part of", ("subOrganizationOf", ""))
    names.setdefault("suborganizationof", ("subOrganizationOf", ""))
    return names


def add(graph_dir: Path, seeds: Path, a: str, relation: str, b: str, *, document: str, quote: str,
        type_: str | None, by: str, why: str) -> Correction:
    from .read import read_article
    from .resolve import entity_key
    from .store import built_store, open_store, select
    from .trace import TraceError
    from .types import CLAIM_KINDS, EntityKind

    kind, role = _relation(relation)
    wants = CLAIM_KINDS[kind]
    sides = ("member", "organization") if kind == "membership" else \
        ("investor", "target") if kind == "investment" else ("subject", "object")
    new: dict[str, str] = {}
    keys = []
    for side, name, argument in ((sides[0], a, "A"), (sides[1], b, "B")):
        allowed = {"person": {"person"}, "org": {"org", "unit"}, "unit": {"unit"},
                   "party": {"person", "org", "unit"}}[wants[side]]
        try:
            key, _ = find_entity(graph_dir, name, argument)
        except TraceError as exc:
            if type_ is None:
                raise CorrectionError(f"{exc}; or give --type to add it as a new entity") from None
            key = entity_key(EntityKind(type_), name.strip())
            if _key_taken(graph_dir, key):
                raise CorrectionError(f"{argument} {name!r}: a new entity would be {key}, which the graph holds "
                                      "under another name; name it as the graph does") from None
            new[key] = name.strip()
        if key.split("/")[0] not in allowed:
            raise CorrectionError(f"{argument} {name!r} is {_a(kind_of(key).value)}; {relation!r} needs "
                                  + " or ".join(_a(kind_of(k + '/x').value) for k in sorted(allowed)))
        keys.append(key)
    rel = Relationship(kind, keys[0], role, keys[1])
    if not new:
        from .trace import trace_relationship

        for known in trace_relationship(graph_dir, a, b).relationships:
            if known.object and "iri" in known.object and relationship_of(known) in (rel, _reverse(rel)) \
                    and any(s.document == document for s in known.sources):
                state = "asserted" if known.asserted else "a candidate, not asserted"
                raise CorrectionError(f"{describe(known)} is read from {document} already ({state}); "
                                      "to assert it, use 'kg correct confirm'")
    store = open_store(built_store(graph_dir))
    paths = {r["path"] for r in select(store, "SELECT ?path WHERE { GRAPH ?g { ?d a schema:NewsArticle ; kg:path ?path } }")}
    if document not in paths:
        close = difflib.get_close_matches(document, sorted(paths), n=3, cutoff=0.4)
        raise CorrectionError(f"--document {document!r}: not an article of the graph"
                              + (f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""))
    text = read_article(seeds / document, root=seeds).text
    start = _find_quote(text, quote, document)
    label = f"{a.strip()} —[{relation.strip()}]→ {b.strip()}"
    return new_correction("add", by=by, why=why, relationship=rel.key(), label=label, document=document,
                          quote=quote, start=start, new=new or None)


SYMMETRIC = ("competesWith", "partnerOf", "mergedWith")


def _reverse(rel: Relationship) -> Relationship:
    """The same relationship named from the other side, for relations that read both ways."""
    if rel.kind in SYMMETRIC:
        return Relationship(rel.kind, rel.object, rel.relation, rel.subject)
    return rel


def _key_taken(graph_dir: Path, key: str) -> bool:
    from .store import built_store, open_store, select

    store = open_store(built_store(graph_dir))
    return bool(select(store, "SELECT ?t WHERE { VALUES ?e { UNDEF } GRAPH ?g { ?e a ?t } } LIMIT 1", e=ID + key))


def _relation(relation: str) -> tuple[str, str]:
    names = relation_names()
    found = names.get(relation.strip().casefold())
    if found is None:
        close = difflib.get_close_matches(relation.strip().casefold(), list(names), n=3, cutoff=0.6)
        raise CorrectionError(f"RELATION {relation!r}: not a role or relation kg knows"
                              + (f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""))
    return found


def _find_quote(text: str, quote: str, document: str) -> int:
    """Where the quote stands in the article's text (exactly once), or an error with the closest sentence."""
    import unicodedata

    quote = unicodedata.normalize("NFC", quote)
    if not quote.strip():
        raise CorrectionError("--quote: an empty quote")
    count = text.count(quote)
    if count == 1:
        return text.index(quote)
    if count > 1:
        raise CorrectionError(f"--quote: found {count} times in {document}; quote more of the sentence")
    pieces = [p for p in text.replace("\n", ". ").split(". ") if p.strip()]
    close = difflib.get_close_matches(quote, pieces, n=1, cutoff=0.5)
    raise CorrectionError(f"--quote: not in {document}" + (f"; the closest sentence: “{close[0].strip()[:160]}”" if close else ""))
