"""`kg trace` for a terminal: relationships, their qualifiers and corrections, every source by article."""

from __future__ import annotations

from collections import defaultdict

from .trace import Relationship, Source, Trace


def format_text(trace: Trace, *, style=lambda text, **kw: text) -> str:
    """The trace for a terminal: relationships, their qualifiers and every source by article.

    `style` is click.style (or a no-op), used to highlight the quote in its context.
    """
    lines = []
    head = trace.subject.label + (f" — {trace.object.label}" if trace.object else "")
    n = len(trace.relationships)
    lines.append(style(f"{head}: {n} relationship{'s' if n != 1 else ''}", bold=True))
    for rel in trace.relationships:
        lines.append("")
        lines.extend(_rel_lines(rel, style))
    if trace.paths:
        lines.append("")
        lines.append(style(f"No direct relationship; {len(trace.paths)} shortest connection"
                           f"{'s' if len(trace.paths) != 1 else ''}:", bold=True))
        for i, path in enumerate(trace.paths, 1):
            chain, at = trace.subject.label, trace.subject.iri
            for hop in path:
                if hop.subject.iri == at:
                    at = (hop.object or {}).get("iri")
                    chain += f" —[{hop.predicate.label}]→ {_obj_text(hop)}"
                else:
                    at = hop.subject.iri
                    chain += f" ←[{hop.predicate.label}]— {hop.subject.label}"
            lines.append("")
            lines.append(style(f"{i}. {chain}", bold=True))
            for hop in path:
                lines.extend("   " + line for line in _rel_lines(hop, style))
    elif trace.object is not None and not trace.relationships:
        lines.append("No relationship and no connection through the graph.")
    return "\n".join(lines) + "\n"


def _obj_text(rel: Relationship) -> str:
    if rel.object is None:
        return ""
    return rel.object.get("label") or str(rel.object.get("value"))


def _rel_lines(rel: Relationship, style) -> list[str]:
    obj = _obj_text(rel)
    head = f"{rel.subject.label} —[{rel.predicate.label}]→ {obj}".rstrip(" →")
    quals = ", ".join(f"{k}={_fmt(v)}" for k, v in sorted(rel.qualifiers.items()) if k != "role")
    count = f"{rel.source_count} source{'s' if rel.source_count != 1 else ''}"
    status = {"rejected": "; REJECTED", "confirmed": "; confirmed", "added": "; added by an analyst"}.get(rel.status, "")
    candidate = "" if rel.asserted or rel.status == "rejected" else "; candidate, not asserted"
    lines = [style(head, bold=True) + f"  ({count}{'; ' + quals if quals else ''}{candidate}{status})"]
    for c in rel.corrections:
        what = c["operation"] + (f" {c['qualifier']}={_fmt(c['value'])}" if "qualifier" in c else "") \
            + (f" in {c['document']}" if "document" in c else "")
        lines.append(style(f"  {what} by {c['by']} at {c['at']}: ", fg="magenta") + c["why"])
    for name, values in sorted(rel.disagreements.items()):
        side = "  |  ".join(f"{_fmt(v['value'])} ({', '.join(v['documents'])})" for v in values)
        lines.append(style(f"  sources disagree on {name}: ", fg="yellow") + side)
    by_doc: dict[str, list[Source]] = defaultdict(list)
    for src in rel.sources:
        by_doc[src.document].append(src)
    for doc, sources in by_doc.items():
        first = sources[0]
        outlets = f"; cites {', '.join(first.outlets)}" if first.outlets else ""
        lines.append(f"  {doc} [{first.language}] “{first.title}”{outlets}")
        for src in sources:
            flags = [f for f in ("hedged", "negated", "conditional", "future", "approximate") if getattr(src, f)]
            flags += [f for f in ("rejected", "confirmed") if getattr(src, f)]
            lines.append(f"    chars {src.start}–{src.end} · {src.rule} · confidence {src.confidence:.2f}"
                         + (f" · {', '.join(flags)}" if flags else ""))
            before, _, after = src.context.partition(src.quote)
            flat = lambda t: t.replace("\n", " ¶ ")
            lines.append("      …" + flat(before.lstrip()) + style(flat(src.quote), bold=True, underline=True)
                         + flat(after.rstrip()) + "…")
            if src.antecedent:
                ante = src.antecedent
                lines.append(f"      named in chars {ante['start']}–{ante['end']}: “{flat(ante['quote'])}”")
    return lines


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)
