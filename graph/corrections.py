"""The corrections file: analysts' decisions about the graph, as data.

One JSON object a line in `SEEDS/corrections.jsonl` (or `--corrections FILE`),
applied by `kg build` in file order after extraction (see `amend.py`). Each
line says what to change (`op` and its fields), who decided it (`by`), when
(`at`, UTC) and why (`why`). The file is text so it can be reviewed, diffed and
versioned with the articles; `kg correct` appends to it and `kg correct undo N`
removes a line.

Entities are named by their key ("person/jason-droege", the IRI after
`https://kg.example.org/id/`), relationships by what they are (the kind, the
keys of both sides, the role): a statement's IRI changes when a merge changes
a side, what it says does not. The names as the analyst typed them are kept
beside the keys for people reading the file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import KgError

FILE_NAME = "corrections.jsonl"

# Fields each operation needs, beyond the common by/at/why; "?" marks an optional field.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "reject": ("relationship", "label", "document?", "qualifier?", "value?"),
    "confirm": ("relationship", "label", "document?"),
    "add": ("relationship", "label", "document", "quote", "start", "new?"),
    "merge": ("keep", "drop", "label"),
    # back: the split takes out only what an earlier merge put into the entity
    "split": ("entity", "document", "into", "label", "new?", "back?"),
    "rename": ("entity", "name", "label?"),
    "wikidata": ("entity", "qid", "label?"),
    "alias": ("entity", "alias", "label?"),
    "type": ("entity", "type", "label?"),
}
COMMON = ("op", "by", "at", "why")
ENTITY_KEY = re.compile(r"(person|org|unit)/[a-z0-9][a-z0-9-]*")
AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# the qualifiers whose single values `reject --value` takes
NUMERIC = ("amount", "stake", "valuation", "share", "employees", "contractors")
KINDS = {"person": "person", "organization": "org", "unit": "unit"}
QID = re.compile(r"Q[1-9][0-9]*")


class CorrectionError(KgError):
    """The corrections file is malformed, or a correction names nothing that is in the graph."""

    exit_code = 2


@dataclass(frozen=True)
class Relationship:
    """What a relationship is, independent of statement IRIs: its kind, both sides and the role.

    `kind` is a claim kind of `types.CLAIM_KINDS` ("membership", "investment",
    "customerOf", …); `relation` the role id of a membership, else "";
    `object` is "" for events of one organization (a workforce reduction).
    """

    kind: str
    subject: str
    relation: str
    object: str

    def key(self) -> str:
        return "|".join((self.kind, self.subject, self.relation, self.object))

    @classmethod
    def parse(cls, text: str) -> "Relationship":
        parts = text.split("|")
        if len(parts) != 4 or not parts[0] or not ENTITY_KEY.fullmatch(parts[1]) \
                or (parts[3] and not ENTITY_KEY.fullmatch(parts[3])):
            raise ValueError(f"{text!r} is not KIND|SUBJECT|RELATION|OBJECT with entity keys")
        return cls(*parts)


@dataclass(frozen=True)
class Correction:
    """One line of the corrections file."""

    line: int
    op: str
    fields: tuple[tuple[str, object], ...]
    by: str
    at: str
    why: str

    def get(self, name: str, default=None):
        for key, value in self.fields:
            if key == name:
                return value
        return default

    @property
    def relationship(self) -> Relationship | None:
        text = self.get("relationship")
        return Relationship.parse(text) if text else None

    def to_json(self) -> dict:
        fields = {k: dict(v) if k == "new" else v for k, v in self.fields}
        return {"op": self.op, **fields, "by": self.by, "at": self.at, "why": self.why}

    def describe(self) -> str:
        """One line for people: what the correction does."""
        label = name = self.get("label") or self.get("entity")
        op = self.op
        if op in ("reject", "confirm", "add"):
            value = f" (only {self.get('qualifier')} = {self.get('value')})" if self.get("value") is not None else ""
            doc = f" in {self.get('document')}" if self.get("document") and op != "add" else ""
            quote = f" from {self.get('document')}: “{self.get('quote')}”" if op == "add" else ""
            return f"{op} {label}{value}{doc}{quote}"
        if op == "merge":
            return f"merge {label}"
        if op == "split":
            return f"split {label}"
        if op == "rename":
            return f"rename {name} to “{self.get('name')}”"
        if op == "wikidata":
            return f"{name} is Wikidata {self.get('qid')}"
        if op == "alias":
            return f"{name} is also called “{self.get('alias')}”"
        return f"{name} is {'an' if self.get('type')[0] in 'aeiou' else 'a'} {self.get('type')}"


def corrections_path(seeds: Path, given: Path | None = None) -> Path:
    """The corrections file of a seeds folder, or the one given with --corrections."""
    return given if given is not None else seeds / FILE_NAME


def load_corrections(path: Path) -> list[Correction]:
    """Every correction in the file, in file order; [] when there is no file.

    Raises CorrectionError naming the first malformed line and what is wrong with it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CorrectionError(f"{path}: cannot read the corrections ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # an editor's byte order mark is no part of line 1
    except UnicodeDecodeError as exc:
        raise CorrectionError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    out = []
    # JSON lines end at "\n" only: str.splitlines() would also cut at U+2028 or U+0085 inside a string
    for number, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            out.append(parse_correction(raw, number))
        except ValueError as exc:
            raise CorrectionError(f"{path}:{number}: {exc}") from None
    return out


def parse_correction(raw: str, line: int) -> Correction:
    """One line of the file; ValueError saying what is wrong."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON object ({exc.msg}, column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    op = obj.get("op")
    if op not in OPERATIONS:
        raise ValueError(f"unknown op {op!r}; one of {', '.join(OPERATIONS)}")
    for name in ("by", "at", "why"):
        if not isinstance(obj.get(name), str) or not obj[name].strip():
            raise ValueError(f"{op}: {name!r} must be a non-empty string")
    try:
        if not AT.fullmatch(obj["at"]):
            raise ValueError
        datetime.strptime(obj["at"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ValueError(f"{op}: 'at' must be a UTC time like 2026-01-31T09:30:00Z, not {obj['at']!r}") from None
    spec = OPERATIONS[op]
    allowed = set(COMMON) | {f.rstrip("?") for f in spec}
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ValueError(f"{op}: unknown field {unknown[0]!r}")
    fields = []
    for f in spec:
        name, optional = f.rstrip("?"), f.endswith("?")
        if name not in obj or obj[name] is None:
            if optional:
                continue
            raise ValueError(f"{op}: missing {name!r}")
        fields.append((name, _check(op, name, obj[name])))
    if ("qualifier" in obj) != ("value" in obj):
        raise ValueError(f"{op}: 'qualifier' and 'value' go together")
    _check_kinds(op, dict(fields))
    return Correction(line, op, tuple(fields), obj["by"], obj["at"], obj["why"])


def _check_kinds(op: str, fields: dict) -> None:
    """What the line says must be a relationship or entity change kg can model: else the build would fail."""
    from .types import CLAIM_KINDS

    sort = lambda key: "person" if key.startswith("person/") else "org"
    if "relationship" in fields:
        rel = Relationship.parse(fields["relationship"])
        if rel.kind not in CLAIM_KINDS or rel.kind in ("cites", "publisher"):
            raise ValueError(f"{op}: {rel.kind!r} is not a kind of relationship kg corrects")
        wants = CLAIM_KINDS[rel.kind]
        sides = {"membership": ("member", "organization"), "investment": ("investor", "target"),
                 "fundingRound": ("investor", "target")}.get(rel.kind)
        if sides is None:
            sides = ("organization", "") if "organization" in wants else ("subject", "object")
        for side, key in zip(sides, (rel.subject, rel.object)):
            if not side:
                continue
            want = wants[side]
            if not key or (want == "person" and sort(key) != "person") or (want in ("org", "unit") and sort(key) == "person"):
                raise ValueError(f"{op}: {rel.kind} needs {'a person' if want == 'person' else 'an organization'} "
                                 f"as {side}, not {key or 'nothing'}")
        # whether the role is (still) in ontology/roles.ttl is the plan's to say: a stale correction
        if rel.kind != "membership" and rel.relation:
            raise ValueError(f"{op}: only a membership has a role")
    pairs = {"merge": ("keep", "drop"), "split": ("entity", "into")}.get(op)
    if pairs and fields[pairs[0]] == fields[pairs[1]]:
        raise ValueError(f"{op}: {pairs[0]} and {pairs[1]} are one entity ({fields[pairs[0]]})")
    if pairs and sort(fields[pairs[0]]) != sort(fields[pairs[1]]):
        raise ValueError(f"{op}: {fields[pairs[0]]} and {fields[pairs[1]]} are not of one kind (a person and an "
                         "organization are never one entity)")
    if "qualifier" in fields and fields["qualifier"] not in NUMERIC:
        raise ValueError(f"{op}: 'qualifier' must be one of {', '.join(NUMERIC)}")


def _check(op: str, name: str, value):
    if name == "start":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{op}: 'start' must be a character offset (a whole number from 0)")
        return value
    if name == "back":
        if not isinstance(value, bool):
            raise ValueError(f"{op}: 'back' must be true or false")
        return value
    if name == "new":  # the kinds of names an add or split makes new entities of: {key: label}
        if not isinstance(value, dict) or not all(isinstance(k, str) and ENTITY_KEY.fullmatch(k)
                                                  and isinstance(v, str) and v.strip() for k, v in value.items()):
            raise ValueError(f"{op}: 'new' must map entity keys to names")
        return tuple(sorted(value.items()))
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{op}: {name!r} must be a non-empty string")
    if name == "relationship":
        Relationship.parse(value)
    elif name in ("entity", "keep", "drop", "into") and not ENTITY_KEY.fullmatch(value):
        raise ValueError(f"{op}: {name!r} must be an entity key such as person/jane-doe, not {value!r}")
    elif name == "qid" and not QID.fullmatch(value):
        raise ValueError(f"{op}: 'qid' must be a Wikidata item id such as Q42, not {value!r}")
    elif name == "type" and value not in KINDS:
        raise ValueError(f"{op}: 'type' must be one of {', '.join(KINDS)}, not {value!r}")
    elif name == "value":
        from decimal import Decimal, InvalidOperation

        from .types import decimal_text

        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or decimal_text(number) != value:
            raise ValueError(f"{op}: 'value' must be a number written plainly, such as 49 or 14.3, not {value!r}")
    return value


def analyst(given: str | None = None) -> str:
    """Who makes a correction: --by, else KG_ANALYST, else the login name."""
    if given and given.strip():
        return given.strip()
    env = os.environ.get("KG_ANALYST", "").strip()
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container without a passwd entry)
        return "unknown"


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_correction(op: str, *, by: str, why: str, at: str | None = None, **fields) -> Correction:
    """A correction to append, checked as a line of the file would be."""
    obj = {"op": op, **{k: v for k, v in fields.items() if v is not None}, "by": by, "at": at or now_utc(),
           "why": why}
    for name, value in obj.items():
        try:
            (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).encode("utf-8")
        except UnicodeEncodeError:
            raise CorrectionError(f"{op}: {name!r} is not valid UTF-8 text") from None
    try:
        return parse_correction(json.dumps(obj, ensure_ascii=False), 0)
    except ValueError as exc:
        raise CorrectionError(str(exc)) from None


def append_correction(path: Path, correction: Correction) -> int:
    """Append a correction to the file (created when missing); its line number."""
    from .builder import write_atomic

    load_corrections(path)  # never append to a file that is already malformed
    line = _json_line(correction.to_json())
    try:
        data = path.read_bytes() if path.exists() else b""
        if data and not data.endswith(b"\n"):
            data += b"\n"
        write_atomic(path, data + line.encode("utf-8"))
    except OSError as exc:
        raise CorrectionError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return data.count(b"\n") + 1


def _json_line(obj: dict) -> str:
    """One line of the file; the characters other tools take for line ends are written as escapes."""
    text = json.dumps(obj, ensure_ascii=False)
    for ch in ("\u2028", "\u2029", "\u0085", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text + "\n"


def remove_correction(path: Path, number: int) -> Correction:
    """Remove the correction on line `number` of the file (the numbers of `kg correct list`); the one removed."""
    from .builder import write_atomic

    corrections = load_corrections(path)
    gone = next((c for c in corrections if c.line == number), None)
    if gone is None:
        lines = ", ".join(str(c.line) for c in corrections) or "none"
        raise CorrectionError(f"N {number}: no correction on line {number} of {path} (lines with one: {lines}); "
                              "see 'kg correct list'")
    lines = path.read_bytes().decode("utf-8").split("\n")
    del lines[gone.line - 1]
    write_atomic(path, "\n".join(lines).encode("utf-8"))
    return gone
