"""Shared checks for the per-language rule tables (tests/test_rules_<lang>.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from claims import facts


def facts_by_rule(extraction) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for claim in extraction.claims:
        # "main+qualifier": a qualifier rule adds to the claim another rule read
        for rule in claim.evidence.rule.split("+"):
            out.setdefault(rule, set()).update(facts(claim))
    return out


def check_row(extract_text, language: str, rule: str, text: str, expected: set[str]) -> None:
    extraction = extract_text(text, language)
    by_rule = facts_by_rule(extraction)
    got = by_rule.get(rule, set())
    assert expected <= got, f"{rule} read {sorted(got)}; all rules read {by_rule}"


def check_absent(extract_text, language: str, text: str, forbidden: str) -> None:
    extraction = extract_text(text, language)
    every = set().union(*facts_by_rule(extraction).values()) if extraction.claims else set()
    bad = {f for f in every if f == forbidden or f.startswith(forbidden + " ") or f.startswith(forbidden + ".")}
    assert not bad, f"must not read {forbidden!r}, read {sorted(bad)}"
