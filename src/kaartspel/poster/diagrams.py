"""The poster's diagrams as inline SVG, drawn from the content: the ambition staircase, the cycle.

Only shapes are drawn here; every word (step and phase numbers, titles, texts) is HTML placed
over or beside the drawing by the poster layout, so it stays live, hyphenated and measurable.
Coordinates are millimetres inside the diagram's own box (``viewBox`` in mm, so the drawing is
exactly as large as the box the layout gave it).  Colours and labels are escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Rect:
    """A rectangle in mm, relative to the diagram's top-left corner."""

    x: float
    y: float
    w: float
    h: float


def _svg(width: float, height: float, label: str, parts: Sequence[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width:.3f}mm" height="{height:.3f}mm" viewBox="0 0 {width:.3f} {height:.3f}">'
        f"<title>{escape(label)}</title>" + "".join(parts) + "</svg>"
    )


GOAL_DEPTH = 0.2
"""How much of the theme colour the goal step's tint holds (ink on it keeps 7:1 contrast)."""


def mix(light: str, dark: str, share: float) -> str:
    """Return the sRGB colour *share* of the way from *light* to *dark* (``#rrggbb``)."""
    a = [int(light.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    b = [int(dark.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def staircase(
    steps: Sequence[Rect],
    width: float,
    height: float,
    colour: str,
    tint: str,
    label: str,
    tread: float,
    gap: float,
    goal: str | None = None,
) -> Markup:
    """Return the ambition staircase: one block per step, rising from left to right.

    *steps* are the blocks from the lowest (01) to the highest; every block is filled with
    the theme *tint* and capped by a *tread* (mm) in the theme *colour*; the highest, the goal
    of the ladder, in a deeper tint (its text stays dark on light: reversed body text would
    have to be bold and 8 pt or more), *goal* (default: :data:`GOAL_DEPTH` of the way from
    the tint to the colour, in sRGB).  Blocks are separated by a white *gap*.
    """
    parts = []
    last = len(steps) - 1
    goal = goal or mix(tint, colour, GOAL_DEPTH)  # (*goal*: given where colours are not sRGB)
    for index, step in enumerate(steps):
        x = step.x + (gap / 2 if index else 0)
        w = step.w - (gap / 2 if index else 0) - (gap / 2 if index < last else 0)
        fill = goal if index == last else tint
        parts.append(
            f'<rect x="{x:.3f}" y="{step.y:.3f}" width="{w:.3f}" height="{step.h:.3f}" '
            f'fill="{escape(fill)}"/>'
        )
        parts.append(
            f'<rect x="{x:.3f}" y="{step.y:.3f}" width="{w:.3f}" height="{tread:.3f}" '
            f'fill="{escape(colour)}"/>'
        )
    return _svg(width, height, label, parts)


def cycle_angles(count: int) -> list[float]:
    """Return the angle (radians, clockwise from 3 o'clock) of each phase on the circle.

    The phases are spread evenly and symmetrically about the vertical axis, the first one just
    left of 12 o'clock, so that with four phases they sit on the diagonals: 01 top left,
    02 top right, 03 bottom right, 04 bottom left.  Reading starts where a reader starts, at
    the top left, and follows the arrows clockwise.
    """
    return [-math.pi / 2 + 2 * math.pi * (k - 0.5) / count for k in range(count)]


def cycle(
    width: float,
    height: float,
    cx: float,
    cy: float,
    radius: float,
    node_radius: float,
    count: int,
    colour: str,
    tint: str,
    label: str,
    stroke: float,
    icon: str = "",
    icon_size: float = 0.0,
) -> Markup:
    """Return the cycle: *count* numbered nodes on a circle joined by clockwise arrows.

    The arrows are arcs from each node to the next, the last leading back to the first; the
    numbers are not drawn here (the layout puts them over the nodes as text).  An optional
    *icon* (inline SVG markup, already coloured) sits in the middle.
    """
    angles = cycle_angles(count)
    head = stroke * 3.2  # arrowhead length
    clearance = node_radius + stroke * 1.6
    parts = [
        f'<circle cx="{cx:.3f}" cy="{cy:.3f}" r="{radius - stroke * 5:.3f}" '
        f'fill="{escape(tint)}"/>'
    ]
    for k, start in enumerate(angles):
        end = angles[(k + 1) % count] + (2 * math.pi if k + 1 == count else 0)
        a0 = start + clearance / radius
        a1 = end - (clearance + head) / radius
        if a1 <= a0:
            continue
        x0, y0 = cx + radius * math.cos(a0), cy + radius * math.sin(a0)
        x1, y1 = cx + radius * math.cos(a1), cy + radius * math.sin(a1)
        large = 1 if a1 - a0 > math.pi else 0
        parts.append(
            f'<path d="M{x0:.3f} {y0:.3f}A{radius:.3f} {radius:.3f} 0 {large} 1 {x1:.3f} {y1:.3f}" '
            f'fill="none" stroke="{escape(colour)}" stroke-width="{stroke:.3f}"/>'
        )
        # Arrowhead: its tip on the circle, pointing along the clockwise tangent.
        tip_angle = end - clearance / radius
        tx, ty = cx + radius * math.cos(tip_angle), cy + radius * math.sin(tip_angle)
        tangent = tip_angle + math.pi / 2
        bx, by = tx - head * math.cos(tangent), ty - head * math.sin(tangent)
        nx, ny = math.cos(tip_angle), math.sin(tip_angle)
        half = head * 0.62
        points = [
            (tx, ty),
            (bx + nx * half, by + ny * half),
            (bx - nx * half, by - ny * half),
        ]
        parts.append(
            '<polygon points="'
            + " ".join(f"{px:.3f},{py:.3f}" for px, py in points)
            + f'" fill="{escape(colour)}"/>'
        )
    for angle in angles:
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        parts.append(
            f'<circle cx="{x:.3f}" cy="{y:.3f}" r="{node_radius:.3f}" fill="{escape(colour)}"/>'
        )
    if icon and icon_size > 0:
        parts.append(
            f'<svg x="{cx - icon_size / 2:.3f}" y="{cy - icon_size / 2:.3f}" '
            f'width="{icon_size:.3f}" height="{icon_size:.3f}" viewBox="0 0 24 24">'
            + _inner_svg(icon)
            + "</svg>"
        )
    return _svg(width, height, label, parts)


def node_centres(cx: float, cy: float, radius: float, count: int) -> list[tuple[float, float]]:
    """Return the centre of every phase node, in the same order as :func:`cycle_angles`."""
    return [(cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in cycle_angles(count)]


def _inner_svg(svg: str) -> str:
    """Return an icon's ``<svg …>`` element re-used as a group (its attributes kept)."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    attrs = svg[start + 4 : end]
    body = svg[end + 1 : svg.rfind("</svg>")]
    keep = []
    for name in ("fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin"):
        marker = f'{name}="'
        at = attrs.find(marker)
        if at >= 0:
            value = attrs[at + len(marker) : attrs.find('"', at + len(marker))]
            keep.append(f'{name}="{escape(value)}"')
    return f"<g {' '.join(keep)}>{body}</g>"
