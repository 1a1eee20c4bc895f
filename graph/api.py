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
import re
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
    """The graph a build wrote into `out`; NoGraphError when no build wrote one there.

    A relative `out` is taken from the current folder now: a later `os.chdir` (a
    notebook's `%cd`) does not move the handle.
    """
    return KnowledgeGraph(Path(out).absolute())


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

        IRIs are `str`; literals `int`, `Decimal`, `float` (xsd:double), `bool`,
        `datetime.date` or `str` by datatype, a value not in its datatype's form (or a date
        with a time zone, which `datetime.date` cannot hold) as its text;
        language-tagged strings `str` (the tag is dropped: ask for `LANG(?x)` to keep it).
        `bindings` maps variable names to values that enter the query as data: a `str`
        is an IRI when written `<…>` or `prefix:name`, else a string; `int`, `Decimal`,
        `float`, `bool` and `datetime.date` are typed literals; a list or tuple binds
        several values into a `VALUES ?name { UNDEF }` line. The predeclared prefixes of
        `kg query --prefixes` apply; the default graph is the union.
        Without `timeout` the query runs in this process; with it, in a new interpreter
        (not a fork: safe in a notebook) that is stopped after `timeout` seconds (its start,
        about 0.2 s, included) with QueryTimeout. Raises QueryError for a malformed query, an
        update or a bad binding. The rows have `.to_dataframe()` when pandas is installed.
        """
        from .query import QueryError, prepared, query_form, with_bindings

        terms = {_variable_name(k): _binding_term(k, v) for k, v in (bindings or {}).items()}
        sparql = prepared(sparql)
        form = query_form(sparql)  # updates and SERVICE refused
        text, substitutions = with_bindings(sparql, terms)  # values only where the grammar reads VALUES
        if timeout is not None:
            return self._query_stopped_at(text, form, substitutions, timeout)
        return self._query_here(text, form, substitutions)

    def _query_here(self, text: str, form: str, substitutions: dict):
        # apart from query(): the parser's cache keeps query()'s frame alive, and with it any
        # engine object held there, which a collection on another thread would then drop
        from .query import QueryError
        from .store import run_query

        store = self.store
        try:
            result = run_query(store, text, substitutions)
            if form == "ASK":
                return bool(result)
            if form in ("CONSTRUCT", "DESCRIBE"):
                return _triples(result)
            return _rows(result)
        except RuntimeError as exc:  # a binding of a variable the query does not project
            raise QueryError(f"bindings: {exc}; or write VALUES ?name {{ UNDEF }} in the query") from None
        except SyntaxError as exc:  # the wording kg query gives
            raise QueryError(f"syntax error: {' '.join(str(exc).removeprefix('error ').split())}") from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None

    def _query_stopped_at(self, text: str, form: str, substitutions: dict, timeout: float):
        import io
        import math

        from .query import Format, QueryError, QueryTimeout, run_local

        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) \
                or timeout <= 0:
            raise QueryError(f"timeout {timeout!r}: a number of seconds more than 0")
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        buffer = io.BytesIO()
        self.store  # noqa: B018 - NoGraphError or StoreError now, as without a timeout
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

        store = self.store  # one build throughout, even if another replaces it meanwhile
        kinds = entity_kinds(store)
        reader = StoreReader(store)
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

        store = self.store  # one build throughout, even if another replaces it meanwhile
        rels, labels = all_relationships(store)
        kinds = entity_kinds(store)
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


def _rows(result) -> Rows:
    """Every row of pyoxigraph's solutions, read here and let go here: the engine's objects may
    not be dropped on another thread, which a garbage collection elsewhere would do."""
    rows = Rows()
    names = [v.value for v in result.variables]
    row = None
    for row in result:
        rows.append({n: python_value(row[n]) for n in names})
    del row, result
    return rows


def _triples(result) -> list[tuple]:
    triples = [(python_value(t.subject), python_value(t.predicate), python_value(t.object)) for t in result]
    del result
    return triples


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _variable_name(key) -> str:
    from .query import QueryError

    name = key.lstrip("?$") if isinstance(key, str) else key
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise QueryError(f"bindings: {key!r} is not a variable name")
    return name


def _binding_term(key, value):
    """A Python value as the term it binds (see KnowledgeGraph.query)."""
    import math

    from .query import QueryError, named_iri, parse_binding
    from .store import make_term

    if isinstance(value, (list, tuple)):
        if not value:
            raise QueryError(f"bindings: {key}: an empty list binds nothing")
        if any(isinstance(v, (list, tuple)) for v in value):
            raise QueryError(f"bindings: {key}: a list of values, not of lists")
        return [_binding_term(key, v) for v in value]
    if isinstance(value, bool):
        return make_term(literal="true" if value else "false", datatype=XSD + "boolean")
    if isinstance(value, int):
        return make_term(literal=str(value), datatype=XSD + "integer")
    if isinstance(value, Decimal) and value.is_finite():
        return make_term(literal=format(value, "f"), datatype=XSD + "decimal")
    if isinstance(value, float) and math.isfinite(value):
        return make_term(literal=repr(value), datatype=XSD + "double")
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return make_term(literal=value.isoformat(), datatype=XSD + "date")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"bindings: {key}: not text (a lone surrogate)") from None
        if named_iri(value) is not None:
            return parse_binding(key, value)  # an IRI it names, checked as kg query --bind checks it
        return make_term(literal=value)
    raise QueryError(f"bindings: {key}={value!r}: give a str, int, Decimal, float, bool, date or a list of them")


def python_value(term):
    """A pyoxigraph term as a Python value (see KnowledgeGraph.query); None for an unbound variable."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "Triple":  # an RDF-star quoted triple
        return (python_value(term.subject), python_value(term.predicate), python_value(term.object))
    if kind != "Literal":
        return term.value
    return _typed(term.value, term.datatype.value if term.datatype is not None else None)


def json_value(term: dict | None):
    """A term of SPARQL JSON results as a Python value, as python_value gives it."""
    if term is None:
        return None
    if term["type"] == "triple":
        parts = term["value"]
        return (json_value(parts["subject"]), json_value(parts["predicate"]), json_value(parts["object"]))
    if term["type"] != "literal":
        return term["value"]
    return _typed(term["value"], term.get("datatype"))


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
INTEGER_TYPES = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                   "negativeInteger", "int", "long", "short", "byte", "unsignedInt",
                                   "unsignedLong", "unsignedShort", "unsignedByte")}


def _typed(text: str, datatype: str | None):
    """The Python value of a literal; its text when the text is not in the datatype's form."""
    if datatype in INTEGER_TYPES and _INTEGER.fullmatch(text):
        return int(text)
    if datatype == XSD + "decimal" and _DECIMAL.fullmatch(text):
        return Decimal(text)
    if datatype == XSD + "boolean" and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    if datatype == XSD + "date" and _DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:  # a year outside 1–9999, or a 30 February
            return text
    if datatype in (XSD + "double", XSD + "float") and _DOUBLE.fullmatch(text):
        return float(text)
    return text
