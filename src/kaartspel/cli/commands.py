"""Library functions behind the CLI commands: option checking and output, no parsing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kaartspel.build.located_errors import reported_errors
from kaartspel.content.loader import languages
from kaartspel.errors import (
    ContentError,
    UsageError,
    display_path,
    signals_deferred,
)
from kaartspel.options import (
    DeckOptions,
    Options,
    PosterOptions,
    default_deck_output,
    default_poster_output,
    merge,
    name_parts,
)

if TYPE_CHECKING:
    from kaartspel.build.plan import BuildSettings


def import_native() -> None:
    """Import the libraries whose native modules cannot take an interruption."""
    with signals_deferred():
        import pikepdf  # noqa: F401


def resolve_languages(content_dir: Path, lang: str) -> list[str]:
    """Return the languages named by *lang* ('all' or one code); usage error if unknown."""
    available = languages(content_dir)
    if lang == "all":
        if not available:
            raise UsageError(f"no languages found in {content_dir}")
        return available
    if lang not in available:
        raise UsageError(f"unknown language '{lang}' (available: {', '.join(available)})")
    return [lang]


def run_check(content_dir: Path, lang: str) -> None:
    """Validate content; print a summary or raise ContentError with every problem."""
    from kaartspel.content.load import check

    langs = resolve_languages(content_dir, lang)
    problems = check(content_dir, langs)
    if problems:
        raise ContentError(problems)
    typer.echo(f"Content OK: {', '.join(langs)}")


def run_list(content_dir: Path, lang: str) -> None:
    """Print tables of the themes and cards of one language."""
    from rich.console import Console
    from rich.table import Table

    from kaartspel.content.load import load_content
    from kaartspel.deck.cards import build_cards

    resolve_languages(content_dir, lang)
    content = load_content(content_dir, lang)
    cards = build_cards(content)
    console = Console()
    themes = Table(title=f"Themes ({lang})")
    for column in ("id", "title", "cards"):
        themes.add_column(column)
    for theme in content.themes:
        count = sum(1 for card in cards if card.theme == theme.id)
        themes.add_row(theme.id, theme.title, str(count))
    console.print(themes)
    table = Table(title=f"Cards ({lang}): {len(cards)}")
    for column in ("#", "id", "kind", "theme", "title"):
        table.add_column(column)
    for card in cards:
        table.add_row(str(card.number), card.id, card.kind, card.theme, card.title)
    console.print(table)


def resolve_options(model: type[Options], given: dict[str, Any], recipe_path: Path | None,
                    kind: str, content_dir: Path) -> tuple[Any, Path | None]:
    """Return the options of a command and the output its recipe names, if any.

    A flag given on the command line overrides the recipe's value; what neither gives is
    the model's default.  An output named by a recipe but built with other options gets
    those options in its name (``kaartspel-nl-en-a6-single.pdf``), so it never replaces
    the recipe's own output.
    """
    if recipe_path is None:
        return merge(model, given), None
    from kaartspel.build.recipes import load_recipe

    recipe = load_recipe(recipe_path, content_dir, part=kind)
    if recipe.kind != kind:
        raise UsageError(f"{recipe_path} is a {recipe.kind} recipe; use 'kaartspel {recipe.kind}'")
    options = merge(model, recipe.given, given)
    output = Path("build") / recipe.output
    parts = name_parts(options, recipe.options)
    if parts:
        output = output.with_name("-".join([output.stem, *parts]) + output.suffix)
    return options, output


def _options_and_output(model: type[Options], kind: str, default_output: Callable[[Any], Path],
                        content_dir: Path, given: dict[str, Any], recipe: Path | None,
                        output: Path | None) -> tuple[Any, Path]:
    """Return a command's options (see :func:`resolve_options`) and its output: *output*
    (``-o``), else the one the recipe names, else *default_output* of the options.

    The default build folder is created for it.
    """
    options, recipe_output = resolve_options(model, given, recipe, kind, content_dir)
    output = output or recipe_output or default_output(options)
    _ensure_build_dir(output)
    return options, output


class _Fresh:
    """Whether the output of ``deck`` or ``poster`` is up to date, and its record once written.

    Two records: the hash of the output's inputs (:mod:`kaartspel.build.fresh_outputs`), and
    what the command line that asked read (:mod:`kaartspel.build.repeated_command`), so that
    the same words again are answered before the command line even loads.
    """

    def __init__(self, kind: str, options: DeckOptions | PosterOptions, output: Path,
                 content_dir: Path, recipe: Path | None,
                 command_line: Sequence[str] | None) -> None:
        from kaartspel.build.fresh_outputs import FreshOutputs
        from kaartspel.build.repeated_command import Remembered
        from kaartspel.cache import DEFAULT_CACHE_DIR

        self.output = output
        self.outputs = FreshOutputs(DEFAULT_CACHE_DIR, content_dir)
        self.inputs = self.outputs.inputs(kind, options, output)
        self.repeat = Remembered(command_line, self.outputs.read_paths(options, recipe))

    def up_to_date(self) -> bool:
        """Return whether the output is up to date; if it is, say so and remember the command."""
        if not self.outputs.is_fresh(self.output, self.inputs):
            return False
        self.repeat.done(self.output)
        typer.echo(f"Up to date: {self.output} (nothing it is made from changed)")
        return True

    def written(self) -> None:
        """Record the output as just written, in both records."""
        self.outputs.record(self.output, self.inputs)
        self.repeat.done(self.output)


def _ensure_build_dir(output: Path) -> None:
    """Create the default build folder (only that one: a user's -o folder must exist)."""
    if output.parent == Path("build"):
        # A file or a broken link in the way is named by check_output.
        with contextlib.suppress(OSError):
            output.parent.mkdir(exist_ok=True)


def check_output_for(output: Path, content_dir: Path, options: Any,
                     recipe: Path | None) -> None:
    """Refuse an output that is not a new file or a PDF, or that is an input of the build.

    Checked before anything is rendered: ``-o content/nl/meta.yaml`` would otherwise
    replace a source file with a PDF.  The same date check runs here too, so that a bad
    ``SOURCE_DATE_EPOCH`` fails at once rather than after the rendering.
    """
    from kaartspel.files import check_output
    from kaartspel.pdf.save import build_date
    from kaartspel.render.templates import PACKAGE_TEMPLATES

    inputs = [content_dir, *options.templates, PACKAGE_TEMPLATES]
    inputs += [path for path in (recipe, getattr(options, "extra_questions", None)) if path]
    check_output(output, inputs)
    build_date()


def run_deck(content_dir: Path, given: dict[str, Any], recipe: Path | None,
             output: Path | None, command_line: Sequence[str] | None = None) -> None:
    """Build a deck from the options given, over a recipe's, and report what was written.

    The *command_line* that asked (if any) is remembered with what it read, so that the
    same words again are answered before the command line even loads.
    """
    from kaartspel.cache import DEFAULT_CACHE_DIR
    from kaartspel.deck.workers import RenderHelper, take_early

    # Started first (by the console script, even before the CLI loaded): WeasyPrint loads
    # in the helper while the recipe and content load here.
    helper = take_early()
    try:
        options, output = _options_and_output(DeckOptions, "deck", default_deck_output,
                                              content_dir, given, recipe, output)
        check_output_for(output, content_dir, options, recipe)
        fresh = _Fresh("deck", options, output, content_dir, recipe, command_line)
        if fresh.up_to_date():
            return
        import_native()
        from kaartspel.deck.assemble import build_deck

        helper = helper or RenderHelper.start()
        with reported_errors(content_dir, options):
            result = build_deck(content_dir, options, output, helper=helper)
        # The output is written: a signal now would only stop the bookkeeping (and say
        # that nothing was written), so it is let go.
        with signals_deferred(deliver=False):
            fresh.written()
            if helper is not None:
                helper.close()
                helper = None
    finally:
        if helper is not None and helper.close():
            # Ended while rendering (Ctrl-C): what it was writing to the cache is swept.
            from kaartspel.files import sweep_tree

            sweep_tree(DEFAULT_CACHE_DIR)
    typer.echo(
        f"Wrote {result.path}: {result.cards} cards on {result.pages} pages, "
        f"body text {_size_range(result.sizes)} ({result.seconds:.1f} s)"
    )


def _size_range(sizes: dict[str, float]) -> str:
    """Return the body sizes of a deck's card kinds, as '9 pt' or '8.5–11.5 pt by kind'."""
    low, high = min(sizes.values()), max(sizes.values())
    return f"{low:g} pt" if low == high else f"{low:g}–{high:g} pt by card kind"


def run_poster(content_dir: Path, given: dict[str, Any], recipe: Path | None,
               output: Path | None, command_line: Sequence[str] | None = None) -> None:
    """Build a poster from the options given, over a recipe's, and report what was written
    (*command_line* as for :func:`run_deck`)."""
    from kaartspel.cache import DEFAULT_CACHE_DIR

    options, output = _options_and_output(PosterOptions, "poster", default_poster_output,
                                          content_dir, given, recipe, output)
    check_output_for(output, content_dir, options, recipe)
    fresh = _Fresh("poster", options, output, content_dir, recipe, command_line)
    if fresh.up_to_date():
        return
    import_native()
    from kaartspel.poster.assemble import build_poster
    from kaartspel.render.hyphenation import configure

    configure(DEFAULT_CACHE_DIR)  # as `kaartspel deck` keeps its faces there
    with reported_errors(content_dir, options):
        result = build_poster(content_dir, options, output)
    with signals_deferred(deliver=False):  # written: see run_deck
        fresh.written()
    typer.echo(f"Wrote {result.path}: {result.pages} page(s) ({result.seconds:.1f} s)")


def run_calibrate(content_dir: Path, given: dict[str, Any], recipe: Path | None,
                  output: Path | None) -> None:
    """Write the duplex test sheet and say where it is."""
    from kaartspel.kit.calibrate import build_calibration
    from kaartspel.options import CalibrateOptions, default_calibration_output

    options, output = _options_and_output(CalibrateOptions, "calibrate",
                                          default_calibration_output, content_dir, given,
                                          recipe, output)
    with reported_errors(content_dir, options):
        result = build_calibration(content_dir, options, output)
    typer.echo(f"Wrote {result.path}: the duplex test sheet, {result.pages} pages "
               f"({result.seconds:.1f} s); print it double-sided at actual size")


def run_box(content_dir: Path, given: dict[str, Any], recipe: Path | None,
            output: Path | None) -> None:
    """Write the tuck box and say what it holds."""
    from kaartspel.kit.box import build_box
    from kaartspel.options import BoxOptions, default_box_output

    options, output = _options_and_output(BoxOptions, "box", default_box_output, content_dir,
                                          given, recipe, output)
    with reported_errors(content_dir, options):
        result = build_box(content_dir, options, output)
    box = result.box
    typer.echo(f"Wrote {result.path}: a tuck box for {box.cards} cards of "
               f"{box.card.width:g}×{box.card.height:g} mm, inside {box.inner_w:g}×"
               f"{box.inner_h:g}×{box.depth:.1f} mm, on {result.paper} ({result.seconds:.1f} s)")


def run_export(content_dir: Path, given: dict[str, Any], out_dir: Path) -> None:
    """Write the screen images of a deck's cards and say where they are."""
    from kaartspel.kit.export import export_deck
    from kaartspel.options import ExportOptions

    options = merge(ExportOptions, given)
    if not (options.png or options.slides):
        raise UsageError("say what to export: --png (one image per card and a zip), "
                         "--slides (a 16:9 PDF), or both")
    if out_dir == Path("build"):
        out_dir.mkdir(exist_ok=True)
    with reported_errors(content_dir, options.deck()):
        result = export_deck(content_dir, options, out_dir)
    if result.zip is not None and result.folder is not None:
        typer.echo(f"Wrote {len(result.pngs)} PNGs to {display_path(result.folder)} and "
                   f"{display_path(result.zip)}")
    if result.slides is not None:
        typer.echo(f"Wrote {display_path(result.slides)}: {result.cards} slides (16:9)")


def run_preflight(path: Path, as_json: bool, safe_mm: float, min_text_pt: float,
                  min_dpi: float, require_cmyk: bool | None) -> None:
    """Preflight a PDF: a short report (exit 0), or one error line per failure (exit 1).

    With *as_json* the full report is printed either way; failures still exit 1.
    """
    import_native()
    from kaartspel.pdf.preflight import PreflightError, preflight

    report = preflight(path, safe_mm, min_text_pt, min_dpi, require_cmyk)
    if as_json:
        typer.echo(report.to_json())
        if not report.ok:
            raise typer.Exit(PreflightError.exit_code)
        return
    if not report.ok:
        raise PreflightError(report.failures)
    typer.echo("Preflight OK: " + report.summary()[0])
    for line in report.summary()[1:]:
        typer.echo(line)


def preview_command(target: Path, settings: BuildSettings, dpi: float, out: Path | None) -> None:
    """``kaartspel preview``: write the PNGs and say where they are."""
    import_native()
    from kaartspel.build.preview import preview
    from kaartspel.cli.report import PlainReporter

    result = preview(target, settings, dpi, out, PlainReporter(typer.echo))
    parts = [f"{len(result.pages)} page PNG(s)"]
    if result.cards:
        parts.append(f"{len(result.cards)} card PNG(s)")
    if result.contact is not None:
        parts.append("a contact sheet")
    typer.echo(f"Wrote {', '.join(parts)} to {display_path(result.folder)} "
               f"({result.seconds:.1f} s)")


def watch_command(settings: BuildSettings, names: Sequence[Path], max_rebuilds: int | None,
                  timeout: float | None) -> None:
    """``kaartspel watch``: errors go to stderr, Ctrl-C exits with 130."""
    from kaartspel.build.watch import run_watch
    from kaartspel.errors import EXIT_INTERRUPTED

    def err(line: str) -> None:
        typer.echo(line, err=True)

    try:
        run_watch(settings, names, typer.echo, err, max_rebuilds, timeout)
    except KeyboardInterrupt:
        typer.echo("Stopped watching.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def run_check_design(content_dir: Path, path: Path, safe_mm: float, max_empty: float,
                     strict: bool) -> None:
    """Check a PDF's typography: the per-kind table, warnings, one error line per failure.

    Words the content spells with a hyphen (every language under *content_dir*, if there is
    one) may break at it; any other hyphen in a question, heading, title, label or tip fails.
    """
    from kaartspel.pdf.typecheck import DesignError, check_design, content_hyphenated_words

    words: set[str] = set()
    if content_dir.is_dir():
        words = content_hyphenated_words(_content_texts(content_dir))
    report = check_design(path, safe_mm, words, max_empty)
    typer.echo(report.table())
    warnings = report.warnings()
    for line in warnings:
        typer.echo(f"Warning: {line}", err=True)
    failures = report.failures() + (warnings if strict else [])
    if failures:
        raise DesignError(failures)
    typer.echo(f"Design check OK: {len(report.faces)} faces")


def _content_texts(content_dir: Path) -> list[str]:
    """Return every text of every language of the content (for its hyphenated words)."""
    from kaartspel.content.load import load_content
    from kaartspel.content.loader import languages

    texts: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    for lang in languages(content_dir):
        collect(load_content(content_dir, lang).data.model_dump())
    return texts
