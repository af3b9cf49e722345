"""Duplex geometry: where a point of the front lies on the back, and the back offset.

A sheet printed on both sides is turned over about one edge.  Seen from the front (against
the light), a point drawn at (x, y) on the back page shows up mirrored across the turning
axis: about the long edge on a portrait sheet, x becomes width − x; about the short edge, y
becomes height − y (on a landscape sheet the other way round).

The back offset is what a user reads on the duplex test sheet (``kaartspel calibrate``):
where the printer puts the back, seen from the front, X to the right and Y up in mm.  The
backs are drawn moved by the opposite, in the back page's own coordinates, so the printer's
drift and the correction cancel.
"""

from __future__ import annotations

from kaartspel.units import Size


def mirrors_x(sheet: Size, duplex: str) -> bool:
    """Return whether turning *sheet* over mirrors x (else it mirrors y)."""
    portrait = sheet.height >= sheet.width
    return (duplex == "long") == portrait


def on_back(point: tuple[float, float], sheet: Size, duplex: str) -> tuple[float, float]:
    """Return where to draw on the back page so that it shows up at *point* of the front."""
    x, y = point
    if duplex == "none":
        return x, y
    if mirrors_x(sheet, duplex):
        return sheet.width - x, y
    return x, sheet.height - y


def back_shift(offset: tuple[float, float], sheet: Size, duplex: str) -> tuple[float, float]:
    """Return how far (mm, back page coordinates) to move the back to cancel *offset*.

    *offset* is the drift read from the front: the back shows up (X right, Y up) off.  A
    move of the back page by (dx, dy) shows up from the front as (−dx, dy) when the turn
    mirrors x and as (dx, −dy) when it mirrors y; the correction is the move that shows
    up as −offset.
    """
    ox, oy = offset
    if duplex == "none":  # one-sided: the backs are sheets of their own, nothing to align
        return 0.0, 0.0
    if mirrors_x(sheet, duplex):
        return ox + 0.0, -oy + 0.0
    return -ox + 0.0, oy + 0.0
