"""The organization a sentence implies when it does not name it: "CEO Jane Roe said".

In: an article's sentences, mentions and the outlets it cites. Out: for one
sentence, the one organization a bare role title or "its" can mean, with a
confidence factor and the span of the name, or None when more than one fits.

Precision first: a news agency the article cites, a rival or a bidder named
nearby is a candidate like any other, so two candidates mean no answer. The
order of looking: the sentence itself; else, for a sentence opening a
paragraph, the organization the article is about, when it dominates the
article (named at least twice, and at least twice as often as any other);
else the nearest earlier sentence (up to three back) that names an
organization; else the article's organization.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .types import EntityKind, Mention, Sentence

_ORG_KINDS = (EntityKind.ORGANIZATION, EntityKind.UNIT)
IN_SENTENCE, EARLIER_SENTENCE, ARTICLE_TOPIC, EARLIER_SUBJECT = 0.85, 0.8, 0.7, 0.75
LOOK_BACK = 3


@dataclass(frozen=True)
class Implied:
    entity: str
    factor: float  # multiplies the rule's confidence
    antecedent: tuple[int, int] | None  # sentence naming it, when that is not the claim's own


class ArticleContext:
    """Where an implied organization can come from, for every sentence of one article."""

    def __init__(self, text: str, body: list[Sentence], mentions: list[Mention], outlets: set[str],
                 known_outlets: frozenset[str] = frozenset(), unnamed: list[bool] | None = None):
        self.body = body
        self.outlets = outlets
        self.known_outlets = known_outlets  # registry entities that are news outlets
        self.orgs: list[list[Mention]] = [
            [m for m in mentions if s.start <= m.start and m.end <= s.end and m.kind in _ORG_KINDS
             and m.entity not in outlets] for s in body]
        self.topic = self._topic()
        self.opens_paragraph = [s.start == 0 or text[s.start - 1] == "\n" for s in body]
        # sentences speaking of a company by a description no name resolved ("Das Unternehmen erzielte …")
        self.unnamed = unnamed or [False] * len(body)

    def _topic(self) -> str | None:
        counts = Counter(m.entity for found in self.orgs for m in found if m.antecedent is None)
        if not counts:
            return None
        (first, n), *rest = counts.most_common()
        second = rest[0][1] if rest else 0
        return first if n >= 2 and n >= 2 * second else None

    def implied_org(self, index: int, bound: set[str], *, earlier_only: bool = False) -> Implied | None:
        """The one organization sentence `index` can mean; None when none or several fit.

        `earlier_only`: not one the sentence names (its other organizations play
        another part: "daneben investierten Acme und Beta" names investors, not
        the company they invest in).
        """
        here = set() if earlier_only else {m.entity for m in self.orgs[index] if m.entity not in bound}
        if here and self.unnamed[index]:
            return None  # "Das Unternehmen erzielte …, darunter Meta": the one it describes, not the one it names
        if len(here) == 1:
            return Implied(next(iter(here)), IN_SENTENCE, None)
        if here:
            return None
        if self.opens_paragraph[index] and self.topic and self.topic not in bound:
            # a new paragraph goes back to what the article is about, not to the company the last one ended on
            return Implied(self.topic, ARTICLE_TOPIC, self._first_naming(self.topic))
        for back in range(index - 1, max(-1, index - LOOK_BACK - 1), -1):
            earlier = [m for m in self.orgs[back] if m.entity not in bound]
            if not earlier:
                continue
            entities = {m.entity for m in earlier}
            s = self.body[back]
            if len(entities) == 1:
                return Implied(earlier[0].entity, EARLIER_SENTENCE, (s.start, s.end))
            if self.topic in entities:
                return Implied(self.topic, ARTICLE_TOPIC, (s.start, s.end))
            first = min(earlier, key=lambda m: m.start)
            if first.start - s.start <= 4 and first.antecedent is None:
                # the sentence is about its subject: "Acme hatte im Mai … Beta …. Firmenchef X sagte"
                return Implied(first.entity, EARLIER_SUBJECT, (s.start, s.end))
            return None
        if self.topic and self.topic not in bound:
            return Implied(self.topic, ARTICLE_TOPIC, self._first_naming(self.topic))
        return None

    def _first_naming(self, entity: str) -> tuple[int, int] | None:
        return next(((s.start, s.end) for s, found in zip(self.body, self.orgs)
                     if any(m.entity == entity for m in found)), None)
