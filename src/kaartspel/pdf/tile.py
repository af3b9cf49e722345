"""Tiled printing: split a rendered poster over A4/A3 sheets that overlap, to tape together.

The poster page becomes ONE Form XObject (its full media box, see
:func:`kaartspel.pdf.impose.page_xobject`) placed on every sheet with a clip rectangle and a ``cm``
translation, so nothing is rendered twice and the file grows by a few KB per sheet.

Sheet anatomy, from the paper edge inwards: the printer's unprintable *margin*; a white
*frame* (:data:`FRAME_MM`) holding cut marks at the corners of the printed part, ticks where the
neighbouring sheets' edges fall (the overlap boundaries) and the tile's label ("B2 of C4": row
letter, column number); then the poster itself.  Neighbouring tiles show the same strip of the
poster (at least *overlap* wide): cut one sheet along its printed edge and lay it on the next so
that the edge meets the ticks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from kaartspel.errors import UsageError
from kaartspel.pdf.impose import page_xobject
from kaartspel.units import Size, mm_to_pt, pt_to_mm

FRAME_MM = 6.0
"""White frame between the printable edge and the poster: marks and the label live here."""
MARK_GAP_MM = 1.0
"""Space between the printed poster edge and the start of a mark."""
MARK_LENGTH_MM = 4.0
MARK_WIDTH_PT = 0.3
LABEL_PT = 8.0
"""Size of the tile label."""


@dataclass(frozen=True)
class TilePlan:
    """Where each sheet's window onto the poster lies; all lengths in mm.

    Poster coordinates run from the poster's top-left corner (x right, y down); sheet
    coordinates are PDF's (from the sheet's lower-left corner, y up).
    """

    sheet: Size
    rows: int
    cols: int
    poster_w: float
    poster_h: float
    window_w: float
    """Width of the poster strip each sheet shows."""
    window_h: float
    xs: tuple[float, ...]
    """Left edge (poster x) of each column's window."""
    ys: tuple[float, ...]
    """Top edge (poster y) of each row's window."""
    margin: float
    overlap: float
    """The overlap asked for; the real one (:attr:`overlap_x`, :attr:`overlap_y`) is never less."""

    @property
    def count(self) -> int:
        """Return the number of sheets."""
        return self.rows * self.cols

    @property
    def origin(self) -> tuple[float, float]:
        """Return the sheet position (mm, PDF coordinates) of a window's lower-left corner."""
        inset = self.margin + FRAME_MM
        return inset, self.sheet.height - inset - self.window_h

    @property
    def overlap_x(self) -> float:
        return self.window_w - (self.xs[1] - self.xs[0]) if self.cols > 1 else 0.0

    @property
    def overlap_y(self) -> float:
        return self.window_h - (self.ys[1] - self.ys[0]) if self.rows > 1 else 0.0

    def window(self, row: int, col: int) -> tuple[float, float, float, float]:
        """Return the poster rectangle (x0, y0, x1, y1; y down) that sheet *row*, *col* shows."""
        x, y = self.xs[col], self.ys[row]
        return x, y, x + self.window_w, y + self.window_h

    def tiles(self) -> Iterator[tuple[int, int]]:
        """Yield (row, col) of every sheet in reading order."""
        for row in range(self.rows):
            for col in range(self.cols):
                yield row, col


def _positions(length: float, window: float, overlap: float) -> tuple[float, ...]:
    """Return window starts covering [0, length], evenly spaced, overlapping ≥ *overlap*."""
    if length <= window + 1e-9:
        return (0.0,)
    count = math.ceil((length - overlap) / (window - overlap) - 1e-9)
    step = (length - window) / (count - 1)
    return tuple(i * step for i in range(count))


def plan_on(sheet: Size, poster_w: float, poster_h: float, overlap: float,
            margin: float) -> TilePlan | None:
    """Return the tiling on sheets of exactly *sheet* (as oriented), or None if none fits."""
    inset = margin + FRAME_MM
    window_w = sheet.width - 2 * inset
    window_h = sheet.height - 2 * inset
    if min(window_w, window_h) <= overlap + 1.0:
        return None
    w, h = min(window_w, poster_w), min(window_h, poster_h)
    xs, ys = _positions(poster_w, w, overlap), _positions(poster_h, h, overlap)
    return TilePlan(sheet, len(ys), len(xs), poster_w, poster_h, w, h, xs, ys, margin, overlap)


def plan_tiles(poster_w: float, poster_h: float, paper: Size, overlap: float,
               margin: float) -> TilePlan:
    """Return the tiling with the fewest sheets of *paper*, portrait or landscape.

    A tie goes to portrait sheets.
    """
    plans = [plan_on(sheet, poster_w, poster_h, overlap, margin)
             for sheet in (paper.portrait, paper.landscape)]
    best = min((p for p in plans if p is not None), key=lambda p: p.count, default=None)
    if best is None:
        raise UsageError(
            f"{paper.name} paper with a {margin:g} mm margin leaves no room for a "
            f"{overlap:g} mm overlap; use a smaller --margin or --overlap"
        )
    return best


def row_name(row: int) -> str:
    """Return the letter(s) of a 0-based row: A … Z, AA, AB …"""
    name = ""
    row += 1
    while row:
        row, rest = divmod(row - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def tile_name(row: int, col: int) -> str:
    """Return the name of a tile, e.g. ``B2`` (row letter, column number)."""
    return f"{row_name(row)}{col + 1}"


def tile_label(template: str, plan: TilePlan, row: int, col: int) -> str:
    """Return the label of a tile from *template* (``{tile}`` of ``{last}``)."""
    last = tile_name(plan.rows - 1, plan.cols - 1)
    return template.replace("{tile}", tile_name(row, col)).replace("{last}", last)


def tile_labels(template: str, plan: TilePlan) -> list[str]:
    """Return the label of every tile, in :meth:`TilePlan.tiles` order."""
    return [tile_label(template, plan, row, col) for row, col in plan.tiles()]


# --------------------------------------------------------------------------------------------
# Marks


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f"{mm_to_pt(x1):.3f} {mm_to_pt(y1):.3f} m "
            f"{mm_to_pt(x2):.3f} {mm_to_pt(y2):.3f} l S")


def tile_marks(plan: TilePlan, row: int, col: int) -> bytes:
    """Return operators for the cut marks and overlap ticks of one sheet (in its frame)."""
    ax, ay = plan.origin
    w, h = plan.window_w, plan.window_h
    left, right, bottom, top = ax, ax + w, ay, ay + h
    a, b = MARK_GAP_MM, MARK_GAP_MM + MARK_LENGTH_MM
    lines = []
    # Corner marks: the printed edges, extended into the frame.
    for x, sx in ((left, -1), (right, 1)):
        for y, sy in ((bottom, -1), (top, 1)):
            lines.append(_line(x, y + sy * a, x, y + sy * b))
            lines.append(_line(x + sx * a, y, x + sx * b, y))
    # Overlap ticks: where the neighbours' printed edges fall on this sheet.
    x0, y0, _, _ = plan.window(row, col)
    xs = []
    if col + 1 < plan.cols:
        xs.append(plan.xs[col + 1] - x0)
    if col > 0:
        xs.append(plan.xs[col - 1] + plan.window_w - x0)
    for x in xs:
        lines.append(_line(ax + x, top + a, ax + x, top + b))
        lines.append(_line(ax + x, bottom - a, ax + x, bottom - b))
    ys = []
    if row + 1 < plan.rows:
        ys.append(plan.ys[row + 1] - y0)
    if row > 0:
        ys.append(plan.ys[row - 1] + plan.window_h - y0)
    for y in ys:
        sheet_y = top - y
        lines.append(_line(left - a, sheet_y, left - b, sheet_y))
        lines.append(_line(right + a, sheet_y, right + b, sheet_y))
    return ("q 0 0 0 1 K " + f"{MARK_WIDTH_PT} w 0 J []0 d\n" + "\n".join(lines) + "\nQ\n").encode()


# --------------------------------------------------------------------------------------------
# Label text: reuse a font the poster already embeds (searchable text, no new font), or fall
# back to glyph outlines of the bundled font.

_BFCHAR = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _to_unicode(font: pikepdf.Object) -> dict[str, bytes]:
    """Return a map from character to character code for a Type0 font, from its ToUnicode."""
    stream = font.get("/ToUnicode")
    if stream is None or font.get("/Encoding") != Name("/Identity-H"):
        return {}
    text = stream.read_bytes().decode("latin-1")
    codes: dict[str, bytes] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in _BFCHAR.findall(block):
            if len(uni) == 4:
                codes.setdefault(chr(int(uni, 16)), bytes.fromhex(code.rjust(4, "0")))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, uni in _BFRANGE.findall(block):
            start = int(uni, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                codes.setdefault(chr(start + i), code.to_bytes(2, "big"))
    return codes


def _fonts(resources: pikepdf.Object, depth: int = 0) -> Iterator[pikepdf.Object]:
    fonts = resources.get("/Font")
    if fonts is not None:
        yield from fonts.values()
    if depth < 3:
        for xobject in (resources.get("/XObject") or {}).values():
            inner = xobject.get("/Resources")
            if inner is not None:
                yield from _fonts(inner, depth + 1)


def find_label_font(
    form: pikepdf.Object, texts: Sequence[str]
) -> tuple[pikepdf.Object, dict[str, bytes]] | None:
    """Return an embedded font of the poster able to set every text (bold/semibold first)."""
    needed = set("".join(texts))
    candidates = []
    for font in _fonts(form.get("/Resources") or Dictionary()):
        codes = _to_unicode(font)
        if needed <= codes.keys():
            name = str(font.get("/BaseFont", ""))
            rank = 0 if "Semi-Bold" in name or "Semibold" in name else 1 if "Bold" in name else 2
            rank += 3 if "Italic" in name or "It" in name.split("-")[-1:] else 0
            candidates.append((rank, name, font, codes))
    if not candidates:
        return None
    _, _, font, codes = min(candidates, key=lambda c: (c[0], c[1]))
    return font, codes


def _text_ops(text: str, codes: dict[str, bytes], x: float, y: float) -> str:
    hexcodes = "".join(codes[ch].hex() for ch in text)
    return (f"BT /KL {LABEL_PT:g} Tf {mm_to_pt(x):.3f} {mm_to_pt(y):.3f} Td "
            f"<{hexcodes}> Tj ET")


@cache
def _bundled_font() -> tuple[Any, dict[int, str], int]:
    """Return the glyph set, character map and units per em of the bundled semibold font."""
    from fontTools.ttLib import TTFont

    from kaartspel.render.templates import PACKAGE_TEMPLATES

    font = TTFont(Path(PACKAGE_TEMPLATES, "fonts", "SourceSans3-Semibold.ttf"), lazy=True)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


def _outline_ops(text: str, x: float, y: float) -> str:
    """Return the label as filled glyph outlines of the bundled semibold font."""
    from fontTools.pens.basePen import BasePen

    glyphs, cmap, units = _bundled_font()
    scale = LABEL_PT / units
    ops: list[str] = []
    origin = [mm_to_pt(x), mm_to_pt(y)]

    class Pen(BasePen):  # type: ignore[misc]
        def _pt(self, p: tuple[float, float]) -> str:
            return f"{origin[0] + p[0] * scale:.2f} {origin[1] + p[1] * scale:.2f}"

        def _moveTo(self, p: tuple[float, float]) -> None:
            ops.append(f"{self._pt(p)} m")

        def _lineTo(self, p: tuple[float, float]) -> None:
            ops.append(f"{self._pt(p)} l")

        def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],
                        p3: tuple[float, float]) -> None:
            ops.append(f"{self._pt(p1)} {self._pt(p2)} {self._pt(p3)} c")

        def _closePath(self) -> None:
            ops.append("h")

    pen = Pen(glyphs)
    for ch in text:
        name = cmap.get(ord(ch)) or ".notdef"
        glyph = glyphs[name]
        glyph.draw(pen)
        origin[0] += glyph.width * scale
    return "\n".join(ops) + "\nf"


# --------------------------------------------------------------------------------------------


def tile_poster(source: Pdf, plan: TilePlan, trim_origin: tuple[float, float],
                label: str) -> Pdf:
    """Return a PDF with one sheet per tile of every page of *source*.

    *trim_origin* is where the poster's trim box starts on its page (mm from the lower-left
    corner: the bleed and crop-mark zone); *label* is the tile label template.
    """
    out = Pdf.new()
    pages = list(source.pages)
    for index, page in enumerate(pages):
        form = page_xobject(out, page)
        labels = tile_labels(label, plan)
        if len(pages) > 1:
            labels = [f"{text} ({index + 1}/{len(pages)})" for text in labels]
        found = find_label_font(form, labels)
        ax, ay = plan.origin
        sheet_w, sheet_h = mm_to_pt(plan.sheet.width), mm_to_pt(plan.sheet.height)
        for (row, col), text in zip(plan.tiles(), labels, strict=True):
            x0, y0, _, _ = plan.window(row, col)
            # Poster point (x0, y0 + window_h) in y-up page coordinates must land on (ax, ay).
            tx = ax - (trim_origin[0] + x0)
            ty = ay - (trim_origin[1] + plan.poster_h - y0 - plan.window_h)
            clip = (f"{mm_to_pt(ax):.3f} {mm_to_pt(ay):.3f} "
                    f"{mm_to_pt(plan.window_w):.3f} {mm_to_pt(plan.window_h):.3f} re W n")
            content = [f"q {clip} 1 0 0 1 {mm_to_pt(tx):.3f} {mm_to_pt(ty):.3f} cm /P Do Q"]
            # Centred in the bottom frame (width estimated: the ticks stay near the edges).
            cap = pt_to_mm(LABEL_PT * 0.66)
            label_y = ay - FRAME_MM + (FRAME_MM - cap) / 2
            label_x = ax + (plan.window_w - pt_to_mm(len(text) * LABEL_PT * 0.5)) / 2
            if found is not None:
                content.append("q 0 g " + _text_ops(text, found[1], label_x, label_y) + " Q")
            else:
                content.append("q 0 g " + _outline_ops(text, label_x, label_y) + " Q")
            sheet = out.add_blank_page(page_size=(sheet_w, sheet_h))
            resources = Dictionary(XObject=Dictionary(P=form))
            if found is not None:
                resources.Font = Dictionary(KL=found[0])
            sheet.obj.Resources = resources
            sheet.obj.Contents = out.make_stream(
                ("\n".join(content) + "\n").encode() + tile_marks(plan, row, col)
            )
    return out


__all__ = [
    "TilePlan", "plan_on", "plan_tiles", "tile_label", "tile_labels", "tile_name", "tile_poster",
]
