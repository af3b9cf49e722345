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

    def invoke(self, ctx: Any) -> Any:
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


@app.command("deck")
def deck_command(
    ctx: typer.Context,
    recipe: Annotated[
        Path | None, typer.Option("--recipe", "-r", help="Build from a recipe in deck/.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Content language.")] = "nl",
    size: Annotated[
        str,
        typer.Option(
            "--size", help="poker, bridge, tarot, mini, square, a6, a7, or WxH in mm (80x120)."
        ),
    ] = "poker",
    layout: Annotated[
        str, typer.Option("--layout", help="sheet (N-up, crop marks) or single (print shop).")
    ] = "sheet",
    paper: Annotated[str, typer.Option("--paper", help="Sheet paper: a4, a3, letter.")] = "a4",
    margin: Annotated[
        float, typer.Option("--margin", help="Printer's unprintable margin, mm.")
    ] = 5.0,
    gutter: Annotated[float, typer.Option("--gutter", help="Space between cards, mm.")] = 0.0,
    bleed: Annotated[float, typer.Option("--bleed", help="Bleed around each card, mm.")] = 3.0,
    duplex: Annotated[
        str, typer.Option("--duplex", help="Paper flip for backs: long, short, none.")
    ] = "long",
    backs: Annotated[str, typer.Option("--backs", help="theme, plain or none.")] = "theme",
    order: Annotated[
        str,
        typer.Option("--order", help="Single layout: fronts-then-backs or interleaved."),
    ] = "fronts-then-backs",
    theme: Annotated[
        list[str] | None, typer.Option("--theme", help="Only this theme (repeatable).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this card kind (repeatable).")
    ] = None,
    card: Annotated[
        list[str] | None, typer.Option("--card", help="Only this card id (repeatable).")
    ] = None,
    questions: Annotated[
        Path | None, typer.Option("--questions", help="YAML file with your own question pairs.")
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option("--templates", help="Folder searched for templates before the built-in one."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict/--no-strict", help="Fail on any WeasyPrint warning.")
    ] = True,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="PDF file to write.")
    ] = None,
) -> None:
    """Build a card deck PDF (from options or a recipe)."""
    from .commands import run_deck
    from .deck import DeckOptions

    options = DeckOptions(
        lang=lang, size=size, layout=layout, paper=paper, margin=margin, gutter=gutter,
        bleed=bleed, duplex=duplex, backs=backs, order=order, themes=tuple(theme or ()),
        kinds=tuple(kind or ()), cards=tuple(card or ()), extra_questions=questions,
        strict=strict, templates=tuple(templates or ()),
    )
    run_deck(_settings(ctx).content, options, recipe, output)


@app.command("poster")
def poster_command(
    ctx: typer.Context,
    recipe: Annotated[
        Path | None, typer.Option("--recipe", "-r", help="Build from a poster recipe.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Content language.")] = "nl",
    size: Annotated[str, typer.Option("--size", help="a0, a1, a2, a3 or a4.")] = "a1",
    orientation: Annotated[
        str, typer.Option("--orientation", help="portrait or landscape.")
    ] = "portrait",
    bleed: Annotated[
        float, typer.Option("--bleed", help="Bleed in mm; adds crop marks when > 0.")
    ] = 0.0,
    tile: Annotated[
        str | None, typer.Option("--tile", help="Split over a4 or a3 sheets to tape together.")
    ] = None,
    overlap: Annotated[float, typer.Option("--overlap", help="Tile overlap, mm.")] = 10.0,
    margin: Annotated[
        float, typer.Option("--margin", help="Printer's unprintable margin for tiles, mm.")
    ] = 5.0,
    templates: Annotated[
        list[Path] | None,
        typer.Option("--templates", help="Folder searched for templates before the built-in one."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict/--no-strict", help="Fail on any WeasyPrint warning.")
    ] = True,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="PDF file to write.")
    ] = None,
) -> None:
    """Build the poster PDF (optionally tiled for home printers)."""
    from .commands import run_poster
    from .poster import PosterOptions

    options = PosterOptions(
        lang=lang, size=size, orientation=orientation, bleed=bleed, tile=tile,
        overlap=overlap, margin=margin, strict=strict, templates=tuple(templates or ()),
    )
    run_poster(_settings(ctx).content, options, recipe, output)


def main() -> None:
    """Run the command line (console-script entry point)."""
    app()
