"""The embedded store and the graph files: the only module that imports pyoxigraph.

In: rdflib triples from model.py, TriG blocks from the build cache.
Out: TriG blocks (sorted, so the same input gives byte-identical files), the
Oxigraph store folder, and query results.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef

from .errors import StoreError
from .vocab import PREFIXES


def _ox():
    import pyoxigraph

    return pyoxigraph


def to_quads(triples, graph: URIRef) -> list:
    """pyoxigraph quads of rdflib triples in one named graph."""
    ox = _ox()
    g = ox.NamedNode(str(graph))
    cache: dict = {}

    def term(t):
        found = cache.get(t)
        if found is not None:
            return found
        if isinstance(t, URIRef):
            found = ox.NamedNode(str(t))
        elif isinstance(t, Literal):
            if t.language:
                found = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None:
                found = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                found = ox.Literal(str(t))
        else:
            raise StoreError(f"cannot store term {t!r}: blank nodes are not allowed")
        cache[t] = found
        return found

    return [ox.Quad(term(s), term(p), term(o), g) for s, p, o in triples]


def parse_turtle_file(path: Path, graph: URIRef) -> list:
    ox = _ox()
    try:
        g = ox.NamedNode(str(graph))
        return [ox.Quad(q.subject, q.predicate, q.object, g)
                for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"{path}: cannot parse ({exc})") from None


def sort_quads(quads) -> list:
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def write_store(trig: Path, folder: Path) -> None:
    """A new Oxigraph store in `folder` holding exactly the quads of the TriG file `trig`."""
    ox = _ox()
    try:
        store = ox.Store(str(folder))
        store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        # no optimize(): compaction costs a 10,000-article build a fifth of its time,
        # and RocksDB compacts in the background of later writes anyway
        store.flush()
        del store
    except OSError as exc:
        raise StoreError(f"{folder}: cannot write the store ({exc})") from None


def update_store(old: Path, new: Path, *, remove, add: bytes) -> None:
    """A new store in `new`: a hard-linked checkpoint of `old`, minus some graphs, plus TriG blocks.

    The old store is never written to, so a server or query reading it is not disturbed.
    """
    ox = _ox()
    try:
        ox.Store.read_only(str(old)).backup(str(new))
        store = ox.Store(str(new))
        for graph in remove:
            store.remove_graph(ox.NamedNode(str(graph)))
        if add:
            store.bulk_load(input=trig_header() + add, format=ox.RdfFormat.TRIG)
        store.flush()
        del store
    except OSError as exc:
        raise StoreError(f"{new}: cannot update the store ({exc})") from None


def trig_header() -> bytes:
    """The prefix lines every TriG file of kg starts with."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode()


def trig_block(quads) -> bytes:
    """The quads as TriG graph blocks without the prefix lines, sorted: a piece of graph.trig."""
    ox = _ox()
    data = ox.serialize(sort_quads(quads), format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
    lines = data.split(b"\n")
    start = 0
    while start < len(lines) and lines[start].startswith(b"@prefix "):
        start += 1
    return b"\n".join(lines[start:])


def registry_quads(*, relabel: dict[str, str] | None = None, drop: set[str] | frozenset = frozenset(),
                   unlink: set[str] | frozenset = frozenset(), unparent: set | frozenset = frozenset(),
                   redirect: dict[str, str] | None = None) -> list:
    """The registry, roles and vocabulary in their named graphs.

    As corrected, without editing the files: `relabel` gives registry entities (by key)
    a new label, `drop` leaves out entities merged into others or given another type,
    `unlink` their Wikidata items (an analyst gave another), `unparent` (unit, parent)
    keys whose part-of edge an analyst rejected, `redirect` the entities edges now point
    to (a merge's kept side, a type's new key).
    """
    from .model import (
        ONTOLOGY_DIR,
        ONTOLOGY_GRAPH,
        REGISTRY_GRAPH,
        WIKIDATA,
        entity_iri,
    )

    registry = parse_turtle_file(ONTOLOGY_DIR / "registry.ttl", REGISTRY_GRAPH)
    if relabel or drop or unlink or unparent or redirect:
        ox = _ox()
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        same = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
        gone = {str(entity_iri(k)) for k in drop}
        new = {str(entity_iri(k)): name for k, name in (relabel or {}).items()}
        other = {str(entity_iri(k)) for k in unlink}
        part_of = ox.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
        cut = {(str(entity_iri(a)), str(entity_iri(b))) for a, b in unparent}
        registry = [q for q in registry if q.subject.value not in gone
                    and not (q.predicate == label and q.subject.value in new)
                    and not (q.predicate == same and q.subject.value in other and q.object.value.startswith(WIKIDATA))
                    and not (q.predicate == part_of and (q.subject.value, q.object.value) in cut)]
        registry += [ox.Quad(ox.NamedNode(iri), label, ox.Literal(name), ox.NamedNode(str(REGISTRY_GRAPH)))
                     for iri, name in sorted(new.items())]
        moved = {str(entity_iri(a)): ox.NamedNode(str(entity_iri(b))) for a, b in (redirect or {}).items()}
        registry = [ox.Quad(q.subject, q.predicate, moved.get(q.object.value, q.object), q.graph_name)
                    if isinstance(q.object, ox.NamedNode) else q for q in registry]
        # a unit merged into its parent is no part of itself
        registry = [q for q in registry if not (q.predicate == part_of and q.subject == q.object)]
    return (registry + parse_turtle_file(ONTOLOGY_DIR / "roles.ttl", REGISTRY_GRAPH)
            + parse_turtle_file(ONTOLOGY_DIR / "kg.ttl", ONTOLOGY_GRAPH))


def built_store(graph_dir: Path) -> Path:
    """The store folder a build wrote into `graph_dir`; NoGraphError, suggesting kg build, when there is none."""
    from .errors import NoGraphError

    folder = graph_dir / "store"
    if not folder.is_dir():
        raise NoGraphError(f"--graph {graph_dir}: no built graph here (run 'kg build --out {graph_dir}' first)")
    return folder


def open_store(folder: Path):
    """The store a build wrote, opened read-only."""
    ox = _ox()
    if not folder.is_dir():
        raise StoreError(f"{folder}: no store here (run 'kg build' first)")
    try:
        return ox.Store.read_only(str(folder))
    except (OSError, RuntimeError) as exc:  # RuntimeError: a damaged store (RocksDB's "Corruption: …")
        raise StoreError(f"{folder}: cannot open the store ({exc}); build again with kg build") from None


def count(store, query: str) -> int:
    """The single integer a COUNT query returns."""
    for solution in store.query(query, use_default_graph_as_union=True):
        return int(solution[0].value)
    return 0


def make_term(*, iri: str | None = None, literal: str | None = None, datatype: str | None = None):
    """A pyoxigraph term; ValueError for an invalid IRI."""
    ox = _ox()
    if iri is not None:
        return ox.NamedNode(iri)
    if datatype:
        return ox.Literal(literal, datatype=ox.NamedNode(datatype))
    return ox.Literal(literal)


def parse_term(ntriples: str):
    """A pyoxigraph term from its N-Triples form (what str() of a term gives)."""
    ox = _ox()
    return next(iter(ox.parse(f"<x:s> <x:p> {ntriples} .", format=ox.RdfFormat.N_TRIPLES))).object


def parse_ntriples(data: bytes) -> list[tuple]:
    """The triples of an N-Triples text as (subject, predicate, object) pyoxigraph terms."""
    ox = _ox()
    return [(t.subject, t.predicate, t.object) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def write_query_result(folder: Path, text: str, fmt: str, form: str, out, substitutions: dict) -> None:
    """Run a query on the store in `folder` (read-only) and serialize its result to `out`.

    `fmt` is one of kg query's formats; "table" writes SPARQL JSON for the caller to lay out.
    """
    from .errors import KgError

    ox = _ox()
    store = open_store(folder)  # a damaged store: the StoreError every command gives
    try:
        result = run_query(store, text, substitutions)
    except RuntimeError as exc:  # a substitution of a variable the query does not project
        raise KgError(f"binding: {exc}; or write VALUES ?name {{ UNDEF }} in the query") from None
    if form in ("SELECT", "ASK"):
        formats = {"table": ox.QueryResultsFormat.JSON, "json": ox.QueryResultsFormat.JSON,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}
        result.serialize(out, formats[fmt])
        return
    rdf = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
           "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        ox.serialize(result, out, rdf, prefixes=PREFIXES)
    else:
        result.serialize(out, rdf)


def run_query(store, text: str, substitutions: dict):
    """A query on an open store, with the predeclared prefixes and the union as default graph:
    pyoxigraph's rows, boolean or triples. RuntimeError when a substitution names a variable
    the query does not project."""
    ox = _ox()
    subs = {ox.Variable(name): term for name, term in substitutions.items()}
    return store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs or None)


def trig_nquads(path: Path) -> bytes:
    """A TriG file's quads as N-Quads, exactly as written (the store keeps xsd:nonNegativeInteger
    as xsd:integer)."""
    ox = _ox()
    try:
        return ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS) or b""
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the built graph ({exc}); build again with kg build") from None


def trig_statements(source):
    """The quads of a TriG file (open, binary) as plain values, in the file's order:
    (graph IRI or None for the default graph, subject, predicate, object). Subjects and
    IRIs are strings (a blank node "_:id"); a literal object is a tuple (text, datatype, language).
    """
    ox = _ox()

    def name(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value

    quads = ox.parse(source, format=ox.RdfFormat.TRIG)
    while True:
        try:
            q = next(quads)
        except StopIteration:
            return
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"{getattr(source, 'name', 'graph.trig')}: cannot read the built graph ({exc}); "
                             "build again with kg build") from None
        o = q.object
        obj = (o.value, o.datatype.value, o.language) if isinstance(o, ox.Literal) else name(o)
        graph = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        yield graph, name(q.subject), q.predicate.value, obj


def select(store, query: str, **bindings) -> list[dict]:
    """Rows as dicts of plain values; see select_terms."""
    return [{k: (None if v is None else v.value) for k, v in row.items()}
            for row in select_terms(store, query, **bindings)]


def select_terms(store, query: str, **bindings) -> list[dict]:
    """Rows of a SELECT on an open store as dicts of pyoxigraph terms (None when unbound).

    `bindings` are IRIs (str) bound into a `VALUES ?name { UNDEF }` line, or
    substituted for a projected variable.
    """
    ox = _ox()
    subs = {}
    for name, value in bindings.items():
        values = value if isinstance(value, (list, tuple, set)) else [value]
        marker = f"VALUES ?{name} {{ UNDEF }}"
        if marker in query:
            query = query.replace(marker, f"VALUES ?{name} {{ {' '.join(str(ox.NamedNode(v)) for v in values)} }}")
        else:
            subs[name] = ox.NamedNode(values[0])
    result = run_query(store, query, subs)
    names = [v.value for v in result.variables]
    return [dict(zip(names, row)) for row in result]  # zip: a fifth faster than row[name] per name


def graph_ntriples(store, graph: str) -> bytes:
    """The triples of one named graph as N-Triples, sorted."""
    ox = _ox()
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return b"".join(sorted(data.splitlines(keepends=True)))
