"""Recall and precision of extraction against tests/gold/seeds.tsv.

Run `python tests/gold.py` for the figures per article; test_gold.py holds
the line they must not fall below.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from claims import all_facts


@dataclass
class Score:
    gold: int
    found: int
    correct: int
    missed: list[str]
    extra: list[str]

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def load_gold(path: Path = HERE / "gold" / "seeds.tsv") -> dict[str, set[str]]:
    gold: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc, fact = line.split("\t")
        gold.setdefault(doc, set()).add(fact)
    return gold


def score(seeds: Path) -> dict[str, Score]:
    from graph.pipeline import extract_article
    from graph.read import read_article
    from graph.resolve import load_registry
    from graph.rules import load_rules

    rules, registry = load_rules(), load_registry()
    out = {}
    for doc, expected in sorted(load_gold().items()):
        extraction = extract_article(read_article(seeds / doc, root=seeds), rules, registry)
        found = all_facts(extraction.claims)
        out[doc] = Score(len(expected), len(found), len(expected & found),
                         sorted(expected - found), sorted(found - expected))
    return out


def main() -> None:
    scores = score(HERE.parent / "seeds")
    total = Score(0, 0, 0, [], [])
    for doc, s in scores.items():
        print(f"{doc}: recall {s.recall:.2f} ({s.correct}/{s.gold}), precision {s.precision:.2f} ({s.correct}/{s.found})")
        for m in s.missed:
            print(f"    missed: {m}")
        for e in s.extra:
            print(f"    extra:  {e}")
        total.gold += s.gold
        total.found += s.found
        total.correct += s.correct
    print(f"all: recall {total.recall:.3f} ({total.correct}/{total.gold}), "
          f"precision {total.precision:.3f} ({total.correct}/{total.found})")


if __name__ == "__main__":
    main()
