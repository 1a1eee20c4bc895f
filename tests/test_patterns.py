"""Rule patterns compiled on first use, with a cache of patterns known to compile."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from array import array

import pytest

from graph.errors import RuleError
from graph.patterns import LazyPattern, PatternCache, ProgramFile
from graph.rules import RULES_DIR, _load_rules


def test_a_lazy_pattern_matches_like_the_compiled_one_and_pickles():
    lazy = LazyPattern(r"(?P<n>\d+) Stellen")
    assert lazy.search("Acme streicht 500 Stellen").group("n") == "500"
    again = pickle.loads(pickle.dumps(lazy))
    assert again.pattern == lazy.pattern and again.search("12 Stellen").group("n") == "12"


def test_rules_loaded_from_the_cache_read_the_same_as_rules_compiled_fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    fresh = _load_rules.__wrapped__(str(RULES_DIR))
    assert list(tmp_path.glob("patterns-*.json"))  # the first load wrote what it checked
    cached = _load_rules.__wrapped__(str(RULES_DIR))
    for lang in ("de", "nl", "en"):
        a, b = fresh[lang].relations, cached[lang].relations
        assert [r.regex.pattern for r in a] == [r.regex.pattern for r in b]
        assert [r.trigger and r.trigger.texts for r in a] == [r.trigger and r.trigger.texts for r in b]
    text = "Der Versicherer Halvora übernimmt den Konkurrenten Brestelmann."
    assert [m.span() for m in cached["de"].relations[0].regex.finditer(text)] == \
        [m.span() for m in fresh["de"].relations[0].regex.finditer(text)]


def test_a_broken_pattern_is_reported_whatever_the_cache_holds(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    root = shutil.copytree(RULES_DIR, tmp_path / "rules")
    with open(root / "de" / "relations.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "de.rel.broken", "pattern": "(unclosed",
                            "yields": {"claim": "joined", "args": {}}}) + "\n")
    for _ in range(2):  # the second load has a cache from the first
        with pytest.raises(RuleError) as info:
            _load_rules.__wrapped__(str(root))
        assert any("de.rel.broken: bad regular expression" in p for p in info.value.problems)


def test_an_unwritable_cache_folder_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "kg"))
    cache = PatternCache()
    pattern, trig = cache.pattern("(?:übernimmt|kauft) [A-Z]", 0)
    cache.save()  # cannot write: no error
    assert pattern.search("Acme kauft Beta") and trig.texts == ("kauft ", "übernimmt ")


def _all_patterns(ruleset):
    for lang in ruleset.languages.values():
        for rule in lang.relations:
            yield rule.regex


def test_every_rule_rebuilt_from_its_stored_program_is_the_pattern_re_compiles(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    _load_rules.__wrapped__(str(RULES_DIR))  # compiles, stores triggers and programs
    assert list(tmp_path.glob("programs-*.bin"))
    cached = _load_rules.__wrapped__(str(RULES_DIR))
    lazies = [p for p in _all_patterns(cached) if isinstance(p, LazyPattern)]
    assert lazies and all(p._program is not None for p in lazies)
    for lazy in lazies:
        # a Pattern equals another with the same text, flags and compiled code
        assert lazy.compiled() == re.compile(lazy.pattern, lazy.flags), lazy.pattern[:80]


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_program_file_is_ignored_and_rewritten(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    _load_rules.__wrapped__(str(RULES_DIR))
    (path,) = tmp_path.glob("programs-*.bin")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # one opcode changed: the checksum no longer fits
        path.write_bytes(data[:-9] + bytes([data[-9] ^ 0xFF]) + data[-8:])
    else:
        path.write_bytes(b"")
    assert ProgramFile(path).index == {}
    again = _load_rules.__wrapped__(str(RULES_DIR))
    text = "Der Versicherer Halvora übernimmt den Konkurrenten Brestelmann."
    assert [m.span() for m in again["de"].relations[0].regex.finditer(text)] == \
        [m.span() for m in re.compile(again["de"].relations[0].regex.pattern).finditer(text)]
    assert ProgramFile(path).index  # the load that compiled wrote the file anew


def test_a_program_the_engine_refuses_falls_back_to_compiling_the_pattern():
    bad = (0, array("I", [1, 2, 3]), 0, {}, ())
    lazy = LazyPattern(r"(\d+) Stellen", 0, program=bad)
    assert lazy.search("Acme streicht 500 Stellen").group(1) == "500"
