"""Imposition with pikepdf: card pages placed on sheets (N-up, crop marks, duplex) or one per page.

Each rendered card page becomes a Form XObject whose BBox is the page's full media box (so
the bleed survives) and which keeps the page's own resources; a sheet places it with a
``cm`` transform.  A back used by many cards is one XObject placed many times.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from kaartspel.errors import UsageError
from kaartspel.pdf.duplex import back_shift
from kaartspel.pdf.layouts import (
    TrimGrid,
    place_clipped,
    plan_shared,
    shared_clip,
    shared_lines,
)
from kaartspel.pdf.marks import (
    MARK_GAP_MM,
    MARK_LENGTH_MM,
    Cells,
    add_registration,
    crop_lines,
    mark_operators,
)
from kaartspel.units import Size, mm_to_pt


@dataclass(frozen=True)
class Grid:
    """Where cards go on a sheet, all in mm from the sheet's lower-left corner."""

    sheet: Size
    rows: int
    cols: int
    cell_w: float
    """Card plus bleed on both sides."""
    cell_h: float
    gutter: float
    origin_x: float
    """Left edge of the first column's bleed."""
    origin_y: float
    """Bottom edge of the last row's bleed."""
    shared: TrimGrid | None = None
    """Cards edge to edge (``--cut shared``): cells are trims, the bleed shows at the outside."""
    margin: float = 0.0
    """The printer's unprintable margin (where shared cut lines end)."""

    @property
    def per_sheet(self) -> int:
        """Return how many cards one sheet holds."""
        return self.rows * self.cols

    def cell(self, row: int, col: int) -> tuple[float, float]:
        """Return the lower-left corner (mm) of the cell at *row*, *col* (row 0 at the top)."""
        x = self.origin_x + col * (self.cell_w + self.gutter)
        y = self.origin_y + (self.rows - 1 - row) * (self.cell_h + self.gutter)
        return x, y

    def cell_rect(self, row: int, col: int) -> tuple[float, float, float, float]:
        """Return the cell at *row*, *col* as left, bottom, right, top (mm)."""
        x, y = self.cell(row, col)
        return x, y, x + self.cell_w, y + self.cell_h


def plan_shared_grid(card: Size, bleed: float, paper: Size, margin: float) -> Grid:
    """Return the grid of ``--cut shared``: cards edge to edge, bleed at the outside only."""
    sheet, rows, cols, trim = plan_shared(card, bleed, paper, margin)
    return Grid(sheet, rows, cols, card.width, card.height, 0.0, trim.origin_x,
                trim.top(rows), trim, margin)


def plan_grid(card: Size, bleed: float, paper: Size, margin: float, gutter: float) -> Grid:
    """Choose the orientation and grid that fit the most cards, crop marks included.

    The grid plus its crop marks must stay inside the printer's unprintable *margin*.
    Ties go to portrait.
    """
    cell_w, cell_h = card.width + 2 * bleed, card.height + 2 * bleed
    marks = MARK_GAP_MM + MARK_LENGTH_MM
    best: Grid | None = None
    for sheet in (paper.portrait, paper.landscape):
        room_w = sheet.width - 2 * (margin + marks)
        room_h = sheet.height - 2 * (margin + marks)
        cols = math.floor((room_w + gutter) / (cell_w + gutter) + 1e-9)
        rows = math.floor((room_h + gutter) / (cell_h + gutter) + 1e-9)
        if cols < 1 or rows < 1:
            continue
        grid_w = cols * cell_w + (cols - 1) * gutter
        grid_h = rows * cell_h + (rows - 1) * gutter
        # Centre the grid: a long-edge duplex flip then maps the grid onto itself.
        grid = Grid(sheet, rows, cols, cell_w, cell_h, gutter,
                    (sheet.width - grid_w) / 2, (sheet.height - grid_h) / 2)
        if best is None or grid.per_sheet > best.per_sheet:
            best = grid
    if best is None:
        raise UsageError(
            f"a {card.width:g}×{card.height:g} mm card with {bleed:g} mm bleed does not fit on "
            f"{paper.name} with a {margin:g} mm margin and crop marks; use a larger --paper "
            "or --layout single"
        )
    return best


def back_slot(row: int, col: int, grid: Grid, duplex: str) -> tuple[int, int]:
    """Return where the back of the card at (*row*, *col*) goes on the back sheet.

    Flipping the paper about its long edge mirrors the axis across that edge: on a portrait
    sheet the columns (row r, column cols-1-c), on a landscape sheet the rows.  A short-edge
    flip does the opposite.
    """
    if duplex == "none":
        return row, col
    portrait = grid.sheet.height >= grid.sheet.width
    mirror_cols = (duplex == "long") == portrait
    if mirror_cols:
        return row, grid.cols - 1 - col
    return grid.rows - 1 - row, col


class PageSource(Protocol):
    """Where imposition gets its card pages: an open PDF or a store of one-page PDFs."""

    def form(self, out: Pdf, index: int) -> pikepdf.Object:
        """Return page *index* as a Form XObject in *out*."""
        ...

    def size(self, index: int) -> tuple[float, float]:
        """Return the width and height (pt) of page *index*."""
        ...


class PdfPages:
    """The pages of an open PDF as a :class:`PageSource`."""

    def __init__(self, pdf: Pdf) -> None:
        self.pdf = pdf

    def form(self, out: Pdf, index: int) -> pikepdf.Object:
        """Return page *index* as a Form XObject in *out*."""
        return page_xobject(out, self.pdf.pages[index])

    def size(self, index: int) -> tuple[float, float]:
        """Return the width and height (pt) of page *index*."""
        box = self.pdf.pages[index].mediabox
        return float(box[2]), float(box[3])


def as_source(source: Pdf | PageSource) -> PageSource:
    """Return *source* as a page source (an open PDF is wrapped)."""
    return PdfPages(source) if isinstance(source, Pdf) else source


class Imposition:
    """A new PDF (:attr:`out`) being filled with the pages of *source*, each copied in once.

    Every imposition places its pages through one (:func:`impose_sheets`,
    :func:`kaartspel.pdf.fold.impose_fold`, :func:`single_pages`): :meth:`form` makes a
    page's Form XObject the first time it is placed, and :meth:`sheets` splits the cards
    into those of each sheet.
    """

    def __init__(self, source: Pdf | PageSource) -> None:
        self.out = Pdf.new()
        self.pages = as_source(source)
        self._forms: dict[int, pikepdf.Object] = {}

    def form(self, index: int) -> pikepdf.Object:
        """Return page *index* of the source as a Form XObject in :attr:`out`."""
        if index not in self._forms:
            self._forms[index] = self.pages.form(self.out, index)
        return self._forms[index]

    @staticmethod
    def sheets(count: int, grid: Grid) -> Iterator[list[int]]:
        """Yield the positions (0 to *count* - 1) of the cards on each sheet of *grid*, in
        order: a full sheet each, the last one the rest."""
        per = grid.per_sheet
        for start in range(0, count, per):
            yield list(range(start, min(start + per, count)))


def page_xobject(out: Pdf, page: pikepdf.Page) -> pikepdf.Object:
    """Return *page* (of another PDF) as a Form XObject in *out*, bleed included."""
    return out.copy_foreign(page_form(page))


def page_form(page: pikepdf.Page) -> pikepdf.Object:
    """Return *page* as a Form XObject in its own PDF, bleed included."""
    form = page.as_form_xobject(handle_transformations=False)
    # as_form_xobject uses the TrimBox, which would cut the bleed off.
    form.BBox = Array(page.mediabox)
    # What the face is (its kind, its bleed): a form may carry a page's private data too.
    for key in ("/PieceInfo", "/LastModified"):
        if key in page.obj:
            form[key] = page.obj[key]
    return form


def _place(name: str, x_mm: float, y_mm: float) -> bytes:
    return f"q 1 0 0 1 {mm_to_pt(x_mm):.3f} {mm_to_pt(y_mm):.3f} cm /{name} Do Q\n".encode()


def crop_marks(grid: Grid, bleed: float, registration: bool = False) -> bytes:
    """Return content-stream operators for crop marks at every trim line of a full sheet.

    The marks are DeviceGray black, or in the registration colour when *registration* (see
    :mod:`kaartspel.pdf.marks`).
    """
    cells = Cells(grid.rows, grid.cols, grid.per_sheet)
    return mark_operators(crop_lines(grid.cell_rect, cells, bleed), registration)


def art_box(grid: Grid, bleed: float) -> Array:
    """Return the ArtBox (pt) of a sheet: the imposed cards with their bleeds.

    A PDF/X page needs a TrimBox or an ArtBox.  A sheet of many cards has no one trim
    (each card is cut at its own marks), so it gets an ArtBox around what was imposed
    instead of a TrimBox that would claim the whole sheet is the finished piece.  The
    marks lie outside it: they are production aids, not the page's content.
    """
    left, _, _, top = grid.cell_rect(0, 0)
    _, bottom, right, _ = grid.cell_rect(grid.rows - 1, grid.cols - 1)
    grow = bleed if grid.shared is not None else 0.0  # shared cells are trims
    return Array([round(mm_to_pt(v), 3) for v in
                  (left - grow, bottom - grow, right + grow, top + grow)])


def new_sheet(out: Pdf, sheet: Size, xobjects: dict[str, pikepdf.Object], content: bytes,
              art: Array | None = None, registration: bool = False) -> pikepdf.Page:
    """Add a sheet of *sheet*'s size drawing *content* with the forms *xobjects*.

    *art* is its ArtBox; *registration*: the content strokes marks in the registration
    colour, which the sheet's resources then hold.
    """
    page = out.add_blank_page(page_size=(mm_to_pt(sheet.width), mm_to_pt(sheet.height)))
    page.obj.Resources = Dictionary(XObject=Dictionary({f"/{k}": v for k, v in xobjects.items()}))
    page.obj.Contents = out.make_stream(content)
    if art is not None:
        page.obj.ArtBox = art
    if registration:
        add_registration(out, page.obj.Resources)
    return page


def _put(name: str, grid: Grid, row: int, col: int, bleed: float,
         filled: set[tuple[int, int]], shift: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Place a face in its cell, moved by *shift*; edge to edge, clipped (see layouts)."""
    dx, dy = shift
    if grid.shared is None:
        x, y = grid.cell(row, col)
        return _place(name, x + dx, y + dy)
    x, y = grid.cell(row, col)
    left, bottom, right, top = shared_clip(grid.shared, row, col, filled, bleed)
    return place_clipped(name, x - bleed + dx, y - bleed + dy,
                         (left + dx, bottom + dy, right + dx, top + dy))


def sheet_marks(grid: Grid, bleed: float, count: int, registration: bool = False) -> bytes:
    """Return the marks of a front sheet holding *count* cards: crop marks (or shared cut
    lines) at the trim lines of the cells that hold a card, none around an empty slot."""
    if grid.shared is not None:
        filled = {divmod(slot, grid.cols) for slot in range(count)}
        return mark_operators(shared_lines(grid.shared, filled, grid.sheet, grid.margin, bleed),
                              registration)
    return mark_operators(crop_lines(grid.cell_rect, Cells(grid.rows, grid.cols, count), bleed),
                          registration)


def impose_sheets(
    source: Pdf | PageSource,
    fronts: Sequence[int],
    backs: Sequence[int | None],
    grid: Grid,
    bleed: float,
    duplex: str,
    registration: bool = False,
    back_offset: tuple[float, float] = (0.0, 0.0),
) -> Pdf:
    """Return a PDF of sheets: fronts with crop marks, each followed by its backs sheet.

    *fronts* are page indices into *source*; *backs* gives for each front the page index of
    its back (or None for no backs).  Every sheet gets an :func:`art_box`; *registration*
    (the print variant) draws the marks in the registration colour.  The
    backs are moved to cancel *back_offset*, the drift the duplex test sheet shows
    (:func:`kaartspel.pdf.duplex.back_shift`).
    """
    imposition = Imposition(source)
    out = imposition.out
    for chunk in imposition.sheets(len(fronts), grid):
        used: dict[str, pikepdf.Object] = {}
        content = b""
        filled = {divmod(slot, grid.cols) for slot in range(len(chunk))}
        for slot, i in enumerate(chunk):
            row, col = divmod(slot, grid.cols)
            name = f"F{fronts[i]}"
            used[name] = imposition.form(fronts[i])
            content += _put(name, grid, row, col, bleed, filled)
        content += sheet_marks(grid, bleed, len(chunk), registration)
        new_sheet(out, grid.sheet, used, content, art_box(grid, bleed), registration)
        if any(backs[i] is not None for i in chunk):
            used, content = {}, b""
            shift = back_shift(back_offset, grid.sheet, duplex)
            mirrored = {back_slot(row, col, grid, duplex) for row, col in filled}
            for slot, i in enumerate(chunk):
                back = backs[i]
                if back is None:
                    continue
                row, col = back_slot(*divmod(slot, grid.cols), grid, duplex)
                name = f"B{back}"
                used[name] = imposition.form(back)
                content += _put(name, grid, row, col, bleed, mirrored, shift)
            new_sheet(out, grid.sheet, used, content, art_box(grid, bleed))
    # Sheets print at actual size: a scaled sheet cuts wrong and misses its backs.
    out.Root.ViewerPreferences = Dictionary(PrintScaling=Name("/None"))
    if duplex != "none" and any(b is not None for b in backs):
        out.Root.ViewerPreferences.Duplex = (
            Name.DuplexFlipLongEdge if duplex == "long" else Name.DuplexFlipShortEdge)
    return out


def single_pages(
    source: Pdf | PageSource,
    fronts: Sequence[int],
    backs: Sequence[int | None],
    bleed: float,
    order: str,
) -> Pdf:
    """Return one card per page (print shop): TrimBox = card, BleedBox = card + bleed."""
    imposition = Imposition(source)
    out = imposition.out
    sequence: list[int] = []
    if order == "interleaved":
        for front, back in zip(fronts, backs, strict=True):
            sequence.append(front)
            if back is not None:
                sequence.append(back)
    else:
        sequence = list(fronts) + [b for b in backs if b is not None]
    for index in sequence:
        width, height = imposition.pages.size(index)
        form = imposition.form(index)
        new = out.add_blank_page(page_size=(width, height))
        new.obj.Resources = Dictionary(XObject=Dictionary(P=form))
        new.obj.Contents = out.make_stream(b"q /P Do Q\n")
        b = mm_to_pt(bleed)
        new.obj.BleedBox = Array([0, 0, width, height])
        new.obj.TrimBox = Array([b, b, width - b, height - b])
    return out
