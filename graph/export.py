"""`kg export`: the graph for the tools analysts already have (Gephi, yEd, Cytoscape, Neo4j, JSON-LD readers).

In: the networkx graph `KnowledgeGraph.to_networkx()` gives (GraphML, GEXF, CSV), or the
store itself (JSON-LD). Out: one file, or for CSV one folder, written beside its target
and moved into place whole, so a failed export leaves what was there.

Graph tools take scalar attributes only, so each relationship's evidence list becomes
its count, the first quote and its article, and the `kg trace` command that prints them all.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shlex
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import KgError

FORMATS = ("graphml", "gexf", "csv", "jsonld")
SUFFIX = {"graphml": ".graphml", "gexf": ".gexf", "csv": "-csv", "jsonld": ".jsonld"}
CSV_FILES = ("nodes.csv", "relationships.csv")

# XML 1.0 allows tab, line feed, carriage return and the rest from U+0020, less surrogates and
# U+FFFE/U+FFFF; a carriage return in element text reads back as a line feed, so it goes too
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"

# neo4j-admin import: the labels of a node by kind, and a relation as a relationship type
NEO4J_LABELS = {"person": "Person", "organization": "Organization", "unit": "Organization;Unit",
                "outlet": "Organization;NewsOutlet"}
NODE_HEADER = ("iri:ID", "name", "kind", ":LABEL")
RELATIONSHIP_HEADER = (":START_ID", ":END_ID", ":TYPE", "statement", "relation", "label", "role",
                       "source_count:int", "asserted:boolean", "status", "evidence_count:int",
                       "quote", "document", "trace")

Progress = Callable[[int, int], None]


class ExportError(KgError):
    exit_code = 2


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    nodes: int
    edges: int
    candidates: int  # kept but not asserted (and not rejected): the `asserted` attribute tells them apart
    rejected: int  # rejected by an analyst: the `status` attribute says so
    replaced: int  # characters XML 1.0 forbids (and carriage returns), written as U+FFFD
    seconds: float
    quads: int = 0  # JSON-LD: the quads written (nodes and edges are those of the graph formats)


def default_path(graph_dir: Path, fmt: str) -> Path:
    return graph_dir / f"graph{SUFFIX[fmt]}"


def export(kg, path: Path, fmt: str, *, focus: str | None = None, hops: int = 1, force: bool = False,
           progress: Progress | None = None) -> ExportSummary:
    """Write the graph of the `KnowledgeGraph` `kg` to `path` in `fmt` (one of FORMATS).

    `focus` (a name, alias or key) keeps the entities within `hops` of it (not for JSON-LD,
    which is the whole dataset). An existing `path` is replaced only with `force`.
    """
    from .errors import StoreError

    started = time.perf_counter()
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: not a format (formats: {', '.join(FORMATS)})")
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ExportError(f"--hops {hops!r}: a whole number, 0 or more")
    _check_target(kg.out, path, fmt, force)
    report = progress or (lambda done, total: None)
    if fmt == "jsonld":
        if focus is not None:
            raise ExportError("--focus: jsonld is the whole dataset; for a part, "
                              "kg query 'CONSTRUCT …' --format jsonld")
        trig = kg.out / "graph.trig"
        kg.store  # noqa: B018 - NoGraphError where nothing was built
        if not trig.is_file():
            raise StoreError(f"{trig}: missing; build again with kg build")
        with _replacing(path, force) as tmp:
            with open(tmp, "wb") as f:
                quads = write_jsonld(trig, f, progress=report)
        return ExportSummary(path, fmt, 0, 0, 0, 0, 0, time.perf_counter() - started, quads)
    full = kg.to_networkx()
    if focus is not None:
        full = neighbourhood(kg, full, focus, hops)
    flat, replaced = flat_graph(full, xml=fmt != "csv", graph_dir=kg.out)
    total = flat.number_of_nodes() + flat.number_of_edges()
    report(0, total)
    with _replacing(path, force) as tmp:
        if fmt == "csv":
            tmp.mkdir()
            write_csv(flat, tmp, progress=report)
        elif fmt == "gexf":
            write_gexf(flat, tmp)
        else:
            import networkx as nx

            nx.write_graphml(flat, tmp)
    if fmt != "csv":  # write_csv reports each row itself
        report(total, total)
    edges = [d for _, _, d in flat.edges(data=True)]
    return ExportSummary(path, fmt, flat.number_of_nodes(), flat.number_of_edges(),
                         sum(1 for d in edges if not d["asserted"] and d["status"] != "rejected"),
                         sum(1 for d in edges if d["status"] == "rejected"), replaced,
                         time.perf_counter() - started)


def neighbourhood(kg, g, focus: str, hops: int):
    """The entities within `hops` of the one `focus` names, and the relationships among them."""
    import networkx as nx

    from .trace import resolve_name

    if not focus.strip():
        raise ExportError("--focus: an empty name")
    iri = resolve_name(kg.store, focus, argument="--focus").iri
    if iri not in g:  # an entity in no relationship (an outlet only cited): nothing around it
        return g.subgraph([]).copy()
    keep = nx.ego_graph(g.to_undirected(as_view=True), iri, radius=hops)
    return g.subgraph(keep).copy()


# ---------------------------------------------------------------- scalar attributes


def flat_graph(g, *, xml: bool, graph_dir: Path | None = None):
    """The graph with scalar attributes only (GraphML, GEXF and Gephi's data table take no lists).

    Nodes keep `label` and `kind`. An edge, keyed e0, e1, … in a stable order, has
    `statement` (its IRI in the RDF), `relation`, `label`, `role` (memberships only),
    `source_count` (and `weight`, the same number, which Gephi draws), `asserted`,
    `status`, `evidence_count`, the first `quote` and its `document`, and `trace`: the
    command that prints every source (with `--graph` when `graph_dir` is not ./output).
    With `xml`, characters XML 1.0 forbids become U+FFFD; returns the graph and how many
    were replaced.
    """
    import networkx as nx

    replaced = 0

    def text(value: str) -> str:
        nonlocal replaced
        if not xml:
            return value
        clean, n = _NOT_XML.subn(REPLACEMENT, value)
        replaced += n
        return clean

    out = nx.MultiDiGraph()
    for iri, data in sorted(g.nodes(data=True)):
        out.add_node(text(iri), label=text(data["label"]), kind=data["kind"])
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for i, (u, v, statement, data) in enumerate(edges):
        attrs = {"statement": text(statement), "relation": data["relation"], "label": text(data["label"]),
                 "source_count": data["source_count"], "weight": float(data["source_count"]),
                 "asserted": bool(data["asserted"]), "status": data["status"],
                 "evidence_count": len(data["evidence"]),
                 "trace": text(trace_hint(u, v, graph_dir))}
        if data.get("role"):
            attrs["role"] = text(data["role"])
        if data["evidence"]:
            first = data["evidence"][0]
            attrs["quote"] = text(first["quote"])
            attrs["document"] = text(first["document"])
        out.add_edge(text(u), text(v), key=f"e{i}", **attrs)
    return out, replaced


def trace_hint(u: str, v: str, graph_dir: Path | None = None) -> str:
    """The `kg trace` command that prints every source of the relationships between u and v."""
    where = ""
    if graph_dir is not None and Path(graph_dir).absolute() != Path("output").absolute():
        # absolute: the hint works from wherever it is run, not only from where the export was
        where = f" --graph {shlex.quote(str(Path(graph_dir).absolute()))}"
    return f"kg trace {shlex.quote(entity_key(u))} {shlex.quote(entity_key(v))}{where}"


def entity_key(iri: str) -> str:
    """The short key kg trace takes for an entity IRI ("org/scale-ai"); the IRI where there is none."""
    from .vocab import BASE

    prefix = BASE + "id/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


# ---------------------------------------------------------------- GEXF for Gephi


def write_gexf(flat, path: Path) -> None:
    """GEXF by networkx's writer, with what Gephi needs and networkx leaves out or adds.

    Gephi merges parallel edges of one kind into one (summing weights), so each edge gets a
    `kind`, its label, made distinct between the same two entities (Gephi reads `kind` in
    every GEXF version). networkx's own `networkx_key` column and the day's date in `meta`
    are left out: the same graph, the same bytes.
    """
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(flat)
    root = writer.xml
    meta = root.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    graph = root.find("graph")
    key_ids = {a.get("id") for attrs in graph.findall("attributes") if attrs.get("class") == "edge"
               for a in attrs.findall("attribute") if a.get("title") == "networkx_key"}
    for attrs in graph.findall("attributes"):
        for a in attrs.findall("attribute"):
            if attrs.get("class") == "edge" and a.get("id") in key_ids:
                attrs.remove(a)
    seen: dict[tuple[str, str], set[str]] = {}
    for element, (u, v, data) in zip(graph.find("edges").findall("edge"), flat.edges(data=True)):
        kinds = seen.setdefault((u, v), set())
        kind, n = data["label"], 1
        while kind in kinds:
            n += 1
            kind = f"{data['label']} ({n})"
        kinds.add(kind)
        element.set("kind", kind)
        values = element.find("attvalues")
        for value in list(values if values is not None else []):
            if value.get("for") in key_ids:
                values.remove(value)
    with open(path, "wb") as f:
        writer.write(f)


# ---------------------------------------------------------------- neo4j-admin CSV


def write_csv(flat, folder: Path, *, progress: Progress) -> None:
    """nodes.csv and relationships.csv with the headers `neo4j-admin database import` reads.

    Values are written as they are (quotes doubled, a field with a line break or a carriage
    return quoted; lines end in CRLF, as RFC 4180 has it), so the import needs
    `--multiline-fields=true` when a quote spans lines.
    """
    total = flat.number_of_nodes() + flat.number_of_edges()
    done = 0
    with open(folder / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")  # "\r" in a field is quoted only so
        w.writerow(NODE_HEADER)
        for iri, data in flat.nodes(data=True):
            w.writerow((iri, data["label"], data["kind"], NEO4J_LABELS[data["kind"]]))
            done += 1
            progress(done, total)
    with open(folder / "relationships.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")  # "\r" in a field is quoted only so
        w.writerow(RELATIONSHIP_HEADER)
        for u, v, data in flat.edges(data=True):
            w.writerow((u, v, relationship_type(data["relation"]), data["statement"], data["relation"],
                        data["label"], data.get("role", ""), data["source_count"],
                        "true" if data["asserted"] else "false", data["status"], data["evidence_count"],
                        data.get("quote", ""), data.get("document", ""), data["trace"]))
            done += 1
            progress(done, total)


def relationship_type(relation: str) -> str:
    """A relation as a Neo4j relationship type: customerOf → CUSTOMER_OF.

    >>> relationship_type("competesWith"), relationship_type("membership")
    ('COMPETES_WITH', 'MEMBERSHIP')
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", relation).upper()


# ---------------------------------------------------------------- JSON-LD


def jsonld_context() -> dict[str, str]:
    from .vocab import PREFIXES

    return dict(PREFIXES)


def write_jsonld(trig: Path, f, *, progress: Progress) -> int:
    """Every quad of the built `graph.trig` as JSON-LD, one named graph at a time (memory: one
    graph), IRIs compacted with kg's prefixes, literals with the datatype or language they have
    there. Read from the file, not the store: the store keeps xsd:nonNegativeInteger as
    xsd:integer. Subjects, properties and values are sorted: the same build, the same bytes.
    Returns the number of quads written.
    """
    from .store import trig_statements
    from .vocab import PREFIXES

    rdf_type = PREFIXES["rdf"] + "type"
    xsd_string = PREFIXES["xsd"] + "string"
    total = max(1, trig.stat().st_size)

    def iri(value: str) -> str:
        return value if value.startswith("_:") else _compact_iri(value, PREFIXES)

    def value(obj):
        if isinstance(obj, str):
            return {"@id": iri(obj)}
        text, datatype, language = obj
        if language:
            return {"@value": text, "@language": language}
        if datatype == xsd_string:
            return text
        return {"@value": text, "@type": iri(datatype)}

    def dump(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    written = 0
    blocks = 0

    def flush(name, nodes) -> None:
        nonlocal blocks
        if not nodes:
            return
        body = ",\n".join(dump({"@id": subject, **{k: sorted(vs, key=dump) for k, vs in nodes[subject].items()}})
                          for subject in sorted(nodes))
        lead = ",\n" if blocks else "\n"
        if name is None:  # the default graph's nodes stand at the top level
            f.write((lead + body).encode("utf-8"))
        else:
            f.write((lead + '{"@id":' + dump(iri(name)) + ',"@graph":[\n' + body + "]}").encode("utf-8"))
        blocks += 1

    f.write(b'{"@context":' + dump(jsonld_context()).encode() + b',\n"@graph":[')
    current, nodes = None, {}
    with open(trig, "rb") as source:
        # graph.trig holds each named graph in one block: the quads of one graph come together
        for name, subject, predicate, obj in trig_statements(source):
            if name != current:
                flush(current, nodes)
                current, nodes = name, {}
                progress(source.tell(), total)
            node = nodes.setdefault(iri(subject), {})
            if predicate == rdf_type and isinstance(obj, str):
                node.setdefault("@type", []).append(iri(obj))
            else:
                node.setdefault(iri(predicate), []).append(value(obj))
            written += 1
    flush(current, nodes)
    progress(total, total)
    f.write(b"\n]}\n")
    return written


def _compact_iri(value: str, prefixes: dict[str, str]) -> str:
    """prefix:local where a prefix fits and the local part reads back as the same IRI, else the IRI."""
    best = ""
    for prefix, base in prefixes.items():
        if value.startswith(base) and len(base) > len(prefixes.get(best, "")):
            best = prefix
    if best:
        local = value[len(prefixes[best]):]
        # "//…" would read as an absolute IRI, and an empty local part as the prefix's own term
        if local and not local.startswith("//"):
            return f"{best}:{local}"
    return value


# ---------------------------------------------------------------- writing into place


def _check_target(graph_dir: Path, path: Path, fmt: str, force: bool) -> None:
    import stat

    from .builder import CACHE_DIR

    target = path.resolve()  # links and ".." followed: the file that would really be written
    own = graph_dir.resolve()
    kept = [own / "graph.trig", own / "store", own / CACHE_DIR]
    if target == own or any(target == k or k in target.parents for k in kept):
        raise ExportError(f"-o {path}: a file of the build itself; export beside it")
    if path.is_symlink():
        raise ExportError(f"-o {path}: a symbolic link; give the path it points to")
    if path.exists():
        mode = path.stat().st_mode
        if fmt == "csv":
            if not stat.S_ISDIR(mode):
                raise ExportError(f"-o {path}: a file, not a folder of CSV files; csv writes a folder")
        elif stat.S_ISDIR(mode):
            raise ExportError(f"-o {path}: a folder; {fmt} writes a file")
        elif not stat.S_ISREG(mode):
            raise ExportError(f"-o {path}: not a regular file")
        if not force:
            raise ExportError(f"-o {path}: already exists (--force replaces it)")
        if fmt == "csv":  # --force replaces an export, never a folder of other things
            for entry in sorted(path.iterdir()):
                if entry.name not in CSV_FILES or entry.is_symlink() or not entry.is_file():
                    raise ExportError(f"-o {path}: holds {entry.name!r}, which no export wrote; not replaced")
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as exc:
            raise ExportError(f"-o {path}: cannot make its folder ({exc.strerror or exc})") from None


class _replacing:
    """A temporary path beside `path`, moved onto it when the body succeeds and removed when it fails."""

    def __init__(self, path: Path, force: bool):
        self.path, self.force = path, force
        # one name per export, even between threads of one process
        self.tmp = path.with_name(f".{path.name}.tmp{os.getpid()}-{uuid.uuid4().hex[:12]}")

    def __enter__(self) -> Path:
        _remove(self.tmp)
        return self.tmp

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            _remove(self.tmp)
            if isinstance(exc, OSError):
                raise ExportError(f"-o {self.path}: cannot write ({exc.strerror or exc})") from None
            return
        try:
            if not self.force:
                # no clobbering, even of what another export wrote since the check
                if self.tmp.is_dir():
                    os.rename(self.tmp, self.path)  # fails onto a folder with files, or a file
                else:
                    _link_new(self.tmp, self.path)
            elif self.tmp.is_dir() and self.path.is_dir():  # a folder cannot be renamed onto another
                old = self.tmp.with_name(self.tmp.name.replace(".tmp", ".old", 1))
                os.replace(self.path, old)
                try:
                    os.replace(self.tmp, self.path)
                except OSError:
                    if not self.path.exists():
                        os.replace(old, self.path)  # what was there stays there
                    else:  # another export put its own there meanwhile: that one stands
                        shutil.rmtree(old)
                    raise
                shutil.rmtree(old)
            else:
                os.replace(self.tmp, self.path)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):
            _remove(self.tmp)
            raise ExportError(f"-o {self.path}: already exists (--force replaces it)") from None
        except OSError as exc:
            _remove(self.tmp)
            if exc.errno == errno.ENOTEMPTY:
                raise ExportError(f"-o {self.path}: already exists (--force replaces it)") from None
            raise ExportError(f"-o {self.path}: cannot write ({exc.strerror or exc})") from None


def _link_new(tmp: Path, path: Path) -> None:
    """Move `tmp` to `path` only if nothing is there (a hard link fails on an existing path)."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists() or path.is_symlink():  # a file system without hard links: check, then move
            raise FileExistsError(errno.EEXIST, "exists") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
