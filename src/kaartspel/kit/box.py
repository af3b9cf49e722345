"""A printable tuck box for a deck: panels sized to the cards and the deck's thickness.

The box is a reverse tuck end box, laid out flat from left to right as front, side, back,
side and glue flap; a lid with a tuck flap on the back's top edge, a bottom with a tuck flap
on the front's bottom edge, dust flaps on the sides, a thumb notch in the front's top edge.
Inside, it is the card size plus :data:`PLAY_MM` and the deck's thickness (cards × the
paper's caliper) plus :data:`DEPTH_PLAY_MM`.

Two versions: for a home printer the cut lines are solid and the fold lines dashed, in two
colours, with instructions beside the box, on A4 or A3 (whichever it fits); for a print
shop the whole die line is one spot colour, ``Die``, on a layer of its own (an optional
content group) set to overprint, cut lines solid and creases dashed, the artwork bleeding
3 mm past the cut, and nothing else on the sheet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from markupsafe import Markup

from kaartspel.content.load import load_content
from kaartspel.errors import UsageError
from kaartspel.kit.sheets import Pen, Point, ask_actual_size, draw_over, render_pages
from kaartspel.options import BoxOptions
from kaartspel.pdf.save import check_output, save_pdf
from kaartspel.pdf.variants import css_colour, finalize
from kaartspel.render.templates import TemplateSet
from kaartspel.units import PAPER_SIZES, Size, card_size, mm_to_pt

log = logging.getLogger(__name__)

PLAY_MM = 1.0
"""Inside width and height beyond the card's: the cards slide out without sticking."""
DEPTH_PLAY_MM = 1.5
"""Inside depth beyond the deck's thickness: printed and cut cards do not lie quite flat."""
BULK_UM_PER_GSM = 1.1
"""Caliper of card stock per g/m² of weight (µm): uncoated card of 300 g/m² is 0.33 mm."""
GLUE_MM = 9.0
SHOULDER_MM = 1.0
"""A tuck flap is this much narrower on each side than its lid, so it slides in."""
MARGIN_MM = 10.0
"""Room between the box and the sheet's edges (home version)."""
INSTRUCTIONS_MM = 44.0
"""Height of the instructions under the box (home version)."""
SHOP_BLEED_MM = 3.0
HOME_BLEED_MM = 1.5
"""How far coloured panels run past a cut line: a cut a little outside still shows no white."""
CUT_RGB = "0.84 0.09 0.33 RG"
"""Home version: cut lines solid, in a strong magenta-red."""
FOLD_RGB = "0.12 0.47 0.80 RG"
"""Home version: fold lines dashed, in blue."""
FOLD_DASH_MM = (2.0, 1.5)
DIE = "Die"
"""The print shop's spot colour (and layer) of the die line."""
DIE_ALTERNATE = (0.0, 1.0, 0.0, 0.0)
"""How a proof shows the die line: 100 % magenta."""


def caliper_mm(paper_weight: float) -> float:
    """Return the thickness (mm) of one card of *paper_weight* g/m²."""
    return paper_weight * BULK_UM_PER_GSM / 1000


@dataclass(frozen=True)
class Rect:
    """A panel: lower-left corner and size in mm (in the box's own coordinates)."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TuckBox:
    """The flat box: every size in mm, origin at its bounding box's lower-left corner."""

    card: Size
    cards: int
    caliper: float

    @classmethod
    def for_deck(cls, card: Size, cards: int, paper_weight: float) -> TuckBox:
        """Size a box for *cards* cards of *card* size printed on *paper_weight* g/m²."""
        return cls(card.portrait, cards, caliper_mm(paper_weight))

    @property
    def inner_w(self) -> float:
        """Width of the front and back panels (inside width)."""
        return self.card.width + PLAY_MM

    @property
    def inner_h(self) -> float:
        """Height of the front, back and side panels (inside height)."""
        return self.card.height + PLAY_MM

    @property
    def thickness(self) -> float:
        """The deck's thickness."""
        return self.cards * self.caliper

    @property
    def depth(self) -> float:
        """Width of the side panels, the lid and the bottom (inside depth)."""
        return round(self.thickness + DEPTH_PLAY_MM, 2)

    @property
    def tuck(self) -> float:
        """Height of a tuck flap."""
        return min(20.0, max(12.0, self.depth * 0.9))

    @property
    def dust(self) -> float:
        """Height of a dust flap (two of them meet across the opening at most)."""
        return min(self.inner_w * 0.45, max(12.0, self.depth))

    @property
    def notch(self) -> float:
        """Radius of the thumb notch in the front's top edge."""
        return min(10.0, self.inner_w * 0.16)

    @property
    def glue(self) -> float:
        """Width of the glue flap."""
        return GLUE_MM

    # Columns and rows of the flat box.
    @property
    def _x(self) -> tuple[float, float, float, float, float, float]:
        w, d = self.inner_w, self.depth
        return 0.0, w, w + d, 2 * w + d, 2 * w + 2 * d, 2 * w + 2 * d + self.glue

    @property
    def _y(self) -> tuple[float, float]:
        bottom = self.tuck + self.depth
        return bottom, bottom + self.inner_h

    @property
    def width(self) -> float:
        """Width of the flat box."""
        return self._x[5]

    @property
    def height(self) -> float:
        """Height of the flat box."""
        return self._y[1] + self.depth + self.tuck

    def panels(self) -> dict[str, Rect]:
        """Return every panel by name (for the artwork and for tests)."""
        x0, x1, x2, x3, x4, x5 = self._x
        y0, y1 = self._y
        w, h, d = self.inner_w, self.inner_h, self.depth
        return {
            "front": Rect(x0, y0, w, h), "side": Rect(x1, y0, d, h), "back": Rect(x2, y0, w, h),
            "side2": Rect(x3, y0, d, h), "glue": Rect(x4, y0, x5 - x4, h),
            "lid": Rect(x2, y1, w, d), "lid_tuck": Rect(x2, y1 + d, w, self.tuck),
            "bottom": Rect(x0, y0 - d, w, d), "bottom_tuck": Rect(x0, y0 - d - self.tuck, w,
                                                                   self.tuck),
        }

    def cut(self) -> list[Point | tuple[Point, Point, Point]]:
        """Return the outline to cut along, a closed path (lines, and arcs as Béziers)."""
        x0, x1, x2, x3, x4, x5 = self._x
        y0, y1 = self._y
        d, tk, dh, s = self.depth, self.tuck, self.dust, SHOULDER_MM
        taper = min(d * 0.25, 4.0)
        glue_taper = min(6.0, self.inner_h * 0.08)
        path: list[Point | tuple[Point, Point, Point]] = [(x0, y1), (x0, y0 - d)]
        path += _tuck(x0, x1, y0 - d, -tk, s)
        path += [(x1, y0 - d), (x1, y0),
                 (x1 + taper, y0 - dh), (x2 - taper, y0 - dh), (x2, y0),
                 (x3, y0),
                 (x3 + taper, y0 - dh), (x4 - taper, y0 - dh), (x4, y0),
                 (x5, y0 + glue_taper), (x5, y1 - glue_taper), (x4, y1),
                 (x4 - taper, y1 + dh), (x3 + taper, y1 + dh), (x3, y1),
                 (x3, y1 + d)]
        path += _tuck(x3, x2, y1 + d, tk, s)
        path += [(x2, y1 + d), (x2, y1),
                 (x2 - taper, y1 + dh), (x1 + taper, y1 + dh), (x1, y1)]
        cx, r, k = (x0 + x1) / 2, self.notch, 0.5523 * self.notch
        path += [(cx + r, y1),
                 ((cx + r, y1 - k), (cx + k, y1 - r), (cx, y1 - r)),
                 ((cx - k, y1 - r), (cx - r, y1 - k), (cx - r, y1)),
                 (x0, y1)]
        return path

    def folds(self) -> list[tuple[Point, Point]]:
        """Return the lines to fold along (inwards)."""
        x0, x1, x2, x3, x4, _ = self._x
        y0, y1 = self._y
        d, s = self.depth, SHOULDER_MM
        return [
            *[((x, y0), (x, y1)) for x in (x1, x2, x3, x4)],
            ((x0, y0), (x2, y0)), ((x3, y0), (x4, y0)),
            ((x0 + s, y0 - d), (x1 - s, y0 - d)),
            ((x1, y1), (x4, y1)),
            ((x2 + s, y1 + d), (x3 - s, y1 + d)),
        ]


def _tuck(start: float, end: float, fold: float, height: float, shoulder: float
          ) -> list[Point | tuple[Point, Point, Point]]:
    """Return a tuck flap from its fold at *fold*, between x *start* and *end* (either way
    round), *height* up (negative: down), with rounded free corners."""
    sign = 1 if end > start else -1
    up = 1 if height > 0 else -1
    a, b = start + sign * shoulder, end - sign * shoulder
    r = min(6.0, abs(height) / 2)
    k = 0.5523 * r
    top = fold + height
    return [
        (a, fold), (a, top - up * r),
        ((a, top - up * (r - k)), (a + sign * (r - k), top), (a + sign * r, top)),
        (b - sign * r, top),
        ((b - sign * (r - k), top), (b, top - up * (r - k)), (b, top - up * r)),
        (b, fold),
    ]


@dataclass(frozen=True)
class BoxSheet:
    """The box placed on a sheet: the sheet, where the box's origin lies, the bleed."""

    box: TuckBox
    sheet: Size
    origin: Point
    bleed: float
    die: bool

    @classmethod
    def plan(cls, box: TuckBox, paper: str, die: bool) -> BoxSheet:
        """Place *box* on the smallest paper it fits (or the one asked), or on its own
        sheet with bleed for the print shop."""
        if die:
            edge = SHOP_BLEED_MM
            sheet = Size("die", box.width + 2 * edge, box.height + 2 * edge)
            return cls(box, sheet, (edge, edge), SHOP_BLEED_MM, True)
        names = ("a4", "a3") if paper == "auto" else (paper,)
        for name in names:
            for sheet in (PAPER_SIZES[name].portrait, PAPER_SIZES[name].landscape):
                room_w = sheet.width - 2 * MARGIN_MM
                room_h = sheet.height - 2 * MARGIN_MM - INSTRUCTIONS_MM
                if box.width <= room_w and box.height <= room_h:
                    x = (sheet.width - box.width) / 2
                    y = sheet.height - MARGIN_MM - box.height
                    return cls(box, sheet, (x, y), HOME_BLEED_MM, False)
        raise UsageError(
            f"a tuck box for {box.cards} cards of {box.card.width:g}×{box.card.height:g} mm "
            f"({box.width:.0f}×{box.height:.0f} mm flat) does not fit "
            f"{' or '.join(n.upper() for n in names)}; use --die for a print shop, or fewer "
            "--cards")

    def at(self, rect: Rect) -> dict[str, float]:
        """Return *rect* on the sheet as CSS boxes want it: left, top, width, height (mm)."""
        x, y = self.origin
        return {"left": x + rect.x, "top": self.sheet.height - (y + rect.y + rect.h),
                "width": rect.w, "height": rect.h}

    def art(self, rect: Rect, cut_sides: str) -> dict[str, float]:
        """Return a coloured panel grown by the bleed on its cut sides (any of ``lrtb``)."""
        b = self.bleed
        grown = Rect(rect.x - (b if "l" in cut_sides else 0),
                     rect.y - (b if "b" in cut_sides else 0),
                     rect.w + (b if "l" in cut_sides else 0) + (b if "r" in cut_sides else 0),
                     rect.h + (b if "b" in cut_sides else 0) + (b if "t" in cut_sides else 0))
        return self.at(grown)

    def _moved(self, point: Point) -> Point:
        return point[0] + self.origin[0], point[1] + self.origin[1]

    def die_lines(self) -> tuple[Pen, dict[str, Any]]:
        """Return the cut and fold lines over the artwork, and the resources they need."""
        cut = [tuple(self._moved(p) for p in item) if isinstance(item[0], tuple)
               else self._moved(item) for item in self.box.cut()]
        folds = [(self._moved(a), self._moved(b)) for a, b in self.box.folds()]
        pen = Pen()
        if not self.die:
            pen.style(0.6, CUT_RGB).path(cut)  # type: ignore[arg-type]
            pen.style(0.5, FOLD_RGB, FOLD_DASH_MM).lines(folds)
            return pen, {}
        pen.raw(f"/OC /{DIE} BDC /DieOverprint gs /{DIE} CS")
        pen.style(0.5, "1 SCN").path(cut)  # type: ignore[arg-type]
        pen.style(0.5, "1 SCN", FOLD_DASH_MM).lines(folds)
        pen.raw("EMC")
        return pen, {}

    @property
    def help_top(self) -> float:
        """Top of the instructions (home version), mm from the sheet's top: under the box."""
        return self.sheet.height - self.origin[1] + 8.0

    def key(self) -> Pen:
        """Return the key's two sample lines (home version): cut and fold, beside their
        words (the template sets them 5.7 mm apart, the first centred 1.55 mm down)."""
        x = MARGIN_MM + 4
        y = self.sheet.height - self.help_top - 1.55
        return (Pen().style(0.6, CUT_RGB).line((x, y), (x + 12, y))
                .style(0.5, FOLD_RGB, FOLD_DASH_MM).line((x, y - 5.7), (x + 12, y - 5.7)))


def die_resources(pdf: pikepdf.Pdf) -> tuple[dict[str, Any], pikepdf.Object]:
    """Return the page resources of the die layer (spot colour, overprint) and the layer."""
    c, m, y, k = DIE_ALTERNATE
    tint = pdf.make_indirect(pikepdf.Dictionary(
        FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[c, m, y, k], N=1))
    space = pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name("/" + DIE),
                           pikepdf.Name.DeviceCMYK, tint])
    layer = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.OCG, Name=pikepdf.String(DIE),
        Intent=pikepdf.Array([pikepdf.Name.View, pikepdf.Name.Design])))
    resources = {
        "/ColorSpace": {"/" + DIE: space},
        "/ExtGState": {"/DieOverprint": pikepdf.Dictionary(Type=pikepdf.Name.ExtGState,
                                                           OP=True, op=True, OPM=1)},
        "/Properties": {"/" + DIE: layer},
    }
    return resources, layer


@dataclass
class BoxResult:
    """What ``kaartspel box`` wrote."""

    path: Path
    box: TuckBox
    paper: str
    seconds: float


def build_box(content_dir: Path, options: BoxOptions, output: Path) -> BoxResult:
    """Write the tuck box of *options* to *output*."""
    started = time.perf_counter()
    check_output(output)
    content = load_content(content_dir, options.lang)
    cards = options.cards
    if cards is None:
        from kaartspel.deck.cards import build_cards

        cards = len(build_cards(content)) + 1  # the full deck and its legend card
    box = TuckBox.for_deck(card_size(options.size), cards, options.paper_weight)
    placed = BoxSheet.plan(box, options.paper, options.die)
    templates = TemplateSet.create(options.templates)
    variant = "print" if options.die else "plain"
    palette = templates.palette()

    def colour(theme: str, tint: bool = False) -> str:
        c = palette.colour(theme)
        return css_colour(c.tint if tint else c.rgb, c.tint_cmyk if tint else c.cmyk, variant)

    white = css_colour("#ffffff", (0, 0, 0, 0), variant)
    ink = css_colour(palette.ink, palette.ink_cmyk, variant)
    icon = Markup(templates.icon("set").replace("currentColor", white))
    themes = [{"name": t.name, "colour": colour(t.id)} for t in content.themes]
    ui = content.ui
    pdf = render_pages(
        "kit/box.html", templates, options.strict, f"tuck box ({options.lang})",
        lang=content.lang, meta=content.meta, ui=ui, sheet=placed.sheet, placed=placed,
        panels=box.panels(), themes=themes, icon=icon, dark=colour("set"), white=white,
        ink=ink, muted=css_colour("#5a5a60", (0, 0, 0, 75), variant),
        count=ui.cards_count.replace("{n}", str(box.cards)), die=options.die,
        cut_rgb=_css(CUT_RGB), fold_rgb=_css(FOLD_RGB))
    with pdf:
        lines, resources = placed.die_lines()
        if options.die:
            resources, layer = die_resources(pdf)
            pdf.Root.OCProperties = pikepdf.Dictionary(
                OCGs=[layer], D=pikepdf.Dictionary(Name=pikepdf.String(DIE), Order=[layer],
                                                   ON=[layer], BaseState=pikepdf.Name.ON))
            page = pdf.pages[0]
            b = placed.bleed
            page.obj.TrimBox = pikepdf.Array([mm_to_pt(v) for v in
                                              (b, b, b + box.width, b + box.height)])
            page.obj.BleedBox = pikepdf.Array(list(page.mediabox))
        else:
            lines.ops.extend(placed.key().ops)
        draw_over(pdf, 0, lines, resources)
        ask_actual_size(pdf)
        title = f"{content.meta.title} — {content.meta.set_title}"
        finalize(pdf, variant, content.lang, title, templates, options.strict)
        save_pdf(pdf, output, title, content.lang)
    log.info("tuck box %s: %d cards, inside %g×%g×%g mm", output, box.cards, box.inner_w,
             box.inner_h, box.depth)
    paper = "its own sheet" if options.die else _paper_name(placed.sheet)
    return BoxResult(output, box, paper, time.perf_counter() - started)


def _css(operator: str) -> str:
    r, g, b = (float(v) for v in operator.split()[:3])
    return f"rgb({r * 100:g}% {g * 100:g}% {b * 100:g}%)"


def _paper_name(sheet: Size) -> str:
    turn = "landscape" if sheet.width > sheet.height else "portrait"
    return f"{sheet.name.upper()} {turn}"


__all__: Sequence[str] = ["BoxResult", "BoxSheet", "TuckBox", "build_box", "caliper_mm"]
