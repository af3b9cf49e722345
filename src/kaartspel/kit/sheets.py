"""Sheets of the kit: text laid out by WeasyPrint, exact lines drawn over it with pikepdf.

Text (instructions, titles) is HTML; every line that is measured or cut along — a ruler
grid, a crosshair, a die line — is drawn as PDF operators from the geometry in mm, so it is
exactly where the numbers say and a test can read it back from the content stream.
Coordinates here are mm from the sheet's lower-left corner (PDF's direction); the HTML
places text from the top-left, so :meth:`Html.top` converts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from markupsafe import Markup

from kaartspel.render.document import render_document, stylesheet, write_pdf
from kaartspel.render.templates import TemplateSet
from kaartspel.units import mm_to_pt

Point = tuple[float, float]


def render_pages(template: str, templates: TemplateSet, strict: bool, what: str,
                 **context: Any) -> pikepdf.Pdf:
    """Render the Jinja *template* (a whole HTML document) and return its PDF, opened."""
    import io

    env = templates.environment()
    html = env.get_template(template).render(fonts_css=Markup(stylesheet(templates, "fonts.css")),
                                             **context)
    document = render_document(html, templates, strict, what)
    # The /ID is the document's: the folders its fonts and icons were read from are not.
    portable = html
    for number, folder in enumerate(templates.folders):
        portable = portable.replace(folder.as_uri(), f"templates{number}:")
    data = write_pdf(document, hashlib.sha256(portable.encode()).digest()[:16], strict, what)
    return pikepdf.open(io.BytesIO(data))


def _n(value_mm: float) -> str:
    return f"{mm_to_pt(value_mm):.3f}"


@dataclass
class Pen:
    """PDF drawing operators in mm: lines, paths, crosses; strokes in a colour and a dash."""

    ops: list[str] = field(default_factory=list)

    def style(self, width_pt: float, colour: str = "0 G", dash_mm: Sequence[float] = ()
              ) -> Pen:
        """Set the line width (pt), the colour operator (``0 G``, ``1 0 0 RG``, ``/Die CS 1
        SCN``) and a dash pattern in mm (empty: solid) for the strokes that follow."""
        dash = " ".join(_n(d) for d in dash_mm)
        self.ops.append(f"{width_pt:g} w {colour} [{dash}] 0 d 0 J 0 j")
        return self

    def line(self, a: Point, b: Point) -> Pen:
        """Stroke one straight line from *a* to *b*."""
        self.ops.append(f"{_n(a[0])} {_n(a[1])} m {_n(b[0])} {_n(b[1])} l S")
        return self

    def lines(self, segments: Iterable[tuple[Point, Point]]) -> Pen:
        """Stroke every segment."""
        for a, b in segments:
            self.line(a, b)
        return self

    def path(self, points: Sequence[Point | tuple[Point, Point, Point]], close: bool = True
             ) -> Pen:
        """Stroke a path through *points*; a triple is a cubic Bézier (two controls, end)."""
        first = points[0]
        assert isinstance(first[0], float | int)
        parts = [f"{_n(first[0])} {_n(first[1])} m"]
        for point in points[1:]:
            if isinstance(point[0], tuple):
                (c1, c2, end) = point
                parts.append(f"{_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} "
                             f"{_n(end[0])} {_n(end[1])} c")
            else:
                parts.append(f"{_n(point[0])} {_n(point[1])} l")
        parts.append("s" if close else "S")
        self.ops.append(" ".join(parts))
        return self

    def fill_rect(self, x: float, y: float, w: float, h: float, colour: str) -> Pen:
        """Fill a rectangle (lower-left corner *x*, *y*) with a fill colour operator."""
        self.ops.append(f"{colour} {_n(x)} {_n(y)} {_n(w)} {_n(h)} re f")
        return self

    def circle(self, centre: Point, radius: float) -> Pen:
        """Stroke a circle (four Bézier quarters)."""
        x, y = centre
        k = 0.5523 * radius
        self.path([(x + radius, y),
                   ((x + radius, y + k), (x + k, y + radius), (x, y + radius)),
                   ((x - k, y + radius), (x - radius, y + k), (x - radius, y)),
                   ((x - radius, y - k), (x - k, y - radius), (x, y - radius)),
                   ((x + k, y - radius), (x + radius, y - k), (x + radius, y))])
        return self

    def raw(self, operators: str) -> Pen:
        """Add operators as they are (marked content, a colour space…)."""
        self.ops.append(operators)
        return self

    def bytes(self) -> bytes:
        """Return the operators in a q … Q pair."""
        return ("q\n" + "\n".join(self.ops) + "\nQ\n").encode()


def draw_over(pdf: pikepdf.Pdf, page_index: int, pen: Pen,
              resources: dict[str, Any] | None = None) -> None:
    """Draw *pen*'s operators over a page, in the page's own coordinates.

    The page's content is put in a q … Q pair first, so whatever transformation it leaves
    behind does not move the lines.  *resources* (``{"/ColorSpace": {...}}``) are merged into
    the page's.
    """
    page = pdf.pages[page_index]
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"Q\n" + pen.bytes()), prepend=False)
    for category, entries in (resources or {}).items():
        if category not in page.obj.Resources:
            page.obj.Resources[category] = pikepdf.Dictionary()
        for name, value in entries.items():
            page.obj.Resources[category][name] = value


def ask_actual_size(pdf: pikepdf.Pdf, duplex: str | None = None) -> None:
    """Ask the print dialogue for actual size (no scaling) and, if given, the duplex flip."""
    prefs = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
    prefs.PrintScaling = pikepdf.Name("/None")
    if duplex in ("long", "short"):
        prefs.Duplex = pikepdf.Name.DuplexFlipLongEdge if duplex == "long" \
            else pikepdf.Name.DuplexFlipShortEdge
    elif duplex == "none":
        prefs.Duplex = pikepdf.Name.Simplex
    pdf.Root.ViewerPreferences = prefs
