"""Command line: each command parses its options and calls one library function.

Heavy modules (WeasyPrint, pikepdf) are imported inside the commands that need them so that
``kaartspel --help`` stays instant.  Every :class:`~kaartspel.errors.KaartspelError` is caught
in one place, :class:`ErrorHandlingGroup`, and printed as one ``Error: …`` line per problem.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

import typer
from typer.core import TyperGroup

from kaartspel import __version__
from kaartspel.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    KaartspelError,
    Terminated,
    printable,
    raise_terminated,
    unexpected,
)
from kaartspel.options import (
    BoxOptions,
    CalibrateOptions,
    DeckOptions,
    ExportOptions,
    Options,
    PosterOptions,
    choices,
    field_extra,
)
from kaartspel.units import SAFE_MM

log = logging.getLogger("kaartspel")
Command = TypeVar("Command", bound=Callable[..., None])


@dataclass
class Settings:
    """Global options shared by every command."""

    content: Path
    verbose: bool
    command_line: tuple[str, ...] | None = None
    """The words the console script was run with (None when called as a library)."""


GLOBAL_OPTIONS = {"--content": 1, "--verbose": 0, "-v": 0}
"""The main options, with how many values each takes: accepted after the command too."""


def hoist_global_options(args: list[str], commands: Iterable[str]) -> list[str]:
    """Move the main options given after the command name in front of it.

    ``kaartspel check --content c`` then means what ``kaartspel --content c check`` means,
    as a user expects; everything after a ``--`` is left alone.
    """
    names = set(commands)
    at = next((i for i, arg in enumerate(args) if arg in names), None)
    if at is None:
        return args
    head, rest, moved = args[: at + 1], args[at + 1 :], []
    kept: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            kept += rest[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            width = 1 if "=" in arg else 1 + GLOBAL_OPTIONS[name]
            moved += rest[i : i + width]
            i += width
            continue
        kept.append(arg)
        i += 1
    return [*moved, *head, *kept]


class ErrorHandlingGroup(TyperGroup):
    """Report KaartspelError and Ctrl-C as one-line errors with the right exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args, self.commands))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KaartspelError as exc:
            self._report(ctx, exc)
        except KeyboardInterrupt:
            _echo_error("interrupted; no output was written")
            ctx.exit(EXIT_INTERRUPTED)
        except Terminated:
            _echo_error("terminated; no output was written")
            ctx.exit(EXIT_TERMINATED)
        except Exception as exc:  # the last net: one line, never a traceback (see unexpected)
            if type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise  # Typer's own (its Click inside): --help, exit codes, bad flags
            self._report(ctx, unexpected(exc))

    @staticmethod
    def _report(ctx: Any, exc: KaartspelError) -> None:
        settings = ctx.obj if isinstance(ctx.obj, Settings) else None
        if settings and settings.verbose:
            log.exception("traceback")
        for line in exc.lines():
            _echo_error(line)
        ctx.exit(exc.exit_code)


def _echo_error(line: str) -> None:
    """Print one ``Error:`` line on stderr (not even a closed stream makes a traceback)."""
    with contextlib.suppress(OSError, ValueError):
        typer.echo(f"Error: {printable(line)}", err=True)


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
    from kaartspel.cache import forget_warnings

    forget_warnings()  # each command warns once about a cache problem, however many it meets
    # The console script passes its words along, to answer them quickly next time.
    words = ctx.obj if isinstance(ctx.obj, tuple) else None
    ctx.obj = Settings(content=content, verbose=verbose, command_line=words)


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


def option_parameters(model: type[Options]) -> list[inspect.Parameter]:
    """Return one command-line parameter per option of *model* that has a flag.

    Derived from the options model, so a new option, default or allowed value reaches the
    command line without an edit here.  Every default is None, "not given": the value then
    comes from the recipe, or from the model's default (:func:`kaartspel.options.merge`).
    """
    params = []
    for name, info in model.model_fields.items():
        extra = field_extra(model, name)
        if "cli" not in extra:
            continue
        annotation: Any = info.annotation
        values = choices(model, name)
        metavar = None
        if "metavar" in extra and int not in get_args(annotation):
            # One text value the model parses (``--back-offset 1.5,-0.5``).
            annotation, metavar = str | None, extra["metavar"]
        elif annotation is bool or (bool in get_args(annotation) and len(get_args(annotation))
                                    == 2):  # bool | None: on, off, or the model's own choice
            annotation = bool | None
        elif get_origin(annotation) is tuple:
            item: Any = get_args(annotation)[0]
            annotation = list[item] | None
            metavar = "PATH" if item is Path else "NAME"
        elif values and "choices" not in extra:
            # Plain text, checked by the model: one wording for every bad value, any front end.
            annotation, metavar = str | None, "|".join(values)
        elif Path in get_args(annotation) or annotation is Path:
            annotation, metavar = Path | None, "PATH"
        elif annotation is int or int in get_args(annotation):
            annotation, metavar = int | None, extra.get("metavar", "N")
        elif annotation is float:
            annotation, metavar = float | None, extra.get("unit", "NUMBER").upper()
        else:
            annotation, metavar = str | None, "TEXT"
        default = info.default
        hidden = default is None or isinstance(default, bool) or default in ((), "")
        if isinstance(default, tuple):
            default = ",".join(f"{v:g}" for v in default)
        shown = "" if hidden else f" [default: {default}]"
        option = typer.Option(extra["cli"], help=f"{info.description}{shown}",
                              show_default=False, metavar=metavar)
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                        annotation=Annotated[annotation, option]))
    return params


def with_options(model: type[Options]) -> Callable[[Command], Command]:
    """Give a command's signature the parameters of *model* after its own ones."""
    def decorate(command: Command) -> Command:
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values()
               if p.kind is not inspect.Parameter.VAR_KEYWORD]
        # Typer reads the signature (inspect honours __signature__), not the annotations.
        setattr(command, "__signature__", inspect.Signature([*own, *option_parameters(model)]))  # noqa: B010
        return command
    return decorate


def given_options(values: dict[str, Any]) -> dict[str, Any]:
    """Return the options typed on the command line (None and empty lists: not given)."""
    return {name: tuple(value) if isinstance(value, list) else value
            for name, value in values.items() if value is not None and value != []}


@app.command("deck")
@with_options(DeckOptions)
def deck_command(
    ctx: typer.Context,
    recipe: Annotated[
        Path | None, typer.Option("--recipe", "-r", help="Build from a recipe in deck/; "
                                  "options given here override the recipe's.")
    ] = None,
    output: OutputOption = None,
    **options: Any,
) -> None:
    """Build a card deck PDF (from options or a recipe)."""
    from kaartspel.cli.commands import run_deck

    settings = _settings(ctx)
    run_deck(settings.content, given_options(options), recipe, output, settings.command_line)


@app.command("poster")
@with_options(PosterOptions)
def poster_command(
    ctx: typer.Context,
    recipe: Annotated[
        Path | None, typer.Option("--recipe", "-r", help="Build from a poster recipe; "
                                  "options given here override the recipe's.")
    ] = None,
    output: OutputOption = None,
    **options: Any,
) -> None:
    """Build the poster PDF (optionally tiled for home printers)."""
    from kaartspel.cli.commands import run_poster

    settings = _settings(ctx)
    run_poster(settings.content, given_options(options), recipe, output,
               settings.command_line)


RecipeOption = Annotated[
    Path | None, typer.Option("--recipe", "-r", help="Build from a recipe in deck/; "
                              "options given here override the recipe's.")
]


@app.command("calibrate")
@with_options(CalibrateOptions)
def calibrate_command(
    ctx: typer.Context,
    recipe: RecipeOption = None,
    output: OutputOption = None,
    **options: Any,
) -> None:
    """Write the duplex test sheet: a ruler grid on the front, crosshairs on the back."""
    from kaartspel.cli.commands import run_calibrate

    run_calibrate(_settings(ctx).content, given_options(options), recipe, output)


@app.command("box")
@with_options(BoxOptions)
def box_command(
    ctx: typer.Context,
    recipe: RecipeOption = None,
    output: OutputOption = None,
    **options: Any,
) -> None:
    """Write a printable tuck box sized to the deck (--die: the print-shop version)."""
    from kaartspel.cli.commands import run_box

    run_box(_settings(ctx).content, given_options(options), recipe, output)


@app.command("export")
@with_options(ExportOptions)
def export_command(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Output folder.")] = Path("build"),
    **options: Any,
) -> None:
    """Write screen images of the cards: PNGs and a zip (--png), 16:9 slides (--slides)."""
    from kaartspel.cli.commands import run_export

    run_export(_settings(ctx).content, given_options(options), out_dir)


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
    from kaartspel.cli.commands import preview_command as run_preview_command

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
    from kaartspel.cli.commands import watch_command as run_watch_command

    settings = BuildSettings(_settings(ctx).content, out_dir, tuple(templates or ()), strict)
    run_watch_command(settings, recipes or [], max_rebuilds, timeout)


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (another than 127.0.0.1 "
                                          "lets other computers in, with a warning).")
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the web browser.")
    ] = False,
) -> None:
    """Open the composer: a local web page to pick cards, write own questions, download."""
    from kaartspel.serve.run import serve

    def started(url: str) -> None:
        typer.echo(f"Composer at {url} (Ctrl-C to stop)")

    serve(_settings(ctx).content, host, port, open_browser, started=started)


@app.command("preflight")
def preflight_command(
    file: Annotated[Path, typer.Argument(help="The PDF to check.", show_default=False)],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full report as JSON.")
    ] = False,
    safe: Annotated[
        float, typer.Option("--safe", help="Safe area: distance of text from the trim, mm.")
    ] = SAFE_MM,
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


@app.command("check-design")
def check_design_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The deck or poster PDF to check.",
                                         show_default=False)],
    safe: Annotated[
        float, typer.Option("--safe", help="Safe area: distance of text from the trim, mm.")
    ] = 4.0,
    max_empty: Annotated[
        float, typer.Option("--max-empty", help="Largest empty share of a front's safe area.")
    ] = 0.4,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on warnings too (empty fronts, small or "
                           "thin reversed text, hyphens in a row).")
    ] = False,
) -> None:
    """Check a PDF's typography: hyphens per card kind, empty space, smallest text."""
    from kaartspel.cli.commands import run_check_design

    run_check_design(_settings(ctx).content, file, safe, max_empty, strict)


def main() -> None:
    """Run the command line (console-script entry point).

    SIGTERM (a CI job cancelled, ``kill``) unwinds like Ctrl-C: every temporary file is
    removed on the way out, and the message is one line.  Worker processes inherit this.
    """
    import signal

    signal.signal(signal.SIGTERM, raise_terminated)
    words = sys.argv[1:]
    app(args=words, obj=tuple(words))
