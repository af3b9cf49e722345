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

from kaartspel import __version__
from kaartspel.errors import EXIT_INTERRUPTED, KaartspelError

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
    # A handler of our own (not the root logger's, which an embedding program or a test
    # runner may already have configured), created per invocation for the current stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.handlers = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    log.propagate = False
    ctx.obj = Settings(content=content, verbose=verbose)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.obj
    assert isinstance(obj, Settings)
    return obj


# Options several commands share, declared once.
TemplatesOption = Annotated[
    list[Path] | None,
    typer.Option("--templates", help="Folder searched for templates before the built-in one."),
]
StrictOption = Annotated[
    bool, typer.Option("--strict/--no-strict", help="Fail on any WeasyPrint warning.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="PDF file to write.")
]


@app.command("check")
def check_command(
    ctx: typer.Context,
    lang: Annotated[
        str, typer.Option("--lang", help="Language code to check, or 'all'.")
    ] = "all",
) -> None:
    """Validate the content: schema, translations and lint rules."""
    from kaartspel.cli.commands import run_check

    run_check(_settings(ctx).content, lang)


@app.command("list")
def list_command(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", help="Language to list.")] = "nl",
) -> None:
    """List the themes and cards in one language."""
    from kaartspel.cli.commands import run_list

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
    templates: TemplatesOption = None,
    strict: StrictOption = True,
    output: OutputOption = None,
    pdf: Annotated[
        str | None,
        typer.Option(
            "--pdf",
            help="plain (default), print (PDF/X-4 in CMYK with a FOGRA39 output intent) or "
            "accessible (tagged PDF/UA-1: the fronts, one card per page, no backs).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a card deck PDF (from options or a recipe)."""
    from kaartspel.cli.commands import run_deck_pdf
    from kaartspel.deck.assemble import DeckOptions

    options = DeckOptions(
        lang=lang, size=size, layout=layout, paper=paper, margin=margin, gutter=gutter,
        bleed=bleed, duplex=duplex, backs=backs, order=order, themes=tuple(theme or ()),
        kinds=tuple(kind or ()), cards=tuple(card or ()), extra_questions=questions,
        strict=strict, templates=tuple(templates or ()), pdf=pdf or "plain",
    )
    run_deck_pdf(_settings(ctx).content, options, recipe, output, pdf)


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
    templates: TemplatesOption = None,
    strict: StrictOption = True,
    output: OutputOption = None,
) -> None:
    """Build the poster PDF (optionally tiled for home printers)."""
    from kaartspel.cli.commands import run_poster
    from kaartspel.poster.assemble import PosterOptions

    options = PosterOptions(
        lang=lang, size=size, orientation=orientation, bleed=bleed, tile=tile,
        overlap=overlap, margin=margin, strict=strict, templates=tuple(templates or ()),
    )
    run_poster(_settings(ctx).content, options, recipe, output)


@app.command("build")
def build_command(
    ctx: typer.Context,
    recipes: Annotated[
        list[Path] | None,
        typer.Argument(help="Recipes to build (default: every recipe in deck/).",
                       show_default=False),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Output folder.")] = Path("build"),
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Parallel processes (default: one per CPU).",
                     show_default=False),
    ] = None,
    clean: Annotated[
        bool, typer.Option("--clean", help="Delete the cache and all outputs first.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Rebuild everything; render every face again.")
    ] = False,
    templates: TemplatesOption = None,
    strict: StrictOption = True,
) -> None:
    """Build every recipe (or the ones named) into the output folder, skipping what is fresh."""
    from kaartspel.build.plan import BuildSettings
    from kaartspel.cli.report import build_command as run_build_command

    settings = BuildSettings(_settings(ctx).content, out_dir, tuple(templates or ()), strict,
                             not no_cache)
    run_build_command(settings, recipes or [], jobs, clean)


@app.command("preview")
def preview_command(
    ctx: typer.Context,
    target: Annotated[
        Path, typer.Argument(help="A built PDF, or a recipe (built first when stale).",
                             show_default=False)
    ],
    dpi: Annotated[float, typer.Option("--dpi", help="Resolution of the PNGs.")] = 150,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the PNGs "
                     "(default: <out-dir>/preview/<pdf name>/).", show_default=False),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Build folder of recipes.")
    ] = Path("build"),
) -> None:
    """Render PNGs of every page (trimmed), every card and a contact sheet of a deck."""
    from kaartspel.build.plan import BuildSettings
    from kaartspel.build.preview import preview_command as run_preview_command

    settings = BuildSettings(_settings(ctx).content, out_dir)
    run_preview_command(target, settings, dpi, output)


@app.command("watch")
def watch_command(
    ctx: typer.Context,
    recipes: Annotated[
        list[Path] | None,
        typer.Argument(help="Recipes to keep built (default: every recipe in deck/).",
                       show_default=False),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Output folder.")] = Path("build"),
    templates: TemplatesOption = None,
    strict: StrictOption = True,
    max_rebuilds: Annotated[int | None, typer.Option("--max-rebuilds", hidden=True)] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", hidden=True)] = None,
) -> None:
    """Rebuild the outputs a change to content, templates or recipes affects, until Ctrl-C."""
    from kaartspel.build.plan import BuildSettings
    from kaartspel.build.watch import watch_command as run_watch_command

    settings = BuildSettings(_settings(ctx).content, out_dir, tuple(templates or ()), strict)
    run_watch_command(settings, recipes or [], max_rebuilds, timeout)


@app.command("preflight")
def preflight_command(
    file: Annotated[Path, typer.Argument(help="The PDF to check.", show_default=False)],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full report as JSON.")
    ] = False,
    safe: Annotated[
        float, typer.Option("--safe", help="Safe area: distance of text from the trim, mm.")
    ] = 4.0,
    min_text: Annotated[
        float, typer.Option("--min-text", help="Smallest allowed text size, pt.")
    ] = 7.0,
    min_dpi: Annotated[
        float, typer.Option("--min-dpi", help="Lowest allowed effective image resolution.")
    ] = 300.0,
    require_cmyk: Annotated[
        bool | None,
        typer.Option(
            "--require-cmyk/--allow-any-colour",
            help="Fail on any colour but CMYK (default: when the file has a PDF/X CMYK "
            "output intent).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a PDF for print: boxes, fonts, text size, safe area, colour, image resolution."""
    from kaartspel.cli.commands import run_preflight

    run_preflight(file, as_json, safe, min_text, min_dpi, require_cmyk)


def main() -> None:
    """Run the command line (console-script entry point)."""
    app()
