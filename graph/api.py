"""kg from Python: build, open, query, trace and export the graph in the calling process.

The same operations as the command line, as plain functions returning plain
objects (the shape sqlite-utils and kglab users know):

    >>> import graph
    >>> summary = graph.build("seeds", "output")            # doctest: +SKIP
    >>> kg = graph.open("output")                            # doctest: +SKIP
    >>> kg.query("SELECT ?p WHERE { ?p a schema:Person }")   # doctest: +SKIP
    [{'p': 'https://kg.example.org/id/person/alexandr-wang'}, ...]

Queries run in this process (no fork: safe in a notebook). A `KnowledgeGraph`
opened before a rebuild notices the new build and reads it, never answering
from the old store.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

XSD = "http://www.w3.org/2001/XMLSchema#"


def build(seeds: str | Path = "seeds", out: str | Path = "output", **options):
    """Build the graph of the articles in `seeds` into `out`, as `kg build` does; a `BuildSummary`.

    Options are those of `build.build_graph` (`workers`, `shacl`, `corrections`, `progress`).
    Raises BuildError (and other KgErrors) as the command does.
    """
    from .builder import build_graph

    return build_graph(Path(seeds), Path(out), **options)


def open(out: str | Path = "output") -> KnowledgeGraph:  # the name users expect, as sqlite3's
    """The graph a build wrote into `out`; NoGraphError when no build wrote one there."""
    return KnowledgeGraph(Path(out))


@dataclass(frozen=True)
class EntityInfo:
    """One person or organization of the graph."""

    iri: str
    label: str
    kind: str  # person, organization, unit, outlet


class KnowledgeGraph:
    """A built graph, read in this process. Reopens itself when a later build replaced the store."""

    def __init__(self, out: Path):
        from .store import built_store

        self.out = out
        built_store(out)  # NoGraphError, as the command line says it, when nothing was built here
        self._stamp = None
        self._store = None

    # ------------------------------------------------------------ the store of the newest build

    def _manifest_stamp(self):
        from .builder import CACHE_DIR, MANIFEST

        path = self.out / CACHE_DIR / MANIFEST
        try:
            return path.read_bytes()
        except OSError:
            return None

    @property
    def store(self):
        """The pyoxigraph store of the newest build (opened again after a rebuild)."""
        from .store import built_store, open_store

        stamp = self._manifest_stamp()
        if self._store is None or stamp != self._stamp:
            self._store = open_store(built_store(self.out))
            self._stamp = stamp
        return self._store

    # ------------------------------------------------------------ operations

    def query(self, sparql: str, bindings: dict | None = None, *, timeout: float | None = None) -> list[dict]:
        """Rows of a SELECT (dicts of Python values), the boolean of an ASK, or triples of a CONSTRUCT.

        IRIs are `str`; literals `int`, `Decimal`, `bool`, `datetime.date` or `str` by datatype;
        language-tagged strings `str`. `bindings` maps variable names to values (an IRI as
        `<…>` or `prefix:name`, a number, a string) that enter the query as data. The
        predeclared prefixes of `kg query --prefixes` apply; the default graph is the union.
        `timeout` is not enforced in-process (the command line's --timeout is); given, it is refused.
        Raises QueryError for a malformed query or an update.
        """
        from .query import QueryError, parse_binding, query_form, with_bindings

        if timeout is not None:
            raise QueryError("timeout: only 'kg query --timeout' can stop a query; in Python, run it in a "
                             "process you can stop")
        form = query_form(sparql)
        terms = {k.lstrip("?"): parse_binding(k, v if isinstance(v, str) else json.dumps(v))
                 for k, v in (bindings or {}).items()}
        text, substitutions = with_bindings(sparql, terms)
        from .store import run_query

        try:
            result = run_query(self.store, text, substitutions)
        except RuntimeError as exc:  # a binding of a variable the query does not project
            raise QueryError(f"bindings: {exc}; or write VALUES ?name {{ UNDEF }} in the query") from None
        except (SyntaxError, OSError) as exc:
            raise QueryError(f"query: {exc}") from None
        if form == "ASK":
            return bool(result)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return [(python_value(t.subject), python_value(t.predicate), python_value(t.object)) for t in result]
        names = [v.value for v in result.variables]
        return [{n: python_value(row[n]) for n in names} for row in result]

    def trace(self, a: str, b: str | None = None):
        """Every relationship of A (or between A and B), with its sources: `trace.Trace`, as `kg trace`."""
        from .trace import trace_relationship

        return trace_relationship(self.out, a, b)  # opens the newest build itself

    def entities(self) -> list[EntityInfo]:
        """Every person and organization, sorted by label."""
        from .sources import StoreReader
        from .viz import entity_kinds

        kinds = entity_kinds(self.store)
        reader = StoreReader(self.store)
        reader.fetch_labels(sorted(kinds))
        return sorted((EntityInfo(iri, reader.label(iri), kind) for iri, kind in kinds.items()),
                      key=lambda e: (e.label.casefold(), e.iri))

    def to_networkx(self):
        """The graph `kg viz` draws, as a networkx MultiDiGraph.

        Nodes: IRI, with `label` and `kind`. Edges: subject to object, keyed by statement,
        with `relation`, `role` (memberships), `source_count`, `asserted`, `status` and
        `evidence` (a list of dicts: document, start, end, quote, rule, confidence).
        """
        import networkx as nx

        from .trace import all_relationships
        from .viz import entity_kinds, relation_key

        rels, labels = all_relationships(self.store)
        kinds = entity_kinds(self.store)
        g = nx.MultiDiGraph()
        for iri, label in sorted(labels.items()):
            g.add_node(iri, label=label, kind=kinds.get(iri, "organization"))
        for r in rels:
            obj = (r.object or {}).get("iri")
            if not obj or obj not in labels or r.subject.iri not in labels:
                continue
            g.add_edge(r.subject.iri, obj, key=r.statement, relation=relation_key(r), label=r.predicate.label,
                       role=r.qualifiers.get("role"), source_count=r.source_count, asserted=r.asserted,
                       status=r.status,
                       evidence=[{"document": s.document, "start": s.start, "end": s.end, "quote": s.quote,
                                  "rule": s.rule, "confidence": s.confidence} for s in r.sources])
        return g

    def to_rdflib(self):
        """Every named graph as an rdflib `Dataset` (a copy in memory)."""
        from rdflib import Dataset

        from .store import nquads

        ds = Dataset(default_union=True)
        ds.parse(data=nquads(self.store).decode("utf-8"), format="nquads")
        return ds

    def verify(self, seeds: str | Path = "seeds"):
        """Every evidence span checked against the articles, as `kg verify`: a `verify.VerifyReport`."""
        from .verify import verify_graph

        return verify_graph(self.out, Path(seeds))  # reads the newest build itself


def python_value(term):
    """A pyoxigraph term as a Python value (see KnowledgeGraph.query); None for an unbound variable."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind != "Literal":
        return term.value
    datatype = term.datatype.value if term.datatype is not None else None
    text = term.value
    try:
        if datatype in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "int", XSD + "long"):
            return int(text)
        if datatype == XSD + "decimal":
            return Decimal(text)
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text)
        if datatype == XSD + "double" or datatype == XSD + "float":
            return float(text)
    except ValueError:
        return text
    return text
