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
    return report
