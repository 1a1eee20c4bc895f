"""Find the people and organizations an article names that the registry does not know.

In: an article's sentences and its registry mentions. Out: `NameHit`s, each
with the rule that decided it. Per sentence, three steps:

1. Candidates: runs of capitalized words with the connectors names take
   ("Procter & Gamble", "Bank of America", "Jan de Vries"), cut at words that
   are never names (sentence openers, months, places, role words, descriptions
   such as "Autobauer"); and the first part of a hyphen compound whose head
   says it is a company ("Bayer-Chef", "ING-topman", "Adidas-Aktie").
2. Shape: a legal form, an organization head word, "&", or a given name
   (Faker's lists) before a family name decides the kind.
3. Context: the name rules of `names.jsonl` see the sentence with the
   undecided candidates masked as ⟨N…⟩ and decide the rest ("der Autobauer
   ⟨N⟩", "⟨N⟩ übernimmt", "CEO ⟨N⟩ ⟨N⟩"). German capitalizes every noun, so a
   capitalized word alone is never a name: only shape or context makes it one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .namelists import NameLists, load_name_lists
from .resolve import NameHit
from .rules import CLOSE, OPEN, LanguageRules, RuleSet
from .types import Article, EntityKind, Mention, Sentence
from .wordclass import german_word_class, is_english_word, is_function_word

# A word: letters and digits with the inner marks names use ("N.V", "Takeaway.com",
# "Brink-Daamen", "O'Neill", "AT&T", "Kühne+Nagel"); or a free-standing & or +.
_TOKEN = re.compile(r"[^\W_](?:[\w'’.&+/-]*[^\W_])?|[&+]")
_GENITIVE = ("'s", "’s")
# the first part of "Bayer-Chef": a word, or digits with letters ("3M"), not "49-Prozent"
_COMPOUND_FIRST = re.compile(r"[^\W\d_][\w&.+'’-]*|\d+[A-Za-z][\w]*")
_ACRONYM = re.compile(r"[A-ZÄÖÜ][A-ZÄÖÜ0-9&]{1,5}")
_INITIAL = re.compile(r"[A-ZÀ-Þ]\.(?:[A-ZÀ-Þ]\.)*")
# a capital after lower-case letters inside one word; not a family name's prefix ("McAllister",
# "DeVries", "LeBlanc", "O'Neill" has no such capital)
_INNER_CAPITAL = re.compile(r"(?!(?:Mc|Mac|De|Di|Da|Du|Le|La|Van|Von|Fitz)[A-Z])[A-ZÄÖÜ][a-zäöüß]+[A-ZÄÖÜ][A-Za-zäöüß]*")
_AS_ROLE = re.compile(r",? (?:als|as) (?:(?:neue[rn]?|new|nieuwe|interim|künftige[rn]?|future|designierte[rn]?) )?")
_KIND_LETTER = {EntityKind.PERSON: "P", EntityKind.ORGANIZATION: "O", EntityKind.UNIT: "U"}
MAX_RUN = 8  # a name of more words is a headline in title case, not a name


@dataclass
class _Token:
    start: int  # offset in the article
    end: int
    text: str


@dataclass
class Candidate:
    tokens: list[_Token]
    start: int
    end: int
    text: str
    hint: str | None = None  # "org" when a compound head vouches for it


_REGION = re.compile(r"(?:(?:North|South|East|West|Northern|Southern|Eastern|Western|Central|Nord|Süd|Ost|Mittel|"
                     r"Noord|Zuid|Oost|Midden)[- ]?)?(.+?)(?: (?:County|Province|Region|State))?")
_CURRENCY_NAMES = frozenset({"Dollar", "Euro", "Pound", "Yen", "Franc", "Peso"})
_FOLLOWING_WORDS = re.compile(r"(?: [A-ZÄÖÜ](?:[\w&.-]*[\w&])?){1,3}(?![\w-])")


def _capitalized(word: str) -> bool:
    if "-" in word and word.rsplit("-", 1)[1][:1].islower():
        return False  # "ASE-listed", "Berlin-based": an adjective, not a name
    first = word[0]
    if first.isupper():
        return True
    if first.isdigit():  # "3M", "1&1"
        return any(c.isupper() for c in word) and any(c.isalpha() for c in word)
    return len(word) > 2 and any(c.isupper() for c in word[1:3])  # "eBay", "iPhone"


_FAMILY_PARTICLES = frozenset({"Van", "Von", "Ter", "Ten", "Vander", "Vanden"})


def _cut_word_end(text: str, lang: LanguageRules, lists: NameLists) -> int:
    """Where a text cut off inside a word ends, else -1.

    An excerpt or a teaser stops at a length, inside a word ("… an der Spitze
    des Dax-K"), and that piece of a word is never a name. Only a long text
    whose last paragraph is prose stopping without a full stop is taken for
    one: a headline alone, a short last line ("Source: BBC News") and a credit
    ("© SZ / Reuters", "Reporting by …; Editing by …") end on whole names, and
    so does a word a list or the word model knows ("… beim Finanzinvestor
    Quentix Capital").
    """
    end = len(text.rstrip())
    start = text.rfind("\n", 0, end) + 1
    last_line = text[start:end]
    if end < _CUT_TEXT_LENGTH or not start or not text[end - 1].isalnum() or len(last_line.split()) < 6 \
            or any(mark in last_line for mark in _CREDIT_MARKS):
        return -1
    last = last_line.rsplit(None, 1)[-1].rsplit("-", 1)[-1]
    w = lang.words
    if last in w.get("ORGHEAD", set()) or last in w.get("LEGALFORM", set()) or last in lists.given \
            or last in lists.family or lang.language == "de" and german_word_class(last) == "common":
        return -1
    return end


_CUT_TEXT_LENGTH = 1000
_CREDIT_MARKS = ("©", "/", ":", ";", "|", "Reporting by", "reporting by", "Editing by", "editing by")


class _SentenceNames:
    """Candidates of one sentence and the decisions about them."""

    def __init__(self, article: Article, sentence: Sentence, lang: LanguageRules, lists: NameLists,
                 blocked: list[tuple[int, int]], title_words: set[str] | None = None, cut_at: int = -1):
        self.article, self.sentence, self.lang, self.lists = article, sentence, lang, lists
        # a headline in title case ("Acme Wins $1bn Order From Beta"): only words the article
        # also capitalizes inside its sentences can be part of a name
        self.title_words = title_words
        self.text = article.text
        self.blocked = blocked
        w = lang.words
        self.notname = w.get("NOTNAME", set())
        self.heads = w.get("ORGHEAD", set())
        self.prefixes = w.get("ORGPREFIX", set())
        self.legal = w.get("LEGALFORM", set())
        self.particles = w.get("PARTICLE", set())
        self.honorific = w.get("HONORIFIC", set())
        self.stop_regex = lang.cues["stop_word"]
        self.cut_at = cut_at  # where the article stops inside a word (_cut_word_end)

    # ------------------------------------------------------------ step 1
    def candidates(self) -> list[Candidate]:
        s, text = self.sentence, self.text
        tokens = [_Token(m.start(), m.end(), m.group(0))
                  for m in _TOKEN.finditer(text, s.start, s.end)]
        breaks = self._breaks(s.start, s.end)
        out: list[Candidate] = []
        run: list[_Token] = []
        pending: list[_Token] = []  # connectors waiting for the next capitalized word

        def close():
            if run:
                out.extend(self._split(list(run)))
            run.clear()
            pending.clear()

        for i, tok in enumerate(tokens):
            if tok.end == self.cut_at:
                close()
                continue
            gap = text[tokens[i - 1].end:tok.start] if i else ""
            word = tok.text
            if word.endswith(_GENITIVE):
                word = word[:-2]
            compound = self._compound_head(word) if not self._inside(tok, self.blocked) else None
            if compound is None and self._inside(tok, breaks):
                close()
                continue
            if compound is not None:
                # "Bayer-Chef", "ING-topman": the part before the head is a company,
                # with the capitalized words right before it ("Delta Fiber-directeur")
                if compound[1] > 0:
                    a, b = tok.start + compound[0], tok.start + compound[1]
                    part = _Token(a, b, text[a:b])
                    before = list(run) if run and gap == " " and not pending and compound[0] == 0 else []
                    nationality = self.lang.words.get("NATIONALITY", ())
                    while before and (before[0].text in nationality or self.stop_regex.fullmatch(before[0].text)
                                      or self._place_adjective(before[0].text)):
                        before = before[1:]
                    run.clear()
                    pending.clear()
                    words = before + [part]
                    out.append(Candidate(words, words[0].start, part.end, text[words[0].start:part.end], hint="org"))
                else:
                    close()
                continue
            if run and gap != " " and not (gap == "" and word in "&+") and not self._middle_initial(run, gap):
                close()
            if word in ("&", "+") or (run and self._connects(run, word)):
                if run:
                    pending.append(tok)
                continue
            if _capitalized(word) and (word not in self.notname or word.lower() in self.particles or run and not pending and (
                    word in self.legal or word + "." in self.legal or self._before_legal_form(tok)
                    or word in self.lists.places) or self._currency_in_name(tokens, i)) and (
                    self.title_words is None or word in self.title_words or _ACRONYM.fullmatch(word)
                    or word in self.lists.given or word in self.legal or word in self.heads):
                if pending:
                    run.extend(pending)
                    pending.clear()
                run.append(_Token(tok.start, tok.start + len(word), word))
                if tok.text != word:  # a genitive closes the name
                    close()
                continue
            close()
        close()
        return out

    def _in_dateline(self, cand: Candidate) -> bool:
        """Inside the place part of a dateline: "MENLO PARK / LONDON (IT BOLTWISE) –"."""
        head = self.text[self.sentence.start:cand.end]
        return head.upper() == head and bool(_DATELINE_PLACE.match(self.text, self.sentence.start, self.sentence.end))

    def _common(self, word: str) -> bool:
        """A common word: German's word model says so, or the lexicon's words that are never names."""
        return word in self.notname or self.lang.language == "de" and german_word_class(word) == "common"

    def _name_particle(self, run: list[_Token]) -> bool:
        """A particle opening a company's name, not a sentence: "Van Rooij & Partners", "Van Dam Transport"."""
        # only particles of family names; "De", "Der", "The" before a name are mostly the article
        # ("De Orlanda Labs van", "Der Finanz Kurier berichtete")
        if len(run) < 2 or run[0].text not in _FAMILY_PARTICLES or not run[1].text[:1].isupper():
            return False
        if any(t.text in ("&", "+") or t.text in self.heads or t.text in self.legal for t in run[2:]):
            return True
        # "Van Rijswijk", "Von Braun": a family name; not an article before a word ("De Franse", "Der Konzern")
        second = run[-1].text
        return second not in self.notname \
            and second not in self.lang.words.get("NATIONALITY", ()) and not second.endswith(("se", "sche"))

    def _place_adjective(self, word: str) -> bool:
        """A German adjective of a place before a name: "die Münchner Thalberg-Einheit"."""
        return self.lang.language == "de" and word.endswith("er") and german_word_class(word) == "common"

    def _town_adjective(self, word: str) -> bool:
        """A German adjective made of a town's or country's name: "Frankfurter", "Münchner", "Bremer"."""
        if self.lang.language != "de" or not word.endswith("er") or len(word) < 5 or word in self.lists.given \
                or word in self.lists.family:
            return False  # "Walter", "Peter", "Fischer": names that end like one
        places = self.lists.places
        towns = self.lists.towns
        return any(stem in places or stem in towns for stem in (word[:-2], word[:-2] + "en", word[:-3] + "en"))

    def _german_genitive(self, last: _Token) -> bool:
        """A family name in the German genitive: ends in s and a common noun follows ("Rehfelds Posten")."""
        word = last.text
        if not word.endswith("s") or word.endswith(("ss", "ß")) or len(word) < 4 or word in self.lists.family:
            return False
        m = _TOKEN.match(self.text, last.end + 1) if self.text[last.end:last.end + 1] == " " else None
        return bool(m) and m.group(0)[:1].isupper() and german_word_class(m.group(0)) == "common"

    def _before_legal_form(self, tok: _Token) -> bool:
        """Whether a legal form follows the word: "Brandt Daten GmbH" is one name, though "Daten" alone is none."""
        m = _TOKEN.match(self.text, tok.end + 1) if self.text[tok.end:tok.end + 1] == " " else None
        return bool(m) and (m.group(0) in self.legal or m.group(0) + "." in self.legal)

    def _currency_in_name(self, tokens: list[_Token], i: int) -> bool:
        """A currency's name inside a company's, before another capitalized word that may be a
        name: "Dollar Tree", "Family Dollar Stores" (alone it is no name: "the Dollar fell")."""
        if tokens[i].text not in _CURRENCY_NAMES or i + 1 >= len(tokens):
            return False
        nxt = tokens[i + 1]
        return self.text[tokens[i].end:nxt.start] == " " and _capitalized(nxt.text) and nxt.text not in self.notname

    def _middle_initial(self, run: list[_Token], gap: str) -> bool:
        """An initial between a given and a family name: "Sebastian C. Schulte", also after a
        German title the run began with ("Vorstände Gerhard K. Girner")."""
        return gap == ". " and len(run) >= 2 and run[-2].text in self.lists.given \
            and len(run[-1].text) == 1 and run[-1].text.isupper()

    def _connects(self, run: list[_Token], word: str) -> bool:
        """A lower-case word inside a name: a particle after given names ("Jan de Vries",
        "Ursula von der Leyen"), or "of"/"van" after an organization head ("Bank of America")."""
        if word in self.particles and all(t.text in self.lists.given or t.text.lower() in self.particles
                                          or _INITIAL.fullmatch(t.text) or t.text in self.honorific for t in run) \
                and any(t.text in self.lists.given for t in run):
            return True
        # a second Dutch given name the lists do not know: "Jan Kees de Jager" (not "Jan Smit de …",
        # where the run already ends in a family name, nor "Jan Smit van Acme": "van" is also "of";
        # German "das", "der" are articles: "Petra Kluge das Haus")
        if self.lang.language == "nl" and word in ("de", "den", "ter", "ten", "te") and len(run) == 2 \
                and run[0].text in self.lists.given \
                and not any(run[1].text in names for names in (self.lists.given, self.lists.family, self.notname,
                                                                self.heads, self.legal)):
            return True
        return word in ("of", "van", "für", "voor") and run[-1].text in self.heads \
            and run[-1].text not in self.lang.words.get("UNITHEAD", ())  # "the Quantum Labs of Acme": two names

    def _breaks(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans no name crosses: registry mentions, role words, descriptions of organizations."""
        spans = list(self.blocked)
        for regex in (self.lang.cues["role_word"], self.lang.cues["org_description"], self.lang.cues["frame_noun"]):
            for m in regex.finditer(self.text, start, end):
                if self.text[max(start, m.start() - 2):m.start()] in ("& ", "+ "):
                    continue  # "Schneider Geiwitz & Partner": part of a firm's name
                word = m.group(0)
                if regex is self.lang.cues["org_description"] and "-" in word and word[0].isupper() \
                        and word.rsplit("-", 1)[1] in self.heads and not self._common(word.split("-", 1)[0]):
                    continue  # "Eckhart-Stiftung": a name with its head, not a description
                if self.lang.language == "de" and regex is self.lang.cues["org_description"] \
                        and " " not in m.group(0) and german_word_class(m.group(0)) == "name":
                    continue  # "Brunnhaus": a name that ends like a description ("Softwarehaus") is still a name
                prev = re.search(r"([A-ZÄÖÜ][\w.&'’-]*) $", self.text[max(start, m.start() - 40):m.start()])
                if prev and prev.group(1) in self.lists.given and " " not in m.group(0):
                    continue  # "Claudia Feldhaus": a family name that ends like a description
                if m.group(0) in self.heads and regex is not self.lang.cues["role_word"] and prev \
                        and not self.stop_regex.fullmatch(prev.group(1)) and prev.group(1) not in self.notname \
                        and not self._names_after(m.end()):
                    continue  # "Austrian Airlines": a head word ending a name, though alone it describes
                if regex is self.lang.cues["frame_noun"] and self._opens_company_name(m.end(), end):
                    continue  # "Allianz Capital Partners": a noun of the relation frames opening a company's name
                if self.lang.language != "de" and m.group(0)[:1].isupper() and regex is not self.lang.cues["role_word"] \
                        and self.text[max(start, m.start() - 2):m.start()].strip() not in ("", ".", "!", "?", ":", "\"", "„", "“"):
                    continue  # Dutch and English write descriptions in lower case: "Westerbank" is a name
                spans.append((m.start(), m.end()))
        return sorted(spans)

    def _names_after(self, pos: int) -> bool:
        """A German description's name follows it: "der Kölner Verlag Brandara" (a head word
        that also describes, then a name that is no head, legal form or place)."""
        if self.lang.language != "de":
            return False
        after = _TOKEN.match(self.text, pos + 1) if self.text[pos:pos + 1] == " " else None
        if after is None or not after.group(0)[:1].isupper():
            return False
        word = after.group(0)
        return word not in self.heads and word not in self.legal and word not in self.lists.places \
            and word not in self.lists.towns and not self.stop_regex.fullmatch(word) and not self._common(word)

    def _opens_company_name(self, pos: int, end: int) -> bool:
        """Capitalized words follow up to an organization head or a legal form: "… Capital Partners"."""
        m = _FOLLOWING_WORDS.match(self.text, pos, end)
        if not m:
            return False
        last = m.group(0).split()[-1]
        return last in self.heads or last in self.legal

    @staticmethod
    def _inside(tok: _Token, spans) -> bool:
        return any(a < tok.end and tok.start < b for a, b in spans)

    def _compound_head(self, word: str) -> tuple[int, int] | None:
        """The span of X in "X-Chef" when the head says X is a company: (start, end) in the word,
        (0, 0) when the word is such a compound but X is no name, None when it is no such compound."""
        cut = word.rfind("-")
        if cut <= 0 or cut == len(word) - 1:
            return None
        head = word[cut + 1:]
        # the head is a word of the list or any title ("Personalchef", "Vertriebsvorstand")
        if not (self.lang.cues["compound_head"].fullmatch(head) or self.lang.cues["role_word"].fullmatch(head)) \
                or self.lang.cues["role_word"].fullmatch(word):
            return None  # "Vize-Vorstandschef" is one title
        start, first = 0, word[:cut]
        former = re.match(r"(?:[Ee]x|[Oo]ud|Alt)-(?=\w)", first)
        if former:
            # "Ex-Acme-Chef", "Oud-Acme-directeur": a former head of Acme
            start, first = former.end(), first[former.end():]
        while "-" in first and first.rsplit("-", 1)[1] in self.lists.places:
            first = first.rsplit("-", 1)[0]  # "VW-China-Chef": the company is VW
        if self.lang.language == "de" and not _ACRONYM.fullmatch(first) \
                and (self.lang.cues["frame_noun"].fullmatch(head) or "-" not in first) \
                and not re.search(rf"(?<![\w-]){re.escape(first)}(?![\w-])", self.text) \
                and german_word_class(first.rsplit("-", 1)[-1]) == "common":
            # "Hausgeräte-Tochter", "Stadtwerke-Chef": a common noun before the head, which the
            # article never names alone; "Acme-Tochter" is Acme's, "Post-Chef" beside "Deutsche Post",
            # and a name of several parts is one ("IG-Metall-Vorsitzender", "Deutsche-Bank-Chef")
            return 0, 0
        if not _COMPOUND_FIRST.fullmatch(first) or not _capitalized(first) or first in self.notname \
                or first in self.lists.places or first.replace("-", " ") in self.lists.places \
                or first.upper() == first and len(first) <= 2 \
                or first in self.lang.words.get("COMMONABBREV", ()):  # "US-Bank", "EU-Kommission", "ICT-tak"
            return 0, 0
        return start, start + len(first)

    def _split(self, run: list[_Token]) -> list[Candidate]:
        """A run of capitalized words as one or more candidates."""
        # "das Zürcher Unternehmen", "der Schweizer Logistikdienstleister": a city's
        # adjective before a description, not a name
        if len(run) == 1 and self.lang.language == "de" and run[0].text.endswith("er") \
                and self.lang.cues["org_description"].match(self.text, run[0].end + 1):
            return []
        # "Deutschlands größter Versicherer": a place's genitive, not a name
        if len(run) == 1 and run[0].text.endswith("s") and run[0].text[:-1] in self.lists.places:
            return []
        # leading sentence openers and function words ("Die", "Auch", "Ook") are not the name
        while run and self.stop_regex.fullmatch(run[0].text) and not self._name_particle(run):
            run = run[1:]
        # nor forms of address and titles of rank before a given name ("Crown Prince Mohammed bin
        # Salman", "Sheikh Tamim"); "Crown Resorts" keeps its first word
        first_given = next((i for i, t in enumerate(run) if t.text in self.lists.given), None)
        if first_given and all(t.text in self.honorific for t in run[:first_given]) \
                and not any(t.text in self.heads or t.text in self.legal for t in run):
            run = run[first_given:]  # ("The Prince Albert Foundation" is a foundation's name)
        # "Franse krant", "Norwegian company Equinor": a nationality before a name is not
        # part of it, unless the name needs it ("British Airways", "Deutsche Bank")
        nationality = self.lang.words.get("NATIONALITY", ())
        # (but an adjective and a head word alone are one name: "Europese Commissie"; and "-sche",
        # the old spelling, is a name's: "De Nederlandsche Bank", "Deutsche Telekom")
        if len(run) > 1 and self.lang.language == "nl" and run[0].text.endswith("se") and len(run[0].text) > 5 \
                and run[0].text not in self.heads and run[0].text not in self.lists.given and run[1].text[:1].isupper() \
                and not (len(run) == 2 and run[1].text in self.heads):
            run = run[1:]  # "het Duitse Tekla Systems", "het Brabantse Vanderlande": an adjective of a place
        if run and run[0].text in nationality:
            rest = [t.text for t in run[1:]]
            if not rest or not (rest[-1] in self.heads or self._legal_form_start(self._candidate(run)) is not None):
                run = run[1:]
        # "die Frankfurter Mainova": a German adjective of a place before a name is not part of it,
        # unless the name needs it ("Berliner Volksbank", "Hamburger Sparkasse AG")
        if len(run) > 1 and self._town_adjective(run[0].text) and run[-1].text not in self.heads \
                and not self.lang.cues["org_description"].fullmatch(run[-1].text) \
                and self._legal_form_start(self._candidate(run)) is None:
            run = run[1:]
        while run and run[-1].text in self.particles | {"&", "+", "of"}:
            run = run[:-1]
        # "Tobias Rehfelds Posten": a German common noun after a person's name is not part of it
        # (after a company's it may be: "Korvane Netz", "Senntal Molkerei")
        first = next((i for i, t in enumerate(run) if t.text in self.lists.given), None)
        # (the given name may follow a description the run starts with: "Medienmoguls Leo Kirch")
        while self.lang.language == "de" and first is not None and len(run) - first > 2 \
                and run[-1].text not in self.heads and run[-1].text not in self.legal \
                and run[-2].text not in self.lists.given and run[-2].text not in self.particles \
                and german_word_class(run[-1].text) == "common":
            run = run[:-1]
        if not run or len(run) > MAX_RUN:
            return []
        return [self._candidate(run)]

    def _candidate(self, run: list[_Token]) -> Candidate:
        start, end = run[0].start, run[-1].end
        return Candidate(run, start, end, self.text[start:end])

    # ------------------------------------------------------------ step 2
    def by_shape(self, cand: Candidate) -> list[NameHit]:
        """Hits that the candidate's own words decide; [] when they do not."""
        words = [t.text for t in cand.tokens]
        text = cand.text
        if cand.hint == "org":
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.compound")] \
                if self._plausible_org(words) else []
        if text in self.lists.places:
            return []
        legal = self._legal_form_start(cand)
        if legal is not None:
            if legal <= cand.start:
                return []
            name_end = legal
            while self.text[name_end - 1] in " ,":
                name_end -= 1
            return [NameHit(cand.start, name_end, self.text[cand.start:name_end], EntityKind.ORGANIZATION,
                            f"{self.lang.language}.name.shape.legal_form")]
        if any(w in ("&", "+") for w in words) or any(("&" in w or "+" in w) and len(w) > 1 for w in words):
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.ampersand")]
        if len(words) == 1 and _ACRONYM.fullmatch(text) and text not in self.lang.words.get("COMMONABBREV", ()) \
                and text.title() not in self.lists.places and not self._in_dateline(cand):  # "LONDON" in a dateline
            # "KPN", "EQT", "BASF": an abbreviation in capitals names an organization
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.acronym")]
        if len(words) == 1 and _INNER_CAPITAL.fullmatch(text) and not self._in_dateline(cand):
            # "AccorHotels", "BlackRock": a capital inside a word marks a brand, not a person or a noun
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.inner_capital")]
        if len(words) >= 2 and all(_ACRONYM.fullmatch(w) for w in words) and not self._in_dateline(cand) \
                and not any(w in self.lang.words.get("COMMONABBREV", ()) for w in words):
            # "Mocht EQT KPN in handen krijgen": two companies' abbreviations side by side
            return [NameHit(t.start, t.end, t.text, EntityKind.ORGANIZATION, f"{self.lang.language}.name.shape.acronym")
                    for t in cand.tokens]
        if len(words) >= 4 and words[0] in self.lists.given and words[1] not in self.heads \
                and (words[-1] in self.heads or self._legal_form_start(cand) is not None):
            # "richtte Jeroen Bakker Kwint Software op": a person, then the company he founded
            person = Candidate(cand.tokens[:2], cand.start, cand.tokens[1].end, self.text[cand.start:cand.tokens[1].end])
            rest = Candidate(cand.tokens[2:], cand.tokens[2].start, cand.end, self.text[cand.tokens[2].start:cand.end])
            return self.by_shape(person) + self.by_shape(rest)
        if len(words) == 1 and "-" in text and text.rsplit("-", 1)[1] in self.heads and text[0].isupper() \
                and not _ACRONYM.fullmatch(text.split("-")[0]) and text.split("-")[0] not in self.notname:
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.org_head")]  # "Eckhart-Stiftung"
        if len(words) >= 2 and words[0] in self.lang.words.get("AUTHORITY", ()) \
                and " ".join(words[1:]) in self.lists.places:
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.authority")]  # "Staatsanwaltschaft Köln"
        if len(words) >= 2 and words[-1] in self.lang.words.get("UNITHEAD", ()):
            return [self._hit(cand, EntityKind.UNIT, "shape.unit_head")]
        if len(words) >= 2 and (words[-1] in self.heads or any(text.startswith(p + " ") for p in self.prefixes)):
            return [self._hit(cand, EntityKind.ORGANIZATION, "shape.org_head")]
        person = self._person_span(words)
        if person is not None:
            first, last = person
            hits = []
            if first > 0:
                rest = Candidate(cand.tokens[:first], cand.start, cand.tokens[first - 1].end,
                                 self.text[cand.start:cand.tokens[first - 1].end])
                hits.extend(self.by_shape(rest))
            span = cand.tokens[first:last + 1]
            end, rule = span[-1].end, "given_name"
            if self.lang.language == "de" and self._german_genitive(span[-1]):
                # "Tobias Rehfelds Nachfolgerin": Rehfeld's; a possessor, so surely a person
                end, rule = end - 1, "given_name_genitive"
            hits.append(NameHit(span[0].start, end, self.text[span[0].start:end],
                                EntityKind.PERSON, f"{self.lang.language}.name.shape.{rule}"))
            return hits
        return []

    def _plausible_org(self, words: list[str]) -> bool:
        return bool(words) and all(w not in self.notname for w in words)

    def _legal_form_start(self, cand: Candidate) -> int | None:
        """Start of a legal form ending the candidate ("Acme AG", "Acme Holdings N.V.")."""
        toks = cand.tokens
        for n in (3, 2, 1):
            if len(toks) < n:
                continue
            start = toks[-n].start
            form = self.text[start:cand.end]
            # "N.V." and "Inc." keep their final period outside the token
            dotted = form + "." if self.text[cand.end:cand.end + 1] == "." else form
            if form in self.legal or dotted in self.legal:
                return start
        return None

    def _person_span(self, words: list[str]) -> tuple[int, int] | None:
        """(first, last) word of a given name and family name inside the candidate."""
        given = self.lists.given
        for i, w in enumerate(words):
            if w not in given or i == len(words) - 1:
                continue
            j = i + 1
            while j < len(words) - 1 and (words[j] in given or _INITIAL.fullmatch(words[j])
                                          or words[j] in self.particles):
                j += 1
            rest = words[i + 1:]
            if len(rest) > 3:
                return None
            family = words[-1]
            # a town as family name ("Marieke Hoogland") is still a person's, unless the given
            # name is itself a place ("Georgia Power")
            if family in self.heads or family in self.legal or family.isupper() and len(family) > 1 \
                    or family in self.lists.places and family not in self.lists.family and w in self.lists.places:
                return None
            if not family[0].isupper():
                return None
            return i, len(words) - 1
        return None

    def opens(self, cand: Candidate) -> bool:
        """Whether the candidate opens its sentence, or a quote or clause after a colon: capitalized anyway."""
        before = self.text[self.sentence.start:cand.start].rstrip(" \"'„“”‘’‚«»([-–—")
        return not before or before.endswith(":") or not any(c.isalnum() for c in before)

    def dutch_opener(self, cand: Candidate) -> bool:
        """A Dutch sentence opened by a name: Dutch writes common nouns in lower case, so several
        capitalized words ("Just Eat Takeaway is …") or one before ", dat"/", die" are one."""
        if self.lang.language != "nl" or not self.opens(cand):
            return False
        words = [t.text for t in cand.tokens]
        if any(w in self.notname for w in words) or self.stop_regex.fullmatch(words[0]):
            return False
        if len(words) >= 2:
            return True
        return bool(re.match(r", (?:dat|die|het|een) ", self.text[cand.end:cand.end + 6]))

    def german_opener(self, cand: Candidate) -> bool:
        """A German sentence opened by a name the word model knows as one, then a verb: "Velorix hat …"."""
        if self.lang.language != "de" or not self.opens(cand):
            return False
        after = _TOKEN.match(self.text, cand.end + 1) if self.text[cand.end:cand.end + 1] == " " else None
        word = cand.tokens[-1].text
        known = german_word_class(word)
        # an unknown word that is someone's family name ("Wang wechselt zu Meta") may be a person
        return bool(after) and after.group(0)[:1].islower() and known != "common" \
            and word not in self.lists.family and word not in self.lists.given

    def bare_kind(self, cand: Candidate) -> EntityKind | None:
        """The kind of a candidate only its capitals mark, or None when it is no name."""
        words = [t.text for t in cand.tokens if t.text not in ("&", "+")]
        # "Van Rijswijk", "Van der Burg": a family name opened by a particle
        named = words[1:] if len(words) > 1 and words[0].lower() in self.particles else words
        if not words or cand.text in self.lists.places or words[0] in self.lists.places \
                or any(w in self.notname and w not in self.lists.places for w in named) \
                or words[0] in self.lang.words.get("NATIONALITY", ()) or not any(c.isalpha() for c in cand.text) \
                or len(cand.text) < 2 or any(self.stop_regex.fullmatch(w) for w in named):
            return None
        if len(words) == 1 and _ACRONYM.fullmatch(words[0]):
            return None  # an abbreviation the shape rules did not take is a common one ("AI", "US")
        if cand.text in self.lists.towns:
            return None  # "in Nürnberg", "near Rochester": nothing but capitals says it is not the town
        region = _REGION.fullmatch(cand.text)
        if region and (region.group(1) in self.lists.places or region.group(1) in self.lists.towns):
            return None  # "North America", "Oost-Europa", "Ontario County": a region of a place
        if len(words) == 1 and words[0] in self.lists.given:
            return None  # "Jordan", "Morgan": a given name alone may be a person's as well as a firm's
        after = re.match(r" \(([^()\s]{2,8})\)", self.text[cand.end:cand.end + 12])
        if after and after.group(1) in self.lang.words.get("COMMONABBREV", ()):
            return None  # "Artificial Intelligence (AI)": a term spelled out, not a company
        if self.lang.language == "nl" and words[-1].endswith(("se", "sche")) and words[-1][:1].isupper():
            return None  # "de Groningse batterijmaker": an adjective of a place
        if self.lang.language == "de" and (german_word_class(words[-1]) == "common" or (
                german_word_class(words[-1]) == "unknown" and not self.german_opener(cand)) or any(
                german_word_class(part) == "common" for w in words for part in w.split("-") if part)):
            return None  # "Stellenabbau", "KI-Ökosystem", "Sprachmodells Llama": common words German capitalizes
        if self.lang.language == "de" and len(words) == 1 and self._german_genitive(cand.tokens[-1]):
            return None  # "Wangs Abgang": someone's departure, a person's or a company's
        before = self.text[self.sentence.start:cand.start].rstrip()
        role = self.lang.cues["role_word"]
        if any(m.end() == len(before) for m in role.finditer(before)) \
                or before.rsplit(" ", 1)[-1] in self.lang.words.get("HONORIFIC", ()):
            return EntityKind.PERSON
        return EntityKind.ORGANIZATION

    def _hit(self, cand: Candidate, kind: EntityKind, rule: str) -> NameHit:
        return NameHit(cand.start, cand.end, cand.text, kind, f"{self.lang.language}.name.{rule}")


def discover_names(article: Article, sentences: list[Sentence], mentions: list[Mention],
                   rules: RuleSet, lists: NameLists | None = None) -> list[NameHit]:
    """New names of people and organizations: by their shape, then by the name rules' contexts.

    `mentions` are the registry mentions: a known name is never taken for a new one.
    """
    lists = lists or load_name_lists()
    hits: list[NameHit] = list(_datelines(article, sentences, rules))
    leftover: list[tuple[_SentenceNames, Candidate]] = []  # what neither shape nor context decides
    titles, inner_caps = _title_case(article, sentences)
    last_lang = next((s.language for s in reversed(sentences) if not s.boilerplate), None)
    cut_at = _cut_word_end(article.text, rules[last_lang], lists) if last_lang in rules.languages else -1
    for sentence in sentences:
        if sentence.boilerplate:
            continue
        lang = rules[sentence.language]
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        finder = _SentenceNames(article, sentence, lang, lists, [(m.start, m.end) for m in inside],
                                inner_caps if sentence.start in titles else None, cut_at)
        undecided: list[Candidate] = []
        decided: list[NameHit] = []
        placey: list[Candidate] = []  # a town's name: only a description before it makes it a company
        for cand in finder.candidates():
            shaped = finder.by_shape(cand)
            if shaped:
                decided.extend(shaped)
            elif cand.text in lists.places:
                placey.append(cand)
            else:
                undecided.append(cand)
        decided = _overridden(article, sentence, lang, inside, decided)
        if placey:
            strong = [r for r in lang.names if r.overrides and r.kind == "organization"]
            decided.extend(_by_context(article, sentence, lang, inside, decided, placey, strong))
        # a decision can decide a neighbour ("Acme, Beta und Gamma Ventures"): a few rounds
        for _ in range(3):
            if not undecided or not lang.names:
                break
            found = _by_context(article, sentence, lang, inside, decided, undecided)
            if not found:
                break
            decided.extend(found)
            starts = {h.start for h in found}
            undecided = [c for c in undecided if c.start not in starts]
        hits.extend(decided)
        leftover.extend((finder, c) for c in undecided)
    hits.extend(_bare_names(leftover, {h.text for h in hits} | {m.text for m in mentions}))
    hits.extend(_listed_beside_names(article, leftover, hits, mentions, lists))
    hits = [h for h in hits if not _department(article.text, h, rules)]
    return _named_after_parent(article, [_without_title(h, lists, rules) for h in hits], mentions, rules)


def _department(text: str, hit: NameHit, rules: RuleSet) -> bool:
    """A department after an English title ("Director of Corporate Communications", "Head of
    Banking Supervision"): common words ending in a department's word, not a company."""
    lang = hit.rule.split(".", 1)[0]
    if lang != "en" or hit.kind is EntityKind.PERSON or lang not in rules.languages:
        return False
    words = hit.text.split()
    if words[-1] not in rules[lang].words.get("DEPARTMENT", set()) \
            or not all(is_english_word(w) for w in words):
        return False
    before = text[max(0, hit.start - 40):hit.start]
    # the title capitalized, as a department's own title is ("Director of …"); "a director of
    # Charter Communications" sits on a company's board
    return bool(re.search(r"\b(?:Director|Head|Chief|Vice[- ]President|VP|Manager|Officer|Department|Division) "
                          r"(?:of|for) (?:the )?$", before))


def _listed_beside_names(article: Article, leftover: list[tuple[_SentenceNames, Candidate]],
                         hits: list[NameHit], mentions: list[Mention], lists: NameLists) -> list[NameHit]:
    """What the bare names' pass left, when it stands in a list with a name that pass found:
    "Partner sind Genmab, Lilly, Sanofi und Pfizer" (a given name, a last item after "und").

    The list rules ("Acme und Beta") ran before the bare names were known;
    they run once more, for the candidates of sentences that pass added to.
    Places stay places.
    """
    taken = {h.start for h in hits}
    bare = {h.start for h in hits if h.rule.endswith(".bare")}
    sentences: dict[int, tuple[_SentenceNames, list[Candidate]]] = {}
    for finder, cand in leftover:
        if cand.start not in taken and cand.text not in lists.places and cand.text not in lists.towns:
            sentences.setdefault(finder.sentence.start, (finder, []))[1].append(cand)
    out: list[NameHit] = []
    for finder, cands in sentences.values():
        s = finder.sentence
        decided = [h for h in hits if s.start <= h.start < s.end]
        if not any(h.start in bare for h in decided):
            continue
        listing = [r for r in finder.lang.names if r.id.endswith((".org_and_org", ".org_before_org"))]
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        for _ in range(3):  # a list is decided from its known end, one neighbour at a time
            found = _by_context(article, s, finder.lang, inside, decided, cands, listing)
            if not found:
                break
            out.extend(found)
            decided.extend(found)
            starts = {h.start for h in found}
            cands = [c for c in cands if c.start not in starts]
    return out


def _named_after_parent(article: Article, hits: list[NameHit], mentions: list[Mention],
                        rules: RuleSet) -> list[NameHit]:
    """A known company's name and a head word after it as one name: "Google Ventures", "Acme
    Research" (a unit), not the company and a bare "Ventures".

    The registry finds the company's name first, and the name finder then sees
    only the head word. A head that names the company itself ("Acme Group",
    "Acme Holding", a legal form) is left to the registry's name.
    """
    text = article.text
    by_start = {h.start: h for h in hits}
    out = list(hits)
    for m in mentions:
        hit = by_start.get(m.end + 1)
        language = hit.rule.split(".", 1)[0] if hit is not None else None
        if m.kind is EntityKind.PERSON or hit is None or hit.kind is EntityKind.PERSON \
                or text[m.end:m.end + 1] != " " or language not in rules.languages:
            continue
        words = rules[language].words
        itself = words.get("GROUPHEAD", set()) | words.get("LEGALFORM", set())
        units = words.get("UNITHEAD", set())
        last = hit.text.split()[-1]
        if hit.text in itself:
            out.remove(hit)  # "Google Group": the company's own name, not a company called "Group"
        elif len(hit.text.split()) <= 3 and last not in itself and (last in units or last in words.get("ORGHEAD", set())):
            out.remove(hit)
            out.append(NameHit(m.start, hit.end, text[m.start:hit.end],
                               EntityKind.UNIT if last in units else EntityKind.ORGANIZATION,
                               f"{language}.name.shape.parent_head"))
    return out


def _without_title(hit: NameHit, lists: NameLists, rules: RuleSet) -> NameHit:
    """A German person's name without a common noun before it: "Finanzminister Danyal Bayaz"
    (a title no role word list can hold all of); a given name is kept ("Ernst Prost")."""
    words = hit.text.split(" ")
    if hit.kind is not EntityKind.PERSON or not hit.rule.startswith("de.") or len(words) < 3 \
            or words[0] in lists.given \
            or german_word_class(words[0]) != "common":
        return hit
    lang = rules.languages.get("de")
    if lang is None or not any(c.isupper() for c in words[0][:1]) or words[0] in lang.words.get("PARTICLE", ()):
        return hit
    start = hit.start + len(words[0]) + 1
    return NameHit(start, hit.end, hit.text[len(words[0]) + 1:], hit.kind, hit.rule)


def _bare_names(leftover: list[tuple[_SentenceNames, Candidate]], decided: set[str]) -> list[NameHit]:
    """Names that nothing but their capital letters mark: "bei Fresenius", "rivals such as Diageo".

    Business news names most companies bare. What is left after shape and
    context is a name when it is capitalized where the language writes common
    words in lower case: inside a sentence (a word opening one only when the
    article also capitalizes it inside one), and in German, where every noun is
    capitalized, only a word the German word model reads as a proper name.
    Places, nationalities and sentence openers are not. A role word right
    before it makes a person ("ING-commissaris Breukink"); otherwise an
    organization, its rule telling the reader it was decided on so little.
    """
    inner = {c.text for f, c in leftover if not f.opens(c)}
    out: list[NameHit] = []
    for finder, cand in leftover:
        if cand.text in decided or (finder.opens(cand) and cand.text not in inner and not finder.german_opener(cand)
                                    and not finder.dutch_opener(cand)):
            continue
        kind = finder.bare_kind(cand)
        if kind is not None:
            out.append(finder._hit(cand, kind, "bare"))
    return out


# "MÜNCHEN (dpa-AFX) -", "(Reuters) -", "date 2025-10-22 kna |": the agency a story comes from,
# whatever its case
_DATELINE_PLACE = re.compile(r"[A-ZÄÖÜ][A-ZÄÖÜ .,/-]+ \(")
_DATELINE = re.compile(r"^(?:[^\W\d_][^\W\d_ ./-]*(?:[ ./-]+[^\W\d_]+){0,3},? )?\(([^\W\d_][\w.+-]{1,24})\) ?[-–—]{1,2} "
                       r"|^(?:date [\d-]+ )?([a-z][a-z.+-]{1,15}) \| ")


def _datelines(article: Article, sentences: list[Sentence], rules: RuleSet):
    text = article.text
    for s in sentences:
        if s.boilerplate or (s.start and text[s.start - 1] != "\n"):
            continue  # a dateline opens a paragraph
        m = _DATELINE.match(text, s.start, s.end)
        if m:
            group = 1 if m.group(1) else 2
            yield NameHit(m.start(group), m.end(group), m.group(group), EntityKind.ORGANIZATION,
                          f"{rules[s.language].language}.name.shape.dateline")


def _title_case(article: Article, sentences: list[Sentence]) -> tuple[set[int], set[str]]:
    """Sentences in title case (by start), and the words the article capitalizes elsewhere inside a sentence."""
    text = article.text
    titles: set[int] = set()
    inner: set[str] = set()
    if article.language != "en":  # German and Dutch headlines are in sentence case
        return titles, inner
    for s in sentences:
        words = [m.group(0) for m in _TOKEN.finditer(text, s.start, s.end) if m.group(0)[0].isalpha()]
        caps = sum(1 for w in words if w[0].isupper())
        if len(words) >= 4 and caps >= 0.75 * len(words):
            titles.add(s.start)
        else:
            inner.update(w.removesuffix("'s").removesuffix("’s") for w in words[1:] if w[0].isupper())
    return (titles if inner else set()), inner


def _overridden(article: Article, sentence: Sentence, lang: LanguageRules, mentions: list[Mention],
                decided: list[NameHit]) -> list[NameHit]:
    """A given name decides a person unless an organization's strongest contexts say otherwise
    ("the private equity firm Thoma Bravo", "Hewlett Packard, which bought …")."""
    soft = [h for h in decided if h.rule.endswith(".shape.given_name")]
    strong = [r for r in lang.names if r.overrides and r.kind == "organization"]
    if not soft or not strong:
        return decided
    others = [h for h in decided if h not in soft]
    as_candidates = [Candidate([_Token(h.start, h.end, w) for w in h.text.split()], h.start, h.end, h.text)
                     for h in soft]
    found = {h.start: h for h in _by_context(article, sentence, lang, mentions, others, as_candidates, strong)}
    persondesc = tuple(w.casefold() for w in lang.words.get("PERSONDESC", ()))
    for start in list(found):
        before = article.text[max(sentence.start, start - 30):start].rstrip().casefold()
        if persondesc and before.endswith(persondesc):
            del found[start]  # "Norbalin-Eigentümer Karl Haubmann": an owner can be a person
            continue
        # "übernahm Sabine Roth als Vorstandschefin …": a post after the name is a person's
        after = _AS_ROLE.match(article.text, found[start].end, sentence.end)
        if after and lang.cues["role_word"].match(article.text, after.end(), sentence.end):
            del found[start]
    return others + [found.get(h.start, h) for h in soft]


def _by_context(article: Article, sentence: Sentence, lang: LanguageRules, mentions: list[Mention],
                decided: list[NameHit], undecided: list[Candidate], rules=None) -> list[NameHit]:
    """Undecided candidates that a name rule's context decides."""
    spans: list[tuple[int, int, str]] = [(m.start, m.end, _KIND_LETTER[m.kind]) for m in mentions]
    spans += [(h.start, h.end, _KIND_LETTER[h.kind]) for h in decided]
    spans += [(c.start, c.end, "N") for c in undecided]
    spans.sort()
    text = article.text
    parts, pos, index = [], sentence.start, {}
    for n, (a, b, letter) in enumerate(spans):
        if a < pos:
            continue
        parts.append(text[pos:a])
        parts.append(f"{OPEN}{letter}{n}{CLOSE}")
        index[n] = (a, b)
        pos = b
    parts.append(text[pos:sentence.end])
    masked = "".join(parts)
    by_start = {c.start: c for c in undecided}
    out: dict[int, NameHit] = {}
    runnable = lang.prefilter("names").candidates(masked) if rules is None else None
    for number, rule in enumerate(lang.names if rules is None else rules):
        if runnable is not None and number not in runnable:
            continue
        for m in rule.regex.finditer(masked):
            slot = m.group("name")
            found = re.fullmatch(f"{OPEN}N(\\d+){CLOSE}", slot)
            if not found:
                continue
            a, b = index[int(found.group(1))]
            cand = by_start.get(a)
            if cand is None or a in out:
                continue
            n_words = len([t for t in cand.tokens if t.text not in ("&", "+")])
            if not rule.min_words <= n_words <= rule.max_words:
                continue
            kind = EntityKind.PERSON if rule.kind == "person" else EntityKind.ORGANIZATION
            if n_words == 1 and lang.language == "en" and _opens_unnamed(text, sentence, cand) \
                    and is_function_word(cand.text):
                continue  # "Initially, the airline …", "Current finance chief …": a word opening the sentence
            if kind is EntityKind.ORGANIZATION and lang.language == "de" and n_words == 1 and not rule.common_words \
                    and german_word_class(cand.tokens[0].text, inside=bool(text[sentence.start:cand.start].strip())) == "common" \
                    and not _outlet_compound(cand.text, lang):
                continue  # "kauft Batterien": a common noun where a company could stand
            out[a] = NameHit(a, b, text[a:b], kind, rule.id)
    return list(out.values())


def _opens_unnamed(text: str, sentence: Sentence, cand: Candidate) -> bool:
    """The candidate opens its sentence, and the article never capitalizes it inside one."""
    if text[sentence.start:cand.start].strip(" \"'„“”‘’([-–—"):
        return False
    return not re.search(rf"[\w,;] {re.escape(cand.text)}(?![\w])", text)


def _outlet_compound(word: str, lang: LanguageRules) -> bool:
    """A word compounded on an outlet's head: "Handelsblatt", "Börsenkurier" (not "Zeitung" itself)."""
    heads = lang.words.get("OUTLETHEAD", set())
    return word not in heads and bool(lang.cues["outlet_name"].search(word)) \
        and not lang.cues["org_description"].fullmatch(word)
