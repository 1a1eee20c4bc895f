"""`kg verify`: re-read the source articles and check every evidence span against them.

In: the built store and the seeds folder. Out: a `VerifyReport` listing
articles that are missing or changed since the build and quotes that are no
longer at their offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import KgError, ReadError
from .read import read_article

Q_SPANS = """
SELECT ?path ?sha ?start ?end ?exact WHERE {
  GRAPH ?g {
    ?doc kg:path ?path ; kg:sha256 ?sha .
    ?e oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
    ?q a oa:TextQuoteSelector ; oa:exact ?exact .
    ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
} ORDER BY ?path ?start ?end"""


class VerifyError(KgError):
    exit_code = 2


@dataclass
class VerifyReport:
    documents: int = 0
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_graph(graph_dir: Path, seeds: Path) -> VerifyReport:
    """Check each evidence span of the graph in `graph_dir` against the articles in `seeds`."""
    from .store import built_store, open_store, select

    folder = built_store(graph_dir)
    if not seeds.is_dir():
        raise VerifyError(f"--seeds {seeds}: no such folder")
    rows = select(open_store(folder), Q_SPANS)
    report = VerifyReport()
    by_doc: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_doc.setdefault((row["path"], row["sha"]), []).append(row)
    report.documents = len(by_doc)
    for (path, sha), spans in sorted(by_doc.items()):
        file = seeds / path
        try:
            article = read_article(file, root=seeds)
        except ReadError as exc:
            report.problems.append(f"{path}: missing or unreadable ({exc})" if file.exists() else f"{path}: missing")
            continue
        changed = article.sha256 != sha
        if changed:
            report.problems.append(f"{path}: changed since the build (sha256 {article.sha256[:12]}…, built from {sha[:12]}…)")
        seen = set()
        for span in spans:
            key = (int(span["start"]), int(span["end"]), span["exact"])
            if key in seen:
                continue
            seen.add(key)
            report.checked += 1
            start, end, exact = key
            if article.text[start:end] != exact:
                found = article.text.find(exact)
                where = f"now at {found}–{found + len(exact)}" if found >= 0 else "no longer in the article"
                report.problems.append(f"{path}:{start}–{end}: quote {exact[:60]!r}{'…' if len(exact) > 60 else ''} {where}")
    report.problems.extend(_trig_and_store_disagree(graph_dir, folder))
    return report


def _trig_and_store_disagree(graph_dir: Path, folder: Path) -> list[str]:
    """graph.trig and the store hold the same quads in the same named graphs: where they do not."""
    import pyoxigraph as ox

    from .store import open_store

    trig = graph_dir / "graph.trig"
    if not trig.exists():
        return [f"{trig}: missing (the store has the graph; rebuild to write it)"]
    counts: dict[str, int] = {}
    try:
        for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
            key = str(quad.graph_name)
            counts[key] = counts.get(key, 0) + 1
    except (SyntaxError, ValueError, OSError) as exc:
        return [f"{trig}: does not parse ({str(exc).splitlines()[0][:200]}); rebuild to repair it"]
    store = open_store(folder)
    problems = []
    stored: dict[str, int] = {}
    for quad in store:
        key = str(quad.graph_name)
        stored[key] = stored.get(key, 0) + 1
    for graph in sorted(set(counts) | set(stored)):
        if counts.get(graph, 0) != stored.get(graph, 0):
            problems.append(f"{graph}: {counts.get(graph, 0)} quads in graph.trig, {stored.get(graph, 0)} in the store")
    return problems
