"""The trainer's sheet layouts: shared cut lines, fold-and-glue pairs, marks for what is there.

* **Shared cuts** (``--cut shared``): cards edge to edge, each clipped at its trim except on
  the sides where no card is next to it, where its bleed shows; cut lines run the full
  length of the sheet's margins at every trim line, so a guillotine cuts each line once:
  (columns + 1) + (rows + 1) cuts instead of four per card.
* **Fold** (``--layout fold``): each front with its back to its right, meeting at a fold
  line; folded about it, the back lies behind the front the right way up (a turn about a
  vertical line keeps up up), for printers without duplex.
* **Marks** are drawn only for the cells that hold a card, never around an empty slot.

Lines are ``(x1, y1, x2, y2)`` in mm from the sheet's lower-left corner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kaartspel.errors import UsageError
from kaartspel.units import Size, mm_to_pt

MARK_GAP_MM = 1.0
"""Space between a bleed and the start of a mark."""
MARK_LENGTH_MM = 4.0
"""Length of a crop mark."""
MARK_WIDTH_PT = 0.25
FOLD_DASH_MM = (1.5, 1.0)
"""A fold mark is dashed, so it is never taken for a cut."""

Line = tuple[float, float, float, float]
Rect = tuple[float, float, float, float]
"""Left, bottom, right, top in mm."""


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


def crop_lines(cell_rect: Callable[[int, int], Rect], filled: Cells, bleed: float
               ) -> list[Line]:
    """Return crop marks outside the bleed for the trim lines of the filled cells only.

    A column's marks sit above the top row and below its lowest card; a row's to the left
    of the grid and to the right of its last card.
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


@dataclass(frozen=True)
class TrimGrid:
    """Trim lines of an edge-to-edge grid: column *k*'s left edge, row *k*'s top edge (mm)."""

    origin_x: float
    """Left trim edge of the first column."""
    top_y: float
    """Top trim edge of the first row."""
    card_w: float
    card_h: float

    def x(self, k: int) -> float:
        """Return the x of the trim line left of column *k*."""
        return self.origin_x + k * self.card_w

    def top(self, k: int) -> float:
        """Return the y of the trim line above row *k*."""
        return self.top_y - k * self.card_h


def shared_lines(trim: TrimGrid, filled: set[tuple[int, int]], sheet: Size, margin: float,
                 bleed: float) -> list[Line]:
    """Return full-length cut lines for a shared-cut sheet: at every trim line of the
    filled cells, from the printable margin to a mark's gap short of the cards' bleed."""
    if not filled:
        return []
    g = MARK_GAP_MM
    rows = sorted({r for r, _ in filled})
    cols = sorted({c for _, c in filled})
    top = trim.top(rows[0]) + bleed + g
    lines: list[Line] = []
    for k in range(cols[0], cols[-1] + 2):
        x = trim.x(k)
        beside = [c for c in (k - 1, k) if c in cols]
        low = max(r for r, c in filled if c in beside)
        bottom = trim.top(low + 1) - bleed - g
        lines.append((x, sheet.height - margin, x, top))
        lines.append((x, bottom, x, margin))
    left = trim.x(cols[0]) - bleed - g
    for k in range(rows[0], rows[-1] + 2):
        y = trim.top(k)
        beside = [r for r in (k - 1, k) if r in rows]
        last = max(c for r, c in filled if r in beside)
        right = trim.x(last + 1) + bleed + g
        lines.append((margin, y, left, y))
        lines.append((right, y, sheet.width - margin, y))
    return lines


def plan_shared(card: Size, bleed: float, paper: Size, margin: float) -> tuple[Size, int, int,
                                                                                TrimGrid]:
    """Choose the orientation with the most cards edge to edge, bleed and cut lines at the
    outside; return the sheet, rows, columns and trim grid (centred).  Ties go to portrait."""
    room = MARK_GAP_MM + MARK_LENGTH_MM
    best: tuple[Size, int, int, TrimGrid] | None = None
    for sheet in (paper.portrait, paper.landscape):
        cols = int((sheet.width - 2 * (margin + room + bleed)) // card.width + 1e-9)
        rows = int((sheet.height - 2 * (margin + room + bleed)) // card.height + 1e-9)
        if cols < 1 or rows < 1:
            continue
        x0 = (sheet.width - cols * card.width) / 2
        top = (sheet.height + rows * card.height) / 2
        if best is None or rows * cols > best[1] * best[2]:
            best = (sheet, rows, cols, TrimGrid(x0, top, card.width, card.height))
    if best is None:
        raise UsageError(f"a {card.width:g}×{card.height:g} mm card does not fit on {paper.name} "
                         f"with a {margin:g} mm margin; use a larger --paper")
    return best


def shared_clip(trim: TrimGrid, row: int, col: int, filled: set[tuple[int, int]],
                bleed: float) -> Rect:
    """Return where the card at (*row*, *col*) shows: its trim, grown by the bleed on each
    side with no card next to it."""
    left, right = trim.x(col), trim.x(col + 1)
    top, bottom = trim.top(row), trim.top(row + 1)
    return (left - (bleed if (row, col - 1) not in filled else 0),
            bottom - (bleed if (row + 1, col) not in filled else 0),
            right + (bleed if (row, col + 1) not in filled else 0),
            top + (bleed if (row - 1, col) not in filled else 0))


def line_operators(lines: Sequence[Line], cmyk: bool, dash: Sequence[float] = ()) -> bytes:
    """Return operators stroking *lines* in black (DeviceGray, or 100 % K when *cmyk*)."""
    pattern = " ".join(f"{mm_to_pt(d):.3f}" for d in dash)
    ops = [f"q {MARK_WIDTH_PT} w {'0 0 0 1 K' if cmyk else '0 G'} 0 J [{pattern}] 0 d"]
    ops.extend(f"{mm_to_pt(x1):.3f} {mm_to_pt(y1):.3f} m {mm_to_pt(x2):.3f} {mm_to_pt(y2):.3f} l S"
               for x1, y1, x2, y2 in lines)
    ops.append("Q\n")
    return "\n".join(ops).encode()


def place_clipped(name: str, x: float, y: float, clip: Rect | None) -> bytes:
    """Return operators placing form *name* with its lower-left at (*x*, *y*) mm, drawn only
    inside *clip* (mm, on the sheet) when given."""
    clip_ops = ""
    if clip is not None:
        left, bottom, right, top = clip
        clip_ops = (f"{mm_to_pt(left):.3f} {mm_to_pt(bottom):.3f} {mm_to_pt(right - left):.3f} "
                    f"{mm_to_pt(top - bottom):.3f} re W n ")
    return (f"q {clip_ops}1 0 0 1 {mm_to_pt(x):.3f} {mm_to_pt(y):.3f} cm /{name} Do Q\n"
            ).encode()
