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

from .amend import Review, claim_relationships
from .corrections import Relationship
from .errors import OntologyError
from .resolve import ID_BASE, Registry
from .types import (
    Claim,
    EntityKind,
    Extraction,
    Period,
    Quantity,
    assertable,
    decimal_text,
)
from .vocab import BASE, KG, OA

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
REGISTRY_GRAPH = URIRef(BASE + "graph/registry")
ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")
CORRECTIONS_GRAPH = URIRef(BASE + "graph/corrections")  # analysts' corrections and their provenance
WIKIDATA = "http://www.wikidata.org/entity/"
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
    # each relationship its claims state, and the statement `kg trace` names it by
    relationships: tuple[tuple[Relationship, URIRef], ...] = ()


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
        return Literal(decimal_text(value), datatype=XSD.decimal)
    raise TypeError(value)


class _Builder:
    def __init__(self, extraction: Extraction, registry: Registry, review: Review | None = None):
        self.review = review or Review()
        self.named: dict[Relationship, URIRef] = {}
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

    def state(self, s, p, o, evidence: URIRef, asserted: bool) -> URIRef:
        """An edge with its statement node (returned); the edge itself only when asserted."""
        statement = _mint("statement", s, p, o)
        self.add(statement, RDF.type, RDF.Statement)
        self.add(statement, RDF.subject, s)
        self.add(statement, RDF.predicate, p)
        self.add(statement, RDF.object, o)
        self.add(statement, PROV.wasDerivedFrom, evidence)
        if asserted:
            self.add(s, p, o)
        return statement

    def claim(self, claim: Claim) -> None:
        e = claim.evidence
        asserted = assertable(e.confidence, hedged=e.hedged, negated=e.negated, conditional=e.conditional)
        ev = self.evidence(claim)
        args: dict[str, list] = {}
        for name, value in claim.args:
            args.setdefault(name, []).append(value)
        ent = lambda name: entity_iri(args[name][0].key)
        kind = claim.kind
        rels = claim_relationships(claim)
        # an analyst's rejection or confirmation decides over the sentence's own reading
        asserted = self.review.asserted(rels[0], asserted) if len(rels) == 1 else asserted
        self.rels = rels
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
            self.named[rels[0]] = self.state(node, ORG.role, role.iri, ev, asserted)
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
            # each investor's part can be rejected or confirmed on its own
            by_investor = {entity_iri(r.subject): r for r in rels}
            each = {i: self.review.asserted(by_investor[i], asserted) for i in investors}
            asserted = any(each.values()) if investors else asserted  # a round whose investors no sentence names
            if asserted:
                self.add(node, RDF.type, cls)
            self.state(node, KG.investee, target, ev, asserted)
            for investor in investors:
                self.named[by_investor[investor]] = self.state(node, KG.investor, investor, ev, each[investor])
                # the plain edge is also what an investment states: rejected there, it is not asserted here
                plain = each[investor] and self.review.status.get(
                    Relationship("investment", by_investor[investor].subject, "", by_investor[investor].object)) != "rejected"
                self.state(investor, KG.investsIn, target, ev, plain)
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
            self.named[rels[0]] = self.state(node, KG.affectedOrganization, organization, ev, asserted)
            self._quantity(claim, node, args, "share", KG.workforceShare, None, ev, asserted)
            for name, prop in (("employees", KG.employeesAffected), ("contractors", KG.contractorsAffected)):
                if name in args:
                    q = args[name][0]
                    value = Literal(str(int(q.value)), datatype=XSD.integer)
                    self.state(node, prop, value, self.evidence(claim, approximate=q.approximate),
                               asserted and not self._value_rejected(name, q.value))
            if date:
                self.state(node, KG.date, _literal(date), ev, asserted)
        elif kind == "revenue":
            organization = ent("organization")
            date = args["date"][0] if "date" in args else None
            node = _mint("revenue", organization, date.iso() if date else "")
            if asserted:
                self.add(node, RDF.type, KG.RevenueReport)
            self.named[rels[0]] = self.state(node, KG.revenueOf, organization, ev, asserted)
            self._quantity(claim, node, args, "amount", KG.amount, KG.currency, ev, asserted)
            if date:
                self.state(node, KG.date, _literal(date), ev, asserted)
        elif kind == "founded":
            self.named[rels[0]] = self.state(ent("organization"), SDO.foundingDate, _literal(args["date"][0]), ev,
                                             asserted)
        elif kind == "cites":
            self.state(self.doc, KG.cites, ent("object"), ev, asserted)
        elif kind == "publisher":
            self.state(self.doc, SDO.publisher, ent("object"), ev, asserted)
        elif kind in _BINARY:
            self.named[rels[0]] = self.state(ent("subject"), _BINARY[kind], ent("object"), ev, asserted)
        else:
            raise OntologyError(f"no RDF model for claim kind {kind!r}")

    def _quantity(self, claim, node, args, name, prop, unit_prop, ev, asserted) -> None:
        if name not in args:
            return
        q: Quantity = args[name][0]
        asserted = asserted and not self._value_rejected(name, q.value)
        if q.approximate:  # "fast 50 Prozent": the approximation belongs to this value only
            ev = self.evidence(claim, approximate=True)
        self.state(node, prop, _literal(q.value), ev, asserted)
        if unit_prop is not None:
            self.state(node, unit_prop, Literal(q.unit), ev, asserted)

    def _value_rejected(self, qualifier: str, value: Decimal) -> bool:
        """Whether an analyst rejected this one value (one source's stake) of the claim's relationship."""
        text = decimal_text(Decimal(value))
        return any((r, qualifier, text) in self.review.values for r in self.rels)

    def aliases(self) -> None:
        """Names the article uses for a registry entity that differ from its label."""
        seen: set[tuple[str, str]] = set()
        for m in self.ex.mentions:
            if m.rule != "registry":
                continue
            entity = self.registry.entities.get(m.entity)
            if entity is None:  # a corrected mention (a merge or split) now names an entity the registry lacks
                continue
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


def model_document(extraction: Extraction, registry: Registry, review: Review | None = None) -> DocumentGraph:
    """The named graph of one article: document, new entities, claims, evidence.

    `review` holds the relationships analysts rejected or confirmed in it (amend.py).
    """
    b = _Builder(extraction, registry, review)
    b.document()
    b.entities()
    for claim in extraction.claims:
        b.claim(claim)
    b.aliases()
    sha = extraction.article.sha256
    # sorted by their N-Triples text, which is cheap; the store and the TriG sort again anyway
    return DocumentGraph(graph_iri(sha), b.doc, tuple(sorted(b.triples, key=_triple_key)),
                         tuple(sorted(b.named.items(), key=lambda kv: kv[0].key())))


def model_corrections(plan, statements: dict, documents: dict[str, str], registry: Registry) -> tuple[Triple, ...]:
    """The corrections graph: each applied correction with who, when and why (PROV), and what it says.

    `plan` is amend.Plan; `statements` maps each corrected relationship to its statement
    IRI; `documents` maps article paths to their content hashes.
    """
    from rdflib.namespace import OWL

    triples: set[Triple] = set()
    add = lambda s, p, o: triples.add((s, p, o))
    final = lambda key: entity_iri(plan.merged.get(key, key))
    wikidata: dict[URIRef, URIRef] = {}
    for c in plan.applied:
        node = _mint("correction", c.line, c.op, *(f"{k}={v}" for k, v in c.fields), c.by, c.at, c.why)
        agent = _mint("agent", c.by)
        add(node, RDF.type, KG.Correction)
        add(node, RDF.type, PROV.Entity)
        add(node, KG.operation, Literal(c.op))
        add(node, RDFS.label, Literal(c.describe()))
        add(node, KG.line, Literal(str(c.line), datatype=XSD.integer))
        add(node, RDFS.comment, Literal(c.why))
        add(node, PROV.generatedAtTime, Literal(c.at, datatype=XSD.dateTime))
        add(node, PROV.wasAttributedTo, agent)
        add(agent, RDF.type, PROV.Agent)
        add(agent, RDFS.label, Literal(c.by))
        for kind, target in plan.targets.get(c.line, ()):
            iri = statements.get(target) if kind == "relationship" else final(target)
            if iri is not None:
                add(node, KG.target, iri)
        if c.get("document") in documents:
            add(node, KG.document, document_iri(documents[c.get("document")]))
        if c.get("value") is not None:
            add(node, KG.qualifier, Literal(c.get("qualifier")))
            add(node, KG.value, Literal(c.get("value"), datatype=XSD.decimal))
        if c.op == "merge" and c.get("drop") in plan.merged:
            add(entity_iri(c.get("drop")), OWL.sameAs, final(c.get("keep")))
            # the merged entity keeps its name beside the link, so a split can take it back out
            add(entity_iri(c.get("drop")), RDFS.label, Literal(plan.dropped.get(c.get("drop"), c.get("drop"))))
            known = registry.entities.get(c.get("drop"))
            for alias, language in known.aliases if known else ():
                add(final(c.get("keep")), SKOS.altLabel, Literal(alias, lang=language or None))
        elif c.op == "wikidata":  # the later of two items for one entity stands
            wikidata[final(c.get("entity"))] = URIRef(WIKIDATA + c.get("qid"))
        elif c.op == "alias":
            add(final(c.get("entity")), SKOS.altLabel, Literal(c.get("alias")))
    for entity, item in wikidata.items():
        add(entity, OWL.sameAs, item)
    # the names an entity had before a rename or a merge still find it
    for key, labels in plan.old_labels.items():
        for label in labels:
            if label != plan.labels.get(plan.merged.get(key, key)):
                add(final(key), SKOS.altLabel, Literal(label))
    return tuple(sorted(triples, key=_triple_key))


def ontology_files() -> list[Path]:
    return [ONTOLOGY_DIR / "kg.ttl", ONTOLOGY_DIR / "roles.ttl", ONTOLOGY_DIR / "registry.ttl"]
