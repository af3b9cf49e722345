"""Build a card deck: select cards, find the deck's type size, render, impose, write."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .cards import SET_THEME, Card, build_cards, select
from .diagrams import mini_cycle, mini_ladder
from .errors import FitError, Problem, UsageError
from .model import Content, load_content
from .output import fingerprint, save_pdf
from .render import (
    measure_overflow,
    render_document,
    stylesheet,
    write_pdf,
)
from .sizes import Size, card_size, check_length, paper_size
from .style import TYPE_SCALE, TemplateSet, role_sizes

log = logging.getLogger(__name__)

LAYOUTS = ("sheet", "single")
DUPLEX = ("long", "short", "none")
BACKS = ("theme", "plain", "none")
ORDERS = ("fronts-then-backs", "interleaved")
SAFE_MM = 4.0
"""Distance from the trim to any text (cutting tolerance is up to 1.5 mm)."""


@dataclass(frozen=True)
class DeckOptions:
    """Everything that defines a deck besides the content."""

    lang: str = "nl"
    size: str = "poker"
    layout: str = "sheet"
    paper: str = "a4"
    margin: float = 5.0
    gutter: float = 0.0
    bleed: float = 3.0
    duplex: str = "long"
    backs: str = "theme"
    order: str = "fronts-then-backs"
    themes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    extra_questions: Path | None = None
    strict: bool = True
    templates: tuple[Path, ...] = ()

    def validated(self) -> DeckOptions:
        """Return self, or raise UsageError naming the first invalid option."""
        for name, value, allowed in (
            ("layout", self.layout, LAYOUTS),
            ("duplex", self.duplex, DUPLEX),
            ("backs", self.backs, BACKS),
            ("order", self.order, ORDERS),
        ):
            if value not in allowed:
                raise UsageError(f"unknown {name} '{value}' (valid: {', '.join(allowed)})")
        card_size(self.size)
        paper_size(self.paper)
        check_length("--bleed", self.bleed, 10)
        check_length("--margin", self.margin, 30)
        check_length("--gutter", self.gutter, 30)
        return self


@dataclass(frozen=True)
class Geometry:
    """The anatomy of a card in mm: trim size, bleed, safe area, band, footer."""

    card_w: float
    card_h: float
    bleed: float
    safe: float = SAFE_MM
    band: float = 11.0
    gap: float = 2.5
    foot: float = 3.0
    icon: float = 6.0
    diagram: float = 10.0

    @classmethod
    def for_card(cls, size: Size, bleed: float) -> Geometry:
        """Scale band, icon and diagram with the card's short side."""
        short = min(size.width, size.height)
        band = min(18.0, max(9.5, short * 0.17))
        return cls(size.width, size.height, bleed, band=band, icon=band * 0.52,
                   diagram=min(16.0, max(8.0, size.height * 0.12)))

    @property
    def page_w(self) -> float:
        """Page width: card plus bleed on both sides."""
        return self.card_w + 2 * self.bleed

    @property
    def page_h(self) -> float:
        """Page height: card plus bleed on both sides."""
        return self.card_h + 2 * self.bleed


@dataclass
class DeckResult:
    """What a deck build produced."""

    path: Path
    pages: int
    cards: int
    base_pt: float
    seconds: float = 0.0
    faces: list[str] = field(default_factory=list)


def back_cards(content: Content, cards: Sequence[Card], mode: str) -> dict[str, Card]:
    """Return the back face per theme used in *cards* (one shared back for ``plain``)."""
    if mode == "none":
        return {}
    meta = content.meta
    if mode == "plain":
        back = Card("back", "back", SET_THEME, meta.title, label=meta.set_title)
        return {card.theme: back for card in cards}
    backs = {}
    for card in cards:
        if card.theme not in backs:
            name = meta.title if card.theme == SET_THEME else content.theme(card.theme).name
            backs[card.theme] = Card(f"back-{card.theme}", "back", card.theme, name,
                                     label=meta.set_title)
    return backs


class CardRenderer:
    """Render card faces of one content language at one geometry."""

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True) -> None:
        self.content = content
        self.geometry = geometry
        self.templates = templates
        self.strict = strict
        self.palette = templates.palette()
        self.env = templates.environment()
        self.fonts_css = stylesheet(templates, "fonts.css")
        self._icons: dict[str, Markup] = {}

    def icon(self, theme: str) -> Markup:
        """Return the theme's icon as inline SVG in white (bands and backs are coloured)."""
        if theme not in self._icons:
            svg = self.templates.icon(theme).replace("currentColor", "#ffffff")
            self._icons[theme] = Markup(svg)
        return self._icons[theme]

    def diagram(self, card: Card) -> Markup:
        """Return the mini ladder or cycle for level and phase cards (and the reflection)."""
        colour = self.palette.colour(card.theme)
        if card.kind == "level":
            return mini_ladder(len(card.steps), card.step, colour.rgb)
        if card.theme == "cyclus" and card.steps:
            return mini_cycle(len(card.steps), card.step, colour.rgb)
        return Markup("")

    def html(self, cards: Sequence[Card], base: float) -> str:
        """Return one HTML document with a page per card, body text at *base* pt."""
        css = self.env.get_template("cards.css").render(
            g=self.geometry, s=role_sizes(base), palette=self.palette
        )
        themes = {t.id: t for t in self.content.themes}
        page = self.env.get_template("cards.html")
        parts = []
        for card in cards:
            parts.append(card)
        return page.render(
            lang=self.content.lang,
            document_title=self.content.meta.title,
            css=Markup(self.fonts_css + css),
            cards=[_Face(card, self) for card in parts],
            meta=self.content.meta,
            ui=self.content.ui,
            themes=themes,
            icons=_IconLookup(self),
        )

    def render(self, cards: Sequence[Card], base: float) -> tuple[Any, dict[str, float]]:
        """Lay out *cards* at *base* pt; return the document and overflow (mm) per card id."""
        document = render_document(self.html(cards, base), self.templates, self.strict,
                                   f"cards ({self.content.lang})")
        overflow = {cards[o.page].id: o.amount for o in measure_overflow(document)}
        if len(document.pages) != len(cards):
            raise FitError(f"{len(cards)} cards laid out on {len(document.pages)} pages")
        return document, overflow


class _IconLookup:
    """Template helper: ``icons[theme]`` → inline SVG markup."""

    def __init__(self, renderer: CardRenderer) -> None:
        self.renderer = renderer

    def __getitem__(self, theme: str) -> Markup:
        return self.renderer.icon(theme)


class _Face:
    """A card as the template sees it: its fields plus its diagram."""

    def __init__(self, card: Card, renderer: CardRenderer) -> None:
        self._card = card
        self.diagram = renderer.diagram(card)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._card, name)


def fit_deck(renderer: CardRenderer, cards: Sequence[Card]) -> tuple[float, Any]:
    """Return the largest body size at which every card fits, and the document at that size.

    Render everything at the largest step; search lower steps with only the cards that did
    not fit (fitting is monotonic in size), then render the whole deck at the size found.
    """
    steps = sorted(TYPE_SCALE, reverse=True)
    document, overflow = renderer.render(cards, steps[0])
    if not overflow:
        return steps[0], document
    failing = [card for card in cards if card.id in overflow]
    lo, hi = 1, len(steps) - 1  # candidate indices; steps[hi] is the smallest size
    found: int | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        _, over = renderer.render(failing, steps[mid])
        if over:
            lo = mid + 1
        else:
            found, hi = mid, mid - 1
    if found is None:
        _, over = renderer.render(failing, steps[-1])
        raise FitError(
            [
                Problem("", 0, f"card '{card_id}' does not fit even at {steps[-1]:g} pt: "
                        f"{amount:.1f} mm too long; shorten its text or use a larger --size")
                for card_id, amount in over.items()
            ]
        )
    for index in range(found, len(steps)):
        document, overflow = renderer.render(cards, steps[index])
        if not overflow:
            return steps[index], document
    raise FitError([Problem("", 0, f"card '{cid}' does not fit") for cid in overflow])


def deck_cards(content: Content, options: DeckOptions) -> tuple[Card, ...]:
    """Return the selected cards of the deck, custom questions included."""
    cards = build_cards(content)
    if options.extra_questions is not None:
        from .custom import add_custom_questions

        cards = add_custom_questions(content, cards, options.extra_questions)
    return select(cards, options.themes, options.kinds, options.cards)


def build_deck(content_dir: Path, options: DeckOptions, output: Path) -> DeckResult:
    """Build one deck PDF at *output*; raise a KaartspelError on any problem."""
    import pikepdf

    from .impose import impose_sheets, plan_grid, single_pages
    from .output import check_output

    started = time.perf_counter()
    options = options.validated()
    check_output(output)
    size = card_size(options.size)
    grid = None
    if options.layout == "sheet":
        grid = plan_grid(size, options.bleed, paper_size(options.paper), options.margin,
                         options.gutter)
    content = load_content(content_dir, options.lang)
    cards = deck_cards(content, options)
    backs = back_cards(content, cards, options.backs)
    faces = list(cards) + list(dict.fromkeys(backs.values()))
    geometry = Geometry.for_card(size, options.bleed)
    renderer = CardRenderer(content, geometry, TemplateSet.create(options.templates),
                            options.strict)
    base, document = fit_deck(renderer, faces)
    log.info("deck %s: %d cards, body text %.1f pt", output, len(cards), base)
    identifier = fingerprint(renderer.html(faces, base)).encode()[:32]
    pdf_bytes = write_pdf(document, identifier, options.strict, "cards")
    index = {face.id: i for i, face in enumerate(faces)}
    fronts = [index[card.id] for card in cards]
    back_pages = [index[backs[card.theme].id] if backs else None for card in cards]
    import io

    with pikepdf.open(io.BytesIO(pdf_bytes)) as source:
        if grid is not None:
            out = impose_sheets(source, fronts, back_pages, grid, options.bleed, options.duplex)
        else:
            out = single_pages(source, fronts, back_pages, options.bleed, options.order)
        pages = len(out.pages)
        save_pdf(out, output, f"{content.meta.title} — {content.meta.set_title}", options.lang)
    return DeckResult(output, pages, len(cards), base, time.perf_counter() - started,
                      [face.id for face in faces])


def default_output(options: DeckOptions) -> Path:
    """Return ``build/deck-<lang>-<size>-<layout>.pdf``."""
    return Path("build") / f"deck-{options.lang}-{options.size}-{options.layout}.pdf"


__all__ = ["DeckOptions", "DeckResult", "build_deck", "default_output", "replace"]
