"""The WeasyPrint half of rendering faces: one batch's HTML to measures and one-page PDFs.

It needs no content model, no templates engine: a :class:`FaceJob` is plain data, so the
render helper (a process forked before the content or Jinja were loaded, see helper.py)
imports only this and WeasyPrint.  :class:`kaartspel.deck.faces.FaceStore` makes the jobs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from kaartspel.cache import FaceCache, digest
from kaartspel.errors import KaartspelError, RenderError, display_path
from kaartspel.render import hyphenation
from kaartspel.render.document import (
    fit_boxes,
    measure_overflow,
    measure_width,
    render_document,
    text_lengths,
    write_pdf,
)
from kaartspel.render.stamps import apply_stamps, find_stamps, form_html
from kaartspel.render.templates import TemplateSet
from kaartspel.render.typeset import MAX_RUN_FIXES, hyphen_runs, unbreak


@dataclass(frozen=True)
class Measure:
    """How a face's text sits in its box at one type size."""

    overflow: float
    """How far (mm) the text runs past its box; 0 when it fits."""
    fill: float
    """Height the text needs ÷ height of its box (above 1: it overflows); predicts sizes."""
    wide: float = 0.0
    """Width its unbreakable text needs ÷ width of its box (see
    :func:`~kaartspel.render.document.measure_width`); 0 when no box says."""

    @property
    def fits(self) -> bool:
        return self.overflow <= 0


@dataclass(frozen=True)
class Artwork:
    """A stamp's artwork: its PDF from the cache, or the SVG to render it from."""

    key: str
    """Its key in the face cache (``artwork`` blobs)."""
    pdf: bytes | None = None
    svg: str = ""


@dataclass(frozen=True)
class FaceJob:
    """One batch of faces to render, as plain data."""

    html: str
    """One document, a page per face."""
    ids: tuple[str, ...]
    """The faces' ids, in page order."""
    keys: tuple[str, ...]
    """Their face-cache keys."""
    fit_keys: tuple[str, ...]
    """Their fit-result keys."""
    sizes: tuple[str, ...]
    """Each face's body size, as the caches spell it (``8.5``)."""
    identifier: bytes
    """The PDF's fixed /ID (reproducible bytes)."""
    templates: TemplateSet
    strict: bool
    what: str
    """How messages name the document (``cards (nl)``)."""
    cache: FaceCache
    artwork: dict[str, Artwork]
    """Every stamp the faces may show, by name."""
    pdf: tuple[bool, ...] = ()
    """Which faces need their PDF (the others are only measured); () for every face."""
    kinds: tuple[str, ...] = ()
    """The faces' card kinds, in page order (recorded in each face PDF, see :func:`mark`)."""
    bleed: float = 0.0
    """The bleed (mm) around each face's trim."""


PIECE_APP = "/Kaartspel"
"""Our key in a page's or form's page-piece dictionary (PDF ``/PieceInfo``)."""
PIECE_DATE = "D:20000101000000Z"
"""``/LastModified`` of the piece: a constant, because a cached face is reused by builds of
every date (the output's own dates are set when it is saved)."""


def mark(page: Any, kind: str, bleed_mm: float) -> None:
    """Record on a face's *page* what kind of card it is and where its trim lies.

    Kept as private data of the page (``/PieceInfo``, PDF 1.3): invisible, never text (screen
    readers do not meet it), carried on to the Form XObject a face becomes on a sheet, and
    read back by :mod:`kaartspel.pdf.typecheck`.
    """
    import pikepdf

    data = pikepdf.Dictionary(Kind=pikepdf.Name("/" + kind),
                              Bleed=round(bleed_mm * 72 / 25.4, 3))
    page.obj.PieceInfo = pikepdf.Dictionary(
        {PIECE_APP: pikepdf.Dictionary(LastModified=PIECE_DATE, Private=data)})
    page.obj.LastModified = PIECE_DATE


def run(job: FaceJob) -> tuple[dict[str, Measure], dict[str, bytes]]:
    """Render *job*: store each face's PDF and fit result; return the measures by face id
    and, when the cache is off, the PDFs by face key."""
    import pikepdf

    from kaartspel.render.page_resources import prune_resources

    # A fresh process (the render helper) loads the hyphenation patterns from the cache.
    hyphenation.configure(job.cache.root if job.cache.enabled else None)
    document, measures = lay_out(job.html, job.ids, job.templates, job.strict, job.what)
    wanted = [i for i in range(len(job.ids)) if not job.pdf or job.pdf[i]]
    kept: dict[str, bytes] = {}
    if wanted:
        # Faces only measured (a fit search's probes) are not written: a PDF costs a third
        # of a face's time, and most probes are never placed.
        if len(wanted) < len(job.ids):
            document = document.copy([document.pages[i] for i in wanted])
        stamps = find_stamps(document)
        data = write_pdf(document, job.identifier, job.strict, job.what)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            apply_stamps(pdf, stamps, lambda name: _artwork(job, name))
            for index, page in zip(wanted, pdf.pages, strict=True):
                # WeasyPrint shares one resource dictionary between all pages of a document;
                # give the page its own with only what it draws *before* copying it, or each
                # copy would drag along the whole batch's objects (quadratic in batch size)
                # and its bytes would depend on which faces shared its batch.
                prune_resources(page)
                if job.kinds:
                    mark(page, job.kinds[index], job.bleed)
                single = pikepdf.Pdf.new()
                single.pages.append(page)
                buffer = io.BytesIO()
                single.save(buffer, deterministic_id=True, compress_streams=True)
                # What the cache cannot take (off, read-only, full) goes back in memory.
                if not job.cache.put_face(job.keys[index], buffer.getvalue()):
                    kept[job.keys[index]] = buffer.getvalue()
    for face_id, fit_key, size in zip(job.ids, job.fit_keys, job.sizes, strict=True):
        m = measures[face_id]
        job.cache.put_fit(fit_key, {size: [m.overflow, m.fill, m.wide]})
    return measures, kept


def lay_out(html: str, ids: tuple[str, ...], templates: TemplateSet, strict: bool,
            what: str) -> tuple[Any, dict[str, Measure]]:
    """Lay out a document of faces (a page each); return it and each face's measure.

    Two lines in a row may not end in a hyphen: where they do, the second word loses its
    soft hyphens on that face only (its ``<section>``), and only the faces so changed are
    laid out again, in a document of their own whose pages replace theirs.  A face's layout
    depends on its own section alone, so it is the same in any batch.
    """
    document = render_document(html, templates, strict, what)
    if len(document.pages) != len(ids):
        raise page_count_error(document, ids, templates)
    parts = _sections(html, len(ids))
    if parts is None:
        return document, measure(document, ids)
    head, sections, tail = parts
    pages = list(document.pages)
    current, shown = document, list(range(len(ids)))  # the document last laid out, its faces
    for _ in range(MAX_RUN_FIXES):
        runs = hyphen_runs(current)
        if not runs:
            break
        changed: list[int] = []
        for page, word in runs:
            face = shown[int(page)]
            sections[face] = unbreak(sections[face], word)
            changed.append(face)
        shown = sorted(set(changed))
        current = render_document(head + "".join(sections[i] for i in shown) + tail,
                                  templates, strict, what)
        if len(current.pages) != len(shown):
            raise page_count_error(current, tuple(ids[i] for i in shown), templates)
        for face, page in zip(shown, current.pages, strict=True):
            pages[face] = page
    if current is not document:
        document = document.copy(pages)
    return document, measure(document, ids)


def _sections(html: str, count: int) -> tuple[str, list[str], str] | None:
    """Split a document of *count* faces into what comes before, each face's ``<section>``,
    and what comes after; None if it is not made that way (a template override)."""
    starts = [m.start() for m in re.finditer(r"<section\b", html)]
    if len(starts) != count or not starts:
        return None
    end = html.rfind("</section>") + len("</section>")
    if end < starts[-1]:
        return None
    bounds = [*starts, end]
    sections = [html[bounds[i]:bounds[i + 1]] for i in range(count)]
    return html[:starts[0]], sections, html[end:]


def page_count_error(document: Any, ids: tuple[str, ...], templates: TemplateSet
                     ) -> RenderError:
    """Return the error for faces laid out on more (or fewer) pages than there are faces.

    Each face is a ``<section data-card>``; a page without one belongs to the face before
    it.  The first face on other than one page is named, with its template: a template
    (an override) made it run over its page, or two share one.
    """
    pages: dict[str, int] = dict.fromkeys(ids, 0)
    kinds: dict[str, str] = {}
    current: str | None = None
    for page in document.pages:
        found = None
        for box in page._page_box.descendants():
            element: Any = getattr(box, "element", None)
            card = element.get("data-card") if element is not None else None
            if card in pages:
                found = card
                kinds[card] = next((c[5:] for c in (element.get("class") or "").split()
                                    if c.startswith("kind-")), "")
                break
        current = found or current
        if current is not None:
            pages[current] += 1
    wrong = next((card for card in ids if pages[card] != 1), None)
    counted = f"{len(ids)} card(s) laid out on {len(document.pages)} pages"
    if wrong is None:
        return RenderError(f"{counted}; a template makes a card run over its page, "
                           "fix the template")
    names = []
    for name in (f"card/{kinds.get(wrong, '')}.html", "cards.html"):
        try:
            names.append(display_path(templates.find(name)))
        except KaartspelError:
            continue
    takes = f"takes {pages[wrong]} pages" if pages[wrong] else "shares a page with another"
    return RenderError(f"card '{wrong}' {takes} ({counted}); its templates "
                       f"({', '.join(names)}) must keep each card on one page: fix them")


def measure(document: Any, ids: tuple[str, ...]) -> dict[str, Measure]:
    """Return the measure of every page of a laid-out document, by the ids of its faces."""
    overflow = {o.page: o.amount for o in measure_overflow(document)}
    measures = {}
    fills = zip(ids, measure_fill(document), measure_width(document), strict=True)
    for i, (face_id, fill, wide) in enumerate(fills):
        # The overflow decides; the fill only predicts, so it never contradicts it
        # (a box that overflows sideways or in its footer may have room below).
        over = overflow.get(i, 0.0)
        measures[face_id] = Measure(over, max(fill, 1.001) if over > 0 else min(fill, 1.0),
                                    round(wide, 4))
    return measures


_ARTWORK: dict[tuple[str, str], bytes] = {}
"""Artwork rendered in this process, by cache (a build with another cache must find it
there too) and cache key."""


def _artwork(job: FaceJob, name: str) -> bytes:
    art = job.artwork[name]
    if art.pdf is not None:
        return art.pdf
    memo = (str(job.cache.root) if job.cache.enabled else "", art.key)
    if memo not in _ARTWORK:
        data = job.cache.get_blob("artwork", art.key)
        if data is None:
            what = f"icon '{name}'"
            document = render_document(form_html(art.svg), job.templates, job.strict, what)
            data = write_pdf(document, digest(name).encode()[:32], job.strict, what)
            job.cache.put_blob("artwork", art.key, data)
        _ARTWORK[memo] = data
    return _ARTWORK[memo]


def _bounded(box: Any) -> bool:
    """Return whether *box* has a height of its own (not the height of its content)."""
    style = box.style
    fixed = style["height"] != "auto" or "auto" not in (style["top"], style["bottom"])
    return bool(fixed and box.height > 0)


def _composed(element: Any) -> bool:
    """Return whether *element* is a composed card's table (``.compose``, see cards.css)."""
    return "compose" in (element.get("class") or "").split()


def measure_fill(document: Any) -> list[float]:
    """Return, per page, the height the ``.fit`` box's content needs ÷ the box's height.

    Boxes as high as their content (a back's label) have nothing to fill: 0.

    Text carried off the page counts in proportion, as in :func:`render.measure_overflow`.
    """
    fills = []
    earlier: set[int] = set()
    for page in document.pages:
        fill = 0.0
        for box in fit_boxes(page._page_box, earlier):
            if "fit" not in (box.element.get("class") or "").split() or not _bounded(box):
                continue
            top, bottom = float("inf"), box.content_box_y()
            for child in box.descendants():
                # The placeholder of an absolute box holds the box itself: skip its element.
                # A composed card's table is as high as the box, whatever its text needs.
                element = getattr(child, "element", None)
                if (child is box or element is box.element
                        or type(child).__name__.startswith("Table")
                        or (element is not None and _composed(element))):
                    continue
                if hasattr(child, "position_y"):
                    y = child.position_y + getattr(child, "margin_top", 0)
                    top = min(top, y)
                    bottom = max(bottom, y + child.border_height())
            top = min(top, bottom)
            ratio = (bottom - top) / box.height
            laid_out, total = text_lengths(box)
            if laid_out < total:
                ratio = max(ratio, 1 + (total - laid_out) / max(laid_out, 1))
            fill = max(fill, ratio)
        fills.append(fill)
    return fills
