"""QR codes (segno) as inline SVG: one path of dark modules, in a colour the variant allows.

segno computes the symbol; the SVG is written here so that its colour can be anything the
stylesheet uses (``device-cmyk()`` in print files), and so a test can read the modules back.
"""

from __future__ import annotations

from functools import cache

from markupsafe import Markup, escape

QUIET_MODULES = 4
"""The light border the QR standard asks for around the symbol, in modules."""


@cache
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """Return the QR symbol of *url*: rows of modules, True for dark (no border)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


def qr_svg(url: str, colour: str, label: str = "") -> Markup:
    """Return an SVG of *url*'s QR code with its quiet zone, dark modules in *colour*.

    Each row's runs of dark modules become one rectangle of the path, so the symbol is a
    single filled path; the SVG scales to whatever box holds it.  *label* is its title.
    """
    rows = qr_matrix(url)
    size = len(rows) + 2 * QUIET_MODULES
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET_MODULES} {y + QUIET_MODULES}h{x - start}v1"
                             f"h-{x - start}z")
            else:
                x += 1
    title = f"<title>{escape(label)}</title>" if label else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" data-qr="{escape(url)}">{title}'
        f'<path fill="{escape(colour)}" d="{"".join(parts)}"/></svg>')
