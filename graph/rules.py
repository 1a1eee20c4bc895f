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
from .types import CLAIM_KINDS

RULES_DIR = Path(__file__).parent / "rules"
LANGUAGES = ("de", "en", "nl")
FILES = ("lexicon.jsonl", "roles.jsonl", "names.jsonl", "relations.jsonl", "boilerplate.jsonl")

# Mentions are masked in a sentence as OPEN + kind letter + index + CLOSE, so that
# patterns see "⟨O3⟩ investiert" instead of the many ways a name can be written.
OPEN, CLOSE = "\ue000", "\ue001"
# A mention written with an apostrophe genitive ("Meta's") carries a ' before CLOSE.
_MENTION = {"PERSON": f"{OPEN}P\\d+'?{CLOSE}", "ORG": f"{OPEN}[OU]\\d+'?{CLOSE}",
            "UNIT": f"{OPEN}U\\d+'?{CLOSE}", "ORGPOSS": f"{OPEN}[OU]\\d+'{CLOSE}"}

# Typed slots a pattern may capture; their values are parsed by extract.py.
# Gaps between slots: any words up to the sentence's end, or words without a name in them,
# so that "the nearest name" is the one a pattern takes.
GAPS = {"GAP": "[^.]*?", "GAP_NO_PERSON": f"(?:[^.{OPEN}]|{OPEN}[OU]\\d+'?{CLOSE})*?",
        "GAP_NO_NAME": f"[^.{OPEN}]*?"}
SLOT_TYPES = ("PERSON", "PERSONS", "PERSONREF", "ORG", "ORGS", "ORGREF", "ORGPOSS", "UNIT", "ROLE", "ROLES",
              "MONEY", "PERCENT", "NUMBER", "YEAR", "MONTHYEAR", "NAME", "PNAME", "ONAME")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)(?::([a-z][A-Za-z0-9_]*))?\}")
ARG_TYPES = {"person": ("PERSON", "PERSONS", "PERSONREF"), "org": ("ORG", "ORGS", "ORGREF", "ORGPOSS", "UNIT"),
             "unit": ("UNIT", "ORG"), "role": ("ROLE", "ROLES"), "money": ("MONEY",),
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


@dataclass(frozen=True)
class Yield:
    claim: str
    args: dict[str, str]  # argument -> slot name, or "@context" for the implied organization
    fixed: dict[str, object]  # argument -> literal value
    qualifies: bool = False  # adds its arguments to a claim of this kind in the same sentence


@dataclass(frozen=True)
class RelationRule:
    id: str
    regex: re.Pattern
    yields: tuple[Yield, ...]
    slots: dict[str, str]  # slot name -> slot type
    confidence: float
    negative: bool  # the pattern itself reads a negation ("keine Stimmrechte")
    note: str = ""


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

    def macro(self, name: str) -> str:
        return "(?:" + "|".join(e.pattern for e in self.lexicon[name]) + ")"

    def lookup(self, macro: str, text: str) -> str | None:
        """The `value` of the lexicon entry of `macro` that matches `text` whole."""
        for entry in self.lexicon.get(macro, ()):
            if re.fullmatch(entry.pattern, text, re.IGNORECASE):
                return entry.value
        return None

    def role_pattern(self) -> str:
        """Any role word of the language, as a whole word ("Chef" is not read inside "Chefredakteur")."""
        return "(?<![\\w])(?:" + "|".join(r.regex.pattern for r in self.roles) + ")(?![\\w])"

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
                   "CURRENT", "LEAVE", "CURSYM", "CURWORD", "SCALE", "PERCENTWORD", "ORGANAPHOR",
                   "PERSONANAPHOR", "NUM", "NAMESTOP", "ABBREV", "STOPWORDS")


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
        _compile_language(rules, raw, problems)
        languages[lang] = rules
    if problems:
        raise RuleError(problems)
    return RuleSet(languages, digest.hexdigest())


def _compile_language(rules: LanguageRules, raw: dict[str, list[tuple[str, dict]]],
                      problems: list[str]) -> None:
    for loc, obj in raw["lexicon.jsonl"]:
        macro, pattern = obj.get("macro"), obj.get("pattern")
        if not isinstance(macro, str) or not re.fullmatch(r"[A-Z][A-Z_]*", macro) or macro in SLOT_TYPES or macro in GAPS:
            problems.append(f"{loc} {obj['id']}: 'macro' must be an upper-case name, not a slot type")
            continue
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
            rules.roles.append(RoleRule(obj["id"], role, pattern, re.compile(_capital_ok(pattern))))
    # Longer role words first, so "Interim-CEO" is read before "CEO".
    rules.roles.sort(key=lambda r: (-len(r.pattern), r.id))
    for name, cue in (("HEDGE", "hedge"), ("NEGATION", "negation"), ("CONDITIONAL", "conditional"),
                      ("FORMER", "former"), ("CURRENT", "current"), ("LEAVE", "leave"), ("APPROX", "approx")):
        rules.cues[cue] = re.compile(r"(?<!\w)" + rules.macro(name) + r"(?!\w)", re.IGNORECASE)
    rules.cues["stopwords"] = re.compile(r"(?<!\w)" + rules.macro("STOPWORDS") + r"(?!\w)")
    rules.cues["abbrev"] = re.compile(r"(?:^|(?<=[\s(]))" + rules.macro("ABBREV") + r"$")
    # articles and sentence openers ("Die", "Ook") in front of a new name are not part of it
    rules.cues["name_stop"] = re.compile(rf"(?:(?:{rules.macro('DET')}|{rules.macro('NAMESTOP')}) )+(?=\S)")

    for loc, obj in raw["names.jsonl"]:
        kind = obj.get("kind")
        if kind not in ("person", "organization"):
            problems.append(f"{loc} {obj['id']}: 'kind' must be person or organization")
            continue
        regex, slots = _expand(rules, obj.get("pattern"), loc, obj["id"], problems)
        if regex is None:
            continue
        if "name" not in slots:
            problems.append(f"{loc} {obj['id']}: pattern must capture the new name as {{PNAME:name}} or {{ONAME:name}}")
            continue
        rules.names.append(NameRule(obj["id"], kind, regex, obj.get("note", "")))

    for loc, obj in raw["relations.jsonl"]:
        regex, slots = _expand(rules, obj.get("pattern"), loc, obj["id"], problems)
        if regex is None:
            continue
        yields = _parse_yields(obj.get("yields"), slots, loc, obj["id"], problems)
        if yields is None:
            continue
        confidence = obj.get("confidence", 0.9)
        if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
            problems.append(f"{loc} {obj['id']}: confidence must be in (0, 1]")
            continue
        rules.relations.append(RelationRule(obj["id"], regex, tuple(yields), slots, float(confidence),
                                            bool(obj.get("negative", False)), obj.get("note", "")))

    for loc, obj in raw["boilerplate.jsonl"]:
        scope = obj.get("scope", "rest")
        if scope not in ("rest", "block"):
            problems.append(f"{loc} {obj['id']}: scope must be 'rest' or 'block'")
            continue
        regex, _ = _expand(rules, obj.get("pattern"), loc, obj["id"], problems, flags=re.IGNORECASE)
        if regex is not None:
            rules.boilerplate.append(BoilerplateRule(obj["id"], regex, scope))


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
        one = _MENTION["ORG"]
        return f"(?:{one}(?:(?:, |,? {m('LISTCONJ')} )(?:{m('DET')} )?{one})*)"
    if kind == "PERSONS":
        one = _MENTION["PERSON"]
        return f"(?:{one}(?:(?:, |,? {m('LISTCONJ')} ){one})*)"
    if kind == "ORGREF":
        return f"(?:{_MENTION['ORG']}|{m('ORGANAPHOR')})"
    if kind == "PERSONREF":
        return f"(?:{_MENTION['PERSON']}|{m('PERSONANAPHOR')})"
    if kind in ("ROLE", "ROLES"):
        one = rules.role_pattern()
        if kind == "ROLE":
            return one
        return f"(?:{one}(?:(?:, |,? {m('LISTCONJ')} ){one})*)"
    if kind == "MONEY":
        scale = f"(?: {m('SCALE')})?"
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


def _capital_ok(pattern: str) -> str:
    """A role word may open a sentence: "topman" is also "Topman"."""
    return re.sub(r"(?<=[(|])([a-zäöüß])", lambda m: f"[{m.group(1)}{m.group(1).upper()}]", pattern)


def _expand(rules: LanguageRules, pattern, loc: str, rid: str, problems: list[str],
            flags: int = 0) -> tuple[re.Pattern | None, dict[str, str]]:
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
            if slot == "@context":
                if schema[arg] != "org":
                    problems.append(f"{loc} {rid}: only an organization can be implied by @context")
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
        out.append(Yield(kind, dict(args), dict(fixed), bool(item.get("qualifies", False))))
    return out
