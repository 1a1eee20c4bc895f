"""Turn an `Extraction` into RDF: the only place that mints IRIs.

Every asserted edge, plain or n-ary, gets a statement node (`rdf:Statement`)
with `prov:wasDerivedFrom` one evidence node per sentence that states it; the
evidence node carries Web Annotation quote and position selectors. A claim
whose sentence is hedged, negated or conditional keeps its statement and
evidence but its edge is not asserted. IRIs come from hashes of what a thing
is, so the same fact from two articles is one statement IRI.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD

from .errors import OntologyError
from .resolve import ID_BASE, Registry
from .types import Claim, EntityKind, Extraction, Period, Quantity, assertable
from .vocab import BASE, KG, OA

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
REGISTRY_GRAPH = URIRef(BASE + "graph/registry")
ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")
CONTEXT_CHARS = 32  # characters of prefix and suffix kept in a quote selector

_BINARY = {
    "joined": KG.joined, "succeeded": KG.succeeded, "customerOf": KG.customerOf,
    "reducedRelianceOn": KG.reducedRelianceOn, "cutTiesWith": KG.cutTiesWith,
    "competesWith": KG.competesWith, "employeesMovedTo": KG.employeesMovedTo,
    "subOrganizationOf": ORG.subOrganizationOf, "recruited": KG.recruited, "acquired": KG.acquired,
    "left": KG.left, "mergedWith": KG.mergedWith, "partnerOf": KG.partnerOf, "supplierOf": KG.supplierOf,
    "sued": KG.sued,
}
_KIND_TYPE = {EntityKind.PERSON: (SDO.Person,), EntityKind.ORGANIZATION: (SDO.Organization,),
              EntityKind.UNIT: (SDO.Organization, ORG.OrganizationalUnit)}

Triple = tuple  # (subject, predicate, object) of rdflib terms


@dataclass(frozen=True)
class DocumentGraph:
    """What one article asserts: its named graph and the triples in it."""

    graph: URIRef
    document: URIRef
    triples: tuple[Triple, ...]


@dataclass(frozen=True)
class RoleInfo:
    iri: URIRef
    plain: URIRef
    position: bool


def document_iri(sha256: str) -> URIRef:
    return URIRef(f"{BASE}doc/{sha256[:32]}")


def graph_iri(sha256: str) -> URIRef:
    return URIRef(f"{BASE}graph/{sha256[:32]}")


def entity_iri(key: str) -> URIRef:
    return URIRef(ID_BASE + key)


def _mint(kind: str, *parts) -> URIRef:
    digest = hashlib.sha256("\x1f".join(_n3(p) for p in parts).encode("utf-8")).hexdigest()[:24]
    return URIRef(f"{BASE}{kind}/{digest}")


def _n3(term) -> str:
    return term.n3() if hasattr(term, "n3") else str(term)


@lru_cache(maxsize=2)
def load_roles(path: str | None = None) -> dict[str, RoleInfo]:
    """Roles in ontology/roles.ttl by id ("interim-ceo")."""
    from rdflib import Graph

    file = Path(path) if path else ONTOLOGY_DIR / "roles.ttl"
    try:
        g = Graph().parse(file, format="turtle")
    except Exception as exc:
        raise OntologyError(f"{file}: cannot read the roles ({exc})") from None
    roles = {}
    prefix = BASE + "role/"
    for role in g.subjects(RDF.type, ORG.Role):
        plain = g.value(role, KG.plainProperty)
        position = g.value(role, KG.isPosition)
        if not str(role).startswith(prefix) or plain is None or position is None:
            raise OntologyError(f"{file}: {role} needs kg:plainProperty and kg:isPosition under {prefix}")
        roles[str(role)[len(prefix):]] = RoleInfo(role, plain, bool(position.toPython()))
    return roles


def _literal(value) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, Period):
        dtype = XSD.gYear if value.month is None else (XSD.gYearMonth if value.day is None else XSD.date)
        return Literal(value.iso(), datatype=dtype)
    if isinstance(value, Decimal):
        return Literal(_decimal_text(value), datatype=XSD.decimal)
    raise TypeError(value)


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class _Builder:
    def __init__(self, extraction: Extraction, registry: Registry):
        self.ex = extraction
        self.article = extraction.article
        self.registry = registry
        self.doc = document_iri(self.article.sha256)
        self.triples: set[Triple] = set()
        self.roles = load_roles()
        self.kinds = {k: e.kind for k, e in registry.entities.items()}
        self.kinds.update({e.key: e.kind for e in extraction.entities})

    def add(self, s, p, o) -> None:
        assert not isinstance(s, BNode) and not isinstance(o, BNode), "no blank nodes"
        self.triples.add((s, p, o))

    def document(self) -> None:
        a = self.article
        self.add(self.doc, RDF.type, SDO.NewsArticle)
        self.add(self.doc, RDF.type, PROV.Entity)
        self.add(self.doc, DCTERMS.title, Literal(a.title))
        self.add(self.doc, DCTERMS.language, Literal(a.language))
        self.add(self.doc, KG.path, Literal(a.path))
        self.add(self.doc, KG.sha256, Literal(a.sha256))
        self.add(self.doc, KG.encoding, Literal(a.encoding))
        self.add(self.doc, SDO.encodingFormat, Literal(a.media_type))

    def entities(self) -> None:
        for entity in self.ex.entities:
            iri = entity_iri(entity.key)
            for t in _KIND_TYPE[entity.kind]:
                self.add(iri, RDF.type, t)
            self.add(iri, RDFS.label, Literal(entity.label))
        # which articles name an entity, whether or not a relationship was read
        for key in {m.entity for m in self.ex.mentions}:
            self.add(self.doc, SDO.mentions, entity_iri(key))

    def evidence(self, claim: Claim, *, approximate: bool = False) -> URIRef:
        """The evidence node of a claim's sentence; `approximate` when the value it supports is."""
        e = claim.evidence
        # one sentence and rule can read claims of different confidence and flags (one argument
        # named, another only implied): each reading is its own evidence node
        iri = _mint("evidence", self.article.sha256, e.start, e.end, e.rule, "~" if approximate else "",
                    f"{e.antecedent[0]}-{e.antecedent[1]}" if e.antecedent else "", "future" if e.future else "",
                    f"{e.confidence:.2f}", "".join("1" if f else "0" for f in (e.hedged, e.negated, e.conditional)))
        add = self.add
        add(iri, RDF.type, KG.Evidence)
        self._span(iri, e.start, e.end)
        add(iri, DCTERMS.language, Literal(e.language))
        add(iri, KG.rule, Literal(e.rule))
        add(iri, KG.confidence, Literal(f"{e.confidence:.2f}", datatype=XSD.decimal))
        for prop, flag in ((KG.hedged, e.hedged), (KG.negated, e.negated),
                           (KG.conditional, e.conditional), (KG.approximate, approximate)):
            add(iri, prop, _literal(flag))
        if e.future:
            add(iri, KG.future, _literal(True))
        if e.antecedent:
            # the sentence that names what this one only implies: its quote contains the name
            antecedent = URIRef(str(iri) + "-antecedent")
            self._span(antecedent, *e.antecedent)
            add(iri, KG.antecedent, antecedent)
        return iri

    def _span(self, iri: URIRef, start: int, end: int) -> None:
        """A span of the article as a Web Annotation specific resource with quote and position selectors."""
        text, add = self.article.text, self.add
        quote, position = URIRef(str(iri) + "-quote"), URIRef(str(iri) + "-position")
        add(iri, RDF.type, OA.SpecificResource)
        add(iri, RDF.type, PROV.Entity)
        add(iri, OA.hasSource, self.doc)
        add(iri, OA.hasSelector, quote)
        add(iri, OA.hasSelector, position)
        add(quote, RDF.type, OA.TextQuoteSelector)
        add(quote, OA.exact, Literal(text[start:end]))
        add(quote, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARS):start]))
        add(quote, OA.suffix, Literal(text[end:end + CONTEXT_CHARS]))
        add(position, RDF.type, OA.TextPositionSelector)
        add(position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger))
        add(position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger))

    def state(self, s, p, o, evidence: URIRef, asserted: bool) -> None:
        """An edge with its statement node; the edge itself only when asserted."""
        statement = _mint("statement", s, p, o)
        self.add(statement, RDF.type, RDF.Statement)
        self.add(statement, RDF.subject, s)
        self.add(statement, RDF.predicate, p)
        self.add(statement, RDF.object, o)
        self.add(statement, PROV.wasDerivedFrom, evidence)
        if asserted:
            self.add(s, p, o)

    def claim(self, claim: Claim) -> None:
        e = claim.evidence
        asserted = assertable(e.confidence, hedged=e.hedged, negated=e.negated, conditional=e.conditional)
        ev = self.evidence(claim)
        args: dict[str, list] = {}
        for name, value in claim.args:
            args.setdefault(name, []).append(value)
        ent = lambda name: entity_iri(args[name][0].key)
        kind = claim.kind
        if kind == "membership":
            member, organization = ent("member"), ent("organization")
            role = self.roles.get(args["role"][0].role)
            if role is None:
                raise OntologyError(f"role {args['role'][0].role!r} is not in ontology/roles.ttl")
            node = _mint("membership", member, organization, role.iri)
            if asserted:
                self.add(node, RDF.type, ORG.Membership)
            self.state(node, ORG.member, member, ev, asserted)
            self.state(node, ORG.organization, organization, ev, asserted)
            self.state(node, ORG.role, role.iri, ev, asserted)
            if "current" in args and role.position:
                self.state(node, KG.current, _literal(args["current"][0]), ev, asserted)
            if role.plain == SDO.founder:
                self.state(organization, SDO.founder, member, ev, asserted)
            else:
                self.state(member, role.plain, organization, ev, asserted)
        elif kind in ("investment", "fundingRound"):
            target = ent("target")
            investors = sorted(entity_iri(v.key) for v in args.get("investor", []))
            date = args.get("date", [None])[0]
            if kind == "investment":
                node, cls = _mint("investment", investors[0], target), KG.Investment
            else:
                node, cls = _mint("funding", target, *investors, date.iso() if date else ""), KG.FundingRound
            if asserted:
                self.add(node, RDF.type, cls)
            self.state(node, KG.investee, target, ev, asserted)
            for investor in investors:
                self.state(node, KG.investor, investor, ev, asserted)
                self.state(investor, KG.investsIn, target, ev, asserted)
            self._quantity(claim, node, args, "amount", KG.amount, KG.currency, ev, asserted)
            self._quantity(claim, node, args, "valuation", KG.valuation, KG.valuationCurrency, ev, asserted)
            self._quantity(claim, node, args, "stake", KG.stake, None, ev, asserted)
            if "votingRights" in args:
                self.state(node, KG.votingRights, _literal(args["votingRights"][0]), ev, asserted)
            if date:
                self.state(node, KG.date, _literal(date), ev, asserted)
        elif kind == "workforceReduction":
            organization = ent("organization")
            date = args.get("date", [None])[0]
            node = _mint("reduction", organization, date.iso() if date else "")
            if asserted:
                self.add(node, RDF.type, KG.WorkforceReduction)
            self.state(node, KG.affectedOrganization, organization, ev, asserted)
            self._quantity(claim, node, args, "share", KG.workforceShare, None, ev, asserted)
            for name, prop in (("employees", KG.employeesAffected), ("contractors", KG.contractorsAffected)):
                if name in args:
                    q = args[name][0]
                    value = Literal(str(int(q.value)), datatype=XSD.integer)
                    self.state(node, prop, value, self.evidence(claim, approximate=q.approximate), asserted)
            if date:
                self.state(node, KG.date, _literal(date), ev, asserted)
        elif kind == "revenue":
            organization = ent("organization")
            date = args["date"][0] if "date" in args else None
            node = _mint("revenue", organization, date.iso() if date else "")
            if asserted:
                self.add(node, RDF.type, KG.RevenueReport)
            self.state(node, KG.revenueOf, organization, ev, asserted)
            self._quantity(claim, node, args, "amount", KG.amount, KG.currency, ev, asserted)
            if date:
                self.state(node, KG.date, _literal(date), ev, asserted)
        elif kind == "founded":
            self.state(ent("organization"), SDO.foundingDate, _literal(args["date"][0]), ev, asserted)
        elif kind == "cites":
            self.state(self.doc, KG.cites, ent("object"), ev, asserted)
        elif kind == "publisher":
            self.state(self.doc, SDO.publisher, ent("object"), ev, asserted)
        elif kind in _BINARY:
            self.state(ent("subject"), _BINARY[kind], ent("object"), ev, asserted)
        else:
            raise OntologyError(f"no RDF model for claim kind {kind!r}")

    def _quantity(self, claim, node, args, name, prop, unit_prop, ev, asserted) -> None:
        if name not in args:
            return
        q: Quantity = args[name][0]
        if q.approximate:  # "fast 50 Prozent": the approximation belongs to this value only
            ev = self.evidence(claim, approximate=True)
        self.state(node, prop, _literal(q.value), ev, asserted)
        if unit_prop is not None:
            self.state(node, unit_prop, Literal(q.unit), ev, asserted)

    def aliases(self) -> None:
        """Names the article uses for a registry entity that differ from its label."""
        seen: set[tuple[str, str]] = set()
        for m in self.ex.mentions:
            if m.rule != "registry":
                continue
            entity = self.registry.entities[m.entity]
            surface = _strip_genitive(m.text, entity)
            # a known alias in another case ("Schaal AI" opening a sentence) is that alias
            surface = next((a for a, _ in entity.aliases if a.casefold() == surface.casefold()), surface)
            # one alias per spelling: "Schaal AI" at a sentence start is "schaal AI" again
            if surface.casefold() == entity.label.casefold() or (m.entity, surface.casefold()) in seen:
                continue
            seen.add((m.entity, surface.casefold()))
            sentence = next(s for s in self.ex.sentences if s.start <= m.start and m.end <= s.end)
            ev_claim = Claim("alias", (), _alias_evidence(self.article, sentence))
            ev = self.evidence(ev_claim)
            self.state(entity_iri(m.entity), SKOS.altLabel, Literal(surface, lang=sentence.language), ev, True)


def _triple_key(t) -> tuple:
    return (str(t[0]), str(t[1]), str(t[2]), getattr(t[2], "datatype", None) or "", getattr(t[2], "language", None) or "")


def _strip_genitive(text: str, entity) -> str:
    names = [entity.label, *(a for a, _ in entity.aliases)]
    for suffix in ("'s", "’s", "s", "'", "’"):
        if text.endswith(suffix) and any(text[: -len(suffix)].casefold() == n.casefold() for n in names):
            return text[: -len(suffix)]
    return text


def _alias_evidence(article, sentence):
    from .types import Evidence

    return Evidence(article.path, sentence.start, sentence.end, article.text[sentence.start:sentence.end],
                    sentence.language, "registry.alias", 1.0)


def model_document(extraction: Extraction, registry: Registry) -> DocumentGraph:
    """The named graph of one article: document, new entities, claims, evidence."""
    b = _Builder(extraction, registry)
    b.document()
    b.entities()
    for claim in extraction.claims:
        b.claim(claim)
    b.aliases()
    sha = extraction.article.sha256
    # sorted by their N-Triples text, which is cheap; the store and the TriG sort again anyway
    return DocumentGraph(graph_iri(sha), b.doc, tuple(sorted(b.triples, key=_triple_key)))


def ontology_files() -> list[Path]:
    return [ONTOLOGY_DIR / "kg.ttl", ONTOLOGY_DIR / "roles.ttl", ONTOLOGY_DIR / "registry.ttl"]
