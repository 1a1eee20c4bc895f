"""`kg trace`: every relationship of an entity (or between two), back to its sources.

In: the built store and one or two names (canonical, alias, unique family
name, or for the second also a role). Out: `Trace`, plain data that the CLI
prints as text (trace_text.py) or as the JSON contract in the README. The
statements and their sources are read by sources.py; here they become
relationships, with their qualifiers, disagreements and analysts'
corrections. When two entities have no direct relationship, the shortest
connections through the graph (networkx) are given, each hop with its own
sources.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .amend import ADDED_RULE
from .errors import KgError
from .sources import (
    Source,
    StoreReader,
    _Stmt,
    local_name,
    merge_sources,
    statement_value,
)
from .vocab import BASE, KG_NS, PREFIXES

ID = BASE + "id/"
ORG = PREFIXES["org"]
SCHEMA = PREFIXES["schema"]
XSD = PREFIXES["xsd"]
# Plain edges that an n-ary node (membership, investment) already tells, with more.
COVERED = {ORG + "headOf", ORG + "memberOf", SCHEMA + "founder", SCHEMA + "worksFor", KG_NS + "investsIn"}
QUALIFIER = {KG_NS + "amount": "amount", KG_NS + "currency": "currency", KG_NS + "stake": "stake",
             KG_NS + "valuation": "valuation", KG_NS + "valuationCurrency": "valuation_currency",
             KG_NS + "votingRights": "voting_rights", KG_NS + "date": "date", KG_NS + "workforceShare": "share",
             KG_NS + "employeesAffected": "employees", KG_NS + "contractorsAffected": "contractors",
             KG_NS + "current": "current"}
MAX_PATHS = 5


class TraceError(KgError):
    exit_code = 2


@dataclass(frozen=True)
class Node:
    iri: str
    label: str


@dataclass
class Relationship:
    statement: str
    subject: Node
    predicate: Node
    object: dict | None  # {"iri", "label"} or {"value", "datatype"}
    qualifiers: dict
    source_count: int
    sources: list[Source]
    disagreements: dict = field(default_factory=dict)  # qualifier -> [{"value", "documents"}]
    # analysts' corrections of it, in file order: {"operation", "by", "at", "why", "line", …}
    corrections: list = field(default_factory=list)

    @property
    def asserted(self) -> bool:
        """An edge of the graph: some source an analyst confirmed, or one not rejected that states it
        plainly and surely enough (types.assertable)."""
        return any(s.assertable for s in self.sources)

    @property
    def status(self) -> str:
        """extracted, added (by an analyst), confirmed or rejected: what the graph says after corrections."""
        if any(s.rejected for s in self.sources) and not self.asserted:
            return "rejected"
        if any(s.confirmed for s in self.sources):
            return "confirmed"
        if self.sources and all(s.rule == ADDED_RULE for s in self.sources):
            return "added"
        return "extracted"


@dataclass
class Trace:
    subject: Node
    object: Node | None
    relationships: list[Relationship]
    paths: list[list[Relationship]]

    def to_json(self) -> dict:
        return {"subject": asdict(self.subject), "object": asdict(self.object) if self.object else None,
                "relationships": [_rel_json(r) for r in self.relationships],
                "paths": [[_rel_json(r) for r in path] for path in self.paths]}


def _rel_json(r: Relationship) -> dict:
    out = {"statement": r.statement, "subject": asdict(r.subject), "predicate": asdict(r.predicate),
           "object": r.object, "asserted": r.asserted, "status": r.status, "qualifiers": r.qualifiers,
           "source_count": r.source_count, "sources": [_source_json(s) for s in r.sources],
           "corrections": r.corrections}
    if r.disagreements:
        out["disagreements"] = r.disagreements
    return out


def _source_json(s: Source) -> dict:
    out = asdict(s)
    if out["antecedent"] is None:
        del out["antecedent"]
    for flag in ("rejected", "confirmed"):  # only where an analyst said so of this article
        if not out[flag]:
            del out[flag]
    return out


# ---------------------------------------------------------------- names

Q_NAMES = """
SELECT DISTINCT ?e ?name ?kind WHERE {
  VALUES (?t ?kind) { (schema:Person "person") (schema:Organization "organization")
                      (schema:NewsMediaOrganization "organization") (schema:GovernmentOrganization "organization")
                      (org:Role "role") }
  GRAPH ?g2 { ?e a ?t }
  GRAPH ?g { ?e rdfs:label|skos:altLabel ?name }
}"""


@dataclass(frozen=True)
class Named:
    iri: str
    kind: str  # person, organization, role


def resolve_name(store, name: str, *, roles: bool = False, argument: str = "NAME") -> Named:
    """The entity (or role) a name means: label, alias, a family name only one person has, or its key
    ("person/jane-roe", "kgp:jane-roe" or the IRI), which tells apart two entities of one name.

    Raises TraceError for an unknown name (with the closest names) or an ambiguous one (with the keys).
    """
    from .store import select

    rows = select(store, Q_NAMES)
    by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    family: dict[str, set[tuple[str, str]]] = defaultdict(set)
    labels: dict[str, str] = {}
    for row in rows:
        if row["kind"] == "role" and not roles:
            continue
        key = (row["e"], row["kind"])
        by_name[row["name"].casefold()].add(key)
        labels.setdefault(row["e"], row["name"])
        if row["kind"] == "person":
            family[row["name"].split()[-1].casefold()].add(key)
    wanted = name.strip().casefold()
    found = by_name.get(wanted) or family.get(wanted) or _by_key(name.strip(), rows, roles)
    if not found:
        close = difflib.get_close_matches(wanted, list(by_name) + list(family), n=3, cutoff=0.6)
        names = sorted({_display(by_name.get(c) or family.get(c), rows) for c in close})
        hint = f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""
        raise TraceError(f"{argument} {name!r}: no entity{' or role' if roles else ''} of that name{hint}")
    if len({iri for iri, _ in found}) > 1:
        reader = StoreReader(store)
        candidates = sorted(f"{reader.label(iri)} ({iri[len(ID):] if iri.startswith(ID) else iri})"
                            for iri in {iri for iri, _ in found})
        raise TraceError(f"{argument} {name!r} is ambiguous: {', '.join(candidates)}; name one by its key")
    iri, kind = next(iter(found))
    return Named(iri, kind)


def _by_key(name: str, rows, roles: bool) -> set[tuple[str, str]]:
    """The entity a key, a prefixed name or an IRI names."""
    iri = name[1:-1] if name.startswith("<") and name.endswith(">") else name
    prefix, _, local = iri.partition(":")
    if prefix in PREFIXES and not iri.startswith(("http:", "https:")):
        iri = PREFIXES[prefix] + local
    elif not iri.startswith(("http:", "https:")):
        iri = ID + iri
    return {(r["e"], r["kind"]) for r in rows if r["e"] == iri and (roles or r["kind"] != "role")}


def _label_of(iri: str, rows) -> str:
    names = sorted(r["name"] for r in rows if r["e"] == iri)
    return names[0] if names else iri


def _display(keys, rows) -> str:
    iri = sorted(keys)[0][0]
    return _label_of(iri, rows)


# ---------------------------------------------------------------- statements

Q_EDGES = """
SELECT DISTINCT ?sub ?p ?obj WHERE {
  GRAPH ?g { ?s rdf:subject ?sub ; rdf:predicate ?p ; rdf:object ?obj }
  FILTER(STRSTARTS(STR(?sub), "https://kg.example.org/id/") && STRSTARTS(STR(?obj), "https://kg.example.org/id/"))
}"""


Q_CORRECTIONS = """
SELECT ?c ?target ?op ?line ?why ?at ?by ?doc ?qualifier ?value WHERE {
  VALUES ?target { UNDEF }
  GRAPH <https://kg.example.org/graph/corrections> {
    ?c a kg:Correction ; kg:target ?target ; kg:operation ?op ; kg:line ?line ; rdfs:comment ?why ;
       prov:generatedAtTime ?at ; prov:wasAttributedTo ?agent . ?agent rdfs:label ?by .
    OPTIONAL { ?c kg:qualifier ?qualifier ; kg:value ?value }
  }
  OPTIONAL { GRAPH <https://kg.example.org/graph/corrections> { ?c kg:document ?d } GRAPH ?gd { ?d kg:path ?doc } }
}"""


def attach_corrections(store, rels: list[Relationship]) -> None:
    """Each relationship's corrections (who, when, why), and what they decide: rejected or confirmed."""
    from .store import select

    by_statement: dict[str, list[Relationship]] = defaultdict(list)
    for r in rels:
        by_statement[r.statement].append(r)
    if not by_statement:
        return
    rows = select(store, Q_CORRECTIONS, target=sorted(by_statement))
    for row in sorted(rows, key=lambda r: int(r["line"])):
        entry = {"operation": row["op"], "by": row["by"], "at": row["at"], "why": row["why"], "line": int(row["line"])}
        if row["doc"]:
            entry["document"] = row["doc"]
        if row["qualifier"]:
            entry["qualifier"], entry["value"] = row["qualifier"], _number(row["value"])
        for r in by_statement[row["target"]]:
            if entry in r.corrections:
                continue
            r.corrections.append(entry)
            if row["op"] not in ("reject", "confirm"):
                continue
            if row["qualifier"]:
                _reject_value(r, row["qualifier"], entry["value"], row["doc"])
                continue
            # in file order, as the build applies them: the last word on each article's reading stands
            for s in r.sources:
                if row["doc"] in (None, s.document):
                    s.rejected, s.confirmed = row["op"] == "reject", row["op"] == "confirm"


def _reject_value(r: Relationship, qualifier: str, value, document: str | None) -> None:
    """Take one value of a qualifier out of the relationship (one article's, or every article's)."""
    if qualifier not in r.qualifiers:
        return
    values = r.disagreements.get(qualifier) or [
        {"value": r.qualifiers[qualifier], "documents": sorted({s.document for s in r.sources})}]
    kept = []
    for v in values:
        docs = [d for d in v["documents"] if document is not None and d != document] if v["value"] == value \
            else v["documents"]
        if docs:
            kept.append({"value": v["value"], "documents": docs})
    kept.sort(key=lambda v: (-len(v["documents"]), str(v["value"])))
    if kept:
        r.qualifiers[qualifier] = kept[0]["value"]
    else:
        del r.qualifiers[qualifier]
    if len(kept) > 1:
        r.disagreements[qualifier] = kept
    else:
        r.disagreements.pop(qualifier, None)


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- relationships

def all_relationships(store) -> tuple[list[Relationship], dict[str, str]]:
    """Every relationship in the graph, and the label of every entity in one."""
    reader = StoreReader(store)
    stmts = reader.preload()
    entities = sorted({x for s in stmts for x in (s.subject, s.object)
                       if x.startswith(ID) and not (x == s.object and s.object_is_literal)})
    seen: dict[str, Relationship] = {}
    for iri in entities:
        for rel in _relationships_of(reader, iri):
            seen.setdefault(rel.statement + "|" + rel.subject.iri, rel)
    rels = sorted(seen.values(), key=lambda r: (r.subject.label, r.predicate.label, str(r.object), r.statement))
    attach_corrections(store, rels)
    _role_disagreements(rels)
    return rels, {iri: reader.label(iri) for iri in entities}


def _relationships_of(reader: StoreReader, iri: str) -> list[Relationship]:
    stmts = reader.around([iri])
    nodes = sorted({s.subject for s in stmts if s.object == iri and not s.subject.startswith(ID)
                    and "/doc/" not in s.subject})
    out: list[Relationship] = []
    for s in stmts:
        if s.predicate == PREFIXES["skos"] + "altLabel" or s.predicate in COVERED:
            continue
        if s.subject in nodes:
            continue
        if s.object_is_literal or s.subject.startswith(ID) or "/doc/" in s.subject:
            out.append(_plain(reader, s))
    if nodes:
        node_stmts = defaultdict(list)
        for s in reader.around(nodes):
            if s.subject in nodes:
                node_stmts[s.subject].append(s)
        for node in nodes:
            out.extend(_nary(reader, node, node_stmts[node]))
    return out


def _plain(reader: StoreReader, s: _Stmt) -> Relationship:
    sources = merge_sources(reader.evidence(sorted(s.evidence)))
    obj = ({"value": statement_value(s), "datatype": s.datatype} if s.object_is_literal
           else {"iri": s.object, "label": reader.label(s.object)})
    return Relationship(s.iri, Node(s.subject, reader.label(s.subject)),
                        Node(s.predicate, _predicate_label(reader, s.predicate)), obj,
                        _modality(sources), len({x.document for x in sources}), sources)


# Standard terms the store holds no labels for.
STANDARD_LABELS = {ORG + "subOrganizationOf": "part of", SCHEMA + "foundingDate": "founded",
                   SCHEMA + "publisher": "publisher", ORG + "headOf": "head of", ORG + "memberOf": "member of",
                   SCHEMA + "founder": "founder", SCHEMA + "worksFor": "works for"}


def _predicate_label(reader: StoreReader, iri: str) -> str:
    if iri in STANDARD_LABELS:
        return STANDARD_LABELS[iri]
    label = reader.label(iri)
    return label if label and label != local_name(iri) else local_name(iri)


def _modality(sources: list[Source]) -> dict:
    """Hedged, negated, conditional, future when every source says it so; approximate when any does."""
    q = {}
    for flag in ("hedged", "negated", "conditional", "future"):
        if sources and all(getattr(s, flag) for s in sources):
            q[flag] = True
    if any(s.approximate for s in sources):
        q["approximate"] = True
    return q


def _nary(reader: StoreReader, node: str, stmts: list[_Stmt]) -> list[Relationship]:
    by_pred: dict[str, list[_Stmt]] = defaultdict(list)
    for s in stmts:
        by_pred[s.predicate].append(s)
    all_evidence = sorted({e for s in stmts for e in s.evidence})
    sources = merge_sources(reader.evidence(all_evidence))
    qualifiers, disagreements = _qualifiers(reader, by_pred)
    qualifiers.update(_modality(sources))
    count = len({x.document for x in sources})
    one = lambda p: by_pred[p][0] if by_pred.get(p) else None
    if one(ORG + "member") and one(ORG + "organization") and one(ORG + "role"):
        member, organization, role = one(ORG + "member"), one(ORG + "organization"), one(ORG + "role")
        role_label = reader.label(role.object)
        qualifiers["role"] = role_label
        return [Relationship(role.iri, Node(member.object, reader.label(member.object)),
                             Node(role.object, role_label),
                             {"iri": organization.object, "label": reader.label(organization.object)},
                             qualifiers, count, sources, disagreements)]
    if one(KG_NS + "investee"):
        investee = one(KG_NS + "investee")
        rels = []
        # model.py mints funding rounds under funding/, single investments under investment/
        funding = node.startswith(BASE + "funding/")
        predicate = Node(KG_NS + ("FundingRound" if funding else "investsIn"),
                         "funding round" if funding else _predicate_label(reader, KG_NS + "investsIn"))
        for inv in by_pred.get(KG_NS + "investor", []):
            # each investor's part its own copies: an analyst can reject or confirm one part alone
            rels.append(Relationship(inv.iri, Node(inv.object, reader.label(inv.object)), predicate,
                                     {"iri": investee.object, "label": reader.label(investee.object)},
                                     dict(qualifiers), count, [replace(s) for s in sources], dict(disagreements)))
        return rels
    for pred, label in ((KG_NS + "affectedOrganization", KG_NS + "WorkforceReduction"),
                        (KG_NS + "revenueOf", KG_NS + "RevenueReport")):
        if one(pred):
            org = one(pred)
            return [Relationship(org.iri, Node(org.object, reader.label(org.object)),
                                 Node(label, _predicate_label(reader, label)), None,
                                 qualifiers, count, sources, disagreements)]
    return []


def _qualifiers(reader: StoreReader, by_pred) -> tuple[dict, dict]:
    qualifiers, disagreements = {}, {}
    for pred, name in QUALIFIER.items():
        values = by_pred.get(pred)
        if not values:
            continue
        docs_by_value = []
        for s in values:
            docs = sorted({src.document for src in reader.evidence(sorted(s.evidence))})
            docs_by_value.append((statement_value(s), docs))
        docs_by_value.sort(key=lambda v: (-len(v[1]), str(v[0])))
        qualifiers[name] = docs_by_value[0][0]
        if len(docs_by_value) > 1:
            disagreements[name] = [{"value": v, "documents": d} for v, d in docs_by_value]
    return qualifiers, disagreements


def _role_disagreements(rels: list[Relationship]) -> None:
    """"CEO" and "interim CEO" for one person and organization: a disagreement on the role."""
    groups: dict[tuple, list[Relationship]] = defaultdict(list)
    for r in rels:  # a role an analyst rejected is no side of a disagreement
        if "role" in r.qualifiers and r.object and r.status != "rejected":
            groups[(r.subject.iri, r.object.get("iri"))].append(r)
    for group in groups.values():
        families = defaultdict(list)
        for r in group:
            families[_role_family(r.predicate.iri)].append(r)
        for members in families.values():
            if len(members) > 1:
                values = [{"value": r.qualifiers["role"], "documents": sorted({s.document for s in r.sources})}
                          for r in members]
                for r in members:
                    r.disagreements["role"] = values


def _role_family(role_iri: str) -> str:
    local = local_name(role_iri)
    for family in ("ceo", "founder", "board-member"):
        if local == family or local.endswith("-" + family) or (family == "board-member" and local == "chair"):
            return family
    return local


# ---------------------------------------------------------------- trace

def trace_relationship(graph_dir: Path, a: str, b: str | None = None) -> Trace:
    """Every relationship of A, or between A and B (both directions, plain and n-ary).

    Raises TraceError for unknown or ambiguous names and a missing graph.
    """
    from .store import built_store, open_store

    folder = built_store(graph_dir)
    store = open_store(folder)
    first = resolve_name(store, a, argument="A")
    second = resolve_name(store, b, roles=True, argument="B") if b else None
    reader = StoreReader(store)
    rels = _relationships_of(reader, first.iri)
    attach_corrections(store, rels)
    _role_disagreements(rels)
    if second is not None:
        rels = [r for r in rels if _touches(r, second)]
    rels.sort(key=lambda r: (r.predicate.label.casefold(), r.subject.label, str(r.object), r.statement))
    paths: list[list[Relationship]] = []
    if second is not None and not rels and second.kind != "role":
        paths = _paths(store, reader, first.iri, second.iri)
    return Trace(Node(first.iri, reader.label(first.iri)),
                 Node(second.iri, reader.label(second.iri)) if second else None, rels, paths)


def _touches(r: Relationship, other: Named) -> bool:
    if other.kind == "role":
        return r.predicate.iri == other.iri
    return r.subject.iri == other.iri or (r.object or {}).get("iri") == other.iri


def _paths(store, reader: StoreReader, a: str, b: str) -> list[list[Relationship]]:
    import networkx as nx

    from .store import select

    g = nx.Graph()
    for row in select(store, Q_EDGES):
        if row["sub"] != row["obj"]:
            g.add_edge(row["sub"], row["obj"])
    if a not in g or b not in g or not nx.has_path(g, a, b):
        return []
    paths = []
    for path in nx.all_shortest_paths(g, a, b):
        hops = []
        for x, y in zip(path, path[1:]):
            rels = [r for r in _relationships_of(reader, x)
                    if {r.subject.iri, (r.object or {}).get("iri")} == {x, y}]
            if not rels:
                break
            hops.append(sorted(rels, key=lambda r: -r.source_count)[0])
        else:
            paths.append(hops)
        if len(paths) >= MAX_PATHS:
            break
    return sorted(paths, key=lambda p: [h.statement for h in p])
