"""Check document graphs against ontology/shapes.ttl (SHACL).

In: the triples of one document graph. Out: nothing, or ValidationError naming
the violations. The registry, roles and vocabulary are validated beside the
document, so a class or label defined there counts.

Two validators read the same shapes:
- `fast` (the default): the shapes are compiled once into checks over an
  index of the triples. It supports the SHACL Core constraints our shapes use
  and refuses to compile a shape that uses any other, so nothing is skipped.
  It validates a document in about a millisecond, where pyshacl takes 30 to
  100; that is what lets a build reach hundreds of articles a second.
- `pyshacl`: the reference implementation, for a full SHACL run; the tests
  check that both find the same violations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .errors import OntologyError, ValidationError
from .model import ONTOLOGY_DIR, ontology_files

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
VALIDATORS = ("fast", "pyshacl")

_NODE_KEYS = {SH + k for k in ("targetClass", "property", "nodeKind")} | {RDF_TYPE}
_PROPERTY_KEYS = {SH + k for k in ("path", "minCount", "maxCount", "datatype", "class", "nodeKind", "in", "pattern",
                                   "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "lessThan",
                                   "minLength", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
                                   "or", "name", "description", "message")}


@dataclass
class PropertyShape:
    path: str
    min_count: int | None = None
    max_count: int | None = None
    datatype: str | None = None
    cls: str | None = None
    iri_only: bool = False
    values_in: set | None = None
    pattern: re.Pattern | None = None
    min_inclusive: Decimal | None = None
    max_inclusive: Decimal | None = None
    min_exclusive: Decimal | None = None
    max_exclusive: Decimal | None = None
    less_than: str | None = None
    min_length: int | None = None
    qualified_class: str | None = None
    qualified_min: int | None = None
    qualified_max: int | None = None
    or_datatypes: set | None = None


@dataclass
class NodeShape:
    name: str
    target_class: str
    iri_only: bool = False
    properties: list[PropertyShape] = field(default_factory=list)


@lru_cache(maxsize=1)
def _graphs():
    from rdflib import Graph

    try:
        shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
        background = Graph()
        for f in ontology_files():
            background.parse(f, format="turtle")
    except Exception as exc:
        raise OntologyError(f"ontology: cannot read ({exc})") from None
    return shapes, background


@lru_cache(maxsize=1)
def compiled_shapes() -> list[NodeShape]:
    """The node shapes of shapes.ttl as checks; OntologyError for any construct not supported."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection

    shapes, _ = _graphs()
    out = []
    for node in sorted(set(shapes.subjects(URIRef(RDF_TYPE), URIRef(SH + "NodeShape")))):
        for p in set(shapes.predicates(node, None)):
            if str(p) not in _NODE_KEYS:
                raise OntologyError(f"shapes.ttl: {node} uses {p}, which the fast validator does not support "
                                    "(use --shacl pyshacl)")
        targets = list(shapes.objects(node, URIRef(SH + "targetClass")))
        if len(targets) != 1:
            raise OntologyError(f"shapes.ttl: {node} needs exactly one sh:targetClass for the fast validator")
        ns = NodeShape(str(node), str(targets[0]),
                       shapes.value(node, URIRef(SH + "nodeKind")) == URIRef(SH + "IRI"))
        for prop in shapes.objects(node, URIRef(SH + "property")):
            ps = PropertyShape(path="")
            for p, o in shapes.predicate_objects(prop):
                key = str(p).removeprefix(SH)
                if str(p) not in _PROPERTY_KEYS:
                    raise OntologyError(f"shapes.ttl: a property shape of {node} uses {p}, which the fast "
                                        "validator does not support (use --shacl pyshacl)")
                if key == "path":
                    if isinstance(o, BNode):
                        raise OntologyError(f"shapes.ttl: {node}: only simple paths are supported")
                    ps.path = str(o)
                elif key in ("minCount", "maxCount", "minLength", "qualifiedMinCount", "qualifiedMaxCount"):
                    attr = {"minCount": "min_count", "maxCount": "max_count", "minLength": "min_length",
                            "qualifiedMinCount": "qualified_min", "qualifiedMaxCount": "qualified_max"}[key]
                    setattr(ps, attr, int(o))
                elif key == "datatype":
                    ps.datatype = str(o)
                elif key == "class":
                    ps.cls = str(o)
                elif key == "nodeKind":
                    if o != URIRef(SH + "IRI"):
                        raise OntologyError(f"shapes.ttl: {node}: only sh:nodeKind sh:IRI is supported")
                    ps.iri_only = True
                elif key == "in":
                    ps.values_in = {str(v) for v in Collection(shapes, o)}
                elif key == "pattern":
                    ps.pattern = re.compile(str(o))
                elif key in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                    attr = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)
                    setattr(ps, attr, Decimal(str(o)))
                elif key == "lessThan":
                    ps.less_than = str(o)
                elif key == "qualifiedValueShape":
                    inner = dict(shapes.predicate_objects(o))
                    if set(map(str, inner)) != {SH + "class"}:
                        raise OntologyError(f"shapes.ttl: {node}: a qualified value shape may only give sh:class")
                    ps.qualified_class = str(inner[URIRef(SH + "class")])
                elif key == "or":
                    types = set()
                    for alt in Collection(shapes, o):
                        inner = dict(shapes.predicate_objects(alt))
                        if set(map(str, inner)) != {SH + "datatype"}:
                            raise OntologyError(f"shapes.ttl: {node}: sh:or may only list sh:datatype shapes")
                        types.add(str(inner[URIRef(SH + "datatype")]))
                    ps.or_datatypes = types
            if not ps.path:
                raise OntologyError(f"shapes.ttl: a property shape of {node} has no sh:path")
            ns.properties.append(ps)
        ns.properties.sort(key=lambda p: p.path)
        out.append(ns)
    return out


class _Index:
    """Triples by subject and predicate, as plain strings and rdflib terms."""

    def __init__(self, triples=()):
        self.sp: dict[tuple, list] = defaultdict(list)
        self.types: dict[str, set] = defaultdict(set)
        self.subjects: set[str] = set()
        for t in triples:
            self.add(t)

    def add(self, t) -> None:
        s, p, o = t
        self.sp[(str(s), str(p))].append(o)
        self.subjects.add(str(s))
        if str(p) == RDF_TYPE:
            self.types[str(s)].add(str(o))


@lru_cache(maxsize=1)
def _background() -> tuple[_Index, dict[str, set[str]]]:
    _, graph = _graphs()
    index = _Index(graph)
    parents: dict[str, set[str]] = defaultdict(set)
    from rdflib import URIRef

    for s, o in graph.subject_objects(predicate=URIRef(SUBCLASS)):
        parents[str(s)].add(str(o))

    def closure(c: str, seen=None) -> set[str]:
        seen = seen or set()
        if c in seen:
            return seen
        seen.add(c)
        for p in parents.get(c, ()):
            closure(p, seen)
        return seen

    supers = {c: closure(c) for c in list(parents)}
    return index, supers


def validate_document(triples, *, name: str, validator: str = "fast") -> None:
    """Raise ValidationError listing the SHACL violations of one document graph."""
    if validator == "pyshacl":
        problems = _pyshacl_problems(triples)
    elif validator == "fast":
        problems = fast_problems(triples)
    else:
        raise OntologyError(f"--shacl {validator!r}: not one of {', '.join(VALIDATORS)}")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ValidationError(f"{name}: graph violates ontology/shapes.ttl: {shown}")


def fast_problems(triples, *, include_background: bool = False) -> list[str]:
    """Violations as "focus path: message", sorted; an empty list when the graph conforms."""
    bg, supers = _background()
    doc = _Index(triples)

    def values(s: str, p: str) -> list:
        return doc.sp.get((s, p), []) + bg.sp.get((s, p), [])

    def has_class(node, cls: str) -> bool:
        key = str(node)
        for t in doc.types.get(key, set()) | bg.types.get(key, set()):
            if t == cls or cls in supers.get(t, ()):
                return True
        return False

    focus_nodes = doc.subjects | (bg.subjects if include_background else set())
    by_target: dict[str, list[NodeShape]] = defaultdict(list)
    for shape in compiled_shapes():
        by_target[shape.target_class].append(shape)
    problems: set[str] = set()
    for focus in focus_nodes:
        classes = set()
        for t in doc.types.get(focus, set()) | bg.types.get(focus, set()):
            classes.add(t)
            classes.update(supers.get(t, ()))
        for cls in classes & by_target.keys():
            for shape in by_target[cls]:
                if shape.iri_only and focus.startswith("_:"):
                    problems.add(f"{focus}: not an IRI")
                for ps in shape.properties:
                    problems.update(f"{focus} {ps.path}: {m}" for m in _check(ps, focus, values, has_class))
    return sorted(problems)


def _check(ps: PropertyShape, focus: str, values, has_class) -> list[str]:
    from rdflib import URIRef

    vals = list(dict.fromkeys(values(focus, ps.path)))
    out = []
    if ps.min_count is not None and len(vals) < ps.min_count:
        out.append(f"fewer than {ps.min_count} values")
    if ps.max_count is not None and len(vals) > ps.max_count:
        out.append(f"more than {ps.max_count} values")
    for v in vals:
        if ps.iri_only and not isinstance(v, URIRef):
            out.append(f"{v!s} is not an IRI")
        if ps.datatype and not _has_datatype(v, ps.datatype):
            out.append(f"{v!s} is not a {ps.datatype}")
        if ps.or_datatypes is not None and not any(_has_datatype(v, d) for d in ps.or_datatypes):
            out.append(f"{v!s} has none of the datatypes {sorted(ps.or_datatypes)}")
        if ps.cls and not has_class(v, ps.cls):
            out.append(f"{v!s} is not a {ps.cls}")
        if ps.values_in is not None and str(v) not in ps.values_in:
            out.append(f"{v!s} is not one of {sorted(ps.values_in)}")
        if ps.pattern is not None and not ps.pattern.search(str(v)):
            out.append(f"{v!s} does not match {ps.pattern.pattern}")
        if ps.min_length is not None and len(str(v)) < ps.min_length:
            out.append(f"{v!s} is shorter than {ps.min_length}")
        for bound, test, word in ((ps.min_inclusive, lambda x, b: x >= b, ">="), (ps.max_inclusive, lambda x, b: x <= b, "<="),
                                  (ps.min_exclusive, lambda x, b: x > b, ">"), (ps.max_exclusive, lambda x, b: x < b, "<")):
            if bound is not None:
                number = _number(v)
                if number is None or not test(number, bound):
                    out.append(f"{v!s} is not {word} {bound}")
        if ps.less_than:
            for other in values(focus, ps.less_than):
                a, b = _number(v), _number(other)
                if a is None or b is None or not a < b:
                    out.append(f"{v!s} is not less than {other!s}")
    if ps.qualified_class is not None:
        n = sum(1 for v in vals if isinstance(v, URIRef) and has_class(v, ps.qualified_class))
        if ps.qualified_min is not None and n < ps.qualified_min:
            out.append(f"fewer than {ps.qualified_min} values of class {ps.qualified_class}")
        if ps.qualified_max is not None and n > ps.qualified_max:
            out.append(f"more than {ps.qualified_max} values of class {ps.qualified_class}")
    return out


def _has_datatype(v, datatype: str) -> bool:
    from rdflib import Literal

    if not isinstance(v, Literal):
        return False
    if v.language:
        return datatype == RDF_LANGSTRING
    actual = str(v.datatype) if v.datatype is not None else XSD + "string"
    if actual != datatype:
        return False
    return v.ill_typed is not True


def _number(v):
    try:
        return Decimal(str(v))
    except Exception:  # noqa: BLE001 - any non-number fails the comparison
        return None


def _pyshacl_problems(triples) -> list[str]:
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH as RSH

    shapes, background = _graphs()
    data = Graph()
    for t in background:
        data.add(t)
    for t in triples:
        data.add(t)
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    if conforms:
        return []
    problems = []
    for result in sorted(report.subjects(RSH.resultMessage, None)):
        focus = report.value(result, RSH.focusNode)
        path = report.value(result, RSH.resultPath)
        problems.append(f"{focus} {path or ''}: {report.value(result, RSH.resultMessage)}")
    return sorted(problems)
