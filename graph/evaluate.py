"""`kg eval`: score a built graph against gold facts annotated by hand.

In: the built store and `GoldDocument`s (gold.py). Out: a `Report` with
precision and recall overall, per language and per relation family, role and
status accuracy, and the false and missed facts with their documents.

Scoring is per (relationship, document): a relationship a document states is
correct when both its ends match a name or alias that document's gold gives
and its family (declared with `kg:family` in ontology/kg.ttl) and direction
fit a gold fact of that document. Recall counts the gold facts some correct
relationship covers. By default only asserted relationships count, and gold
facts the article hedges are not expected (asserting one is an error);
`candidates=True` counts every relationship the graph keeps, hedged gold
facts included.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KgError
from .gold import INVERSE, SYMMETRIC, GoldDocument, GoldFact
from .vocab import BASE, KG_NS, PREFIXES

ID = BASE + "id/"
ORG, SCHEMA = PREFIXES["org"], PREFIXES["schema"]
# Plain edges a membership or investment node already states: scored through the node.
_COVERED = {ORG + "headOf", ORG + "memberOf", SCHEMA + "worksFor", SCHEMA + "founder", KG_NS + "investsIn"}
_NODE_KINDS = ("membership", "investment", "funding", "reduction", "revenue")


class EvalError(KgError):
    exit_code = 2


@dataclass(frozen=True)
class Found:
    """One relationship a document states, as kg eval sees it."""

    document: str
    family: str
    subject: str  # entity IRI
    object: str | None
    role: str | None  # role id ("interim-ceo") of a membership
    status: str | None  # current, former, future
    asserted: bool
    rules: tuple[str, ...]


@dataclass
class Tally:
    found: int = 0
    correct: int = 0
    gold: int = 0
    covered: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.covered / self.gold if self.gold else None

    def to_json(self) -> dict:
        return {"precision": _round(self.precision), "recall": _round(self.recall), "found": self.found,
                "correct": self.correct, "gold": self.gold, "covered": self.covered}


@dataclass
class Report:
    documents: int
    candidates: bool
    overall: Tally
    by_language: dict[str, Tally]
    by_family: dict[str, Tally]
    role_accuracy: Tally  # found: covered role facts with a role; correct: the role matches
    status_accuracy: Tally
    entities: Tally  # found: entities the graph says a document names; gold: the gold's entities
    false: list[dict] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    false_entities: list[dict] = field(default_factory=list)
    missed_entities: list[dict] = field(default_factory=list)
    unscored: int = 0  # relationships of a kind no gold family covers (revenue figures, publishers)
    hedged_gold: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"documents": self.documents, "candidates": self.candidates, **self.overall.to_json(),
                "by_language": {k: v.to_json() for k, v in sorted(self.by_language.items())},
                "by_family": {k: v.to_json() for k, v in sorted(self.by_family.items())},
                "role_accuracy": {"accuracy": _round(self.role_accuracy.precision), "correct": self.role_accuracy.correct,
                                  "of": self.role_accuracy.found},
                "status_accuracy": {"accuracy": _round(self.status_accuracy.precision),
                                    "correct": self.status_accuracy.correct, "of": self.status_accuracy.found},
                "entities": self.entities.to_json(), "unscored": self.unscored, "hedged_gold": self.hedged_gold, "warnings": self.warnings,
                "false": self.false, "missed": self.missed, "false_entities": self.false_entities,
                "missed_entities": self.missed_entities}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# ---------------------------------------------------------------- reading the graph

Q_DOCUMENTS = """
SELECT ?g ?path ?sha ?lang WHERE { GRAPH ?g { ?doc a schema:NewsArticle ; kg:path ?path ; kg:sha256 ?sha ;
                                                dct:language ?lang } }"""
Q_STATEMENTS = """
SELECT ?g ?s ?p ?o ?rule ?asserted WHERE {
  GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?e . ?e kg:rule ?rule .
             OPTIONAL { ?s ?p ?o . BIND(true AS ?asserted) } }
}"""
Q_NODES = """
SELECT ?g ?n WHERE { GRAPH ?g { ?n a ?t } VALUES ?t { org:Membership kg:Investment kg:FundingRound
                                                      kg:WorkforceReduction kg:RevenueReport } }"""
Q_FUTURE = """
SELECT DISTINCT ?g ?s ?p ?o WHERE { GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                                               prov:wasDerivedFrom/kg:future true } }"""
Q_NAMES = """
SELECT ?e ?name WHERE { GRAPH ?x { ?e rdfs:label|skos:altLabel ?name }
                        FILTER(STRSTARTS(STR(?e), "https://kg.example.org/id/")) }"""
Q_FAMILIES = "SELECT ?t ?f WHERE { GRAPH ?x { ?t kg:family ?f } }"
Q_MENTIONS = "SELECT ?g ?e WHERE { GRAPH ?g { ?doc a schema:NewsArticle ; schema:mentions ?e } }"
Q_ROLES = "SELECT ?r ?plain WHERE { GRAPH ?x { ?r a org:Role ; kg:plainProperty ?plain } }"


@dataclass
class GraphView:
    """What kg eval reads from a built graph."""

    documents: dict[str, dict]  # path -> {"graph", "sha", "lang"}
    relationships: dict[str, list[Found]]  # path -> relationships
    names: dict[str, set[str]]  # entity IRI -> normalized names
    labels: dict[str, str]
    unscored: dict[str, int]
    mentioned: dict[str, set[str]]  # path -> entity IRIs the document names


def read_graph(store) -> GraphView:
    """Every relationship each document of the store states, with its family and whether it is asserted."""
    from .store import select

    documents = {r["path"]: {"graph": r["g"], "sha": r["sha"], "lang": r["lang"]} for r in select(store, Q_DOCUMENTS)}
    path_of = {d["graph"]: p for p, d in documents.items()}
    families = {r["t"]: r["f"] for r in select(store, Q_FAMILIES)}
    role_family = {r["r"]: families.get(r["r"]) or families.get(r["plain"]) for r in select(store, Q_ROLES)}
    names: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for r in select(store, Q_NAMES):
        names[r["e"]].add(normalize_name(r["name"]))
        labels.setdefault(r["e"], r["name"])
    asserted_nodes = {(r["g"], r["n"]) for r in select(store, Q_NODES)}
    future = {(r["g"], r["s"], r["p"], r["o"]) for r in select(store, Q_FUTURE)}

    nodes: dict[tuple[str, str], dict] = {}
    binary: dict[tuple, dict] = {}
    for r in select(store, Q_STATEMENTS):
        g, s, p, o = r["g"], r["s"], r["p"], r["o"]
        if g not in path_of:
            continue
        kind = _node_kind(s)
        if kind:
            node = nodes.setdefault((g, s), {"kind": kind, "rules": set(), "investor": set(), "future": False})
            node["rules"].add(r["rule"])
            node["future"] |= (g, s, p, o) in future
            local = p[len(ORG):] if p.startswith(ORG) else p.removeprefix(KG_NS)
            if local == "investor":
                node["investor"].add(o)
            else:
                node[local] = o
            continue
        if p in _COVERED:
            continue
        if p in (KG_NS + "cites", SCHEMA + "publisher"):  # an outlet the article's content comes from
            key = (g, "cites", o, None)
        elif s.startswith(ID) and o.startswith(ID) and p in families:
            key = (g, families[p], s, o)
        else:
            continue
        entry = binary.setdefault(key, {"asserted": False, "rules": set(), "future": False})
        entry["asserted"] |= bool(r["asserted"])
        entry["rules"].add(r["rule"])
        entry["future"] |= (g, s, p, o) in future

    found: dict[str, list[Found]] = defaultdict(list)
    unscored: dict[str, int] = defaultdict(int)
    for (g, family, s, o), entry in binary.items():
        found[path_of[g]].append(Found(path_of[g], family, s, o, None, "future" if entry["future"] else None,
                                       entry["asserted"], tuple(sorted(entry["rules"]))))
    for (g, n), node in nodes.items():
        path, asserted, rules = path_of[g], (g, n) in asserted_nodes, tuple(sorted(node["rules"]))
        status = "future" if node["future"] else None
        kind = node["kind"]
        if kind == "membership" and "member" in node and "organization" in node and "role" in node:
            family = role_family.get(node["role"]) or "role"
            current = node.get("current")
            if status is None and current is not None:
                status = "current" if current == "true" else "former"
            found[path].append(Found(path, family, node["member"], node["organization"],
                                     node["role"].rsplit("/", 1)[-1], status, asserted, rules))
        elif kind in ("investment", "funding") and "investee" in node:
            if kind == "funding":
                found[path].append(Found(path, "funding", node["investee"], None, None, status, asserted, rules))
            for investor in sorted(node["investor"]):
                found[path].append(Found(path, "invests", investor, node["investee"], None, status, asserted, rules))
        elif kind == "reduction" and "affectedOrganization" in node:
            found[path].append(Found(path, "layoffs", node["affectedOrganization"], None, None, status, asserted, rules))
        else:
            unscored[path] += 1
    for path, rels in found.items():
        found[path] = _merged(rels)
    mentioned: dict[str, set[str]] = defaultdict(set)
    for r in select(store, Q_MENTIONS):
        if r["g"] in path_of:
            mentioned[path_of[r["g"]]].add(r["e"])
    return GraphView(documents, dict(found), dict(names), labels, dict(unscored), dict(mentioned))


def _merged(rels: list[Found]) -> list[Found]:
    """One relationship per (family, subject, object, role) of a document: several statements
    (two funding rounds of one company read by two rules) are one relationship to score."""
    by_key: dict[tuple, Found] = {}
    for r in rels:
        key = (r.family, r.subject, r.object, r.role)
        old = by_key.get(key)
        if old is None:
            by_key[key] = r
            continue
        # asserted if any statement is; a status any statement gives
        by_key[key] = Found(r.document, r.family, r.subject, r.object, r.role, old.status or r.status,
                            old.asserted or r.asserted, tuple(sorted(set(old.rules) | set(r.rules))))
    return sorted(by_key.values(), key=lambda f: (f.family, f.subject, f.object or "", f.role or ""))


def _node_kind(iri: str) -> str | None:
    if not iri.startswith(BASE) or iri.startswith(ID):
        return None
    head = iri[len(BASE):].split("/", 1)[0]
    return head if head in _NODE_KINDS else None


# ---------------------------------------------------------------- matching

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# a company with or without its legal form is one name ("Acme AG", "Acme")
_LEGAL_FORM = re.compile(r",? (?:AG|SE|GmbH|KGaA|N\.?V\.?|B\.?V\.?|Inc\.?|Ltd\.?|plc|PLC|Plc|LLC|Corp\.?|"
                         r"Corporation|Co\.?|Company|S\.?A\.?|S\.?p\.?A\.?|AB|ASA|A/S|Oyj|Pte\.?(?: Ltd\.?)?|Pty(?: Ltd)?|Limited)$")


def normalize_name(name: str) -> str:
    """A name as kg eval compares it: case, spacing, quotes and a possessive ending left out.

    >>> normalize_name("  Acme  Holdings’s ")
    'acme holdings'
    >>> normalize_name("Acme Holdings N.V.")
    'acme holdings'
    """
    text = unicodedata.normalize("NFC", name).strip().strip("\"“”„«»")
    text = _POSSESSIVE.sub("", text)
    text = _LEGAL_FORM.sub("", " ".join(text.replace("-", " ").split()))
    text = re.sub(r"^(?:the|de|het|die|der|das) ", "", text, flags=re.IGNORECASE)
    return text.casefold()


def _role_ids(text: str, language: str) -> set[str]:
    """Role ids the words of a gold role name ("Vorstandschef", "former CEO") stand for."""
    from .rules import load_rules

    rules = load_rules()
    ids: set[str] = set()
    for lang in dict.fromkeys((language, "en", "de", "nl")):
        lang_rules = rules[lang]
        for m in re.finditer(lang_rules.role_pattern(), text):
            role = lang_rules.role_of(m.group(0))
            if role:
                ids.add(role)
        if ids:
            break
    return ids


@dataclass
class _Match:
    rel: Found
    facts: list[GoldFact]


def score(gold: list[GoldDocument], view: GraphView, *, candidates: bool = False) -> Report:
    """Precision and recall of the graph's relationships against the gold documents."""
    overall, role_acc, status_acc, entities = Tally(), Tally(), Tally(), Tally()
    by_language: dict[str, Tally] = defaultdict(Tally)
    by_family: dict[str, Tally] = defaultdict(Tally)
    false, missed, false_entities, missed_entities = [], [], [], []
    unscored = hedged_gold = 0
    for doc in gold:
        rels = [r for r in view.relationships.get(doc.file, []) if candidates or r.asserted]
        unscored += view.unscored.get(doc.file, 0)
        names = {e.name: {normalize_name(n) for n in (e.name, *e.aliases)} for e in doc.entities}
        _score_entities(entities, doc, names, view, false_entities, missed_entities)
        expected = [f for f in doc.facts if candidates or not f.hedged]
        hedged_gold += len(doc.facts) - len(expected)
        covered: dict[int, list[Found]] = defaultdict(list)
        lang = by_language[doc.lang]
        for rel in rels:
            facts = [f for f in doc.facts if _fits(rel, f, names, view.names)]
            ok = [f for f in facts if candidates or not f.hedged]
            for tally in (overall, lang, by_family[rel.family]):
                tally.found += 1
                tally.correct += bool(ok)
            if ok:
                for f in ok:
                    covered[id(f)].append(rel)
            else:
                reason = "the article hedges it" if facts else "no such fact in the gold"
                false.append({"document": doc.file, "relationship": describe(rel, view), "rules": list(rel.rules),
                              "asserted": rel.asserted, "reason": reason})
        for f in expected:
            hit = covered.get(id(f), [])
            for tally in (overall, lang, by_family[f.rel]):
                tally.gold += 1
                tally.covered += bool(hit)
            if not hit:
                missed.append({"document": doc.file, "fact": f.describe()})
                continue
            if f.rel == "role" and f.role:
                want = _role_ids(f.role, doc.lang)
                role_acc.found += 1
                role_acc.correct += any(r.role in want for r in hit)
            if f.status:
                status_acc.found += 1
                status_acc.correct += any(r.status == f.status for r in hit)
    return Report(len(gold), candidates, overall, dict(by_language), dict(by_family), role_acc, status_acc,
                  entities, false, missed, false_entities, missed_entities, unscored, hedged_gold)


def _score_entities(tally: Tally, doc: GoldDocument, names: dict[str, set[str]], view: GraphView,
                    false: list[dict], missed: list[dict]) -> None:
    """People and organizations named: a kg entity is right when one of its names is a gold name or alias."""
    kg = view.mentioned.get(doc.file, set())
    gold_names = set().union(*names.values()) if names else set()
    for iri in sorted(kg):
        tally.found += 1
        if view.names.get(iri, set()) & gold_names:
            tally.correct += 1
        else:
            false.append({"document": doc.file, "entity": view.labels.get(iri, iri)})
    for e in doc.entities:
        tally.gold += 1
        if any(view.names.get(iri, set()) & names[e.name] for iri in kg):
            tally.covered += 1
        else:
            missed.append({"document": doc.file, "entity": f"{e.name} ({e.type})"})


def _fits(rel: Found, fact: GoldFact, names: dict[str, set[str]], kg_names: dict[str, set[str]]) -> bool:
    def same(iri: str | None, gold_name: str | None) -> bool:
        if iri is None or gold_name is None:
            return iri is None and gold_name is None
        return bool(kg_names.get(iri, set()) & names.get(gold_name, set()))

    # an owner's membership is a role and an ownership both: "Eigenaar van Heerschap Groep, Stan
    # Heerschap" is annotated either way
    family = "role" if rel.role is not None and fact.rel == "role" else rel.family
    if family == fact.rel:
        if same(rel.subject, fact.s) and same(rel.object, fact.o):
            return True
        return fact.rel in SYMMETRIC and same(rel.subject, fact.o) and same(rel.object, fact.s)
    if INVERSE.get(rel.family) == fact.rel:
        return same(rel.subject, fact.o) and same(rel.object, fact.s)
    return False


def describe(rel: Found, view: GraphView) -> str:
    label = lambda iri: view.labels.get(iri, iri.rsplit("/", 1)[-1])
    what = rel.role or rel.family
    obj = f" {label(rel.object)}" if rel.object else ""
    status = f" ({rel.status})" if rel.status else ""
    candidate = "" if rel.asserted else " [candidate]"
    return f"{label(rel.subject)} —[{what}]→{obj}{status}{candidate}"


# ---------------------------------------------------------------- the command

def evaluate(gold_files: list[Path], *, seeds: Path, graph_dir: Path, candidates: bool = False) -> Report:
    """Load the gold files, check their documents against the seeds and the graph, and score.

    Raises GoldError for a malformed gold file, EvalError when a gold document
    is not among the seeds or not in the graph, NoGraphError without a build.
    """
    from .gold import load_gold
    from .store import built_store, open_store

    gold = load_gold(gold_files)
    store = open_store(built_store(graph_dir))
    view = read_graph(store)
    warnings = []
    missing = [d.file for d in gold if not (seeds / d.file).is_file()]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise EvalError(f"--seeds {seeds}: the gold names {len(missing)} document(s) not there: "
                        f"{', '.join(missing[:3])}{more}")
    unbuilt = [d.file for d in gold if d.file not in view.documents]
    if unbuilt:
        more = f" and {len(unbuilt) - 3} more" if len(unbuilt) > 3 else ""
        raise EvalError(f"--graph {graph_dir}: {len(unbuilt)} gold document(s) are not in the graph "
                        f"({', '.join(unbuilt[:3])}{more}); run 'kg build --seeds {seeds} --out {graph_dir}'")
    for d in gold:
        if d.sha256:
            actual = hashlib.sha256((seeds / d.file).read_bytes()).hexdigest()
            if actual != d.sha256:
                warnings.append(f"{d.file}: its text differs from the one annotated (sha256 {actual[:12]}…, "
                                f"gold {d.sha256[:12]}…)")
        if view.documents[d.file]["lang"] != d.lang:
            warnings.append(f"{d.file}: read as {view.documents[d.file]['lang']}, the gold says {d.lang}")
    report = score(gold, view, candidates=candidates)
    report.warnings = warnings
    return report


def format_report(report: Report, *, details: bool = True, entities: bool = False) -> str:
    """The report as text: figures first, then the false and the missed facts."""
    def cell(t: Tally, which: str) -> str:
        value = t.precision if which == "p" else t.recall
        num, den = (t.correct, t.found) if which == "p" else (t.covered, t.gold)
        return "–" if value is None else f"{value:.2f} ({num}/{den})"

    lines = [f"{report.documents} documents; counting {'every candidate' if report.candidates else 'asserted relationships'}"
             + ("" if report.candidates else f"; {report.hedged_gold} hedged gold facts not expected")]
    rows = [("all", report.overall)] + sorted(report.by_language.items()) + [("", None)] + \
        sorted(report.by_family.items())
    width = max(len(name) for name, _ in rows)
    lines.append(f"{'':{width}}  {'precision':<16} recall")
    for name, tally in rows:
        if tally is None:
            lines.append("")
            continue
        lines.append(f"{name:{width}}  {cell(tally, 'p'):<16} {cell(tally, 'r')}")
    lines.append("")
    for name, t in (("role accuracy", report.role_accuracy), ("status accuracy", report.status_accuracy)):
        value = "–" if t.precision is None else f"{t.precision:.2f} ({t.correct}/{t.found})"
        lines.append(f"{name}: {value}")
    e = report.entities
    lines.append(f"entities named: precision {cell(e, 'p')}, recall {cell(e, 'r')}")
    if report.unscored:
        lines.append(f"not scored: {report.unscored} relationships of kinds no gold family covers (revenue figures)")
    if details:
        lines.append("")
        lines.append(f"False ({len(report.false)}):")
        for f in report.false:
            lines.append(f"  {f['document']}  {f['relationship']}  ({f['reason']}; {', '.join(f['rules'])})")
        lines.append(f"Missed ({len(report.missed)}):")
        for m in report.missed:
            lines.append(f"  {m['document']}  {m['fact']}")
        if entities:
            lines.append(f"Entities not in the gold ({len(report.false_entities)}):")
            lines.extend(f"  {f['document']}  {f['entity']}" for f in report.false_entities)
            lines.append(f"Entities missed ({len(report.missed_entities)}):")
            lines.extend(f"  {m['document']}  {m['entity']}" for m in report.missed_entities)
    return "\n".join(lines)
