"""Merge the font subsets of separately rendered card faces into one subset per font.

Each cached face carries its own subset of the bundled fonts.  WeasyPrint subsets with
retained glyph ids (CID = GID, ``/CIDToGIDMap /Identity``), so the glyph ids in every
face's content stream refer to the same original font.  While faces are placed, their
fonts are replaced by one shared font per font, finally filled with a single subset of the
original file holding every glyph shown, with merged widths and ToUnicode maps: a deck
assembled from 50 cached faces is as small as one rendered in a single pass.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from kaartspel.cache import FaceCache, digest
from kaartspel.pdf import tounicode
from kaartspel.render.page_resources import cid_widths, content_bytes

log = logging.getLogger(__name__)


def _strip_prefix(base_font: str) -> str:
    name = base_font.lstrip("/")
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


_TEXT_TOKEN = re.compile(rb"/([^\s/\[\]<>()]+)\s+[-+.\d]+\s+Tf|<([0-9A-Fa-f\s]*)>")


def _shown_cids(owner: Any) -> dict[str, set[int]]:
    """Return the two-byte codes (CIDs) shown with each font resource name in *owner*.

    WeasyPrint writes all text as hex strings, which a regular expression finds ten times
    faster than a full content-stream parse; streams with literal strings take the parse.
    """
    data = content_bytes(owner)
    if data is not None and b"(" not in data and b"<<" not in data:
        fast: dict[str, set[int]] = {}
        font: set[int] | None = None
        for match in _TEXT_TOKEN.finditer(data):
            if match[1] is not None:
                font = fast.setdefault("/" + match[1].decode("latin-1"), set())
            elif font is not None:
                raw = bytes.fromhex(match[2].decode("ascii"))
                font.update(
                    int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)
                )
        return fast
    shown: dict[str, set[int]] = {}
    current: set[int] | None = None
    for instruction in pikepdf.parse_content_stream(owner):
        operands: Any = getattr(instruction, "operands", ())
        op = str(instruction.operator)
        if op == "Tf":
            current = shown.setdefault(str(operands[0]), set())
            continue
        if current is None or op not in ("Tj", "TJ", "'", '"'):
            continue
        strings = operands[0] if op == "TJ" else operands[-1:]
        for item in strings:
            if isinstance(item, pikepdf.String):
                raw = bytes(item)
                current.update(
                    int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)
                )
    return shown


def _compact_widths(widths: dict[int, float]) -> Array:
    """Write cid → width as a /W array of consecutive runs."""
    out: list[Any] = []
    run: list[float] = []
    start = prev = None
    for cid in sorted(widths):
        if prev is not None and cid == prev + 1:
            run.append(widths[cid])
        else:
            if start is not None:
                out.extend([start, Array([_number(w) for w in run])])
            start, run = cid, [widths[cid]]
        prev = cid
    if start is not None:
        out.extend([start, Array([_number(w) for w in run])])
    return Array(out)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _aliases(descendant: Any) -> dict[int, int] | None:
    """Return code → glyph of the codes a CIDToGIDMap stream sends elsewhere than their own
    glyph (soft hyphens, see :mod:`kaartspel.render.soft_hyphens`); None if not readable.

    ``/Identity`` has none.  A stream must map every other code to itself: codes are the
    glyph ids of the original font, which is what merging relies on.
    """
    mapping = descendant.get("/CIDToGIDMap")
    if mapping == Name.Identity:
        return {}
    if not isinstance(mapping, pikepdf.Stream):
        return None
    data = mapping.read_bytes()
    aliases = {}
    for cid in range(len(data) // 2):
        gid = int.from_bytes(data[2 * cid : 2 * cid + 2], "big")
        if gid != cid:
            if gid == 0:  # an unmapped code: not a map this module can merge
                return None
            aliases[cid] = gid
    return aliases


def _cid_to_gid_map(pdf: Pdf, aliases: dict[int, int]) -> Any:
    """Return ``/Identity``, or a CIDToGIDMap stream that also sends *aliases* to their glyph."""
    if not aliases:
        return Name.Identity
    data = bytearray()
    for cid in range(max(aliases) + 1):
        data += aliases.get(cid, cid).to_bytes(2, "big")
    return pdf.make_stream(bytes(data))


def _style_key(font_bytes: bytes) -> tuple[str, int, bool] | None:
    """Return (family, weight class, italic) of a TrueType font, from its name and OS/2 tables.

    The family matters: with ``--no-strict`` a glyph the bundled fonts lack may come from a
    system font of the same weight, which must never be mistaken for a bundled one.
    """
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(font_bytes), lazy=True)
        os2 = font["OS/2"]
        names = font["name"]
        # The legacy family (name 1): subsetters may drop the typographic family (16).
        family = names.getDebugName(1) or names.getDebugName(16) or ""
        return family, int(os2.usWeightClass), bool(os2.fsSelection & 1)
    except Exception:  # a font we cannot read is left as it is
        return None


def _metrics(original: bytes, subset: bytes) -> dict[str, Any]:
    """Return FontDescriptor metrics in 1/1000 em: ascent etc. of the font, bbox of the subset."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(original), lazy=True)
    sub = TTFont(io.BytesIO(subset), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    head = sub["head"]
    return {
        "/Ascent": round(font["hhea"].ascent * scale),
        "/Descent": round(font["hhea"].descent * scale),
        "/CapHeight": round(getattr(font["OS/2"], "sCapHeight", font["hhea"].ascent) * scale),
        "/FontBBox": Array([round(v * scale) for v in
                            (head.xMin, head.yMin, head.xMax, head.yMax)]),
    }


@functools.cache
def _least_code_points(path: Path, size: int, mtime_ns: int) -> dict[int, int]:
    """Return glyph id → least code point the font's cmap maps to it (kept per process:
    a watch rebuild does not parse the cmaps again; size and mtime key a changed file)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    least: dict[int, int] = {}
    for code, name in (font.getBestCmap() or {}).items():
        gid = font.getGlyphID(name)
        least[gid] = min(code, least.get(gid, code))
    return least


class FontMerger:
    """Replace every font's per-face subsets by one subset of the original font file."""

    def __init__(self, font_files: Iterable[Path], cache: FaceCache | None = None) -> None:
        self.cache = cache or FaceCache(enabled=False)
        self._by_name: dict[str, Path | None] = {}
        self.originals: dict[tuple[str, int, bool], Path] = {}
        for path in font_files:
            key = _style_key(path.read_bytes())
            if key is not None:
                self.originals.setdefault(key, path)

    def collector(self, out: Pdf) -> FontCollector:
        """Return a collector that merges fonts while faces are placed into *out*."""
        return FontCollector(self, out)

    def original_for(self, font: pikepdf.Dictionary) -> Path | None:
        """Return the bundled font file a face's subset was cut from (None if unknown)."""
        name = _strip_prefix(str(font.BaseFont))
        if name not in self._by_name:
            descendant = font.DescendantFonts[0]
            style = _style_key(descendant.FontDescriptor.FontFile2.read_bytes())
            self._by_name[name] = self.originals.get(style) if style else None
        return self._by_name[name]

    def canonical_unicode(self, original: Path, unicode: dict[int, str]) -> dict[int, str]:
        """Return *unicode* (cid → text) made the same whichever faces, in whichever
        batches, showed each glyph.

        A glyph that stands for one character is mapped to the least code point of the
        font's cmap that reaches it (hyphen-minus, not hyphen; space, not no-break space).
        A ligature keeps the letters it was shaped from: the cmap reaches ``f_f`` only
        through U+FB00, which would make "affiniteit" read "aﬀiniteit".  Codes no glyph of
        the font has (soft hyphens, see :func:`_aliases`) keep their text.
        """
        stat = original.stat()
        least = _least_code_points(original, stat.st_size, stat.st_mtime_ns)
        return {
            cid: (chr(least[cid]) if cid in least and len(text) == 1 else text)
            for cid, text in unicode.items()
        }

    def _subset(self, original: Path, gids: list[int]) -> bytes:
        """Return a subset of *original* with *gids*, glyph ids unchanged (cached)."""
        source = original.read_bytes()
        key = digest(source[:4096], str(len(source)), ",".join(map(str, gids)))
        cached = self.cache.get_blob("fonts", key)
        if cached is not None:
            return cached
        from fontTools import subset
        from fontTools.ttLib import TTFont

        options = subset.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.hinting = False
        options.layout_features = []
        options.layout_closure = False
        options.name_IDs = ["*"]
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "STAT"]
        font = TTFont(io.BytesIO(source), recalcTimestamp=False)  # reproducible bytes
        # A PDF needs no layout tables (shaping is done); dropping them before subsetting
        # saves decompiling them, most of the subsetter's time.
        for tag in ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "STAT"):
            if tag in font:
                del font[tag]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=gids)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        data = out.getvalue()
        self.cache.put_blob("fonts", key, data)
        return data


@dataclass
class _Merged:
    """What a collector knows of one font across every face placed so far."""

    original: Path
    placeholder: pikepdf.Dictionary
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)
    aliases: dict[int, int] = field(default_factory=dict)
    """Codes drawn with another glyph than their own (soft hyphens): code → glyph."""


def _supported(font: Any) -> bool:
    """Return whether *font* is a WeasyPrint CID TrueType font with retained glyph ids."""
    if font.get("/Subtype") != Name.Type0:
        return False
    descendant = font.DescendantFonts[0]
    return _aliases(descendant) is not None and "/FontFile2" in (
        descendant.get("/FontDescriptor") or {}
    )


@dataclass
class _UsedFont:
    """One font's part in a face: the glyphs shown, their widths and Unicode values."""

    original: Path
    descriptor: dict[str, tuple[str, Any]]
    widths: dict[int, float | None] = field(default_factory=dict)
    """Width per glyph shown (None: the face's font gave none)."""
    unicode: dict[int, str] = field(default_factory=dict)
    aliases: dict[int, int] = field(default_factory=dict)


@dataclass
class FaceFonts:
    """What a face's fonts contribute to an output: plain data, reusable for any output."""

    names: list[tuple[tuple[str, ...], dict[str, str]]]
    """Per owner (the page, or a path of form names): font resource name → font group."""
    fonts: dict[str, _UsedFont]

    def record(self, group: str, original: Path, font: Any, cids: set[int]) -> None:
        used = self.fonts.get(group)
        if used is None:
            descriptor = font.DescendantFonts[0].FontDescriptor
            used = self.fonts[group] = _UsedFont(original, {
                key: _plain_value(value) for key, value in descriptor.items()
                if key in ("/Flags", "/ItalicAngle", "/StemV", "/StemH", "/FontFamily")
            })
        widths = {cid: float(width) for cid, width
                  in cid_widths(font.DescendantFonts[0].get("/W") or []).items()}
        unicode = tounicode.read(font.get("/ToUnicode"))
        aliases = _aliases(font.DescendantFonts[0]) or {}
        for cid in cids:
            if cid in aliases:
                used.aliases[cid] = aliases[cid]
            if cid in widths:
                used.widths[cid] = widths[cid]
            else:
                used.widths.setdefault(cid, None)
            if cid in unicode:
                seen = used.unicode.get(cid)
                used.unicode[cid] = unicode[cid] if seen is None else min(seen, unicode[cid])


class FontCollector:
    """Merge fonts while faces are placed, without copying any face's own font subsets.

    Before a face is copied into the output, :meth:`take` removes its font resources and
    returns the glyphs it shows (with their widths and Unicode values), which :meth:`add`
    merges; after the copy, :meth:`attach` points the copied resources at one shared font
    object per font;
    :meth:`finish` finally fills those objects with a single subset each.  The output never
    holds the per-face subsets, which keeps a 1000-card deck small in memory.
    """

    def __init__(self, merger: FontMerger, out: Pdf) -> None:
        self.merger = merger
        self.out = out
        self.fonts: dict[str, _Merged] = {}

    def take(self, page: pikepdf.Page) -> FaceFonts:
        """Remove the mergeable fonts of *page* and its forms; return what they contribute
        (plain data: it can be added to any output, see :meth:`add`)."""
        taken = FaceFonts([], {})
        stack: list[tuple[tuple[str, ...], Any]] = [((), page)]
        while stack:
            path, owner = stack.pop()
            obj = owner.obj if isinstance(owner, pikepdf.Page) else owner
            resources = obj.get("/Resources")
            if resources is None:
                continue
            fonts = resources.get("/Font")
            if fonts:
                shown = _shown_cids(owner)
                names: dict[str, str] = {}
                for res_name, font in list(fonts.items()):
                    if not _supported(font):
                        continue
                    original = self.merger.original_for(font)
                    if original is None:
                        continue
                    group = _strip_prefix(str(font.BaseFont))
                    taken.record(group, original, font, shown.get(str(res_name), set()))
                    names[str(res_name)] = group
                    del fonts[res_name]
                if names:
                    taken.names.append((path, names))
            for name, xobject in (resources.get("/XObject") or {}).items():
                if xobject.get("/Subtype") == Name.Form:
                    stack.append(((*path, str(name)), xobject))
        return taken

    def add(self, fonts: FaceFonts) -> None:
        """Merge what a face's fonts contribute into this output's shared fonts."""
        for group, used in fonts.fonts.items():
            merged = self.fonts.get(group)
            if merged is None:
                merged = _Merged(used.original, self.out.make_indirect(Dictionary()))
                merged.descriptor = {key: _pdf_value(value)
                                     for key, value in used.descriptor.items()}
                self.fonts[group] = merged
            for cid, width in used.widths.items():
                if width is not None:
                    merged.widths[cid] = width
                merged.widths.setdefault(cid, 0.0)
            merged.aliases.update(used.aliases)
            for cid, uni in used.unicode.items():
                # A face's map depends on its batch (one glyph for - and ‐ maps to the one
                # seen first): keep the least, so the result never depends on the cache.
                seen = merged.unicode.get(cid)
                merged.unicode[cid] = uni if seen is None else min(seen, uni)

    def attach(self, form: Any, detached: list[tuple[tuple[str, ...], dict[str, str]]]) -> None:
        """Point the copied *form*'s font resources at the shared fonts."""
        for path, names in detached:
            owner = form
            for name in path:
                owner = owner.Resources.XObject[name]
            resources = owner.get("/Resources")
            if resources is None:
                resources = owner.Resources = Dictionary()
            fonts = resources.get("/Font")
            if fonts is None:
                fonts = resources.Font = Dictionary()
            for res_name, group in names.items():
                fonts[res_name] = self.fonts[group].placeholder

    def finish(self) -> None:
        """Fill every shared font with one subset holding all glyphs placed."""
        for group, merged in self.fonts.items():
            gids = sorted({merged.aliases.get(cid, cid) for cid in merged.widths})
            data = self.merger._subset(merged.original, gids)
            tag = "".join(chr(65 + int(c, 16) % 26) for c in digest(group, str(gids))[:6])
            base = Name(f"/{tag}+{group}")
            font_file = self.out.make_stream(data)
            font_file.Length1 = len(data)
            descriptor = Dictionary(Type=Name.FontDescriptor, FontName=base, FontFile2=font_file)
            for key, value in merged.descriptor.items():
                descriptor[key] = value
            for key, value in _metrics(merged.original.read_bytes(), data).items():
                descriptor[key] = value
            cid_font = Dictionary(
                Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=base,
                CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                         Ordering=pikepdf.String("Identity"), Supplement=0),
                CIDToGIDMap=_cid_to_gid_map(self.out, merged.aliases),
                FontDescriptor=self.out.make_indirect(descriptor),
                W=_compact_widths(merged.widths),
            )
            type0 = merged.placeholder
            type0.Type = Name.Font
            type0.Subtype = Name.Type0
            type0.BaseFont = base
            type0.Encoding = Name("/Identity-H")
            type0.DescendantFonts = Array([self.out.make_indirect(cid_font)])
            type0.ToUnicode = self.out.make_stream(tounicode.write(
                self.merger.canonical_unicode(merged.original, merged.unicode)))


def _plain_value(value: Any) -> tuple[str, Any]:
    """Return a font descriptor value as plain Python data, free of its source PDF."""
    if isinstance(value, pikepdf.String):
        return ("string", str(value))
    if isinstance(value, Name):
        return ("name", str(value))
    try:
        return ("number", float(value) if not float(value).is_integer() else int(value))
    except (TypeError, ValueError):
        return ("other", value)


def _pdf_value(value: tuple[str, Any]) -> Any:
    """Return a value from :func:`_plain_value` as a PDF object."""
    kind, data = value
    if kind == "string":
        return pikepdf.String(data)
    if kind == "name":
        return Name(data)
    return data
