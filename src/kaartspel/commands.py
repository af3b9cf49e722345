"""Library functions behind the CLI commands: option checking and output, no parsing."""

from __future__ import annotations

from pathlib import Path

import typer

from .errors import ContentError, UsageError
from .loader import languages


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
    from .model import check

    langs = resolve_languages(content_dir, lang)
    problems = check(content_dir, langs)
    if problems:
        raise ContentError(problems)
    typer.echo(f"Content OK: {', '.join(langs)}")


def run_list(content_dir: Path, lang: str) -> None:
    """Print tables of the themes and cards of one language."""
    from rich.console import Console
    from rich.table import Table

    from .cards import build_cards
    from .model import load_content

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
