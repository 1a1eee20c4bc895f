"""`kg correct`: the click layer of analysts' corrections (graph/correct.py does the work)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .cli import Progress, graph_option, main


def correction_options(f):
    """--why, --by, --seeds, --graph, --corrections and --no-build, which every change takes."""
    f = click.option("--no-build", is_flag=True, help="Only record the correction; the next 'kg build' applies it.")(f)
    f = click.option("--corrections", "corrections_file", type=click.Path(path_type=Path, dir_okay=False),
                     default=None, help="Corrections file [default: corrections.jsonl in the seeds folder].")(f)
    f = graph_option(f)
    f = click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
                     help="Folder the graph was built from.")(f)
    f = click.option("--by", help="Who decides [default: KG_ANALYST, else the login name].")(f)
    return click.option("--why", required=True, help="Why: kept with the correction and shown by kg trace.")(f)


@main.group()
def correct() -> None:
    """Correct the graph: reject, confirm or add relationships, merge or split entities.

    Each correction is a line of seeds/corrections.jsonl with who, when and why;
    kg build applies them after extraction, and kg trace shows them. Names are
    as in kg trace. After recording, the graph is built again (--no-build: not).

    Example: kg correct reject "Jason Droege" "CEO" "Scale AI" --why "He is interim CEO"
    """


def _record(correction, seeds: Path, graph_dir: Path, corrections_file: Path | None, no_build: bool) -> None:
    from .corrections import append_correction, corrections_path

    path = corrections_path(seeds, corrections_file)
    number = append_correction(path, correction)
    click.echo(f"Recorded #{number} in {path}: {correction.describe()}")
    if not no_build:
        _rebuild(seeds, graph_dir, corrections_file)


def _rebuild(seeds: Path, graph_dir: Path, corrections_file: Path | None) -> None:
    """Build again with the corrections file as it is now, and say so as kg build does."""
    from .builder import build_graph

    progress = Progress("articles")
    try:
        summary = build_graph(seeds, graph_dir, progress=progress, workers=os.cpu_count() or 1,
                              corrections=corrections_file)
    finally:
        progress.close()
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Built {graph_dir / 'graph.trig'}: {summary.line()}")


def _by(by: str | None) -> str:
    from .corrections import analyst

    return analyst(by)


@correct.command()
@click.argument("a")
@click.argument("relation")
@click.argument("b", required=False)
@click.option("--document", metavar="DOC", help="Reject only what this article (path as in kg trace) says.")
@click.option("--value", metavar="NUMBER", help="Reject only this value of a qualifier (one source's stake).")
@correction_options
def reject(a, relation, b, document, value, why, by, seeds, graph_dir, corrections_file, no_build) -> None:
    """Reject a relationship: it stays with its sources, marked rejected, but is no longer an edge.

    Example: kg correct reject Wang "head of AI" Meta --why "He heads the lab, not AI at Meta"
    """
    from .correct import review

    correction = review(graph_dir, "reject", a, relation, b, by=_by(by), why=why, document=document, value=value)
    _record(correction, seeds, graph_dir, corrections_file, no_build)


@correct.command()
@click.argument("a")
@click.argument("relation")
@click.argument("b", required=False)
@click.option("--document", metavar="DOC", help="Confirm only what this article says.")
@correction_options
def confirm(a, relation, b, document, why, by, seeds, graph_dir, corrections_file, no_build) -> None:
    """Confirm a relationship: asserted whatever the confidence or hedging of its sources.

    Example: kg correct confirm Meta "invests in" "Scale AI" --why "Confirmed by Meta's filing"
    """
    from .correct import review

    correction = review(graph_dir, "confirm", a, relation, b, by=_by(by), why=why, document=document)
    _record(correction, seeds, graph_dir, corrections_file, no_build)


@correct.command(name="add")
@click.argument("a")
@click.argument("relation")
@click.argument("b")
@click.option("--document", required=True, metavar="DOC", help="The article that states it (path as in kg trace).")
@click.option("--quote", required=True, help="The words of the article that state it, exactly.")
@click.option("--type", "type_", type=click.Choice(["person", "organization", "unit"]),
              help="Type of a name the graph does not know yet: it becomes a new entity.")
@correction_options
def add_(a, relation, b, document, quote, type_, why, by, seeds, graph_dir, corrections_file, no_build) -> None:
    """Add a relationship the rules missed, with the quote that states it.

    RELATION is a role ("CEO", "Gründer") or a relation ("customer of", "invests in").

    Example: kg correct add "Jane Roe" CEO Acme --document a.txt --quote "Acme's chief, Jane Roe" --type person --why "…"
    """
    from .correct import add

    correction = add(graph_dir, seeds, a, relation, b, document=document, quote=quote, type_=type_,
                     by=_by(by), why=why)
    _record(correction, seeds, graph_dir, corrections_file, no_build)


@correct.command()
@click.argument("a")
@click.argument("b")
@correction_options
def merge(a, b, why, by, seeds, graph_dir, corrections_file, no_build) -> None:
    """Merge B into A: one entity, A's; B's name stays as an alias and B owl:sameAs A.

    Example: kg correct merge "Scale AI" "Scale" --why "Both name the data-labelling company"
    """
    from .correct import merge as make

    _record(make(graph_dir, a, b, by=_by(by), why=why), seeds, graph_dir, corrections_file, no_build)


@correct.command()
@click.argument("name")
@click.option("--document", required=True, metavar="DOC", help="The article whose mentions of NAME mean another.")
@click.option("--into", "into", required=True, metavar="OTHER", help="The entity they mean: known, or a new name.")
@correction_options
def split(name, document, into, why, by, seeds, graph_dir, corrections_file, no_build) -> None:
    """Split an entity: one article's mentions of NAME belong to OTHER.

    Example: kg correct split "Jan de Vries" --document nl/03.txt --into "Jan de Vries (Philips)" --why "…"
    """
    from .correct import split as make

    _record(make(graph_dir, name, document, into, by=_by(by), why=why), seeds, graph_dir, corrections_file, no_build)


def _entity_command(op: str, value_name: str, help_text: str, example: str):
    @click.argument("name")
    @click.argument(value_name)
    @correction_options
    def command(name, why, by, seeds, graph_dir, corrections_file, no_build, **kw) -> None:
        from .correct import entity_fact

        correction = entity_fact(graph_dir, op, name, kw[value_name.lower()], by=_by(by), why=why)
        _record(correction, seeds, graph_dir, corrections_file, no_build)

    command.__doc__ = f"{help_text}\n\n    Example: {example}"
    return correct.command(name=op)(command)


_entity_command("rename", "NEW", "Give an entity another name; the old one stays as an alias.",
                'kg correct rename "Scale" "Scale AI" --why "Its full name"')
_entity_command("wikidata", "QID", "Link an entity to its Wikidata item (owl:sameAs).",
                'kg correct wikidata "Scale AI" Q70000000 --why "Checked on wikidata.org"')
_entity_command("alias", "ALIAS", "Record another name of an entity.",
                'kg correct alias "Meta" "Meta Platforms" --why "Its legal name"')
_entity_command("type", "TYPE", "Say what an entity is: person, organization or unit.",
                'kg correct type "Rupesh Kumar" person --why "A person, not a company"')


@correct.command(name="list")
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder the graph was built from.")
@click.option("--corrections", "corrections_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Corrections file [default: corrections.jsonl in the seeds folder].")
def list_(seeds: Path, corrections_file: Path | None) -> None:
    """List the corrections, numbered by their line in the file (the numbers 'kg correct undo' takes).

    Example: kg correct list
    """
    from .corrections import corrections_path, load_corrections

    path = corrections_path(seeds, corrections_file)
    if corrections_file is None and not seeds.is_dir():
        raise click.BadParameter(f"{seeds}: no such folder", param_hint="--seeds")
    fixes = load_corrections(path)
    if not fixes:
        click.echo(f"No corrections in {path}")
    for c in fixes:  # numbered by their line in the file, as build warnings and undo name them
        click.echo(f"{c.line:3}. {c.describe()}")
        click.echo(f"     by {c.by} at {c.at}: {c.why}")


@correct.command()
@click.argument("n", type=int)
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder the graph was built from.")
@graph_option
@click.option("--corrections", "corrections_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Corrections file [default: corrections.jsonl in the seeds folder].")
@click.option("--no-build", is_flag=True, help="Only remove it; the next 'kg build' applies the change.")
def undo(n: int, seeds: Path, graph_dir: Path, corrections_file: Path | None, no_build: bool) -> None:
    """Remove the correction on line N (as 'kg correct list' numbers it); the graph returns to what extraction said.

    Example: kg correct undo 3
    """
    from .corrections import corrections_path, remove_correction

    path = corrections_path(seeds, corrections_file)
    gone = remove_correction(path, n)
    click.echo(f"Removed #{n} from {path}: {gone.describe()}")
    if not no_build:
        _rebuild(seeds, graph_dir, corrections_file)
