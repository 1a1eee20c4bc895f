"""Plain data passed between the stages of the flow (see DESIGN.md).

No RDF terms here: `model.py` is the only place that turns these into IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Union

# Below this confidence a claim keeps its statement and evidence but is not asserted as an
# edge: one argument from context (0.9 × 0.85) passes, two guesses in one claim do not.
ASSERTION_THRESHOLD = 0.6


def assertable(confidence: float, *, hedged: bool, negated: bool, conditional: bool) -> bool:
    """Whether one sentence's reading of a claim is enough to assert it as an edge."""
    return not (hedged or negated or conditional) and confidence >= ASSERTION_THRESHOLD


def decimal_text(value: Decimal) -> str:
    """A number as the graph writes it: plain, without trailing zeros ("14.3", "49")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Language(str, Enum):
    DE = "de"
    NL = "nl"
    EN = "en"


class EntityKind(str, Enum):
    PERSON = "person"
    ORGANIZATION = "organization"
    UNIT = "unit"  # a division or lab inside an organization


@dataclass(frozen=True)
class Article:
    """One article as read: `text` is the normalized string every offset refers to."""

    path: str  # relative to the seeds folder, with forward slashes
    text: str
    sha256: str
    language: str
    title: str
    encoding: str
    media_type: str  # text/plain, text/markdown, text/html


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    language: str
    boilerplate: bool  # related links, job ads, comment prompts: never a source of facts
    cut: bool = False  # a piece of a "sentence" too long to be one (segment.MAX_SENTENCE)


@dataclass(frozen=True)
class Entity:
    """A canonical entity: from the registry, or new in an article."""

    key: str  # stable slug such as "organization/scale-ai"
    kind: EntityKind
    label: str
    aliases: tuple[tuple[str, str], ...] = ()  # (text, language) pairs
    wikidata: str | None = None
    parent: str | None = None  # key of the organization a unit belongs to
    in_registry: bool = True
    outlet: bool = False  # a news outlet or agency (schema:NewsMediaOrganization in the registry)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entity: str  # Entity.key
    kind: EntityKind
    rule: str  # "registry", the name rule that found it, or the anaphora rule that resolved it
    # for "the bank", "er", "its": the span of the name it refers back to
    antecedent: tuple[int, int] | None = None


@dataclass(frozen=True)
class Evidence:
    """One sentence of one article that states a claim, and how it states it."""

    document: str  # Article.path
    start: int
    end: int
    quote: str
    language: str
    rule: str
    confidence: float
    hedged: bool = False
    negated: bool = False
    conditional: bool = False
    future: bool = False  # announced or agreed, not yet done: "will acquire", "übernimmt ab Januar"
    # the sentence naming an argument the claim took from context ("its CEO", "der Konzern")
    antecedent: tuple[int, int] | None = None


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str  # ISO 4217 currency code, "percent", or "count"
    approximate: bool = False


@dataclass(frozen=True)
class Period:
    """A date as precise as the text gives it: year, year-month or full date."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class EntityRef:
    key: str


@dataclass(frozen=True)
class RoleRef:
    role: str  # id of an org:Role in ontology/roles.ttl, e.g. "interim-ceo"


Value = Union[EntityRef, RoleRef, Quantity, Period, bool]


@dataclass(frozen=True)
class Claim:
    """What one rule read in one sentence: a kind and its arguments.

    `kind` is one of `CLAIM_KINDS`; `args` maps argument names to values
    (sorted tuple, so claims hash and compare).
    """

    kind: str
    args: tuple[tuple[str, Value], ...]
    evidence: Evidence

    def arg(self, name: str) -> Value | None:
        for key, value in self.args:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Extraction:
    """Everything one article yields, ready for modelling."""

    article: Article
    entities: tuple[Entity, ...]  # new entities found in this article
    mentions: tuple[Mention, ...]
    claims: tuple[Claim, ...]
    sentences: tuple[Sentence, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())  # what the build should tell about this article


# Argument names each claim kind takes: "person", "org", "unit", "party" (a person or an
# organization), "role", "money", "percent", "count", "period", "bool".
CLAIM_KINDS: dict[str, dict[str, str]] = {
    "membership": {"member": "person", "organization": "org", "role": "role", "current": "bool"},
    "investment": {"investor": "org", "target": "org", "amount": "money", "stake": "percent",
                   "valuation": "money", "votingRights": "bool", "date": "period"},
    "fundingRound": {"target": "org", "investor": "org", "amount": "money", "valuation": "money",
                     "date": "period"},
    "workforceReduction": {"organization": "org", "share": "percent", "employees": "count",
                           "contractors": "count", "date": "period"},
    "revenue": {"organization": "org", "amount": "money", "date": "period"},
    "founded": {"organization": "org", "date": "period"},
    "joined": {"subject": "person", "object": "org"},
    "left": {"subject": "person", "object": "org"},
    "mergedWith": {"subject": "org", "object": "org"},
    "partnerOf": {"subject": "org", "object": "org"},
    "supplierOf": {"subject": "org", "object": "org"},
    "sued": {"subject": "party", "object": "party"},
    "succeeded": {"subject": "person", "object": "person"},
    "customerOf": {"subject": "org", "object": "org"},
    "reducedRelianceOn": {"subject": "org", "object": "org"},
    "cutTiesWith": {"subject": "org", "object": "org"},
    "competesWith": {"subject": "org", "object": "org"},
    "employeesMovedTo": {"subject": "org", "object": "org"},
    "subOrganizationOf": {"subject": "unit", "object": "org"},
    "recruited": {"subject": "person", "object": "person"},
    "acquired": {"subject": "org", "object": "org"},
    "cites": {"object": "org"},
    "publisher": {"object": "org"},
}
