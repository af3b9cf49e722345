"""Library functions behind the CLI commands: option checking and output, no parsing."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import typer

from kaartspel.content.loader import languages
from kaartspel.errors import (
    ContentError,
    FitError,
    KaartspelError,
    Problem,
    RenderError,
    UsageError,
    display_path,
    template_error,
)


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
    from kaartspel.content.model import check

    langs = resolve_languages(content_dir, lang)
    problems = check(content_dir, langs)
    if problems:
        raise ContentError(problems)
    typer.echo(f"Content OK: {', '.join(langs)}")


def run_list(content_dir: Path, lang: str) -> None:
    """Print tables of the themes and cards of one language."""
    from rich.console import Console
    from rich.table import Table

    from kaartspel.content.model import load_content
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


def _recipe_options(recipe_path: Path, kind: str, content_dir: Path) -> tuple[object, Path]:
    """Load a recipe of *kind*; return its options and default output path."""
    from kaartspel.build.recipes import load_recipe

    recipe = load_recipe(recipe_path, content_dir)
    if recipe.kind != kind:
        raise UsageError(f"{recipe_path} is a {recipe.kind} recipe; use 'kaartspel {recipe.kind}'")
    return recipe.options, Path("build") / recipe.output


def _ensure_build_dir(output: Path) -> None:
    """Create the default build folder (only that one: a user's -o folder must exist)."""
    if output.parent == Path("build"):
        output.parent.mkdir(exist_ok=True)


_FIT_CARD = re.compile(r"^card '([^']+)'")
_FIT_SECTION = re.compile(r"^poster section '([^']+)'")


def locate_fit_error(exc: FitError, content_dir: Path, options: Any) -> FitError:
    """Return *exc* with each unlocated problem pointed at the file and line of its text.

    The fit search knows cards (``card 'netwerkvorming-2' does not fit …``) and poster
    sections (``poster section 'rollen' …``), not files; the text a person has to shorten
    is found here, in the content or in the organiser's questions file.
    """
    from kaartspel.content.loader import locate_text, read_yaml
    from kaartspel.content.model import load_content
    from kaartspel.deck.cards import build_cards

    try:
        content = load_content(content_dir, options.lang)
    except KaartspelError:
        return exc
    texts = [(content.data, content.sources)]
    extra = getattr(options, "extra_questions", None)
    if extra is not None:
        with contextlib.suppress(KaartspelError):
            texts.append(read_yaml(extra))
    cards = {card.id: card for card in build_cards(content)}
    problems = []
    for problem in exc.problems:
        found = None
        card_match, section_match = _FIT_CARD.match(problem.message), \
            _FIT_SECTION.match(problem.message)
        if problem.path:
            pass
        elif card_match:
            card = cards.get(card_match[1])
            candidates = [card.group, *card.paragraphs, *card.items, *card.notes, card.title] \
                if card else []
            if card is None:  # an organiser's own question: find its id
                candidates = [card_match[1]]
            for text in filter(None, candidates):
                for data, sources in texts:
                    found = found or locate_text(data, sources, text)
        elif section_match:
            parts = section_match[1].split(".")
            if parts[0] == "essentials" and len(parts) == 2:
                parts.insert(1, "themes")
            found = content.sources.locate(parts)
        problems.append(
            Problem(found.path, found.line, problem.message) if found and found.path else problem
        )
    return FitError(problems)


TEMPLATE_SUFFIXES = (".html", ".css", ".svg", ".yaml", ".yml")


def undecodable_template(folders: Any, exc: UnicodeDecodeError) -> KaartspelError:
    """Return an error naming the file and line of the template that is not UTF-8 text."""
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            raw = path.read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                line = raw[: bad.start].count(b"\n") + 1
                return RenderError(f"{display_path(path)}:{line}: not UTF-8 text "
                                   f"(byte 0x{raw[bad.start]:02x}); save the file as UTF-8")
    return RenderError(f"a template is not UTF-8 text ({exc.reason}); save it as UTF-8")


@contextlib.contextmanager
def reported_errors(content_dir: Path, options: Any) -> Iterator[None]:
    """Turn what a deck or poster build can raise into located, one-line errors."""
    try:
        yield
    except FitError as exc:
        raise locate_fit_error(exc, content_dir, options) from exc
    except jinja2.TemplateError as exc:  # a broken --templates override
        raise template_error(exc) from exc
    except UnicodeDecodeError as exc:  # the content is checked: a template override
        raise undecodable_template(options.templates, exc) from exc


def run_deck(content_dir: Path, options: Any, recipe: Path | None, output: Path | None) -> None:
    """Build a deck from options or a recipe and report what was written."""
    from dataclasses import replace

    from kaartspel.deck.workers import RenderHelper, take_early

    # Started first (by the console script, even before the CLI loaded): WeasyPrint loads
    # in the helper while the recipe and content load here.
    helper = take_early() or RenderHelper.start()
    try:
        from kaartspel.deck.assemble import build_deck, default_output

        if recipe is not None:
            recipe_options, recipe_output = _recipe_options(recipe, "deck", content_dir)
            # Command-line switches that only a CLI has (templates, strictness) still apply.
            options = replace(recipe_options, strict=options.strict, templates=options.templates)  # type: ignore[type-var]
            output = output or recipe_output
        output = output or default_output(options)
        _ensure_build_dir(output)
        with reported_errors(content_dir, options):
            result = build_deck(content_dir, options, output, helper=helper)
    finally:
        if helper is not None:
            helper.close()
    typer.echo(
        f"Wrote {result.path}: {result.cards} cards on {result.pages} pages, "
        f"body text {result.base_pt:g} pt ({result.seconds:.1f} s)"
    )


def run_poster(content_dir: Path, options: Any, recipe: Path | None, output: Path | None) -> None:
    """Build a poster from options or a recipe and report what was written."""
    from dataclasses import replace

    from kaartspel.cache import DEFAULT_CACHE_DIR
    from kaartspel.poster.assemble import build_poster, default_poster_output
    from kaartspel.render.hyphenation import configure

    configure(DEFAULT_CACHE_DIR)  # as `kaartspel deck` keeps its faces there

    if recipe is not None:
        recipe_options, recipe_output = _recipe_options(recipe, "poster", content_dir)
        options = replace(recipe_options, strict=options.strict, templates=options.templates,  # type: ignore[type-var]
                          margin=options.margin)
        output = output or recipe_output
    output = output or default_poster_output(options)
    _ensure_build_dir(output)
    with reported_errors(content_dir, options):
        result = build_poster(content_dir, options, output)
    typer.echo(f"Wrote {result.path}: {result.pages} page(s) ({result.seconds:.1f} s)")


def run_deck_pdf(content_dir: Path, options: Any, recipe: Path | None, output: Path | None,
                 pdf: str | None) -> None:
    """Like :func:`run_deck`, with ``--pdf`` applied to a recipe's options as well.

    A variant other than plain built from a recipe goes to ``<recipe output>-<variant>.pdf``
    unless ``-o`` names the file.
    """
    from dataclasses import replace

    if recipe is not None and pdf is not None:
        recipe_options, recipe_output = _recipe_options(recipe, "deck", content_dir)
        options = replace(recipe_options, strict=options.strict,  # type: ignore[type-var]
                          templates=options.templates, pdf=pdf)
        if output is None:
            output = recipe_output
            if pdf != "plain":
                output = output.with_name(f"{output.stem}-{pdf}{output.suffix}")
        recipe = None
    run_deck(content_dir, options, recipe, output)


def run_preflight(path: Path, as_json: bool, safe_mm: float, min_text_pt: float,
                  min_dpi: float, require_cmyk: bool | None) -> None:
    """Preflight a PDF: a short report (exit 0), or one error line per failure (exit 1).

    With *as_json* the full report is printed either way; failures still exit 1.
    """
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
