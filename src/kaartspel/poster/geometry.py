"""The poster's geometry and type: page, margins, columns and the type sizes of each role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kaartspel.units import MIN_TEXT_PT, Size

log = logging.getLogger(__name__)




REFERENCE_MM = 594.0
"""Short side of A1, the size the design is drawn for (scale 1)."""

BODY_STEPS = tuple(x / 2 for x in range(36, 15, -1))
"""Body sizes in pt at A1 (18 … 8 pt in half points); scaled with the page, largest fitting wins."""

TYPICAL_BODY = 14.0
"""Body size (pt at A1) that the bundled content gets: where the fit search starts."""

MARK_OFFSET_MM = 1.0
"""Crop marks start this far outside the bleed."""
MARK_LENGTH_MM = 5.0
MARK_ZONE_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 1.0
"""Room around the bleed for crop marks (only when there is a bleed)."""
MARK_WIDTH_PT = 0.25

SLACK_MM = 0.15
"""Added to every measured height, against rounding between the two passes."""


# --------------------------------------------------------------------------------------------
# Geometry and type


@dataclass(frozen=True)
class Geometry:
    """The poster's trim size, bleed and scale; every design length goes through :meth:`mm`."""

    width: float
    height: float
    bleed: float
    orientation: str

    @classmethod
    def create(cls, size: Size, orientation: str, bleed: float) -> Geometry:
        """Return the geometry of *size* turned to *orientation*."""
        oriented = size.landscape if orientation == "landscape" else size.portrait
        return cls(oriented.width, oriented.height, bleed, orientation)

    @property
    def scale(self) -> float:
        """Return the page's short side relative to A1's (A1 = 1, A4 ≈ 0.354, A0 ≈ 1.416)."""
        return min(self.width, self.height) / REFERENCE_MM

    def mm(self, value: float) -> float:
        """Return a design length (mm at A1) at this page's scale."""
        return value * self.scale

    @property
    def offset(self) -> float:
        """Return the distance from the page edge to the trim (bleed plus crop-mark zone)."""
        return self.bleed + MARK_ZONE_MM if self.bleed > 0 else 0.0

    @property
    def page_w(self) -> float:
        return self.width + 2 * self.offset

    @property
    def page_h(self) -> float:
        return self.height + 2 * self.offset

    @property
    def landscape(self) -> bool:
        return self.orientation == "landscape"

    @property
    def margin(self) -> float:
        """Return the side margin: the white space between trim and text."""
        return self.mm(24)

    @property
    def gutter(self) -> float:
        return self.mm(14)

    @property
    def cols(self) -> int:
        return 4 if self.landscape else 3

    @property
    def col_w(self) -> float:
        inner = self.width - 2 * self.margin
        return (inner - (self.cols - 1) * self.gutter) / self.cols

    def span(self, first: int, count: int = 1) -> tuple[float, float]:
        """Return (x, width) of *count* grid columns starting at column *first* (0-based)."""
        x = self.margin + first * (self.col_w + self.gutter)
        return x, count * self.col_w + (count - 1) * self.gutter

    def split(self, x: float, w: float, parts: int) -> list[tuple[float, float]]:
        """Return *parts* equal columns across (x, w), a gutter apart."""
        g = self.gutter
        cw = (w - (parts - 1) * g) / parts
        return [(x + i * (cw + g), cw) for i in range(parts)]


def body_steps(scale: float) -> list[float]:
    """Return the candidate body sizes (pt) for a page of *scale*, largest first, none < 7 pt."""
    steps = sorted({round(max(MIN_TEXT_PT, b * scale), 2) for b in BODY_STEPS}, reverse=True)
    return steps


def poster_roles(body: float, scale: float) -> dict[str, float]:
    """Return the font size (pt) of every text role for a body size; none below 7 pt."""
    def at_least(value: float) -> float:
        return max(MIN_TEXT_PT, value)

    # Near the 7 pt floor the contrast between roles shrinks (a common typographic rule for
    # small print): the steps above the body are scaled by *k*, 1 for a body of 10 pt or more.
    k = min(1.0, max(0.6, (body - 7.0) / 3.0 * 0.4 + 0.6))

    def up(ratio: float) -> float:
        return body * (1 + (ratio - 1) * k)

    return {
        "small": at_least(body * 0.84),
        "body": body,
        "question": up(1.08),
        "h3": up(1.2),
        "lead": up(1.5),
        "h2": up(1.75),
        "number": up(1.9),
        "title": max(up(4.2), 78 * scale),
    }
