"""Read back the lines a page strokes: an independent reading of the content stream.

Only the path operators kaartspel's own drawings use are followed (``m``, ``l``, ``c``,
``re``, ``S``/``s``, ``w``, ``d``, the colour operators, ``cm``, ``q``/``Q``), which is
enough to check where a crop mark, a grid line or a die line is, in mm from the page's
lower-left corner.  Import as ``from support.strokes import strokes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pikepdf

MM = 72 / 25.4
_SCRATCH = pikepdf.Pdf.new()  # a stream must belong to some PDF to be parsed


@dataclass(frozen=True)
class Stroke:
    """One stroked path: its points in mm, and how it was drawn."""

    points: tuple[tuple[float, float], ...]
    width: float
    colour: tuple[Any, ...]
    """The stroke colour: ('G', 0.0), ('RG', r, g, b), ('K', c, m, y, k), ('CS', '/Die', 1.0)."""
    dash: tuple[float, ...]
    """The dash pattern in mm (empty: solid)."""
    layer: str | None = None
    """The /OC marked-content property name around it, if any."""

    @property
    def segment(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The first and last point (a straight line's ends)."""
        return self.points[0], self.points[-1]


@dataclass
class _State:
    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    width: float = 1.0
    colour: tuple[Any, ...] = ("G", 0.0)
    space: str = "/DeviceGray"
    dash: tuple[float, ...] = ()
    stack: list[Any] = field(default_factory=list)


def _mul(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def strokes(page: pikepdf.Page, streams: slice | None = None) -> list[Stroke]:
    """Return every stroked path of *page* (of the given content streams: all by default)."""
    contents = page.obj.Contents
    items = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    data = b"\n".join(item.read_bytes() for item in items[streams or slice(None)])
    found: list[Stroke] = []
    state = _State()
    path: list[tuple[float, float]] = []
    layers: list[str | None] = []

    def point(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = state.ctm
        return ((a * x + c * y + e) / MM, (b * x + d * y + f) / MM)

    for operands, operator in pikepdf.parse_content_stream(pikepdf.Stream(_SCRATCH, data)):
        op = str(operator)
        values = [v if isinstance(v, pikepdf.Name | pikepdf.Array | pikepdf.Dictionary
                                  | pikepdf.String) else float(v) for v in operands]
        if op == "q":
            state.stack.append((state.ctm, state.width, state.colour, state.space, state.dash))
        elif op == "Q" and state.stack:
            state.ctm, state.width, state.colour, state.space, state.dash = state.stack.pop()
        elif op == "cm":
            state.ctm = _mul(tuple(values), state.ctm)
        elif op == "w":
            state.width = values[0]
        elif op == "d":
            state.dash = tuple(float(v) / MM for v in operands[0])
        elif op in ("G", "RG", "K"):
            state.colour = (op, *values)
        elif op == "CS":
            state.space = str(operands[0])
        elif op in ("SCN", "SC"):
            state.colour = ("CS", state.space, *values)
        elif op == "m":
            path = [point(values[0], values[1])]
        elif op == "l":
            path.append(point(values[0], values[1]))
        elif op == "c":
            path.append(point(values[4], values[5]))
        elif op == "re":
            x, y, w, h = values
            path = [point(x, y), point(x + w, y), point(x + w, y + h), point(x, y + h),
                    point(x, y)]
        elif op in ("S", "s"):
            if op == "s" and path:
                path.append(path[0])
            found.append(Stroke(tuple(path), state.width, state.colour, state.dash,
                                next((name for name in reversed(layers) if name), None)))
            path = []
        elif op in ("f", "f*", "n", "B", "b"):
            path = []
        elif op == "BDC":
            tag, props = operands
            layers.append(str(props) if str(tag) == "/OC" else None)
        elif op == "BMC":
            layers.append(None)
        elif op == "EMC" and layers:
            layers.pop()
    return found
