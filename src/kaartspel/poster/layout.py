"""The poster's layout tree: blocks, stacks, panels, the staircase and the cycle."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from kaartspel.poster import diagrams
from kaartspel.poster.geometry import SLACK_MM, Geometry

log = logging.getLogger(__name__)

Heights = Mapping[str, float]
"""Measured heights of the poster's blocks, in mm, by block name."""



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
    section: str = ""
    """The section it belongs to (that of the blocks it is drawn behind); "" for page
    furniture such as the colour strip of a continuation page."""


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
            section = next(self.child.leaves()).block.section
            out.paint(Decor(Box(x0, y0, x1 - x0, y1 - y0), colour=self.colour, cls=self.cls,
                            section=section))
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
                 label: str, goal: str | None = None) -> None:
        self.goal = goal
        """The goal step's fill (None: mixed from *tint* and *colour*, see diagrams)."""
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
                                 self.tread, self.gap, self.goal)
        out.paint(Decor(Box(self.x, y, self.w, h), svg=svg, cls="diagram",
                        section=self.items[0].block.section))

    def culprit(self, need: Heights) -> Leaf:
        needs = self._needs(need)
        return self.items[max(range(len(needs)), key=lambda i: needs[i])]

    def critical(self, need: Heights) -> Iterator[Leaf]:
        needs = self._needs(need)
        n = len(needs)
        yield self.items[max(range(n), key=lambda i: needs[i] + (n - 1 - i) * self.rise_min)]


class Cycle(Node):
    """The phases on a circle: nodes with numbers, arrows between them, the texts beside.

    The first phase sits at the top left (see :func:`diagrams.cycle_angles`): its text heads
    the left column, the phases after it in the right half follow in the right column (top to
    bottom), the rest come back up the left column (bottom to top); so the texts are read from
    01 at the top left round the arrows, each beside its node.
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
        right_count = math.ceil((self.count - 1) / 2)
        self.right = [Leaf(b, x + w - side_w, side_w) for b in phases[1:1 + right_count]]
        self.left = [Leaf(b, x, side_w)
                     for b in [*phases[:1], *reversed(phases[1 + right_count:])]]
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
        out.paint(Decor(Box(self.x, y, self.w, h), svg=svg, cls="diagram",
                        section=self.right[0].block.section), first=True)

    def culprit(self, need: Heights) -> Leaf:
        leaves = self.right + self.left
        return max(leaves, key=lambda leaf: leaf.natural(need))

    def critical(self, need: Heights) -> Iterator[Leaf]:
        right, left = self._stack(self.right, need), self._stack(self.left, need)
        if max(right, left) > self.diameter:
            yield from self.right if right >= left else self.left
