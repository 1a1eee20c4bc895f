"""Claims as short strings, so test tables and the gold list read like facts.

"membership alexandr-wang scale-ai founder", "investment.amount meta scale-ai 14300000000 USD".
"""

from __future__ import annotations

from graph.types import Claim, EntityRef, Period, Quantity, RoleRef


def _name(value) -> str:
    if isinstance(value, EntityRef):
        return value.key.split("/", 1)[1]
    if isinstance(value, RoleRef):
        return value.role
    if isinstance(value, Quantity):
        unit = "" if value.unit in ("percent", "count") else f" {value.unit}"
        return f"{value.value.normalize():f}{unit}"
    if isinstance(value, Period):
        return value.iso()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def facts(claim: Claim) -> set[str]:
    """The facts one claim states, as strings."""
    args: dict[str, list] = {}
    for k, v in claim.args:
        args.setdefault(k, []).append(v)
    one = lambda k: _name(args[k][0])
    kind = claim.kind
    out: set[str] = set()
    if kind == "membership":
        out.add(f"membership {one('member')} {one('organization')} {one('role')}")
    elif kind == "investment":
        base = f"{one('investor')} {one('target')}"
        out.add(f"investment {base}")
        for q in ("amount", "stake", "valuation", "votingRights", "date"):
            if q in args:
                out.add(f"investment.{q} {base} {one(q)}")
    elif kind == "fundingRound":
        base = f"{one('target')} {','.join(sorted(_name(v) for v in args.get('investor', [])))}"
        out.add(f"fundingRound {base}")
        for q in ("amount", "valuation", "date"):
            if q in args:
                out.add(f"fundingRound.{q} {base} {one(q)}")
    elif kind == "workforceReduction":
        org = one("organization")
        out.add(f"workforceReduction {org}")
        for q in ("share", "employees", "contractors", "date"):
            if q in args:
                out.add(f"workforceReduction.{q} {org} {one(q)}")
    elif kind == "revenue":
        out.add(f"revenue {one('organization')} {one('date') if 'date' in args else '-'} {one('amount')}")
    elif kind == "founded":
        out.add(f"founded {one('organization')} {one('date')}")
    elif kind in ("cites", "publisher"):
        out.add(f"{kind} {one('object')}")
    else:
        out.add(f"{kind} {one('subject')} {one('object')}")
    return out


def all_facts(claims) -> set[str]:
    out: set[str] = set()
    for c in claims:
        out |= facts(c)
    return out
