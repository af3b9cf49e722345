"""Printer's marks, drawn one way for every output: crop marks and tile cut marks.

A mark continues a cut line outside the printed area: it starts :data:`MARK_GAP_MM` outside
the outer edge (a card grid's or a poster's bleed, a tile's printed window) so that a cut a
little off the line never shows a mark, and runs :data:`MARK_LENGTH_MM` from there.  N-up
card sheets (``pdf/impose.py``), posters with a bleed (``poster/assemble.py``) and tiles
(``pdf/tile.py``, whose overlap ticks are marks too) all draw through :func:`cut_marks` or
:func:`crop_lines` (a grid of cards, marks only beside the cells that hold one) and
:func:`mark_operators`; the trainer's layouts' shared cut and fold lines
(``pdf/layouts.py``, ``pdf/fold.py``) are drawn by :func:`mark_operators` too.

Colour: a plain (RGB) output draws its marks in DeviceGray black, which any office printer
prints as black.  A print output (PDF/X) draws them in the registration colour,
``/Separation /All``: it prints on every plate (ISO 32000-1, 8.6.6.4), so the press and the
cutter can align each separation with the marks; 100 % K would show on the black plate
only.  Marks lie outside the trim and the bleed, where the ink limit does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kaartspel.units import mm_to_pt

MARK_GAP_MM = 1.0
"""Space between the outer edge (bleed or printed window) and the start of a mark."""
MARK_LENGTH_MM = 4.0
"""Length of a mark."""
MARK_WIDTH_PT = 0.25
"""Line width of a mark (a hairline that still prints on every press)."""

REGISTRATION = "/KsRegistration"
"""Resource name of the registration colour space in a page's /ColorSpace dictionary."""

PRODUCTION_AID = "/Artifact <</Type /Page>> BDC"
"""Opens marked content that is a production aid, "extraneous to the document itself, such as
cut marks" (ISO 32000-1, 14.8.2.2.2); ``EMC`` closes it.  Marks are one; so is a tiled
poster's picture of the whole poster.  A tagged file stays all tagged or artifact, and
preflight holds text in one to no minimum size (it is not the document's text)."""

Line = tuple[float, float, float, float]
"""A mark from (x1, y1) to (x2, y2), in mm from the page's lower-left corner."""
Edges = tuple[float, float, float, float]
"""Left, bottom, right, top (mm from the page's lower-left corner)."""


def cut_marks(xs: Iterable[float], ys: Iterable[float], outer: Edges,
              gap: float = MARK_GAP_MM, length: float = MARK_LENGTH_MM) -> list[Line]:
    """Return the marks of the vertical cut lines *xs* and the horizontal ones *ys*.

    Each vertical line gets a mark above and below *outer*, each horizontal one a mark to
    its left and right; duplicates are dropped, the order is stable.
    """
    left, bottom, right, top = outer
    lines: list[Line] = []
    for x in xs:
        lines.append((x, top + gap, x, top + gap + length))
        lines.append((x, bottom - gap, x, bottom - gap - length))
    for y in ys:
        lines.append((left - gap, y, left - gap - length, y))
        lines.append((right + gap, y, right + gap + length, y))
    return list(dict.fromkeys(lines))


@dataclass(frozen=True)
class Cells:
    """The cells of a sheet that hold a card: row-major from the top-left, *count* of them."""

    rows: int
    cols: int
    count: int

    def __contains__(self, cell: object) -> bool:
        if not isinstance(cell, tuple):
            return False
        row, col = cell
        return bool(0 <= row < self.rows and 0 <= col < self.cols
                    and row * self.cols + col < self.count)

    def lowest_row(self, col: int) -> int:
        """Return the lowest (largest) row that holds a card in column *col* (−1: none)."""
        return max((r for r in range(self.rows) if (r, col) in self), default=-1)

    def last_col(self, row: int) -> int:
        """Return the rightmost column that holds a card in row *row* (−1: none)."""
        return max((c for c in range(self.cols) if (row, c) in self), default=-1)


def crop_lines(cell_rect: Callable[[int, int], Edges], filled: Cells, bleed: float
               ) -> list[Line]:
    """Return crop marks outside the bleed for the trim lines of the filled cells only.

    A column's marks sit above the top row and below its lowest card; a row's to the left
    of the grid and to the right of its last card.  (A full grid gets what
    :func:`cut_marks` gives for its trim lines and its outer bleed.)
    """
    lines: list[Line] = []
    g = MARK_GAP_MM
    for col in range(filled.cols):
        low = filled.lowest_row(col)
        if low < 0:
            continue
        left, _, right, top = cell_rect(0, col)
        _, bottom, _, _ = cell_rect(low, col)
        for x in (left + bleed, right - bleed):
            lines.append((x, top + g, x, top + g + MARK_LENGTH_MM))
            lines.append((x, bottom - g, x, bottom - g - MARK_LENGTH_MM))
    for row in range(filled.rows):
        last = filled.last_col(row)
        if last < 0:
            continue
        left, bottom, _, top = cell_rect(row, 0)
        _, _, right, _ = cell_rect(row, last)
        for y in (bottom + bleed, top - bleed):
            lines.append((left - g, y, left - g - MARK_LENGTH_MM, y))
            lines.append((right + g, y, right + g + MARK_LENGTH_MM, y))
    return list(dict.fromkeys(lines))


def mark_operators(lines: Sequence[Line], registration: bool,
                   width_pt: float = MARK_WIDTH_PT, dash: Sequence[float] = ()) -> bytes:
    """Return content-stream operators stroking *lines* (mm), in their own graphics state.

    *registration*: stroke in :data:`REGISTRATION` (the page must have it, see
    :func:`add_registration`), else in DeviceGray black.  The marks are a marked-content
    artifact of type Page ("production aids extraneous to the document itself, such as cut
    marks", ISO 32000-1, 14.8.2.2.2), so a tagged file stays all tagged or artifact.
    """
    colour = f"{REGISTRATION} CS 1 SCN" if registration else "0 G"
    pattern = " ".join(f"{mm_to_pt(d):.3f}" for d in dash)  # mm; a fold line is dashed
    ops = [f"{PRODUCTION_AID} q {width_pt:g} w {colour} 0 J [{pattern}] 0 d"]
    ops.extend(f"{mm_to_pt(x1):.3f} {mm_to_pt(y1):.3f} m {mm_to_pt(x2):.3f} {mm_to_pt(y2):.3f} l S"
               for x1, y1, x2, y2 in lines)
    ops.append("Q EMC\n")
    return "\n".join(ops).encode()


def registration_space(pdf: Any) -> Any:
    """Return the registration colour space, ``/Separation /All`` with a CMYK alternate.

    The tint transform maps tint *t* to C = M = Y = K = *t*: where a separation is not
    produced (a proof, a screen), the marks show as the four inks together.
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    tint = Dictionary(FunctionType=2, Domain=Array([0, 1]), C0=Array([0, 0, 0, 0]),
                      C1=Array([1, 1, 1, 1]), N=1)
    return pdf.make_indirect(pikepdf.Array([Name.Separation, Name.All, Name.DeviceCMYK, tint]))


def add_registration(pdf: Any, resources: Any, space: Any = None) -> Any:
    """Put the registration colour space into *resources* (a page's or form's); return it.

    Pass the *space* from an earlier call to share one object between pages.
    """
    from pikepdf import Dictionary, Name

    space = space if space is not None else registration_space(pdf)
    spaces = resources.get("/ColorSpace")
    if spaces is None:
        spaces = resources.ColorSpace = Dictionary()
    spaces[Name(REGISTRATION)] = space
    return space


__all__ = [
    "MARK_GAP_MM", "MARK_LENGTH_MM", "MARK_WIDTH_PT", "REGISTRATION", "Cells", "add_registration",
    "crop_lines", "cut_marks", "mark_operators", "registration_space",
]
