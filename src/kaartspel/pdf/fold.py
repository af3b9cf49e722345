"""``--layout fold``: each card's front with its back to its right, to fold and glue.

For printers without duplex.  The pair is one cell of the grid: the front shows its bleed
on the left, top and bottom, the back on the right, top and bottom, and they meet at the
fold line, each clipped there at its trim.  Folded about that line (the back goes behind),
the back lies exactly behind the front, the right way up.  Crop marks go round each pair,
a dashed fold mark above and below its fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from kaartspel.pdf.impose import Grid, Imposition, PageSource, art_box, new_sheet, plan_grid
from kaartspel.pdf.layouts import FOLD_DASH_MM, Line, place_clipped
from kaartspel.pdf.marks import (
    MARK_GAP_MM,
    MARK_LENGTH_MM,
    MARK_WIDTH_PT,
    Cells,
    crop_lines,
    mark_operators,
)
from kaartspel.units import Size


def plan_fold_grid(card: Size, bleed: float, paper: Size, margin: float, gutter: float
                   ) -> Grid:
    """Return the grid of pairs: a cell is a front and its back side by side, with bleed."""
    return plan_grid(Size(f"{card.name} pair", 2 * card.width, card.height), bleed, paper,
                     margin, gutter)


def fold_lines(grid: Grid, bleed: float, count: int) -> list[Line]:
    """Return the dashed fold marks of the first *count* pairs: above and below each fold."""
    lines: list[Line] = []
    for slot in range(count):
        x0, y0 = grid.cell(*divmod(slot, grid.cols))
        fold = x0 + grid.cell_w / 2
        top, bottom = y0 + grid.cell_h, y0
        lines.append((fold, top + MARK_GAP_MM, fold, top + MARK_GAP_MM + MARK_LENGTH_MM))
        lines.append((fold, bottom - MARK_GAP_MM, fold, bottom - MARK_GAP_MM - MARK_LENGTH_MM))
    return lines


def impose_fold(source: Pdf | PageSource, fronts: Sequence[int], backs: Sequence[int | None],
                grid: Grid, bleed: float, registration: bool = False) -> Pdf:
    """Return sheets of front-and-back pairs (one-sided printing), marks round each pair
    (in the registration colour when *registration*: the print variant)."""
    imposition = Imposition(source)
    out = imposition.out
    half = grid.cell_w / 2  # the card plus one bleed
    for chunk in imposition.sheets(len(fronts), grid):
        used: dict[str, pikepdf.Object] = {}
        content = b""
        for slot, i in enumerate(chunk):
            x0, y0 = grid.cell(*divmod(slot, grid.cols))
            top = y0 + grid.cell_h
            fold = x0 + half
            used[f"F{fronts[i]}"] = imposition.form(fronts[i])
            content += place_clipped(f"F{fronts[i]}", x0, y0, (x0, y0, fold, top))
            back = backs[i]
            if back is not None:
                used[f"B{back}"] = imposition.form(back)
                # The back's page starts a bleed left of its trim, which lies on the fold.
                content += place_clipped(f"B{back}", fold - bleed, y0,
                                         (fold, y0, x0 + grid.cell_w, top))
        cells = Cells(grid.rows, grid.cols, len(chunk))
        content += mark_operators(crop_lines(grid.cell_rect, cells, bleed), registration)
        content += mark_operators(fold_lines(grid, bleed, len(chunk)), registration,
                                  MARK_WIDTH_PT, FOLD_DASH_MM)
        new_sheet(out, grid.sheet, used, content, art_box(grid, bleed), registration)
    out.Root.ViewerPreferences = Dictionary(PrintScaling=Name("/None"), Duplex=Name.Simplex)
    return out
