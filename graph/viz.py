"""`kg viz`: the graph as one self-contained, explorable HTML file.

In: the built store. Out: an HTML page with vis-network and every script and
style inlined (nothing fetched), the data embedded as escaped JSON, and a side
panel that leads from any node or edge to the sentences behind it. The network
is assembled with pyvis over networkx; above a few hundred nodes the layout is
computed here once and physics is switched off, so large graphs open at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import KgError
from .vocab import BASE, compact

TEMPLATES = Path(__file__).parent / "templates"
PHYSICS_LIMIT = 300  # above this many nodes, the layout is computed once in Python
CORE_NODES = 300  # nodes laid out by force direction before the rest are placed around them

NODE_STYLE = {  # kind -> (shape, colour, legend label)
    "person": ("dot", "#4C78A8", "person"),
    "organization": ("box", "#F58518", "organization"),
    "unit": ("box", "#54A24B", "lab or division"),
    "outlet": ("diamond", "#9D755D", "news outlet or source"),
}
RELATION_STYLE = {  # relation family -> (colour, legend label)
    "membership": ("#7E57C2", "role (membership)"),
    "investment": ("#2E7D32", "investment"),
    "customer": ("#EF6C00", "customer, reliance"),
    "competition": ("#C62828", "competition"),
    "people": ("#1565C0", "joined, succeeded, recruited"),
    "structure": ("#6D4C41", "part of, acquired, staff moved"),
}
FAMILY = {"customerOf": "customer", "reducedRelianceOn": "customer", "cutTiesWith": "customer",
          "competesWith": "competition", "joined": "people", "succeeded": "people", "recruited": "people",
          "subOrganizationOf": "structure", "acquired": "structure", "employeesMovedTo": "structure"}
LANGUAGE_NAMES = {"de": "German", "nl": "Dutch", "en": "English"}

Q_TYPES = """
SELECT DISTINCT ?e ?t WHERE { GRAPH ?g { ?e a ?t } FILTER(STRSTARTS(STR(?e), "https://kg.example.org/id/")) }"""


class VizError(KgError):
    exit_code = 2


@dataclass
class VizSummary:
    nodes: int
    edges: int
    path: Path
    seconds: float = 0.0
    physics: bool = True


@dataclass
class _Graph:
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    relationships: dict[str, dict] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    node_facts: dict[str, list[str]] = field(default_factory=dict)


def relation_key(rel) -> str:
    """The relation type a relationship is filtered by: names as in the ontology."""
    if "role" in rel.qualifiers:
        return "membership"
    local = rel.predicate.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "investment" if local in ("investsIn", "FundingRound") else local


def export_html(graph_dir: Path, out: Path, *, focus: str | None = None, hops: int = 1,
                relations: tuple[str, ...] = (), languages: tuple[str, ...] = (),
                title: str = "kg — knowledge graph of the news") -> VizSummary:
    """Write the interactive HTML of the graph in `graph_dir` to `out`.

    Raises VizError for a missing graph or an unknown relation type or
    language; a `focus` name that is not found raises the same error as kg trace.
    """
    import time

    from .store import built_store, open_store
    from .trace import all_relationships, resolve_name

    started = time.perf_counter()
    folder = built_store(graph_dir)
    store = open_store(folder)
    rels, labels = all_relationships(store)
    kinds = entity_kinds(store)
    known = sorted({relation_key(r) for r in rels} | {"membership", "investment", *FAMILY})
    for rel_name in relations:
        if rel_name not in known:
            raise VizError(f"--relation {rel_name!r}: not a relation type (known: {', '.join(known)})")
    for lang in languages:
        if lang not in LANGUAGE_NAMES:
            raise VizError(f"--language {lang!r}: not one of {', '.join(LANGUAGE_NAMES)}")
    focus_iri = resolve_name(store, focus, argument="--focus").iri if focus else None
    documents = _documents(store)
    html, n_nodes, n_edges, physics = render_html(
        rels, labels, kinds, documents=documents, focus=focus_iri, hops=hops, relations=relations,
        languages=languages, title=title)
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise VizError(f"-o {out}: cannot write ({exc.strerror or exc})") from None
    return VizSummary(n_nodes, n_edges, out, time.perf_counter() - started, physics)


def entity_kinds(store) -> dict[str, str]:
    """The kind of every entity: person, organization, unit or outlet (the most specific of its types)."""
    from .store import select

    kinds: dict[str, str] = {}
    rank = {"outlet": 3, "unit": 2, "person": 1, "organization": 0}
    for row in select(store, Q_TYPES):
        t = row["t"]
        kind = ("person" if t.endswith("/Person") else "unit" if t.endswith("#OrganizationalUnit")
                else "outlet" if t.endswith("/NewsMediaOrganization") else "organization")
        if rank[kind] >= rank.get(kinds.get(row["e"], "organization"), 0):
            kinds[row["e"]] = kind
    return kinds


def _documents(store) -> int:
    from .store import count

    return count(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a <https://schema.org/NewsArticle> } }")


def render_html(rels, labels: dict[str, str], kinds: dict[str, str], *, documents: int, focus: str | None = None,
                hops: int = 1, relations=(), languages=(), title: str = "kg") -> tuple[str, int, int, bool]:
    """The page for these relationships: (html, nodes, edges, physics on)."""
    import networkx as nx

    g = _Graph()
    keep_lang = set(languages)
    for rel in rels:
        sources = [s for s in rel.sources if not keep_lang or s.language in keep_lang]
        if not sources or (relations and relation_key(rel) not in relations):
            continue
        rel_id = f"r{len(g.relationships)}"
        g.relationships[rel_id] = _rel_data(rel, sources, g)
        subject, obj = rel.subject.iri, (rel.object or {}).get("iri")
        if subject.startswith(BASE + "id/") and obj and obj.startswith(BASE + "id/"):
            g.edges.append({"from": subject, "to": obj, "rel": rel, "id": rel_id,
                            "languages": sorted({s.language for s in sources})})
        elif obj and obj.startswith(BASE + "id/"):  # an article citing an outlet
            g.node_facts.setdefault(obj, []).append(rel_id)
        elif subject.startswith(BASE + "id/"):  # a founding year, a workforce reduction
            g.node_facts.setdefault(subject, []).append(rel_id)

    nx_graph = nx.MultiDiGraph()
    for e in g.edges:
        nx_graph.add_edge(e["from"], e["to"], key=e["id"])
    for iri in g.node_facts:
        nx_graph.add_node(iri)
    if focus:
        if focus not in nx_graph:
            nx_graph.add_node(focus)
        keep = set(nx.ego_graph(nx_graph.to_undirected(as_view=True), focus, radius=hops))
        nx_graph = nx_graph.subgraph(keep).copy()
    physics = nx_graph.number_of_nodes() <= PHYSICS_LIMIT
    positions = {} if physics else layout(nx_graph)

    from pyvis.network import Network

    net = Network(directed=True)
    ids = {iri: compact(iri) for iri in nx_graph.nodes}
    for iri in sorted(nx_graph.nodes, key=lambda i: ids[i]):
        shape, color, _ = NODE_STYLE[kinds.get(iri, "organization")]
        extra = {}
        if iri in positions:
            extra = {"x": round(positions[iri][0], 1), "y": round(positions[iri][1], 1), "physics": False}
        net.add_node(ids[iri], label=labels.get(iri) or ids[iri], shape=shape, color=color,
                     font={"color": "#ffffff" if shape == "box" else "#1f2328"}, **extra)
    grouped: dict[tuple, list[dict]] = {}
    for e in g.edges:
        if e["from"] in ids and e["to"] in ids:
            grouped.setdefault((e["from"], e["to"], e["rel"].predicate.label), []).append(e)
    pair_count: dict[tuple, int] = {}
    for (src, dst, label), items in sorted(grouped.items(), key=lambda kv: (ids[kv[0][0]], ids[kv[0][1]], kv[0][2])):
        rel = items[0]["rel"]
        family = "membership" if "role" in rel.qualifiers else "investment" if relation_key(rel) == "investment" \
            else FAMILY.get(relation_key(rel), "structure")
        count = max(len({s.document for it in items for s in it["rel"].sources}), 1)
        pair = tuple(sorted((ids[src], ids[dst])))
        nth = pair_count.get(pair, 0)
        pair_count[pair] = nth + 1
        asserted = any(it["rel"].asserted for it in items)
        # rejected by an analyst: hidden unless asked for, then struck through
        rejected = all(it["rel"].status == "rejected" for it in items)
        net.add_edge(ids[src], ids[dst], id=f"e{len(net.edges)}", label=_struck(label) if rejected else label,
                     rejected=rejected,
                     width=round(1 + 1.5 * (min(count, 6) - 1), 1), color=RELATION_STYLE[family][0],
                     arrows="to", relation=relation_key(rel), asserted=asserted, dashes=not asserted,
                     languages=sorted({lang for it in items for lang in it["languages"]}),
                     relationships=[it["id"] for it in items],
                     smooth={"type": "curvedCW", "roundness": round(0.15 * nth, 2)} if nth else {"enabled": False})
    nodes, edges, *_ = net.get_network_data()
    used = {r for e in edges for r in e["relationships"]}
    node_facts = {ids[i]: f for i, f in sorted(g.node_facts.items()) if i in ids}
    used |= {r for facts in node_facts.values() for r in facts}
    relationships = {k: v for k, v in g.relationships.items() if k in used}
    sources_used = sorted({i for v in relationships.values() for i in v["sources"]})
    remap = {old: new for new, old in enumerate(sources_used)}
    for v in relationships.values():
        v["sources"] = [remap[i] for i in v["sources"]]
    data = {
        "nodes": nodes, "edges": edges, "relationships": relationships,
        "sources": [g.sources[i] for i in sources_used], "node_facts": node_facts,
        "node_labels": {n["id"]: n["label"] for n in nodes},
        "legend": [{"label": lbl, "color": c, "swatch": {"dot": "dot", "diamond": "diamond"}.get(s, "")}
                   for s, c, lbl in NODE_STYLE.values()]
        + [{"label": lbl, "color": c, "swatch": "line"} for c, lbl in RELATION_STYLE.values()],
        "relation_types": [{"key": k, "label": k} for k in sorted({e["relation"] for e in edges})],
        "candidates": sum(1 for e in edges if not e["asserted"] and not e["rejected"]),
        "rejected": sum(1 for e in edges if e["rejected"]),
        "languages": [{"key": k, "label": LANGUAGE_NAMES.get(k, k)}
                      for k in sorted({lang for e in edges for lang in e["languages"]})],
        "options": _options(physics),
        "meta": {"empty_message": f"No relationships to show (the graph was built from {documents} articles"
                                  + (", and the filters leave nothing" if (relations or languages or focus) else "")
                                  + ")."},
    }
    subtitle = (f"{len(nodes)} entities, {len(edges)} relationships from {documents} articles"
                + (f" · around {labels.get(focus, focus)} ({hops} hop{'s' if hops != 1 else ''})" if focus else "")
                + (f" · relations: {', '.join(relations)}" if relations else "")
                + (f" · sources in: {', '.join(languages)}" if languages else ""))
    return _page(data, title=title, subtitle=subtitle), len(nodes), len(edges), physics


def _rel_data(rel, sources, g: _Graph) -> dict:
    indices = []
    for s in sources:
        g.sources.append({k: v for k, v in asdict(s).items() if k != "outlets"})
        indices.append(len(g.sources) - 1)
    obj = rel.object or {}
    return {"subject": rel.subject.label, "predicate": rel.predicate.label, "asserted": rel.asserted,
            "status": rel.status, "corrections": rel.corrections,
            "object": obj.get("label") or (str(obj["value"]) if "value" in obj else ""),
            "qualifiers": {k: _plain(v) for k, v in rel.qualifiers.items()},
            "disagreements": rel.disagreements, "source_count": len({s.document for s in sources}),
            "sources": indices}


def _struck(text: str) -> str:
    """Text drawn struck through on the canvas, which has no text decoration: a combining stroke per character."""
    return "".join(ch + "\u0336" for ch in text)


def _plain(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return value


def _options(physics: bool) -> dict:
    options = {
        "interaction": {"hover": True, "navigationButtons": False, "multiselect": False},
        "edges": {"font": {"size": 11, "align": "middle", "strokeWidth": 3}},
        "nodes": {"font": {"size": 14}, "margin": 8},
        "layout": {"improvedLayout": physics},
    }
    if physics:
        options["physics"] = {"enabled": True, "solver": "barnesHut",
                              "barnesHut": {"gravitationalConstant": -16000, "springLength": 230, "avoidOverlap": 0.4},
                              "stabilization": {"iterations": 250}}
    else:
        options["physics"] = {"enabled": False}
        options["edges"]["smooth"] = False
    return options


def layout(graph) -> dict[str, tuple[float, float]]:
    """Positions for a large graph, deterministic and near-linear in its size.

    The best-connected nodes are laid out by force direction (networkx); every
    other node is placed beside its placed neighbours, and nodes of separate
    components on a ring around the rest.
    """
    import networkx as nx

    und = nx.Graph(graph.to_undirected(as_view=True))
    order = sorted(und.nodes, key=lambda n: (-und.degree(n), n))
    core = und.subgraph(order[:CORE_NODES])
    scale = 90.0 * math.sqrt(len(und))
    pos = {n: (x * scale, y * scale) for n, (x, y) in
           nx.spring_layout(core, seed=7, iterations=60).items()} if len(core) else {}
    placed = set(pos)
    ring = 0
    for start in order:
        if start in placed:
            continue
        queue = [start]
        while queue:
            node = queue.pop(0)
            if node in placed:
                continue
            anchors = [pos[m] for m in und.neighbors(node) if m in placed]
            angle = int(hashlib.sha256(node.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF * 2 * math.pi
            if anchors:
                ax = sum(a[0] for a in anchors) / len(anchors)
                ay = sum(a[1] for a in anchors) / len(anchors)
                radius = 60.0
            else:  # a new component: on a ring outside what is placed
                ring += 1
                ax = ay = 0.0
                radius = scale * 1.2 + 25.0 * math.sqrt(ring)
            pos[node] = (ax + radius * math.cos(angle), ay + radius * math.sin(angle))
            placed.add(node)
            queue.extend(sorted(m for m in und.neighbors(node) if m not in placed))
    return pos


def _page(data: dict, *, title: str, subtitle: str) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from pyvis import network as pyvis_network

    lib = Path(pyvis_network.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    vis_js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (lib / "vis-network.css").read_text(encoding="utf-8")
    app_js = (TEMPLATES / "viz.js").read_text(encoding="utf-8")
    # </script> inside a script element would end it: vis-network never contains it, the data can't
    for name, body in (("vis-network", vis_js), ("viz.js", app_js)):
        if "</script" in body.lower():
            raise VizError(f"{name} contains '</script>' and cannot be inlined")
    data_json = (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                 .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    # Only these two scripts may run: an injected inline handler has no hash and is blocked.
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                      for body in (vis_js, app_js))
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    from markupsafe import Markup

    return env.get_template("viz.html").render(
        title=title, subtitle=subtitle, script_hashes=Markup(hashes), vis_css=Markup(vis_css),
        vis_js=Markup(vis_js), app_js=Markup(app_js), data_json=Markup(data_json))

