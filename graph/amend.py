"""Apply analysts' corrections to what extraction found, between extraction and modelling.

In: the corrections (file order) and, per article, what its cached extraction
holds (entities it mentions and defines, relationships its claims state).
Out: a `Plan` saying which articles change and how (`Amendment`: entities
merged or split, labels renamed, claims added, relationships rejected or
confirmed), and which corrections no longer apply (stale). No article is
extracted again: an amended article is modelled again from its cached
`Extraction`, so every statement IRI is minted by model.py as always, and a
merge moves statements to the kept entity with IRIs of their new participants.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from .corrections import Correction, Relationship
from .types import (
    CLAIM_KINDS,
    Claim,
    Entity,
    EntityKind,
    EntityRef,
    Evidence,
    Extraction,
    RoleRef,
)

ADDED_RULE = "correction.add"  # the rule id of evidence an analyst added
_KINDS = {"person": EntityKind.PERSON, "org": EntityKind.ORGANIZATION, "unit": EntityKind.UNIT}


def kind_of(key: str) -> EntityKind:
    return _KINDS[key.split("/", 1)[0]]


def claim_relationships(claim: Claim) -> list[Relationship]:
    """The relationships a claim states, as corrections name them (one per investor of a round)."""
    kind, arg = claim.kind, claim.arg
    key = lambda name: arg(name).key if isinstance(arg(name), EntityRef) else ""
    if kind == "membership":
        return [Relationship(kind, key("member"), arg("role").role, key("organization"))]
    if kind in ("investment", "fundingRound"):
        target = key("target")
        return [Relationship(kind, v.key, "", target) for n, v in claim.args if n == "investor"]
    if kind in ("workforceReduction", "revenue", "founded"):
        return [Relationship(kind, key("organization"), "", "")]
    if kind in ("cites", "publisher"):
        return []
    return [Relationship(kind, key("subject"), "", key("object"))]


@dataclass(frozen=True)
class Known:
    """An entity analysts made known to extraction: another name (alias) or another type."""

    entity: Entity
    replaces: str | None  # the key it had before a type correction gave it another kind
    names: tuple[str, ...]  # the names an article must hold for the entity to change its reading


def known_entities(corrections: list[Correction], registry, documents: dict[str, dict]) -> list[Known]:
    """What alias and type corrections tell extraction, in file order; entities no article names are left out
    (plan_corrections reports those corrections as stale)."""
    from .resolve import entity_key

    labels = _labels(registry, documents)
    found = dict(labels)  # the names extraction gave them, before any rename
    state: dict[str, Entity] = {}
    replaced: dict[str, str] = {}  # new key -> the key it had first
    for c in corrections:
        if c.op == "rename":  # a type's new key is made from the name of its time, as plan_corrections does;
            labels[c.get("entity")] = c.get("name")  # the label itself is the plan's to change (old name kept)
            continue
        if c.op not in ("alias", "type"):
            continue
        key = c.get("entity")
        base = state.get(key) or registry.entities.get(key)
        if base is None:
            if key not in found:
                continue
            base = Entity(key, kind_of(key), found[key], in_registry=False)
        if c.op == "alias":
            if any(k != key and label.casefold() == c.get("alias").casefold() for k, label in found.items()):
                continue  # another entity's name (a hand-written line): plan_corrections reports it stale
            if all(a.casefold() != c.get("alias").casefold() for a, _ in base.aliases):
                state[key] = dataclasses.replace(base, aliases=tuple(sorted({*base.aliases, (c.get("alias"), "")})))
            else:
                state[key] = base
            continue
        kind = EntityKind(c.get("type"))
        new = entity_key(kind, labels.get(key, base.label))
        if new == key:
            continue
        state.pop(key, None)
        first = replaced.pop(key, key)
        if new == first:  # typed back to what it was: the entity as extraction knew it, with its aliases
            original = registry.entities.get(first)
            if base.aliases != (original.aliases if original else ()):
                state[new] = dataclasses.replace(original or base, key=new, kind=kind, aliases=base.aliases)
            continue
        state[new] = dataclasses.replace(base, key=new, kind=kind, in_registry=False, outlet=False, parent=None)
        replaced[new] = first
    out = []
    for key, entity in sorted(state.items()):
        names = (entity.label, *(a for a, _ in entity.aliases))
        out.append(Known(entity, replaced.get(key), names if key in replaced else tuple(a for a, _ in entity.aliases)))
    return out


@dataclass(frozen=True)
class Review:
    """What corrections say about one article's relationships, for model.py."""

    status: dict = field(default_factory=dict)  # Relationship -> "rejected" | "confirmed"
    values: frozenset = frozenset()  # (Relationship, qualifier, value as text) rejected

    def asserted(self, rel: Relationship, default: bool) -> bool:
        status = self.status.get(rel)
        return default if status is None else status == "confirmed"


@dataclass
class Amendment:
    """How one article's extraction changes."""

    # ("merge" | "split" | "restore" | "retype", from key, to key, place in the file's sequence of them)
    ops: list = field(default_factory=list)
    defines: dict = field(default_factory=dict)  # entity key -> label, for entities it must define
    added: list = field(default_factory=list)  # (correction of op "add", how many entity changes came before it)
    review: dict = field(default_factory=dict)  # Relationship -> status
    values: set = field(default_factory=set)

    def digest(self) -> str:
        """What the amended graph depends on beyond the article: a part of its cache name."""
        data = json.dumps([self.ops, sorted(self.defines.items()),
                           [(c.to_json(), since) for c, since in self.added],
                           sorted((r.key(), s) for r, s in self.review.items()),
                           sorted((r.key(), q, v) for r, q, v in self.values)], sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()[:12]

    def map_key(self, key: str, since: int = 0) -> str:
        """The entity a key of the article names after its merges, splits and types (those from `since` on)."""
        return _map(key, [(op, a, b, None) for op, a, b, seq in self.ops if seq >= since], None)


@dataclass
class Plan:
    amendments: dict[str, Amendment]  # document key -> how it changes
    stale: list[tuple[Correction, str]]  # corrections that no longer apply, and why
    merged: dict[str, str]  # dropped entity key -> the key it was merged into
    labels: dict[str, str]  # entity key -> label after renames
    old_labels: dict[str, list[str]]  # entity key -> labels it had before (kept as aliases)
    dropped: dict[str, str]  # entity merged into another -> its label then
    targets: dict[int, list]  # correction line -> [("relationship", Relationship) | ("entity", key)]
    applied: list[Correction]


def plan_corrections(corrections: list[Correction], documents: dict[str, dict], registry,
                     retyped: dict[str, str] | None = None) -> Plan:
    """Which articles change, and how; which corrections are stale.

    `documents` maps each document key to what its extraction holds:
    {"path", "mentioned": [keys], "defines": {key: label}, "relationships": [Relationship.key()]};
    `retyped` the keys type corrections changed (old -> new; the articles hold the new one).
    """
    retyped = retyped or {}
    from .model import load_roles

    roles = load_roles()
    by_path = {d["path"]: key for key, d in documents.items()}
    labels = _labels(registry, documents)
    where: dict[str, set[str]] = defaultdict(set)  # entity key -> the articles that name it now
    for doc, d in documents.items():
        for k in (*d.get("mentioned", ()), *d.get("defines", {})):
            where[k].add(doc)
    old_labels: dict[str, list[str]] = defaultdict(list)
    ops: list[tuple] = []  # (op, from key, to key, document key or None for every article)
    amend: dict[str, Amendment] = defaultdict(Amendment)
    merged: dict[str, str] = {}
    dropped: dict[str, str] = {}
    renamed: set[str] = set()
    touched: set[str] = set()  # entities an article may now name without having defined them
    stale: list[tuple[Correction, str]] = []
    applied: list[Correction] = []
    targets: dict[int, list] = {}
    reviews: list[tuple] = []
    adds: list[tuple] = []

    def present(key: str) -> bool:
        if where.get(key) or where.get(retyped.get(key, key)):
            return True
        return key in registry.entities and key not in merged

    for c in corrections:
        op = c.op
        if op == "merge":
            keep, drop = c.get("keep"), c.get("drop")
            missing = [k for k in (keep, drop) if not present(k)]
            if missing:
                stale.append((c, f"{missing[0]} is no longer in the graph"))
                continue
            ops.append(("merge", drop, keep, None))
            for d in sorted(where.get(drop, ())):
                amend[d].ops.append(("merge", drop, keep, len(ops)))
            where[keep] |= where.pop(drop, set())
            merged[drop] = keep
            dropped[drop] = labels.get(drop, drop)
            for k, v in list(merged.items()):
                if v == drop:
                    merged[k] = keep
            old_labels[keep].append(labels.get(drop, drop))
            touched.add(keep)
            targets[c.line] = [("entity", keep)]
        elif op == "split":
            doc, entity, into = by_path.get(c.get("document")), c.get("entity"), c.get("into")
            if doc is None:
                stale.append((c, f"{c.get('document')} is no longer among the articles"))
                continue
            if doc not in where.get(entity, ()):
                stale.append((c, f"{c.get('document')} no longer names {entity}"))
                continue
            # back into an entity merged into this one: its own mentions come back, the rest stays
            how = "restore" if c.get("back") else "split"
            if how == "restore" and merged.get(into) != entity:
                stale.append((c, f"the merge of {into} into {entity} it takes back is gone"))
                continue
            ops.append((how, entity, into, doc))
            amend[doc].ops.append((how, entity, into, len(ops)))
            if how == "split":
                where[entity].discard(doc)
            where[into].add(doc)
            touched.add(into)
            for k, label in c.get("new") or ():
                labels.setdefault(k, label)
            targets[c.line] = [("entity", into)]
        elif op in ("rename", "wikidata", "alias", "type"):
            entity = merged.get(c.get("entity"), c.get("entity"))
            if op != "type" and not where.get(entity) and where.get(retyped.get(entity, "")):
                entity = retyped[entity]  # a later type correction gave it its key in the articles
            if op == "type":  # extraction read the articles again: the entity has its new key there
                from .resolve import entity_key

                kind = EntityKind(c.get("type"))
                # the key the articles were read again with (known_entities), else the one of its name now
                new = retyped.get(entity) or entity_key(kind, labels.get(entity, entity.split("/", 1)[-1]))
                if new != entity:
                    # the articles read again hold the new key; corrections named by the old one follow it,
                    # and so do the mentions an earlier merge or split gave the old key
                    ops.append(("retype", entity, new, None))
                    for d in sorted(where.get(entity, ())):
                        amend[d].ops.append(("retype", entity, new, len(ops)))
                    where[new] |= where.pop(entity, set())
                    labels.setdefault(new, labels.get(entity, new))
                    touched.add(new)
                    entity = new
            if not present(entity):
                stale.append((c, f"{c.get('entity')} is no longer in the graph"))
                continue
            name = c.get("name") if op == "rename" else c.get("alias") if op == "alias" else None
            owner = _named(name, labels, present, entity) if name else None
            if owner:  # written by hand (kg correct refuses it): two entities would share a name
                stale.append((c, f"“{name}” names {owner}; to make them one entity, merge them"))
                continue
            if op == "rename" and c.get("name") != labels.get(entity):
                old_labels[entity].append(labels.get(entity, entity))
                labels[entity] = c.get("name")
                renamed.add(entity)
            targets[c.line] = [("entity", entity)]
        elif op == "add":
            doc = by_path.get(c.get("document"))
            if doc is None:
                stale.append((c, f"{c.get('document')} is no longer among the articles"))
                continue
            rel = c.relationship
            for k, label in c.get("new") or ():
                labels.setdefault(k, label)
            if rel.kind == "membership" and rel.relation not in roles:
                stale.append((c, f"the role {rel.relation!r} is no longer in ontology/roles.ttl"))
                continue
            amend[doc].added.append((c, len(ops)))
            adds.append((c, doc, len(ops)))
            for k in (rel.subject, rel.object):
                if k:
                    where[k].add(doc)
                    touched.add(k)
        else:  # reject, confirm: matched once every merge, split and addition is known
            doc = c.get("document")
            if doc is not None and doc not in by_path:
                stale.append((c, f"{doc} is no longer among the articles"))
                continue
            if c.relationship.kind == "membership" and c.relationship.relation not in roles:
                stale.append((c, f"the role {c.relationship.relation!r} is no longer in ontology/roles.ttl"))
                continue
            reviews.append((c, by_path.get(doc) if doc else None, len(ops)))
            continue
        applied.append(c)

    # an entity split back out of the one it was merged into is its own again
    for drop in [d for d in merged if where.get(d)]:
        keep = merged.pop(drop)
        label = dropped.pop(drop)
        if label in old_labels.get(keep, []):
            old_labels[keep].remove(label)
    # which article states which relationship, after every merge, split and addition
    states: dict[Relationship, set[str]] = defaultdict(set)
    for doc, d in documents.items():
        for rel in (Relationship.parse(r) for r in d.get("relationships", ())):
            states[_map_rel(rel, ops, doc)].add(doc)
    for c, doc, ops_before in adds:
        rel = _map_rel(c.relationship, _since(ops, ops_before), doc)
        states[rel].add(doc)
        targets[c.line] = [("relationship", rel)]
    for c, only, ops_before in reviews:
        # named as it was when the correction was made: carried through the merges, splits and types after
        # it, and through the merges and types before it (a name used before a build applied them)
        later = _since(ops, ops_before)
        found = {d: r for d in documents if only in (None, d)
                 for r in (_map_rel(c.relationship, later, d),) if d in states.get(r, ())}
        if c.relationship.kind == "investment" and c.op == "reject" and c.get("value") is None:
            # a funding round of the same investor states the same plain "invests in" edge
            for d in documents:
                r = _map_rel(c.relationship, later, d)
                if only in (None, d) and d in states.get(Relationship("fundingRound", r.subject, "", r.object), ()):
                    found.setdefault(d, r)
        if not found:
            where_text = f" in {c.get('document')}" if only else ""
            stale.append((c, f"no article{where_text} states it any longer"))
            continue
        for d, rel in sorted(found.items()):
            if c.get("value") is not None:
                amend[d].values.add((rel, c.get("qualifier"), c.get("value")))
            else:
                amend[d].review[rel] = "rejected" if c.op == "reject" else "confirmed"
        targets[c.line] = [("relationship", r) for r in sorted(set(found.values()), key=Relationship.key)]
        applied.append(c)

    # an article names an entity it did not define (the kept side of a merge, a split's other
    # entity, a new name of an addition) or one renamed since: it defines it, with the label of now
    for k in sorted(touched | renamed):
        if k in registry.entities or k not in labels:
            continue
        for doc in where.get(k, ()):
            if k not in documents[doc].get("defines", {}) or k in renamed:
                amend[doc].defines[k] = labels[k]
    amendments = {doc: a for doc, a in amend.items() if a.ops or a.added or a.review or a.values or a.defines}
    applied.sort(key=lambda c: c.line)
    return Plan(amendments, stale, merged, labels, dict(old_labels), dropped, targets, applied)


def _labels(registry, documents: dict[str, dict]) -> dict[str, str]:
    """Every entity's label: the registry's, else the one the first article that defines it gives."""
    labels = {k: e.label for k, e in registry.entities.items()}
    for d in documents.values():
        for k, label in d.get("defines", {}).items():
            labels.setdefault(k, label)
    return labels


def _named(name: str, labels: dict[str, str], present, entity: str) -> str | None:
    """Another entity in the graph whose label is this name, if any."""
    folded = name.casefold()
    return next((k for k, label in sorted(labels.items())
                 if k != entity and label.casefold() == folded and present(k)), None)


def _since(ops: list, n: int) -> list:
    """The entity changes a correction made after the first `n` is carried through: the global ones
    before it (merges and types, which a name from an older build may predate) and all after it."""
    return [o for o in ops[:n] if o[0] in ("merge", "retype")] + ops[n:]


def _map(key: str, ops, doc: str | None) -> str:
    """The entity a key names after the merges and splits `ops` (in file order) in one article."""
    history = {key}
    for op, a, b, only in ops:
        if key == a and only in (None, doc):
            # a split back ("restore") takes out only what was the merged entity before
            if op != "restore" or b in history:
                key = b
                history.add(key)
    return key


def _map_rel(rel: Relationship, ops, doc: str) -> Relationship:
    return Relationship(rel.kind, _map(rel.subject, ops, doc), rel.relation,
                        _map(rel.object, ops, doc) if rel.object else "")


def amend_extraction(extraction: Extraction, amendment: Amendment) -> tuple[Extraction, list[tuple[Correction, str]]]:
    """The extraction as the corrections have it: entities mapped, labels renamed, claims added.

    Also the additions that cannot be made, and why: their quote is no longer at its
    offsets (the article changed); the build reports them as stale.
    """
    key = amendment.map_key
    claims = [_map_claim(c, key) for c in extraction.claims]
    moved = []
    for c, since in amendment.added:
        try:  # named after the entity changes before it: carried through those after it
            claims.append(_map_claim(_added_claim(c, extraction), lambda k, n=since: amendment.map_key(k, n)))
        except ValueError as exc:
            moved.append((c, str(exc)))
    claims = [c for c in map(_without_self_reference, claims) if c is not None]
    mentions = [dataclasses.replace(m, entity=key(m.entity), kind=kind_of(key(m.entity))) for m in extraction.mentions]
    # the entities it still names as extraction defined them; those it names anew or renamed, as the plan says
    entities = {e.key: e for e in extraction.entities if key(e.key) == e.key}
    for k, label in amendment.defines.items():
        entities[k] = Entity(k, kind_of(k), label, in_registry=False)
    used = {m.entity for m in mentions} | {v.key for c in claims for _, v in c.args if isinstance(v, EntityRef)}
    entities = {k: e for k, e in entities.items() if k in used}
    amended = dataclasses.replace(extraction, entities=tuple(sorted(entities.values(), key=lambda e: e.key)),
                                  mentions=tuple(mentions), claims=tuple(claims))
    return amended, moved


def _map_claim(claim: Claim, key) -> Claim:
    args = tuple(sorted(((n, EntityRef(key(v.key)) if isinstance(v, EntityRef) else v) for n, v in claim.args),
                        key=lambda a: (a[0], str(a[1]))))
    return dataclasses.replace(claim, args=args) if args != claim.args else claim


def _without_self_reference(claim: Claim) -> Claim | None:
    """A merge can make both sides of a relationship one entity ("Acme competes with Acme", a round in
    which the target invests in itself): such a side goes, and a claim with nothing left to say with it.
    A round whose investors no sentence names stays as it is."""
    if claim.kind in ("investment", "fundingRound"):
        target = claim.arg("target")
        args = tuple(a for a in claim.args if not (a[0] == "investor" and a[1] == target))
        if args == claim.args:
            return claim
        return dataclasses.replace(claim, args=args) if any(n == "investor" for n, _ in args) else None
    subject = claim.arg("subject")
    return None if isinstance(subject, EntityRef) and subject == claim.arg("object") else claim


def _added_claim(c: Correction, extraction: Extraction) -> Claim:
    article = extraction.article
    quote, start = c.get("quote"), c.get("start")
    if article.text[start:start + len(quote)] != quote:
        raise ValueError(f"the quote is no longer at character {start} of {article.path}")
    rel = c.relationship
    language = next((s.language for s in extraction.sentences if s.start <= start < s.end), article.language)
    evidence = Evidence(article.path, start, start + len(quote), quote, language, ADDED_RULE, 1.0)
    names = CLAIM_KINDS[rel.kind]
    if rel.kind == "membership":
        args = [("member", EntityRef(rel.subject)), ("organization", EntityRef(rel.object)),
                ("role", RoleRef(rel.relation))]
    elif rel.kind in ("investment", "fundingRound"):
        args = [("investor", EntityRef(rel.subject)), ("target", EntityRef(rel.object))]
    elif "organization" in names:
        args = [("organization", EntityRef(rel.subject))]
    else:
        args = [("subject", EntityRef(rel.subject)), ("object", EntityRef(rel.object))]
    return Claim(rel.kind, tuple(sorted(args, key=lambda a: a[0])), evidence)
