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
class _Use:
    """One font entry in one /Font resource dictionary, and the glyphs drawn with it."""

    fonts: pikepdf.Dictionary
    name: str
    font: pikepdf.Dictionary
    cids: set[int] = field(default_factory=set)


@dataclass
class _Group:
    """Every use of one font (by base name) across the document."""

    name: str
    uses: dict[tuple[Any, str], _Use] = field(default_factory=dict)


def _strip_prefix(base_font: str) -> str:
    name = base_font.lstrip("/")
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


def _owners(pdf: Pdf) -> Iterator[tuple[Any, Any]]:
    """Yield (content owner, resources) for every page and nested form XObject, once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = list(pdf.pages)
    while stack:
        owner = stack.pop()
        obj = owner.obj if isinstance(owner, pikepdf.Page) else owner
        resources = obj.get("/Resources")
        if resources is None:
            continue
        yield owner, resources
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Form:
                stack.append(xobject)


_TEXT_TOKEN = re.compile(rb"/([^\s/\[\]<>()]+)\s+[-+.\d]+\s+Tf|<([0-9A-Fa-f\s]*)>")


def _shown_cids(owner: Any) -> dict[str, set[int]]:
    """Return the two-byte codes (CIDs) shown with each font resource name in *owner*.

    WeasyPrint writes all text as hex strings, which a regular expression finds ten times
    faster than a full content-stream parse; streams with literal strings take the parse.
    """
    data = owner.read_bytes() if isinstance(owner, pikepdf.Stream) else None
    if data is not None and b"(" not in data and b"<<" not in data:
        fast: dict[str, set[int]] = {}
        current: set[int] | None = None
        for match in _TEXT_TOKEN.finditer(data):
            if match[1] is not None:
                current = fast.setdefault("/" + match[1].decode("latin-1"), set())
            elif current is not None:
                raw = bytes.fromhex(match[2].decode("ascii"))
                current.update(
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


def _groups(pdf: Pdf) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for owner, resources in _owners(pdf):
        fonts = resources.get("/Font")
        if not fonts:
            continue
        shown = _shown_cids(owner)
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
            key = (fonts.objgen if fonts.is_indirect else id(fonts), str(res_name))
            use = group.uses.setdefault(key, _Use(fonts, str(res_name), font))
            use.cids |= shown.get(str(res_name), set())
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
        uses = list(group.uses.values())
        first = uses[0].font.DescendantFonts[0]
        original = self.originals.get(
            _style_key(first.FontDescriptor.FontFile2.read_bytes()) or (0, False)
        )
        if original is None:
            log.debug("font %s: no bundled original found, left as is", group.name)
            return False
        # Only the glyphs actually drawn count: a face's own subset may hold more (its render
        # batch's), and the result must not depend on how faces were batched.
        widths: dict[int, float] = {}
        unicode: dict[int, bytes] = {}
        for use in uses:
            descendant = use.font.DescendantFonts[0]
            font_widths = _widths(descendant.get("/W") or [])
            font_unicode = _to_unicode(use.font.get("/ToUnicode"))  # type: ignore[arg-type]
            for cid in use.cids:
                if cid in font_widths:
                    widths[cid] = font_widths[cid]
                if cid in font_unicode:
                    unicode[cid] = font_unicode[cid]
        gids = sorted({cid for use in uses for cid in use.cids})
        data = self._subset(original, gids)
        tag = "".join(chr(65 + int(c, 16) % 26) for c in digest(group.name, str(gids))[:6])
        base = Name(f"/{tag}+{group.name}")
        font_file = pdf.make_stream(data)
        font_file.Length1 = len(data)
        descriptor = Dictionary(
            {k: v for k, v in first.FontDescriptor.items() if k != "/FontFile2"}
        )
        descriptor.FontName = base
        descriptor.FontFile2 = font_file
        # Metrics from the fonts themselves, never from a face's subset (batch-dependent).
        for key, value in _metrics(original.read_bytes(), data).items():
            descriptor[key] = value
        cid_font = Dictionary({k: v for k, v in first.items() if k != "/W"})
        cid_font.BaseFont = base
        cid_font.FontDescriptor = pdf.make_indirect(descriptor)
        cid_font.W = _compact_widths(widths)
        type0 = Dictionary(dict(uses[0].font.items()))
        type0.BaseFont = base
        type0.DescendantFonts = Array([pdf.make_indirect(cid_font)])
        type0.ToUnicode = pdf.make_stream(_cmap(unicode))
        shared = pdf.make_indirect(type0)
        for use in uses:
            use.fonts[use.name] = shared
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
