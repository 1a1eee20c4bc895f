"""Resolve what an article says about a name without repeating it: "the bank", "der Konzern", "he".

In: an article's sentences and its name mentions. Out: extra `Mention`s, one
per definite description ("das Kölner Unternehmen", "het bedrijf", "the
carmaker") or pronoun ("er", "hij", "she", "its") whose antecedent is
unambiguous, each carrying the span of the name it refers back to. When two
candidates fit, the anaphor stays unresolved: a wrong antecedent would put a
real quote under a wrong edge.

The antecedent is looked for in the sentence before the anaphor, then in the
previous sentence, then in the one before: the nearest of these that names
any candidate must name exactly one that fits (a description that repeats the
head of a name, "die Bank" for "Deutsche Bank", or of the description the
article introduced it with, "der Autobauer X", fits better than any other).
"""

from __future__ import annotations

import re

from .namelists import NameLists, load_name_lists
from .rules import RuleSet
from .types import Article, EntityKind, Mention, Sentence

_ORG_KINDS = (EntityKind.ORGANIZATION, EntityKind.UNIT)
LOOK_BACK = 2  # sentences before the anaphor's own; a pronoun rarely reaches further


def resolve_anaphora(article: Article, sentences: list[Sentence], mentions: list[Mention],
                     rules: RuleSet, lists: NameLists | None = None) -> list[Mention]:
    """Mentions for the descriptions and pronouns of the article that refer to exactly one name."""
    lists = lists or load_name_lists()
    text = article.text
    body = [s for s in sentences if not s.boilerplate]
    inside: list[list[Mention]] = [[m for m in mentions if s.start <= m.start and m.end <= s.end] for s in body]
    introduced = _introductions(text, body, inside, rules)
    out: list[Mention] = []
    for i, s in enumerate(body):
        lang = rules[s.language]
        taken = [(m.start, m.end) for m in inside[i]]
        found = [(m, True) for m in lang.cues["org_anaphor"].finditer(text, s.start, s.end)] + \
            [(m, False) for m in lang.cues["org_possessive"].finditer(text, s.start, s.end)]
        for m, description in found:
            if _overlaps(m.start(), m.end(), taken) or description and _names_follow(text, m.end(), inside[i]):
                continue
            head = (m.groupdict().get("head") or m.group(0)).casefold()

            def fits(c, head=head):
                return head in c.text.casefold() or any(d.endswith(head) for d in introduced.get(c.entity, ()))

            # In its own clause a description is never the name before it: "Acme beteiligt sich an
            # dem Startup" names two companies (unless it repeats the name's head: "Acme Bank … die Bank",
            # or the name is a possessor: "Acme's chief executive will leave the company").
            # Nor is it after a possessive: "Acme erhöht seinen Anteil an dem Unternehmen".
            pick = _antecedent(i, m.start(), body, inside, _ORG_KINDS, fits=fits,
                               exclude=lambda c, at=m.start(), here=inside[i]: description and (
                                   any(o is c for o in here) and not fits(c) and not _CLAUSE_BREAK.search(text, c.end, at)
                                   and not c.text.endswith(_GENITIVE)
                                   or any(o.entity == c.entity and o.end <= at and _possessive_between(text, o.end, at)
                                          for o in here)))
            if pick is not None:
                out.append(Mention(m.start(), m.end(), m.group(0), pick.entity, pick.kind,
                                   f"{lang.language}.anaphor.description", (pick.start, pick.end)))
        for m in lang.cues["person_anaphor"].finditer(text, s.start, s.end):
            if _overlaps(m.start(), m.end(), taken):
                continue
            gender = "f" if m.group(0).casefold() in ("she", "zij") else "m"
            pick = _antecedent(i, m.start(), body, inside, (EntityKind.PERSON,),
                               exclude=lambda c, gender=gender: lists.gender(c.text.split()[0]) not in (None, gender))
            if pick is not None:
                out.append(Mention(m.start(), m.end(), m.group(0), pick.entity, pick.kind,
                                   f"{lang.language}.anaphor.pronoun", (pick.start, pick.end)))
    return out


# Possessive determiners of the three languages: a company named before one and a description
# after it are two ("Gilead breidt zijn belang in het biotechbedrijf uit": not Gilead itself);
# extract.py keeps a description after one ("its rival Acme" says how two companies relate).
POSSESSIVE = re.compile(r"(?<!\w)(?:sein|seine|seinen|seinem|seiner|seines|ihr|ihre|ihren|ihrem|ihrer|ihres|"
                        r"dessen|deren|zijn|haar|hun|its|their|his|her)(?!\w)", re.IGNORECASE)


# punctuation or a conjunction or verb of saying that opens another clause ("Acme said that Roe
# will leave the company": the company of the main clause)
_CLAUSE_BREAK = re.compile(r"[,;:()–—]|(?<!\w)(?:that|dass|dat|because|weil|omdat|after|nachdem|nadat|when|wenn|"
                           r"wanneer|while|während|terwijl|said|says|sagte|sagt|zei|zegt)(?!\w)", re.IGNORECASE)
_GENITIVE = ("'s", "’s", "'", "’")


def _possessive_between(text: str, start: int, end: int) -> bool:
    return 0 <= end - start <= 200 and bool(POSSESSIVE.search(text, start, end))


def _antecedent(index: int, pos: int, body, inside, kinds, *, fits=None, exclude=None) -> Mention | None:
    for back in range(index, max(-1, index - LOOK_BACK - 1), -1):
        candidates = [m for m in inside[back] if m.kind in kinds and m.antecedent is None
                      and (back < index or m.end <= pos) and not (exclude and exclude(m))]
        if not candidates:
            continue
        entities = {m.entity for m in candidates}
        if len(entities) == 1:
            return candidates[-1]
        if fits is not None:
            fitting = {m.entity for m in candidates if fits(m)}
            if len(fitting) == 1:
                return [m for m in candidates if m.entity in fitting][-1]
        return None
    return None


def _introductions(text: str, body, inside, rules: RuleSet) -> dict[str, set[str]]:
    """Descriptions the article puts before a name ("der Autobauer X"): the entity a later "der Autobauer" means."""
    out: dict[str, set[str]] = {}
    for s, found in zip(body, inside):
        regex = rules[s.language].cues["org_description"]
        for m in found:
            before = text[max(s.start, m.start - 60):m.start].rstrip()
            hit = None
            for hit in regex.finditer(before):
                pass
            if hit is not None and hit.end() == len(before):
                out.setdefault(m.entity, set()).add(hit.group(0).split()[-1].casefold())
    return out


def _overlaps(a: int, b: int, spans) -> bool:
    return any(x < b and a < y for x, y in spans)


def _names_follow(text: str, end: int, mentions: list[Mention]) -> bool:
    """'der Autobauer Volkswagen': a description in apposition to a name, not an anaphor."""
    rest = text[end:end + 3]
    if not rest.startswith(" "):
        return False
    return any(m.start == end + 1 for m in mentions) or bool(re.match(r" [A-ZÀ-Þ]", rest))
