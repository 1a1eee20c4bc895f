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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .anaphora import POSSESSIVE
from .context import ArticleContext
from .namelists import load_name_lists
from .rules import CLOSE, OPEN, LanguageRules, RelationRule, RuleSet
from .types import (
    ASSERTION_THRESHOLD,
    CLAIM_KINDS,
    Article,
    Claim,
    EntityKind,
    EntityRef,
    Evidence,
    Mention,
    Period,
    Quantity,
    RoleRef,
    Sentence,
    Value,
)

_PLACEHOLDER = re.compile(f"{OPEN}([POU])(\\d+)'?{CLOSE}")
_APOSTROPHE_GENITIVE = ("'s", "’s", "'", "’")
_KIND_LETTER = {EntityKind.PERSON: "P", EntityKind.ORGANIZATION: "O", EntityKind.UNIT: "U"}
_ORG_KINDS = (EntityKind.ORGANIZATION, EntityKind.UNIT)
# Binary relations take list arguments one pair at a time; these n-ary ones keep the list.
_KEEP_LISTS = {("fundingRound", "investor")}
# What is bought, sued or invested in is never named by a possessive: "Fox's assets" are a part of Fox.
_NO_POSSESSOR = {("acquired", "object"), ("sued", "object"), ("investment", "target")}


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


def _without(masked: Masked, start: int, end: int) -> Masked:
    """The masked sentence with masked[start:end] (text between placeholders) left out."""
    cut = end - start
    starts, origs = [], []
    for m, o in zip(masked._masked_starts, masked._orig_starts):
        if m < start:
            starts.append(m)
            origs.append(o)
    starts.append(start)  # after the cut, positions map back to just after the text left out
    origs.append(masked.original(end))
    for m, o in zip(masked._masked_starts, masked._orig_starts):
        if m >= end:
            starts.append(m - cut)
            origs.append(o)
    return Masked(masked.text[:start] + masked.text[end:], masked.base, masked.mentions, starts, origs)


# The sentence's first name, with no preposition or verb before it: at most a few words
# (an article, adjectives, a title) or nothing.
_OPENING = re.compile(f"^(?:[^\\s,;:{OPEN}]+ ){{0,5}}?(?={OPEN}[PO]\\d+'?{CLOSE})")
# An apposition or relative clause after that name, closed by a comma before the predicate:
# ", a unit of Acme,", ", der zuvor Acme leitete,", ", afkomstig van Acme,"
_APPOSITION = re.compile(f"{OPEN}[PO]\\d+'?{CLOSE}(?: \\(\\d{{2}}\\))?(, [^,;:\"„“”()]{{2,100}}?,) (?=\\w)")
# A title set off before the name: "De huidige financiële topman, Jan Jansen, verlaat …";
# or a description before a company's: "Britain's largest maker of pumps, Acme, has agreed …"
_TITLED = re.compile(f"^((?:[^\\s,;:{OPEN}]+ ){{0,5}}[^\\s,;:{OPEN}]+)(,) {OPEN}([PO])\\d+'?{CLOSE}(,) (?=\\w)")


def reduced_sentences(masked: Masked, lang: LanguageRules) -> list[Masked]:
    """The readings of a masked sentence the relation rules run on, each once: the sentence
    itself; without the descriptions, bracketed abbreviations, quotation marks and forms of
    address around names (`_without_descriptions`, `_without_abbreviations`, `_without_quotes`,
    `_without_honorifics`); and of each of these, without the
    apposition of the subject (`_without_appositions`) and subject first (`_subject_first`)."""
    views = [masked, _without_descriptions(_without_abbreviations(_without_quotes(_without_honorifics(masked, lang))),
                                           lang)]
    for view in list(views):
        views.extend(_without_appositions(view, lang))
        inverted = _subject_first(view, lang)
        if inverted is not None:
            views.append(inverted)
    seen, out = set(), []
    for view in views:
        if view.text not in seen:
            seen.add(view.text)
            out.append(view)
    return out


# German and Dutch main clauses put the finite verb second: after a fronted adverbial the
# subject follows the verb ("Im Mai übernahm Acme …", "Als Leadinvestor steigt Acme … ein").
_INVERTED = re.compile(f"^(?!{OPEN})(?P<front>[^,;:{OPEN}]*?(?:{OPEN}[PO]\\d+'?{CLOSE}-[^,;:{OPEN}]*?)?) "
                       f"(?P<verb>[a-zäöüß]+(?: sich| zich)?) (?P<det>(?:der|die|das|den|dem|de|het) )?"
                       f"(?P<subject>{OPEN}[PO]\\d+'?{CLOSE})(?=[ ,.])")
# words that can stand before a name in second place without being a finite verb
_NOT_VERB = frozenset("""als auch aber oder und sowie dass weil wenn wie zu um so nur noch schon jetzt nun
    heute bereits zudem außerdem dabei damit daher dann denn doch etwa laut seit sowohl zwar
    en of maar dat omdat als zoals ook nu al nog wel dan toch volgens sinds want door""".split())


def _subject_first(masked: Masked, lang: LanguageRules) -> Masked | None:
    """A German or Dutch sentence whose subject follows its verb, read subject first:
    "Außerdem beteiligt sich der Fonds Acme an Beta" as "Acme beteiligt sich an Beta".

    The words before the verb are left out (an adverbial: what the relation
    rules read is the clause from the subject on); the subject is the first
    name right after the verb, with its article. A sentence that opens with a
    name is in subject-first order already.
    """
    if lang.language not in ("de", "nl"):
        return None
    m = _INVERTED.match(masked.text)
    if m is None or not m.group("front").strip() or len(m.group("front").split()) > 8:
        return None
    front = m.group("front").split()
    article = lang.cues["article"]
    if article.fullmatch(front[-1]) or len(front) > 1 and article.fullmatch(front[-2]):
        return None  # "Het chocolademerk Acme …", "Het Limburgse transportbedrijf Acme": a noun, no verb
    verb = m.group("verb").split()[0]
    if verb in _NOT_VERB or verb in lang.words.get("PREPOSITION", set()) or lang.cues["stop_word"].fullmatch(verb):
        return None
    # "[subject] verb rest", built from pieces of the masked text, each mapped back to the article
    subject, verb_text = m.group("subject"), m.group("verb")
    new_text = f"{subject} {verb_text}{masked.text[m.end('subject'):]}"
    starts = [0, len(subject), len(subject) + 1, len(subject) + 1 + len(verb_text)]
    origs = [masked.original(m.start("subject")), masked.original(m.end("subject")),
             masked.original(m.start("verb")), masked.original(m.end("subject"))]
    return Masked(new_text, masked.base, masked.mentions, starts, origs)


def _without_honorifics(masked: Masked, lang: LanguageRules) -> Masked:
    """The sentence without a form of address before a person's name: "Acme's chairman, Dr
    Jane Roe, said" reads as "Acme's chairman, Jane Roe, said"."""
    for m in reversed(list(lang.cues["addressed"].finditer(masked.text))):
        masked = _without(masked, m.start(), m.end())
    return masked


# a name in quotation marks: a newspaper, a brand ("übernahm die „Frankfurter Rundschau“")
_QUOTED = re.compile(f"([\"„“”‚‘’»«])({OPEN}[OU]\\d+'?{CLOSE})([\"„“”‚‘’»«])")


def _without_quotes(masked: Masked) -> Masked:
    """The sentence without the quotation marks around a name: "übernahm die „Frankfurter
    Rundschau“" reads as "übernahm die Frankfurter Rundschau", as the rules expect a name."""
    for m in reversed(list(_QUOTED.finditer(masked.text))):
        masked = _without(_without(masked, m.start(3), m.end(3)), m.start(1), m.end(1))
    return masked


_BRACKETED = re.compile(f"({OPEN}[OU]\\d+'?{CLOSE})( \\(({OPEN}[OU]\\d+'?{CLOSE})\\))")


def _without_abbreviations(masked: Masked) -> Masked:
    """The sentence without a company's short form in brackets after its name: "übernimmt
    United Bulgarian Bank (UBB) für …" reads as "übernimmt United Bulgarian Bank für …"."""
    for m in reversed(list(_BRACKETED.finditer(masked.text))):
        (first,), (second,) = masked.mentions_in(m.group(1)), masked.mentions_in(m.group(3))
        if first.entity == second.entity:
            masked = _without(masked, m.start(2), m.end(2))
    return masked


# "a stake in Canada's Acme", "Deutschlands Acme": a country's genitive before a company's name
_PLACE_GENITIVE = re.compile(f"(?<![\\w-])([A-ZÄÖÜ][\\w.-]+?)(?:'s|’s|s) (?={OPEN}[OU]\\d)")


def _without_descriptions(masked: Masked, lang: LanguageRules) -> Masked:
    """The sentence with the descriptions before companies' names left out: "übernimmt den
    Münchner Autobauer Acme" reads as "übernimmt den Acme".

    A rule then need not spell out every way news describes a company before
    naming it. A description of a unit stays ("das Schokoladenmarke Acme ist
    Eigentum von Beta": a brand owned, not a stake). Only after an article or a preposition: after a possessive or
    another name the description says how two companies relate ("its rival
    Acme", "Acmes Zulieferer Beta"), and leaving it out would change that.
    """
    unit = lang.cues["unit_noun"]
    cuts = [m.span(1) for m in lang.cues["name_description"].finditer(masked.text)
            if not POSSESSIVE.search(m.group(1)) and not unit.search(m.group(1))]
    places = load_name_lists().places
    cuts += [m.span(0) for m in _PLACE_GENITIVE.finditer(masked.text) if m.group(1) in places]
    for start, end in sorted(cuts, reverse=True):
        masked = _without(masked, start, end)
    return masked


def _without_appositions(masked: Masked, lang: LanguageRules) -> list[Masked]:
    """Readings of the sentence with the commas of an apposition around its opening name left out.

    Relation rules describe a clause ("Acme übernimmt Beta"); news sets off
    appositions and relative clauses after the subject ("Acme, der Marktführer
    aus Köln, übernimmt Beta"; "De financiële topman, Jan Jansen, verlaat
    Acme"). Reading the sentence once more without them lets every rule see
    its clause. Only the first name of a sentence with nothing but a few words
    before it is taken for the subject: after a preposition or a verb ("Nach
    Acme, dem Rivalen von Beta, kauft Gamma …") the name is no subject, and
    leaving out its apposition would join it to another clause's verb.
    """
    text = masked.text
    opening = _OPENING.match(text)
    out = []
    prepositions = lang.words.get("PREPOSITION", set())
    if opening and not any(w.casefold() in prepositions for w in opening.group(0).split()):
        m = _APPOSITION.match(text, opening.end())
        if m and any(ch.islower() for ch in m.group(1)):
            out.append(_without(masked, m.start(1), m.end(1)))
    m = _TITLED.match(text)
    person = bool(m) and m.group(3) == "P"
    described = lang.cues["role_word"] if person else lang.cues["org_description"]
    # no preposition opening the phrase ("Nach Acme, …"), nor inside a title; a description
    # may hold one ("the largest maker of pumps")
    words = m.group(1).split() if m else []
    if m and described.search(m.group(1)) \
            and not any(w.casefold() in prepositions for w in (words if person else words[:1])):
        once = _without(masked, m.start(4), m.end(4))
        out.append(_without(once, m.start(2), m.end(2)))
    return out


def _unresolved_description(article: Article, sentence: Sentence, mentions: list[Mention],
                            lang: LanguageRules) -> bool:
    """Whether the sentence names a company by a description ("das Unternehmen") that anaphora left open."""
    spans = [(m.start, m.end) for m in mentions if sentence.start <= m.start < sentence.end]
    # "der Reederei Hallwig": a description before the name is an apposition, not a reference
    return any(not any(a <= d.start() < b or d.end() <= a <= d.end() + 2 for a, b in spans)
               for d in lang.cues["org_anaphor"].finditer(article.text, sentence.start, sentence.end))


def _after_preposition(rule: RelationRule, match: re.Match, text: str, lang: LanguageRules) -> bool:
    """A rule that opens with a name, matched where a preposition governs that name: "Nach Acme,
    dem Rivalen von Beta, kauft Gamma …", "Volgens Acme neemt Beta …": Acme is no subject."""
    slot = _first_slot(rule, match)
    if slot is None or match.start(slot) != match.start() or rule.slots[slot] not in _ENTITY_SLOTS:
        return False
    # only where the rule reads past an apposition to a verb: the apposition itself still
    # describes the name ("die Rekrutierung von Jane Roe, der Gründerin von Acme")
    past = _PAST_APPOSITION.match(text, match.end(slot), match.end())
    if not past or past.group(1).casefold() in _RELATIVE:
        return False  # "… von Jane Roe, der Gründerin von Acme, die nun Beta leitet": Roe leads Beta
    word = _word_before(text, match.start(), lang)
    return word in lang.words.get("PREPOSITION", set()) and word not in _ALSO_CONJUNCTION


_PAST_APPOSITION = re.compile(r",[^,]+, (\w*)")
_RELATIVE = frozenset("der die das welche welcher welches who which that dat wie".split())
# prepositions that also open a clause, whose subject the name then is ("after Roe, the founder, returned")
_ALSO_CONJUNCTION = frozenset({"after", "before", "since", "until", "than"})


def _first_slot(rule: RelationRule, match: re.Match) -> str | None:
    return min((slot for slot in rule.slots if match.start(slot) >= 0), key=match.start, default=None)


def _word_before(text: str, pos: int, lang: LanguageRules) -> str:
    """The word before position `pos`, skipping one article or adjective: "von der Lufthansa" -> "von"."""
    words = text[max(0, pos - 40):pos].split()
    while len(words) > 1 and (lang.cues["stop_word"].fullmatch(words[-1]) or words[-1][:1].islower()
                              and words[-1].casefold() not in lang.words.get("PREPOSITION", set())):
        words = words[:-1]
        break
    return words[-1].casefold() if words else ""


def _arguments(article: Article, sentence: Sentence, mentions: list[Mention], lang: LanguageRules) -> list[Mention]:
    """The mentions that can be arguments: not a company's name used as a modifier ("a Cigna business")."""
    attributive = lang.words.get("ATTRIBUTIVE")
    if not attributive:
        return mentions
    out = []
    for m in mentions:
        if sentence.start <= m.start < sentence.end and m.kind in _ORG_KINDS:
            before = article.text[max(sentence.start, m.start - 4):m.start]
            if before.endswith(" ") and before[:-1].rsplit(" ", 1)[-1] in attributive:
                continue
        out.append(m)
    return out


def extract_claims(article: Article, sentences: list[Sentence], mentions: list[Mention],
                   rules: RuleSet, *, known_outlets: frozenset[str] = frozenset()) -> list[Claim]:
    """Every claim the relation rules read in the article's non-boilerplate sentences.

    The rules that name cited outlets run first, so that an implied
    organization ("CEO Jane Roe said") is never taken to be a news agency.
    """
    body = [s for s in sentences if not s.boilerplate]
    masked = [mask_sentence(article, s, _arguments(article, s, mentions, rules[s.language])) for s in body]
    # the readings of each sentence, with the rules whose words each contains: the same for both passes
    readings = [[(view, rules[s.language].prefilter("relations").candidates(view.text))
                 for view in reduced_sentences(m, rules[s.language])] for m, s in zip(masked, body)]
    outlets: set[str] = set()
    claims: dict[tuple, Claim] = {}
    unnamed = [_unresolved_description(article, s, mentions, rules[s.language]) for s in body]
    for citing in (True, False):
        context = ArticleContext(article.text, body, mentions, outlets, known_outlets, unnamed)
        for index, sentence in enumerate(body):
            lang = rules[sentence.language]
            people = sum(1 for m in masked[index].mentions if m.kind is EntityKind.PERSON)
            orgs = len(masked[index].mentions) - people
            sentence_claims: list[Claim] = []
            implied: set[int] = set()  # claims with an organization read from context
            qualifiers: list[tuple[RelationRule, dict[str, list[Value]]]] = []
            for view, runnable in readings[index]:
                for number, rule in enumerate(lang.relations):
                    if number not in runnable or rule.cites is not citing or rule.needs_people > people \
                            or rule.needs_orgs > orgs:
                        continue
                    for match in rule.regex.finditer(view.text):
                        if _after_preposition(rule, match, view.text, lang):
                            continue
                        reader = _MatchReader(article, body, index, view, match, lang, context)
                        values = reader.values(rule)
                        if values is None:
                            continue
                        if all(y.qualifies for y in rule.yields):
                            qualifiers.append((rule, values))
                            continue
                        made = _claims_from(rule, values, reader, sentence, lang)
                        if reader.implied:
                            implied.update(id(c) for c in made)
                        sentence_claims.extend(made)
            sentence_claims = _explicit_first(sentence_claims, implied, context)
            for rule, values in qualifiers:
                sentence_claims = [_qualify(c, rule, values) for c in sentence_claims]
            for claim in _drop_subsumed(sentence_claims):
                key = (claim.kind, claim.args, claim.evidence.start)
                if key not in claims or claims[key].evidence.confidence < claim.evidence.confidence:
                    claims[key] = claim
        if citing:
            outlets = {v.key for c in claims.values() for _, v in c.args if isinstance(v, EntityRef)}
    kept = _minority_stake_is_no_takeover(list(claims.values()), rules)
    return sorted(kept, key=lambda c: (c.evidence.start, c.kind, c.evidence.rule, repr(c.args)))


# "Übernahme" and "takeover" are used loosely for large stakes; below a
# majority, the stake the article states is the precise reading.
_MAJORITY = Decimal(50)


# A bid or an offer is a takeover attempt, whatever stake the bidder already holds.
_BID = re.compile(r"(?i)(?:angebot|gebot|offerte|\bbod\b|overnamebod|\bbid\b|\boffer\b|\btender\b|remaining|restlich|resterende)")


def _minority_stake_is_no_takeover(claims: list[Claim], rules: RuleSet) -> list[Claim]:
    """An acquisition of B by A named only by a noun ("die Übernahme von B durch A"), in an
    article that gives A a minority stake in B, becomes a candidate.

    The claim stays (its sentence does say "takeover"), with its confidence
    below the assertion threshold, so it shows as a candidate for review. A verb
    ("A kauft B") or a bid says more than the loose noun and stays asserted.
    """
    minority = set()
    for c in claims:
        stake = c.arg("stake") if c.kind == "investment" else None
        if isinstance(stake, Quantity) and stake.value < _MAJORITY:
            minority.add((c.arg("investor"), c.arg("target")))
    out = []
    verbs: dict[str, re.Pattern] = {}
    for c in claims:
        if c.kind == "acquired" and (c.arg("subject"), c.arg("object")) in minority:
            lang = rules[c.evidence.language]
            if lang.language not in verbs:
                verbs[lang.language] = re.compile(f"(?:{lang.macro('ACQVERB')}|{lang.macro('ACQEND')})(?!\\w)")
            if verbs[lang.language].search(c.evidence.quote) or _BID.search(c.evidence.quote):
                out.append(c)
                continue
            c = dataclasses.replace(c, evidence=dataclasses.replace(
                c.evidence, confidence=min(c.evidence.confidence, ASSERTION_THRESHOLD - 0.1)))
        out.append(c)
    return out


def _explicit_first(claims: list[Claim], implied: set[int], context: ArticleContext) -> list[Claim]:
    """A claim with an organization from context yields to one the sentence states outright.

    "Als Sachwalter ist Max Muster (Kanzlei Acme) bestellt": the one company
    in the sentence is Muster's own firm, which the bracket already states; the
    sentence does not say whose Sachwalter he is. It stays when the article is
    about that company, or when the stated role is a current one at the same
    company and the new one is another: a promotion ("Neuer Interimschef wird
    Karla Brenner, bisher Finanzvorständin von Velorix, …"),
    not a move ("Chief executive Jane Roe previously worked as a partner at Acme").
    """
    explicit = [c for c in claims if id(c) not in implied]
    keep = []
    for c in claims:
        if id(c) in implied:
            people = {v.key for k, v in c.args if isinstance(v, EntityRef) and k in ("member", "subject")}
            orgs = {v.key for k, v in c.args if isinstance(v, EntityRef)} - people
            if orgs != {context.topic} and any(_blocks(e, c, people, orgs) for e in explicit):
                continue
        keep.append(c)
    return keep


def _blocks(explicit: Claim, implied: Claim, people: set[str], orgs: set[str]) -> bool:
    """Whether a stated claim about the same person leaves no room for the implied one."""
    keys = {v.key for _, v in explicit.args if isinstance(v, EntityRef)}
    if not people & keys or (explicit.kind != implied.kind and not orgs & keys):
        return False
    if explicit.kind == "left" and orgs <= keys:
        # "Finanzchefin Jane Roe verlässt Acme": the title is the one she leaves (but "Finanzchef
        # John Doe wechselt zu Acme" names the post he holds before he joins)
        return False
    roles = {c.arg("role") for c in (explicit, implied)}
    promotion = (explicit.kind == implied.kind == "membership" and orgs <= keys and None not in roles
                 and len(roles) == 2 and explicit.arg("current") is not False)
    return not promotion


def _drop_subsumed(claims: list[Claim]) -> list[Claim]:
    """Within one sentence, a claim whose arguments another claim of its kind extends says nothing more."""
    keep = []
    for c in claims:
        mine = set(c.args)
        if any(o.kind == c.kind and mine < set(o.args) for o in claims):
            continue
        keep.append(c)
    return keep


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
    """Turns the groups of one match into values; notes what came from context, and from where."""

    def __init__(self, article: Article, body: list[Sentence], index: int, masked: Masked, match: re.Match,
                 lang: LanguageRules, context: ArticleContext):
        self.article, self.body, self.index = article, body, index
        self.masked, self.match, self.lang = masked, match, lang
        self.context = context
        self.factor = 1.0  # confidence lost to arguments read from context or anaphora
        self.implied = False  # an organization came from context, not from the sentence's words
        self.antecedent: tuple[int, int] | None = None
        self.bound: set[str] = set()
        self.surface: dict[str, str] = {}  # entity -> how this sentence writes it
        self.genitive: set[str] = set()  # slots holding one possessive name: "Fox's"

    def _titles_a_person(self, rule: RelationRule, slot: str) -> bool:
        """The slot's last name is the first part of a person's title ("[Acme]-Finanzvorstand Jane
        Roe") and the rule does not read that title: the name only says whose officer the person is."""
        if any(y.claim == "membership" and slot in y.args.values() for y in rule.yields):
            return False
        text, end = self.masked.text, self.match.end(slot)
        if not text.startswith("-", end):
            return False
        title = self.lang.cues["role_word"].match(text, end + 1)
        return title is not None and text.startswith(f" {OPEN}P", title.end())

    def values(self, rule: RelationRule) -> dict[str, list[Value]] | None:
        out: dict[str, list[Value]] = {}
        open_refs = []
        for slot, kind in rule.slots.items():
            text = self.match.group(slot)
            if text is None:
                continue
            if kind in ("ORGREF", "PERSONREF") and OPEN not in text:
                open_refs.append((slot, kind))  # resolved once the other arguments are bound
                continue
            if kind in _ENTITY_SLOTS:
                found = self.masked.mentions_in(text)
                if found and kind in ("ORG", "ORGS", "PARTY") and self._titles_a_person(rule, slot):
                    found = found[:-1]  # "gegen den Acme-Finanzvorstand Jane Roe": Roe, not Acme
                for m in found:
                    self._note(m)
                    self.surface[m.entity] = m.text
                if any(m.rule.endswith(".bare") for m in found):
                    # once for the slot: "stakes in Air Berlin, Aer Lingus and Alitalia" is one guess, not three
                    self.factor *= _bare_name_factor(self.lang)
                out[slot] = [EntityRef(m.entity) for m in found]
                if len(found) == 1 and text.rstrip().endswith(f"'{CLOSE}") and kind != "ORGPOSS":
                    self.genitive.add(slot)
                self.bound.update(m.entity for m in found)
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
        for slot, kind in open_refs:
            ref = self._open_reference(self.match.start(slot), _ORG_KINDS if kind == "ORGREF" else (EntityKind.PERSON,))
            if ref is None:
                return None
            out[slot] = [ref]
        return out

    def _open_reference(self, pos: int, kinds) -> EntityRef | None:
        """A description or pronoun two names could fit, once the rule's other arguments are ruled out:
        in "könnte Acme gezwungen sein, das Unternehmen zu übernehmen" the buyer is not what it buys."""
        before = {m.entity: m for m, p in _positions(self.masked) if p < pos and m.kind in kinds
                  and m.entity not in self.bound and m.entity not in self.context.outlets}
        if len(before) > 1:
            return None
        if before:
            (m,) = before.values()
            self.factor *= ANAPHOR_FACTOR
            self.implied = True
            self._note(m, alone=True)
        else:
            if kinds != _ORG_KINDS:
                return None
            implied = self.context_org()
            if implied is None:
                return None
            return implied
        self.bound.add(m.entity)
        return EntityRef(m.entity)

    def _note(self, mention: Mention, *, alone: bool = False) -> None:
        """An argument named by a description or a pronoun: less sure, and quote the name too.

        `alone`: the mention is the argument by itself (not one of a list read in a slot),
        so a name found by nothing but its capitals costs its own confidence here.
        """
        if alone and mention.rule.endswith(".bare"):
            self.factor *= _bare_name_factor(self.lang)
        if mention.antecedent is None:
            return
        self.factor *= ANAPHOR_FACTOR
        self._quote(mention.antecedent)

    def _quote(self, span: tuple[int, int]) -> None:
        sentence = self.body[self.index]
        if sentence.start <= span[0] and span[1] <= sentence.end:
            return
        holder = next((s for s in self.body if s.start <= span[0] and span[1] <= s.end), None)
        if holder is not None and self.antecedent is None:
            self.antecedent = (holder.start, holder.end)

    def possessor_org(self) -> EntityRef | None:
        """What "sein Chef" or "its CEO" points back to: the nearest organization named before it
        in the sentence that can be a subject.

        One after a preposition cannot ("Lufthansa hat Jets von Air Berlin für ihre Töchter
        gemietet": "ihre" is Lufthansa's, not the nearer Air Berlin's).
        """
        start = self.match.start()
        prepositions = self.lang.words.get("PREPOSITION", set())
        text = self.masked.text
        before = [m for m, pos in _positions(self.masked) if pos < start and m.kind in _ORG_KINDS
                  and m.entity not in self.bound and m.entity not in self.context.outlets
                  and _word_before(text, pos, self.lang) not in prepositions]
        if not before:
            return self.context_org()
        self.implied = True
        self.factor *= POSSESSOR_FACTOR
        self._note(before[-1], alone=True)
        self.bound.add(before[-1].entity)
        return EntityRef(before[-1].entity)

    def context_org(self, *, earlier_only: bool = False) -> EntityRef | None:
        """The organization the sentence implies (context.py), when exactly one fits."""
        implied = self.context.implied_org(self.index, self.bound, earlier_only=earlier_only)
        if implied is None:
            return None
        self.implied = True
        self.factor *= implied.factor
        if implied.antecedent is not None:
            self._quote(implied.antecedent)
        self.bound.add(implied.entity)
        return EntityRef(implied.entity)


_ENTITY_SLOTS = ("PERSON", "PERSONS", "PERSONREF", "PARTY", "ORG", "ORGS", "ORGREF", "ORGPOSS", "UNIT")
ANAPHOR_FACTOR = 0.85  # an argument named by "the bank" or "he", resolved in anaphora.py
BARE_NAME_FACTOR = 0.9  # an organization named by nothing but its capitals (names.py, _bare_names)
# German capitalizes every noun: a bare word there is a name only by the word model's guess,
# which on articles no rule was written from was right for fewer than half of the relationships
# it carried (3 of 7 on the held-out and second probe sets). Alone it makes a candidate.
GERMAN_BARE_NAME_FACTOR = 0.65
POSSESSOR_FACTOR = 0.9  # "sein Chef": the nearest organization before the possessive


def _bare_name_factor(lang: LanguageRules) -> float:
    return GERMAN_BARE_NAME_FACTOR if lang.language == "de" else BARE_NAME_FACTOR


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
    # the scale after the number, with or without a space: "8.5 billion", "8.5bn"
    glued = re.match(r"[^\W\d_]+", rest[num_match.end():])
    for word in [glued.group(0)] if glued else tail.split()[:1]:
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


# Roles of people who speak about a company without working for it: never given a company from context.
_OUTSIDER_ROLES = {"analyst"}


def _role(y, values: dict[str, list[Value]]) -> str | None:
    slot = y.args.get("role")
    found = values.get(slot) if slot else None
    if found and isinstance(found[0], RoleRef):
        return found[0].role
    fixed = y.fixed.get("role")
    return str(fixed) if fixed else None


def _claims_from(rule: RelationRule, values: dict[str, list[Value]], reader: _MatchReader,
                 sentence: Sentence, lang: LanguageRules) -> list[Claim]:
    out = []
    if rule.requires == "outlet" and not all(_named_like_outlet(v, reader, lang) for vals in values.values()
                                             for v in vals if isinstance(v, EntityRef)):
        return out
    implied_refs: dict[str, EntityRef | None] = {}
    for y in rule.yields:
        schema = CLAIM_KINDS[y.claim]
        if y.pairs:
            members = sorted({v.key for v in values.get(y.pairs, []) if isinstance(v, EntityRef)})
            for a, b in itertools.combinations(members, 2):
                out.append(Claim(y.claim, (("object", EntityRef(b)), ("subject", EntityRef(a))),
                                 _evidence(reader, rule, sentence, lang)))
            continue
        lists: list[tuple[str, list[Value]]] = []
        missing = False
        for arg, slot in y.args.items():
            if slot in ("@context", "@possessor", "@earlier"):
                if y.claim == "membership" and _role(y, values) in _OUTSIDER_ROLES:
                    missing = True  # "Analyst Jane Roe said Acme …": analysts speak about companies, not for them
                    break
                if slot not in implied_refs:  # one match implies one organization, for all its yields
                    implied_refs[slot] = reader.possessor_org() if slot == "@possessor" else \
                        reader.context_org(earlier_only=slot == "@earlier")
                ref = implied_refs[slot]
                if ref is None:
                    missing = True
                    break
                lists.append((arg, [ref]))
            elif values.get(slot):
                if (y.claim, arg) in _NO_POSSESSOR and slot in reader.genitive:
                    missing = True  # "Disney's acquisition of Fox's entertainment assets": not Fox itself
                    break
                lists.append((arg, values[slot]))
            elif schema[arg] in ("person", "org", "unit", "role", "party"):
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


def _named_like_outlet(ref: EntityRef, reader: _MatchReader, lang: LanguageRules) -> bool:
    """A news outlet: known as one, or named with a word outlets use ("… Times", "… Zeitung")."""
    if ref.key in reader.context.known_outlets:
        return True
    if lang.cues["outlet_name"].search(reader.surface.get(ref.key, "")):
        return True
    # described as one right before its name: "die Nachrichtenagentur Dorpat", "the newspaper Le Gazette"
    masked = reader.masked
    for m, pos in _positions(masked):
        if m.entity == ref.key:
            words = masked.text[max(0, pos - 40):pos].split()
            if words and lang.cues["outlet_name"].fullmatch(words[-1].strip("„“\"«»")):
                return True
    return False


def _with_status(args, reader: _MatchReader, lang: LanguageRules, sentence: Sentence):
    """Current, former or future, when the sentence says so about this role."""
    if any(a == "current" for a, _ in args):
        return args
    role = next((v for a, v in args if a == "role"), None)
    if role is not None and role.role in ("founder", "co-founder"):
        return args  # a founder stays a founder
    text = reader.masked.text
    role_pos = None
    # the role word: the first match of the role alternation inside the match
    m_text = reader.match.group(0)
    for r in re.finditer(lang.role_pattern(), m_text) if role is not None else ():
        if lang.role_of(r.group(0)) == role.role:
            role_pos = reader.match.start() + r.start()
            break
    if role_pos is None:
        return _with_tense(args, reader, lang)
    window = text[max(0, role_pos - 40):role_pos]
    member = next((v for a, v in args if a == "member"), None)
    person_pos = [p for m, p in _positions(reader.masked) if m.kind is EntityKind.PERSON
                  and (member is None or m.entity == getattr(member, "key", None))] \
        or [p for m, p in _positions(reader.masked) if m.kind is EntityKind.PERSON]
    member_pos = min(person_pos) if person_pos else None
    if member_pos is not None and member_pos < role_pos:
        window = text[member_pos:role_pos]
    # "Y … to succeed outgoing finance chief X": for Y, named before the role, a word of
    # leaving after the word of succession is said of the predecessor
    succession = member_pos is not None and member_pos < role_pos and lang.cues["succeed"].search(window)
    if not succession and lang.cues["former"].search(window):
        return args + [("current", False)]
    # "Roe löste den langjährigen Chef Doe ab", "Roe replaces chief executive Doe": the person
    # named after a title that a word of replacing governs is the predecessor
    if member_pos is not None and member_pos > role_pos and lang.cues["predecessor_before_title"].search(
            text, max(0, role_pos - 60), role_pos):
        return args + [("current", False)]
    if lang.cues["future"].search(_match_clause(reader)):
        return args  # taken up later: neither held now nor no longer (the evidence says future)
    if lang.cues["current"].search(window):
        return args + [("current", True)]
    # "… legt sein Amt nieder": leaving, when only one person is in the sentence
    # but not in a clause of time after the match ("… when the current CEO retires"), nor
    # after a word of succession ("… replaces the retiring chairman")
    said = text
    later = lang.cues["time_clause"].search(text, reader.match.end())
    if later:
        said = text[:later.start()]
    if len({m.entity for m, _ in _positions(reader.masked) if m.kind is EntityKind.PERSON}) == 1 \
            and lang.cues["leave"].search(said) and not lang.cues["succeed"].search(said):
        return args + [("current", False)]
    # a title before a name, in a sentence about the present: held now
    return args + [("current", True)]


def _with_tense(args: list[tuple[str, Value]], reader: _MatchReader, lang: LanguageRules) -> list[tuple[str, Value]]:
    """A membership the rule reads without a title ("Jane Roe (Acme)", "Roe worked at Acme"):
    former when its own words say so or speak of the past, unknown when of the future, else
    current, as news writes of the present."""
    said = reader.match.group(0)
    if lang.cues["former"].search(said) or lang.cues["past"].search(said):
        return args + [("current", False)]
    if lang.cues["future"].search(_match_clause(reader)) or lang.cues["leave"].search(said):
        return args
    return args + [("current", True)]


def _match_clause(reader: _MatchReader) -> str:
    """The clause of a match, with a little before it: where a word of the future speaks of it."""
    text = reader.masked.text
    return text[max(0, reader.match.start() - 30):_clause_end(text, reader.match.end())]


# a subordinate clause after the match has its own negation: "zei dat KPN niet zocht"
_SUBORDINATE = re.compile(r"(?<!\w)(?:dass|dat|that|weil|omdat|because|obwohl|hoewel|although|while|während|terwijl)(?!\w)")


def _clause_end(text: str, pos: int) -> int:
    # a comma between digits ("2,4 Milliarden") ends no clause
    end = pos + next((i for i, ch in enumerate(text[pos:]) if ch in ";:–" or ch == "," and not (
        text[pos + i - 1:pos + i].isdigit() and text[pos + i + 1:pos + i + 2].isdigit())), len(text) - pos)
    sub = _SUBORDINATE.search(text, pos, end)
    return sub.start() if sub else end


def _positions(masked: Masked):
    return [(masked.mentions[int(m.group(2))], m.start()) for m in _PLACEHOLDER.finditer(masked.text)]


def _evidence(reader: _MatchReader, rule: RelationRule, sentence: Sentence, lang: LanguageRules) -> Evidence:
    text = reader.masked.text
    m = reader.match
    # German and Dutch put "nicht"/"niet" at the end of the clause: the negation's
    # scope runs from the match to the next clause boundary.
    clause_end = _clause_end(text, m.end())
    if rule.cites:
        # "laut Reuters", "according to Bloomberg": the attribution is the claim, not a hedge on it
        hedged = negated = conditional = future = False
    elif rule.phrase:
        # "könnte Lufthansa-Chef Carsten Spohr …": the title holds whatever the verb supposes;
        # a report's hedge still covers the whole sentence
        hedged = bool(lang.cues["hedge"].search(text))
        negated = conditional = future = False
    else:
        hedged = bool(lang.cues["hedge"].search(text))
        negated = not rule.negative and bool(lang.cues["negation"].search(text[m.start():clause_end]))
        conditional = bool(lang.cues["conditional"].search(text[:m.end()]))
        future = bool(lang.cues["future"].search(text[max(0, m.start() - 30):clause_end]))
    confidence = rule.confidence * reader.factor
    article = reader.article
    return Evidence(article.path, sentence.start, sentence.end, article.text[sentence.start:sentence.end],
                    sentence.language, rule.id, round(confidence, 2), hedged, negated, conditional, future,
                    reader.antecedent)
