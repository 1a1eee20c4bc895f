"""Check a document graph against ontology/shapes.ttl (SHACL, with pyshacl).

In: the triples of one document graph. Out: nothing, or ValidationError naming
each violation. The registry, roles and vocabulary are validated beside the
document, so a class or label defined there counts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import OntologyError, ValidationError
from .model import ONTOLOGY_DIR, ontology_files


@lru_cache(maxsize=1)
def _shapes_and_background():
    from rdflib import Graph

    try:
        shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
        background = Graph()
        for f in ontology_files():
            background.parse(f, format="turtle")
    except Exception as exc:
        raise OntologyError(f"ontology: cannot read ({exc})") from None
    return shapes, background


def validate_document(triples, *, name: str) -> None:
    """Raise ValidationError listing the SHACL violations of one document graph."""
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    shapes, background = _shapes_and_background()
    data = Graph()
    for t in background:
        data.add(t)
    for t in triples:
        data.add(t)
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False,
                                   allow_warnings=True)
    if conforms:
        return
    problems = []
    for result in sorted(report.subjects(SH.resultMessage, None)):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        problems.append(f"{focus} {path or ''}: {message}")
    problems.sort()
    shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    raise ValidationError(f"{name}: graph violates ontology/shapes.ttl: {shown}")


def shapes_path() -> Path:
    return ONTOLOGY_DIR / "shapes.ttl"
