"""Analysts' corrections in a build: which articles change, read again or modelled again, and the corrections graph.

In: the corrections (corrections.py), the build's cached articles and figures.
Out: an amended TriG block per corrected article (cached under a name that
says which corrections it holds) and the background block: the registry as
corrected and the corrections graph. Only alias and type corrections make
extraction read an article again; every other correction models the article
again from its cached `Extraction` (amend.py says how).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

from .builder import (
    STATS,
    BuildSummary,
    damaged_block,
    extraction_holds,
    model_extraction,
    pack_extraction,
    unpack_extraction,
    write_atomic,
)
from .read import read_article


def apply_corrections(fixes, items, stats: dict, blocks: dict, cache: Path, shacl: str, seeds: Path,
                      summary: BuildSummary, encodings: dict[str, str], fresh: set[str] = frozenset()) -> bytes:
    """Model the corrected articles again from their cached extractions; the registry and corrections graphs.

    Only alias and type corrections change what extraction reads: the articles that
    hold the name are extracted again with the entity known. Fills `blocks` with the
    amended block of each corrected article (cached under a name that says which
    corrections it holds) and `stats` with its figures.
    """
    from .amend import (
        Amendment,
        Review,
        amend_extraction,
        known_entities,
        plan_corrections,
    )
    from .corrections import Relationship
    from .model import CORRECTIONS_GRAPH, model_corrections
    from .resolve import load_registry
    from .store import registry_quads, to_quads, trig_block

    registry = load_registry()
    documents = {i.key: stats[i.key] for i in items}
    known = known_entities(fixes, registry, documents)
    reread = _read_again(known, items, stats, documents, registry, cache, seeds, summary, encodings, fresh) \
        if known else {}
    retyped = {k.replaces: k.entity.key for k in known if k.replaces}
    plan = plan_corrections(fixes, documents, registry, retyped)
    failed: dict[int, str] = {}
    statements: dict = {}
    changed = False
    for key in sorted(set(plan.amendments) | set(reread)):
        amendment = plan.amendments.get(key, Amendment())
        extraction, known_registry, digest = reread.get(key, (None, registry, ""))
        block = f"{key}~{digest}{amendment.digest()}"
        info = stats.get(block)
        if info is None or damaged_block(cache / f"{block}.trig", info) is not None:
            if extraction is None:
                extraction = cached_extraction(cache, key, seeds, stats[key]["path"])
            extraction, moved = amend_extraction(extraction, amendment)
            review = Review(dict(amendment.review), frozenset(amendment.values))
            result = model_extraction(extraction, known_registry, shacl, review)
            write_atomic(cache / f"{block}.trig", result.trig)
            info = {**result.stats, "block_sha256": hashlib.sha256(result.trig).hexdigest(),
                    "moved": {str(c.line): why for c, why in moved}}
            stats[block] = info
            changed = True
        blocks[key] = block
        failed.update({int(line): why for line, why in info.get("moved", {}).items()})
        statements.update({Relationship.parse(r): iri for r, iri in info.get("named", {}).items()})
    used = {*blocks.values(), *(f"{k}~{d}" for k, (_, _, d) in reread.items())}
    if forget_amended(cache, stats, keep=used) or changed:
        write_atomic(cache / STATS, json.dumps(stats, sort_keys=True).encode())
    stale = [(c, why) for c, why in plan.stale] + [(c, failed[c.line]) for c in plan.applied if c.line in failed]
    plan.applied[:] = [c for c in plan.applied if c.line not in failed]
    for c, why in sorted(stale, key=lambda cw: cw[0].line):
        summary.warnings.append(f"corrections line {c.line}: no longer applies ({why}); kept: {c.describe()}")
    summary.corrections = len(plan.applied)
    paths = {stats[i.key]["path"]: i.sha256 for i in items}
    from rdflib import URIRef

    corrected = model_corrections(plan, {r: URIRef(iri) for r, iri in statements.items()}, paths, registry)
    relabel = {k: label for k, label in plan.labels.items() if k in registry.entities
               and label != registry.entities[k].label}
    # merged into another, or given another type (and with it another key)
    dropped = {k for k in (*plan.merged, *retyped) if k in registry.entities}
    unlink = {plan.merged.get(c.get("entity"), c.get("entity")) for c in plan.applied if c.op == "wikidata"}
    # a unit's parent the registry states, rejected for every article: the registry's edge goes too
    unparent: set[tuple[str, str]] = set()
    for c in plan.applied:
        if c.op in ("reject", "confirm") and c.get("document") is None and c.get("value") is None:
            for kind, rel in plan.targets.get(c.line, ()):
                if kind == "relationship" and rel.kind == "subOrganizationOf":
                    (unparent.add if c.op == "reject" else unparent.discard)((rel.subject, rel.object))
    return trig_block(registry_quads(relabel=relabel, drop=dropped, unlink=unlink, unparent=unparent,
                                     redirect={**retyped, **plan.merged})
                      + to_quads(corrected, CORRECTIONS_GRAPH))


def forget_amended(cache: Path, stats: dict, keep: set[str] = frozenset()) -> bool:
    """Drop the amended blocks, extractions and figures of corrections no longer in the file
    (all of them when there is none); whether `stats` changed."""
    for path in cache.glob("*~*"):
        if path.name.rsplit(".", 1)[0] not in keep and ".tmp" not in path.name:
            path.unlink(missing_ok=True)
    gone = [b for b in stats if "~" in b and b not in keep]
    for block in gone:
        del stats[block]
    return bool(gone)


def _read_again(known, items, stats: dict, documents: dict, registry, cache: Path, seeds: Path,
                summary: BuildSummary, encodings: dict[str, str], fresh: set[str]) -> dict:
    """Extract again the articles that hold a name alias and type corrections made known.

    Returns document key -> (extraction, the registry it was read with, a digest of what
    was made known); `documents` gets what each new extraction holds.
    """
    import dataclasses

    from .pipeline import extract_article
    from .resolve import with_entities
    from .rules import load_rules

    out = {}
    names = {id(k): [unicodedata.normalize("NFC", name).casefold() for name in k.names] for k in known}
    for item in items:
        d = stats[item.key]
        try:  # a cheap look for the names: the article as a file, in its encoding, in any case
            raw = (seeds / d["path"]).read_bytes().decode(encodings.get(d["path"], "utf-8"), errors="replace")
            text = unicodedata.normalize("NFC", raw).casefold()
        except (OSError, LookupError):
            text = ""
        relevant = [k for k in known if (k.replaces and k.replaces in d.get("mentioned", ()))
                    or any(name in text for name in names[id(k)])]
        if not relevant:
            continue
        told = sorted((k.entity.key, k.entity.kind.value, k.entity.label, k.entity.aliases, k.replaces or "")
                      for k in relevant)
        digest = "o" + hashlib.sha256(repr(told).encode()).hexdigest()[:12]
        known_registry = with_entities(registry, [k.entity for k in relevant],
                                       without={k.replaces for k in relevant if k.replaces})
        path = cache / f"{item.key}~{digest}.extraction"
        try:
            extraction = unpack_extraction(path.read_bytes())
        except Exception:  # noqa: BLE001 - not read with these names yet, or a damaged copy
            article = read_article(seeds / d["path"], root=seeds)
            extraction = extract_article(article, load_rules(), known_registry)
            if item.key not in fresh:
                summary.reused -= 1  # read again: not from the cache
            # an entity the analyst made known but the registry file does not hold: the article defines it
            own = {k.entity.key: k.entity for k in relevant if k.entity.key not in registry.entities}
            named = {m.entity for m in extraction.mentions}
            extra = tuple(e for key, e in sorted(own.items()) if key in named)
            extraction = dataclasses.replace(extraction, entities=tuple(sorted(
                {e.key: e for e in (*extraction.entities, *extra)}.values(), key=lambda e: e.key)))
            write_atomic(path, pack_extraction(extraction))
        documents[item.key] = {"path": d["path"], **extraction_holds(extraction)}
        out[item.key] = (extraction, known_registry, digest)
    return out


def cached_extraction(cache: Path, key: str, seeds: Path, path: str):
    """An article's extraction from the cache; extracted again only when the cached copy is gone or damaged."""
    try:
        return unpack_extraction((cache / f"{key}.extraction").read_bytes())
    except Exception:  # noqa: BLE001 - a missing or damaged pickle: extract again
        from .pipeline import extract_article
        from .resolve import load_registry
        from .rules import load_rules

        return extract_article(read_article(seeds / path, root=seeds), load_rules(), load_registry())
