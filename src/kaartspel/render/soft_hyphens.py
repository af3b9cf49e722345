"""Soft hyphens: the hyphens hyphenation adds at line ends read as U+00AD, not as hyphens.

WeasyPrint draws the hyphen it adds at a break (``hyphenate-character``, U+2010) with the
same glyph as a hyphen the text has, and a PDF font maps each glyph to ONE text: both read
back as "‐", so "men‐sen" is not found by searching "mensen", and copied text keeps the
breaks.  The PDF reference wants the division a layout makes to be "represented by a soft
hyphen character, which the Unicode mapping algorithm maps to U+00AD", distinct from a hard
hyphen U+002D, "so that the consumer does not have to guess" (PDF 1.7 reference 10.8.2,
"Incidental artifacts"; ISO 32000-1, 14.8.2.2.3).

So the added hyphen gets a character code of its own.  After WeasyPrint wrote the PDF:

* the lines that end in an added hyphen are found in the layout (a text box whose shaped
  text is its own text plus the hyphenate character) by where they start, which is what
  the line's ``Tm`` operator says;
* the last glyph those lines show is rewritten to an *alias* code — the font's glyph count
  plus one per hyphen glyph, a code no glyph of the original font has — and the font's
  ``/CIDToGIDMap`` (a stream instead of ``/Identity``) sends the alias to the hyphen's glyph,
  its width is the hyphen's, and its ToUnicode entry is U+00AD.

The page looks exactly as before; text extraction gives "men\\u00adsen" across the line,
which a reader that follows the standard joins (and the font merger keeps the alias,
``pdf/fonts.py``).  Hyphens the text has read U+002D — except one that ends a line
("co-" | "design"): poppler takes a line-final U+002D for a layout's hyphen and drops it
("codesign"), so that one gets the second alias, read as U+2010 HYPHEN: still a hyphen,
which no reader drops.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

SOFT_HYPHEN = "\u00ad"
SOFT, HARD = 0, 1
"""The two aliases of a font's hyphen glyph: base + SOFT reads U+00AD (added at a break),
base + HARD reads U+2010 (the text's own hyphen at a line end)."""
TEXTS = {SOFT: b"00ad", HARD: b"2010"}
TOLERANCE = 1e-3
"""How closely a ``Tm`` must match a line's start (px; WeasyPrint writes 6 decimals)."""


def hyphenated_lines(document: Any) -> tuple[list[dict[tuple[float, float], int]], set[str]]:
    """Return, per page, where the lines that end in a hyphen start (CSS px) and which alias
    their hyphen gets (:data:`SOFT` or :data:`HARD`), and the characters the document's own
    text has.

    A line's start is its text box's x and baseline, as WeasyPrint's ``Tm`` gives it.
    """
    pages = []
    text: set[str] = set()
    for page in document.pages:
        starts: dict[tuple[float, float], int] = {}
        for box in page._page_box.descendants(placeholders=True):
            if box.__class__.__name__ != "TextBox" or box.style["visibility"] != "visible":
                continue
            element = box.element
            source = "".join(element.itertext()) if element is not None else ""
            text.update(source)
            hyphen = box.style["hyphenate_character"]
            start = (round(box.position_x, 3), round(box.position_y + box.baseline, 3))
            # One character: its glyph is then the last one the line shows.  WeasyPrint
            # keeps the added hyphen in the box's text; it was added if the element's own
            # text never has that character (the content writes hyphens as U+002D).
            if len(hyphen) == 1 and box.text.endswith(hyphen) and hyphen not in source:
                starts[start] = SOFT
            elif box.text.endswith("-"):
                starts[start] = HARD
        pages.append(starts)
    return pages, text


def mark_soft_hyphens(data: bytes, document: Any) -> bytes:
    """Return the PDF *data* WeasyPrint wrote for *document*, its added hyphens made soft.

    Returns *data* unchanged when no line ends in an added hyphen.
    """
    lines, text = hyphenated_lines(document)
    if not any(lines):
        return data
    import pikepdf

    glyph_counts = {font.name.decode("latin-1").lstrip("/"): int(font.glyph_count)
                    for font in document.fonts.values()}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = _Fonts(glyph_counts, text)
        changed = False
        for page, starts in zip(pdf.pages, lines, strict=True):
            if starts:
                for owner in _streams(page):
                    changed |= _rewrite(owner, starts, fonts)
        if not changed:
            return data
        fonts.finish(pdf)
        out = io.BytesIO()
        # The same writer settings as WeasyPrint's own output: the bytes stay reproducible.
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def _streams(page: Any) -> Iterator[Any]:
    """Yield the page and every form XObject it draws (once each), which may show text."""
    import pikepdf

    yield page
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources")]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen or xobject.get("/Subtype") != pikepdf.Name.Form:
                continue
            seen.add(xobject.objgen)
            yield xobject
            stack.append(xobject.get("/Resources"))


class _Fonts:
    """The aliases given out per font: (font object) → {alias code: hyphen glyph id}."""

    def __init__(self, glyph_counts: dict[str, int], text: set[str]) -> None:
        self.glyph_counts = glyph_counts
        self.text = text
        self.aliases: dict[tuple[int, int], dict[int, int]] = {}
        self.bases: dict[tuple[int, int], int] = {}
        self.objects: dict[tuple[int, int], Any] = {}

    def alias(self, font: Any, gid: int, kind: int) -> int | None:
        """Return the alias code of hyphen glyph *gid* in *font* for *kind* (None: none).

        The alias is the font's glyph count plus *kind*: the same in every document the
        font is drawn in, so faces rendered apart merge into one font.  A font draws its
        hyphens with one glyph; another glyph at a line end is left as it is.
        """
        key = font.objgen
        aliases = self.aliases.setdefault(key, {})
        if aliases and gid not in aliases.values():
            return None
        descendant = font.DescendantFonts[0]
        if str(descendant.get("/CIDToGIDMap", "/Identity")) != "/Identity":
            return None  # already aliased, or a font this module did not expect
        name = str(font.BaseFont).lstrip("/")
        base = self.glyph_counts.get(name)
        if base is None:
            file = descendant.FontDescriptor.get("/FontFile2")
            base = _glyph_count(file.read_bytes()) if file is not None else None
        if base is None:
            return None
        aliases[base + kind] = gid
        self.bases[key] = base
        self.objects[key] = font
        return base + kind

    def finish(self, pdf: Any) -> None:
        """Point every alias at its glyph: CIDToGIDMap, width and ToUnicode."""
        import pikepdf

        for key, target in self.aliases.items():
            if not target:
                continue
            font = self.objects[key]
            descendant = font.DescendantFonts[0]
            base = self.bases[key]
            hyphen = next(iter(target.values()))
            gids = bytearray()
            # Identity below the aliases, as before; an alias slot this document did not use
            # draws the hyphen too (never 0: the font merger reads the map back).
            for cid in range(max(target) + 1):
                gids += target.get(cid, cid if cid < base else hyphen).to_bytes(2, "big")
            descendant.CIDToGIDMap = pdf.make_stream(bytes(gids))
            from kaartspel.render.page_resources import cid_widths

            widths = cid_widths(descendant.get("/W") or [])
            entries = list(descendant.get("/W") or [])
            for alias in sorted(target):
                entries += [alias, pikepdf.Array([widths.get(target[alias], 0)])]
            descendant.W = pikepdf.Array(entries)
            cmap = font.ToUnicode.read_bytes()
            # WeasyPrint mapped the hyphen glyph to the first text it drew it for, often an
            # added hyphen (U+2010); what is left of that glyph now is the text's own
            # hyphens, which the content writes as U+002D.
            if "\u2010" not in self.text and "-" in self.text:
                for gid in target.values():
                    cmap = cmap.replace(b"<%04x> <2010>" % gid, b"<%04x> <002d>" % gid)
            kinds = {alias: alias - base for alias in target}
            extra = b"%d beginbfchar\n" % len(target) + b"".join(
                b"<%04x> <%s>\n" % (alias, TEXTS[kinds[alias]]) for alias in sorted(target)
            ) + b"endbfchar\n"
            font.ToUnicode.write(cmap.replace(b"endcmap", extra + b"endcmap", 1))


def _rewrite(owner: Any, starts: dict[tuple[float, float], int], fonts: _Fonts) -> bool:
    """Give the final hyphen of every line in *starts* its alias code; return whether any."""
    import pikepdf

    from kaartspel.render.page_resources import replace_contents

    instructions = list(pikepdf.parse_content_stream(owner))
    resources = (owner.obj if isinstance(owner, pikepdf.Page) else owner).get("/Resources")
    font_resources = (resources or {}).get("/Font") or {}
    font = None
    flagged: int | None = None
    last_show: int | None = None
    hits: list[tuple[int, Any, int]] = []

    def close_line() -> None:
        if flagged is not None and last_show is not None and font is not None:
            hits.append((last_show, font, flagged))

    for index, instruction in enumerate(instructions):
        op = str(instruction.operator)
        operands = instruction.operands
        if op == "Tf" and operands:
            font = font_resources.get(str(operands[0]))
        elif op == "Tm" and len(operands) == 6:
            close_line()
            e, f = float(operands[4]), float(operands[5])
            flagged = next((kind for (x, y), kind in starts.items()
                            if abs(e - x) <= TOLERANCE and abs(f - y) <= TOLERANCE), None)
            last_show = None
        elif op in ("TJ", "Tj"):
            last_show = index
        elif op in ("ET", "BT"):
            close_line()
            flagged, last_show = None, None
    close_line()
    changed = False
    for index, used, kind in hits:
        instruction = instructions[index]
        items = list(instruction.operands[0]) if str(instruction.operator) == "TJ" \
            else [instruction.operands[0]]
        strings = [i for i, item in enumerate(items) if isinstance(item, pikepdf.String)]
        if not strings:
            continue
        raw = bytes(items[strings[-1]])
        if len(raw) < 2 or used.get("/Subtype") != pikepdf.Name.Type0:
            continue
        alias = fonts.alias(used, int.from_bytes(raw[-2:], "big"), kind)
        if alias is None:
            continue
        items[strings[-1]] = pikepdf.String(raw[:-2] + alias.to_bytes(2, "big"))
        shown: list[Any] = [pikepdf.Array(items)] if str(instruction.operator) == "TJ" else items
        instructions[index] = pikepdf.ContentStreamInstruction(shown, instruction.operator)
        changed = True
    if changed:
        data = pikepdf.unparse_content_stream(instructions)
        if isinstance(owner, pikepdf.Page):
            replace_contents(owner, data)
        else:
            owner.write(data)
    return changed


def _glyph_count(font_file: bytes) -> int | None:
    """Return the number of glyphs of an embedded TrueType font (None if unreadable)."""
    from fontTools.ttLib import TTFont

    try:
        return int(TTFont(io.BytesIO(font_file), lazy=True)["maxp"].numGlyphs)
    except Exception:  # an unreadable font is left alone
        return None


__all__ = ["hyphenated_lines", "mark_soft_hyphens"]
