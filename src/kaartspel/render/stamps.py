"""Repeated artwork drawn once: theme icons as shared Form XObjects ("stamps").

WeasyPrint draws an inline SVG anew on every page, walking its elements in Python: a theme
icon costs a card face about 6 ms of its 22 (measured on question cards).  So faces are laid
out with an empty, sized placeholder where an icon goes; each icon is rendered once per
renderer as a 100 × 100 pt one-page PDF, and after the batch is written, every placeholder
is replaced by a ``Do`` of that page as a Form XObject, scaled into the placeholder's box as
SVG's default ``xMidYMid meet`` would.  The look is the same (a test compares pixels).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from kaartspel.cache import digest

ATTRIBUTE = "data-stamp"
ARTWORK_KEY = "/KaartspelArtwork"
"""Marks a stamp's form with a hash of its artwork, by which assembly shares one copy."""
FORM_PT = 100.0
"""Side of the square page an icon is rendered on (its viewBox is scaled into it)."""
PX_TO_PT = 0.75


def placeholder(name: str) -> Markup:
    """Return the markup that reserves an icon's box (it fills its parent, as the SVG did)."""
    return Markup(
        f'<i {ATTRIBUTE}="{escape(name)}" style="display:block;width:100%;height:100%"></i>'
    )


def form_html(svg: str) -> str:
    """Return a document showing *svg* on one square page of :data:`FORM_PT` points."""
    side = f"{FORM_PT:g}pt"
    return (
        "<!DOCTYPE html><html><head><style>"
        f"@page {{ size: {side} {side}; margin: 0 }} html, body {{ margin: 0 }}"
        f"svg {{ display: block; width: {side}; height: {side} }}"
        f"</style></head><body>{svg}</body></html>"
    )


@dataclass(frozen=True)
class Stamp:
    """Where one placeholder sits on its page, in PDF points from the bottom left."""

    name: str
    x: float
    y: float
    width: float
    height: float

    def operators(self, resource: str) -> bytes:
        """Return content-stream operators drawing the form *resource* into this box."""
        scale = min(self.width, self.height) / FORM_PT
        x = self.x + (self.width - FORM_PT * scale) / 2
        y = self.y + (self.height - FORM_PT * scale) / 2
        return f"q {scale:.6f} 0 0 {scale:.6f} {x:.4f} {y:.4f} cm /{resource} Do Q\n".encode()


def find_stamps(document: Any) -> list[list[Stamp]]:
    """Return the placeholders of every page of a laid-out WeasyPrint document."""
    pages = []
    for page in document.pages:
        height = page.height
        found = []
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            name = element.get(ATTRIBUTE) if element is not None else None
            if not name or not hasattr(box, "position_y") or box.width <= 0:
                continue
            top = box.content_box_y()
            found.append(Stamp(
                name,
                box.content_box_x() * PX_TO_PT,
                (height - top - box.height) * PX_TO_PT,
                box.width * PX_TO_PT,
                box.height * PX_TO_PT,
            ))
        # A box can appear twice (an absolute box and its placeholder): keep one of each.
        pages.append(list(dict.fromkeys(found)))
    return pages


def apply_stamps(pdf: Any, stamps: Sequence[Sequence[Stamp]],
                 artwork: Callable[[str], bytes]) -> None:
    """Draw each page's stamps on the pages of *pdf* (a pikepdf.Pdf written from the same
    document); *artwork* returns the one-page PDF of a stamp by name."""
    import pikepdf

    from kaartspel.render.page_resources import prune_resources

    forms: dict[str, Any] = {}
    for page, page_stamps in zip(pdf.pages, stamps, strict=True):
        if not page_stamps:
            continue
        names: dict[str, str] = {}
        for stamp in page_stamps:
            if stamp.name not in forms:
                data = artwork(stamp.name)
                with pikepdf.open(io.BytesIO(data)) as source:
                    # WeasyPrint's page lists colour spaces it never uses (a CMYK face
                    # must hold none but DeviceCMYK): keep what the icon draws with.
                    prune_resources(source.pages[0])
                    form = source.pages[0].as_form_xobject()
                    # Faces rendered apart carry equal copies: assembly keeps one (dedupe).
                    form[ARTWORK_KEY] = pikepdf.String(digest(data))
                    forms[stamp.name] = pdf.copy_foreign(form)
            names.setdefault(stamp.name, f"KsStamp{len(names) + 1}")
        page.contents_coalesce()
        # Restore the initial graphics state first: WeasyPrint's page ends wherever it ends.
        ops = b"".join(stamp.operators(names[stamp.name]) for stamp in page_stamps)
        page.Contents.write(b"q\n" + page.Contents.read_bytes() + b"\nQ\n" + ops)
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        xobjects = resources.get("/XObject")
        # Pages of a WeasyPrint document share their resources: give this page its own
        # XObject dictionary so that a stamp never leaks onto another face.
        own = pikepdf.Dictionary({k: v for k, v in (xobjects or {}).items()})
        for name, resource in names.items():
            own[f"/{resource}"] = forms[name]
        page.obj.Resources = pikepdf.Dictionary(
            {k: v for k, v in resources.items() if k != "/XObject"}
        )
        page.obj.Resources.XObject = own


class StampPool:
    """Share stamp forms between the faces placed into one output PDF."""

    def __init__(self) -> None:
        self.forms: dict[str, Any] = {}

    def share(self, form: Any) -> None:
        """Point *form*'s stamp XObjects at the first equal copy already in the output."""
        xobjects: Any = (form.get("/Resources") or {}).get("/XObject")
        for name, xobject in list((xobjects or {}).items()):
            key = xobject.get(ARTWORK_KEY)
            if key is None:
                continue
            first = self.forms.setdefault(str(key), xobject)
            if first.objgen != xobject.objgen:
                xobjects[name] = first
