"""Resolve names to canonical entities: the registry, plus the new names an article introduces.

In: an article's sentences and the new names the name rules found in it.
Out: every mention of a person or organization, each tied to one entity.
A family name alone ("Wang") resolves only to a person the same article
names in full, never to a namesake from another article.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import OntologyError
from .types import Article, Entity, EntityKind, Mention, Sentence

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ID_BASE = "https://kg.example.org/id/"
_KIND_PATH = {EntityKind.PERSON: "person", EntityKind.ORGANIZATION: "org", EntityKind.UNIT: "unit"}
# A genitive or possessive ending belongs to the mention ("Metas", "Meta's", "Wangs").
_GENITIVE = r"(?:'s|’s|s|'|’)?"
_LEGAL_SUFFIX = re.compile(r"(?:,? (?:Inc|Corp|Ltd|LLC|GmbH|AG|SE|N\.V|B\.V|plc)\.?)$")


@dataclass(frozen=True)
class NameHit:
    """A new name a name rule found: not yet an entity."""

    start: int
    end: int
    text: str
    kind: EntityKind
    rule: str


@dataclass
class Registry:
    entities: dict[str, Entity]
    fingerprint: str
    _exact: re.Pattern | None = field(default=None, repr=False)
    _folded: re.Pattern | None = field(default=None, repr=False)
    _by_alias: dict[str, str] = field(default_factory=dict, repr=False)
    _by_folded: dict[str, str] = field(default_factory=dict, repr=False)

    def lookup(self, name: str) -> Entity | None:
        """The registry entity with this name or alias (any case), if any."""
        key = self._by_folded.get(_fold(name)) or self._by_folded.get(_fold(_strip_legal(name)))
        return self.entities.get(key) if key else None

    def finditer(self, text: str):
        """(start, end, entity key) of every registry name in `text`."""
        for regex, table, fold in ((self._exact, self._by_alias, False), (self._folded, self._by_folded, True)):
            if regex is None:
                continue
            for m in regex.finditer(text):
                name = m.group(1)
                key = table[_fold(name) if fold else name]
                yield m.start(), m.end(), key


_PARTICLES = {"von", "van", "de", "der", "den", "ter", "te", "zu", "du", "da", "di", "del", "della", "le", "la", "dos"}


def family_names(full: str) -> list[str]:
    """How a text names a person by family name alone, particles included.

    >>> family_names("Jan de Vries")
    ['de Vries', 'De Vries']
    >>> family_names("Alexandr Wang")
    ['Wang']
    """
    words = full.split()
    if len(words) < 2:
        return []
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    name = " ".join(words[start:])
    return [name, name[0].upper() + name[1:]] if name[0].islower() else [name]


# Head words that say what kind of company a name is, not what business: "Invoke Capital" is
# Invoke. Other heads name a line of business ("Auberger Tiefbau"), often a unit of the group
# that bears the first word alone.
_GENERIC_HEADS = {"Capital", "Group", "Gruppe", "Groep", "Holding", "Holdings", "Partners", "Ventures",
                  "Investments", "Invest", "International", "Company", "Corporation", "Industries", "Industrie",
                  "Inc", "Corp", "AG", "SE", "NV", "BV", "GmbH", "Ltd", "plc", "Co"}


def _unit_of(short: str, longer: str, heads: frozenset[str]) -> bool:
    """Whether the longer name adds a business word to the shorter: a unit's name, not the same company's."""
    extra = [w.rstrip(".,") for w in longer.split()[len(short.split()):]]
    return any(w in heads and w not in _GENERIC_HEADS for w in extra)


def _longer_name(name: str, others: list[str]) -> str | None:
    """The one longer organization name that starts with all of `name`'s words."""
    words = name.split()
    longer = {o for o in others if len(o.split()) > len(words) and o.split()[:len(words)] == words}
    return next(iter(longer)) if len(longer) == 1 else None


_ACRONYM_AFTER = re.compile(r" \(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9&+.-]{1,7})\)")


def _short_forms(text: str, local: dict, new_entities: dict, body, heads: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Shorter names an article gives a new organization.

    An abbreviation in brackets right after the name ("Reliance Industries (RI)"),
    and the name without its head word when the article writes it alone
    ("Invoke Capital" … "Invoke"), if no other organization of the article
    starts with that word.
    """
    out = []
    for name, key in list(local.items()):
        key = key[0]
        if not key.startswith("org/"):
            continue
        for s in body:
            for start, end in _occurrences(text, name, s.start, s.end):
                m = _ACRONYM_AFTER.match(text, end)
                if m and len(name) > len(m.group(1)) + 1:
                    out.append((m.group(1), key))
    firsts: dict[str, set[str]] = {}
    for name, (key, _) in local.items():
        if key.startswith("org/"):
            firsts.setdefault(name.split()[0], set()).add(key)
    for name, (key, rule) in local.items():
        words = name.split()
        entity = new_entities.get(key)
        if entity is None or len(words) != 2 or not rule.endswith(".shape.org_head") or _unit_of(words[0], name, heads):
            continue
        first = words[0]
        if len(first) < 4 or not first[0].isupper() or len(firsts.get(first, ())) != 1 \
                or first in local and not local[first][1].endswith(".bare"):
            continue
        if any(next(_occurrences(text, first, s.start, s.end), None) for s in body):
            out.append((first, key))
    return out


def _fold_inflection(name: str, language: str) -> str:
    """A German organization name without adjective endings: "Deutschen Bank" is "Deutsche Bank".

    Only the words before the last inflect; the form is a key, never shown.
    """
    words = name.replace("-", " ").split()
    if language != "de" or len(words) < 2:
        return " ".join(words)
    bare = [w[:-1] if len(w) > 4 and w.endswith(("en", "er", "es", "em")) else w for w in words[:-1]]
    return " ".join(bare + words[-1:])


def slug(text: str) -> str:
    """A stable, readable IRI segment for a name.

    >>> slug("Jason Droege")
    'jason-droege'
    >>> slug("Société Générale")
    'societe-generale'
    """
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def entity_key(kind: EntityKind, name: str) -> str:
    return f"{_KIND_PATH[kind]}/{slug(name)}"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _strip_legal(name: str) -> str:
    return _LEGAL_SUFFIX.sub("", name)


def _case_free(alias: str) -> bool:
    # A name with an inner capital ("OpenAI", "Scale AI") is distinctive in any case,
    # as machine translation and headlines write it ("Openai", "SCALE AI"); a plain
    # capitalized word ("Meta", "Scale") could be an ordinary word in lower case.
    if alias.isupper() and len(alias) <= 5:
        return False  # an abbreviation in capitals: "OM" is the Dutch prosecution, "om" a preposition
    return any(ch.isupper() for ch in alias[1:]) or " " in alias


def load_registry(path: Path | None = None) -> Registry:
    """Read the entity registry (Turtle) into entities with aliases.

    Raises OntologyError when the file is missing or malformed.
    """
    return _load_registry(str(path or ONTOLOGY_DIR / "registry.ttl"))


@lru_cache(maxsize=4)
def _load_registry(path: str) -> Registry:
    import hashlib

    from rdflib import Graph
    from rdflib.namespace import ORG, OWL, RDF, RDFS, SKOS

    try:
        data = Path(path).read_bytes()
        g = Graph().parse(data=data, format="turtle")
    except Exception as exc:  # rdflib raises many kinds; all mean one thing here
        raise OntologyError(f"{path}: cannot read the entity registry ({exc})") from None
    schema = "https://schema.org/"
    entities: dict[str, Entity] = {}
    for subject in sorted(set(g.subjects(RDF.type, None))):
        iri = str(subject)
        if not iri.startswith(ID_BASE):
            raise OntologyError(f"{path}: {iri} is not under {ID_BASE}")
        key = iri[len(ID_BASE):]
        types = {str(t) for t in g.objects(subject, RDF.type)}
        if schema + "Person" in types:
            kind = EntityKind.PERSON
        elif str(ORG.OrganizationalUnit) in types:
            kind = EntityKind.UNIT
        else:
            kind = EntityKind.ORGANIZATION
        if key.split("/")[0] != _KIND_PATH[kind]:
            raise OntologyError(f"{path}: {iri} should be under {ID_BASE}{_KIND_PATH[kind]}/")
        labels = list(g.objects(subject, RDFS.label))
        if len(labels) != 1:
            raise OntologyError(f"{path}: {iri} needs exactly one rdfs:label")
        aliases = tuple(sorted((str(a), a.language or "") for a in g.objects(subject, SKOS.altLabel)))
        same = [str(o) for o in g.objects(subject, OWL.sameAs) if "wikidata.org/entity/" in str(o)]
        parent = next((str(o)[len(ID_BASE):] for o in g.objects(subject, ORG.subOrganizationOf)), None)
        entities[key] = Entity(key, kind, str(labels[0]), aliases,
                               same[0].rsplit("/", 1)[1] if same else None, parent, True,
                               schema + "NewsMediaOrganization" in types)
    registry = Registry(entities, hashlib.sha256(data).hexdigest())
    _index(registry)
    return registry


def with_entities(registry: Registry, entities: list[Entity], *, without: set[str] = frozenset()) -> Registry:
    """The registry as extraction should see it after analysts' corrections: more entities, or other names."""
    import hashlib

    merged = {k: e for k, e in registry.entities.items() if k not in without}
    merged.update({e.key: e for e in entities})
    extra = repr(sorted((e.key, e.kind.value, e.label, e.aliases) for e in entities)) + repr(sorted(without))
    out = Registry(merged, registry.fingerprint + "+" + hashlib.sha256(extra.encode()).hexdigest()[:12])
    _index(out)
    return out


def _index(registry: Registry) -> None:
    exact, folded = [], []
    for key, entity in sorted(registry.entities.items()):
        names = {entity.label, *(a for a, _ in entity.aliases)}
        for name in names:
            registry._by_folded.setdefault(_fold(name), key)
            if _case_free(name):
                folded.append(name)
            else:
                exact.append(name)
                registry._by_alias.setdefault(name, key)
    registry._exact = _alternation(exact, flags=0)
    registry._folded = _alternation(folded, flags=re.IGNORECASE)


def _alternation(names: list[str], *, flags: int) -> re.Pattern | None:
    if not names:
        return None
    # Longest first, so "Meta Superintelligence Labs" wins over "Meta".
    body = "|".join(re.escape(n) for n in sorted(set(names), key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<![\w-])({body}){_GENITIVE}(?![\w])", flags)


_GENITIVE_ENDINGS = ("'s", "’s", "s", "'", "’")
# a legal form after a company's name belongs to the mention ("Acme Plc’s chief executive")
_LEGAL_TAIL = re.compile(r"(?: \((?:UK|US|USA|Deutschland|Nederland|Schweiz|Austria|Europe)\))?,? (?:Inc\.?|Corp\.?|Ltd\.?|LLC|"
                         r"GmbH(?: & Co\.? KG)?|AG(?: & Co\.? KGaA)?|SE|KGaA|N\.V\.|B\.V\.|NV|BV|plc|Plc|PLC|S\.A\.|SA|"
                         r"SpA|S\.p\.A\.|AB|ASA|Oyj|Pte\.?(?: Ltd\.?)?|Limited|Co\.(?:,? Ltd\.?)?|Cos\.|Corporation|"
                         r"Incorporated|Holdings? Ltd\.?)(?:'s|’s)?(?![\w])")


# "des Mannesmann-Konzerns", "het Heineken-concern": the compound names the company itself
# (unlike "Siemens-Tochter" or "Bayer-Chef", which name someone else)
_SELF_TAIL = re.compile(r"-(?:Konzerns?|Konzerne|Gruppe|Holding|Unternehmens?|concern|groep|holding|bedrijf)(?![\w-])")


# a prefix that makes a compound's title a former one, not part of the company's name
_FORMER_PREFIX = re.compile(r"(?<![\w-])(?:[Ee]x|[Oo]ud|Alt)-$")


def _occurrences(text: str, name: str, start: int, end: int):
    """(start, end) of `name` as a whole word in text[start:end], a genitive ending included."""
    pos = text.find(name, start, end)
    while pos != -1:
        after = pos + len(name)
        # "Ex-Mannesmann-Chef", "oud-Philips-directeur": a former head of the company
        before_ok = pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_-") \
            or _FORMER_PREFIX.search(text, max(0, pos - 5), pos) is not None
        if before_ok:
            stop = after
            for ending in _GENITIVE_ENDINGS:
                if text.startswith(ending, after) and after + len(ending) <= end:
                    stop = after + len(ending)
                    break
            for candidate in (stop, after):
                if candidate >= end or not (text[candidate].isalnum() or text[candidate] == "_"):
                    yield pos, candidate
                    break
        pos = text.find(name, pos + 1, end)


def resolve_mentions(article: Article, sentences: list[Sentence], names: list[NameHit],
                     registry: Registry, heads: frozenset[str] = frozenset()) -> tuple[list[Mention], list[Entity]]:
    """Every person and organization mention in the article's non-boilerplate sentences.

    New names become new entities (returned) unless the registry knows them.
    A name decided by its shape wins over one decided by context; a family
    name of a person the article names in full wins over an organization.
    """
    new_entities: dict[str, Entity] = {}
    local: dict[str, tuple[str, str]] = {}  # surface name -> (entity key, rule)
    persons_full: dict[str, str] = {}  # full name -> key, for family-name aliases
    folded: dict[str, str] = {}  # inflection-free form of an organization name -> key
    ordered = sorted(names, key=lambda h: (".shape." not in h.rule, h.kind is not EntityKind.PERSON, h.start, h.end))
    body = [s for s in sentences if not s.boilerplate]
    text = article.text
    registry_hits: list[tuple[int, int, str, str]] = []
    for s in body:
        for start, end, key in registry.finditer(text[s.start:s.end]):
            registry_hits.append((s.start + start, s.start + end, key, "registry"))
    people = [h.text for h in ordered if h.kind is EntityKind.PERSON]
    people += [registry.entities[k].label for _, _, k, _ in registry_hits
               if registry.entities[k].kind is EntityKind.PERSON]
    families = {f for full in people for f in family_names(full)}
    for hit in ordered:
        if hit.text in local:
            continue
        if hit.kind is EntityKind.PERSON and " " not in hit.text and hit.text in families:
            continue  # "Wang" after "Alexandr Wang": the same person, by family name below
        known = registry.lookup(hit.text)
        if known is not None:
            local[hit.text] = (known.key, hit.rule)
            continue
        if hit.kind is not EntityKind.PERSON and (hit.text in families or hit.text[-1:] == "s" and hit.text[:-1] in families):
            continue  # "Roe said" after "Jane Roe", "Wangs Nachfolger": the person, not a company
        if hit.kind is not EntityKind.PERSON:
            fold = _fold_inflection(hit.text, article.language)
            if fold in folded:  # "Deutschen Bank" after "Deutsche Bank"
                local[hit.text] = (folded[fold], hit.rule)
                continue
            longer = _longer_name(hit.text, [h.text for h in ordered if h.kind is EntityKind.ORGANIZATION])
            # "Reliance Jio" for "Reliance Jio Infocomm", "Invoke" for "Invoke Capital"; but "Auberger"
            # beside "Auberger Tiefbau" or "Brunnhaus" beside "Brunnhaus Direkt GmbH" is the group beside its unit
            if longer is not None and _unit_of(hit.text, longer, heads):
                longer = None
            if longer is not None and longer in local:
                local[hit.text] = (local[longer][0], "short-form")
                continue
        key = entity_key(hit.kind, hit.text)
        if key not in new_entities:
            new_entities[key] = Entity(key, hit.kind, hit.text, (), None, None, False)
        local[hit.text] = (key, hit.rule)
        if hit.kind is EntityKind.PERSON:
            persons_full[hit.text] = key
        else:
            folded.setdefault(_fold_inflection(hit.text, article.language), key)

    # Registry persons named in full in this article may be referred to by family name too.
    for start, end, key, _ in registry_hits:
        entity = registry.entities[key]
        if entity.kind is EntityKind.PERSON:
            persons_full.setdefault(entity.label, key)

    family: dict[str, set[str]] = {}
    for full, key in persons_full.items():
        for name in family_names(full):
            family.setdefault(name, set()).add(key)
    for name, keys in family.items():
        if len(keys) == 1 and name not in local:  # two people share it: leave it unresolved
            local[name] = (next(iter(keys)), "family-name")
    for name, key in _short_forms(article.text, local, new_entities, body, heads):
        if name not in local:
            local[name] = (key, "short-form")
            continue
        # "Philippine Airlines (PAL)", "Invoke Capital" … "Invoke": the name finder may have found
        # the short form as a name of its own; it is the same company
        own, _ = local[name]
        if own != key and own in new_entities and not any(k == own for n, (k, _) in local.items() if n != name):
            local[name] = (key, "short-form")
            del new_entities[own]

    hits = []
    for start, end, key, rule in registry_hits:
        if registry.entities[key].kind is not EntityKind.PERSON:
            tail = _SELF_TAIL.match(text, end)
            end = tail.end() if tail else end
        hits.append((start, end, key, rule))
    for name, (key, rule) in local.items():
        # a handful of names per article: finding them is cheaper than compiling a regex
        for s in body:
            for start, end in _occurrences(text, name, s.start, s.end):
                if key.startswith("org/"):
                    tail = _LEGAL_TAIL.match(text, end, s.end) or _SELF_TAIL.match(text, end, s.end)
                    end = tail.end() if tail else end
                hits.append((start, end, key, rule))

    kinds = {k: e.kind for k, e in registry.entities.items()}
    kinds.update({k: e.kind for k, e in new_entities.items()})
    mentions: list[Mention] = []
    last_end = -1
    for start, end, key, rule in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]), h[3] != "registry")):
        if start < last_end:
            continue  # overlaps a longer mention already taken
        mentions.append(Mention(start, end, text[start:end], key, kinds[key], rule))
        last_end = end
    used = {m.entity for m in mentions}
    return mentions, [e for k, e in sorted(new_entities.items()) if k in used]
