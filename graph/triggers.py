"""The text a regular expression cannot match without: a cheap test before running it.

Each rule's pattern is parsed (Python's own regex parser) for literal text that
every match must contain, such as one of the verbs of an alternation
("übernimmt|übernahm|kauft"). A sentence that contains none of them cannot
match, and the rule is not run on it: most rules fit few sentences, and a
substring test costs a fraction of a regex search (the prefilter idea of
Hyperscan and SystemT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # Python 3.11+
    import re._constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MIN_LENGTH = 2  # shorter required text does not rule out enough to pay off
MAX_ALTERNATIVES = 512
_IGNORECASE = 2  # re.IGNORECASE


@dataclass(frozen=True, eq=False)
class Trigger:
    """Texts one of which every match contains; `folded`: compared in lower case."""

    texts: tuple[str, ...]
    folded: bool

    regex: _AnyOf  # any of the texts

    def may_match(self, text: str, lowered: str | None = None) -> bool:
        if len(self.texts) <= 8:  # a few substring tests beat a regex search
            haystack = (lowered if lowered is not None else text.lower()) if self.folded else text
            return any(t in haystack for t in self.texts)
        return self.regex.search(text) is not None


class Prefilter:
    """Which of a list of rules can match a text, found in one pass over it.

    One Aho-Corasick automaton (ahocorasick_rs) holds the trigger texts of all
    the rules, in lower case; the rules whose triggers it finds, and those
    without a trigger, are the ones worth running.
    """

    def __init__(self, triggers: list[Trigger | None]):
        import ahocorasick_rs

        self.always = frozenset(i for i, t in enumerate(triggers) if t is None)
        by_text: dict[str, set[int]] = {}
        for i, t in enumerate(triggers):
            for text in t.texts if t is not None else ():
                by_text.setdefault(text.lower(), set()).add(i)
        self.texts = sorted(by_text)
        self.rules = [frozenset(by_text[t]) for t in self.texts]
        self.index = {t: i for i, t in enumerate(self.texts)}
        self.automaton = ahocorasick_rs.AhoCorasick(self.texts, matchkind=ahocorasick_rs.MatchKind.Standard) \
            if self.texts else None

    def candidates(self, text: str) -> set[int]:
        """Indices of the rules that may match `text`."""
        out = set(self.always)
        if self.automaton is not None:
            for found in set(self.automaton.find_matches_as_strings(text.lower(), overlapping=True)):
                out |= self.rules[self.index[found]]
        return out


_CACHE: dict[tuple, _AnyOf] = {}


class _AnyOf:
    """A search for any of some texts, compiled when first needed (most rules never need it)."""

    __slots__ = ("_regex", "folded", "texts")

    def __init__(self, texts: tuple[str, ...], folded: bool):
        self.texts, self.folded, self._regex = texts, folded, None

    def search(self, text: str) -> re.Match | None:
        if self._regex is None:
            body = "|".join(re.escape(t) for t in sorted(self.texts, key=lambda t: (-len(t), t)))
            self._regex = re.compile(body, re.IGNORECASE if self.folded else 0)
        return self._regex.search(text)


def _compiled(texts: tuple[str, ...], folded: bool) -> _AnyOf:
    key = (texts, folded)
    if key not in _CACHE:
        _CACHE[key] = _AnyOf(texts, folded)
    return _CACHE[key]


def trigger(pattern: str, flags: int = 0) -> Trigger | None:
    """The trigger of a pattern; None when no useful one is known.

    >>> trigger(r"(?:acquired|bought) (?:the )?\\w+").texts
    ('acquired ', 'bought ')
    >>> trigger(r"\\w+ (?:a|b)") is None
    True
    >>> t = trigger(r"(?i:CEO|chief executive) \\w+"); (t.texts, t.folded)
    (('ceo ', 'chief executive '), True)
    """
    if flags & _IGNORECASE:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - a pattern we cannot analyse gets no prefilter
        return None
    found = _sequence(list(parsed))
    if not found or _score(found)[1] < MIN_LENGTH:
        return None
    texts = tuple(sorted(found[0]))
    return Trigger(texts, found[1], _compiled(texts, found[1]))


Options = tuple  # (set of texts, folded)


def _sequence(items) -> Options | None:
    best: Options | None = None
    run: list[Options] = []

    def consider(options: Options | None) -> None:
        nonlocal best
        if options and options[0] and (best is None or _score(options) > _score(best)):
            best = options

    def flush() -> None:
        if run:
            consider(_join(run))
            run.clear()

    for op, av in items:
        exact = _exact(op, av)
        if exact is not None:
            run.append(exact)
            continue
        flush()
        consider(_required(op, av))
    flush()
    return best


def _join(parts: list[Options]) -> Options | None:
    folded = any(f for _, f in parts)
    out = {""}
    for texts, _ in parts:
        out = {a + (b.lower() if folded else b) for a in out for b in texts}
        if len(out) > MAX_ALTERNATIVES:
            return None
    return ({s.lower() for s in out} if folded else out), folded


def _score(options: Options) -> tuple:
    # long enough first, then long, then few; a mention's placeholder (extract.py) is in
    # nearly every sentence a rule sees, so it counts as one character
    shortest = min(1 if "\ue000" in s else len(s) for s in options[0])
    return (shortest >= MIN_LENGTH, min(shortest, 8), -len(options[0]))


def _union(parts: list[Options]) -> Options | None:
    folded = any(f for _, f in parts)
    out = set()
    for texts, _ in parts:
        out |= {t.lower() for t in texts} if folded else texts
    return (out, folded) if len(out) <= MAX_ALTERNATIVES else None


def _flags_ok(add_flags: int, del_flags: int) -> bool | None:
    if del_flags or add_flags & ~_IGNORECASE:
        return None
    return bool(add_flags & _IGNORECASE)


def _exact(op, av) -> Options | None:
    if op is _c.LITERAL:
        return {chr(av)}, False
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        folded = _flags_ok(add_flags, del_flags)
        if folded is None:
            return None
        inner = _exact_seq(list(sub))
        return None if inner is None else ({t.lower() for t in inner[0]} if folded else inner[0], folded or inner[1])
    if op is _c.BRANCH:
        parts = []
        for branch in av[1]:
            texts = _exact_seq(list(branch))
            if texts is None:
                return None
            parts.append(texts)
        return _union(parts)
    return None


def _exact_seq(items) -> Options | None:
    parts = []
    for op, av in items:
        texts = _exact(op, av)
        if texts is None:
            return None
        parts.append(texts)
    return _join(parts) if parts else None


def _required(op, av) -> Options | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        folded = _flags_ok(add_flags, del_flags)
        if folded is None:
            return None
        inner = _sequence(list(sub))
        return None if inner is None else ({t.lower() for t in inner[0]} if folded else inner[0], folded or inner[1])
    if op is _c.BRANCH:
        parts = []
        for branch in av[1]:
            texts = _sequence(list(branch))
            if not texts:
                return None
            parts.append(texts)
        return _union(parts)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        if low >= 1:
            return _sequence(list(sub))
    return None
