"""`kg build`: every article in a seeds folder to `graph.trig`, an embedded store and `graph.html`.

Each article's named graph is extracted, modelled and validated once, by any
`concurrent.futures` executor (local processes, or a Dask cluster's), and
cached by its content hash and a fingerprint of the rules, ontology and code.
The output is assembled from the cached parts: `graph.trig` by concatenating
each graph's TriG block in graph order, the store by updating a hard-linked
checkpoint of the previous one with only the graphs that changed. Everything is
written to a temporary folder and swapped in at the end: a failed build leaves
the previous output untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, KgError, ReadError
from .read import SUFFIXES, read_article

CACHE_DIR = ".cache"
MANIFEST = "manifest.json"  # what the output holds: fingerprint and documents
FILES = "files.json"  # size, time, inode and hash of each article file seen
STATS = "stats.json"  # per document: what it counts (statements, entities, evidence)
#: above this many articles kg build leaves the HTML to `kg viz --focus` (a page of
#: tens of thousands of entities helps no one, and costs the build its speed)
HTML_DOCUMENT_LIMIT = 500


@dataclass
class BuildSummary:
    documents: int = 0
    languages: list[str] = field(default_factory=list)
    entities: int = 0
    statements: int = 0
    evidence: int = 0
    quads: int = 0
    reused: int = 0  # documents taken from the cache
    corrections: int = 0  # analysts' corrections applied
    seconds: float = 0.0
    html: bool = True
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.documents} documents ({', '.join(self.languages) or '-'}), {self.entities} entities, "
                f"{self.statements} statements, {self.evidence} evidence spans, "
                f"{self.quads} quads" + (f", {self.corrections} correction{'s' if self.corrections != 1 else ''} applied"
                                       if self.corrections else "")
                + f" in {self.seconds:.2f} s ({self.reused} from cache)")


@dataclass(frozen=True)
class DocumentResult:
    """One article's validated named graph as a TriG block, and what it counts."""

    sha256: str
    trig: bytes  # the graph block, without the prefix header
    stats: dict
    # the Extraction, pickled and compressed: corrections model an article again without extracting it
    extraction: bytes = b""


def list_articles(seeds: Path) -> list[Path]:
    """Article files below `seeds`, in a stable order; hidden folders and files are skipped."""
    return [Path(seeds, rel) for rel in _relative_articles(seeds)]


def _relative_articles(seeds: Path) -> list[str]:
    # plain strings: tens of thousands of pathlib objects cost a rebuild a noticeable part of a second
    out = []
    root = str(seeds)
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in names:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUFFIXES:
                out.append(prefix + name)
    return sorted(out)


def fingerprint() -> str:
    """Changes whenever rules, ontology or code change: the cache is keyed on it."""
    from importlib.metadata import version

    from . import __version__
    from .model import ONTOLOGY_DIR
    from .resolve import load_registry
    from .rules import load_rules

    digest = hashlib.sha256(__version__.encode())
    # the name lists (faker), the German word model (hanta) and the towns (geotext) decide names too
    for package in ("faker", "hanta", "geotext"):
        digest.update(f"{package}={version(package)}".encode())
    digest.update(load_rules().fingerprint.encode())
    digest.update(load_registry().fingerprint.encode())
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def process_article(article, shacl: str = "fast") -> DocumentResult:
    """Extract, model and validate one article: a pure function of the article, for any executor."""
    from .errors import ForeignLanguage
    from .pipeline import extract_article
    from .resolve import load_registry
    from .rules import load_rules

    registry = load_registry()
    try:
        extraction = extract_article(article, load_rules(), registry)
    except ForeignLanguage as exc:  # kept in the cache as skipped, so a rebuild says so again
        return DocumentResult(article.sha256, b"", {"path": article.path, "skipped": str(exc)})
    result = model_extraction(extraction, registry, shacl)
    return DocumentResult(result.sha256, result.trig, result.stats, pack_extraction(extraction))


def model_extraction(extraction, registry, shacl: str, review=None) -> DocumentResult:
    """Model and validate one article's extraction: its TriG block and what it counts."""
    from .model import graph_iri, model_document
    from .store import to_quads, trig_block
    from .validate import validate_document
    from .vocab import PREFIXES

    article = extraction.article
    for claim in extraction.claims:  # offsets must be honest before anything is stored
        e = claim.evidence
        if extraction.article.text[e.start:e.end] != e.quote:
            raise KgError(f"{article.path}: evidence offsets {e.start}-{e.end} do not match the quote")
    doc = model_document(extraction, registry, review)
    validate_document(doc.triples, name=article.path, validator=shacl)
    rdf = str(PREFIXES["rdf"])
    statements = sorted({str(s) for s, p, o in doc.triples if str(p) == rdf + "type" and str(o) == rdf + "Statement"})
    entities = sorted({str(x) for s, p, o in doc.triples if str(p) in (rdf + "subject", rdf + "object")
                       for x in (o,) if str(x).startswith("https://kg.example.org/id/")})
    evidence = sum(1 for s, p, o in doc.triples if str(p) == rdf + "type" and str(o).endswith("ontology#Evidence"))
    stats = {"path": article.path, "language": extraction.article.language, "quads": len(doc.triples),
             "statements": statements, "entities": entities, "evidence": evidence,
             "warnings": list(extraction.warnings),
             # what corrections are planned from without opening the extraction (amend.py)
             **extraction_holds(extraction)}
    if review is not None:  # the statements corrections name, for the corrections graph
        stats["named"] = {r.key(): str(iri) for r, iri in doc.relationships}
    return DocumentResult(article.sha256, trig_block(to_quads(doc.triples, graph_iri(article.sha256))), stats)


def extraction_holds(extraction) -> dict:
    """What an extraction holds that corrections are planned from (amend.plan_corrections)."""
    from .amend import claim_relationships

    return {"mentioned": sorted({m.entity for m in extraction.mentions}),
            "defines": {e.key: e.label for e in extraction.entities},
            "relationships": sorted({r.key() for c in extraction.claims for r in claim_relationships(c)})}


def pack_extraction(extraction) -> bytes:
    import pickle
    import zlib

    return zlib.compress(pickle.dumps(extraction, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack_extraction(data: bytes):
    import pickle
    import zlib

    return pickle.loads(zlib.decompress(data))


def _process(job):
    article, shacl = job
    return process_article(article, shacl)


def build_graph(seeds: Path, out: Path, *, progress: Callable[[int, int], None] | None = None,
                shacl: str = "fast", workers: int | None = 1, executor=None,
                corrections: Path | None = None) -> BuildSummary:
    """Build the graph of every article in `seeds` into `out`.

    The analysts' corrections in `corrections` (default: seeds/corrections.jsonl)
    are applied after extraction; those that no longer apply become warnings.

    `shacl` chooses the validator of each document graph ("fast" or "pyshacl").
    New articles are processed by `executor` (any concurrent.futures executor)
    if given, else by `workers` local processes (1: in this process). Raises
    BuildError for a missing seeds folder, no readable article or an unwritable
    output folder; unreadable articles become warnings.
    """
    started = time.perf_counter()
    if not seeds.is_dir():
        raise BuildError(f"--seeds {seeds}: no such folder")
    from .corrections import corrections_path, load_corrections

    if corrections is not None and not corrections.is_file():  # named, so meant: not silently none
        raise BuildError(f"--corrections {corrections}: no such file")
    fixes = load_corrections(corrections_path(seeds, corrections))  # a malformed file stops the build here
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BuildError(f"--out {out}: not writable ({exc.strerror or exc})") from None

    from .owners import hold_lock, release_lock, remove_orphans

    hold_lock(out)
    # what builds and servers killed before they could clean up left behind
    cache_root = out / CACHE_DIR
    remove_orphans(out, also=(cache_root, *(p for p in cache_root.glob("*") if p.is_dir())))
    summary = BuildSummary()
    files_path = out / CACHE_DIR / FILES
    known = _load_json(files_path)
    files: dict[str, dict] = {}
    items: list[_Item] = []
    seen: dict[str, str] = {}
    for rel in _relative_articles(seeds):
        path = seeds / rel
        try:
            st = os.stat(path)
        except OSError as exc:
            summary.warnings.append(f"{rel}: cannot read ({exc.strerror or exc})")
            continue
        entry = known.get(rel)
        article = None
        # an unchanged file (same size, modification time and inode) keeps its hash: no need to read it
        if not (entry and [entry["size"], entry["mtime"], entry["inode"]] == [st.st_size, st.st_mtime_ns, st.st_ino]):
            try:
                article = read_article(path, root=seeds)
            except ReadError as exc:
                summary.warnings.append(str(exc))
                continue
            entry = {"size": st.st_size, "mtime": st.st_mtime_ns, "inode": st.st_ino,
                     "sha": article.sha256, "encoding": article.encoding}
        files[rel] = entry
        if entry["encoding"] != "utf-8":
            summary.warnings.append(f"{rel}: not UTF-8; read as {entry['encoding']}")
        if entry["sha"] in seen:
            summary.warnings.append(f"{rel}: same text as {seen[entry['sha']]}; skipped")
            continue
        seen[entry["sha"]] = rel
        items.append(_Item(path, entry["sha"], article, document_key(entry["sha"], rel)))
    if not items:
        raise BuildError(f"--seeds {seeds}: no readable article (.txt, .md, .html)")
    # graph order: named graphs are named from the content hash
    items.sort(key=lambda item: item.sha256)

    from .validate import validate_document

    validate_document([], name="ontology/registry.ttl", validator=shacl)  # the registry on its own
    fp = fingerprint() + "-" + shacl
    cache = out / CACHE_DIR / fp
    cache.mkdir(parents=True, exist_ok=True)
    stats = _load_json(cache / STATS)
    todo = []
    for item in items:
        if item.key in stats:
            damage = damaged_block(cache / f"{item.key}.trig", stats[item.key])
            if damage is None:
                continue
            summary.warnings.append(f"{cache / item.key}.trig: {damage}; rebuilt from {item.path.relative_to(seeds)}")
            del stats[item.key]
        todo.append(item.article or read_article(item.path, root=seeds))
    summary.reused = len(items) - len(todo)
    done = summary.reused
    if progress:
        progress(done, len(items))
    for result in _run(todo, shacl, workers=workers, executor=executor):
        key = document_key(result.sha256, result.stats["path"])
        if result.extraction:
            write_atomic(cache / f"{key}.extraction", result.extraction)
        write_atomic(cache / f"{key}.trig", result.trig)
        # the block's checksum is kept with its figures, written after the block
        stats[key] = {**result.stats, "block_sha256": hashlib.sha256(result.trig).hexdigest()}
        done += 1
        if progress:
            progress(done, len(items))
    if todo:
        write_atomic(cache / STATS, json.dumps(stats, sort_keys=True).encode())

    skipped = [i for i in items if "skipped" in stats[i.key]]
    summary.warnings.extend(stats[i.key]["skipped"] for i in skipped)
    items = [i for i in items if "skipped" not in stats[i.key]]
    if not items:
        raise BuildError(f"--seeds {seeds}: no article in German, Dutch or English")
    summary.warnings.extend(w for i in items for w in stats[i.key].get("warnings", ()))
    summary.documents = len(items)
    blocks = {i.key: i.key for i in items}  # the cached block each article's graph is read from
    background = None
    if fixes:
        from .corrected import apply_corrections

        encodings = {rel: entry["encoding"] for rel, entry in files.items()}
        fresh = {document_key(a.sha256, a.path) for a in todo}  # extracted in this build, not from the cache
        background = apply_corrections(fixes, items, stats, blocks, cache, shacl, seeds, summary, encodings, fresh)
    elif any("~" in key for key in stats):  # what corrections no longer in the file left in the cache
        from .corrected import forget_amended

        forget_amended(cache, stats)
        write_atomic(cache / STATS, json.dumps(stats, sort_keys=True).encode())
    _assemble([blocks[i.key] for i in items], stats, cache, fp, out, summary, background)
    write_atomic(files_path, json.dumps(files, sort_keys=True).encode())
    _prune_cache(out / CACHE_DIR, keep=fp)
    release_lock(out)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass(frozen=True)
class _Item:
    path: Path
    sha256: str
    article: object  # the Article when it had to be read, else None
    key: str


def damaged_block(path: Path, stats: dict) -> str | None:
    """Why a cached block cannot be trusted, or None when its checksum holds."""
    expected = stats.get("block_sha256") if isinstance(stats, dict) else None
    if not isinstance(expected, str):
        return "cached without a checksum"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read the cached block ({exc.strerror or exc})"
    if hashlib.sha256(data).hexdigest() != expected:
        return "damaged cache entry (its checksum does not match)"
    return None


def document_key(sha256: str, path: str) -> str:
    """What a cached graph depends on: the article's text and its path (the graph records the path).

    The key starts with the content hash, so keys sort in the order of the graph names.
    """
    return f"{sha256}.{hashlib.sha256(path.encode()).hexdigest()[:12]}"


def document_sha(key: str) -> str:
    return key.split(".", 1)[0]


def _load_json(path: Path) -> dict:
    """A JSON object from a file of kg's own; {} when it is missing or damaged (rebuilt then)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _run(todo, shacl: str, *, workers: int | None, executor):
    jobs = [(a, shacl) for a in todo]
    if executor is not None:
        yield from executor.map(_process, jobs)
        return
    n = min(workers or os.cpu_count() or 1, len(jobs))
    if n <= 1 or len(jobs) < 4:
        for job in jobs:
            yield _process(job)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Each process compiles the rule patterns of the languages it meets, seconds per
    # language; so each gets a run of articles of as few languages as the load allows.
    # Which process reads an article changes nothing in its result.
    from .owners import die_with_parent

    shares = _by_language(todo, n)
    # workers die with the build, even when it is killed
    pools = [ProcessPoolExecutor(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),))
             for _ in shares]
    try:
        futures = [pool.submit(_process_many, [(a, shacl) for a in share[i:i + 8]])
                   for pool, share in zip(pools, shares) for i in range(0, len(share), 8)]
        for future in as_completed(futures):
            yield from future.result()
    finally:
        for pool in pools:
            pool.shutdown(cancel_futures=True)


def _process_many(jobs):
    return [_process(job) for job in jobs]


def _by_language(articles, n: int) -> list[list]:
    """`articles` cut into n runs of about equal length, ordered by a quick guess of their language."""
    from .rules import load_rules
    from .segment import common_word_language

    rules = load_rules()  # loaded already: the build's fingerprint reads the rules

    def guess(text: str) -> str:
        return common_word_language(text[:4000], rules) or ""  # unclear ones together, at the front

    languages = [guess(a.text) for a in articles]
    order = sorted(range(len(articles)), key=lambda i: (languages[i], articles[i].sha256))
    ordered = [articles[i] for i in order]
    # where each article ends, counting a fixed cost per article beside its length
    ends, done = [], 0
    for a in ordered:
        done += len(a.text) + 2000
        ends.append(done)
    boundaries = [i for i in range(1, len(order)) if languages[order[i]] != languages[order[i - 1]]]
    cuts, share = [], done / n
    for k in range(1, n):
        ideal = k * share
        cut = next(i + 1 for i, end in enumerate(ends) if end >= ideal)
        near = [b for b in boundaries if abs(ends[b - 1] - ideal) <= share / 4]
        if near:  # a language boundary close by: cut there, one language fewer to compile
            cut = min(near, key=lambda b: abs(ends[b - 1] - ideal))
        cuts.append(cut)
    shares = [ordered[a:b] for a, b in zip([0, *cuts], [*cuts, len(ordered)])]
    return [share for share in shares if share]


def _assemble(keys: list[str], all_stats: dict, cache: Path, fp: str, out: Path, summary: BuildSummary,
              background: bytes | None = None) -> None:
    from .model import CORRECTIONS_GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH, graph_iri
    from .store import (
        open_store,
        registry_quads,
        trig_block,
        trig_header,
        update_store,
        write_store,
    )

    if background is None:
        background = trig_block(registry_quads())
    stats = [all_stats[key] for key in keys]
    summary.languages = sorted({s["language"] for s in stats})
    summary.statements = len({iri for s in stats for iri in s["statements"]})
    summary.entities = len({iri for s in stats for iri in s["entities"]})
    summary.evidence = sum(s["evidence"] for s in stats)
    manifest_path = out / CACHE_DIR / MANIFEST
    previous = _load_json(manifest_path)  # damaged or missing: build the store from scratch
    if not isinstance(previous, dict):
        previous = {}
    # the registry, ontology and corrections graphs change with the corrections
    current = {"fingerprint": fp, "documents": keys, "background": hashlib.sha256(background).hexdigest()[:16],
               "corrections": summary.corrections}

    tmp = out / f".build-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        with open(tmp / "graph.trig", "wb") as f:
            f.write(trig_header())
            f.flush()
            for key in keys:  # doc graphs sort before graph/ontology and graph/registry
                with open(cache / f"{key}.trig", "rb") as block:
                    _copy(block, f)
            f.write(background)
        old_store = out / "store"
        if previous.get("fingerprint") == fp and old_store.is_dir():
            before, now = set(previous.get("documents", [])), set(current["documents"])
            added = sorted(now - before)
            remove = {graph_iri(document_sha(key)) for key in before - now}
            add = b"".join((cache / f"{key}.trig").read_bytes() for key in added)
            if previous.get("background") != current["background"]:
                remove |= {REGISTRY_GRAPH, ONTOLOGY_GRAPH, CORRECTIONS_GRAPH}
                add += background
            # a moved article keeps its graph name (its content) but not its content (the path):
            # removing first and adding after handles it like any change
            try:
                update_store(old_store, tmp / "store", remove=sorted(remove), add=add)
            except Exception as exc:  # noqa: BLE001 - any failure of the old store: load it afresh
                summary.warnings.append(f"{old_store}: could not be updated ({_first_line(exc)}); "
                                        "rebuilt from graph.trig")
                shutil.rmtree(tmp / "store", ignore_errors=True)
                write_store(tmp / "graph.trig", tmp / "store")
        else:
            write_store(tmp / "graph.trig", tmp / "store")
        store = open_store(tmp / "store")
        summary.quads = len(store)
        del store
        summary.html = len(keys) <= HTML_DOCUMENT_LIMIT
        if summary.html:
            from .viz import export_html

            export_html(tmp, tmp / "graph.html", title="kg — knowledge graph of the news")
        # Swap in: files atomically, the store folder by two renames, so a reader
        # that opened the old store keeps it until it closes.
        os.replace(tmp / "graph.trig", out / "graph.trig")
        if summary.html:
            os.replace(tmp / "graph.html", out / "graph.html")
        elif (out / "graph.html").exists():
            (out / "graph.html").unlink()  # a stale page would show a graph that no longer is
        old = out / f".store-old-{os.getpid()}"
        if old_store.exists():
            os.rename(old_store, old)
        os.rename(tmp / "store", old_store)
        shutil.rmtree(old, ignore_errors=True)
        write_atomic(manifest_path, json.dumps(current).encode())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _copy(src, dst) -> None:
    """Append a file to another in the kernel where it can: graph.trig is hundreds of MB."""
    size = os.fstat(src.fileno()).st_size
    offset = 0
    try:
        while offset < size:
            sent = os.sendfile(dst.fileno(), src.fileno(), offset, size - offset)
            if sent == 0:
                break
            offset += sent
    except OSError:
        src.seek(offset)
        shutil.copyfileobj(src, dst)


def _prune_cache(root: Path, *, keep: str) -> None:
    """Drop cache entries of other fingerprints; keep this one's (articles may come back)."""
    for entry in root.iterdir():
        if entry.is_dir() and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)
