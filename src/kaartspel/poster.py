"""Build the dialogue poster (A0–A4, portrait or landscape) from the same content as the cards.

Every size is the same design scaled: lengths are designed in millimetres for A1 and multiplied
by ``short side / 594``; type follows the page too, except that nothing drops below 7 pt.

Layout is measured, not guessed.  A page is a tree of stacks (:class:`VStack`, :class:`HStack`)
whose leaves are text blocks of fixed width; the staircase and the cycle are nodes that size
their drawings from the text they hold.  For a body size, one WeasyPrint pass lays out every
leaf at its width with a free height; the tree then needs a certain height.  The largest body
size (a step on a page-scaled type scale) at which the tree fits the page wins; spare height
goes to the gaps and to the diagrams.  To show that the next step is too large, only the leaves
on the tree's tallest path are laid out (a lower bound of its height; a cold A1 build measures
31 blocks at its size and 13 at the next).  The final render puts every leaf in a fixed-size
``.fit`` box, and :func:`render.measure_overflow` confirms that nothing overflows.

At 7 pt the text needs about 1.8 times an A4 page, so A4 (and A3 landscape) cannot be one
legible page: up to A3, a poster whose text does not fit one side at 7 pt is laid out as a
two-sided handout, its sections (never split) spread evenly over the fewest pages.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import poster_diagrams as diagrams
from .cache import digest
from .errors import FitError, Problem, RenderError, UsageError
from .model import Content, load_content
from .output import check_output, save_pdf
from .render import (
    PX_TO_MM,
    TemplateRenderer,
    _box_overflow,
    _fit_boxes,
    measure_overflow,
    render_document,
    write_pdf,
)
from .sizes import Size, check_length, mm_to_pt, paper_size, poster_size
from .style import MIN_TEXT_PT, Palette, TemplateSet

log = logging.getLogger(__name__)

ORIENTATIONS = ("portrait", "landscape")
TILE_PAPERS = ("a4", "a3")

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


@dataclass(frozen=True)
class PosterOptions:
    """Everything that defines a poster besides the content."""

    lang: str = "nl"
    size: str = "a1"
    orientation: str = "portrait"
    bleed: float = 0.0
    tile: str | None = None
    overlap: float = 10.0
    margin: float = 5.0
    strict: bool = True
    templates: tuple[Path, ...] = ()

    def validated(self) -> PosterOptions:
        """Return self, or raise UsageError naming the first invalid option."""
        poster_size(self.size)
        if self.orientation not in ORIENTATIONS:
            raise UsageError(
                f"unknown orientation '{self.orientation}' (valid: {', '.join(ORIENTATIONS)})"
            )
        if self.tile is not None and self.tile.strip().lower() not in TILE_PAPERS:
            raise UsageError(f"unknown tile paper '{self.tile}' (valid: {', '.join(TILE_PAPERS)})")
        check_length("--bleed", self.bleed, 10)
        check_length("--overlap", self.overlap, 50)
        check_length("--margin", self.margin, 30)
        return self


@dataclass
class PosterResult:
    """What a poster build produced."""

    path: Path
    pages: int
    base_pt: float
    seconds: float = 0.0


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


# --------------------------------------------------------------------------------------------
# Layout tree


@dataclass
class Box:
    """A rectangle in mm from the poster's trim corner (top-left)."""

    x: float
    y: float
    w: float
    h: float


@dataclass
class Block:
    """One piece of HTML at a measured, fixed-size position; ``kind`` names its partial."""

    id: str
    kind: str
    section: str
    """Where its text comes from (``rollen``, ``intro.why`` …), for fit errors."""
    theme: str
    data: Any = None
    cls: str = ""
    box: Box | None = None
    page: int = 0


@dataclass
class Decor:
    """A drawing or a colour field behind the text (no text of its own)."""

    box: Box
    svg: Markup | None = None
    colour: str = ""
    cls: str = ""
    page: int = 0


@dataclass
class Placement:
    """The result of laying the pages out: blocks and decoration per page, in paint order."""

    blocks: list[Block] = field(default_factory=list)
    decor: list[Decor] = field(default_factory=list)
    page: int = 0
    """The page being laid out."""

    def add(self, block: Block) -> None:
        block.page = self.page
        self.blocks.append(block)

    def paint(self, decor: Decor, first: bool = False) -> None:
        """Add *decor* to the current page, under everything painted so far if *first*."""
        decor.page = self.page
        if first:
            self.decor.insert(0, decor)
        else:
            self.decor.append(decor)

    @property
    def pages(self) -> int:
        return self.page + 1


Heights = Mapping[str, float]


class Node:
    """A part of the poster that can say how tall it must be and place itself."""

    grow: float = 0.0

    def leaves(self) -> Iterator[Leaf]:
        raise NotImplementedError

    def natural(self, need: Heights) -> float:
        raise NotImplementedError

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        raise NotImplementedError

    def culprit(self, need: Heights) -> Leaf:
        """Return the leaf that makes this node as tall as it is."""
        raise NotImplementedError

    def critical(self, need: Heights) -> Iterator[Leaf]:
        """Yield the measured leaves that decide this node's height with the heights *need*.

        Heights only add up (stacks) or take the larger (side by side), so the natural height
        computed from these leaves alone, the others counted as 0 mm, is a lower bound of the
        true one at any size: a cheap proof that a size overflows (see :func:`find_fit`).
        """
        raise NotImplementedError


class Leaf(Node):
    """A text block of fixed width whose height is measured."""

    def __init__(self, block: Block, x: float, w: float, grow: float = 0.0,
                 fixed: float | None = None) -> None:
        self.block, self.x, self.w, self.grow, self.fixed = block, x, w, grow, fixed

    def leaves(self) -> Iterator[Leaf]:
        yield self

    @property
    def measured(self) -> bool:
        return self.fixed is None

    def natural(self, need: Heights) -> float:
        return self.fixed if self.fixed is not None else need[self.block.id] + SLACK_MM

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        self.block.box = Box(self.x, y, self.w, h)
        out.add(self.block)

    def culprit(self, need: Heights) -> Leaf:
        return self

    def critical(self, need: Heights) -> Iterator[Leaf]:
        if self.measured:
            yield self


class VStack(Node):
    """Children one below the other; spare height goes to the gaps (up to *spread* each),
    then to children that *grow*, then to the gaps again."""

    def __init__(self, children: Sequence[Node], gap: float, grow: float = 0.0,
                 spread: float = 0.0, shares: Sequence[float] | None = None,
                 rigid: bool = False, anchor_last: bool = False) -> None:
        self.children, self.gap, self.grow, self.spread = list(children), gap, grow, spread
        self.shares = list(shares) if shares else None
        self.rigid = rigid
        """Children never grow: spare height beyond the spread stays at the bottom …"""
        self.anchor_last = anchor_last
        """… or above the last child, which then sits at the bottom (a footer)."""

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.leaves()

    def natural(self, need: Heights) -> float:
        return sum(c.natural(need) for c in self.children) + self.gap * (len(self.children) - 1)

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        heights = [c.natural(need) for c in self.children]
        gaps = len(self.children) - 1
        extra = max(0.0, h - sum(heights) - self.gap * gaps)
        per_gap = min(self.spread, extra / gaps) if gaps and self.spread else 0.0
        extra -= per_gap * gaps
        weights = [0.0 if self.rigid else c.grow for c in self.children]
        last_gap = 0.0
        if sum(weights) > 0:
            heights = [hh + extra * w / sum(weights)
                       for hh, w in zip(heights, weights, strict=True)]
        elif self.rigid:
            last_gap = extra if self.anchor_last else 0.0
        elif gaps and self.spread:
            per_gap += extra / gaps
        for index, (child, height) in enumerate(zip(self.children, heights, strict=True)):
            if index and index == len(self.children) - 1:
                y += last_gap
            child.place(y, height, need, out)
            y += height + self.gap + per_gap

    def culprit(self, need: Heights) -> Leaf:
        heights = [c.natural(need) for c in self.children]
        if self.shares:
            total = sum(heights)
            excess = [hh - s * total for hh, s in zip(heights, self.shares, strict=True)]
            index = max(range(len(heights)), key=lambda i: excess[i])
        else:
            index = max(range(len(heights)), key=lambda i: heights[i])
        return self.children[index].culprit(need)

    def critical(self, need: Heights) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.critical(need)


class HStack(Node):
    """Children side by side (each knows its x and width); all get the tallest one's height."""

    def __init__(self, children: Sequence[Node], grow: float = 0.0) -> None:
        self.children, self.grow = list(children), grow

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.leaves()

    def natural(self, need: Heights) -> float:
        return max(c.natural(need) for c in self.children)

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        for child in self.children:
            child.place(y, h, need, out)

    def culprit(self, need: Heights) -> Leaf:
        return max(self.children, key=lambda c: c.natural(need)).culprit(need)

    def critical(self, need: Heights) -> Iterator[Leaf]:
        yield from max(self.children, key=lambda c: c.natural(need)).critical(need)


class Panel(Node):
    """A colour field behind a child, with padding; it may run off the trim into the bleed."""

    def __init__(self, child: Node, x: float, w: float, pad_top: float, pad_bottom: float,
                 colour: str = "", bleed_edges: str = "", geometry: Geometry | None = None,
                 grow: float = 0.0, cls: str = "") -> None:
        self.child, self.x, self.w = child, x, w
        self.pad_top, self.pad_bottom = pad_top, pad_bottom
        self.colour, self.bleed_edges, self.grow, self.cls = colour, bleed_edges, grow, cls
        self.bleed = geometry.bleed if geometry else 0.0
        self.trim_w = geometry.width if geometry else 0.0

    def leaves(self) -> Iterator[Leaf]:
        yield from self.child.leaves()

    def natural(self, need: Heights) -> float:
        return self.pad_top + self.child.natural(need) + self.pad_bottom

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        x0, y0, x1, y1 = self.x, y, self.x + self.w, y + h
        if "l" in self.bleed_edges:
            x0 = -self.bleed
        if "r" in self.bleed_edges:
            x1 = self.trim_w + self.bleed
        if "t" in self.bleed_edges:
            y0 = -self.bleed
        if self.colour:
            out.paint(Decor(Box(x0, y0, x1 - x0, y1 - y0), colour=self.colour, cls=self.cls))
        self.child.place(y + self.pad_top, h - self.pad_top - self.pad_bottom, need, out)

    def culprit(self, need: Heights) -> Leaf:
        return self.child.culprit(need)

    def critical(self, need: Heights) -> Iterator[Leaf]:
        yield from self.child.critical(need)


class Stair(Node):
    """The ambition ladder: one block per step rising left to right, each holding its text.

    Step *i* (0-based) is ``H₀ + i·r`` tall; the rise *r* is at least *rise_min* so it reads as
    a staircase, and grows (up to *rise_max*) when the stair is given spare height.
    """

    def __init__(self, x: float, w: float, steps: Sequence[Block], pad: float, tread: float,
                 rise_min: float, rise_max: float, gap: float, colour: str, tint: str,
                 label: str) -> None:
        self.x, self.w, self.pad, self.tread = x, w, pad, tread
        self.rise_min, self.rise_max, self.gap = rise_min, rise_max, gap
        self.colour, self.tint, self.label = colour, tint, label
        self.step_w = w / len(steps)
        self.grow = 1.0
        last = len(steps) - 1
        self.items = [
            Leaf(block, x + i * self.step_w + pad + (gap / 2 if i else 0),
                 self.step_w - 2 * pad - gap / 2 * ((1 if i else 0) + (1 if i < last else 0)))
            for i, block in enumerate(steps)
        ]

    def leaves(self) -> Iterator[Leaf]:
        yield from self.items

    def _needs(self, need: Heights) -> list[float]:
        return [leaf.natural(need) + 2 * self.pad + self.tread for leaf in self.items]

    def natural(self, need: Heights) -> float:
        needs = self._needs(need)
        n = len(needs)
        return max(nd + (n - 1 - i) * self.rise_min for i, nd in enumerate(needs))

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        needs = self._needs(need)
        n = len(needs)
        rise = self.rise_max
        for i, nd in enumerate(needs[:-1]):
            rise = min(rise, (h - nd) / (n - 1 - i))
        rise = max(rise, 0.0)
        rects = []
        for i, leaf in enumerate(self.items):
            height = h - (n - 1 - i) * rise
            top = y + h - height
            rects.append(diagrams.Rect(i * self.step_w, h - height, self.step_w, height))
            inner_top = top + self.tread + self.pad
            leaf.place(inner_top, height - self.tread - 2 * self.pad, need, out)
        svg = diagrams.staircase(rects, self.w, h, self.colour, self.tint, self.label,
                                 self.tread, self.gap)
        out.paint(Decor(Box(self.x, y, self.w, h), svg=svg, cls="diagram"))

    def culprit(self, need: Heights) -> Leaf:
        needs = self._needs(need)
        return self.items[max(range(len(needs)), key=lambda i: needs[i])]

    def critical(self, need: Heights) -> Iterator[Leaf]:
        needs = self._needs(need)
        n = len(needs)
        yield self.items[max(range(n), key=lambda i: needs[i] + (n - 1 - i) * self.rise_min)]


class Cycle(Node):
    """The phases on a circle: nodes with numbers, arrows between them, the texts beside.

    Phases in the right half of the circle are described in a column to the right (top to
    bottom), the others in a column to the left (bottom to top), so the reading follows the
    arrows clockwise.
    """

    def __init__(self, x: float, w: float, phases: Sequence[Block], numbers: Sequence[Block],
                 diameter: float, gap: float, vgap: float, colour: str, tint: str, label: str,
                 stroke: float, icon: str) -> None:
        self.x, self.w, self.diameter, self.gap, self.vgap = x, w, diameter, gap, vgap
        self.colour, self.tint, self.label = colour, tint, label
        self.stroke, self.icon = stroke, icon
        self.count = len(phases)
        self.node_r = diameter * 0.105
        side_w = (w - diameter - 2 * gap) / 2
        right_count = math.ceil(self.count / 2)
        self.right = [Leaf(b, x + w - side_w, side_w) for b in phases[:right_count]]
        self.left = [Leaf(b, x, side_w) for b in reversed(phases[right_count:])]
        size = 2 * self.node_r
        self.numbers = [Leaf(b, 0, size, fixed=size) for b in numbers]
        self.grow = 1.0

    def leaves(self) -> Iterator[Leaf]:
        yield from self.right
        yield from self.left
        yield from self.numbers

    def _stack(self, items: Sequence[Leaf], need: Heights) -> float:
        if not items:
            return 0.0
        return sum(i.natural(need) for i in items) + self.vgap * (len(items) - 1)

    def natural(self, need: Heights) -> float:
        return max(self.diameter, self._stack(self.right, need), self._stack(self.left, need))

    def place(self, y: float, h: float, need: Heights, out: Placement) -> None:
        texts = Placement(page=out.page)
        for column in (self.right, self.left):
            VStack(column, self.vgap, spread=h).place(y, h, need, texts)
        for block in sorted(texts.blocks, key=lambda b: b.data["step"].number):
            out.add(block)  # in phase order, whatever the column: the reading order
        cx, cy = self.w / 2, h / 2
        radius = self.diameter / 2 - self.node_r
        for leaf, (nx, ny) in zip(self.numbers,
                                  diagrams.node_centres(cx, cy, radius, self.count), strict=True):
            leaf.x = self.x + nx - self.node_r
            leaf.place(y + ny - self.node_r, 2 * self.node_r, need, out)
        svg = diagrams.cycle(self.w, h, cx, cy, radius, self.node_r, self.count, self.colour,
                             self.tint, self.label, self.stroke, self.icon,
                             icon_size=radius * 0.62)
        out.paint(Decor(Box(self.x, y, self.w, h), svg=svg, cls="diagram"), first=True)

    def culprit(self, need: Heights) -> Leaf:
        leaves = self.right + self.left
        return max(leaves, key=lambda leaf: leaf.natural(need))

    def critical(self, need: Heights) -> Iterator[Leaf]:
        right, left = self._stack(self.right, need), self._stack(self.left, need)
        if max(right, left) > self.diameter:
            yield from self.right if right >= left else self.left


# --------------------------------------------------------------------------------------------
# The poster's structure


@dataclass(frozen=True)
class Pairs:
    """Data of a block holding an optional title and text, and question pairs."""

    text: str | None
    pairs: tuple[Any, ...]
    title: str | None = None


@dataclass
class Design:
    """The layouts the poster may take.

    *single* is the one-page poster.  *rows* are the same sections as a flow of rows that may
    be spread over several pages (a double-sided handout), for small sizes where one page
    cannot hold the text at 7 pt; None where that is not allowed.
    """

    single: VStack
    rows: list[Node] | None


HANDOUT_MAX_SCALE = 0.5 + 1e-9
"""Sizes up to A3 may become a two-sided handout when one side cannot hold the text at 7 pt."""


class PosterBuilder:
    """Build the layout trees of one content language at one geometry."""

    def __init__(self, content: Content, geometry: Geometry, palette: Palette,
                 icon: Callable[[str, str | None], Markup]) -> None:
        self.content, self.g, self.palette, self.icon = content, geometry, palette, icon

    # Pieces ------------------------------------------------------------------------------

    def leaf(self, id: str, kind: str, section: str, theme: str, data: Any,
             span: tuple[float, float], cls: str = "", grow: float = 0.0) -> Leaf:
        return Leaf(Block(id, kind, section, theme, data, cls), span[0], span[1], grow=grow)

    def head(self, id: str, section: str, theme: str, title: str,
             span: tuple[float, float]) -> Leaf:
        return self.leaf(id, "head", section, theme, {"title": title}, span)

    def band(self) -> Panel:
        """Return the title band across the top (portrait): title and lead."""
        g = self.g
        return Panel(
            self.leaf("title", "title", "meta", "neutral", self.content.meta, g.span(0, 2)),
            0, g.width, g.mm(17), g.mm(13), self.palette.colour("neutral").rgb, "tlr", g,
            cls="band",
        )

    def title_panel(self) -> Panel:
        """Return the title block in the top-left corner (landscape)."""
        g = self.g
        c0 = g.span(0)
        return Panel(
            self.leaf("title", "title", "meta", "neutral", self.content.meta, c0),
            0, c0[0] + c0[1] + g.gutter / 2, g.mm(22), g.mm(16),
            self.palette.colour("neutral").rgb, "tl", g, cls="band",
        )

    def intro(self, spans: Sequence[tuple[float, float]], top: float = 0.0) -> list[Node]:
        """Return *why*, *what* and the key, each in its column, *top* below the row's top."""
        d = self.content.data
        leaves = [
            self.leaf("why", "intro", "intro.why", "neutral", d.intro.why, spans[0]),
            self.leaf("what", "intro", "intro.what", "neutral", d.intro.what, spans[1]),
            self.leaf("key", "key", "ui", "neutral", None, spans[2], cls="boxed"),
        ]
        if not top:
            return list(leaves)
        return [Panel(leaf, leaf.x, leaf.w, top, 0) for leaf in leaves]

    def stair(self, span: tuple[float, float]) -> Stair:
        d, g = self.content.data, self.g
        colour = self.palette.colour("ambities")
        levels = d.ambities.levels
        last = len(levels) - 1
        steps = [
            Block(f"level-{level.number}", "step", "ambities", "ambities",
                  {"step": level, "top": i == last}, cls="top" if i == last else "")
            for i, level in enumerate(levels)
        ]
        step_w = span[1] / len(levels)
        return Stair(span[0], span[1], steps, pad=g.mm(4), tread=g.mm(2),
                     rise_min=step_w * 0.16, rise_max=step_w * 0.42, gap=g.mm(1.6),
                     colour=colour.rgb, tint=colour.tint, label=self.content.ui.ladder_alt)

    def cycle(self, span: tuple[float, float]) -> Cycle:
        d, g = self.content.data, self.g
        colour = self.palette.colour("cyclus")
        phases = [Block(f"phase-{p.number}", "phase", "cyclus", "cyclus", {"step": p})
                  for p in d.cyclus.phases]
        numbers = [Block(f"node-{p.number}", "node", "cyclus", "cyclus", {"step": p})
                   for p in d.cyclus.phases]
        icon = str(self.icon("cyclus", colour.rgb))
        diameter = min(span[1] * 0.28, g.mm(118))
        return Cycle(span[0], span[1], phases, numbers, diameter=diameter, gap=g.mm(8),
                     vgap=g.mm(6), colour=colour.rgb, tint=colour.tint,
                     label=self.content.ui.cycle_alt, stroke=g.mm(1.3), icon=icon)

    def ambities_credit(self, span: tuple[float, float]) -> Leaf:
        d = self.content.data
        return self.leaf("ambities-credit", "credit", "ambities", "ambities", d.ambities.credit,
                         span)

    def reflection(self, span: tuple[float, float]) -> Leaf:
        return self.leaf("cyclus-reflection", "reflection", "cyclus", "cyclus",
                         self.content.data.cyclus.reflection, span)

    def rollen(self, span: tuple[float, float]) -> Leaf:
        d = self.content.data
        return self.leaf("rollen", "section", "rollen", "rollen",
                         Pairs(d.rollen.text, d.rollen.questions, d.rollen.title), span)

    def split_pairs(self, prefix: str, section: str, theme: str, pairs: Sequence[Any],
                    spans: Sequence[tuple[float, float]]) -> list[Leaf]:
        """Return the question pairs spread over columns, the first columns fullest."""
        per = math.ceil(len(pairs) / len(spans))
        return [
            self.leaf(f"{prefix}-{i + 1}", "pairs", section, theme,
                      Pairs(None, tuple(pairs[i * per:(i + 1) * per])), span)
            for i, span in enumerate(spans) if pairs[i * per:(i + 1) * per]
        ]

    def essentials(self, span: tuple[float, float]) -> VStack:
        g, d = self.g, self.content.data
        themes = d.essentials.themes
        columns = g.split(span[0], span[1], len(themes))
        boxes = [
            self.leaf(f"essentials-{tid}", "theme", f"essentials.{tid}", tid,
                      Pairs(e.text, e.questions, e.name), col, cls="boxed")
            for (tid, e), col in zip(themes.items(), columns, strict=True)
        ]
        head = self.head("essentials-head", "essentials", "neutral", d.essentials.title, span)
        return VStack([head, HStack(boxes, grow=1)], g.mm(6), grow=0.3)

    def tips(self, span: tuple[float, float], per_row: int, grow: float = 0.0) -> Panel:
        g, d = self.g, self.content.data
        pad_x = g.mm(10) if per_row > 1 else g.mm(7)
        inner = (span[0] + pad_x, span[1] - 2 * pad_x)
        items = d.tips.items
        columns = g.split(inner[0], inner[1], per_row)
        rows: list[Node] = []
        for start in range(0, len(items), per_row):
            rows.append(HStack([
                self.leaf(f"tip-{start + i + 1}", "tip", "tips", "tips",
                          {"number": start + i + 1, "tip": tip}, columns[i])
                for i, tip in enumerate(items[start:start + per_row])
            ]))
        body = VStack([self.head("tips-head", "tips", "tips", d.tips.title, inner),
                       VStack(rows, g.mm(6))], g.mm(6))
        pad = g.mm(7) if per_row > 1 else g.mm(8)
        return Panel(body, span[0], span[1], pad, pad + g.mm(1),
                     self.palette.colour("tips").tint, cls="tint", grow=grow)

    def footer(self, span: tuple[float, float]) -> Leaf:
        return self.leaf("footer", "footer", "meta", "neutral", self.content.meta, span)

    # Designs --------------------------------------------------------------------------------

    def design(self) -> Design:
        single = self.landscape() if self.g.landscape else self.portrait()
        rows = None
        if self.g.scale <= HANDOUT_MAX_SCALE:
            rows = self.landscape_rows() if self.g.landscape else self.portrait_rows()
        return Design(single, rows)

    def portrait_common(self) -> tuple[Node, Node, Node]:
        """Return the header band, the intro row and the ambities row (portrait)."""
        g, d = self.g, self.content.data
        full, two, third = g.span(0, 3), g.span(0, 2), g.span(2)
        ambities = VStack([
            self.head("ambities-head", "ambities", "ambities", d.ambities.title, full),
            HStack([
                VStack([self.stair(two), self.ambities_credit(two)], g.mm(5), grow=1),
                self.leaf("ambities-pairs", "pairs", "ambities", "ambities",
                          Pairs(d.ambities.text, d.ambities.questions), third),
            ], grow=1),
        ], g.mm(6), grow=1)
        intro = HStack(self.intro([g.span(0), g.span(1), g.span(2)]))
        return self.band(), intro, ambities

    def portrait(self) -> VStack:
        g, d = self.g, self.content.data
        full, two, third = g.span(0, 3), g.span(0, 2), g.span(2)
        band, intro, ambities = self.portrait_common()
        cyclus = VStack([
            self.head("cyclus-head", "cyclus", "cyclus", d.cyclus.title, two),
            self.cycle(two),
            self.reflection(two),
        ], g.mm(6), grow=1)
        rows: list[Node] = [band, intro, ambities, HStack([cyclus, self.rollen(third)], grow=1),
                            self.essentials(full), self.tips(full, 3), self.footer(full)]
        return VStack(rows, self.row_gap, spread=g.mm(8),
                      shares=(0.1, 0.13, 0.24, 0.21, 0.21, 0.08, 0.03))

    def portrait_rows(self) -> list[Node]:
        g, d = self.g, self.content.data
        full = g.span(0, 3)
        band, intro, ambities = self.portrait_common()
        cyclus = VStack([
            self.head("cyclus-head", "cyclus", "cyclus", d.cyclus.title, full),
            self.cycle(full),
            self.reflection(full),
        ], g.mm(6), grow=1)
        rollen = VStack([
            self.head("rollen-head", "rollen", "rollen", d.rollen.title, full),
            HStack([
                self.leaf("rollen-text", "text", "rollen", "rollen", d.rollen.text, g.span(0)),
                *self.split_pairs("rollen-pairs", "rollen", "rollen", d.rollen.questions,
                                  [g.span(1), g.span(2)]),
            ]),
        ], g.mm(6))
        return [band, intro, ambities, cyclus, rollen, self.essentials(full),
                self.tips(full, 3), self.footer(full)]

    def landscape_common(self) -> tuple[Node, Node]:
        """Return the intro row and the ambities row (landscape)."""
        g, d = self.g, self.content.data
        c = [g.span(i) for i in range(4)]
        intro = HStack([self.title_panel(), *self.intro(c[1:], top=g.mm(22))])
        ambities = HStack([
            VStack([
                self.head("ambities-head", "ambities", "ambities", d.ambities.title, c[0]),
                self.leaf("ambities-text", "text", "ambities", "ambities", d.ambities.text, c[0]),
                self.ambities_credit(c[0]),
            ], g.mm(6)),
            self.stair(g.span(1, 2)),
            self.leaf("ambities-pairs", "pairs", "ambities", "ambities",
                      Pairs(None, d.ambities.questions), c[3]),
        ], grow=1)
        return intro, ambities

    def cyclus_head(self, span: tuple[float, float]) -> VStack:
        d = self.content.data
        return VStack([self.head("cyclus-head", "cyclus", "cyclus", d.cyclus.title, span),
                       self.reflection(span)], self.g.mm(6))

    def landscape(self) -> VStack:
        g = self.g
        full, three = g.span(0, 4), g.span(0, 3)
        c = [g.span(i) for i in range(4)]
        intro, ambities = self.landscape_common()
        cyclus = HStack([self.cyclus_head(c[0]), self.cycle(g.span(1, 2)), self.rollen(c[3])],
                        grow=1)
        last = HStack([self.essentials(three), self.tips(c[3], 1, grow=1)], grow=1)
        return VStack([intro, ambities, cyclus, last, self.footer(full)], self.row_gap,
                      spread=g.mm(8), shares=(0.2, 0.25, 0.25, 0.26, 0.04))

    def landscape_rows(self) -> list[Node]:
        g, d = self.g, self.content.data
        full, three = g.span(0, 4), g.span(0, 3)
        c = [g.span(i) for i in range(4)]
        intro, ambities = self.landscape_common()
        cyclus = HStack([self.cyclus_head(c[0]), self.cycle(g.span(1, 3))], grow=1)
        rollen = HStack([
            VStack([self.head("rollen-head", "rollen", "rollen", d.rollen.title, c[0]),
                    self.leaf("rollen-text", "text", "rollen", "rollen", d.rollen.text, c[0])],
                   g.mm(6)),
            *self.split_pairs("rollen-pairs", "rollen", "rollen", d.rollen.questions, c[1:]),
        ])
        last = HStack([self.essentials(three), self.tips(c[3], 1, grow=1)], grow=1)
        return [intro, ambities, cyclus, rollen, last, self.footer(full)]

    @property
    def row_gap(self) -> float:
        return self.g.mm(9)


# --------------------------------------------------------------------------------------------
# Rendering


class PosterRenderer(TemplateRenderer):
    """Render the poster of one content language at one geometry."""

    content: Content
    geometry: Geometry

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True) -> None:
        super().__init__(content, geometry, templates, strict)
        self._icons: dict[tuple[str, str], Markup] = {}
        self.what = f"poster ({content.lang}, {geometry.width:g}×{geometry.height:g} mm)"

    def icon(self, theme: str, colour: str | None = None) -> Markup:
        """Return the theme's icon as inline SVG drawn in *colour* (default: the theme colour)."""
        colour = colour or self.palette.colour(theme).rgb
        key = (theme, colour)
        if key not in self._icons:
            svg = self.templates.icon(theme).replace("currentColor", colour)
            self._icons[key] = Markup(svg)
        return self._icons[key]

    def design(self) -> Design:
        return PosterBuilder(self.content, self.geometry, self.palette, self.icon).design()

    @property
    def bottom(self) -> float:
        """Return the white space under the last row."""
        return self.geometry.mm(16)

    @property
    def continuation_band(self) -> float:
        """Return the height of the colour strip on top of every page after the first."""
        return self.geometry.mm(6)

    def available(self, page: int) -> float:
        """Return the height the rows of *page* may fill (the first page starts at the trim)."""
        g = self.geometry
        top = 0.0 if page == 0 else self.continuation_band + g.mm(14)
        return g.height - top - self.bottom

    def html(self, placement: Placement, body: float, measure: bool,
             extra_texts: Sequence[str] = ()) -> str:
        g = self.geometry
        css = self.env.get_template("poster.css").render(
            g=g, s=poster_roles(body, g.scale), palette=self.palette, measure=measure,
        )
        return self.env.get_template("poster.html").render(
            lang=self.content.lang,
            document_title=self.content.meta.title,
            css=Markup(self.fonts_css + css),
            g=g,
            pages=[
                ([d for d in placement.decor if d.page == p],
                 [b for b in placement.blocks if b.page == p])
                for p in range(placement.pages)
            ],
            measure=measure,
            meta=self.content.meta,
            ui=self.content.ui,
            themes=[(t.id, t.name) for t in self.content.themes],
            icon=self.icon,
            palette=self.palette,
            extra_texts=list(extra_texts),
        )

    def measure(self, leaves: Iterable[Leaf], body: float) -> dict[str, float]:
        """Return the natural height (mm) of every measured leaf in *leaves* at size *body*.

        One WeasyPrint layout of those blocks alone, each at its width with a free height
        (never written to PDF): its cost grows with the amount of text measured.
        """
        placement = Placement()
        for leaf in leaves:
            if leaf.measured:
                leaf.block.box = Box(leaf.x, 0.0, leaf.w, 0.0)
                placement.add(leaf.block)
        started = time.perf_counter()
        document = render_document(self.html(placement, body, measure=True), self.templates,
                                   self.strict, self.what)
        heights = _natural_heights(document)
        log.debug("%s: measured %d blocks at %g pt in %.2f s", self.what,
                  len(placement.blocks), body, time.perf_counter() - started)
        return heights

    def layout(self, pages: Sequence[Node], need: Heights) -> Placement:
        """Place every page's tree; pages after the first get a colour strip on top."""
        g = self.geometry
        out = Placement()
        for index, root in enumerate(pages):
            out.page = index
            top = 0.0
            if index:
                band = self.continuation_band
                out.paint(Decor(Box(-g.bleed, -g.bleed, g.width + 2 * g.bleed, band + g.bleed),
                                colour=self.palette.colour("neutral").rgb, cls="band"))
                top = band + g.mm(14)
            root.place(top, self.available(index), need, out)
        return out

    def render(self, placement: Placement, body: float,
               extra_texts: Sequence[str] = ()) -> tuple[Any, str]:
        """Render the poster; *extra_texts* go on one more page (see ``poster.html``)."""
        html = self.html(placement, body, measure=False, extra_texts=extra_texts)
        document = render_document(html, self.templates, self.strict, self.what)
        return document, html


def _natural_heights(document: Any) -> dict[str, float]:
    """Return, per block id, how tall its content is (mm) when its height is free."""
    heights: dict[str, float] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or not hasattr(box, "children"):
                continue
            block_id = element.get("id")
            if not block_id or block_id in heights:
                continue
            if "block" not in (element.get("class") or "").split():
                continue
            top = box.content_box_y()
            bottom = top + box.height
            for child in box.descendants():
                if child is box or not hasattr(child, "position_y"):
                    continue
                bottom = max(bottom, child.position_y + getattr(child, "margin_top", 0)
                             + child.border_height())
            heights[block_id] = (bottom - top) * PX_TO_MM
    return heights


def paginate(rows: Sequence[Node], need: Heights, gap: float,
             available: Callable[[int], float]) -> list[VStack] | Node:
    """Pack *rows* into as few pages as they need, in order; return the pages' stacks.

    Returns the first row that is too tall for a page of its own instead.
    """
    heights = [row.natural(need) for row in rows]
    # Greedy packing gives the fewest pages …
    count, used = 1, 0.0
    for row, height in zip(rows, heights, strict=True):
        if used and used + gap + height <= available(count - 1):
            used += gap + height
            continue
        if used:
            count += 1
        if height > available(count - 1):
            return row
        used = height
    # … then the cut points that fill the fullest of those pages least are chosen.
    best: tuple[float, tuple[int, ...]] | None = None
    for cuts in itertools.combinations(range(1, len(rows)), count - 1):
        bounds = (0, *cuts, len(rows))
        fill = 0.0
        for page in range(count):
            part = heights[bounds[page]:bounds[page + 1]]
            fill = max(fill, (sum(part) + gap * (len(part) - 1)) / available(page))
        if fill <= 1.0 and (best is None or fill < best[0]):
            best = (fill, bounds)
    assert best is not None  # the greedy packing is one of the candidates
    bounds = best[1]
    stacks = []
    for p in range(count):
        members = list(rows[bounds[p]:bounds[p + 1]])
        anchored = isinstance(members[-1], Leaf) and members[-1].block.kind == "footer"
        stacks.append(VStack(members, gap, spread=2 * gap, rigid=True, anchor_last=anchored))
    return stacks


@dataclass
class Fit:
    """The outcome of the fit search."""

    body: float
    pages: list[VStack]
    need: dict[str, float]


GROWTH = 1.3
"""How a block's height grows with the type size, as a power of the size ratio.  Scaling every
measured block by (size ratio)^1.3 and adding the tree up again predicted the measured height at
the neighbouring step within −2.7 … +1.4 % (nl and en, A0–A3, portrait and landscape); the
whole page's ratio to the power 1.7 (the rule used before) was off by up to +3.7 %.  A
prediction only chooses which step to measure next and how: every answer is measured."""


class _AtLeast(dict[str, float]):
    """Heights of some blocks; a block not measured counts as 0 mm (for lower bounds)."""

    def __missing__(self, key: str) -> float:
        return 0.0


class Measurements:
    """The heights of one layout's blocks, measured per step of the type scale as needed."""

    def __init__(self, renderer: PosterRenderer, nodes: Sequence[Node],
                 steps: Sequence[float]) -> None:
        self.renderer, self.steps = renderer, steps
        self.leaves = [leaf for node in nodes for leaf in node.leaves() if leaf.measured]
        self.at: dict[int, dict[str, float]] = {}

    def complete(self, i: int) -> bool:
        """Return whether every block has been measured at step *i*."""
        known = self.at.get(i, {})
        return all(leaf.block.id in known for leaf in self.leaves)

    def measure(self, i: int, leaves: Iterable[Leaf] | None = None) -> dict[str, float]:
        """Measure *leaves* (default: all) at step *i* in one pass, skipping those already
        measured there; return every height known at *i*."""
        known = self.at.setdefault(i, {})
        todo = [leaf for leaf in (self.leaves if leaves is None else leaves)
                if leaf.block.id not in known]
        if todo:
            known.update(self.renderer.measure(todo, self.steps[i]))
        return known

    def predict(self, i: int) -> dict[str, float] | None:
        """Return the heights at step *i* predicted from the nearest complete measurement."""
        done = [j for j in self.at if self.complete(j)]
        if not done:
            return None
        nearest = min(done, key=lambda j: abs(j - i))
        factor = (self.steps[i] / self.steps[nearest]) ** GROWTH
        return {key: height * factor for key, height in self.at[nearest].items()}


def _search(count: int, start: int, probe: Callable[[int, bool], bool],
            predict: Callable[[int], bool]) -> int | None:
    """Return the smallest index whose step fits (fitting is monotonic in the index), or None.

    ``probe(i, expected)`` measures step *i* and says whether it fits; *expected* (whether the
    step is predicted to fit) lets it measure a predicted overflow cheaply.  ``predict(i)``
    guesses from what has been measured so far.  The first probe is *start*; every further
    one is the predicted answer or, once that is the best fit known, the step above it, which
    must be shown not to fit (two probes when the start is right).  After two wrong
    predictions the search bisects.
    """
    bad, good = -1, count  # the largest index known not to fit, the smallest known to fit
    index, expected = min(max(start, 0), count - 1), True
    misses = 0
    first = True
    while True:
        fits = probe(index, expected)
        if fits:
            good = index
        else:
            bad = index
        misses += not first and fits != expected
        first = False
        if good - bad <= 1:
            return good if good < count else None
        if misses >= 2:
            index = (bad + good) // 2
        else:
            index = next((i for i in range(bad + 1, good) if predict(i)), good - 1)
        expected = predict(index)


def find_fit(renderer: PosterRenderer) -> Fit:
    """Return the largest body size at which the poster fits, and its pages.

    The page-scaled type steps are measured one pass each, starting at the size the bundled
    content gets; from then on each measurement predicts the heights at the other steps
    (:data:`GROWTH`), and the search measures the predicted answer.  A step predicted to
    overflow is measured cheaply: only the blocks on its tallest path (:meth:`Node.critical`),
    a lower bound of its height; the other blocks only when those alone do not overflow.
    Every outcome is measured, never predicted.  Sizes up to A3 that cannot hold the text on
    one side at 7 pt become a two-sided handout.  If nothing fits, the error names the
    section that takes the most room beyond its share.
    """
    design = renderer.design()
    steps = body_steps(renderer.geometry.scale)
    available = renderer.available(0)
    single = Measurements(renderer, [design.single], steps)

    def single_fits(i: int, expected: bool) -> bool:
        guess = None if expected else single.predict(i)
        if guess is not None:
            critical = list(design.single.critical(guess))
            known = single.measure(i, critical)
            bound = design.single.natural(_AtLeast(known)) / available
            if bound > 1.0:
                log.debug("%s: %g pt does not fit: %d of its %d blocks alone need %.1f %% of "
                          "the page", renderer.what, steps[i], len(critical),
                          len(single.leaves), 100 * bound)
                return False
            log.debug("%s: %g pt: the tallest path needs only %.1f %% of the page; measuring "
                      "every block", renderer.what, steps[i], 100 * bound)
        ratio = design.single.natural(single.measure(i)) / available
        log.debug("%s: %g pt needs %.1f %% of the page", renderer.what, steps[i], 100 * ratio)
        return ratio <= 1.0

    def single_predicted(i: int) -> bool:
        guess = single.predict(i)
        return guess is None or design.single.natural(guess) <= available

    def index_of(body: float) -> int:
        return next((i for i, b in enumerate(steps) if b <= body + 1e-9), len(steps) - 1)

    start = index_of(TYPICAL_BODY * renderer.geometry.scale)
    found = _search(len(steps), start, single_fits, single_predicted)
    if found is not None:
        return Fit(steps[found], [design.single], single.measure(found))
    last = len(steps) - 1
    if design.rows is None:
        need = single.measure(last)
        culprit = design.single.culprit(need)
        over = design.single.natural(need) - available
        raise _fit_error(culprit, over, steps[last])
    rows = design.rows
    gap = design.single.gap
    flow = Measurements(renderer, rows, steps)

    def paged(need: Heights) -> list[VStack] | Node:
        return paginate(rows, need, gap, renderer.available)

    smallest = paged(flow.measure(last))
    if isinstance(smallest, Node):
        need = flow.measure(last)
        page_h = renderer.available(1)
        raise _fit_error(smallest.culprit(need), smallest.natural(need) - page_h, steps[last])
    count = len(smallest)

    def fits_pages(need: Heights | None) -> bool:
        if need is None:
            return True
        pages = paged(need)
        return not isinstance(pages, Node) and len(pages) <= count

    found = _search(len(steps), last, lambda i, _: fits_pages(flow.measure(i)),
                    lambda i: fits_pages(flow.predict(i)))
    if found is None:
        found = last
    pages = paged(flow.measure(found))
    assert not isinstance(pages, Node)
    log.warning("%s: the text does not fit one side at %g pt; laid out on %d pages "
                "(print them double-sided)", renderer.what, steps[last], len(pages))
    return Fit(steps[found], pages, flow.measure(found))


def _fit_error(culprit: Leaf, over: float, smallest: float) -> FitError:
    return FitError([Problem(
        "", 0,
        f"poster section '{culprit.block.section}' does not fit: {over:.1f} mm too long "
        f"even at {smallest:g} pt; shorten its text or use a larger --size",
    )])


def fit_poster(renderer: PosterRenderer,
               extra_texts: Sequence[str] = ()) -> tuple[float, Any, str, Placement]:
    """Lay the poster out at the largest size that fits; return size, document, HTML, layout.

    The rendered document is checked: one page per layout page (plus one for *extra_texts*),
    and no ``.fit`` box overflowing (:func:`render.measure_overflow`).
    """
    fit = find_fit(renderer)
    placement = renderer.layout(fit.pages, fit.need)
    started = time.perf_counter()
    document, html = renderer.render(placement, fit.body, extra_texts)
    log.debug("%s: rendered at %g pt in %.2f s", renderer.what, fit.body,
              time.perf_counter() - started)
    expected = placement.pages + (1 if extra_texts else 0)
    if len(document.pages) != expected:
        raise FitError(f"{renderer.what}: laid out on {len(document.pages)} pages "
                       f"instead of {expected}")
    if measure_overflow(document):
        by_id = {b.id: b for b in placement.blocks}
        problems = []
        for page in document.pages:
            for box in _fit_boxes(page._page_box):
                bottom, right = _box_overflow(box)
                block = by_id.get(box.element.get("id") or "")
                if block is not None and max(bottom, right) > 0.05:
                    problems.append(Problem("", 0, f"poster section '{block.section}' does "
                                            f"not fit: {max(bottom, right):.1f} mm too long"))
        raise FitError(list(dict.fromkeys(problems)) or f"{renderer.what} does not fit its page")
    return fit.body, document, html, placement


# --------------------------------------------------------------------------------------------
# Print furniture: boxes and crop marks


def crop_marks(geometry: Geometry) -> bytes:
    """Return content-stream operators for crop marks at the trim corners, outside the bleed."""
    g = geometry
    o = g.offset
    start = g.bleed + MARK_OFFSET_MM
    end = start + MARK_LENGTH_MM
    lines = []
    for x in (o, o + g.width):
        for y, sign in ((o, -1), (o + g.height, 1)):
            lines.append((x, y + sign * start, x, y + sign * end))
    for y in (o, o + g.height):
        for x, sign in ((o, -1), (o + g.width, 1)):
            lines.append((x + sign * start, y, x + sign * end, y))
    ops = [f"q {MARK_WIDTH_PT} w 0 0 0 1 K 0 J []0 d"]
    for x1, y1, x2, y2 in lines:
        ops.append(f"{mm_to_pt(x1):.3f} {mm_to_pt(y1):.3f} m "
                   f"{mm_to_pt(x2):.3f} {mm_to_pt(y2):.3f} l S")
    ops.append("Q\n")
    return "\n".join(ops).encode()


def finish_pages(pdf: Any, geometry: Geometry) -> None:
    """Set the page boxes of every poster page; with a bleed, TrimBox/BleedBox and crop marks."""
    import pikepdf

    g = geometry
    width, height = mm_to_pt(g.page_w), mm_to_pt(g.page_h)
    o, b = mm_to_pt(g.offset), mm_to_pt(g.bleed)
    for page in pdf.pages:
        page.obj.MediaBox = pikepdf.Array([0, 0, width, height])
        if g.bleed <= 0:
            continue
        page.obj.TrimBox = pikepdf.Array([o, o, width - o, height - o])
        page.obj.BleedBox = pikepdf.Array([o - b, o - b, width - o + b, height - o + b])
        page.contents_add(pdf.make_stream(crop_marks(g)), prepend=False)


# --------------------------------------------------------------------------------------------
# Public API


def build_poster(content_dir: Path, options: PosterOptions, output: Path) -> PosterResult:
    """Build one poster PDF (or its tiles) at *output*; raise a KaartspelError on any problem."""
    import pikepdf

    started = time.perf_counter()
    options = options.validated()
    check_output(output)
    geometry = Geometry.create(poster_size(options.size), options.orientation, options.bleed)
    content = load_content(content_dir, options.lang)
    renderer = PosterRenderer(content, geometry, TemplateSet.create(options.templates),
                              options.strict)
    plan = None
    labels: list[str] = []
    if options.tile:
        from .tile import plan_tiles, tile_labels

        plan = plan_tiles(geometry.width, geometry.height, paper_size(options.tile),
                          options.overlap, options.margin)
        # Put the labels' glyphs in the poster's font subsets (a handout's labels also get
        # "(1/2)"-style page numbers): tile_poster can then set them as real text.
        labels = [*tile_labels(content.ui.tile_label, plan), "0123456789 (/)"]
    body, document, html, placement = fit_poster(renderer, labels)
    log.info("poster %s: body text %.2f pt on %d page(s)", output, body, placement.pages)
    identifier = digest(html).encode()[:32]
    written = time.perf_counter()
    pdf_bytes = write_pdf(document, identifier, options.strict, renderer.what)
    log.debug("%s: PDF written in %.2f s", renderer.what, time.perf_counter() - written)
    title = f"{content.meta.title} — {geometry.width:g}×{geometry.height:g} mm"
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        expected = placement.pages + (1 if labels else 0)
        if len(pdf.pages) != expected:
            raise RenderError(f"{renderer.what}: expected {expected} pages, got {len(pdf.pages)}")
        if labels:
            del pdf.pages[-1]  # the tile labels' page: its glyphs are in the fonts now
        finish_pages(pdf, geometry)
        if plan is not None:
            from .tile import tile_poster

            out = tile_poster(pdf, plan, (geometry.offset, geometry.offset),
                              content.ui.tile_label)
            pages = len(out.pages)
            save_pdf(out, output, title, options.lang)
        else:
            pages = len(pdf.pages)
            save_pdf(pdf, output, title, options.lang)
    return PosterResult(output, pages, body, time.perf_counter() - started)


def default_poster_output(options: PosterOptions) -> Path:
    """Return ``build/poster-<lang>-<size>[-landscape][-tiles-<paper>].pdf``."""
    name = f"poster-{options.lang}-{options.size.strip().lower()}"
    if options.orientation == "landscape":
        name += "-landscape"
    if options.tile:
        name += f"-tiles-{options.tile.strip().lower()}"
    return Path("build") / f"{name}.pdf"


__all__ = ["PosterOptions", "PosterResult", "build_poster", "default_poster_output"]
