"""The poster's structure: the content arranged as a tree of layout nodes."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from kaartspel.content.model import Content
from kaartspel.poster import diagrams
from kaartspel.poster.geometry import Geometry
from kaartspel.poster.layout import Block, Cycle, HStack, Leaf, Node, Panel, Stair, VStack
from kaartspel.render.templates import Palette

log = logging.getLogger(__name__)



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
                 icon: Callable[[str, str | None], Markup],
                 design: Palette | None = None,
                 paint: Callable[[str], str] | None = None) -> None:
        self.content, self.g, self.palette, self.icon = content, geometry, palette, icon
        self.design_palette = design or palette
        """The sRGB design values (*palette* may be the print variant's CMYK)."""
        self.paint = paint or (lambda rgb: rgb)
        """Turns an sRGB colour made here (a mix) into the variant's colour."""

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
        design = self.design_palette.colour("ambities")
        levels = d.ambities.levels
        last = len(levels) - 1
        steps = [
            Block(f"level-{level.number}", "step", "ambities", "ambities",
                  {"step": level, "top": i == last}, cls="top" if i == last else "")
            for i, level in enumerate(levels)
        ]
        step_w = span[1] / len(levels)
        # The rise follows the steps' width, but a wide staircase (the full width of a
        # portrait poster) need not climb more than a narrow one does.
        return Stair(span[0], span[1], steps, pad=g.mm(4), tread=g.mm(2),
                     rise_min=min(step_w * 0.16, g.mm(11)),
                     rise_max=min(step_w * 0.42, g.mm(30)), gap=g.mm(1.6),
                     colour=colour.rgb, tint=colour.tint, label=self.content.ui.ladder_alt,
                     goal=self.paint(diagrams.mix(design.tint, design.rgb, diagrams.GOAL_DEPTH)))

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

    def tips(self, span: tuple[float, float], per_row: int, grow: float = 0.0) -> VStack:
        """Return the tips: the section's head on the grid like every other section's, the
        tips in a tinted panel under it."""
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
        pad = g.mm(7) if per_row > 1 else g.mm(8)
        panel = Panel(VStack(rows, g.mm(6)), span[0], span[1], pad, pad + g.mm(1),
                      self.palette.colour("tips").tint, cls="tint", grow=1 if grow else 0.0)
        return VStack([self.head("tips-head", "tips", "tips", d.tips.title, span), panel],
                      g.mm(6), grow=grow)

    def footer(self, span: tuple[float, float]) -> Leaf:
        return self.leaf("footer", "footer", "meta", "neutral", self.content.meta, span)

    # Designs --------------------------------------------------------------------------------

    def design(self) -> Design:
        single = self.landscape() if self.g.landscape else self.portrait()
        rows = None
        if self.g.scale <= HANDOUT_MAX_SCALE:
            rows = self.landscape_rows() if self.g.landscape else self.portrait_rows()
        return Design(single, rows)

    def wide_ambities(self, cols: int) -> VStack:
        """Return the ambities section with the staircase across the grid's *cols* columns
        (the page's width), its text and credit under it in the first column and its
        questions in the others.

        Portrait posters and landscape handouts (whose pages are small) set it so: five
        steps in two columns' width set each step's text in a column too narrow for Dutch
        (six hyphens or more a step).
        """
        g, d = self.g, self.content.data
        full, columns = g.span(0, cols), [g.span(i) for i in range(cols)]
        return VStack([
            self.head("ambities-head", "ambities", "ambities", d.ambities.title, full),
            self.stair(full),
            HStack([
                VStack([
                    self.leaf("ambities-text", "text", "ambities", "ambities", d.ambities.text,
                              columns[0]),
                    self.ambities_credit(columns[0]),
                ], g.mm(5)),
                *self.split_pairs("ambities-pairs", "ambities", "ambities",
                                  d.ambities.questions, columns[1:]),
            ]),
        ], g.mm(6), grow=1)

    def portrait_common(self) -> tuple[Node, Node, Node]:
        """Return the header band, the intro row and the ambities row (portrait)."""
        intro = HStack(self.intro([self.g.span(i) for i in range(3)]))
        return self.band(), intro, self.wide_ambities(3)

    def cyclus_column(self, span: tuple[float, float]) -> VStack:
        """Return the cycle section as one column (portrait): heading, cycle, reflection."""
        return VStack([
            self.head("cyclus-head", "cyclus", "cyclus", self.content.data.cyclus.title, span),
            self.cycle(span),
            self.reflection(span),
        ], self.g.mm(6), grow=1)

    def portrait(self) -> VStack:
        g = self.g
        full, two, third = g.span(0, 3), g.span(0, 2), g.span(2)
        band, intro, ambities = self.portrait_common()
        cyclus = self.cyclus_column(two)
        rows: list[Node] = [band, intro, ambities, HStack([cyclus, self.rollen(third)], grow=1),
                            self.essentials(full), self.tips(full, 3), self.footer(full)]
        return VStack(rows, self.row_gap, spread=g.mm(8),
                      shares=(0.1, 0.13, 0.24, 0.21, 0.21, 0.08, 0.03))

    def portrait_rows(self) -> list[Node]:
        g, d = self.g, self.content.data
        full = g.span(0, 3)
        band, intro, ambities = self.portrait_common()
        cyclus = self.cyclus_column(full)
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
        intro, _ = self.landscape_common()
        ambities = self.wide_ambities(4)
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
