"""Check the development set's texts against its gold files.

Run `python devset/check.py` after re-fetching the texts (devset/README.md):
it lists every gold document whose text is missing or differs from the one
annotated (by sha256), and exits 1 when any does.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    problems, checked = [], 0
    for gold in sorted((HERE / "gold").glob("*/*.json")):
        half = gold.parent.name
        for doc in json.loads(gold.read_text(encoding="utf-8"))["docs"]:
            checked += 1
            path = HERE / "texts" / half / doc["file"]
            if not path.is_file():
                problems.append(f"missing: {path.relative_to(HERE.parent)} ({doc['address']})")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != doc["sha256"]:
                problems.append(f"differs: {path.relative_to(HERE.parent)} ({doc['address']})")
    for p in problems:
        print(p)
    print(f"{checked} documents checked: {'all present and unchanged' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
