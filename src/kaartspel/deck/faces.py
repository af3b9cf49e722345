"""Card faces: HTML from templates, rendering in cached batches, and the deck's type size.

A face is rendered at most once per key (see :mod:`kaartspel.cache`): stale faces are laid
out in batches — one WeasyPrint document per batch, so its fixed costs are paid once — spread
over worker processes when there are many, and each page is stored as a one-page PDF.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
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
from kaartspel.render.templates import (
    RATIO,
    REVERSED_MIN_PT,
    SMALL_CARD_RATIO,
    TemplateSet,
    role_sizes,
    type_scale,
)
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
    def narrow(self) -> bool:
        """Whether the card is narrow (mini): labels are set in lower case there, since a
        label in capitals ("QUESTION FOR THE GROUP") would not fit one line at 8 pt."""
        return min(self.card_w, self.card_h) < 55

    @property
    def band_text_w(self) -> float:
        """Width (mm) of the band's name beside the icon."""
        return self.card_w - 2 * self.safe - self.icon - 1.5

    @property
    def fit_h(self) -> float:
        """Height of a front's text area (between the band and the footer)."""
        return self.card_h - self.band - self.gap - self.safe - self.foot - 1.2

    @property
    def art_h(self) -> float:
        """Height of the ladder or cycle under a level or phase card's text: on tall cards
        only (square and narrow ones need the room for text)."""
        tall = self.card_h >= 1.3 * self.card_w and not self.narrow
        return self.fit_h * 0.18 if tall else 0.0

    @property
    def band_pt(self) -> float:
        """Size of the band's name (white, bold) and other anatomy labels: the same on every
        card of a deck, whatever its kind; at least 8 pt, a little larger on large cards."""
        short = min(self.card_w, self.card_h)
        target = max(REVERSED_MIN_PT, REVERSED_MIN_PT * math.sqrt(short / 63))
        return min(type_scale(self.ratio), key=lambda step: abs(step - target))

    @property
    def foot_pt(self) -> float:
        """Size of the footer's numbers: one step below the band's name."""
        steps = type_scale(self.ratio)
        return max([step for step in steps if step < self.band_pt] or steps[:1])

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
        """Return the ladder or cycle for level and phase cards, the current step solid."""
        colour = self.palette.colour(card.theme)
        # Drawn in the theme colour on white, under the card's text.
        if card.kind == "level":
            return mini_ladder(len(card.steps), card.step, "#ffffff", colour.rgb)
        if card.kind == "phase":
            return mini_cycle(len(card.steps), card.step, "#ffffff", colour.rgb)
        return Markup("")

    def html(self, cards: Sequence[Card],
             base: float | Mapping[str, float] | Sequence[float]) -> str:
        """Return one HTML document with a page per card: body text at *base* pt, at the
        size of each card's kind (``base[card.kind]``), or at each card's own (a sequence)."""
        if isinstance(base, (int, float)):
            bases = [float(base)] * len(cards)
        elif isinstance(base, Mapping):
            bases = [base[card.kind] for card in cards]
        else:
            bases = list(base)
        css = self.env.get_template("cards.css").render(g=self.geometry, palette=self.palette)
        themes = {t.id: t for t in self.content.themes}
        page = self.env.get_template("cards.html")
        faces = [_Face(card, self, b) for card, b in zip(cards, bases, strict=True)]
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
                g=self.geometry,
                t=self.typesetter,
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
    """A card as the template sees it: its fields, its diagram and its type sizes."""

    def __init__(self, card: Card, renderer: CardRenderer, base: float) -> None:
        self._card = card
        self._renderer = renderer
        self.diagram = renderer.diagram(card)
        self.s = role_sizes(base, renderer.geometry.ratio)
        """Font size (pt) of each text role."""
        self.size_style = "; ".join(f"--{role}: {pt:.2f}pt" for role, pt in self.s.items())
        """The sizes as the custom properties the stylesheet uses."""

    def __getattr__(self, name: str) -> Any:
        # The card the template reads last is the one it renders: an error names it.
        self._renderer.current = self._card
        return getattr(self._card, name)
