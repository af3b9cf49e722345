"""Preflight: check a PDF the way a print shop would, with pikepdf only.

What is checked, per page and for the document:

* **Page boxes** — TrimBox ⊆ BleedBox ⊆ MediaBox (the defaults of absent boxes as the PDF
  specification gives them), the bleed on each side; in a PDF/X file every page needs a
  TrimBox or ArtBox.  A page whose TrimBox lies inside its MediaBox is *trimmed*: a card
  (print-shop layout) or a poster when the trim is one of their sizes.  A page with an
  ArtBox and no TrimBox is an *imposed sheet* (N-up cards, each cut at its crop marks); a
  page without a TrimBox inside its MediaBox is *untrimmed* (printed as it is).  The
  safe-area check applies to trimmed pages only.
* **Fonts** — every font used to show text is embedded (FontFile, FontFile2 or FontFile3; a
  Type3 font is its own glyph programs) and subset (``ABCDEF+`` name prefix).
* **Smallest text** — the effective size of every text-showing operator, below ``--min-text``
  is a failure.  Text in a *production aid* — marked content ``/Artifact`` of ``/Type /Page``,
  "production aids extraneous to the document itself, such as cut marks and colour bars"
  (ISO 32000-1, 14.8.2.2.2) — is not the document's text and is held to no minimum (it is
  noted instead): the tiled poster's assembly sheet draws its picture of the poster, whose
  text is a few points high, as one.  Any other artifact (a running header, a page number)
  is read and held to the minimum.
* **Safe area** — on single-card pages every shown string lies inside the TrimBox inset by
  ``--safe`` mm.
* **Colour** — every colour space set by an operator (g/G, rg/RG, k/K, cs/CS + sc/scn), used
  by an image, a shading, a pattern or a transparency group, plus what a painting operator
  uses when no colour was ever set (the initial DeviceGray black).  With ``--require-cmyk``
  (default: when the file has a PDF/X output intent with a 4-component profile) anything but
  DeviceCMYK, 4-component ICCBased, spot colours and patterns of those is a failure.
* **Images** — the effective resolution of every image XObject and inline image as placed
  by its CTM; below ``--min-dpi`` is a failure.

How positions and sizes are computed (approximations, on purpose):

* Content streams are parsed with :func:`pikepdf.parse_content_stream`; a small interpreter
  tracks q/Q, cm, BT/ET, Tm/Td/TD/T*/'/", Tf/Tc/Tw/Tz/TL/Ts/Tr, and follows Form XObjects
  (their /Matrix and /Resources) recursively, as well as soft masks and tiling patterns.
* The text rendering matrix is ``Tm × CTM``; a string's *size* is the Tf size times the length
  of that matrix's transformed y unit vector (the em height on the page, so a rotated card
  still measures right; horizontal scaling Tz is ignored for the size).
* A string's *extent* runs from its first glyph origin to the end of its advance, computed
  from the font's /W or /Widths (missing widths: /MissingWidth, else half an em), with Tc, Tw,
  Tz and TJ adjustments; vertically from 0.2 em below to 0.75 em above the baseline (a typical
  Latin descender and cap height — the font's /Ascent and /Descent are often far larger than
  any glyph).  Composite fonts are read as two-byte codes with CID = code (Identity CMaps).
* Clipping is ignored (clipped-away text still counts); annotation appearance streams and
  Type3 glyph procedures are not scanned.  A tolerance of 0.1 mm absorbs rounding.

What preflight inflates is bounded (:class:`Budget`): a stream is decoded here, in bounded
steps, before pikepdf parses it, so a 1 MB file that inflates to 1 GB (a decompression bomb)
is a failure, found within :data:`MAX_STREAM_BYTES`, not a 2 GB process that says OK.  Each
stream may inflate to at most :data:`MAX_STREAM_BYTES` (parsing one holds about 110 bytes of
Python objects per byte), the document to :data:`MAX_DOCUMENT_BYTES`, and the whole check
takes at most :data:`MAX_SECONDS` (forms drawing forms drawing forms …).  kaartspel's own
outputs use well under 1 % of this: the largest stream of the A1 poster inflates to 120 KB.
"""

from __future__ import annotations

import base64
import json
import math
import re
import string
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Name

from kaartspel.errors import EXIT_CONTENT, KaartspelError, UsageError, display_path, printable
from kaartspel.files import is_file, not_found
from kaartspel.pdf import tounicode
from kaartspel.render.page_resources import cid_widths
from kaartspel.units import MIN_TEXT_PT, MM, SAFE_MM

MIN_DPI = 300.0
"""Default smallest effective image resolution (the design brief)."""
TOLERANCE_MM = 0.1
"""Slack for positions: rounding in layout and in this approximate measurement."""
BOX_TOLERANCE_PT = 0.01
DESCENT_EM = 0.0
ASCENT_EM = 0.75
MAX_DEPTH = 16
"""Form XObject nesting followed before giving up (guards against cycles)."""
MAX_STREAM_BYTES = 8 * 1024 * 1024
"""Largest decoded stream preflight parses (a content stream of 8 MB takes some 10 s)."""
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""Most bytes preflight inflates for one document, every stream parsed counted each time."""
MAX_SECONDS = 60.0
"""Longest a preflight may take."""


class OverBudget(Exception):
    """A stream inflates past the budget, or the time is up: the file is not checked."""


class Budget:
    """What one preflight may still inflate, and until when it may run."""

    def __init__(self, stream_bytes: int = MAX_STREAM_BYTES,
                 document_bytes: int = MAX_DOCUMENT_BYTES, seconds: float = MAX_SECONDS
                 ) -> None:
        self.stream_bytes = stream_bytes
        self.left = document_bytes
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def tick(self) -> None:
        """Raise OverBudget once the time is up."""
        if time.monotonic() > self.deadline:
            raise OverBudget(f"preflight stopped after {self.seconds:g} s (its time budget); "
                             "the file was not checked completely")

    def take(self, stream: Any, what: str) -> None:
        """Account for decoding *stream*; raise OverBudget (never decoding it) if too large."""
        self.tick()
        limit = min(self.stream_bytes, self.left)
        size = decoded_size(stream, limit)
        if size is None or size > limit:
            mb = f"{limit / 1024 / 1024:.0f} MB"
            raise OverBudget(f"{what} inflates to more than {mb} (a decompression bomb?); "
                             "not checked")
        self.left -= size


_FILTERS = {"/Fl": "/FlateDecode", "/LZW": "/LZWDecode", "/AHx": "/ASCIIHexDecode",
            "/A85": "/ASCII85Decode", "/RL": "/RunLengthDecode"}


def decoded_size(stream: Any, limit: int) -> int | None:
    """Return how many bytes *stream* decodes to, or ``limit + 1`` once it passes *limit*.

    The filters are applied here, each stopping as soon as its output passes *limit*, so
    nothing large is ever held.  None: a filter this cannot apply (an image codec) or
    data it cannot decode — and the raw data is too large for that to be harmless.
    """
    try:
        data = bytes(stream.read_raw_bytes())
        spec = stream.get("/Filter")
    except (pikepdf.PdfError, AttributeError, ValueError):
        return None
    filters = [spec] if isinstance(spec, pikepdf.Name) else list(spec or [])
    for name in filters:
        step = _DECODERS.get(_FILTERS.get(str(name), str(name)))
        decoded = step(data, limit) if step is not None else None
        if decoded is None:
            # Whatever pikepdf makes of it: no filter expands more than zlib's 1032 : 1.
            return len(data) if len(data) * 1032 <= limit else None
        if len(decoded) > limit:
            return limit + 1
        data = decoded
    return len(data)  # predictors (DecodeParms) never add bytes


def _inflate(data: bytes, limit: int) -> bytes | None:
    inflater = zlib.decompressobj()
    out = bytearray()
    chunk = data
    try:
        while chunk and len(out) <= limit:
            out += inflater.decompress(chunk, limit + 1 - len(out))
            chunk = inflater.unconsumed_tail
        if len(out) <= limit:
            out += inflater.flush()
    except zlib.error:
        return bytes(out) if out else None  # truncated data: pikepdf decodes as much
    return bytes(out)


def _ascii_hex(data: bytes, limit: int) -> bytes | None:
    digits = bytes(c for c in data.split(b">")[0] if chr(c) in string.hexdigits)
    try:
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())[: limit + 1]
    except ValueError:
        return None


def _ascii85(data: bytes, limit: int) -> bytes | None:
    body = data.split(b"~>")[0].replace(b"<~", b"")
    if body.count(b"z") * 4 > limit:
        return b"\0" * (limit + 1)
    try:
        return base64.a85decode(body, adobe=False, ignorechars=b" \t\n\r\x0b\x0c\x00")
    except ValueError:
        return None


def _run_length(data: bytes, limit: int) -> bytes | None:
    out = bytearray()
    i = 0
    while i < len(data) and len(out) <= limit:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1 : i + 2 + length]
            i += 2 + length
        else:
            out += data[i + 1 : i + 2] * (257 - length)
            i += 2
    return bytes(out)


def _lzw(data: bytes, limit: int) -> bytes | None:
    """Decode LZW (early change, as PDF's default), stopping past *limit*."""
    out = bytearray()
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    width, previous = 9, b""
    bits = value = 0
    for byte in data:
        value, bits = (value << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (value >> bits) & ((1 << width) - 1)
            if code == 256:
                table, width, previous = table[:258], 9, b""
                continue
            if code == 257:
                return bytes(out)
            if code < len(table):
                entry = table[code]
            elif code == len(table) and previous:
                entry = previous + previous[:1]
            else:
                return None
            out += entry
            if len(out) > limit:
                return bytes(out)
            if previous:
                table.append(previous + entry[:1])
            previous = entry
            if len(table) + 1 >= (1 << width) and width < 12:
                width += 1
    return bytes(out)


_DECODERS = {"/FlateDecode": _inflate, "/LZWDecode": _lzw, "/ASCIIHexDecode": _ascii_hex,
             "/ASCII85Decode": _ascii85, "/RunLengthDecode": _run_length}

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class PreflightError(KaartspelError):
    """The file failed preflight: one line per failure."""

    exit_code = EXIT_CONTENT

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = list(failures)
        super().__init__("; ".join(self.failures))

    def lines(self) -> list[str]:
        return self.failures


# --- geometry ----------------------------------------------------------------------------------


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """Return ``m1 × m2`` (PDF row-vector convention: apply *m1*, then *m2*)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2, a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2,
    )


def transform(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """Return the point (*x*, *y*) mapped by *m*."""
    a, b, c, d, e, f = m
    return x * a + y * c + e, x * b + y * d + f


def _matrix(values: Iterable[Any]) -> Matrix:
    items = [float(v) for v in values]
    if len(items) != 6:
        return IDENTITY
    return (items[0], items[1], items[2], items[3], items[4], items[5])


def _normal(box: Iterable[Any]) -> Box:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner: Box, outer: Box, tolerance: float) -> bool:
    return (inner[0] >= outer[0] - tolerance and inner[1] >= outer[1] - tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _same(a: Box, b: Box, tolerance: float = BOX_TOLERANCE_PT) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _mm(value: float) -> float:
    return round(value / MM, 2)


# --- fonts -------------------------------------------------------------------------------------

_SUBSET = re.compile(r"^[A-Z]{6}\+")


@dataclass
class FontInfo:
    """One font as the report lists it."""

    name: str
    type: str
    embedded: bool
    subset: bool
    pages: list[int] = field(default_factory=list)


class _Font:
    """What the interpreter needs of a font: code splitting, advance widths, text."""

    def __init__(self, font: Any, budget: Budget | None = None) -> None:
        subtype = str(font.get("/Subtype", "/Unknown"))
        self.name = str(font.get("/BaseFont", "/(unnamed)")).lstrip("/")
        self.type = subtype.lstrip("/")
        self.composite = subtype == "/Type0"
        self.widths: dict[int, float] = {}
        self.default = 500.0
        self.scale = 0.001
        descriptor: Any = None
        if self.composite:
            descendants = font.get("/DescendantFonts") or []
            descendant = descendants[0] if len(descendants) else {}
            descriptor = descendant.get("/FontDescriptor")
            self.default = float(descendant.get("/DW", 1000))
            self.widths = {cid: float(width) for cid, width
                           in cid_widths(descendant.get("/W") or []).items()}
        else:
            descriptor = font.get("/FontDescriptor")
            first = int(font.get("/FirstChar", 0))
            for i, width in enumerate(font.get("/Widths") or []):
                self.widths[first + i] = float(width)
            if descriptor is not None and "/MissingWidth" in descriptor:
                self.default = float(descriptor.MissingWidth)
            if subtype == "/Type3":
                self.scale = abs(float((font.get("/FontMatrix") or [0.001])[0]))
                self.default = 0.0
        to_unicode = font.get("/ToUnicode")
        if isinstance(to_unicode, pikepdf.Stream):  # bounded like every stream it inflates
            (budget or Budget()).take(to_unicode, "a font's ToUnicode map")
        self.unicode = tounicode.read(to_unicode)
        files = ("/FontFile", "/FontFile2", "/FontFile3")
        self.embedded = subtype == "/Type3" or (
            descriptor is not None and any(key in descriptor for key in files)
        )
        self.subset = subtype == "/Type3" or bool(_SUBSET.match(self.name))

    def codes(self, data: bytes) -> list[int]:
        """Split a shown string into character codes."""
        if self.composite:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def width(self, code: int) -> float:
        """Return the advance of *code* in text space units per unit of font size."""
        return self.widths.get(code, self.default) * self.scale

    def text(self, code: int) -> str:
        """Return the text of *code* (ToUnicode, else Latin-1 for simple fonts)."""
        if code in self.unicode:
            return self.unicode[code]
        if not self.composite and 32 <= code < 256:
            return bytes([code]).decode("latin-1")
        return "?"


# --- colour spaces -----------------------------------------------------------------------------

_DEVICE = {"/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern", "/G", "/RGB", "/CMYK"}
_ABBREVIATED = {"/G": "DeviceGray", "/RGB": "DeviceRGB", "/CMYK": "DeviceCMYK",
                "/I": "Indexed"}


@dataclass(frozen=True)
class ColourSpace:
    """A colour space as reported: a label and whether a CMYK print file may use it."""

    label: str
    cmyk: bool


INITIAL_GRAY = ColourSpace("DeviceGray (initial colour, never set)", False)


def colour_space(spec: Any, resources: Any = None, depth: int = 0) -> ColourSpace:
    """Resolve a colour space operand, resource name or array into a :class:`ColourSpace`."""
    if depth > 4:
        return ColourSpace("unresolved", False)
    if isinstance(spec, pikepdf.Name):
        name = str(spec)
        if name in _ABBREVIATED:
            return colour_space(Name("/" + _ABBREVIATED[name]), resources, depth + 1)
        if name == "/DeviceCMYK":
            return ColourSpace("DeviceCMYK", True)
        if name in ("/DeviceGray", "/DeviceRGB"):
            return ColourSpace(name[1:], False)
        if name == "/Pattern":
            return ColourSpace("Pattern", True)
        named = ((resources or {}).get("/ColorSpace") or {}).get(name)
        if named is not None:
            return colour_space(named, resources, depth + 1)
        return ColourSpace(f"{name[1:]} (undefined)", False)
    if isinstance(spec, pikepdf.Array) and len(spec):
        family = str(spec[0])
        if family == "/ICCBased":
            n = int(spec[1].get("/N", 0))
            return ColourSpace(f"ICCBased ({n} components)", n == 4)
        if family in ("/Indexed", "/I"):
            base = colour_space(spec[1], resources, depth + 1)
            return ColourSpace(f"Indexed ({base.label})", base.cmyk)
        if family == "/Separation":
            alternate = colour_space(spec[2], resources, depth + 1)
            return ColourSpace(f"Separation {str(spec[1]).lstrip('/')} ({alternate.label})",
                               alternate.cmyk or str(spec[1]) in ("/All", "/None"))
        if family == "/DeviceN":
            alternate = colour_space(spec[2], resources, depth + 1)
            return ColourSpace(f"DeviceN ({alternate.label})", alternate.cmyk)
        if family == "/Pattern":
            if len(spec) > 1:
                base = colour_space(spec[1], resources, depth + 1)
                return ColourSpace(f"Pattern ({base.label})", base.cmyk)
            return ColourSpace("Pattern", True)
        return ColourSpace(family.lstrip("/"), False)  # CalRGB, CalGray, Lab
    return ColourSpace("unknown", False)


@dataclass
class ColourUse:
    """Where a colour space is used."""

    page: int
    space: str
    cmyk: bool
    where: str


# --- the content-stream interpreter ------------------------------------------------------------


@dataclass
class TextRun:
    """One text-showing operator: its text, effective size (pt) and extent on the page (pt)."""

    page: int
    text: str
    size: float
    box: Box
    aid: bool = False
    """Shown inside a production aid (a ``/Page`` artifact): not held to the minimum size."""


@dataclass
class ImageUse:
    """One placed image and its effective resolution."""

    page: int
    name: str
    width_px: int
    height_px: int
    dpi: float


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: ColourSpace = INITIAL_GRAY
    stroke: ColourSpace = INITIAL_GRAY
    font: _Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    hscale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    render: int = 0

    def copy(self) -> _State:
        return _State(**self.__dict__)


def _production_aid(operands: Any, resources: Any) -> bool:
    """Return whether a ``BDC``'s *operands* open an ``/Artifact`` of ``/Type /Page``; its
    properties are inline or named in the resources' ``/Properties``."""
    if len(operands) < 2 or operands[0] != Name.Artifact:
        return False
    properties = operands[1]
    if isinstance(properties, pikepdf.Name):
        properties = (resources.get("/Properties") or {}).get(str(properties))
    return isinstance(properties, pikepdf.Dictionary) and properties.get("/Type") == Name.Page


_FILL_OPS = {"f", "F", "f*"}
_STROKE_OPS = {"S", "s"}
_BOTH_OPS = {"B", "B*", "b", "b*"}
_SHOW_OPS = {"Tj", "TJ", "'", '"'}


class Scanner:
    """Interpret content streams of one page: text runs, colour uses, images, fonts."""

    def __init__(self, page: int, fonts: dict[Any, _Font], budget: Budget | None = None
                 ) -> None:
        self.page = page
        self.fonts = fonts
        self.budget = budget or Budget()
        self.texts: list[TextRun] = []
        self.colours: list[ColourUse] = []
        self.images: list[ImageUse] = []
        self.used_fonts: list[_Font] = []
        self._active: set[tuple[int, int]] = set()
        self._aids = 0
        """Production-aid marked-content sequences open now (a form drawn inside one is in
        it too)."""

    # Colour bookkeeping ------------------------------------------------------------------------

    def _use(self, space: ColourSpace, where: str) -> None:
        self.colours.append(ColourUse(self.page, space.label, space.cmyk, where))

    def _group(self, owner: Any, resources: Any) -> None:
        group = owner.get("/Group")
        if group is not None and "/CS" in group:
            self._use(colour_space(group.CS, resources), "transparency group")

    # Entry points ------------------------------------------------------------------------------

    def scan_page(self, page: pikepdf.Page) -> None:
        """Scan a page's content streams (and everything they draw)."""
        resources = page.obj.get("/Resources") or pikepdf.Dictionary()
        self._group(page.obj, resources)
        self._run(page.obj, resources, _State(), 0)

    def _run(self, owner: Any, resources: Any, state: _State, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        key = owner.objgen if getattr(owner, "is_indirect", False) else None
        if key is not None:
            if key in self._active:
                return
            self._active.add(key)
        contents = owner.get("/Contents") if not isinstance(owner, pikepdf.Stream) else owner
        streams = [contents] if isinstance(contents, pikepdf.Stream) else \
            [c for c in (contents or []) if isinstance(c, pikepdf.Stream)]
        for stream in streams:
            self.budget.take(stream, f"page {self.page}: a content stream")
        try:
            instructions = pikepdf.parse_content_stream(owner)
        except pikepdf.PdfError:
            return
        try:
            self._interpret(instructions, resources, state, depth)
        finally:
            if key is not None:
                self._active.discard(key)

    def _form(self, form: Any, resources: Any, state: _State, depth: int, where: str) -> None:
        inner = state.copy()
        inner.ctm = multiply(_matrix(form.get("/Matrix") or IDENTITY), state.ctm)
        own = form.get("/Resources")
        self._group(form, own if own is not None else resources)
        self._run(form, own if own is not None else resources, inner, depth + 1)

    def _interpret(self, instructions: Any, resources: Any, state: _State, depth: int) -> None:
        stack: list[_State] = []
        marked: list[bool] = []  # each open marked-content sequence: is it a production aid?
        tm = tlm = IDENTITY
        for count, instruction in enumerate(instructions):
            if count % 4096 == 0:
                self.budget.tick()
            op = str(instruction.operator)
            operands: Any = instruction.operands if hasattr(instruction, "operands") else ()
            if op in ("BMC", "BDC"):
                marked.append(op == "BDC" and _production_aid(operands, resources))
                self._aids += marked[-1]
            elif op == "EMC":
                if marked:
                    self._aids -= marked.pop()
            elif op == "q":
                stack.append(state.copy())
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op == "cm" and len(operands) == 6:
                state.ctm = multiply(_matrix(operands), state.ctm)
            # colour
            elif op in ("g", "rg", "k"):
                state.fill = colour_space(Name({"g": "/DeviceGray", "rg": "/DeviceRGB",
                                                "k": "/DeviceCMYK"}[op]))
                self._use(state.fill, op)
            elif op in ("G", "RG", "K"):
                state.stroke = colour_space(Name({"G": "/DeviceGray", "RG": "/DeviceRGB",
                                                  "K": "/DeviceCMYK"}[op]))
                self._use(state.stroke, op)
            elif op in ("cs", "CS") and operands:
                space = colour_space(operands[0], resources)
                if op == "cs":
                    state.fill = space
                else:
                    state.stroke = space
                self._use(space, op)
            elif op in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
                self._pattern(operands[-1], resources, state, depth)
            # painting
            elif op in _FILL_OPS:
                self._paint(state, fill=True)
            elif op in _STROKE_OPS:
                self._paint(state, stroke=True)
            elif op in _BOTH_OPS:
                self._paint(state, fill=True, stroke=True)
            elif op == "sh" and operands:
                shading = ((resources.get("/Shading") or {}).get(str(operands[0])))
                if shading is not None and "/ColorSpace" in shading:
                    self._use(colour_space(shading.ColorSpace, resources), "shading")
            elif op == "gs" and operands:
                self._ext_gstate(operands[0], resources, state, depth)
            elif op == "Do" and operands:
                self._do(str(operands[0]), resources, state, depth)
            elif op == "INLINE IMAGE" and operands:
                self._inline_image(operands[0], resources, state)
            # text
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf" and len(operands) == 2:
                state.font = self._font(operands[0], resources)
                state.size = float(operands[1])
            elif op == "Tc" and operands:
                state.char_spacing = float(operands[0])
            elif op == "Tw" and operands:
                state.word_spacing = float(operands[0])
            elif op == "Tz" and operands:
                state.hscale = float(operands[0]) / 100
            elif op == "TL" and operands:
                state.leading = float(operands[0])
            elif op == "Ts" and operands:
                state.rise = float(operands[0])
            elif op == "Tr" and operands:
                state.render = int(operands[0])
            elif op in ("Td", "TD") and len(operands) == 2:
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    state.leading = -ty
                tlm = multiply((1, 0, 0, 1, tx, ty), tlm)
                tm = tlm
            elif op == "Tm" and len(operands) == 6:
                tm = tlm = _matrix(operands)
            elif op in ("T*", "'", '"'):
                if op == '"' and len(operands) == 3:
                    state.word_spacing, state.char_spacing = float(operands[0]), float(operands[1])
                tlm = multiply((1, 0, 0, 1, 0, -state.leading), tlm)
                tm = tlm
                if op != "T*":
                    tm = self._show(operands[-1:], state, tm)
            elif op in ("Tj", "TJ") and operands:
                tm = self._show(operands[0] if op == "TJ" else operands[:1], state, tm)
        self._aids -= sum(marked)  # a sequence the stream leaves open ends with it

    def _paint(self, state: _State, fill: bool = False, stroke: bool = False) -> None:
        if fill:
            self._use(state.fill, "fill")
        if stroke:
            self._use(state.stroke, "stroke")

    def _pattern(self, name: Any, resources: Any, state: _State, depth: int) -> None:
        pattern = (resources.get("/Pattern") or {}).get(str(name))
        if pattern is None:
            return
        if int(pattern.get("/PatternType", 0)) == 2:
            shading = pattern.get("/Shading")
            if shading is not None and "/ColorSpace" in shading:
                self._use(colour_space(shading.ColorSpace, resources), "shading pattern")
        elif int(pattern.get("/PaintType", 1)) == 1 and isinstance(pattern, pikepdf.Stream):
            inner = state.copy()
            own = pattern.get("/Resources")
            self._run(pattern, own if own is not None else resources, inner, depth + 1)

    def _ext_gstate(self, name: Any, resources: Any, state: _State, depth: int) -> None:
        gstate = (resources.get("/ExtGState") or {}).get(str(name))
        if gstate is None:
            return
        font = gstate.get("/Font")
        if isinstance(font, pikepdf.Array) and len(font) == 2:
            state.font = self._font_object(font[0])
            state.size = float(font[1])
        smask = gstate.get("/SMask")
        if isinstance(smask, pikepdf.Dictionary) and "/G" in smask:
            # A soft mask's group only makes a mask, but its colours are still in the file.
            before = len(self.texts)
            self._form(smask.G, resources, state, depth, "soft mask")
            del self.texts[before:]

    def _do(self, name: str, resources: Any, state: _State, depth: int) -> None:
        xobject = (resources.get("/XObject") or {}).get(name)
        if xobject is None:
            return
        subtype = xobject.get("/Subtype")
        if subtype == Name.Form:
            self._form(xobject, resources, state, depth, name)
        elif subtype == Name.Image:
            width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
            self._image(name, width, height, state)
            if xobject.get("/ImageMask", False):
                self._use(state.fill, "image mask")
            elif "/ColorSpace" in xobject:
                self._use(colour_space(xobject.ColorSpace, resources), f"image {name}")
            else:
                self._use(ColourSpace("JPX (embedded colour space)", False), f"image {name}")

    def _inline_image(self, image: Any, resources: Any, state: _State) -> None:
        try:
            width, height = int(image.width), int(image.height)
            mask = bool(image.image_mask)
            spec = image.obj.get("/ColorSpace", image.obj.get("/CS"))
        except (AttributeError, pikepdf.PdfError, ValueError):
            return
        self._image("inline image", width, height, state)
        if mask:
            self._use(state.fill, "inline image mask")
        elif spec is not None:
            self._use(colour_space(spec, resources), "inline image")

    def _image(self, name: str, width: int, height: int, state: _State) -> None:
        a, b, c, d, _, _ = state.ctm
        w_pt, h_pt = math.hypot(a, b), math.hypot(c, d)
        if w_pt <= 0 or h_pt <= 0 or width <= 0 or height <= 0:
            return
        dpi = min(width / (w_pt / 72), height / (h_pt / 72))
        self.images.append(ImageUse(self.page, name, width, height, round(dpi, 1)))

    def _font(self, name: Any, resources: Any) -> _Font | None:
        font = (resources.get("/Font") or {}).get(str(name))
        return self._font_object(font) if font is not None else None

    def _font_object(self, font: Any) -> _Font:
        key = font.objgen if font.is_indirect else id(font)
        if key not in self.fonts:
            self.fonts[key] = _Font(font, self.budget)
        metrics = self.fonts[key]
        if metrics not in self.used_fonts:
            self.used_fonts.append(metrics)
        return metrics

    def _show(self, items: Iterable[Any], state: _State, tm: Matrix) -> Matrix:
        """Record one shown string; return the text matrix after it."""
        font = state.font
        size = state.size
        advance = 0.0
        chars: list[str] = []
        for item in items:
            if isinstance(item, pikepdf.String):
                data = bytes(item)
                codes = font.codes(data) if font else list(data)
                for code in codes:
                    width = font.width(code) if font else 0.5
                    single_byte = not (font and font.composite)
                    space = state.word_spacing if code == 32 and single_byte else 0
                    advance += (width * size + state.char_spacing + space) * state.hscale
                    chars.append(font.text(code) if font else "?")
            else:
                try:
                    advance -= float(item) / 1000 * size * state.hscale
                except (TypeError, ValueError):
                    continue
        text = "".join(chars)
        if state.render in (3, 7) or not text.strip():
            return multiply((1, 0, 0, 1, advance, 0), tm)
        if state.render in (0, 2, 4, 6):
            self._use(state.fill, "text")
        if state.render in (1, 2, 5, 6):
            self._use(state.stroke, "text stroke")
        matrix = multiply(tm, state.ctm)
        low, high = state.rise - DESCENT_EM * abs(size), state.rise + ASCENT_EM * abs(size)
        corners = [transform(matrix, x, y) for x in (0.0, advance) for y in (low, high)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        effective = abs(size) * math.hypot(matrix[2], matrix[3])
        self.texts.append(TextRun(self.page, text, effective, (min(xs), min(ys), max(xs), max(ys)),
                                  self._aids > 0))
        return multiply((1, 0, 0, 1, advance, 0), tm)


# --- the report --------------------------------------------------------------------------------


@dataclass
class PageReport:
    """What preflight found on one page (boxes in pt, lengths in mm)."""

    page: int
    size_mm: tuple[float, float]
    boxes: dict[str, list[float]]
    single_card: bool
    """Trimmed (a TrimBox inside the MediaBox): one card, a poster, any trimmed piece."""
    kind: str
    """``card``, ``poster`` or ``trimmed`` (trimmed pages), ``sheet`` (an ArtBox, no TrimBox:
    imposed cards), ``page`` (untrimmed)."""
    trim_mm: tuple[float, float] | None
    bleed_mm: dict[str, float] | None
    smallest_text_pt: float | None
    text_runs: int
    safe_area: str
    """``ok``, ``fail`` or ``n/a`` (sheets)."""
    colour_spaces: list[str]
    images: list[ImageUse]


@dataclass
class Report:
    """The preflight report of one file."""

    file: str
    pages: list[PageReport]
    fonts: list[FontInfo]
    colour_spaces: list[str]
    declared_colour_spaces: list[str]
    output_intent: dict[str, Any] | None
    pdfx_version: str | None
    require_cmyk: bool
    smallest_text_pt: float | None
    safe_mm: float
    min_text_pt: float
    min_dpi: float
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when nothing failed."""
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for ``--json``)."""
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def to_json(self) -> str:
        """Return the report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary(self) -> list[str]:
        """Return a short human-readable report (a few lines)."""
        cards = [p for p in self.pages if p.single_card]
        sheets = len(self.pages) - len(cards)
        lines = [f"{self.file}: {len(self.pages)} page(s)"
                 + (f", PDF/X: {self.pdfx_version}" if self.pdfx_version else "")]
        for kind, words in (("card", "card page(s), one card each"),
                            ("poster", "poster page(s)"), ("trimmed", "trimmed page(s)")):
            trimmed = [p for p in cards if p.kind == kind]  # (posters with a trim here)
            if not trimmed:
                continue
            trims = sorted({p.trim_mm for p in trimmed if p.trim_mm})
            bleeds = sorted({v for p in trimmed for v in (p.bleed_mm or {}).values()})
            trim_text = ", ".join(f"{w:g}×{h:g} mm" for w, h in trims)
            bleed_text = "/".join(f"{b:g}" for b in bleeds) or "0"
            lines.append(f"  boxes: {len(trimmed)} {words}, trim {trim_text}, "
                         f"bleed {bleed_text} mm")
        imposed = sum(1 for p in self.pages if p.kind == "sheet")
        if imposed:
            lines.append(f"  boxes: {imposed} imposed sheet(s): an ArtBox around the cards, "
                         "each cut at its crop marks (a sheet has no one trim)")
        edge = [p for p in self.pages if p.kind == "poster" and not p.single_card]
        if edge:
            sizes = ", ".join(sorted({f"{w:g}×{h:g} mm" for w, h in (p.size_mm for p in edge)}))
            lines.append(f"  boxes: {len(edge)} poster page(s) printed to the page edge, "
                         f"{sizes}, no bleed")
        others = sheets - imposed - len(edge)
        if others:
            lines.append(f"  boxes: {others} untrimmed page(s), printed as they are "
                         "(no TrimBox inside the MediaBox)")
        embedded = all(f.embedded for f in self.fonts)
        subset = all(f.subset for f in self.fonts)
        lines.append(f"  fonts: {len(self.fonts)}"
                     + (", all embedded and subset" if embedded and subset else "")
                     + (f" ({', '.join(f.name for f in self.fonts)})" if self.fonts else ""))
        if self.smallest_text_pt is not None:
            lines.append(f"  smallest text: {self.smallest_text_pt:g} pt "
                         f"(minimum {self.min_text_pt:g} pt)")
        else:
            lines.append("  text: none")
        if cards:
            lines.append(f"  safe area ({self.safe_mm:g} mm inside the trim): "
                         + ("all text inside" if all(p.safe_area != "fail" for p in cards)
                            else "text outside")
                         + (f"; not applicable to {sheets} untrimmed or imposed page(s)"
                            if sheets else ""))
        else:
            lines.append("  safe area: not applicable (no trimmed pages)")
        lines.append("  colour: " + (", ".join(self.colour_spaces) or "none")
                     + (" (CMYK required)" if self.require_cmyk else ""))
        images = [i for p in self.pages for i in p.images]
        if images:
            lines.append(f"  images: {len(images)}, lowest {min(i.dpi for i in images):g} dpi "
                         f"(minimum {self.min_dpi:g})")
        else:
            lines.append("  images: none")
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def _output_intent(pdf: pikepdf.Pdf) -> dict[str, Any] | None:
    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        return None
    for intent in intents:
        if intent.get("/S") == Name.GTS_PDFX:
            profile = intent.get("/DestOutputProfile")
            return {
                "subtype": "GTS_PDFX",
                "identifier": str(intent.get("/OutputConditionIdentifier", "")),
                "info": str(intent.get("/Info", "")),
                "components": int(profile.get("/N", 0)) if profile is not None else None,
            }
    first = intents[0]
    return {"subtype": str(first.get("/S", "")).lstrip("/"),
            "identifier": str(first.get("/OutputConditionIdentifier", "")),
            "info": str(first.get("/Info", "")), "components": None}


def _pdfx_version(pdf: pikepdf.Pdf, budget: Budget | None = None) -> str | None:
    version = pdf.docinfo.get("/GTS_PDFXVersion") if pdf.trailer.get("/Info") else None
    if version is not None:
        return str(version)
    if "/Metadata" in pdf.Root:
        if isinstance(pdf.Root.Metadata, pikepdf.Stream):
            (budget or Budget()).take(pdf.Root.Metadata, "the XMP metadata")
        try:
            meta = pdf.open_metadata()
            value = meta.get("pdfxid:GTS_PDFXVersion")
            return str(value) if value else None
        except Exception:  # unreadable XMP is not this check's business
            return None
    return None


def _declared_colour_spaces(pdf: pikepdf.Pdf) -> list[str]:
    labels: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pdf.pages]
    while stack:
        owner = stack.pop()
        resources = owner.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        for spec in (resources.get("/ColorSpace") or {}).values():
            labels.add(colour_space(spec, resources).label)
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.is_indirect and xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Form:
                stack.append(xobject)
    return sorted(labels)


def _page_boxes(page: pikepdf.Page) -> tuple[dict[str, Box], Box, Box, Box, bool]:
    """Return the boxes present, and the effective media, bleed and trim boxes."""
    obj = page.obj
    present: dict[str, Box] = {}
    media = _normal(page.mediabox)
    present["MediaBox"] = media
    for name in ("CropBox", "BleedBox", "TrimBox", "ArtBox"):
        if f"/{name}" in obj:
            present[name] = _normal(obj[f"/{name}"])
    crop = present.get("CropBox", media)
    bleed = present.get("BleedBox", crop)
    trim = present.get("TrimBox", crop)
    return present, media, bleed, trim, "TrimBox" in present


def check_pdf(pdf: pikepdf.Pdf, name: str = "", safe_mm: float = SAFE_MM,
              min_text_pt: float = MIN_TEXT_PT, min_dpi: float = MIN_DPI,
              require_cmyk: bool | None = None, budget: Budget | None = None) -> Report:
    """Preflight an open PDF; return the report (``report.failures`` lists what failed).

    A file that needs more than the *budget* (see :class:`Budget`) fails with that reason.
    """
    budget = budget or Budget()
    try:
        return _check_pdf(pdf, name, safe_mm, min_text_pt, min_dpi, require_cmyk, budget)
    except OverBudget as exc:
        return Report(file=name, pages=[], fonts=[], colour_spaces=[],
                      declared_colour_spaces=[], output_intent=None, pdfx_version=None,
                      require_cmyk=bool(require_cmyk), smallest_text_pt=None, safe_mm=safe_mm,
                      min_text_pt=min_text_pt, min_dpi=min_dpi,
                      failures=[str(exc) if str(exc).startswith("page ")
                                else f"document: {exc}"])


def _check_pdf(pdf: pikepdf.Pdf, name: str, safe_mm: float, min_text_pt: float,
               min_dpi: float, require_cmyk: bool | None, budget: Budget) -> Report:
    failures: list[str] = []
    notes: list[str] = []
    intent = _output_intent(pdf)
    pdfx = _pdfx_version(pdf, budget)
    is_pdfx = intent is not None and intent["subtype"] == "GTS_PDFX"
    if require_cmyk is None:
        require_cmyk = bool(is_pdfx and intent and intent["components"] == 4)
    if pdfx and not is_pdfx:
        failures.append(f"document: claims {pdfx} but has no /GTS_PDFX output intent")
    fonts: dict[Any, _Font] = {}
    font_pages: dict[int, set[int]] = {}
    pages: list[PageReport] = []
    all_colours: list[ColourUse] = []
    smallest: tuple[float, int] | None = None
    tolerance = TOLERANCE_MM * MM
    for number, page in enumerate(pdf.pages, start=1):
        present, media, bleed, trim, has_trim = _page_boxes(page)
        where = f"page {number}"
        if not _inside(bleed, media, BOX_TOLERANCE_PT):
            failures.append(f"{where}: BleedBox {_fmt(bleed)} extends beyond the MediaBox")
        if not _inside(trim, bleed, BOX_TOLERANCE_PT):
            failures.append(f"{where}: TrimBox {_fmt(trim)} extends beyond the BleedBox")
        if is_pdfx and not has_trim and "ArtBox" not in present:
            failures.append(f"{where}: no TrimBox or ArtBox (required by PDF/X)")
        single = has_trim and not _same(trim, media)
        scanner = Scanner(number, fonts, budget)
        scanner.scan_page(page)
        for font in scanner.used_fonts:
            font_pages.setdefault(id(font), set()).add(number)
        all_colours.extend(scanner.colours)
        sizes = [run.size for run in scanner.texts if not run.aid]
        page_min = round(min(sizes), 2) if sizes else None
        aids = [run.size for run in scanner.texts if run.aid]
        if aids and min(aids) < min_text_pt - 0.005:
            notes.append(f"{where}: text in a production aid (a /Page artifact) at "
                         f"{round(min(aids), 2):g} pt, not held to the {min_text_pt:g} pt minimum")
        if page_min is not None and (smallest is None or page_min < smallest[0]):
            smallest = (page_min, number)
        safe_state = "n/a"
        if single:
            safe = (trim[0] + safe_mm * MM, trim[1] + safe_mm * MM,
                    trim[2] - safe_mm * MM, trim[3] - safe_mm * MM)
            outside = [(run, _overshoot(run.box, safe)) for run in scanner.texts
                       if not _inside(run.box, safe, tolerance)]
            safe_state = "fail" if outside else "ok"
            if outside:
                run, (distance, side) = max(outside, key=lambda item: item[1][0])
                more = f" (and {len(outside) - 1} more)" if len(outside) > 1 else ""
                failures.append(
                    f"{where}: text outside the {safe_mm:g} mm safe area: {_quote(run.text)} "
                    f"reaches {_mm(distance):g} mm past its {side} edge{more}"
                )
        for image in scanner.images:
            if image.dpi < min_dpi:
                failures.append(f"{where}: image {image.name} is {image.dpi:g} dpi "
                                f"(minimum {min_dpi:g})")
        bleed_mm = None
        if single:
            bleed_mm = {"left": _mm(trim[0] - bleed[0]), "right": _mm(bleed[2] - trim[2]),
                        "bottom": _mm(trim[1] - bleed[1]), "top": _mm(bleed[3] - trim[3])}
        pages.append(PageReport(
            page=number,
            size_mm=(_mm(media[2] - media[0]), _mm(media[3] - media[1])),
            boxes={k: [round(v, 3) for v in box] for k, box in present.items()},
            single_card=single,
            kind=_page_kind(present, trim, single),
            trim_mm=(_mm(trim[2] - trim[0]), _mm(trim[3] - trim[1])) if single else None,
            bleed_mm=bleed_mm,
            smallest_text_pt=page_min,
            text_runs=len(scanner.texts),
            safe_area=safe_state,
            colour_spaces=sorted({use.space for use in scanner.colours}),
            images=scanner.images,
        ))
    if smallest is not None and smallest[0] < min_text_pt - 0.005:
        count = sum(1 for p in pages if p.smallest_text_pt is not None
                    and p.smallest_text_pt < min_text_pt - 0.005)
        failures.append(f"page {smallest[1]}: text at {smallest[0]:g} pt, below the "
                        f"{min_text_pt:g} pt minimum ({count} page(s) with smaller text)")
    font_infos = []
    for font in fonts.values():
        if id(font) not in font_pages:
            continue
        font_infos.append(FontInfo(font.name, font.type, font.embedded, font.subset,
                                   sorted(font_pages[id(font)])))
        first = min(font_pages[id(font)])
        if not font.embedded:
            failures.append(f"page {first}: font {font.name} ({font.type}) is not embedded")
        elif not font.subset:
            failures.append(f"page {first}: font {font.name} ({font.type}) is embedded in "
                            "full, not subset")
    if require_cmyk:
        failures.extend(_colour_lines(all_colours))
    if any(not p.single_card for p in pages):
        notes.append("safe-area check not applicable to pages without a trim of their own "
                     "(imposed N-up sheets, untrimmed pages)")
    return Report(
        file=name,
        pages=pages,
        fonts=sorted(font_infos, key=lambda f: f.name),
        colour_spaces=sorted({use.space for use in all_colours}),
        declared_colour_spaces=_declared_colour_spaces(pdf),
        output_intent=intent,
        pdfx_version=pdfx,
        require_cmyk=require_cmyk,
        smallest_text_pt=smallest[0] if smallest else None,
        safe_mm=safe_mm,
        min_text_pt=min_text_pt,
        min_dpi=min_dpi,
        failures=failures,
        notes=notes,
    )


def _page_kind(present: dict[str, Box], trim: Box, trimmed: bool) -> str:
    """Name what a page is from its boxes and its trim size (see :class:`PageReport`).

    An untrimmed page of a poster size is a poster printed to the page edge (``poster``
    too, but not trimmed: no bleed, no safe area to check).
    """
    from kaartspel.units import CARD_SIZES, POSTER_SIZES

    def one_of(sizes: Any) -> bool:
        size = sorted((_mm(trim[2] - trim[0]), _mm(trim[3] - trim[1])))
        return any(all(abs(a - b) <= 0.5 for a, b in zip(size, sorted((s.width, s.height)),
                                                         strict=True)) for s in sizes.values())

    if not trimmed:
        if "ArtBox" in present and "TrimBox" not in present:
            return "sheet"
        return "poster" if one_of(POSTER_SIZES) else "page"
    if one_of(CARD_SIZES):
        return "card"
    return "poster" if one_of(POSTER_SIZES) else "trimmed"


def _colour_lines(uses: Iterable[ColourUse]) -> list[str]:
    """One failure line per page and non-CMYK colour space (with the operators that used it)."""
    found: dict[tuple[int, str], list[str]] = {}
    for use in uses:
        if not use.cmyk:
            wheres = found.setdefault((use.page, use.space), [])
            if use.where not in wheres:
                wheres.append(use.where)
    return [f"page {page}: {space} colour where only CMYK is allowed ({', '.join(wheres)})"
            for (page, space), wheres in sorted(found.items())]


def colour_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Return one line per page and colour space that is not CMYK (empty: CMYK-only)."""
    uses: list[ColourUse] = []
    fonts: dict[Any, _Font] = {}
    for number, page in enumerate(pdf.pages, start=1):
        scanner = Scanner(number, fonts)
        scanner.scan_page(page)
        uses.extend(scanner.colours)
    return _colour_lines(uses)


def _overshoot(box: Box, safe: Box) -> tuple[float, str]:
    sides = [(safe[0] - box[0], "left"), (box[2] - safe[2], "right"),
             (safe[1] - box[1], "bottom"), (box[3] - safe[3], "top")]
    return max(sides)


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _fmt(box: Box) -> str:
    return "[" + " ".join(f"{v:g}" for v in box) + "]"


def preflight(path: Path, safe_mm: float = SAFE_MM, min_text_pt: float = MIN_TEXT_PT,
              min_dpi: float = MIN_DPI, require_cmyk: bool | None = None) -> Report:
    """Open and preflight the PDF at *path*; UsageError if it cannot be read."""
    if safe_mm < 0 or min_text_pt < 0 or min_dpi < 0:
        raise UsageError("--safe, --min-text and --min-dpi must not be negative")
    if not is_file(path):
        message = not_found("file", path)
        raise UsageError(message if message.startswith("cannot use")
                         else f"no such file: {display_path(path)}")
    shown = display_path(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise UsageError(f"cannot read {shown}: it is protected by a password; preflight "
                         "a copy saved without one") from exc
    except (pikepdf.PikepdfError, OSError) as exc:
        raise UsageError(f"cannot read {shown} as a PDF: {printable(str(exc))}") from exc
    with pdf:
        try:
            return check_pdf(pdf, shown, safe_mm, min_text_pt, min_dpi, require_cmyk)
        except (pikepdf.PikepdfError, RecursionError, ValueError, TypeError) as exc:
            # A damaged object deep in the file (pikepdf opens files lazily).
            raise PreflightError([f"document: cannot be checked: {type(exc).__name__}: "
                                  f"{printable(str(exc))[:200]}"]) from exc


def iter_text(pdf: pikepdf.Pdf) -> Iterator[TextRun]:
    """Yield every text run of every page (for tests and debugging)."""
    fonts: dict[Any, _Font] = {}
    for number, page in enumerate(pdf.pages, start=1):
        scanner = Scanner(number, fonts)
        scanner.scan_page(page)
        yield from scanner.texts


__all__ = [
    "ColourSpace", "PreflightError", "Report", "TextRun", "check_pdf", "colour_problems",
    "colour_space", "iter_text", "preflight",
]
