"""The duplex test sheet: a fine ruler grid on the front, crosshairs on the back.

Printed double-sided and held against the light, each cross on the back shows through near
its grid on the front; where its centre lies on the grid is the printer's drift between
the sides, X to the right and Y up in mm, which ``--back-offset X,Y`` then cancels (see
:mod:`kaartspel.pdf.duplex`).  A large grid in the middle gives the value; four small ones
near the corners show whether the printer also turns or stretches the back.  A 100 mm bar
checks that the sheet was printed at actual size.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from kaartspel.content.load import load_content
from kaartspel.kit.sheets import Pen, Point, ask_actual_size, draw_over, render_pages
from kaartspel.options import CalibrateOptions
from kaartspel.pdf.duplex import back_shift, on_back
from kaartspel.pdf.save import check_output, save_pdf
from kaartspel.render.templates import TemplateSet
from kaartspel.units import Size, paper_size

log = logging.getLogger(__name__)

MAIN_REACH_MM = 15.0
"""Half the side of the middle grid: drifts up to 4 mm are common, 10 mm is a mis-feed."""
CORNER_REACH_MM = 6.0
"""Half the side of a corner grid."""
CORNER_INSET_MM = 20.0
"""Distance of a corner grid's centre from the sheet's edges (inside a 5 mm margin)."""
CROSS_ARM_MM = 3.0
"""How far a cross's arms reach past its grid, so a drifted cross still crosses the scale."""
BAR_MM = 100.0
"""Length of the bar that checks printing at actual size."""
LABEL_EVERY_MM = 5
EXAMPLE_DRIFT = (2.0, -1.0)
"""The drift the sheet's worked example shows (X +2, Y −1)."""


EXAMPLE_COLOUR = "0.72 0.36 0.29 RG"
"""The example cross's colour (the palette's brick): it must not pass for a real one."""


@dataclass(frozen=True)
class Target:
    """One grid on the front and the cross on the back that belongs to it."""

    centre: Point
    """Centre of the grid on the front, mm from the sheet's lower-left corner."""
    reach: float
    """Half the grid's side in mm."""

    @property
    def arm(self) -> float:
        """Half the length of the cross's lines."""
        return self.reach + CROSS_ARM_MM


@dataclass(frozen=True)
class CalibrationSheet:
    """Where everything on the test sheet goes, in mm."""

    sheet: Size
    duplex: str
    back_offset: tuple[float, float]
    targets: tuple[Target, ...]
    """The middle grid first, then the corners."""

    @classmethod
    def plan(cls, options: CalibrateOptions) -> CalibrationSheet:
        """Lay the sheet out for the options' paper and orientation."""
        paper = paper_size(options.paper)
        sheet = paper.landscape if options.orientation == "landscape" else paper.portrait
        w, h, inset = sheet.width, sheet.height, CORNER_INSET_MM
        targets = [Target((w / 2, h / 2), MAIN_REACH_MM)]
        targets += [Target((x, y), CORNER_REACH_MM)
                    for y in (h - inset, inset) for x in (inset, w - inset)]
        return cls(sheet, options.duplex, options.back_offset, tuple(targets))

    @property
    def main(self) -> Target:
        """The middle grid, the one to read."""
        return self.targets[0]

    def cross(self, target: Target) -> Point:
        """Return the centre of *target*'s cross on the back page (mm, back coordinates)."""
        x, y = on_back(target.centre, self.sheet, self.duplex)
        dx, dy = back_shift(self.back_offset, self.sheet, self.duplex)
        return x + dx, y + dy

    @property
    def bar(self) -> tuple[Point, Point]:
        """The 100 mm bar: centred, above the lower corner grids."""
        y = CORNER_INSET_MM + CORNER_REACH_MM + 6.0
        return (self.sheet.width / 2 - BAR_MM / 2, y), (self.sheet.width / 2 + BAR_MM / 2, y)

    @property
    def example(self) -> Target:
        """A small grid with a cross drawn on the front: how to read the offset."""
        y = (self.bar[0][1] + self.sheet.height / 2 - MAIN_REACH_MM) / 2
        return Target((self.sheet.width / 2 - 35.0, y), CORNER_REACH_MM)

    @property
    def text_box(self) -> tuple[float, float, float, float]:
        """Left, top, width and height (mm, from the top-left) of the instructions."""
        left = CORNER_INSET_MM + CORNER_REACH_MM + 8.0
        top = 12.0
        bottom = self.sheet.height / 2 - MAIN_REACH_MM - 9.0
        return left, top, self.sheet.width - 2 * left, bottom - top

    def labels(self) -> list[dict[str, object]]:
        """Return the grid's scale numbers as HTML boxes: text, centre x and centre y from
        the top (mm), and the scale's size class."""
        found: list[dict[str, object]] = []
        for i, target in enumerate((*self.targets, self.example)):
            cx, cy = target.centre
            top = self.sheet.height - cy
            size = "main" if i == 0 else "corner"
            last = int(target.reach) // LABEL_EVERY_MM * LABEL_EVERY_MM
            steps = range(-last, last + 1, LABEL_EVERY_MM)
            for k in steps:
                shown = signed(k)
                found.append({"text": shown, "x": cx + k, "y": top - target.reach - 2.2,
                              "size": size})
                found.append({"text": shown, "x": cx - target.reach - 3.2, "y": top - k,
                              "size": size})
            if i == 0:
                found.append({"text": "X", "x": cx + target.reach + 5.5,
                              "y": top - target.reach - 2.2, "size": "axis"})
                found.append({"text": "Y", "x": cx - target.reach - 3.2,
                              "y": top - target.reach - 5.0, "size": "axis"})
        return found

    def front(self) -> Pen:
        """Return the front's lines: each grid (1 mm, 5 mm heavier, 0 darkest) and the bar."""
        pen = Pen()
        for target in (*self.targets, self.example):
            cx, cy = target.centre
            r = int(target.reach)
            # Every millimetre thin and light, every fifth heavier, the zero lines black.
            for weight, colour, kind in ((0.12, "0.6 G", 1), (0.3, "0.35 G", 5), (0.5, "0 G", 0)):
                pen.style(weight, colour)
                for k in range(-r, r + 1):
                    if _line_kind(k) == kind:
                        pen.line((cx + k, cy - r), (cx + k, cy + r))
                        pen.line((cx - r, cy + k), (cx + r, cy + k))
        ex, ey = self.example.centre
        ex, ey = ex + EXAMPLE_DRIFT[0], ey + EXAMPLE_DRIFT[1]
        arm = self.example.arm
        pen.style(0.8, EXAMPLE_COLOUR, (1.2, 0.6))
        pen.line((ex - arm, ey), (ex + arm, ey)).line((ex, ey - arm), (ex, ey + arm))
        pen.style(0.8, EXAMPLE_COLOUR).circle((ex, ey), 1.0)
        (x1, y), (x2, _) = self.bar
        pen.style(0.6, "0 G").line((x1, y), (x2, y))
        for k in range(0, int(BAR_MM) + 1, 10):
            tick = 2.5 if k % 50 == 0 else 1.5
            pen.line((x1 + k, y), (x1 + k, y + tick))
        return pen

    def back(self) -> Pen:
        """Return the back's lines: a cross with a ring at each grid's mirrored place."""
        pen = Pen().style(0.8, "0 G")
        for target in self.targets:
            x, y = self.cross(target)
            pen.line((x - target.arm, y), (x + target.arm, y))
            pen.line((x, y - target.arm), (x, y + target.arm))
            pen.circle((x, y), 1.0)
        return pen


def _line_kind(k: int) -> int:
    """Return 0 for the zero line, 5 for a fifth millimetre, 1 for any other."""
    return 0 if k == 0 else 5 if k % 5 == 0 else 1


def signed(value: float) -> str:
    """Return *value* as a scale shows it: +2, 0, −1 (a real minus sign)."""
    return "0" if value == 0 else f"{value:+g}".replace("-", "−")


@dataclass
class CalibrationResult:
    """What ``kaartspel calibrate`` wrote."""

    path: Path
    pages: int
    seconds: float


def build_calibration(content_dir: Path, options: CalibrateOptions, output: Path
                      ) -> CalibrationResult:
    """Write the two-page duplex test sheet to *output*."""
    started = time.perf_counter()
    check_output(output)
    content = load_content(content_dir, options.lang)
    ui = content.ui
    layout = CalibrationSheet.plan(options)
    templates = TemplateSet.create(options.templates)
    edge = ui.edge_long if options.duplex == "long" else ui.edge_short
    offset = ",".join(f"{v:g}" for v in options.back_offset)
    pdf = render_pages(
        "kit/calibrate.html", templates, options.strict, f"calibration sheet ({options.lang})",
        lang=content.lang, ui=ui, meta=content.meta, layout=layout,
        steps=[step.replace("{edge}", edge) for step in ui.calibrate_steps],
        example=ui.calibrate_example.replace("{x}", signed(EXAMPLE_DRIFT[0])).replace(
            "{y}", signed(EXAMPLE_DRIFT[1])).replace(
            "{offset}", ",".join(f"{v:g}" for v in EXAMPLE_DRIFT)),
        applied=ui.calibrate_applied.replace("{offset}", offset)
        if any(options.back_offset) else "")
    with pdf:
        draw_over(pdf, 0, layout.front())
        draw_over(pdf, 1, layout.back())
        ask_actual_size(pdf, options.duplex)
        save_pdf(pdf, output, f"{content.meta.title} — {ui.calibrate_title}", content.lang)
        pages = len(pdf.pages)
    log.info("calibration sheet %s: %s, %s edge", output, layout.sheet, options.duplex)
    return CalibrationResult(output, pages, time.perf_counter() - started)
