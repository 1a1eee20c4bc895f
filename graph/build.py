"""`kg build`: every article in a seeds folder to `graph.trig` and an embedded store.

Each article's named graph is extracted, modelled and validated once and cached
by its content hash (and a fingerprint of the rules, ontology and code), so a
rebuild redoes only what changed. The output is written to a temporary folder
and swapped in at the end: a failed build leaves the previous output untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import BuildError, KgError, ReadError
from .read import SUFFIXES, read_article

CACHE_DIR = ".cache"


@dataclass
class BuildSummary:
    documents: int = 0
    languages: list[str] = field(default_factory=list)
    entities: int = 0
    statements: int = 0
    evidence: int = 0
    quads: int = 0
    reused: int = 0  # documents taken from the cache
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.documents} documents ({', '.join(self.languages) or '-'}), {self.entities} entities, "
                f"{self.statements} statements, {self.evidence} evidence spans, "
                f"{self.quads} quads in {self.seconds:.2f} s ({self.reused} from cache)")


def list_articles(seeds: Path) -> list[Path]:
    """Article files below `seeds`, in a stable order; hidden folders are skipped."""
    out = []
    for path in seeds.rglob("*"):
        rel = path.relative_to(seeds)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            out.append(path)
    return sorted(out, key=lambda p: p.relative_to(seeds).as_posix())


def fingerprint() -> str:
    """Changes whenever rules, ontology or code change: the cache is keyed on it."""
    from . import __version__
    from .model import ONTOLOGY_DIR
    from .resolve import load_registry
    from .rules import load_rules

    digest = hashlib.sha256(__version__.encode())
    digest.update(load_rules().fingerprint.encode())
    digest.update(load_registry().fingerprint.encode())
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def process_article(article, cache_file: Path, shacl: str = "fast") -> bytes:
    """N-Quads of one article's validated named graph; written to `cache_file` too."""
    from .model import graph_iri, model_document
    from .pipeline import extract_article
    from .resolve import load_registry
    from .rules import load_rules
    from .store import nquads_bytes, to_quads
    from .validate import validate_document

    registry = load_registry()
    extraction = extract_article(article, load_rules(), registry)
    for claim in extraction.claims:  # offsets must be honest before anything is stored
        e = claim.evidence
        if extraction.article.text[e.start:e.end] != e.quote:
            raise KgError(f"{article.path}: evidence offsets {e.start}-{e.end} do not match the quote")
    doc = model_document(extraction, registry)
    validate_document(doc.triples, name=article.path, validator=shacl)
    data = nquads_bytes(to_quads(doc.triples, graph_iri(article.sha256)))
    tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, cache_file)
    return data


def build_graph(seeds: Path, out: Path, *, progress: Callable[[int, int], None] | None = None,
                shacl: str = "fast") -> BuildSummary:
    """Build the graph of every article in `seeds` into `out`.

    `shacl` chooses the validator of each document graph: "fast" (shapes
    compiled to checks) or "pyshacl" (the reference implementation).

    Raises BuildError for a missing seeds folder, no readable article or an
    unwritable output folder; unreadable articles become warnings.
    """
    started = time.perf_counter()
    if not seeds.is_dir():
        raise BuildError(f"--seeds {seeds}: no such folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BuildError(f"--out {out}: not writable ({exc.strerror or exc})") from None

    summary = BuildSummary()
    articles = []
    seen: dict[str, str] = {}
    for path in list_articles(seeds):
        try:
            article = read_article(path, root=seeds)
        except ReadError as exc:
            summary.warnings.append(str(exc))
            continue
        if article.encoding != "utf-8":
            summary.warnings.append(f"{article.path}: not UTF-8; read as {article.encoding}")
        if article.sha256 in seen:
            summary.warnings.append(f"{article.path}: same text as {seen[article.sha256]}; skipped")
            continue
        seen[article.sha256] = article.path
        articles.append(article)
    if not articles:
        raise BuildError(f"--seeds {seeds}: no readable article (.txt, .md, .html)")

    from .validate import validate_document

    validate_document([], name="ontology/registry.ttl", validator=shacl)  # the registry on its own
    fp = fingerprint() + "-" + shacl
    cache = out / CACHE_DIR / fp
    cache.mkdir(parents=True, exist_ok=True)
    parts: list[bytes] = []
    for index, article in enumerate(articles):
        cache_file = cache / f"{article.sha256}.nq"
        if cache_file.exists():
            parts.append(cache_file.read_bytes())
            summary.reused += 1
        else:
            parts.append(process_article(article, cache_file, shacl))
        if progress:
            progress(index + 1, len(articles))

    summary.documents = len(articles)
    _assemble(parts, out, summary)
    _prune_cache(out / CACHE_DIR, keep=fp, shas={a.sha256 for a in articles})
    summary.seconds = time.perf_counter() - started
    return summary


def _assemble(parts: list[bytes], out: Path, summary: BuildSummary) -> None:
    from .model import ONTOLOGY_DIR, ONTOLOGY_GRAPH, REGISTRY_GRAPH
    from .store import count, open_store, parse_nquads, parse_turtle_file, write_store, write_trig

    quads = parse_nquads(b"".join(parts))
    quads += parse_turtle_file(ONTOLOGY_DIR / "registry.ttl", REGISTRY_GRAPH)
    quads += parse_turtle_file(ONTOLOGY_DIR / "roles.ttl", REGISTRY_GRAPH)
    quads += parse_turtle_file(ONTOLOGY_DIR / "kg.ttl", ONTOLOGY_GRAPH)
    tmp = out / f".build-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        write_trig(quads, tmp / "graph.trig")
        write_store(quads, tmp / "store")
        store = open_store(tmp / "store")
        prefix = "PREFIX kg: <https://kg.example.org/ontology#> PREFIX dct: <http://purl.org/dc/terms/> "
        summary.statements = count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> }")
        summary.evidence = count(store, prefix + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a kg:Evidence }")
        summary.entities = count(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                                 "{ ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?x } UNION "
                                 "{ ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?x } "
                                 "FILTER(STRSTARTS(STR(?x), 'https://kg.example.org/id/')) }")
        summary.languages = sorted(str(s[0].value) for s in store.query(
            prefix + "SELECT DISTINCT ?l WHERE { GRAPH ?g { ?d a <https://schema.org/NewsArticle> ; dct:language ?l } }"))
        summary.quads = len(store)
        del store
        from .viz import export_html

        export_html(tmp, tmp / "graph.html", title="kg — knowledge graph of the news")
        # Swap in: the trig file atomically, the store folder by two renames, so a
        # reader that opened the old store keeps it until it closes.
        os.replace(tmp / "graph.trig", out / "graph.trig")
        os.replace(tmp / "graph.html", out / "graph.html")
        old = out / f".store-old-{os.getpid()}"
        if (out / "store").exists():
            os.rename(out / "store", old)
        os.rename(tmp / "store", out / "store")
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _prune_cache(root: Path, *, keep: str, shas: set[str]) -> None:
    """Drop cache entries of other fingerprints; keep this one's (articles may come back)."""
    for entry in root.iterdir():
        if entry.is_dir() and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)
