"""Merge the font subsets of separately rendered card faces into one subset per font.

Each cached face carries its own subset of the bundled fonts.  WeasyPrint subsets with
retained glyph ids (CID = GID, ``/CIDToGIDMap /Identity``), so the glyph ids in every
face's content stream refer to the same original font.  Here all subsets of one font are
replaced by a single subset of the original file holding the union of the glyphs, with
merged widths and ToUnicode maps: a deck assembled from 50 cached faces is as small as one
rendered in a single pass.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .cache import FaceCache, digest

log = logging.getLogger(__name__)

_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


@dataclass
class _Group:
    """Every use of one font (by base name) across the document."""

    name: str
    uses: list[tuple[pikepdf.Dictionary, str]] = field(default_factory=list)
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = field(default_factory=dict)


def _strip_prefix(base_font: str) -> str:
    name = base_font.lstrip("/")
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


def _resource_dicts(pdf: Pdf) -> Iterator[pikepdf.Dictionary]:
    """Yield every /Font resource dictionary of pages and (nested) form XObjects, once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pdf.pages]
    fonts: Any
    while stack:
        obj = stack.pop()
        resources = obj.get("/Resources")
        if resources is None:
            continue
        fonts = resources.get("/Font")
        if fonts is not None and fonts.objgen not in seen:
            if fonts.objgen != (0, 0):
                seen.add(fonts.objgen)
            yield fonts
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Form:
                stack.append(xobject)


def _groups(pdf: Pdf) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for fonts in _resource_dicts(pdf):
        for res_name, font in fonts.items():
            if font.get("/Subtype") != Name.Type0:
                continue
            descendant = font.DescendantFonts[0]
            if descendant.get("/CIDToGIDMap") != Name.Identity or "/FontFile2" not in (
                descendant.get("/FontDescriptor") or {}
            ):
                continue
            name = _strip_prefix(str(font.BaseFont))
            group = groups.setdefault(name, _Group(name))
            group.uses.append((fonts, str(res_name)))
            group.fonts[font.objgen] = font
    return groups


def _widths(w_array: Iterable[Any]) -> dict[int, float]:
    """Parse a CIDFont /W array into cid → width."""
    out: dict[int, float] = {}
    items: list[Any] = list(w_array)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for offset, value in enumerate(nxt):
                out[first + offset] = float(value)
            i += 2
        else:
            last, same = int(nxt), float(items[i + 2])
            for cid in range(first, last + 1):
                out[cid] = same
            i += 3
    return out


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


def _to_unicode(stream: pikepdf.Stream | None) -> dict[int, bytes]:
    """Parse a ToUnicode CMap (bfchar and simple bfrange) into cid → UTF-16BE hex."""
    if stream is None:
        return {}
    data = stream.read_bytes()
    out: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, uni in _PAIR.findall(block):
            out[int(cid, 16)] = uni.lower()
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in _RANGE.findall(block):
            base = int(start, 16)
            for offset, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[cid] = f"{base + offset:0{len(start)}x}".encode()
    return out


def _cmap(mapping: dict[int, bytes]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (cid, uni) for cid, uni in chunk)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"


def _style_key(font_bytes: bytes) -> tuple[int, bool] | None:
    """Return (weight class, italic) of a TrueType font, from its OS/2 table."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(font_bytes), lazy=True)
        os2 = font["OS/2"]
        return int(os2.usWeightClass), bool(os2.fsSelection & 1)
    except Exception:  # a font we cannot read is left as it is
        return None


class FontMerger:
    """Replace every font's per-face subsets by one subset of the original font file."""

    def __init__(self, font_files: Iterable[Path], cache: FaceCache | None = None) -> None:
        self.cache = cache or FaceCache(enabled=False)
        self.originals: dict[tuple[int, bool], Path] = {}
        for path in font_files:
            key = _style_key(path.read_bytes())
            if key is not None:
                self.originals.setdefault(key, path)

    def merge(self, pdf: Pdf) -> int:
        """Merge font subsets in *pdf* in place; return how many fonts were merged."""
        merged = 0
        for group in _groups(pdf).values():
            if self._merge_group(pdf, group):
                merged += 1
        return merged

    def _merge_group(self, pdf: Pdf, group: _Group) -> bool:
        fonts = list(group.fonts.values())
        descendants = [font.DescendantFonts[0] for font in fonts]
        first_file = descendants[0].FontDescriptor.FontFile2.read_bytes()
        original = self.originals.get(_style_key(first_file) or (0, False))
        if original is None:
            log.debug("font %s: no bundled original found, left as is", group.name)
            return False
        widths: dict[int, float] = {}
        unicode: dict[int, bytes] = {}
        boxes = []
        for font, descendant in zip(fonts, descendants, strict=True):
            widths.update(_widths(descendant.get("/W") or []))
            unicode.update(_to_unicode(font.get("/ToUnicode")))  # type: ignore[arg-type]
            boxes.append([float(v) for v in descendant.FontDescriptor.FontBBox])
        gids = sorted(set(widths) | set(unicode))
        data = self._subset(original, gids)
        tag = "".join(chr(65 + int(c, 16) % 26) for c in digest(group.name, str(gids))[:6])
        base = Name(f"/{tag}+{group.name}")
        font_file = pdf.make_stream(data)
        font_file.Length1 = len(data)
        descriptor = Dictionary(
            {k: v for k, v in descendants[0].FontDescriptor.items() if k != "/FontFile2"}
        )
        descriptor.FontName = base
        descriptor.FontFile2 = font_file
        descriptor.FontBBox = Array([
            _number(min(b[0] for b in boxes)), _number(min(b[1] for b in boxes)),
            _number(max(b[2] for b in boxes)), _number(max(b[3] for b in boxes)),
        ])
        cid_font = Dictionary({k: v for k, v in descendants[0].items() if k not in ("/W",)})
        cid_font.BaseFont = base
        cid_font.FontDescriptor = pdf.make_indirect(descriptor)
        cid_font.W = _compact_widths(widths)
        type0 = Dictionary({k: v for k, v in fonts[0].items()})
        type0.BaseFont = base
        type0.DescendantFonts = Array([pdf.make_indirect(cid_font)])
        type0.ToUnicode = pdf.make_stream(_cmap(unicode))
        shared = pdf.make_indirect(type0)
        for resources, res_name in group.uses:
            resources[res_name] = shared
        return True

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
        font = TTFont(io.BytesIO(source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=gids)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        data = out.getvalue()
        self.cache.put_blob("fonts", key, data)
        return data
