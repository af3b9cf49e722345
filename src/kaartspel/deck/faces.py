"""Card faces: HTML from templates, rendering in cached batches, and the deck's type size.

A face is rendered at most once per key (see :mod:`kaartspel.cache`): stale faces are laid
out in batches — one WeasyPrint document per batch, so its fixed costs are paid once — spread
over worker processes when there are many, and each page is stored as a one-page PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from kaartspel.content.model import Content
from kaartspel.deck.cards import Card
from kaartspel.deck.diagrams import mini_cycle, mini_ladder
from kaartspel.errors import template_error
from kaartspel.render.document import TemplateRenderer
from kaartspel.render.face_batch import Measure, lay_out
from kaartspel.render.stamps import placeholder
from kaartspel.render.templates import RATIO, SMALL_CARD_RATIO, TemplateSet, role_sizes
from kaartspel.units import SAFE_MM, Size

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)



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

    ratio: float = RATIO
    """Step of the type scale between text roles."""

    @classmethod
    def for_card(cls, size: Size, bleed: float) -> Geometry:
        """Scale the band and icon with the card's short side; small cards get a tighter
        type scale and a slimmer band so that a question pair still fits."""
        short = min(size.width, size.height)
        band = min(18.0, max(7.5, short * 0.17))
        ratio = SMALL_CARD_RATIO if short < 55 else RATIO
        return cls(size.width, size.height, bleed, band=band, icon=min(band * 0.52, 6.5),
                   ratio=ratio)

    @property
    def page_w(self) -> float:
        """Page width: card plus bleed on both sides."""
        return self.card_w + 2 * self.bleed

    @property
    def page_h(self) -> float:
        """Page height: card plus bleed on both sides."""
        return self.card_h + 2 * self.bleed


class CardRenderer(TemplateRenderer):
    """Render card faces of one content language at one geometry."""

    content: Content
    geometry: Geometry

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True) -> None:
        super().__init__(content, geometry, templates, strict)
        self._icons: dict[str, Markup] = {}
        self.current: Card | None = None
        """The card the templates render now (named by a template error)."""

    stamp_icons = True
    """Lay icons out as placeholders and draw each once as a shared form (see stamps)."""

    def icon(self, theme: str) -> Markup:
        """Return the markup of the theme's icon: a stamp placeholder, or inline SVG."""
        return placeholder(theme) if self.stamp_icons else self.icon_svg(theme)

    def icon_svg(self, theme: str) -> Markup:
        """Return the theme's icon as inline SVG in white (bands and backs are coloured)."""
        if theme not in self._icons:
            svg = self.templates.icon(theme, self.strict).replace("currentColor", "#ffffff")
            self._icons[theme] = Markup(svg)
        return self._icons[theme]

    def qr(self, url: str) -> Markup:
        """Return the QR code of *url* in ink (CMYK black in print faces)."""
        from kaartspel.pdf.variants import css_colour
        from kaartspel.render.qr import qr_svg

        variant = str(getattr(self, "variant", "plain"))  # set by the PDF variants' renderer
        ink = css_colour(self.palette.ink, self.palette.ink_cmyk, variant)
        return qr_svg(url, ink, self.content.ui.qr_label)

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
            g=self.geometry, s=role_sizes(base, self.geometry.ratio), palette=self.palette
        )
        themes = {t.id: t for t in self.content.themes}
        page = self.env.get_template("cards.html")
        faces = [_Face(card, self) for card in cards]
        self.current = None
        try:
            return page.render(
                lang=self.content.lang,
                document_title=self.content.meta.title,
                css=Markup(self.fonts_css + css),
                cards=faces,
                meta=self.content.meta,
                ui=self.content.ui,
                themes=themes,
                icons=_IconLookup(self),
                qr=self.qr,
            )
        except (jinja2.TemplateError, RecursionError) as exc:  # a --templates override
            card = self.current
            raise template_error(exc, card.id if card is not None else None) from exc

    def render(self, cards: Sequence[Card], base: float) -> tuple[Any, dict[str, Measure]]:
        """Lay out *cards* at *base* pt; return the document and each card's measure."""
        return lay_out(self.html(cards, base), tuple(card.id for card in cards),
                       self.templates, self.strict, f"cards ({self.content.lang})")


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
        self._renderer = renderer
        self.diagram = renderer.diagram(card)

    def __getattr__(self, name: str) -> Any:
        # The card the template reads last is the one it renders: an error names it.
        self._renderer.current = self._card
        return getattr(self._card, name)
