"""Diagrams drawn from the data as SVG: the ambition ladder and the phase cycle.

Only numbers and geometry are generated here; colours are escaped like any other value.
The mini versions sit on a card's coloured band, drawn in *light* on a *dark* band colour.
They carry no text: the step or phase number is in the card's label, at a legible size,
and tiny digits in a band would fall below 7 pt and into the cutting margin.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup


def _svg(width: float, height: float, parts: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.2f} {height:.2f}">'
        + "".join(parts)
        + "</svg>"
    )


def mini_ladder(count: int, current: int, dark: str, light: str = "#ffffff") -> Markup:
    """Return a staircase of *count* steps, step *current* (1-based) solid, the rest faint."""
    step_w, step_h, gap = 8.0, 4.0, 1.0
    width = count * step_w + (count - 1) * gap
    height = count * step_h + 1
    parts = []
    for i in range(1, count + 1):
        x = (i - 1) * (step_w + gap)
        h = i * step_h
        opacity = "1" if i == current else "0.38"
        parts.append(
            f'<rect x="{x:.2f}" y="{height - h:.2f}" width="{step_w:.2f}" height="{h:.2f}" '
            f'rx="0.8" fill="{escape(light)}" fill-opacity="{opacity}"/>'
        )
    return _svg(width, height, parts)


def mini_cycle(count: int, current: int, dark: str, light: str = "#ffffff") -> Markup:
    """Return a ring of *count* phases joined by clockwise arrows; *current* is solid."""
    size, radius, dot = 40.0, 14.0, 4.6
    cx = cy = size / 2
    parts = [
        f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{escape(light)}" '
        'stroke-opacity="0.5" stroke-width="1.6"/>'
    ]
    for i in range(count):
        angle = -math.pi / 2 + 2 * math.pi * (i - 0.5) / count  # 1 top left, as the poster
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        mid = angle + math.pi / count  # arrow halfway to the next phase
        ax, ay = cx + radius * math.cos(mid), cy + radius * math.sin(mid)
        t = mid + math.pi / 2  # clockwise tangent
        head = [
            (ax + 2.4 * math.cos(t), ay + 2.4 * math.sin(t)),
            (ax + 2.0 * math.cos(t + 2.3), ay + 2.0 * math.sin(t + 2.3)),
            (ax + 2.0 * math.cos(t - 2.3), ay + 2.0 * math.sin(t - 2.3)),
        ]
        points = " ".join(f"{px:.2f},{py:.2f}" for px, py in head)
        parts.append(f'<polygon points="{points}" fill="{escape(light)}"/>')
        solid = i + 1 == current
        parts.append(
            f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{dot}" '
            f'fill="{escape(light) if solid else escape(dark)}" stroke="{escape(light)}" '
            'stroke-width="1"/>'
        )
    return _svg(size, size, parts)
