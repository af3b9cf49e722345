"""Recipes: YAML files in ``deck/`` that name everything one output needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictStr

from kaartspel.content.loader import SourceMap, read_yaml, validate_model
from kaartspel.content.schema import Id, Model
from kaartspel.deck.assemble import DeckOptions
from kaartspel.errors import ContentError, Problem, UsageError

Length = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Selection(Model):
    """Which cards a deck holds; empty lists select everything."""

    themes: tuple[Id, ...] = ()
    """Theme ids, e.g. ``[netwerkvorming]``; a theme brings its intro and question cards."""
    kinds: tuple[Id, ...] = ()
    """Card kinds: title, howto, intro, theme, level, phase, question, tip, credits."""
    cards: tuple[StrictStr, ...] = ()
    """Card ids, e.g. ``[netwerkvorming-2]``."""


class DeckRecipe(Model):
    """A card deck."""

    type: Literal["deck"]
    """What to build: ``deck``."""
    description: str = ""
    """One line for people: what the deck is for."""
    lang: Id = "nl"
    """Content language (a folder under ``content/``)."""
    output: StrictStr
    """File name of the PDF, written to the output folder (``build/``)."""
    size: StrictStr = "poker"
    """Card size: poker, bridge, tarot, mini, square, a6, a7, or WxH in mm."""
    layout: Literal["sheet", "single"] = "sheet"
    """``sheet``: N-up with crop marks for office printers; ``single``: one card per page."""
    paper: Literal["a4", "a3", "letter"] = "a4"
    """Sheet paper (sheet layout)."""
    margin: Length = 5.0
    """Printer's unprintable margin in mm (sheet layout)."""
    gutter: Length = 0.0
    """Space between cards' bleeds in mm (sheet layout)."""
    bleed: Length = 3.0
    """Bleed around each card in mm."""
    duplex: Literal["long", "short", "none"] = "long"
    """How the printer flips the paper for backs (sheet layout)."""
    backs: Literal["theme", "plain", "none"] = "theme"
    """Card backs: per theme, one plain back, or none."""
    order: Literal["fronts-then-backs", "interleaved"] = "fronts-then-backs"
    """Page order in single layout."""
    select: Selection = Selection()
    """Which cards to include."""
    extra_questions: StrictStr | None = None
    """A YAML file of the organiser's own question pairs (path relative to the recipe)."""
    pdf: Literal["plain", "print", "accessible"] = "plain"
    """PDF variant: plain RGB, print (PDF/X-4 in CMYK) or accessible (tagged PDF/UA-1)."""


class PosterRecipe(Model):
    """A poster."""

    type: Literal["poster"]
    """What to build: ``poster``."""
    description: str = ""
    """One line for people: what the poster is for."""
    lang: Id = "nl"
    """Content language."""
    output: StrictStr
    """File name of the PDF, written to the output folder (``build/``)."""
    size: Literal["a0", "a1", "a2", "a3", "a4"] = "a1"
    """Poster size."""
    orientation: Literal["portrait", "landscape"] = "portrait"
    """Poster orientation."""
    bleed: Length = 0.0
    """Bleed in mm; more than 0 adds crop marks."""
    tile: Literal["a4", "a3"] | None = None
    """Split the poster over sheets of this paper for home printing."""
    overlap: Length = 10.0
    """Overlap of tiles in mm."""


@dataclass(frozen=True)
class Recipe:
    """A loaded recipe: where it came from and the options for its builder."""

    path: Path
    name: str
    kind: str
    output: str
    options: object
    """DeckOptions or PosterOptions."""


def load_recipe(path: Path, content_dir: Path | None = None) -> Recipe:
    """Load and validate a recipe file; raise ContentError pointing into it."""
    if not path.is_file():
        raise UsageError(f"recipe not found: {path}")
    data, sources = read_yaml(path)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in ("deck", "poster"):
        raise ContentError([sources.problem(("type",), "type: expected 'deck' or 'poster'"
                                            f", got {kind!r}")])
    model: DeckRecipe | PosterRecipe | None
    if kind == "deck":
        model, problems = validate_model(DeckRecipe, data, sources)
    else:
        model, problems = validate_model(PosterRecipe, data, sources)
    if model is None:
        raise ContentError(problems)
    problems.extend(_check_values(model, sources, path, content_dir))
    if problems:
        raise ContentError(problems)
    options: object
    if isinstance(model, DeckRecipe):
        extra = None
        if model.extra_questions:
            extra = (path.parent / model.extra_questions)
        options = DeckOptions(
            lang=model.lang, size=model.size, layout=model.layout, paper=model.paper,
            margin=model.margin, gutter=model.gutter, bleed=model.bleed, duplex=model.duplex,
            backs=model.backs, order=model.order, themes=model.select.themes,
            kinds=model.select.kinds, cards=model.select.cards, extra_questions=extra,
            pdf=model.pdf,
        )
    else:
        from kaartspel.poster.assemble import PosterOptions

        options = PosterOptions(
            lang=model.lang, size=model.size, orientation=model.orientation,
            bleed=model.bleed, tile=model.tile, overlap=model.overlap,
        )
    return Recipe(path, path.stem, kind, model.output, options)


def _check_values(
    model: DeckRecipe | PosterRecipe, sources: SourceMap, path: Path, content_dir: Path | None
) -> list[Problem]:
    """Check what the schema cannot: sizes, languages, files, lengths."""
    from kaartspel.content.lint import bad_character
    from kaartspel.content.loader import languages
    from kaartspel.units import card_size

    problems = []
    if isinstance(model, DeckRecipe):
        try:
            card_size(model.size)
        except UsageError as exc:
            problems.append(sources.problem(("size",), f"size: {exc}"))
        if model.extra_questions and not (path.parent / model.extra_questions).is_file():
            problems.append(sources.problem(
                ("extra_questions",),
                f"extra_questions: file not found: {path.parent / model.extra_questions}"))
    limits = {"bleed": 10, "margin": 30, "gutter": 30, "overlap": 50}
    for name, limit in limits.items():
        value = getattr(model, name, None)
        if value is not None and value > limit:
            problems.append(sources.problem((name,), f"{name}: expected at most {limit} mm, "
                                                     f"got {value:g}"))
    if ("/" in model.output or "\\" in model.output or not model.output.endswith(".pdf")
            or bad_character(model.output)):
        problems.append(sources.problem(
            ("output",), f"output: expected a file name ending in .pdf, got {model.output!r}"))
    if content_dir is not None and content_dir.is_dir():
        langs = languages(content_dir)
        if model.lang not in langs:
            problems.append(sources.problem(
                ("lang",),
                f"lang: unknown language '{model.lang}' (available: {', '.join(langs)})"))
        elif isinstance(model, DeckRecipe):
            problems.extend(_check_selection(model, sources, content_dir))
    return problems


def _check_selection(model: DeckRecipe, sources: SourceMap, content_dir: Path) -> list[Problem]:
    """Check that the selected themes, kinds and cards exist (the content must be valid)."""
    from kaartspel.content.model import load_content
    from kaartspel.deck.cards import KINDS, build_cards

    try:
        cards = build_cards(load_content(content_dir, model.lang))
    except ContentError:
        return []  # reported by `kaartspel check` and by the build itself
    valid = {
        "themes": list(dict.fromkeys(card.theme for card in cards)),
        "kinds": list(KINDS),
        "cards": [card.id for card in cards],
    }
    problems = []
    for field_name, allowed in valid.items():
        for i, value in enumerate(getattr(model.select, field_name)):
            # Cards added by extra_questions exist only once that file is read.
            if value not in allowed and not (field_name == "cards" and model.extra_questions):
                problems.append(sources.problem(
                    ("select", field_name, i),
                    f"select.{field_name}: unknown {field_name[:-1]} '{value}' "
                    f"(valid: {', '.join(allowed)})"))
    return problems
