"""Gold files: the facts people annotated by hand in real articles, for `kg eval`.

In: JSON files in the format the README documents (one language per file).
Out: `GoldDocument`s with their entities and facts, validated; every problem
of every file is reported together as `file: where: reason`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import KgError

FAMILIES = ("role", "founded", "joins", "leaves", "succeeds", "acquires", "invests", "funding", "merges",
            "partners", "customer", "supplies", "reduces", "competes", "part_of", "layoffs", "sues", "cites",
            "other")
# Families whose direction does not matter, and pairs that say one thing from either side.
SYMMETRIC = frozenset({"merges", "partners", "competes"})
INVERSE = {"customer": "supplies", "supplies": "customer"}
# Families of an event of one organization, or of a cited outlet: no object.
WITHOUT_OBJECT = frozenset({"funding", "layoffs", "cites"})
STATUSES = ("current", "former", "future", None)


class GoldError(KgError):
    exit_code = 2


@dataclass(frozen=True)
class GoldEntity:
    name: str
    type: str  # "person" or "org"
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class GoldFact:
    s: str
    rel: str
    o: str | None
    role: str | None
    status: str | None
    hedged: bool

    def describe(self) -> str:
        detail = ", ".join(x for x in (self.role, self.status, "hedged" if self.hedged else None) if x)
        obj = f" {self.o}" if self.o else ""
        return f"{self.s} —[{self.rel}]→{obj}" + (f" ({detail})" if detail else "")


@dataclass(frozen=True)
class GoldDocument:
    file: str  # relative to the seeds folder the articles were built from
    lang: str
    address: str | None
    sha256: str | None
    entities: tuple[GoldEntity, ...]
    facts: tuple[GoldFact, ...]
    source: str  # the gold file it came from

    def names_of(self, name: str) -> tuple[str, ...]:
        """The name and every alias of the entity called `name` in this document."""
        for e in self.entities:
            if e.name == name:
                return (e.name, *e.aliases)
        return (name,)


def load_gold(paths: list[Path]) -> list[GoldDocument]:
    """Read and validate gold files; GoldError lists every problem of every file.

    >>> load_gold([])
    []
    """
    docs: list[GoldDocument] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror or exc})")
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: not valid JSON ({exc})")
            continue
        for doc in _documents(data, str(path), problems):
            if doc.file in seen:
                problems.append(f"{path}: document {doc.file!r} is also in {seen[doc.file]}")
                continue
            seen[doc.file] = str(path)
            docs.append(doc)
    if problems:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise GoldError("invalid gold file: " + "; ".join(shown))
    return docs


def _documents(data, source: str, problems: list[str]) -> list[GoldDocument]:
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        problems.append(f"{source}: expected an object with \"lang\" and a list \"docs\"")
        return []
    lang = data.get("lang")
    if lang not in ("de", "nl", "en"):
        problems.append(f"{source}: \"lang\" must be de, nl or en, not {lang!r}")
        return []
    out = []
    for i, raw in enumerate(data["docs"]):
        where = f"{source}: docs[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str) or not raw["file"]:
            problems.append(f"{where}: needs a \"file\" (the article's path relative to the seeds folder)")
            continue
        where = f"{source}: {raw['file']}"
        before = len(problems)
        entities = _entities(raw.get("entities"), where, problems)
        known = {e.name for e in entities}
        facts = _facts(raw.get("facts"), known, where, problems)
        for key in ("address", "sha256"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                problems.append(f"{where}: \"{key}\" must be a string")
        if len(problems) == before:
            out.append(GoldDocument(raw["file"], lang, raw.get("address"), raw.get("sha256"),
                                    tuple(entities), tuple(facts), source))
    return out


def _entities(raw, where: str, problems: list[str]) -> list[GoldEntity]:
    if not isinstance(raw, list):
        problems.append(f"{where}: \"entities\" must be a list")
        return []
    out = []
    for j, e in enumerate(raw):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"].strip():
            problems.append(f"{where}: entities[{j}] needs a \"name\"")
            continue
        if e.get("type") not in ("person", "org"):
            problems.append(f"{where}: entity {e['name']!r}: \"type\" must be person or org")
            continue
        aliases = e.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}: entity {e['name']!r}: \"aliases\" must be a list of strings")
            continue
        out.append(GoldEntity(e["name"], e["type"], tuple(aliases)))
    return out


def _facts(raw, known: set[str], where: str, problems: list[str]) -> list[GoldFact]:
    if not isinstance(raw, list):
        problems.append(f"{where}: \"facts\" must be a list")
        return []
    out = []
    for j, f in enumerate(raw):
        at = f"{where}: facts[{j}]"
        if not isinstance(f, dict):
            problems.append(f"{at}: must be an object")
            continue
        rel, s, o = f.get("rel"), f.get("s"), f.get("o")
        if rel not in FAMILIES:
            problems.append(f"{at}: \"rel\" must be one of {', '.join(FAMILIES)}, not {rel!r}")
            continue
        if s not in known:
            problems.append(f"{at}: \"s\" {s!r} is not an entity of the document")
            continue
        if o is not None and o not in known:
            problems.append(f"{at}: \"o\" {o!r} is not an entity of the document")
            continue
        status = f.get("status")
        if status not in STATUSES:
            problems.append(f"{at}: \"status\" must be current, former, future or null, not {status!r}")
            continue
        role = f.get("role")
        if role is not None and not isinstance(role, str):
            problems.append(f"{at}: \"role\" must be a string or null")
            continue
        hedged = f.get("hedged", False)
        if not isinstance(hedged, bool):
            problems.append(f"{at}: \"hedged\" must be true or false")
            continue
        out.append(GoldFact(s, rel, o, role, status, hedged))
    return out
