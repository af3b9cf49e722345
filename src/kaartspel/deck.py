"""Build a card deck: select cards, find the deck's type size, render, impose, write."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from . import pdfx
from .cache import FaceCache
from .cards import SET_THEME, Card, build_cards, select
from .errors import UsageError
from .faces import CardRenderer, FaceStore, Geometry, fit_faces
from .fontmerge import FontMerger
from .impose import impose_sheets, plan_grid, single_pages
from .model import Content, load_content
from .output import save_pdf
from .sizes import card_size, check_length, paper_size
from .style import TemplateSet

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
    pdf: str = "plain"
    """PDF variant: plain, print (PDF/X-4, CMYK) or accessible (tagged PDF/UA-1); see pdfx."""

    def validated(self) -> DeckOptions:
        """Return self, or raise UsageError naming the first invalid option."""
        for name, value, allowed in (
            ("layout", self.layout, LAYOUTS),
            ("duplex", self.duplex, DUPLEX),
            ("backs", self.backs, BACKS),
            ("order", self.order, ORDERS),
            ("pdf", self.pdf, pdfx.VARIANTS),
        ):
            if value not in allowed:
                raise UsageError(f"unknown {name} '{value}' (valid: {', '.join(allowed)})")
        card_size(self.size)
        paper_size(self.paper)
        check_length("--bleed", self.bleed, 10)
        check_length("--margin", self.margin, 30)
        check_length("--gutter", self.gutter, 30)
        if self.extra_questions is not None and not self.extra_questions.is_file():
            raise UsageError(f"questions file not found: {self.extra_questions}")
        return self


@dataclass
class DeckResult:
    """What a deck build produced."""

    path: Path
    pages: int
    cards: int
    base_pt: float
    seconds: float = 0.0
    faces: list[str] = field(default_factory=list)
    rendered: int = 0
    """How many faces had to be laid out (0 on a fully cached build)."""


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


def deck_cards(content: Content, options: DeckOptions) -> tuple[Card, ...]:
    """Return the selected cards of the deck, custom questions included."""
    cards = build_cards(content)
    if options.extra_questions is not None:
        from .custom import add_custom_questions

        cards = add_custom_questions(content, cards, options.extra_questions)
    return select(cards, options.themes, options.kinds, options.cards)


def build_deck(
    content_dir: Path,
    options: DeckOptions,
    output: Path,
    cache: FaceCache | None = None,
    jobs: int | None = None,
) -> DeckResult:
    """Build one deck PDF at *output*; raise a KaartspelError on any problem.

    *jobs* caps the processes that render faces (None: one per CPU).
    """
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
    templates = TemplateSet.create(options.templates)
    # PDF variants (pdfx): print faces are rendered in CMYK under their own cache keys; the
    # accessible variant fits with the plain faces, then renders the fronts as one tagged PDF.
    face_variant = "print" if options.pdf == "print" else "plain"
    renderer = pdfx.card_renderer(face_variant, content, Geometry.for_card(size, options.bleed),
                                  templates, options.strict)
    store = pdfx.face_store(renderer, cache, jobs)
    base = fit_faces(store, faces)
    log.info("deck %s: %d cards, body text %g pt", output, len(cards), base)
    title = f"{content.meta.title} — {content.meta.set_title}"
    if options.pdf == "accessible":
        with pdfx.accessible_pdf(renderer, cards, base) as out:
            pages = len(out.pages)
            pdfx.finalize(out, options.pdf, options.lang, title, templates, options.strict)
            save_pdf(out, output, title, options.lang)
        return DeckResult(output, pages, len(cards), base, time.perf_counter() - started,
                          [card.id for card in cards], store.rendered)
    source = assemble(store, faces, base)
    index = {face.id: i for i, face in enumerate(faces)}
    fronts = [index[card.id] for card in cards]
    back_pages = [index[backs[card.theme].id] if backs else None for card in cards]
    with source:
        if grid is not None:
            out = impose_sheets(source, fronts, back_pages, grid, options.bleed, options.duplex,
                                cmyk=options.pdf == "print")
        else:
            out = single_pages(source, fronts, back_pages, options.bleed, options.order)
        FontMerger(font_files(templates), store.cache).merge(out)
        pages = len(out.pages)
        pdfx.finalize(out, options.pdf, options.lang, title, templates, options.strict)
        save_pdf(out, output, title, options.lang)
    return DeckResult(output, pages, len(cards), base, time.perf_counter() - started,
                      [face.id for face in faces], store.rendered)


def assemble(store: FaceStore, faces: Sequence[Card], base: float) -> pikepdf.Pdf:
    """Return one PDF with a page per face, in order, from the rendered one-page PDFs."""
    source = pikepdf.Pdf.new()
    for face in faces:
        with pikepdf.open(io.BytesIO(store.pdf(face, base))) as single:
            source.pages.append(single.pages[0])
    return source


def font_files(templates: TemplateSet) -> list[Path]:
    """Return the font files on the template search path (the originals of every subset)."""
    return [
        path for folder in templates.folders for path in sorted((folder / "fonts").glob("*"))
        if path.suffix.lower() in (".ttf", ".otf")
    ]


def default_output(options: DeckOptions) -> Path:
    """Return ``build/deck-<lang>-<size>-<layout>.pdf`` (``…-<pdf>.pdf`` for a PDF variant)."""
    variant = "" if options.pdf == "plain" else f"-{options.pdf}"
    return Path("build") / f"deck-{options.lang}-{options.size}-{options.layout}{variant}.pdf"


__all__ = ["CardRenderer", "DeckOptions", "DeckResult", "Geometry", "build_deck", "default_output"]
