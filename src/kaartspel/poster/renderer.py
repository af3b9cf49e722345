"""Render the poster's layout tree to HTML and measure it with WeasyPrint."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from kaartspel.content.model import Content
from kaartspel.pdf.variants import (
    WHITE_CMYK,
    check_variant,
    css_colour,
    variant_environment,
    variant_palette,
)
from kaartspel.poster.design import Design, PosterBuilder
from kaartspel.poster.geometry import Geometry, poster_roles
from kaartspel.poster.layout import Block, Box, Decor, Heights, Leaf, Node, Placement, VStack
from kaartspel.render.document import (
    PX_TO_MM,
    TemplateRenderer,
    boxes_of_class,
    content_extent,
    render_document,
)
from kaartspel.render.templates import TemplateSet
from kaartspel.render.typeset import MAX_RUN_FIXES, hyphen_runs, unbreak

log = logging.getLogger(__name__)

FOLIO_ZONE_MM = 8.5
"""White space under a handout page's last row: the page number sits in it."""
PRINTER_MARGIN_MM = 5.0
"""What a home printer cannot print at the paper's edge."""



# --------------------------------------------------------------------------------------------
# Rendering


class PosterRenderer(TemplateRenderer):
    """Render the poster of one content language at one geometry."""

    content: Content
    geometry: Geometry

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True, variant: str = "plain") -> None:
        super().__init__(content, geometry, templates, strict)
        # The variant's colours (device-cmyk() for print) everywhere the design paints, and
        # templates that see pdf_variant (tagged markup for accessible).
        self.variant = check_variant(variant)
        self.design_palette = self.palette
        self.palette = variant_palette(self.palette, self.variant)
        self._profile: Any = None
        self.env = variant_environment(self.env, self.variant)
        self._icons: dict[tuple[str, str], Markup] = {}
        self.what = f"poster ({content.lang}, {geometry.width:g}×{geometry.height:g} mm)"

    def icon(self, theme: str, colour: str | None = None) -> Markup:
        """Return the theme's icon as inline SVG drawn in *colour* (default: the theme colour;
        white is the variant's white)."""
        if colour is not None and colour.lower() in ("#fff", "#ffffff"):
            colour = css_colour("#ffffff", WHITE_CMYK, self.variant)
        colour = colour or self.palette.colour(theme).rgb
        key = (theme, colour)
        if key not in self._icons:
            svg = self.templates.icon(theme, self.strict).replace("currentColor", colour)
            self._icons[key] = Markup(svg)
        return self._icons[key]

    def qr(self, url: str) -> Markup:
        """Return the QR code of *url* in ink (the footer's web address)."""
        from kaartspel.render.qr import qr_svg

        return qr_svg(url, self.palette.ink, self.content.ui.qr_label)

    def paint(self, rgb: str) -> str:
        """Return an sRGB colour the design mixes (not in the palette) in the variant: for
        print, its CMYK through the output profile, by the colour engine."""
        if self.variant != "print":
            return rgb
        from kaartspel.pdf.variants import PROFILE, cmyk_css
        from kaartspel.render.colour import OutputProfile

        if self._profile is None:
            self._profile = OutputProfile(self.templates.find(PROFILE))
        return cmyk_css(self._profile.cmyk(rgb))

    def design(self) -> Design:
        return PosterBuilder(self.content, self.geometry, self.palette, self.icon,
                             self.design_palette, self.paint).design()

    def bottom(self, handout: bool = False) -> float:
        """Return the white space under the last row; on a handout's pages room for the
        page number above a home printer's unprintable margin."""
        g = self.geometry
        return max(g.mm(16), FOLIO_ZONE_MM) if handout else g.mm(16)

    @property
    def continuation_top(self) -> float:
        """Return the white space above the first row of every page after the first (the
        first page starts with the title band at the trim)."""
        return self.geometry.mm(24)

    def available(self, page: int, handout: bool = False) -> float:
        """Return the height the rows of *page* may fill (the first page starts at the trim);
        a *handout*'s pages keep room for their number."""
        g = self.geometry
        top = 0.0 if page == 0 else self.continuation_top
        return g.height - top - self.bottom(handout)

    def handout_available(self, page: int) -> float:
        """Return the height the rows of a handout's *page* may fill."""
        return self.available(page, handout=True)

    def html(self, placement: Placement, body: float, measure: bool,
             extra_texts: Sequence[str] = ()) -> str:
        g = self.geometry
        sizes = poster_roles(body, g.scale)
        css = self.env.get_template("poster.css").render(
            g=g, s=sizes, palette=self.palette, measure=measure,
        )
        return self.env.get_template("poster.html").render(
            lang=self.content.lang,
            document_title=self.content.meta.title,
            css=Markup(self.fonts_css + css),
            g=g,
            pages=[reading_order(placement, p) for p in range(placement.pages)],
            measure=measure,
            meta=self.content.meta,
            ui=self.content.ui,
            themes=[(t.id, t.name) for t in self.content.themes],
            icon=self.icon,
            palette=self.palette,
            extra_texts=list(extra_texts),
            qr=self.qr,
            s=sizes,
            t=self.typesetter,
        )

    def measure(self, leaves: Iterable[Leaf], body: float) -> dict[str, float]:
        """Return the natural height (mm) of every measured leaf in *leaves* at size *body*.

        One WeasyPrint layout of those blocks alone, each at its width with a free height
        (never written to PDF): its cost grows with the amount of text measured.
        """
        placement = Placement()
        for leaf in leaves:
            if leaf.measured:
                leaf.block.box = Box(leaf.x, 0.0, leaf.w, 0.0)
                placement.add(leaf.block)
        started = time.perf_counter()
        document, _ = self._laid_out(self.html(placement, body, measure=True))
        heights = _natural_heights(document)
        log.debug("%s: measured %d blocks at %g pt in %.2f s", self.what,
                  len(placement.blocks), body, time.perf_counter() - started)
        return heights

    def layout(self, pages: Sequence[Node], need: Heights) -> Placement:
        """Place every page's tree; a handout's pages are numbered at the foot ("1/2")."""
        g = self.geometry
        out = Placement()
        for index, root in enumerate(pages):
            out.page = index
            top = 0.0 if index == 0 else self.continuation_top
            root.place(top, self.available(index, handout=len(pages) > 1), need, out)
            if len(pages) > 1:
                folio = Block(f"folio-{index + 1}", "folio", "meta", "neutral",
                              {"page": index + 1, "pages": len(pages)})
                # Under the last row, on the right edge of the text: its one line ends
                # above the bottom margin a home printer cannot print (the box reaches
                # lower only so that the glyphs' full height never counts as overflow).
                top = g.height - self.bottom(handout=True) + 0.5
                folio.box = Box(g.margin, top, g.width - 2 * g.margin,
                                g.height - PRINTER_MARGIN_MM / 2 - top)
                out.add(folio)
        return out

    def render(self, placement: Placement, body: float,
               extra_texts: Sequence[str] = ()) -> tuple[Any, str]:
        """Render the poster; *extra_texts* go on one more page (see ``poster.html``)."""
        html = self.html(placement, body, measure=False, extra_texts=extra_texts)
        return self._laid_out(html)

    def _laid_out(self, html: str) -> tuple[Any, str]:
        """Lay *html* out; where two lines in a row end in a hyphen, take the soft hyphens out
        of the second word in that block and lay it out again.  A block breaks its lines the
        same way measured (free height) and placed (its width is the same), so both passes
        make the same fixes and the measured heights hold."""
        document = render_document(html, self.templates, self.strict, self.what)
        for _ in range(MAX_RUN_FIXES):
            runs = hyphen_runs(document, scope="block")
            if not runs:
                break
            for block_id, word in runs:
                start = html.find(f'<div id="{block_id}" class="block')
                if start < 0:
                    continue
                end = html.find('<div id="', start + 1)
                html = unbreak(html, word, start, end if end >= 0 else None)
            document = render_document(html, self.templates, self.strict, self.what)
        return document, html


@dataclass
class Part:
    """One section of a page in reading order: what is drawn behind it, then its blocks."""

    section: str
    decor: list[Decor]
    blocks: list[Block]


READING_RANK = {"title": 0, "head": 0, "intro": 1, "key": 1, "text": 1, "step": 2, "phase": 2,
                "node": 2, "reflection": 4, "credit": 4, "footer": 5, "folio": 6}
"""Where a block kind reads within its section (others: 3, after the diagrams' texts): the
heading, the section's text, the ladder's steps or the cycle's phases, the question pairs,
then the reflection question and the credit."""


def section_key(section: str) -> str:
    """Return the section a block's source belongs to on the page (``intro.why`` stands
    alone; ``essentials.samenwerken`` is part of ``essentials``)."""
    return section if section.startswith("intro.") else section.split(".")[0]


def reading_order(placement: Placement, page: int) -> tuple[list[Decor], list[Part]]:
    """Return *page*'s furniture and its sections in reading order.

    The document order is the reading order: it is what text extraction (in content-stream
    order) and the tagged variant's structure follow.  Within a section, its decoration
    comes first (it is drawn behind), then its blocks ranked by :data:`READING_RANK`;
    sections do not overlap, so the page looks the same as in any other order.
    """
    parts: list[Part] = []
    for block in (b for b in placement.blocks if b.page == page):
        key = section_key(block.section)
        if not parts or parts[-1].section != key:
            parts.append(Part(key, [], []))
        parts[-1].blocks.append(block)
    for part in parts:
        part.blocks.sort(key=lambda b: READING_RANK.get(b.kind, 3))
    furniture: list[Decor] = []
    for decor in (d for d in placement.decor if d.page == page):
        owner = next((p for p in parts if p.section == section_key(decor.section)), None)
        (owner.decor if owner is not None and decor.section else furniture).append(decor)
    return furniture, parts


def _natural_heights(document: Any) -> dict[str, float]:
    """Return, per block id, how tall its content is (mm) when its height is free."""
    heights: dict[str, float] = {}
    for page in document.pages:
        for box in boxes_of_class(page._page_box, ("block",), placeholders=False):
            block_id = box.element.get("id")
            if not block_id or block_id in heights:
                continue
            top = box.content_box_y()
            bottom = max(top + box.height, content_extent(box)[0])
            heights[block_id] = (bottom - top) * PX_TO_MM
    return heights


def paginate(rows: Sequence[Node], need: Heights, gap: float,
             available: Callable[[int], float]) -> list[VStack] | Node:
    """Pack *rows* into as few pages as they need, in order; return the pages' stacks.

    Returns the first row that is too tall for a page of its own instead.
    """
    heights = [row.natural(need) for row in rows]
    # Greedy packing gives the fewest pages …
    count, used = 1, 0.0
    for row, height in zip(rows, heights, strict=True):
        if used and used + gap + height <= available(count - 1):
            used += gap + height
            continue
        if used:
            count += 1
        if height > available(count - 1):
            return row
        used = height
    # … then the cut points that fill the fullest of those pages least are chosen.
    best: tuple[float, tuple[int, ...]] | None = None
    for cuts in itertools.combinations(range(1, len(rows)), count - 1):
        bounds = (0, *cuts, len(rows))
        fill = 0.0
        for page in range(count):
            part = heights[bounds[page]:bounds[page + 1]]
            fill = max(fill, (sum(part) + gap * (len(part) - 1)) / available(page))
        if fill <= 1.0 and (best is None or fill < best[0]):
            best = (fill, bounds)
    assert best is not None  # the greedy packing is one of the candidates
    bounds = best[1]
    stacks = []
    for p in range(count):
        members = list(rows[bounds[p]:bounds[p + 1]])
        anchored = isinstance(members[-1], Leaf) and members[-1].block.kind == "footer"
        # A page with room to spare spreads it over its gaps (up to four times each) rather
        # than leaving it in one hole above the footer.
        stacks.append(VStack(members, gap, spread=4 * gap, rigid=True, anchor_last=anchored))
    return stacks
