"""Command line: each command parses its options and calls one library function.

Heavy modules (WeasyPrint, pikepdf) are imported inside the commands that need them so that
``kaartspel --help`` stays instant.  Every :class:`~kaartspel.errors.KaartspelError` is caught
in one place, :class:`ErrorHandlingGroup`, and printed as one ``Error: …`` line per problem.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import EXIT_INTERRUPTED, KaartspelError

log = logging.getLogger("kaartspel")


@dataclass
class Settings:
    """Global options shared by every command."""

    content: Path
    verbose: bool


class ErrorHandlingGroup(TyperGroup):
    """Report KaartspelError and Ctrl-C as one-line errors with the right exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KaartspelError as exc:
            settings = ctx.obj if isinstance(ctx.obj, Settings) else None
            if settings and settings.verbose:
                log.exception("traceback")
            for line in exc.lines():
                typer.echo(f"Error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("Error: interrupted; no output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)


app = typer.Typer(
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    help="Print-ready dialogue card decks and posters from 'De lerende regio'.",
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kaartspel {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    content: Annotated[
        Path, typer.Option("--content", help="Content folder (one sub-folder per language).")
    ] = Path("content"),
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress and show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Print-ready dialogue card decks and posters from 'De lerende regio'."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = Settings(content=content, verbose=verbose)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.obj
    assert isinstance(obj, Settings)
    return obj


@app.command("check")
def check_command(
    ctx: typer.Context,
    lang: Annotated[
        str, typer.Option("--lang", help="Language code to check, or 'all'.")
    ] = "all",
) -> None:
    """Validate the content: schema, translations and lint rules."""
    from .commands import run_check

    run_check(_settings(ctx).content, lang)


@app.command("list")
def list_command(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", help="Language to list.")] = "nl",
) -> None:
    """List the themes and cards in one language."""
    from .commands import run_list

    run_list(_settings(ctx).content, lang)


def main() -> None:
    """Run the command line (console-script entry point)."""
    app()
