"""Physical sizes: cards, papers and posters in millimetres, and unit conversion."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaartspel.errors import UsageError

MM_PER_INCH = 25.4
MM = 72 / MM_PER_INCH
"""PDF points per millimetre (the one conversion every module uses)."""

SAFE_MM = 4.0
"""Distance from the trim to any text (the brief: cutting tolerance is up to 1.5 mm)."""

MIN_TEXT_PT = 7.0
"""The smallest text size allowed anywhere (the brief's print facts)."""


def mm_to_pt(mm: float) -> float:
    """Convert millimetres to PDF points."""
    return mm * MM


def pt_to_mm(pt: float) -> float:
    """Convert PDF points to millimetres."""
    return pt / MM


@dataclass(frozen=True)
class Size:
    """A width × height in millimetres, with the name it was asked for."""

    name: str
    width: float
    height: float

    @property
    def landscape(self) -> Size:
        """Return the same size with the long side horizontal."""
        w, h = max(self.width, self.height), min(self.width, self.height)
        return Size(self.name, w, h)

    @property
    def portrait(self) -> Size:
        """Return the same size with the long side vertical."""
        w, h = min(self.width, self.height), max(self.width, self.height)
        return Size(self.name, w, h)

    def __str__(self) -> str:
        return f"{self.name} ({self.width:g}×{self.height:g} mm)"


CARD_SIZES = {
    "poker": Size("poker", 63, 88),
    "bridge": Size("bridge", 57, 89),
    "tarot": Size("tarot", 70, 120),
    "mini": Size("mini", 44, 68),
    "square": Size("square", 70, 70),
    "a7": Size("a7", 74, 105),
    "a6": Size("a6", 105, 148),
}
DEFAULT_CARD_SIZE = "poker"

PAPER_SIZES = {
    "a4": Size("a4", 210, 297),
    "a3": Size("a3", 297, 420),
    "letter": Size("letter", 215.9, 279.4),
}

POSTER_SIZES = {
    "a0": Size("a0", 841, 1189),
    "a1": Size("a1", 594, 841),
    "a2": Size("a2", 420, 594),
    "a3": Size("a3", 297, 420),
    "a4": Size("a4", 210, 297),
}

# Limits that keep a custom size printable: smaller cards cannot hold a question at 7 pt,
# larger ones are posters, not cards.
CARD_MIN_MM, CARD_MAX_MM = 40.0, 300.0
_WXH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(mm)?\s*$", re.IGNORECASE)


def card_size(spec: str) -> Size:
    """Return the card size for a name (``poker``…) or ``WxH`` in millimetres."""
    key = spec.strip().lower()
    if key in CARD_SIZES:
        return CARD_SIZES[key]
    match = _WXH.match(key)
    if not match:
        raise UsageError(
            f"unknown card size '{spec}' (use one of {', '.join(CARD_SIZES)} or WxH in mm, "
            "e.g. 80x120)"
        )
    width, height = float(match[1]), float(match[2])
    for side in (width, height):
        if not CARD_MIN_MM <= side <= CARD_MAX_MM:
            raise UsageError(
                f"card size '{spec}': each side must be {CARD_MIN_MM:g}–{CARD_MAX_MM:g} mm"
            )
    return Size(f"{width:g}x{height:g}", width, height)


def paper_size(spec: str) -> Size:
    """Return a paper size by name."""
    key = spec.strip().lower()
    if key not in PAPER_SIZES:
        raise UsageError(f"unknown paper '{spec}' (valid: {', '.join(PAPER_SIZES)})")
    return PAPER_SIZES[key]


def poster_size(spec: str) -> Size:
    """Return a poster size by name."""
    key = spec.strip().lower()
    if key not in POSTER_SIZES:
        raise UsageError(f"unknown poster size '{spec}' (valid: {', '.join(POSTER_SIZES)})")
    return POSTER_SIZES[key]


def check_length(name: str, value: float, maximum: float) -> float:
    """Return *value* if it is a sane length in mm (0 ≤ value ≤ maximum), else a usage error."""
    if not 0 <= value <= maximum or value != value:  # value != value: NaN
        raise UsageError(f"{name} must be between 0 and {maximum:g} mm, got {value:g}")
    return value
