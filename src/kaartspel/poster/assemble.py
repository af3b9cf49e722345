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
from kaartspel.errors import RenderError, UsageError
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


def crop_marks(geometry: Geometry, registration: bool = False) -> bytes:
    """Return content-stream operators for crop marks at the trim corners, outside the bleed."""
    from kaartspel.pdf.marks import cut_marks, mark_operators

    g = geometry
    o = g.offset
    xs, ys = (o, o + g.width), (o, o + g.height)
    outer = (o - g.bleed, o - g.bleed, o + g.width + g.bleed, o + g.height + g.bleed)
    return mark_operators(cut_marks(xs, ys, outer, MARK_OFFSET_MM, MARK_LENGTH_MM),
                          registration, MARK_WIDTH_PT)


def finish_pages(pdf: Any, geometry: Geometry, registration: bool = False) -> None:
    """Set the page boxes of every poster page; with a bleed, TrimBox/BleedBox and crop marks.

    *registration* (the print variant) draws the marks in the registration colour.
    """
    import pikepdf

    from kaartspel.pdf.marks import add_registration

    g = geometry
    space = None
    width, height = mm_to_pt(g.page_w), mm_to_pt(g.page_h)
    o, b = mm_to_pt(g.offset), mm_to_pt(g.bleed)
    for page in pdf.pages:
        page.obj.MediaBox = pikepdf.Array([0, 0, width, height])
        if g.bleed <= 0:
            continue
        page.obj.TrimBox = pikepdf.Array([o, o, width - o, height - o])
        page.obj.BleedBox = pikepdf.Array([o - b, o - b, width - o + b, height - o + b])
        if registration:
            space = add_registration(pdf, page.obj.Resources, space)
        page.contents_add(pdf.make_stream(crop_marks(g, registration)), prepend=False)


# --------------------------------------------------------------------------------------------
# Public API


def build_poster(content_dir: Path, options: PosterOptions, output: Path) -> PosterResult:
    """Build one poster PDF (or its tiles) at *output*; raise a KaartspelError on any problem.

    The PDF variant (``options.pdf``): ``print`` renders in the palette's CMYK and finishes
    as PDF/X-4; ``accessible`` renders one tagged document whose structure follows the
    poster's reading order, tidied into PDF/UA-1 (see :mod:`kaartspel.pdf.tags`).
    """
    import pikepdf

    from kaartspel.pdf.variants import finalize, write_options

    started = time.perf_counter()
    options = options.validated()
    if options.pdf == "accessible" and options.tile:
        raise UsageError("--pdf accessible makes one tagged document; it cannot be split into "
                         "--tile sheets (build the tiles with --pdf plain or print)")
    check_output(output)
    geometry = Geometry.create(poster_size(options.size), options.orientation, options.bleed)
    content = load_content(content_dir, options.lang)
    templates = TemplateSet.create(options.templates)
    renderer = PosterRenderer(content, geometry, templates, options.strict, options.pdf)
    plan = None
    labels: list[str] = []
    if options.tile:
        from kaartspel.pdf.tile import plan_tiles, tile_labels

        plan = plan_tiles(geometry.width, geometry.height, paper_size(options.tile),
                          options.overlap, options.margin)
        # Put the labels' glyphs in the poster's font subsets (a handout's labels also get
        # "(1/2)"-style page numbers): tile_poster can then set them as real text.
        labels = [*tile_labels(content.ui.tile_label, plan), "0123456789 (/)",
                  content.ui.tile_assembly]
    body, document, html, placement = fit_poster(renderer, labels)
    log.info("poster %s: body text %.2f pt on %d page(s)", output, body, placement.pages)
    # The HTML names the template folders by absolute URL: leave them out, so the same
    # inputs give the same file wherever the project is checked out.
    located = html
    for folder in renderer.templates.folders:
        located = located.replace(Path(folder).resolve().as_uri(), "")
    identifier = digest(located, renderer.templates.fingerprint()).encode()[:32]
    written = time.perf_counter()
    pdf_bytes = write_pdf(document, identifier, options.strict, renderer.what,
                          **write_options(options.pdf))
    log.debug("%s: PDF written in %.2f s", renderer.what, time.perf_counter() - written)
    title = f"{content.meta.title} — {geometry.width:g}×{geometry.height:g} mm"
    print_variant = options.pdf == "print"
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        expected = placement.pages + (1 if labels else 0)
        if len(pdf.pages) != expected:
            raise RenderError(f"{renderer.what}: expected {expected} pages, got {len(pdf.pages)}")
        if labels:
            del pdf.pages[-1]  # the tile labels' page: its glyphs are in the fonts now
        if options.pdf == "accessible":
            from kaartspel.pdf.tags import tidy_structure
            from kaartspel.render.document import hidden_content

            tidy_structure(pdf, hidden_content(document))
        finish_pages(pdf, geometry, registration=print_variant)
        out = pdf
        if plan is not None:
            from kaartspel.pdf.tile import tile_poster

            out = tile_poster(pdf, plan, (geometry.offset, geometry.offset),
                              content.ui.tile_label, content.ui.tile_assembly,
                              registration=print_variant)
        elif len(out.pages) > 1:
            # A two-sided handout: the back must print on the back of the same sheet,
            # turned like a book page (about the long edge of a portrait page).
            prefs = out.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
            prefs.Duplex = (pikepdf.Name.DuplexFlipShortEdge if geometry.landscape
                            else pikepdf.Name.DuplexFlipLongEdge)
            out.Root.ViewerPreferences = prefs
        pages = len(out.pages)
        finalize(out, options.pdf, options.lang, title, templates, options.strict)
        save_pdf(out, output, title, options.lang)
    return PosterResult(output, pages, body, time.perf_counter() - started)


__all__ = ["PosterResult", "build_poster"]
