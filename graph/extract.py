"""Apply the rules to an article's sentences: new names first, then claims.

In: sentences (from segment.py) and mentions (from resolve.py).
Out: `Claim`s, each with the `Evidence` sentence, the rule that read it and how
the sentence states it (hedged, negated, conditional).
Patterns see each sentence with its mentions masked as typed placeholders, so
one pattern covers every spelling of every name.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .resolve import NameHit
from .rules import CLOSE, OPEN, LanguageRules, RelationRule, RuleSet
from .types import (CLAIM_KINDS, Article, Claim, EntityKind, EntityRef, Evidence, Mention, Period,
                    Quantity, RoleRef, Sentence, Value)

_PLACEHOLDER = re.compile(f"{OPEN}([POU])(\\d+)'?{CLOSE}")
_APOSTROPHE_GENITIVE = ("'s", "’s", "'", "’")
_KIND_LETTER = {EntityKind.PERSON: "P", EntityKind.ORGANIZATION: "O", EntityKind.UNIT: "U"}
_ORG_KINDS = (EntityKind.ORGANIZATION, EntityKind.UNIT)
CONTEXT_PENALTY = 0.85  # an argument read from context, not named in the pattern's place
# Binary relations take list arguments one pair at a time; these n-ary ones keep the list.
_KEEP_LISTS = {("fundingRound", "investor")}


@dataclass
class Masked:
    """A sentence with its mentions replaced by placeholders, and the way back."""

    text: str
    base: int  # offset of the sentence in the article
    mentions: list[Mention]
    _masked_starts: list[int]
    _orig_starts: list[int]

    def original(self, pos: int) -> int:
        """Article offset of a position in the masked text."""
        i = bisect.bisect_right(self._masked_starts, pos) - 1
        if i < 0:
            return self.base + pos
        return self._orig_starts[i] + (pos - self._masked_starts[i])

    def mentions_in(self, text: str) -> list[Mention]:
        return [self.mentions[int(m.group(2))] for m in _PLACEHOLDER.finditer(text)]


def mask_sentence(article: Article, sentence: Sentence, mentions: list[Mention]) -> Masked:
    parts, masked_starts, orig_starts = [], [], []
    pos, length = sentence.start, 0
    inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
    for index, m in enumerate(inside):
        chunk = article.text[pos:m.start]
        parts.append(chunk)
        length += len(chunk)
        genitive = "'" if m.text.endswith(_APOSTROPHE_GENITIVE) else ""
        token = f"{OPEN}{_KIND_LETTER[m.kind]}{index}{genitive}{CLOSE}"
        masked_starts.append(length)
        orig_starts.append(m.start)
        parts.append(token)
        length += len(token)
        # after the token, masked positions map back to just after the mention
        masked_starts.append(length)
        orig_starts.append(m.end)
        pos = m.end
    parts.append(article.text[pos:sentence.end])
    return Masked("".join(parts), sentence.start, inside, masked_starts, orig_starts)


def discover_names(article: Article, sentences: list[Sentence], mentions: list[Mention],
                   rules: RuleSet) -> list[NameHit]:
    """New names of people and organizations that the name rules find.

    `mentions` are the registry mentions, masked so that a known name is never
    taken for a new one.
    """
    hits: list[NameHit] = []
    for sentence in sentences:
        if sentence.boilerplate:
            continue
        lang = rules[sentence.language]
        masked = mask_sentence(article, sentence, mentions)
        stop = lang.cues["name_stop"]
        for rule in lang.names:
            for m in rule.regex.finditer(masked.text):
                name = m.group("name")
                if OPEN in name:
                    continue
                # "Die Acme GmbH", "Ook Acme B.V.": an article or a sentence opener is not the name
                lead = stop.match(name)
                skip = lead.end() if lead else 0
                if skip >= len(name):
                    continue
                start, end = masked.original(m.start("name") + skip), masked.original(m.end("name"))
                kind = EntityKind.PERSON if rule.kind == "person" else EntityKind.ORGANIZATION
                hits.append(NameHit(start, end, article.text[start:end], kind, rule.id))
    return hits


def focus_organization(mentions: list[Mention]) -> str | None:
    """The organization an article is about: the one it names most often."""
    counts = Counter(m.entity for m in mentions if m.kind in _ORG_KINDS)
    if not counts:
        return None
    return min(counts, key=lambda k: (-counts[k], k))


def extract_claims(article: Article, sentences: list[Sentence], mentions: list[Mention],
                   rules: RuleSet) -> list[Claim]:
    """Every claim the relation rules read in the article's non-boilerplate sentences."""
    focus = focus_organization(mentions)
    body = [s for s in sentences if not s.boilerplate]
    claims: dict[tuple, Claim] = {}
    for index, sentence in enumerate(body):
        lang = rules[sentence.language]
        masked = mask_sentence(article, sentence, mentions)
        sentence_claims: list[Claim] = []
        qualifiers: list[tuple[RelationRule, dict[str, list[Value]]]] = []
        for rule in lang.relations:
            for match in rule.regex.finditer(masked.text):
                reader = _MatchReader(article, body, index, masked, match, lang, mentions, focus)
                values = reader.values(rule)
                if values is None:
                    continue
                if all(_is_qualifier(y) for y in rule.yields):
                    qualifiers.append((rule, values))
                    continue
                sentence_claims.extend(_claims_from(rule, values, reader, sentence, lang))
        for rule, values in qualifiers:
            sentence_claims = [_qualify(c, rule, values) for c in sentence_claims]
        for claim in _drop_subsumed(sentence_claims):
            key = (claim.kind, claim.args, claim.evidence.start)
            if key not in claims or claims[key].evidence.confidence < claim.evidence.confidence:
                claims[key] = claim
    return sorted(claims.values(), key=lambda c: (c.evidence.start, c.kind, c.evidence.rule, repr(c.args)))


def _drop_subsumed(claims: list[Claim]) -> list[Claim]:
    """Within one sentence, a claim whose arguments another claim of its kind extends says nothing more."""
    keep = []
    for c in claims:
        mine = set(c.args)
        if any(o.kind == c.kind and mine < set(o.args) for o in claims):
            continue
        keep.append(c)
    return keep


def _is_qualifier(y) -> bool:
    return y.qualifies


def _qualify(claim: Claim, rule: RelationRule, values: dict[str, list[Value]]) -> Claim:
    for y in rule.yields:
        if y.claim != claim.kind:
            continue
        present = {k for k, _ in claim.args}
        extra = []
        for arg, slot in y.args.items():
            if arg not in present and values.get(slot):
                extra.append((arg, values[slot][0]))
        if extra:
            # the evidence names every rule that read part of the claim
            evidence = dataclasses.replace(claim.evidence, rule=f"{claim.evidence.rule}+{rule.id}")
            claim = Claim(claim.kind, tuple(sorted(claim.args + tuple(extra), key=_arg_key)), evidence)
    return claim


def _arg_key(item):
    return (item[0], repr(item[1]))


class _MatchReader:
    """Turns the groups of one match into values, resolving references from context."""

    def __init__(self, article, body, index, masked, match, lang: LanguageRules, mentions, focus):
        self.article, self.body, self.index = article, body, index
        self.masked, self.match, self.lang = masked, match, lang
        self.all_mentions, self.focus = mentions, focus
        self.from_context = False

    def values(self, rule: RelationRule) -> dict[str, list[Value]] | None:
        out: dict[str, list[Value]] = {}
        bound: set[str] = set()
        for slot, kind in rule.slots.items():
            text = self.match.group(slot)
            if text is None:
                continue
            if kind in ("PERSON", "PERSONS", "ORG", "ORGS", "ORGPOSS", "UNIT"):
                refs = [EntityRef(m.entity) for m in self.masked.mentions_in(text)]
                out[slot] = refs
                bound.update(r.key for r in refs)
        for slot, kind in rule.slots.items():
            text = self.match.group(slot)
            if text is None or slot in out:
                continue
            if kind in ("ORGREF", "PERSONREF"):
                found = self.masked.mentions_in(text)
                if found:
                    out[slot] = [EntityRef(found[0].entity)]
                else:
                    want = _ORG_KINDS if kind == "ORGREF" else (EntityKind.PERSON,)
                    ref = self.from_context_before(self.match.start(slot), want, bound)
                    if ref is None:
                        return None
                    out[slot] = [ref]
                bound.add(out[slot][0].key)
            elif kind in ("ROLE", "ROLES"):
                roles = []
                for r in re.finditer(self.lang.role_pattern(), text):
                    role = self.lang.role_of(r.group(0))
                    if role:
                        roles.append(RoleRef(role))
                out[slot] = roles
            elif kind in ("MONEY", "PERCENT", "NUMBER"):
                q = parse_quantity(text, kind, self.lang)
                if q is None:
                    return None
                out[slot] = [q]
            elif kind == "YEAR":
                out[slot] = [Period(int(text))]
            elif kind == "MONTHYEAR":
                month_text, year = text.rsplit(" ", 1)
                month = self.lang.lookup("MONTH", month_text)
                if month is None:
                    return None
                out[slot] = [Period(int(year), int(month))]
        self._bound = bound
        return out

    def context_org(self) -> EntityRef | None:
        """The organization a sentence implies: named in it, else earlier in its paragraph, else the article's."""
        bound = getattr(self, "_bound", set())
        self.from_context = True
        # the nearest organization named before the end of the match and not already an argument
        start = self.match.end()
        before = [m for m, pos in self._positions() if pos < start and m.kind in _ORG_KINDS and m.entity not in bound]
        if before:
            return EntityRef(before[-1].entity)
        after = [m for m, pos in self._positions() if pos >= self.match.end() and m.kind in _ORG_KINDS and m.entity not in bound]
        if after:
            return EntityRef(after[0].entity)
        # Not named in the sentence: the last company named earlier in the same paragraph,
        # else the company the article is about. A bare "CEO Jane Roe said" opening a
        # paragraph means the article's company, not the rival the last paragraph named.
        ref = self._earlier(_ORG_KINDS, bound, same_paragraph=True)
        if ref:
            return ref
        return EntityRef(self.focus) if self.focus and self.focus not in bound else None

    def from_context_before(self, pos: int, kinds, bound: set[str]) -> EntityRef | None:
        self.from_context = True
        before = [m for m, p in self._positions() if p < pos and m.kind in kinds and m.entity not in bound]
        if before:
            return EntityRef(before[-1].entity)
        return self._earlier(kinds, bound)

    def _positions(self):
        return [(self.masked.mentions[int(m.group(2))], m.start()) for m in _PLACEHOLDER.finditer(self.masked.text)]

    def _earlier(self, kinds, bound, *, same_paragraph: bool = False) -> EntityRef | None:
        # look back up to three sentences: a pronoun rarely reaches further
        here = self.body[self.index].start
        for back in range(self.index - 1, max(-1, self.index - 4), -1):
            s = self.body[back]
            if same_paragraph and "\n" in self.article.text[s.start:here]:
                return None
            inside = [m for m in self.all_mentions if s.start <= m.start and m.end <= s.end
                      and m.kind in kinds and m.entity not in bound]
            if inside:
                return EntityRef(inside[-1].entity)
        return None


def parse_quantity(text: str, kind: str, lang: LanguageRules) -> Quantity | None:
    """Read a money amount, percentage or count written the way `lang` writes numbers.

    >>> from graph.rules import load_rules
    >>> de = load_rules()["de"]
    >>> parse_quantity("etwa 14,3 Milliarden US-Dollar", "MONEY", de)
    Quantity(value=Decimal('14300000000'), unit='USD', approximate=True)
    >>> parse_quantity("$14.3 billion", "MONEY", load_rules()["en"]).value
    Decimal('14300000000')
    """
    from babel.numbers import NumberFormatError, parse_decimal

    approx_re = lang.cues["approx"]
    approximate = bool(approx_re.match(text))
    rest = approx_re.sub("", text, count=1).strip() if approximate else text.strip()
    num_match = re.search(lang.macro("NUM"), rest)
    if not num_match:
        return None
    locale = {"de": "de_DE", "nl": "nl_NL", "en": "en_US"}[lang.language]
    try:
        value = parse_decimal(num_match.group(0), locale=locale, strict=False)
    except (NumberFormatError, InvalidOperation):
        return None
    tail = rest[num_match.end():].strip()
    head = rest[:num_match.start()].strip()
    if kind == "PERCENT":
        return Quantity(value, "percent", approximate)
    if kind == "NUMBER":
        return Quantity(value, "count", approximate)
    scale = 1
    for word in tail.split()[:1]:
        factor = lang.lookup("SCALE", word)
        if factor:
            scale = int(factor)
    currency = lang.lookup("CURSYM", head) if head else None
    if currency is None:
        for i in range(len(tail.split()), 0, -1):
            currency = lang.lookup("CURWORD", " ".join(tail.split()[-i:]))
            if currency:
                break
    if currency is None:
        return None
    amount = (value * scale).quantize(Decimal(1)) if (value * scale) == (value * scale).to_integral() else value * scale
    return Quantity(amount, currency, approximate)


def _claims_from(rule: RelationRule, values: dict[str, list[Value]], reader: _MatchReader,
                 sentence: Sentence, lang: LanguageRules) -> list[Claim]:
    out = []
    for y in rule.yields:
        schema = CLAIM_KINDS[y.claim]
        lists: list[tuple[str, list[Value]]] = []
        missing = False
        for arg, slot in y.args.items():
            if slot == "@context":
                ref = reader.context_org()
                if ref is None:
                    missing = True
                    break
                lists.append((arg, [ref]))
            elif values.get(slot):
                lists.append((arg, values[slot]))
            elif schema[arg] in ("person", "org", "unit", "role"):
                missing = True  # a participant the pattern left out: no claim
                break
        if missing:
            continue
        for arg, value in y.fixed.items():
            if arg.startswith("@"):
                continue
            if schema[arg] == "role":
                lists.append((arg, [RoleRef(str(value))]))
            else:
                lists.append((arg, [bool(value)]))
        keep = [(a, v) for a, v in lists if (y.claim, a) in _KEEP_LISTS]
        spread = [(a, v) for a, v in lists if (y.claim, a) not in _KEEP_LISTS]
        for combo in itertools.product(*[v for _, v in spread]):
            args = [(a, val) for (a, _), val in zip(spread, combo)]
            args += [(a, val) for a, vals in keep for val in vals]
            entity_keys = [v.key for _, v in args if isinstance(v, EntityRef)]
            if len(entity_keys) != len(set(entity_keys)) and y.claim != "fundingRound":
                continue  # "Meta competes with Meta": a misread, not a claim
            if y.claim == "membership":
                args = _with_status(args, reader, lang, sentence)
            evidence = _evidence(reader, rule, sentence, lang)
            out.append(Claim(y.claim, tuple(sorted(args, key=_arg_key)), evidence))
    return out


def _with_status(args, reader: _MatchReader, lang: LanguageRules, sentence: Sentence):
    """Current or former, when the sentence says so about this role."""
    if any(a == "current" for a, _ in args):
        return args
    role = next((v for a, v in args if a == "role"), None)
    if role is None or role.role in ("founder", "co-founder"):
        return args  # a founder stays a founder
    text = reader.masked.text
    role_pos = None
    # the role word: the first match of the role alternation inside the match
    m_text = reader.match.group(0)
    for r in re.finditer(lang.role_pattern(), m_text):
        if lang.role_of(r.group(0)) == role.role:
            role_pos = reader.match.start() + r.start()
            break
    if role_pos is None:
        return args
    window = text[max(0, role_pos - 40):role_pos]
    person_pos = [p for m, p in reader._positions() if m.kind is EntityKind.PERSON]
    member_pos = min(person_pos) if person_pos else None
    if member_pos is not None and member_pos < role_pos:
        window = text[member_pos:role_pos]
    if lang.cues["former"].search(window):
        return args + [("current", False)]
    if lang.cues["current"].search(window):
        return args + [("current", True)]
    # "… legt sein Amt nieder": leaving, when only one person is in the sentence
    if len(set(m.entity for m, _ in reader._positions() if m.kind is EntityKind.PERSON)) == 1 \
            and lang.cues["leave"].search(text):
        return args + [("current", False)]
    return args


def _evidence(reader: _MatchReader, rule: RelationRule, sentence: Sentence, lang: LanguageRules) -> Evidence:
    text = reader.masked.text
    m = reader.match
    hedged = bool(lang.cues["hedge"].search(text))
    # German and Dutch put "nicht"/"niet" at the end of the clause: the negation's
    # scope runs from the match to the next clause boundary.
    clause_end = m.end() + next((i for i, ch in enumerate(text[m.end():]) if ch in ",;:–"), len(text) - m.end())
    negated = not rule.negative and bool(lang.cues["negation"].search(text[m.start():clause_end]))
    conditional = bool(lang.cues["conditional"].search(text[:m.end()]))
    confidence = rule.confidence * (CONTEXT_PENALTY if reader.from_context else 1.0)
    article = reader.article
    return Evidence(article.path, sentence.start, sentence.end, article.text[sentence.start:sentence.end],
                    sentence.language, rule.id, round(confidence, 2), hedged, negated, conditional)
