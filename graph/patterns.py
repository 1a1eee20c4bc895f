"""Rule patterns compiled when first used, and a cache of what is known about each.

Rule files expand to about 2.3 million characters of regular expressions;
compiling them all and working out each one's trigger (triggers.py) took
several seconds at every start, more than extracting a thousand articles. So:

- a pattern is checked once (compiled, its trigger computed) and the result is
  kept in a small cache file keyed by the pattern's hash, in the user's cache
  folder (``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``);
- a pattern the cache knows is compiled only when a sentence first needs it;
- and then from its program: what Python's regular-expression compiler made of
  it the first time (the list of opcodes ``re`` hands to its matching engine),
  kept beside the triggers. Parsing and compiling is 90% of a worker's start on
  real text; rebuilding a pattern from its program takes microseconds. This uses
  the interpreter's own compiler modules (``re._parser``, ``re._compiler``,
  ``_sre``), so programs are kept per Python version and engine version, behind a
  checksum, and the engine validates every program it is given; anything
  unexpected falls back to ``re.compile``.

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
from array import array
from pathlib import Path

from .triggers import Trigger, _compiled, trigger


class LazyPattern:
    """A regular expression compiled on first use; behaves like the `re.Pattern` it stands for."""

    __slots__ = ("_compiled", "_program", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0, compiled: re.Pattern | None = None, program=None):
        self.pattern = pattern
        self.flags = flags
        self._compiled = compiled
        self._program = program

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = _from_program(self.pattern, self._program) or re.compile(self.pattern, self.flags)
            self._program = None
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
        self._program = None


try:  # the interpreter's own regular-expression compiler, in two steps
    import _sre
    from re import _compiler as _re_compiler
    from re import _parser as _re_parser

    _PROGRAMS = array("I").itemsize == _sre.CODESIZE
    _ENGINE = f"py{sys.version_info[0]}.{sys.version_info[1]}-sre{_sre.MAGIC}"
except (ImportError, AttributeError):  # another interpreter: compile every time
    _PROGRAMS = False
    _ENGINE = ""


def compile_with_program(pattern: str, flags: int = 0) -> tuple[re.Pattern, tuple | None]:
    """`re.compile(pattern, flags)`, and the program it was built from (None if unavailable)."""
    if _PROGRAMS:
        try:
            parsed = _re_parser.parse(pattern, flags)
            code = _re_compiler._code(parsed, flags)
            groupindex = dict(parsed.state.groupdict)
            indexgroup = [None] * parsed.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            program = (flags | parsed.state.flags, array("I", code), parsed.state.groups - 1, groupindex,
                       tuple(indexgroup))
            compiled = _from_program(pattern, program)
            if compiled is not None:  # tests/test_patterns.py: the same as re.compile's, rule by rule
                return compiled, program
        except Exception:  # noqa: BLE001, S110 - a different compiler: fall back to the public one
            pass
    return re.compile(pattern, flags), None


def _from_program(pattern: str, program) -> re.Pattern | None:
    if program is None or not _PROGRAMS:
        return None
    try:
        flags, code, groups, groupindex, indexgroup = program
        return _sre.compile(pattern, flags, list(code), groups, groupindex, indexgroup)
    except Exception:  # noqa: BLE001 - the engine refused the program: compile the pattern
        return None


def cache_dir() -> Path:
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


class PatternCache:
    """Which expanded patterns are known to compile, their triggers, and their programs."""

    def __init__(self) -> None:
        # regex syntax may change between Python versions: one file per version
        self.path = cache_dir() / f"patterns-py{sys.version_info[0]}.{sys.version_info[1]}.json"
        try:
            self.known: dict[str, list | None] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.added = False
        self.programs = ProgramFile(cache_dir() / f"programs-{_ENGINE}.bin") if _PROGRAMS else None

    @staticmethod
    def key(pattern: str, flags: int) -> str:
        return hashlib.sha256(f"{flags}\0{pattern}".encode()).hexdigest()[:32]

    def pattern(self, expanded: str, flags: int) -> tuple[LazyPattern, Trigger | None]:
        """The pattern and its trigger; raises re.error when it does not compile."""
        key = self.key(expanded, flags)
        program = self.programs.get(key) if self.programs is not None else None
        if key in self.known and (program is not None or self.programs is None):
            found = self.known[key]
            trig = Trigger(tuple(found[0]), found[1], _compiled(tuple(found[0]), found[1])) if found else None
            return LazyPattern(expanded, flags, program=program), trig
        compiled, program = compile_with_program(expanded, flags)
        trig = trigger(expanded, flags)
        self.known[key] = [list(trig.texts), trig.folded] if trig else None
        self.added = True
        if program is not None and self.programs is not None:
            self.programs.add(key, program)
        return LazyPattern(expanded, flags, compiled), trig

    def save(self) -> None:
        if not self.added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_replace(self.path, json.dumps(self.known, sort_keys=True).encode("utf-8"))
            if self.programs is not None:
                self.programs.save()
        except OSError:
            pass  # a cache we cannot write costs time, nothing else


def _write_replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class ProgramFile:
    """Compiled programs of patterns, by pattern key, in one file behind a checksum.

    Layout: a magic line, the SHA-256 of the rest, a JSON index line
    ``{key: [offset, length, flags, groups, groupindex, indexgroup]}``, then the
    opcodes of every program as unsigned 32-bit integers. A file that does not
    check out is ignored as a whole (and rewritten by the next load that compiles).
    """

    MAGIC = b"kg-programs-1\n"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: dict[str, list] = {}
        self.blob = b""
        self.new: dict[str, tuple] = {}
        try:
            data = path.read_bytes()
        except OSError:
            return
        head = len(self.MAGIC)
        if not data.startswith(self.MAGIC) or len(data) < head + 65:
            return
        digest, rest = data[head:head + 64], data[head + 65:]
        if hashlib.sha256(rest).hexdigest().encode() != digest:
            return
        line, _, blob = rest.partition(b"\n")
        try:
            self.index = json.loads(line)
        except ValueError:
            return
        self.blob = blob

    def get(self, key: str) -> tuple | None:
        if key in self.new:
            return self.new[key]
        entry = self.index.get(key)
        if entry is None:
            return None
        try:
            offset, length, flags, groups, groupindex, indexgroup = entry
            code = array("I")
            code.frombytes(self.blob[offset * 4:(offset + length) * 4])
        except (TypeError, ValueError):
            return None
        if len(code) != length:
            return None
        return flags, code, groups, groupindex, tuple(indexgroup)

    def add(self, key: str, program: tuple) -> None:
        self.new[key] = program

    def save(self) -> None:
        if not self.new:
            return
        index: dict[str, list] = {}
        chunks: list[bytes] = []
        offset = 0
        for key in sorted({*self.index, *self.new}):
            program = self.get(key)
            if program is None:
                continue
            flags, code, groups, groupindex, indexgroup = program
            index[key] = [offset, len(code), flags, groups, groupindex, list(indexgroup)]
            chunks.append(code.tobytes())
            offset += len(code)
        rest = json.dumps(index, sort_keys=True).encode() + b"\n" + b"".join(chunks)
        _write_replace(self.path, self.MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest)
