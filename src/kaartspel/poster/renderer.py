"""Render the poster's layout tree to HTML and measure it with WeasyPrint."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from markupsafe import Markup

from kaartspel.content.model import Content
from kaartspel.poster.design import Design, PosterBuilder
from kaartspel.poster.geometry import Geometry, poster_roles
from kaartspel.poster.layout import Box, Decor, Heights, Leaf, Node, Placement, VStack
from kaartspel.render.document import (
    PX_TO_MM,
    TemplateRenderer,
    boxes_of_class,
    content_extent,
    render_document,
)
from kaartspel.render.templates import TemplateSet

log = logging.getLogger(__name__)



# --------------------------------------------------------------------------------------------
# Rendering


class PosterRenderer(TemplateRenderer):
    """Render the poster of one content language at one geometry."""

    content: Content
    geometry: Geometry

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True) -> None:
        super().__init__(content, geometry, templates, strict)
        self._icons: dict[tuple[str, str], Markup] = {}
        self.what = f"poster ({content.lang}, {geometry.width:g}×{geometry.height:g} mm)"

    def icon(self, theme: str, colour: str | None = None) -> Markup:
        """Return the theme's icon as inline SVG drawn in *colour* (default: the theme colour)."""
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

    def design(self) -> Design:
        return PosterBuilder(self.content, self.geometry, self.palette, self.icon).design()

    @property
    def bottom(self) -> float:
        """Return the white space under the last row."""
        return self.geometry.mm(16)

    @property
    def continuation_band(self) -> float:
        """Return the height of the colour strip on top of every page after the first."""
        return self.geometry.mm(6)

    def available(self, page: int) -> float:
        """Return the height the rows of *page* may fill (the first page starts at the trim)."""
        g = self.geometry
        top = 0.0 if page == 0 else self.continuation_band + g.mm(14)
        return g.height - top - self.bottom

    def html(self, placement: Placement, body: float, measure: bool,
             extra_texts: Sequence[str] = ()) -> str:
        g = self.geometry
        css = self.env.get_template("poster.css").render(
            g=g, s=poster_roles(body, g.scale), palette=self.palette, measure=measure,
        )
        return self.env.get_template("poster.html").render(
            lang=self.content.lang,
            document_title=self.content.meta.title,
            css=Markup(self.fonts_css + css),
            g=g,
            pages=[
                ([d for d in placement.decor if d.page == p],
                 [b for b in placement.blocks if b.page == p])
                for p in range(placement.pages)
            ],
            measure=measure,
            meta=self.content.meta,
            ui=self.content.ui,
            themes=[(t.id, t.name) for t in self.content.themes],
            icon=self.icon,
            palette=self.palette,
            extra_texts=list(extra_texts),
            qr=self.qr,
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
        document = render_document(self.html(placement, body, measure=True), self.templates,
                                   self.strict, self.what)
        heights = _natural_heights(document)
        log.debug("%s: measured %d blocks at %g pt in %.2f s", self.what,
                  len(placement.blocks), body, time.perf_counter() - started)
        return heights

    def layout(self, pages: Sequence[Node], need: Heights) -> Placement:
        """Place every page's tree; pages after the first get a colour strip on top."""
        g = self.geometry
        out = Placement()
        for index, root in enumerate(pages):
            out.page = index
            top = 0.0
            if index:
                band = self.continuation_band
                out.paint(Decor(Box(-g.bleed, -g.bleed, g.width + 2 * g.bleed, band + g.bleed),
                                colour=self.palette.colour("neutral").rgb, cls="band"))
                top = band + g.mm(14)
            root.place(top, self.available(index), need, out)
        return out

    def render(self, placement: Placement, body: float,
               extra_texts: Sequence[str] = ()) -> tuple[Any, str]:
        """Render the poster; *extra_texts* go on one more page (see ``poster.html``)."""
        html = self.html(placement, body, measure=False, extra_texts=extra_texts)
        document = render_document(html, self.templates, self.strict, self.what)
        return document, html


def _natural_heights(document: Any) -> dict[str, float]:
    """Return, per block id, how tall its content is (mm) when its height is free."""
    heights: dict[str, float] = {}
    for page in document.pages:
        for box in boxes_of_class(page._page_box, ("block",)):
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
        stacks.append(VStack(members, gap, spread=2 * gap, rigid=True, anchor_last=anchored))
    return stacks
