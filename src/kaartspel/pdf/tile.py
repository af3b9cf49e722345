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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Dictionary, Pdf

from kaartspel.errors import UsageError
from kaartspel.pdf import tounicode
from kaartspel.pdf.impose import page_xobject
from kaartspel.pdf.marks import (
    MARK_WIDTH_PT,
    PRODUCTION_AID,
    add_registration,
    cut_marks,
    mark_operators,
)
from kaartspel.units import Size, mm_to_pt, pt_to_mm

FRAME_MM = 6.0
"""White frame between the printable edge and the poster: marks and the label live here."""
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


def tile_marks(plan: TilePlan, row: int, col: int, registration: bool = False) -> bytes:
    """Return operators for the cut marks and overlap ticks of one sheet (in its frame).

    Cut marks continue the printed edges into the frame; ticks show where the neighbouring
    sheets' printed edges fall on this one.  Both are marks of :mod:`kaartspel.pdf.marks`.
    """
    ax, ay = plan.origin
    w, h = plan.window_w, plan.window_h
    left, right, bottom, top = ax, ax + w, ay, ay + h
    x0, y0, _, _ = plan.window(row, col)
    xs = [left, right]
    if col + 1 < plan.cols:
        xs.append(ax + plan.xs[col + 1] - x0)
    if col > 0:
        xs.append(ax + plan.xs[col - 1] + plan.window_w - x0)
    ys = [bottom, top]
    if row + 1 < plan.rows:
        ys.append(top - (plan.ys[row + 1] - y0))
    if row > 0:
        ys.append(top - (plan.ys[row - 1] + plan.window_h - y0))
    return mark_operators(cut_marks(xs, ys, (left, bottom, right, top)), registration)


# --------------------------------------------------------------------------------------------
# Label text: reuse a font the poster already embeds (searchable text, no new font), or fall
# back to glyph outlines of the bundled font.

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
        codes = tounicode.codes_by_text(font)
        if needed <= codes.keys():
            name = str(font.get("/BaseFont", ""))
            rank = 0 if "Semi-Bold" in name or "Semibold" in name else 1 if "Bold" in name else 2
            rank += 3 if "Italic" in name or "It" in name.split("-")[-1:] else 0
            candidates.append((rank, name, font, codes))
    if not candidates:
        return None
    _, _, font, codes = min(candidates, key=lambda c: (c[0], c[1]))
    return font, codes


def _text_ops(text: str, codes: dict[str, bytes], x: float, y: float,
              size: float = LABEL_PT) -> str:
    hexcodes = "".join(codes[ch].hex() for ch in text)
    return (f"BT /KL {size:g} Tf {mm_to_pt(x):.3f} {mm_to_pt(y):.3f} Td "
            f"<{hexcodes}> Tj ET")


@cache
def _bundled_font() -> tuple[Any, dict[int, str], int]:
    """Return the glyph set, character map and units per em of the bundled semibold font."""
    from fontTools.ttLib import TTFont

    from kaartspel.render.templates import PACKAGE_TEMPLATES

    font = TTFont(Path(PACKAGE_TEMPLATES, "fonts", "SourceSans3-Semibold.ttf"), lazy=True)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


def _text_width(text: str, size: float = LABEL_PT) -> float:
    """Return the width (mm) of *text* in the bundled semibold font at *size* pt."""
    glyphs, cmap, units = _bundled_font()
    em = sum(float(glyphs[cmap.get(ord(ch)) or ".notdef"].width) for ch in text) / units
    return float(em * size * 25.4 / 72)


def _outline_ops(text: str, x: float, y: float, size: float = LABEL_PT) -> str:
    """Return the label as filled glyph outlines of the bundled semibold font."""
    from fontTools.pens.basePen import BasePen

    glyphs, cmap, units = _bundled_font()
    scale = size / units
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


ASSEMBLY_NAME_PT = 14.0
"""Size of the tile names on the assembly sheet."""


def _text(text: str, found: tuple[pikepdf.Object, dict[str, bytes]] | None, x: float,
          y: float, size: float = LABEL_PT) -> str:
    """Return operators setting *text* at (x, y) mm: in the poster's font, else as outlines."""
    if found is not None and set(text) <= found[1].keys():
        return _text_ops(text, found[1], x, y, size)
    return _outline_ops(text, x, y, size)


def assembly_content(plan: TilePlan, trim_origin: tuple[float, float], heading: str,
                     found: tuple[pikepdf.Object, dict[str, bytes]] | None,
                     cmyk: bool = False) -> bytes:
    """Return the content of the assembly sheet: the whole poster, small, with every
    sheet's window outlined and named where it lies, and *heading* above it (black and
    white in DeviceCMYK when *cmyk*, the print variant)."""
    black, stroke, white = ("0 0 0 1 k", "0 0 0 1 K", "0 0 0 0 k") if cmyk else ("0 g", "0 G",
                                                                                 "1 g")
    inset = plan.margin + FRAME_MM
    head_h = 12.0
    avail_w = plan.sheet.width - 2 * inset
    avail_h = plan.sheet.height - 2 * inset - head_h
    scale = min(avail_w / plan.poster_w, avail_h / plan.poster_h)
    w, h = plan.poster_w * scale, plan.poster_h * scale
    left = inset + (avail_w - w) / 2
    bottom = inset + (avail_h - h) / 2
    pt = mm_to_pt
    # The poster, its trim only (no bleed or crop marks), scaled into the free area: a
    # picture of the poster for putting the sheets together, a production aid, whose text
    # (a few points high) is not there to be read.
    tx, ty = left - scale * trim_origin[0], bottom - scale * trim_origin[1]
    ops = [f"{PRODUCTION_AID} q {pt(left):.3f} {pt(bottom):.3f} {pt(w):.3f} {pt(h):.3f} re W n "
           f"{scale:.6f} 0 0 {scale:.6f} {pt(tx):.3f} {pt(ty):.3f} cm /P Do Q"]
    # Each sheet's window: outlined (the overlaps show where neighbours meet), named in the
    # middle of the part no neighbour covers, on a white ground so it reads over the poster.
    ops.append(f"q {stroke} {MARK_WIDTH_PT * 2:g} w")
    for row, col in plan.tiles():
        x0, y0, x1, y1 = plan.window(row, col)
        rx, ry = left + x0 * scale, bottom + (plan.poster_h - y1) * scale
        ops.append(f"{pt(rx):.3f} {pt(ry):.3f} {pt((x1 - x0) * scale):.3f} "
                   f"{pt((y1 - y0) * scale):.3f} re S")
    ops.append("Q EMC")
    for row, col in plan.tiles():
        name = tile_name(row, col)
        x0, y0, x1, y1 = plan.window(row, col)
        ox = plan.overlap_x / 2 if plan.cols > 1 else 0.0
        oy = plan.overlap_y / 2 if plan.rows > 1 else 0.0
        cx = left + ((x0 + (ox if col else 0)) + (x1 - (ox if col < plan.cols - 1 else 0))) / 2 \
            * scale
        cy = bottom + (plan.poster_h - ((y0 + (oy if row else 0))
                                        + (y1 - (oy if row < plan.rows - 1 else 0))) / 2) * scale
        tw = _text_width(name, ASSEMBLY_NAME_PT)
        cap = ASSEMBLY_NAME_PT * 0.66 * 25.4 / 72
        pad = 1.2
        ops.append(f"q {white} {pt(cx - tw / 2 - pad):.3f} {pt(cy - cap / 2 - pad):.3f} "
                   f"{pt(tw + 2 * pad):.3f} {pt(cap + 2 * pad):.3f} re f Q")
        ops.append(f"q {black} " + _text(name, found, cx - tw / 2, cy - cap / 2, ASSEMBLY_NAME_PT)
                   + " Q")
    head_y = plan.sheet.height - inset - head_h / 2 - LABEL_PT * 0.33 * 25.4 / 72
    ops.append(f"q {black} " + _text(heading, found, inset, head_y) + " Q")
    return ("\n".join(ops) + "\n").encode()


def tile_poster(source: Pdf, plan: TilePlan, trim_origin: tuple[float, float],
                label: str, assembly: str = "", registration: bool = False) -> Pdf:
    """Return a PDF with one sheet per tile of every page of *source*.

    *trim_origin* is where the poster's trim box starts on its page (mm from the lower-left
    corner: the bleed and crop-mark zone); *label* is the tile label template.  With an
    *assembly* heading, each page's tiles are preceded by a sheet that shows the whole page
    with every sheet's place and name (see :func:`assembly_content`).
    *registration* (the print variant): marks in the registration colour, labels and the
    assembly sheet in 100 % K, and an ArtBox around the poster's part on each sheet (a
    PDF/X page needs a TrimBox or an ArtBox; a tile is not trimmed to one size).
    """
    out = Pdf.new()
    space = None
    ink = "0 0 0 1 k" if registration else "0 g"
    pages = list(source.pages)
    for index, page in enumerate(pages):
        form = page_xobject(out, page)
        labels = tile_labels(label, plan)
        if len(pages) > 1:
            labels = [f"{text} ({index + 1}/{len(pages)})" for text in labels]
        found = find_label_font(form, labels)
        if assembly:
            heading = assembly if len(pages) == 1 else f"{assembly} ({index + 1}/{len(pages)})"
            sheet = out.add_blank_page(page_size=(mm_to_pt(plan.sheet.width),
                                                  mm_to_pt(plan.sheet.height)))
            resources = Dictionary(XObject=Dictionary(P=form))
            if found is not None:
                resources.Font = Dictionary(KL=found[0])
            sheet.obj.Resources = resources
            sheet.obj.Contents = out.make_stream(assembly_content(plan, trim_origin, heading,
                                                                   found, registration))
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
                content.append(f"q {ink} " + _text_ops(text, found[1], label_x, label_y) + " Q")
            else:
                content.append(f"q {ink} " + _outline_ops(text, label_x, label_y) + " Q")
            sheet = out.add_blank_page(page_size=(sheet_w, sheet_h))
            resources = Dictionary(XObject=Dictionary(P=form))
            if found is not None:
                resources.Font = Dictionary(KL=found[0])
            sheet.obj.Resources = resources
            sheet.obj.Contents = out.make_stream(
                ("\n".join(content) + "\n").encode() + tile_marks(plan, row, col, registration)
            )
            if registration:
                space = add_registration(out, resources, space)
                sheet.obj.ArtBox = pikepdf.Array([round(mm_to_pt(v), 3) for v in (
                    ax, ay, ax + plan.window_w, ay + plan.window_h)])
    return out


__all__ = [
    "TilePlan", "plan_on", "plan_tiles", "tile_label", "tile_labels", "tile_name", "tile_poster",
]
