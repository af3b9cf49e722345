"""Build the dialogue poster (A0–A4, portrait or landscape) from the same content as the cards.

Every size is the same design scaled: lengths are designed in millimetres for A1 and multiplied
by ``short side / 594``; type follows the page too, except that nothing drops below 7 pt.

Layout is measured, not guessed.  A page is a tree of stacks (:class:`VStack`, :class:`HStack`)
whose leaves are text blocks of fixed width; the staircase and the cycle are nodes that size
their drawings from the text they hold.  For a body size, one WeasyPrint pass lays out every
leaf at its width with a free height; the tree then needs a certain height.  The largest body
size (a step on a page-scaled type scale) at which the tree fits the page wins; spare height
goes to the gaps and to the diagrams.  To show that the next step is too large, only the leaves
on the tree's tallest path are laid out (a lower bound of its height; a cold A1 build measures
31 blocks at its size and 13 at the next).  The final render puts every leaf in a fixed-size
``.fit`` box, and :func:`render.measure_overflow` confirms that nothing overflows.

At 7 pt the text needs about 1.8 times an A4 page, so A4 (and A3 landscape) cannot be one
legible page: up to A3, a poster whose text does not fit one side at 7 pt is laid out as a
two-sided handout, its sections (never split) spread evenly over the fewest pages.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaartspel.cache import digest
from kaartspel.content.load import load_content
from kaartspel.errors import RenderError
from kaartspel.options import PosterOptions
from kaartspel.pdf.save import check_output, save_pdf
from kaartspel.poster.fit import fit_poster
from kaartspel.poster.geometry import (
    MARK_LENGTH_MM,
    MARK_OFFSET_MM,
    MARK_WIDTH_PT,
    Geometry,
)
from kaartspel.poster.renderer import PosterRenderer
from kaartspel.render.document import (
    write_pdf,
)
from kaartspel.render.templates import TemplateSet
from kaartspel.units import mm_to_pt, paper_size, poster_size

log = logging.getLogger(__name__)



@dataclass
class PosterResult:
    """What a poster build produced."""

    path: Path
    pages: int
    base_pt: float
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# Print furniture: boxes and crop marks


def crop_marks(geometry: Geometry) -> bytes:
    """Return content-stream operators for crop marks at the trim corners, outside the bleed."""
    g = geometry
    o = g.offset
    start = g.bleed + MARK_OFFSET_MM
    end = start + MARK_LENGTH_MM
    lines = []
    for x in (o, o + g.width):
        for y, sign in ((o, -1), (o + g.height, 1)):
            lines.append((x, y + sign * start, x, y + sign * end))
    for y in (o, o + g.height):
        for x, sign in ((o, -1), (o + g.width, 1)):
            lines.append((x + sign * start, y, x + sign * end, y))
    ops = [f"q {MARK_WIDTH_PT} w 0 0 0 1 K 0 J []0 d"]
    for x1, y1, x2, y2 in lines:
        ops.append(f"{mm_to_pt(x1):.3f} {mm_to_pt(y1):.3f} m "
                   f"{mm_to_pt(x2):.3f} {mm_to_pt(y2):.3f} l S")
    ops.append("Q\n")
    return "\n".join(ops).encode()


def finish_pages(pdf: Any, geometry: Geometry) -> None:
    """Set the page boxes of every poster page; with a bleed, TrimBox/BleedBox and crop marks."""
    import pikepdf

    g = geometry
    width, height = mm_to_pt(g.page_w), mm_to_pt(g.page_h)
    o, b = mm_to_pt(g.offset), mm_to_pt(g.bleed)
    for page in pdf.pages:
        page.obj.MediaBox = pikepdf.Array([0, 0, width, height])
        if g.bleed <= 0:
            continue
        page.obj.TrimBox = pikepdf.Array([o, o, width - o, height - o])
        page.obj.BleedBox = pikepdf.Array([o - b, o - b, width - o + b, height - o + b])
        page.contents_add(pdf.make_stream(crop_marks(g)), prepend=False)


# --------------------------------------------------------------------------------------------
# Public API


def build_poster(content_dir: Path, options: PosterOptions, output: Path) -> PosterResult:
    """Build one poster PDF (or its tiles) at *output*; raise a KaartspelError on any problem."""
    import pikepdf

    started = time.perf_counter()
    options = options.validated()
    check_output(output)
    geometry = Geometry.create(poster_size(options.size), options.orientation, options.bleed)
    content = load_content(content_dir, options.lang)
    renderer = PosterRenderer(content, geometry, TemplateSet.create(options.templates),
                              options.strict)
    plan = None
    labels: list[str] = []
    if options.tile:
        from kaartspel.pdf.tile import plan_tiles, tile_labels

        plan = plan_tiles(geometry.width, geometry.height, paper_size(options.tile),
                          options.overlap, options.margin)
        # Put the labels' glyphs in the poster's font subsets (a handout's labels also get
        # "(1/2)"-style page numbers): tile_poster can then set them as real text.
        labels = [*tile_labels(content.ui.tile_label, plan), "0123456789 (/)"]
    body, document, html, placement = fit_poster(renderer, labels)
    log.info("poster %s: body text %.2f pt on %d page(s)", output, body, placement.pages)
    # The HTML names the template folders by absolute URL: leave them out, so the same
    # inputs give the same file wherever the project is checked out.
    located = html
    for folder in renderer.templates.folders:
        located = located.replace(Path(folder).resolve().as_uri(), "")
    identifier = digest(located, renderer.templates.fingerprint()).encode()[:32]
    written = time.perf_counter()
    pdf_bytes = write_pdf(document, identifier, options.strict, renderer.what)
    log.debug("%s: PDF written in %.2f s", renderer.what, time.perf_counter() - written)
    title = f"{content.meta.title} — {geometry.width:g}×{geometry.height:g} mm"
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        expected = placement.pages + (1 if labels else 0)
        if len(pdf.pages) != expected:
            raise RenderError(f"{renderer.what}: expected {expected} pages, got {len(pdf.pages)}")
        if labels:
            del pdf.pages[-1]  # the tile labels' page: its glyphs are in the fonts now
        finish_pages(pdf, geometry)
        if plan is not None:
            from kaartspel.pdf.tile import tile_poster

            out = tile_poster(pdf, plan, (geometry.offset, geometry.offset),
                              content.ui.tile_label)
            pages = len(out.pages)
            save_pdf(out, output, title, options.lang)
        else:
            pages = len(pdf.pages)
            save_pdf(pdf, output, title, options.lang)
    return PosterResult(output, pages, body, time.perf_counter() - started)




__all__ = ["PosterResult", "build_poster"]
