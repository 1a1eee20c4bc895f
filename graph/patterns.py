"""Rule patterns compiled when first used, and a cache of what is known about each.

Rule files expand to about 1.6 million characters of regular expressions;
compiling them all and working out each one's trigger (triggers.py) took
several seconds at every start, more than extracting a thousand articles. So:

- a pattern is checked once (compiled, its trigger computed) and the result is
  kept in a small cache file keyed by the pattern's hash, in the user's cache
  folder (``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``);
- a pattern the cache knows is compiled only when a sentence first needs it.

A pattern the cache does not know is compiled at load, so a broken rule is
still reported with every other problem before anything runs. The cache only
ever saves work: deleting it, or an unwritable folder, changes no result.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from .triggers import Trigger, _compiled, trigger


class LazyPattern:
    """A regular expression compiled on first use; behaves like the `re.Pattern` it stands for."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0, compiled: re.Pattern | None = None):
        self.pattern = pattern
        self.flags = flags
        self._compiled = compiled

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str):
        if name.startswith("_"):  # an unset slot, or pickle asking for its hooks
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __getstate__(self):
        return self.pattern, self.flags

    def __setstate__(self, state) -> None:
        self.pattern, self.flags = state
        self._compiled = None


def cache_dir() -> Path:
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


class PatternCache:
    """Which expanded patterns are known to compile, and their triggers."""

    def __init__(self) -> None:
        # regex syntax may change between Python versions: one file per version
        self.path = cache_dir() / f"patterns-py{sys.version_info[0]}.{sys.version_info[1]}.json"
        try:
            self.known: dict[str, list | None] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.added = False

    @staticmethod
    def key(pattern: str, flags: int) -> str:
        return hashlib.sha256(f"{flags}\0{pattern}".encode()).hexdigest()[:32]

    def pattern(self, expanded: str, flags: int) -> tuple[LazyPattern, Trigger | None]:
        """The pattern and its trigger; raises re.error when it does not compile."""
        key = self.key(expanded, flags)
        if key in self.known:
            found = self.known[key]
            trig = Trigger(tuple(found[0]), found[1], _compiled(tuple(found[0]), found[1])) if found else None
            return LazyPattern(expanded, flags), trig
        compiled = re.compile(expanded, flags)
        trig = trigger(expanded, flags)
        self.known[key] = [list(trig.texts), trig.folded] if trig else None
        self.added = True
        return LazyPattern(expanded, flags, compiled), trig

    def save(self) -> None:
        if not self.added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache we cannot write costs time, nothing else
