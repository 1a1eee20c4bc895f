"""Rule patterns compiled on first use, with a cache of patterns known to compile."""

from __future__ import annotations

import json
import pickle
import shutil

import pytest

from graph.errors import RuleError
from graph.patterns import LazyPattern, PatternCache
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
