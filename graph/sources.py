"""Statements and their sources as the store holds them: the reading half of `kg trace`.

In: the built store (pyoxigraph, through store.py). Out: `_Stmt` rows (a statement
with its subject, predicate, object and evidence IRIs) and `Source`s (one
sentence of one article, with its selectors, rule and how it states the claim),
read once and cached, so assembling relationships (trace.py) asks no query twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from .types import assertable
from .vocab import PREFIXES

XSD = PREFIXES["xsd"]


@dataclass
class Source:
    document: str
    title: str
    language: str
    start: int
    end: int
    quote: str
    context: str
    rule: str
    confidence: float
    hedged: bool
    negated: bool
    conditional: bool
    approximate: bool
    outlets: list[str] = field(default_factory=list)
    future: bool = False
    # the sentence naming an argument this one only implies: {"start", "end", "quote"}
    antecedent: dict | None = None
    # an analyst rejected or confirmed what this article says (kg correct; the later correction stands)
    rejected: bool = False
    confirmed: bool = False

    @property
    def assertable(self) -> bool:
        if self.rejected or self.confirmed:
            return self.confirmed
        return assertable(self.confidence, hedged=self.hedged, negated=self.negated, conditional=self.conditional)


Q_AROUND = """
SELECT ?s ?sub ?p ?obj ?e WHERE {
  VALUES ?x { UNDEF }
  { GRAPH ?g { ?s rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?obj ; prov:wasDerivedFrom ?e . } BIND(?x AS ?sub) }
  UNION
  { GRAPH ?g { ?s rdf:object ?x ; rdf:predicate ?p ; rdf:subject ?sub ; prov:wasDerivedFrom ?e . } BIND(?x AS ?obj) }
}"""

Q_EVIDENCE = """
SELECT ?e ?path ?title ?lang ?start ?end ?exact ?prefix ?suffix ?rule ?conf ?hedged ?negated ?cond ?approx ?doc
       ?future ?astart ?aend ?aexact WHERE {
  VALUES ?e { UNDEF }
  GRAPH ?g {
    ?e a kg:Evidence ; oa:hasSource ?doc ; dct:language ?lang ; kg:rule ?rule ; kg:confidence ?conf ;
       kg:hedged ?hedged ; kg:negated ?negated ; kg:conditional ?cond ; kg:approximate ?approx .
    ?e oa:hasSelector ?q . ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
    ?e oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    ?doc kg:path ?path ; dct:title ?title .
    OPTIONAL { ?e kg:future ?future }
    OPTIONAL { ?e kg:antecedent ?ant .
               ?ant oa:hasSelector ?aq . ?aq a oa:TextQuoteSelector ; oa:exact ?aexact .
               ?ant oa:hasSelector ?ap . ?ap a oa:TextPositionSelector ; oa:start ?astart ; oa:end ?aend . }
  }
}"""

Q_OUTLETS = """
SELECT DISTINCT ?doc ?label WHERE {
  VALUES ?doc { UNDEF }
  VALUES ?p { kg:cites schema:publisher }
  GRAPH ?g { ?s rdf:predicate ?p ; rdf:subject ?doc ; rdf:object ?o . }
  GRAPH ?g2 { ?o rdfs:label ?label }
}"""

Q_LABELS = """
SELECT ?x ?label WHERE {
  VALUES ?x { UNDEF }
  GRAPH ?g { ?x rdfs:label|dct:title ?label }
  FILTER(LANG(?label) = "" || LANG(?label) = "en")
}"""

Q_ALL = """
SELECT ?s ?sub ?p ?obj ?e WHERE {
  GRAPH ?g { ?s rdf:subject ?sub ; rdf:predicate ?p ; rdf:object ?obj ; prov:wasDerivedFrom ?e . }
}"""

Q_ALL_LABELS = """
SELECT ?x ?label WHERE {
  GRAPH ?g { ?x rdfs:label|dct:title ?label }
  FILTER(LANG(?label) = "" || LANG(?label) = "en")
}"""

@dataclass(frozen=True)
class _Stmt:
    iri: str
    subject: str
    predicate: str
    object: str
    object_is_literal: bool
    datatype: str | None
    evidence: frozenset


class StoreReader:
    """Reads statements, evidence and labels from the store, caching what it has read."""

    def __init__(self, store):
        self.store = store
        self.labels: dict[str, str] = {}
        self.sources: dict[str, Source] = {}
        self._index: dict[str, list[_Stmt]] | None = None

    def around(self, iris: list[str]) -> list[_Stmt]:
        if self._index is not None:
            found = {s for iri in iris for s in self._index.get(iri, ())}
            return sorted(found, key=lambda s: (s.iri, s.subject, s.predicate, s.object))
        from .store import select_terms

        return group_statements(select_terms(self.store, Q_AROUND, x=iris))

    def preload(self) -> list[_Stmt]:
        """Read every statement, evidence node and label at once: for the whole graph (kg viz)."""
        from .store import select, select_terms

        stmts = group_statements(select_terms(self.store, Q_ALL))
        self._index = defaultdict(list)
        for s in stmts:
            self._index[s.subject].append(s)
            if not s.object_is_literal and s.object != s.subject:
                self._index[s.object].append(s)
        for row in select(self.store, Q_ALL_LABELS):
            self.labels.setdefault(row["x"], row["label"])
        self.evidence(sorted({e for s in stmts for e in s.evidence}), bulk=True)
        return stmts

    def label(self, iri: str) -> str:
        if iri not in self.labels:
            self.fetch_labels([iri])
        return self.labels.get(iri) or local_name(iri)

    def fetch_labels(self, iris) -> None:
        from .store import select

        todo = sorted({i for i in iris if i not in self.labels})
        if not todo:
            return
        for row in select(self.store, Q_LABELS, x=todo):
            self.labels.setdefault(row["x"], row["label"])
        for iri in todo:
            self.labels.setdefault(iri, "")

    def evidence(self, iris, *, bulk: bool = False) -> list[Source]:
        from .store import select

        todo = sorted({i for i in iris if i not in self.sources})
        if todo:
            # in bulk, the whole graph's evidence without a VALUES list of thousands of IRIs
            rows = select(self.store, Q_EVIDENCE.replace("VALUES ?e { UNDEF }", "")) if bulk \
                else select(self.store, Q_EVIDENCE, e=todo)
            outlets: dict[str, list[str]] = defaultdict(list)
            docs = sorted({r["doc"] for r in rows})
            if docs:
                query = Q_OUTLETS.replace("VALUES ?doc { UNDEF }", "") if bulk else Q_OUTLETS
                for o in (select(self.store, query) if bulk else select(self.store, query, doc=docs)):
                    outlets[o["doc"]].append(o["label"])
            for r in rows:
                self.sources[r["e"]] = Source(
                    r["path"], r["title"], r["lang"], int(r["start"]), int(r["end"]), r["exact"],
                    r["prefix"] + r["exact"] + r["suffix"], r["rule"], float(r["conf"]),
                    r["hedged"] == "true", r["negated"] == "true", r["cond"] == "true", r["approx"] == "true",
                    sorted(set(outlets.get(r["doc"], []))), r["future"] == "true",
                    {"start": int(r["astart"]), "end": int(r["aend"]), "quote": r["aexact"]} if r["aexact"] else None)
        return [self.sources[i] for i in iris if i in self.sources]


def group_statements(rows) -> list[_Stmt]:
    grouped: dict[tuple, set] = defaultdict(set)
    for r in rows:
        obj = r["obj"]
        key = (r["s"].value, r["sub"].value, r["p"].value, obj.value, _is_literal(obj), _datatype(obj))
        grouped[key].add(r["e"].value)
    return [_Stmt(*key, frozenset(ev)) for key, ev in sorted(grouped.items())]


def _is_literal(term) -> bool:
    return type(term).__name__ == "Literal"


def _datatype(term) -> str | None:
    return term.datatype.value if _is_literal(term) and term.datatype is not None else None


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def merge_sources(sources: list[Source]) -> list[Source]:
    """One source per sentence and rule; the approximate variant of the same sentence folds in."""
    merged: dict[tuple, Source] = {}
    for s in sources:
        key = (s.document, s.start, s.end, s.rule)
        if key in merged:
            merged[key].approximate |= s.approximate
        else:
            # a copy (what is merged in must not change the source it came from), shallow but for
            # the two mutable fields: asdict's deep copy was a fifth of building every relationship
            merged[key] = replace(s, outlets=list(s.outlets), antecedent=dict(s.antecedent) if s.antecedent else None)
    return sorted(merged.values(), key=lambda s: (s.document, s.start, s.rule))


def statement_value(stmt: _Stmt):
    dt = stmt.datatype or ""
    if dt == XSD + "boolean":
        return stmt.object == "true"
    if dt in (XSD + "integer", XSD + "nonNegativeInteger"):
        return int(stmt.object)
    if dt == XSD + "decimal":
        number = float(stmt.object)
        return int(number) if number.is_integer() else number
    return stmt.object
