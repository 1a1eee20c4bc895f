"""Load, validate and compile the rule files in `graph/rules/<lang>/`.

Every language keeps the same files: `lexicon.jsonl` (word classes used as
macros), `roles.jsonl` (role words), `names.jsonl` (patterns that find new
names), `relations.jsonl` (patterns that yield claims) and
`boilerplate.jsonl` (cues of page furniture). A pattern is a Python regular
expression with macros: `{DET}` is a word class from the lexicon,
`{ORG:target}` a typed slot captured under a name. All problems are reported
together as `file:line id: reason`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import RuleError
from .patterns import PatternCache
from .triggers import Trigger
from .types import CLAIM_KINDS

RULES_DIR = Path(__file__).parent / "rules"
LANGUAGES = ("de", "en", "nl")
FILES = ("lexicon.jsonl", "roles.jsonl", "names.jsonl", "relations.jsonl", "boilerplate.jsonl")

# Mentions are masked in a sentence as OPEN + kind letter + index + CLOSE, so that
# patterns see "⟨O3⟩ investiert" instead of the many ways a name can be written.
OPEN, CLOSE = "\ue000", "\ue001"
# A mention written with an apostrophe genitive ("Meta's") carries a ' before CLOSE.
# (a person's slot takes an age after the name: "Max Muster (54)")
_MENTION = {"PERSON": f"{OPEN}P\\d+'?{CLOSE}(?: \\(\\d{{2}}\\))?", "ORG": f"{OPEN}[OU]\\d+'?{CLOSE}",
            "PARTY": f"{OPEN}[POU]\\d+'?{CLOSE}",
            "UNIT": f"{OPEN}U\\d+'?{CLOSE}", "ORGPOSS": f"{OPEN}[OU]\\d+'{CLOSE}",
            # a capitalized run the name finder has not decided yet (names.py)
            "CAND": f"{OPEN}N\\d+{CLOSE}"}

# Typed slots a pattern may capture; their values are parsed by extract.py.
# Gaps between slots: any words up to the sentence's end, or words without a name in them,
# so that "the nearest name" is the one a pattern takes.
GAPS = {"GAP": "[^.]*?", "GAP_NO_PERSON": f"(?:[^.{OPEN}]|{OPEN}[OU]\\d+'?{CLOSE})*?",
        "GAP_NO_NAME": f"[^.{OPEN}]*?"}
SLOT_TYPES = ("PERSON", "PERSONS", "PERSONREF", "PARTY", "ORG", "ORGS", "ORGREF", "ORGPOSS", "UNIT", "ROLE", "ROLES",
              "MONEY", "PERCENT", "NUMBER", "YEAR", "MONTHYEAR", "NAME", "PNAME", "ONAME", "CAND")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)(?::([a-z][A-Za-z0-9_]*))?\}")
ARG_TYPES = {"person": ("PERSON", "PERSONS", "PERSONREF"), "org": ("ORG", "ORGS", "ORGREF", "ORGPOSS", "UNIT"),
             "party": ("PARTY", "PERSON", "PERSONS", "ORG", "ORGS", "ORGPOSS", "UNIT"),
             "unit": ("UNIT", "ORG", "ORGS"), "role": ("ROLE", "ROLES"), "money": ("MONEY",),
             "percent": ("PERCENT",), "count": ("NUMBER",), "period": ("YEAR", "MONTHYEAR"),
             "bool": ()}


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    macro: str
    pattern: str
    value: str | None = None


@dataclass(frozen=True)
class RoleRule:
    id: str
    role: str
    pattern: str
    regex: re.Pattern


@dataclass(frozen=True)
class NameRule:
    id: str
    kind: str  # "person" or "organization"
    regex: re.Pattern
    note: str = ""
    min_words: int = 1  # how many words the candidate in {CAND:name} may have
    max_words: int = 4
    # an organization's context strong enough to outweigh a given name ("the private equity
    # firm Thoma Bravo", "Hewlett Packard, which bought …")
    overrides: bool = False
    trigger: Trigger | None = None  # text every match contains (triggers.py)
    # a context that names a company even with a common German word ("der Anlagenbauer
    # Streitholz"); other contexts take only words the German word model does not know
    # as common ("kauft Batterien" is no company)
    common_words: bool = False


@dataclass(frozen=True)
class Yield:
    claim: str
    # argument -> slot name; "@context" for the organization the sentence implies,
    # "@possessor" for the one a possessive ("sein Chef", "its CEO") points back to,
    # "@earlier" for one an earlier sentence names (the sentence's own play another part)
    args: dict[str, str]
    fixed: dict[str, object]  # argument -> literal value
    qualifies: bool = False  # adds its arguments to a claim of this kind in the same sentence
    # the slot of a list whose members the claim relates pairwise ("Acme, Beta und Gamma kooperieren")
    pairs: str | None = None


@dataclass(frozen=True)
class RelationRule:
    id: str
    regex: re.Pattern
    yields: tuple[Yield, ...]
    slots: dict[str, str]  # slot name -> slot type
    confidence: float
    negative: bool  # the pattern itself reads a negation ("keine Stimmrechte")
    note: str = ""
    # "outlet": the cited organization must be known as a news outlet or be named like one
    # ("according to X" also cites companies and agencies that are no outlet)
    requires: str | None = None
    cites: bool = False  # yields only cites or publisher: runs first (extract.py)
    # the fewest people and organizations a sentence must name for the rule to read a claim
    # in it: most sentences name too few for most rules, which then need not run at all
    needs_people: int = 0
    needs_orgs: int = 0
    trigger: Trigger | None = None  # text every match contains (triggers.py)
    # the rule reads a noun phrase ("Acme-Chef Jane Roe", "Rivalen wie Beta"): what the
    # clause around it denies, supposes or announces is not said of the phrase
    phrase: bool = False


@dataclass(frozen=True)
class BoilerplateRule:
    id: str
    regex: re.Pattern
    scope: str  # "rest": this line and everything after; "block": this line and the list after it


@dataclass
class LanguageRules:
    language: str
    lexicon: dict[str, list[LexiconEntry]] = field(default_factory=dict)
    roles: list[RoleRule] = field(default_factory=list)
    names: list[NameRule] = field(default_factory=list)
    relations: list[RelationRule] = field(default_factory=list)
    boilerplate: list[BoilerplateRule] = field(default_factory=list)
    cues: dict[str, re.Pattern] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)  # closed word classes of the lexicon
    triggers: dict[str, object] = field(default_factory=dict, repr=False)  # rule id -> Trigger (patterns.py)
    _prefilters: dict = field(default_factory=dict, repr=False)

    def prefilter(self, kind: str):
        """The prefilter (triggers.py) of the relation or name rules: built once, on first use."""
        if kind not in self._prefilters:
            from .triggers import Prefilter

            self._prefilters[kind] = Prefilter([r.trigger for r in getattr(self, kind)])
        return self._prefilters[kind]

    def macro(self, name: str) -> str:
        return "(?:" + "|".join(e.pattern for e in self.lexicon[name]) + ")"

    def lookup(self, macro: str, text: str) -> str | None:
        """The `value` of the lexicon entry of `macro` that matches `text` whole."""
        for entry in self.lexicon.get(macro, ()):
            if re.fullmatch(entry.pattern, text, re.IGNORECASE):
                return entry.value
        return None

    def role_pattern(self) -> str:
        """Any role word of the language, as a whole word ("Chef" is not read inside "Chefredakteur").

        In any case: titles are capitalized before names ("Chief Executive Jane Roe").
        """
        # atomic, longest pattern first: "chief financial officer" is never read as "chief"
        # just because a rule's next step fails after the full title
        patterns = sorted((r.regex.pattern for r in self.roles), key=len, reverse=True)
        return "(?<![\\w])(?>(?i:" + "|".join(patterns) + "))(?![\\w])"

    def role_of(self, text: str) -> str | None:
        for rule in self.roles:
            if rule.regex.fullmatch(text):
                return rule.role
        return None


@dataclass
class RuleSet:
    languages: dict[str, LanguageRules]
    fingerprint: str  # changes whenever any rule file changes: part of the cache key

    def __getitem__(self, language: str) -> LanguageRules:
        return self.languages.get(language) or self.languages["en"]

    def all_ids(self) -> list[str]:
        ids = []
        for lang in self.languages.values():
            for group in (lang.roles, lang.names, lang.relations, lang.boilerplate):
                ids.extend(r.id for r in group)
            ids.extend(e.id for entries in lang.lexicon.values() for e in entries)
        return ids


# Cue macros the extractor reads at sentence level; every lexicon must define them.
REQUIRED_MACROS = ("DET", "LISTCONJ", "APPROX", "HEDGE", "NEGATION", "CONDITIONAL", "FORMER",
                   "CURRENT", "LEAVE", "FUTURE", "CURSYM", "CURWORD", "SCALE", "PERCENTWORD", "ORGANAPHOR", "ORGPOSSESSIVE",
                   "PERSONANAPHOR", "NUM", "NAMESTOP", "ABBREV", "STOPWORDS", "LEGALFORM", "ORGHEAD",
                   "ORGPREFIX", "NOTNAME", "HONORIFIC", "PARTICLE", "SAYVERB", "ORGDESC", "COMPHEAD", "OUTLETHEAD", "NATIONALITY",
                   "COMMONABBREV", "UNITHEAD")


def load_rules(rules_dir: Path | None = None) -> RuleSet:
    """Load and validate every rule file; raise RuleError listing all problems.

    >>> rules = load_rules()
    >>> sorted(rules.languages)
    ['de', 'en', 'nl']
    """
    return _load_rules(str(rules_dir or RULES_DIR))


@lru_cache(maxsize=4)
def _load_rules(rules_dir: str) -> RuleSet:
    import hashlib

    root = Path(rules_dir)
    cache = PatternCache()
    problems: list[str] = []
    digest = hashlib.sha256()
    languages: dict[str, LanguageRules] = {}
    seen_ids: dict[str, str] = {}
    for lang in LANGUAGES:
        rules = LanguageRules(lang)
        raw: dict[str, list[tuple[str, dict]]] = {}
        for fname in FILES:
            path = root / lang / fname
            where = f"{lang}/{fname}"
            if not path.exists():
                problems.append(f"{where}: missing")
                raw[fname] = []
                continue
            data = path.read_bytes()
            digest.update(where.encode() + b"\0" + data)
            entries = []
            for lineno, line in enumerate(data.decode("utf-8").splitlines(), 1):
                if not line.strip() or line.lstrip().startswith("//"):
                    continue
                loc = f"{where}:{lineno}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append(f"{loc}: invalid JSON ({exc.msg})")
                    continue
                rid = obj.get("id")
                if not isinstance(rid, str) or not rid.startswith(f"{lang}."):
                    problems.append(f"{loc} {rid}: id must be a string starting with '{lang}.'")
                    continue
                if rid in seen_ids:
                    problems.append(f"{loc} {rid}: duplicate id (first at {seen_ids[rid]})")
                    continue
                seen_ids[rid] = loc
                entries.append((loc, obj))
            raw[fname] = entries
        _compile_language(rules, raw, problems, cache)
        languages[lang] = rules
    if problems:
        raise RuleError(problems)
    cache.save()
    return RuleSet(languages, digest.hexdigest())


def _compile_language(rules: LanguageRules, raw: dict[str, list[tuple[str, dict]]],
                      problems: list[str], cache: PatternCache) -> None:
    for loc, obj in raw["lexicon.jsonl"]:
        macro, pattern = obj.get("macro"), obj.get("pattern")
        if not isinstance(macro, str) or not re.fullmatch(r"[A-Z][A-Z_]*", macro) or macro in SLOT_TYPES or macro in GAPS:
            problems.append(f"{loc} {obj['id']}: 'macro' must be an upper-case name, not a slot type")
            continue
        if "words" in obj:
            # a closed word class: looked up as a set by the name finder, an alternation in patterns
            words = obj["words"]
            if pattern is not None or not isinstance(words, list) or not words \
                    or not all(isinstance(w, str) and w.strip() for w in words):
                problems.append(f"{loc} {obj['id']}: 'words' must be a non-empty list of strings (and no 'pattern')")
                continue
            rules.words.setdefault(macro, set()).update(words)
            pattern = "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"
        if not _valid_regex(pattern, loc, obj["id"], problems):
            continue
        value = obj.get("value")
        rules.lexicon.setdefault(macro, []).append(
            LexiconEntry(obj["id"], macro, pattern, None if value is None else str(value)))
    for name in REQUIRED_MACROS:
        if name not in rules.lexicon:
            problems.append(f"{rules.language}/lexicon.jsonl: macro {name} is not defined")
    if any(n not in rules.lexicon for n in REQUIRED_MACROS):
        return
    for loc, obj in raw["roles.jsonl"]:
        role, pattern = obj.get("role"), obj.get("pattern")
        if not isinstance(role, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", role):
            problems.append(f"{loc} {obj['id']}: 'role' must be a role id like 'interim-ceo'")
            continue
        if _valid_regex(pattern, loc, obj["id"], problems):
            rules.roles.append(RoleRule(obj["id"], role, pattern, re.compile(pattern, re.IGNORECASE)))
    # Longer role words first, so "Interim-CEO" is read before "CEO".
    rules.roles.sort(key=lambda r: (-len(r.pattern), r.id))
    for name, cue in (("HEDGE", "hedge"), ("NEGATION", "negation"), ("CONDITIONAL", "conditional"),
                      ("FORMER", "former"), ("CURRENT", "current"), ("LEAVE", "leave"), ("APPROX", "approx"),
                      ("FUTURE", "future")):
        rules.cues[cue] = re.compile(r"(?<!\w)" + rules.macro(name) + r"(?!\w)", re.IGNORECASE)
    for name, cue in (("TIMECLAUSE", "time_clause"), ("SUCCEED", "succeed"), ("PAST", "past")):
        rules.cues[cue] = re.compile(r"(?<!\w)" + rules.macro(name) + r"(?!\w)", re.IGNORECASE) \
            if name in rules.lexicon else re.compile(r"(?!x)x")
    # a word of replacing that governs the title right after it: "replaces chief executive …",
    # "löste den langjährigen Chef …" (no clause between)
    rules.cues["predecessor_before_title"] = re.compile(
        r"(?<!\w)" + rules.macro("PREDECESSOR") + rf"(?: [^\s,;:{OPEN}]+){{0,5}} $", re.IGNORECASE) \
        if "PREDECESSOR" in rules.lexicon else re.compile(r"(?!x)x")
    # a form of address right before a person's placeholder: left out in a reading (extract.py)
    rules.cues["addressed"] = re.compile(rf"(?<![\w.]){rules.macro('HONORIFIC')} (?={OPEN}P\d)")
    rules.cues["stopwords"] = re.compile(r"(?<!\w)" + rules.macro("STOPWORDS") + r"(?!\w)")
    rules.cues["abbrev"] = re.compile(r"(?:^|(?<=[\s(]))" + rules.macro("ABBREV") + r"$")
    # articles and sentence openers ("Die", "Ook") in front of a new name are not part of it
    rules.cues["name_stop"] = re.compile(rf"(?:(?:{rules.macro('DET')}|{rules.macro('NAMESTOP')}) )+(?=\S)")
    rules.cues["stop_word"] = re.compile(rf"(?:{rules.macro('DET')}|{rules.macro('NAMESTOP')})")
    # what the name finder cuts capitalized runs at, and the heads of "Bayer-Chef"
    rules.cues["role_word"] = re.compile(rules.role_pattern())
    rules.cues["org_description"] = re.compile(r"(?<![\w-])" + rules.macro("ORGDESC") + r"(?![\w])")
    # a description between an article or preposition and a company's name in a masked sentence:
    # "der Münchner Autobauer [O0]", "with the German carmaker [O0]" (group 1 is left out, extract.py)
    before = f"(?:{rules.macro('DET')}|{rules.macro('PREPOSITION')})" if "PREPOSITION" in rules.lexicon \
        else rules.macro("DET")
    rules.cues["article"] = re.compile(rules.macro("DET"), re.IGNORECASE)
    rules.cues["unit_noun"] = re.compile(r"(?i)" + rules.macro("UNITNOUN")) if "UNITNOUN" in rules.lexicon \
        else re.compile(r"(?!x)x")
    rules.cues["name_description"] = re.compile(
        rf"(?<![\w-]){before} ((?:{rules.macro('ADJ')} ){{0,3}}{rules.macro('ORGDESC')} )(?={OPEN}[OU]\d)")
    rules.cues["compound_head"] = re.compile(rules.macro("COMPHEAD"))
    rules.cues["org_anaphor"] = re.compile(rules.macro("ORGANAPHOR"))
    rules.cues["org_possessive"] = re.compile(rules.macro("ORGPOSSESSIVE").replace("{ROLE}", rules.role_pattern()))
    rules.cues["person_anaphor"] = re.compile(rules.macro("PERSONANAPHOR"))
    # nouns of the relation frames ("Übernahme", "Beteiligung", "Stellen"): German capitalizes
    # them, but a word of a known class is never a name
    nouns = [rules.macro(n) for n in ("ACQNOUN", "SUENOUN", "STAKENOUN", "PARTNERNOUN", "UNITNOUN", "JOBNOUN",
                                      "ORDERNOUN", "DEALNOUN", "INVESTORNOUN") if n in rules.lexicon]
    rules.cues["frame_noun"] = re.compile(r"(?<![\w-])(?:" + "|".join(nouns or ["(?!x)x"]) + r")\w*(?![\w])")
    # German and Dutch compound the head into the name: "Handelsblatt", "Börsenkurier", "Volkskrant"
    left = "" if rules.language in ("de", "nl") else r"(?<![\w])"
    rules.cues["outlet_name"] = re.compile(left + rules.macro("OUTLETHEAD") + r"(?![\w])", re.IGNORECASE)

    for loc, obj in raw["names.jsonl"]:
        kind = obj.get("kind")
        if kind not in ("person", "organization"):
            problems.append(f"{loc} {obj['id']}: 'kind' must be person or organization")
            continue
        regex, slots = _expand(rules, obj.get("pattern"), loc, obj["id"], problems, cache=cache)
        if regex is None:
            continue
        if slots.get("name") != "CAND":
            problems.append(f"{loc} {obj['id']}: pattern must capture the new name as {{CAND:name}}")
            continue
        words = obj.get("words", [1, 4])
        if not (isinstance(words, list) and len(words) == 2 and all(isinstance(n, int) for n in words)
                and 1 <= words[0] <= words[1]):
            problems.append(f"{loc} {obj['id']}: 'words' must be [min, max] of the name's words")
            continue
        rules.names.append(NameRule(obj["id"], kind, regex, obj.get("note", ""), words[0], words[1],
                                    bool(obj.get("overrides", False)), rules.triggers.get(obj["id"]),
                                    bool(obj.get("common_words", False))))

    for loc, obj in raw["relations.jsonl"]:
        regex, slots = _expand(rules, obj.get("pattern"), loc, obj["id"], problems, cache=cache)
        if regex is None:
            continue
        yields = _parse_yields(obj.get("yields"), slots, loc, obj["id"], problems)
        if yields is None:
            continue
        confidence = obj.get("confidence", 0.9)
        if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
            problems.append(f"{loc} {obj['id']}: confidence must be in (0, 1]")
            continue
        requires = obj.get("requires")
        if requires not in (None, "outlet"):
            problems.append(f"{loc} {obj['id']}: 'requires' can only be \"outlet\"")
            continue
        people, orgs = _needs(yields, slots)
        rules.relations.append(RelationRule(obj["id"], regex, tuple(yields), slots, float(confidence),
                                            bool(obj.get("negative", False)), obj.get("note", ""), requires,
                                            all(y.claim in ("cites", "publisher") for y in yields), people, orgs,
                                            rules.triggers.get(obj["id"]), bool(obj.get("phrase", False))))

    for loc, obj in raw["boilerplate.jsonl"]:
        scope = obj.get("scope", "rest")
        if scope not in ("rest", "block"):
            problems.append(f"{loc} {obj['id']}: scope must be 'rest' or 'block'")
            continue
        regex, _ = _expand(rules, obj.get("pattern"), loc, obj["id"], problems, flags=re.IGNORECASE)
        if regex is not None:
            rules.boilerplate.append(BoilerplateRule(obj["id"], regex, scope))


def _needs(yields: list[Yield], slots: dict[str, str]) -> tuple[int, int]:
    """The names a rule's cheapest reading takes from the sentence: (people, organizations)."""
    best = None
    for y in yields:
        used = set(y.args.values()) | ({y.pairs} if y.pairs else set())
        kinds = [slots[s] for s in used if s in slots]
        people = sum(1 for k in kinds if k in ("PERSON", "PERSONS"))
        orgs = sum(1 for k in kinds if k in ("ORG", "ORGS", "ORGPOSS", "UNIT")) + (1 if y.pairs else 0)
        if best is None or (people + orgs) < sum(best):
            best = (people, orgs)
    return best or (0, 0)


def _valid_regex(pattern, loc: str, rid: str, problems: list[str]) -> bool:
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{loc} {rid}: 'pattern' must be a non-empty string")
        return False
    try:
        re.compile(pattern)
    except re.error as exc:
        problems.append(f"{loc} {rid}: bad regular expression ({exc})")
        return False
    return True


def slot_pattern(rules: LanguageRules, kind: str) -> str:
    """The regular expression a typed slot stands for in this language."""
    m = rules.macro
    approx = f"(?:{m('APPROX')} )?"
    num = m("NUM")
    if kind in _MENTION:
        return _MENTION[kind]
    if kind == "ORGS":
        # "Acme, Beta und der Versorger Gamma": each member may carry its article and description
        one = _MENTION["ORG"]
        before = f"(?:{m('DET')} )?(?:{m('ADJ')} ){{0,2}}(?:{m('ORGDESC')} )?" if "ADJ" in rules.lexicon \
            else f"(?:{m('DET')} )?"
        # a list ends with a conjunction: "Acme, Beta und Gamma", never "Acme, Beta" (an apposition,
        # or "Beta Bakeries, Roe said")
        return f"(?:{one}(?:(?:, {before}{one})*,? {m('LISTCONJ')}(?:, [\\w ]{{1,30}},)? {before}{one})?)"
    if kind == "PERSONS":
        one = _MENTION["PERSON"]
        return f"(?:{one}(?:(?:, {one})*,? {m('LISTCONJ')} {one})?)"
    # A name, or a description or pronoun anaphora.py left open because two names fit
    # ("könnte Acme gezwungen sein, das Unternehmen zu übernehmen"): the rule's other
    # arguments may rule one out (extract.py).
    if kind == "ORGREF":
        return f"(?:{_MENTION['ORG']}|{m('ORGANAPHOR')}|{m('ORGPOSSESSIVE')})".replace("?P<head>", "?:")
    if kind == "PERSONREF":
        return f"(?:{_MENTION['PERSON']}|{m('PERSONANAPHOR')})"
    if kind in ("ROLE", "ROLES"):
        one = rules.role_pattern()
        if kind == "ROLE":
            return one
        between = f"(?:{m('ADJ')} )?" if "ADJ" in rules.lexicon else ""
        return f"(?:{one}(?:(?:, |,? {m('LISTCONJ')} | & ){between}{one})*)"  # "founder & managing director"
    if kind == "MONEY":
        scale = f"(?: ?{m('SCALE')}(?![^\\W\\d_]))?"  # "$8.5 billion", "$8.5bn", "£56m"
        return (f"(?:{approx}(?:{m('CURSYM')} ?{num}{scale}|{num}{scale} {m('CURWORD')}))")
    if kind == "PERCENT":
        return f"(?:{approx}{num}(?: ?%|[ -]?{m('PERCENTWORD')}))"
    if kind == "NUMBER":
        return f"(?:{approx}{num})"
    if kind == "YEAR":
        return r"(?:(?:1[89]|20)\d\d)"
    if kind == "MONTHYEAR":
        return f"(?:{m('MONTH')} (?:(?:1[89]|20)\\d\\d))"
    if kind == "PNAME":
        # given name and family name, each capitalized; an optional middle name or initial
        # exactly a given and a family name (with an initial or a particle between),
        # so "Managerin Sabine Roth" yields "Sabine Roth", not three names
        word = r"[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?"
        particle = r"(?: (?:von|van|de|der|den|ter|zu|du|da|di|le|la))*"
        return f"(?:{word}(?: [A-ZÀ-Þ]\\.)?{particle} {word})"
    if kind in ("ONAME", "NAME"):
        word = r"[A-ZÀ-Þ][\w&.'’-]*[\w&]"
        return f"(?:{word}(?: {word}){{0,3}})"
    raise KeyError(kind)


def _expand(rules: LanguageRules, pattern, loc: str, rid: str, problems: list[str],
            flags: int = 0, cache: PatternCache | None = None):
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{loc} {rid}: 'pattern' must be a non-empty string")
        return None, {}
    slots: dict[str, str] = {}
    bad: list[str] = []

    def replace(match: re.Match) -> str:
        name, group = match.group(1), match.group(2)
        if name in GAPS and group is None:
            return GAPS[name]
        if name in SLOT_TYPES:
            body = slot_pattern(rules, name)
        elif name in rules.lexicon:
            body = rules.macro(name)
        else:
            bad.append(name)
            return ""
        if group is None:
            return body
        if group in slots:
            bad.append(f"{group} (captured twice)")
            return ""
        slots[group] = name
        return f"(?P<{group}>{body})"

    expanded = _MACRO.sub(replace, pattern)
    if bad:
        problems.append(f"{loc} {rid}: unknown macro or slot {', '.join(bad)}")
        return None, {}
    try:
        if cache is not None:
            regex, rules.triggers[rid] = cache.pattern(expanded, flags)
            return regex, slots
        return re.compile(expanded, flags), slots
    except re.error as exc:
        problems.append(f"{loc} {rid}: bad regular expression ({exc})")
        return None, {}


def _parse_yields(raw, slots: dict[str, str], loc: str, rid: str,
                  problems: list[str]) -> list[Yield] | None:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        problems.append(f"{loc} {rid}: 'yields' must be an object or a list of objects")
        return None
    out = []
    for item in raw:
        kind = item.get("claim") if isinstance(item, dict) else None
        if kind not in CLAIM_KINDS:
            problems.append(f"{loc} {rid}: unknown claim kind {kind!r}")
            return None
        schema = CLAIM_KINDS[kind]
        args = item.get("args", {})
        fixed = item.get("set", {})
        for arg, slot in args.items():
            if arg not in schema:
                problems.append(f"{loc} {rid}: {kind} takes no argument {arg!r}")
                return None
            if slot in ("@context", "@possessor", "@earlier"):
                if schema[arg] != "org":
                    problems.append(f"{loc} {rid}: only an organization can be implied by {slot}")
                    return None
                continue
            if slot not in slots:
                problems.append(f"{loc} {rid}: argument {arg!r} names no captured slot {slot!r}")
                return None
            if slots[slot] not in ARG_TYPES[schema[arg]]:
                problems.append(f"{loc} {rid}: slot {slot!r} ({slots[slot]}) cannot fill {arg!r} ({schema[arg]})")
                return None
        for arg in fixed:
            if arg not in schema:
                problems.append(f"{loc} {rid}: {kind} takes no argument {arg!r}")
                return None
        pairs = item.get("pairs")
        if pairs is not None and (slots.get(pairs) != "ORGS" or set(schema) != {"subject", "object"}):
            problems.append(f"{loc} {rid}: 'pairs' names a list slot {{ORGS:…}} of a claim with subject and object")
            return None
        out.append(Yield(kind, dict(args), dict(fixed), bool(item.get("qualifies", False)), pairs))
    return out
