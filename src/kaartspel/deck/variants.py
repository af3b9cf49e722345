"""Card faces of the print and accessible variants, and the tagged deck of the accessible one."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence

import pikepdf
from markupsafe import Markup

from kaartspel.cache import FaceCache, digest
from kaartspel.content.model import Content
from kaartspel.deck.cards import Card
from kaartspel.deck.diagrams import mini_cycle, mini_ladder
from kaartspel.deck.face_store import FaceStore
from kaartspel.deck.faces import CardRenderer, Geometry
from kaartspel.deck.workers import RenderHelper
from kaartspel.errors import RenderError
from kaartspel.pdf.variants import (
    WHITE_CMYK,
    check_variant,
    css_colour,
    variant_environment,
    with_title,
    write_options,
)
from kaartspel.render.templates import TemplateSet

log = logging.getLogger(__name__)



# --- rendering faces of a variant --------------------------------------------------------------


class VariantRenderer(CardRenderer):
    """A :class:`CardRenderer` for the print or accessible variant.

    *print*: the card stylesheet, icons and mini diagrams use ``device-cmyk()`` colours.
    *accessible*: icons and diagrams carry a ``<title>`` (alternative text) and the templates
    use semantic markup.  The layout is the same as the plain variant's.
    """

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True, variant: str = "print") -> None:
        super().__init__(content, geometry, templates, strict)
        self.variant = check_variant(variant)
        self.env = variant_environment(self.env, self.variant)
        # Tagged faces keep inline SVG: its <title> is the icon's alternative text.
        self.stamp_icons = self.variant != "accessible"

    def _colour(self, rgb: str, cmyk: Sequence[float]) -> str:
        return css_colour(rgb, cmyk, self.variant)

    def theme_name(self, theme: str) -> str:
        """Return the display name of *theme* (the set's title for set cards)."""
        for item in self.content.themes:
            if item.id == theme:
                return item.name
        return self.content.meta.title

    def icon_svg(self, theme: str) -> Markup:
        """Return the theme's icon in (CMYK) white, with alt text in the accessible variant."""
        if theme not in self._icons:
            white = self._colour("#ffffff", WHITE_CMYK)
            svg = self.templates.icon(theme, self.strict).replace("currentColor", white)
            if self.variant == "accessible":
                alt = self.content.ui.icon_alt.replace("{theme}", self.theme_name(theme))
                svg = with_title(svg, alt)
            self._icons[theme] = Markup(svg)
        return self._icons[theme]

    def diagram(self, card: Card) -> Markup:
        """Return the mini ladder or cycle in the variant's colours (with alt text)."""
        colour = self.palette.colour(card.theme)
        dark = self._colour(colour.rgb, colour.cmyk)
        light = self._colour("#ffffff", WHITE_CMYK)
        ui = self.content.ui
        # In the theme colour on white (see CardRenderer.diagram).
        if card.kind == "level":
            svg, alt = mini_ladder(len(card.steps), card.step, light, dark), ui.ladder_alt
        elif card.kind == "phase":
            svg, alt = mini_cycle(len(card.steps), card.step, light, dark), ui.cycle_alt
        else:
            return Markup("")
        if self.variant == "accessible":
            return Markup(with_title(str(svg), alt))
        return svg


def card_renderer(variant: str, content: Content, geometry: Geometry, templates: TemplateSet,
                  strict: bool = True) -> CardRenderer:
    """Return the face renderer of *variant* (the plain :class:`CardRenderer` for ``plain``)."""
    if check_variant(variant) == "plain":
        return CardRenderer(content, geometry, templates, strict)
    return VariantRenderer(content, geometry, templates, strict, variant)


def face_store(
    renderer: CardRenderer, cache: FaceCache | None = None, jobs: int | None = None,
    helper: RenderHelper | None = None,
) -> FaceStore:
    """Return a face store for *renderer* (its cache keys include the renderer's variant)."""
    return FaceStore(renderer, cache if cache is not None else FaceCache(), jobs, helper)


def accessible_pdf(renderer: CardRenderer, cards: Sequence[Card],
                   base: float | Mapping[str, float]) -> pikepdf.Pdf:
    """Render *cards* (fronts) as one tagged PDF/UA-1 document at *base* pt (or each at its
    kind's size, ``base[kind]``); return it open.

    One page per card, in deck order, laid out like the plain faces (same stylesheet and
    size); the caller closes the returned Pdf.
    """
    from kaartspel.pdf.tags import tidy_structure
    from kaartspel.render.document import hidden_content, render_document, write_pdf

    tagged = VariantRenderer(renderer.content, renderer.geometry, renderer.templates,
                             renderer.strict, "accessible")
    what = f"accessible cards ({renderer.content.lang})"
    document = render_document(tagged.html(cards, base), tagged.templates, tagged.strict, what)
    if len(document.pages) != len(cards):
        raise RenderError(f"{what}: {len(cards)} cards laid out on {len(document.pages)} pages")
    identifier = digest("accessible", tagged.templates.fingerprint(), repr(tagged.geometry),
                        repr(list(cards)), repr(base)).encode()[:32]
    data = write_pdf(document, identifier, tagged.strict, what, **write_options("accessible"))
    pdf = pikepdf.open(io.BytesIO(data))
    # Footers, running headers and icons out of the structure, no empty elements, list
    # numbers as labels (pdf/tags.py).
    tidy_structure(pdf, hidden_content(document))
    return pdf
