"""The `kg` command line: parse arguments, call the library, format the result.

Every `KgError` becomes one `Error: …` line and its exit code (2 for bad input);
anything else is a bug: one line too, and the traceback with --debug.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__


class KgGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader went away ("kg query … | head -1"): stop quietly, as a pipeline expects
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)
        except Exception as exc:
            from .errors import KgError

            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, KgError):
                click.echo(f"Error: {exc}", err=True)
                ctx.exit(exc.exit_code)
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                       err=True)
            ctx.exit(1)


def graph_option(f):
    return click.option("--graph", "graph_dir", type=click.Path(path_type=Path), default=Path("output"),
                        show_default=True, help="Folder that 'kg build --out' wrote.")(f)


class Progress:
    """A progress bar on standard error, shown only on a terminal and for enough items."""

    def __init__(self, label: str, minimum: int = 20):
        self.label, self.minimum, self.bar = label, minimum, None

    def __call__(self, done: int, total: int) -> None:
        if total < self.minimum or not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
            self.bar.update(done)
        else:
            self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group(cls=KgGroup)
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """kg: a provenance-first knowledge graph of news.

    Every relationship in the graph carries the sentences that state it.

    Example: kg build --seeds seeds --out output
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder of articles (.txt, .md, .html).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="Folder for graph.trig and the store.")
@click.option("--shacl", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="SHACL validator of each article's graph: compiled checks, or pyshacl (slower, the reference).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes extracting articles in parallel [default: the machine's cores].")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Extract on this Dask distributed scheduler (tcp://host:8786) instead of local processes.")
@click.option("--corrections", "corrections_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Analysts' corrections to apply [default: corrections.jsonl in the seeds folder, if any].")
def build(seeds: Path, out: Path, shacl: str, workers: int | None, dask_address: str | None,
          corrections_file: Path | None) -> None:
    """Build the knowledge graph from a folder of articles.

    Example: kg build --seeds seeds --out output
    """
    from . import api
    from .distributed import dask_executor

    progress = Progress("articles")
    try:
        with dask_executor(dask_address) as executor:
            summary = api.build(seeds, out, progress=progress, shacl=shacl, workers=workers or os.cpu_count() or 1,
                                executor=executor, corrections=corrections_file)
    finally:
        progress.close()
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    html = f" and {out / 'graph.html'}" if summary.html else ""
    click.echo(f"Built {out / 'graph.trig'}{html}: {summary.line()}")
    if not summary.html:
        click.echo(f"Note: no graph.html for {summary.documents} articles; export a part with "
                   "'kg viz --focus NAME'", err=True)


FORMAT_NAMES = ["table", "json", "csv", "tsv", "xml", "turtle", "trig", "nt", "nq", "jsonld"]


@main.command()
@click.argument("query", required=False)
@graph_option
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Result format [default: table on a terminal, tsv when piped; turtle for CONSTRUCT].")
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead of the local store.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=60.0, show_default=True,
              callback=lambda ctx, param, value: _finite(value, "--timeout"),
              help="Stop the query after this many seconds (more than 0, at most a day).")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the result to this file (whole or not at all) instead of standard output.")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE clauses, which send part of the query to another server (refused by default).")
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Bind a variable of the query: <iri>, prefix:name, a number or a string. Repeatable.")
@click.option("--candidates", is_flag=True,
              help="In the ready queries, also the relationships kept but not asserted (hedged, negated, "
                   "conditional or below the confidence threshold): binds ?candidates to true.")
@click.option("--list", "list_queries", is_flag=True, help="List the ready queries and exit.")
@click.option("--prefixes", "show_prefixes", is_flag=True, help="List the predeclared prefixes and exit.")
def query(query: str | None, graph_dir: Path, fmt: str | None, endpoint: str | None, timeout: float,
          output: Path | None, allow_service: bool,
          binds: tuple[str, ...], candidates: bool, list_queries: bool, show_prefixes: bool) -> None:
    """Run a SPARQL query (read-only) over the built graph or an endpoint.

    QUERY is the query text, '-' for standard input, @FILE.rq, or the name of a
    ready query (see --list). Common prefixes are predeclared (--prefixes); the
    default graph is the union of all articles, GRAPH ?g reaches one article.

    Example: kg query 'SELECT ?p ?o WHERE { kgo:scale-ai ?p ?o }'
    """
    from . import query as q

    if show_prefixes:
        from .vocab import PREFIXES

        width = max(len(p) for p in PREFIXES)
        for prefix, iri in PREFIXES.items():
            click.echo(f"{prefix.ljust(width)}  {iri}")
        return
    if list_queries:
        for ready in q.list_ready_queries():
            params = f"  (--bind {', '.join(p + '=…' for p in ready.params)})" if ready.params else ""
            click.echo(f"{ready.name:15} {ready.title}{params}")
        return
    if not query:
        raise click.UsageError("give a QUERY, or --list / --prefixes")
    text, params = _query_text(query, q)
    bindings = {}
    for bind in binds:
        name, sep, value = bind.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{bind!r} is not NAME=VALUE", param_hint="--bind")
        bindings[name.lstrip("?")] = q.parse_binding(name, value)
    if candidates:
        bindings["candidates"] = q.parse_binding("candidates", "true")
    missing = [p for p in params if p not in bindings]
    if missing:
        raise click.UsageError(f"this ready query needs --bind {missing[0]}=VALUE")
    text = q.prepared(text)  # the same text, however it came (argument, standard input or file)
    form = q.query_form(text, allow_service=allow_service)  # updates (and SERVICE) refused
    if candidates and not q.values_marker("candidates").search(text):
        raise click.UsageError("--candidates: this query has no candidates to add (no VALUES ?candidates "
                               "{ UNDEF } line)")
    text, substitutions = q.with_bindings(text, bindings)  # values only where the grammar reads VALUES
    if fmt is None:
        chosen = (q.Format.TSV if output else q.default_format(sys.stdout)) if form in ("SELECT", "ASK") \
            else q.Format.TURTLE
    else:
        chosen = q.Format(fmt)
    def run(out) -> None:
        if endpoint:
            q.run_endpoint(text, endpoint, chosen, out, timeout=timeout, substitutions=substitutions, form=form)
        else:
            q.run_local(text, graph_dir, chosen, out, timeout=timeout, substitutions=substitutions, form=form)
        out.flush()

    if output is None:
        run(q.stdout_binary())
        return
    # a temporary file beside the target, renamed into place only when the whole result is there
    tmp = output.with_name(f".{output.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            run(f)
            os.fsync(f.fileno())
        os.replace(tmp, output)
    except OSError as exc:
        raise click.BadParameter(f"cannot write {output} ({exc.strerror or exc})", param_hint="-o") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _finite(value: float, name: str) -> float:
    import math

    if not math.isfinite(value):  # FloatRange lets NaN through: it compares false both ways
        raise click.BadParameter(f"{value} is not a number of seconds", param_hint=name)
    return value


def _query_text(arg: str, q) -> tuple[str, tuple[str, ...]]:
    import re

    if arg == "-":
        return sys.stdin.read(), ()
    if arg.startswith("@"):
        path = Path(arg[1:])
        try:
            return path.read_text(encoding="utf-8"), ()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {path} ({exc.strerror or exc})", param_hint="QUERY") from None
        except UnicodeDecodeError as exc:
            raise click.BadParameter(f"{path} is not UTF-8 text (byte {exc.start})", param_hint="QUERY") from None
    if re.fullmatch(r"[a-z][a-z0-9-]*", arg):
        ready = q.ready_query(arg)
        return ready.text, ready.params
    return arg, ()


@main.command()
@graph_option
@click.option("-o", "--output", "out_file", type=click.Path(path_type=Path), default=None,
              help="HTML file to write [default: graph.html in the graph folder].")
@click.option("--focus", metavar="NAME", help="Only the neighbourhood of this entity.")
@click.option("--hops", type=click.IntRange(0, 10), default=1, show_default=True, help="Size of the --focus neighbourhood.")
@click.option("--relation", "relations", multiple=True, metavar="TYPE",
              help="Only these relation types (membership, investment, customerOf, competesWith, …). Repeatable.")
@click.option("--language", "languages", multiple=True, type=click.Choice(["de", "nl", "en"]),
              help="Only relationships with sources in these languages. Repeatable.")
def viz(graph_dir: Path, out_file: Path | None, focus: str | None, hops: int, relations: tuple[str, ...],
        languages: tuple[str, ...]) -> None:
    """Export the graph as one interactive HTML file that works offline.

    Click a node or an edge to see its relationships and the sentences behind
    them; search, and filter by relation type and source language.

    Example: kg viz --focus "Scale AI" --hops 1 -o scale-ai.html
    """
    from .viz import export_html

    if focus is not None and not focus.strip():
        raise click.BadParameter("an empty name", param_hint="--focus")
    summary = export_html(graph_dir, out_file or graph_dir / "graph.html", focus=focus, hops=hops,
                          relations=relations, languages=languages)
    click.echo(f"Wrote {summary.path}: {summary.nodes} entities, {summary.edges} relationships "
               f"in {summary.seconds:.2f} s")


@main.command()
@graph_option
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "jsonld"]), required=True,
              help="graphml (yEd, Cytoscape, networkx), gexf (Gephi), csv (a folder for neo4j-admin "
                   "database import) or jsonld (the whole dataset as linked data).")
@click.option("-o", "--output", "out_path", type=click.Path(path_type=Path), default=None,
              help="File (for csv: folder) to write [default: graph.FORMAT in the graph folder; graph-csv/].")
@click.option("--focus", metavar="NAME", help="Only the neighbourhood of this entity (not for jsonld).")
@click.option("--hops", type=click.IntRange(0, 10), default=1, show_default=True, help="Size of the --focus neighbourhood.")
@click.option("--force", is_flag=True, help="Replace an existing file (or a folder an earlier csv export wrote).")
def export(graph_dir: Path, fmt: str, out_path: Path | None, focus: str | None, hops: int, force: bool) -> None:
    """Export the graph for Gephi, yEd, Cytoscape, Neo4j or a JSON-LD reader.

    Every relationship keeps its provenance: the number of sources, the first
    quote with its article, and the kg trace command that prints them all.
    Candidates and rejected relationships are included; their asserted and
    status attributes tell them apart.

    Example: kg export --format gexf -o news.gexf
    """
    from . import api
    from .export import default_path

    target = out_path or default_path(graph_dir, fmt)
    progress = Progress("writing")
    try:
        summary = api.open(graph_dir).export(target, fmt, focus=focus, hops=hops, force=force,
                                               progress=progress)
    finally:
        progress.close()
    if fmt == "jsonld":
        click.echo(f"Wrote {summary.path}: {summary.quads} quads in {summary.seconds:.2f} s")
        return
    kept = [f"{n} {word}{'s' if word == 'candidate' and n != 1 else ''}"
            for n, word in ((summary.candidates, "candidate"), (summary.rejected, "rejected")) if n]
    click.echo(f"Wrote {summary.path}: {summary.nodes} entities, {summary.edges} relationships"
               + (f" ({', '.join(kept)}: the asserted and status attributes tell them apart)" if kept else "")
               + f" in {summary.seconds:.2f} s")
    if summary.replaced:
        click.echo(f"Note: {summary.replaced} control characters XML cannot carry are written "
                   "as U+FFFD; kg trace prints the exact quotes", err=True)


@main.command()
@click.argument("a")
@click.argument("b", required=False)
@graph_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def trace(a: str, b: str | None, graph_dir: Path, fmt: str) -> None:
    """Trace the relationships of A (or between A and B) back to their sources.

    A and B are names, aliases or a family name only one person has (any case);
    B may also be a role. Without a direct relationship, the shortest
    connections through the graph are shown, each hop with its sources.

    Example: kg trace Droege "interim CEO"
    """
    import json

    from . import api
    from .trace_text import format_text

    for name, value in (("A", a), ("B", b)):
        if value is not None and not value.strip():
            raise click.BadParameter("an empty name", param_hint=name)
    result = api.open(graph_dir).trace(a, b)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        color = sys.stdout.isatty()
        click.echo(format_text(result, style=click.style if color else (lambda text, **kw: text)), nl=False)


@main.command()
@graph_option
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder the graph was built from.")
def verify(graph_dir: Path, seeds: Path) -> None:
    """Check every evidence span against the articles it quotes.

    Reports articles that are missing or changed since the build and quotes no
    longer at their offsets; exit code 1 when anything is stale.

    Example: kg verify --graph output --seeds seeds
    """
    from . import api

    report = api.open(graph_dir).verify(seeds)
    for problem in report.problems:
        click.echo(problem)
    click.echo(f"{report.checked} evidence spans in {report.documents} articles checked: "
               f"{'all current' if report.ok else f'{len(report.problems)} problem(s)'}", err=not report.ok)
    if not report.ok:
        sys.exit(1)


@main.command(name="eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder the gold's file paths are relative to (the one the graph was built from).")
@graph_option
@click.option("--candidates", is_flag=True, help="Count every relationship kept, not only the asserted ones.")
@click.option("--summary", is_flag=True, help="Only the figures, without the false and missed facts.")
@click.option("--entities", "show_entities", is_flag=True, help="Also list the people and organizations missed or not in the gold.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def eval_(gold: tuple[Path, ...], seeds: Path, graph_dir: Path, candidates: bool, summary: bool, show_entities: bool,
          fmt: str) -> None:
    """Score the built graph against gold facts annotated by hand.

    Prints precision and recall overall, per language and per relation
    family, role and status accuracy, then the false and the missed facts.
    GOLD is one or more gold files (format in the README).

    Example: kg eval tests/gold/seeds-de.json tests/gold/seeds-nl.json --seeds seeds --graph output
    """
    import json

    from .evaluate import evaluate, format_report

    report = evaluate(list(gold), seeds=seeds, graph_dir=graph_dir, candidates=candidates)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if fmt == "json":
        data = report.to_json()
        if summary:
            for key in ("false", "missed", "false_entities", "missed_entities"):
                data.pop(key)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report, details=not summary, entities=show_entities))


@main.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
def serve(graph_dir: Path, host: str, port: int) -> None:
    """Serve the graph read-only over the SPARQL 1.1 protocol (Oxigraph server).

    The default graph is the union of all articles, as in kg query. Ctrl-C stops.
    Note: the Oxigraph server runs SERVICE clauses (it fetches from the URL they
    name) and has no switch to refuse them; serve on loopback (the default) or
    behind a proxy that filters queries. kg query refuses them itself.

    Example: kg serve --port 7878   (then: kg query roles --endpoint http://127.0.0.1:7878/query)
    """
    from .remote import serve as run

    def ready(url: str) -> None:
        click.echo(f"Serving {graph_dir} at {url} (read-only; Ctrl-C stops)", err=True)

    sys.exit(run(graph_dir, host=host, port=port, on_ready=ready))


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store.")
@graph_option
@click.option("--user", envvar="KG_PUSH_USER", help="User name (or KG_PUSH_USER); the password comes from "
              "KG_PUSH_PASSWORD or a prompt, never from the command line.")
@click.option("--all", "everything", is_flag=True, help="Send every graph, not only what changed since the last push.")
@click.option("--timeout", type=float, default=60.0, show_default=True)
def push(endpoint: str, graph_dir: Path, user: str | None, everything: bool, timeout: float) -> None:
    """Upload the graph to a SPARQL server, one named graph per article.

    Each graph is replaced with an HTTP PUT (Graph Store Protocol); graphs of
    articles no longer in the build are deleted; a second push sends only what
    changed.

    Example: kg push --endpoint http://127.0.0.1:7878/store
    """
    from . import api

    kg = api.open(graph_dir)
    auth = None
    if user:
        password = os.environ.get("KG_PUSH_PASSWORD")
        if password is None:
            password = click.prompt(f"Password for {user}", hide_input=True, err=True)
        auth = (user, password)
    progress = Progress("graphs", minimum=1)
    try:
        summary = kg.push(endpoint, auth=auth, everything=everything, timeout=timeout, progress=progress)
    finally:
        progress.close()
    click.echo(f"Pushed to {endpoint}: {len(summary.sent)} graphs sent, {len(summary.deleted)} deleted, "
               f"{summary.unchanged} unchanged")


# kg correct lives in its own module; importing it registers the group on `main`
from . import cli_correct  # noqa: F401

if __name__ == "__main__":  # pragma: no cover
    # run as a module, this file is __main__, not graph.cli, on which kg correct registers
    from graph.cli import main as entry

    entry()
