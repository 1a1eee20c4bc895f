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


def build(seeds: str | Path = "seeds", out: str | Path = "output", *, workers: int = 1, shacl: str = "fast",
          corrections: str | Path | None = None, progress=None, executor=None):
    """Build the graph of the articles in `seeds` into `out`, as `kg build` does; a `builder.BuildSummary`.

    `workers`: processes extracting in parallel (1, the default, starts none: safe in a
    notebook; the command line uses every core). `shacl`: "fast" or "pyshacl".
    `corrections`: the analysts' corrections file (default: corrections.jsonl in `seeds`).
    `progress(done, total)` is called as articles are extracted. `executor`: a
    concurrent.futures executor to extract on (a Dask client's, say).
    Raises BuildError (and other KgErrors) as the command does; a failed build leaves `out` as it was.
    """
    from .builder import build_graph

    return build_graph(Path(seeds), Path(out), workers=workers, shacl=shacl,
                       corrections=Path(corrections) if corrections is not None else None,
                       progress=progress, executor=executor)


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
        Without `timeout` the query runs in this process; with it, in a new interpreter
        (not a fork: safe in a notebook) that is stopped after `timeout` seconds with
        QueryTimeout. Raises QueryError for a malformed query or an update.
        The rows have `.to_dataframe()` when pandas is installed.
        """
        from .query import QueryError, parse_binding, query_form, with_bindings

        form = query_form(sparql)
        terms = {k.lstrip("?"): parse_binding(k, v if isinstance(v, str) else json.dumps(v))
                 for k, v in (bindings or {}).items()}
        text, substitutions = with_bindings(sparql, terms)
        if timeout is not None:
            return self._query_stopped_at(text, form, substitutions, timeout)
        from .store import run_query

        try:
            result = run_query(self.store, text, substitutions)
        except RuntimeError as exc:  # a binding of a variable the query does not project
            raise QueryError(f"bindings: {exc}; or write VALUES ?name {{ UNDEF }} in the query") from None
        except SyntaxError as exc:  # the wording kg query gives
            raise QueryError(f"syntax error: {str(exc).removeprefix('error ')}") from None
        except OSError as exc:
            raise QueryError(f"query: {exc}") from None
        if form == "ASK":
            return bool(result)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return [(python_value(t.subject), python_value(t.predicate), python_value(t.object)) for t in result]
        names = [v.value for v in result.variables]
        return Rows({n: python_value(row[n]) for n in names} for row in result)

    def _query_stopped_at(self, text: str, form: str, substitutions: dict, timeout: float):
        import io
        import math

        from .query import Format, QueryError, QueryTimeout, run_local

        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise QueryError(f"timeout {timeout!r}: a number of seconds more than 0")
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        buffer = io.BytesIO()
        self.store  # noqa: B018 - NoGraphError now, as without a timeout
        try:
            run_local(text, self.out, Format.NT if graph_form else Format.JSON, buffer, timeout=timeout,
                      substitutions=substitutions, form=form, fresh=True)
        except QueryTimeout:
            raise QueryTimeout(f"query stopped after {timeout:g} s (timeout={timeout:g})") from None
        if graph_form:
            from .store import parse_ntriples

            return [tuple(python_value(t) for t in triple) for triple in parse_ntriples(buffer.getvalue())]
        results = json.loads(buffer.getvalue())
        if "boolean" in results:
            return bool(results["boolean"])
        names = results["head"]["vars"]
        return Rows({n: json_value(row.get(n)) for n in names} for row in results["results"]["bindings"])

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
        """Every named graph as an rdflib `Dataset` (a copy in memory): the quads of graph.trig."""
        from rdflib import Dataset

        from .store import built_store, trig_nquads

        built_store(self.out)
        ds = Dataset(default_union=True)
        ds.parse(data=trig_nquads(self.out / "graph.trig").decode("utf-8"), format="nquads")
        return ds

    def export(self, path: str | Path, format: str, *, focus: str | None = None, hops: int = 1,
               force: bool = False, progress=None):
        """Write the graph for another tool, as `kg export`: an `export.ExportSummary`.

        `format`: "graphml" or "gexf" (one file, scalar attributes: the evidence as its count,
        the first quote and a `kg trace` hint), "csv" (a folder of nodes.csv and
        relationships.csv for `neo4j-admin database import`) or "jsonld" (the whole dataset,
        kg's prefixes as context). `focus` keeps what lies within `hops` of one entity.
        An existing `path` is replaced only with `force`. `progress(done, total)` is called
        as the work advances.
        """
        from .export import export

        return export(self, Path(path), format, focus=focus, hops=hops, force=force, progress=progress)

    def push(self, endpoint: str, *, auth: tuple[str, str] | None = None, everything: bool = False,
             timeout: float = 60.0, progress=None):
        """Upload what changed since the last push to a Graph Store Protocol endpoint, as `kg push`.

        One named graph per article; `everything` sends them all. `progress(done, total)` is
        called after each graph. Returns a `remote.PushSummary`; raises RemoteError.
        """
        from .remote import push

        return push(self.out, endpoint, auth=auth, everything=everything, timeout=timeout, progress=progress)

    def verify(self, seeds: str | Path = "seeds"):
        """Every evidence span checked against the articles, as `kg verify`: a `verify.VerifyReport`."""
        from .verify import verify_graph

        return verify_graph(self.out, Path(seeds))  # reads the newest build itself


class Rows(list):
    """The rows of a SELECT: a list of dicts, and a pandas DataFrame on request."""

    def to_dataframe(self):
        """The rows as a pandas DataFrame (one column per variable); needs pandas installed."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from None
        return pandas.DataFrame(list(self))


def python_value(term):
    """A pyoxigraph term as a Python value (see KnowledgeGraph.query); None for an unbound variable."""
    if term is None:
        return None
    if type(term).__name__ != "Literal":
        return term.value
    return _typed(term.value, term.datatype.value if term.datatype is not None else None)


def json_value(term: dict | None):
    """A term of SPARQL JSON results as a Python value, as python_value gives it."""
    if term is None:
        return None
    if term["type"] != "literal":
        return term["value"]
    return _typed(term["value"], term.get("datatype"))


def _typed(text: str, datatype: str | None):
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
