"""The `kg` command line: parse arguments, call the library, format the result.

Every `KgError` becomes one `Error: …` line and its exit code (2 for bad input);
anything else is a bug: one line too, and the traceback with --debug.
"""

from __future__ import annotations

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
        except Exception as exc:
            from .errors import KgError

            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, KgError):
                click.echo(f"Error: {exc}", err=True)
                ctx.exit(exc.exit_code)
            if isinstance(exc, KeyboardInterrupt):
                click.echo("Error: interrupted", err=True)
                ctx.exit(130)
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                       err=True)
            ctx.exit(1)


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
def build(seeds: Path, out: Path) -> None:
    """Build the knowledge graph from a folder of articles.

    Example: kg build --seeds seeds --out output
    """
    from .build import build_graph

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < 20 or not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="articles", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        summary = build_graph(seeds, out, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Built {out / 'graph.trig'}: {summary.line()}")


if __name__ == "__main__":  # pragma: no cover
    main()
