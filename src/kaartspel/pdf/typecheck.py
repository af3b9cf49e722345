"""Check the typography of any deck or poster PDF: hyphens, empty space, small and reversed text.

What it reports, per card kind (a poster page is kind ``poster``):

* line-end hyphens: a line that ends in a hyphen and continues a word on the next line.  In
  *strict* text (questions, headings, titles, labels, tips: anything not set in the upright
  regular body face, and everything on question, tip, title and back cards) a hyphen is a
  failure, unless the word is spelt with a hyphen of its own (*hard* words, e.g. ``co-design``,
  which may break there).  In prose it is counted, with two lines in a row ending in a hyphen
  and a paragraph's last line starting with a fragment;
* the empty fraction of a front: the tallest stretch of its safe area's height with no ink
  (text, drawing or picture);
* the smallest text, and reversed (white) text under 8 pt or not bold.

How a face's kind is known: kaartspel records it, with the face's bleed, as private data of
each face (``/PieceInfo`` of the face's page and of the Form XObject it becomes on a sheet, see
:func:`kaartspel.render.face_batch.mark`).  That survives imposition, is invisible, and is not
text, so no screen reader meets it.  Where a page or form is drawn is read from the page's
content stream (``cm`` … ``Do``); glyphs and drawings are assigned to the face they fall in.
A page with no marked face (a poster, another tool's PDF) is one face of kind ``poster``.

Text comes from pdfium (pypdfium2): each glyph with its box, size (font size times the text
object's matrix), fill colour and font; the role is read from the font's name (Bold, Semi-Bold,
Italic), because the fonts are embedded subsets of one known family.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaartspel.errors import EXIT_CONTENT, KaartspelError, UsageError, display_path

PT_PER_MM = 72 / 25.4
PIECE_APP = "/Kaartspel"
SAFE_MM = 4.0
MAX_EMPTY = 0.40
"""A front may leave at most this much of its safe area's height empty in one stretch."""
REVERSED_MIN_PT = 8.0
from kaartspel.units import MIN_TEXT_PT  # noqa: E402

STRICT_KINDS = frozenset({"question", "tip", "title", "back"})
"""Kinds without body prose: every line-end hyphen on them is a failure."""
FRONT_KINDS = frozenset({"title", "howto", "intro", "theme", "level", "phase", "question",
                         "tip", "credits"})
HYPHENS = "-\u2010\u00ad\x02"
"""What ends a broken line: pdfium reports a hyphen it takes for a line-end hyphen as U+0002."""
_LETTER = re.compile(r"\w", re.UNICODE)


class DesignError(KaartspelError):
    """The file failed the typography check: one line per failure."""

    exit_code = EXIT_CONTENT

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = list(failures)
        super().__init__("; ".join(self.failures))

    def lines(self) -> list[str]:
        return list(self.failures)


# --------------------------------------------------------------------------------------------
# What was found


@dataclass(frozen=True)
class Glyph:
    char: str
    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 in page space (pt, y up)."""
    origin: tuple[float, float]
    size: float
    """Effective size in pt."""
    weight: int
    italic: bool
    white: bool


@dataclass
class Line:
    glyphs: list[Glyph]

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def size(self) -> float:
        return max((g.size for g in self.glyphs if not g.char.isspace()), default=0.0)

    @property
    def y(self) -> float:
        return self.glyphs[0].origin[1]


@dataclass(frozen=True)
class Break:
    """A word broken at a line end."""

    word: str
    """The word with the break shown as ``-``."""
    strict: bool
    """In text that must never hyphenate."""
    hard: bool
    """At a hyphen the word is spelt with (allowed)."""
    last_line: bool = False
    """The next line is its paragraph's last: a lone fragment there."""
    follows_break: bool = False
    """The line before also ended in a break (two in a row)."""
    at: tuple[float, float] = (0.0, 0.0)
    """Where the hyphen is: x, y in page space (pt, from the bottom left)."""

    @property
    def failure(self) -> bool:
        return self.strict and not self.hard


@dataclass
class FaceReport:
    """One card face (or poster page) as checked."""

    page: int
    """1-based page number in the PDF."""
    kind: str
    breaks: list[Break] = field(default_factory=list)
    empty: float = 0.0
    """Tallest empty stretch of the safe area, as a share of its height."""
    smallest: float = 0.0
    """Smallest text size (pt); 0 without text."""
    reversed_problems: list[str] = field(default_factory=list)

    @property
    def front(self) -> bool:
        return self.kind in FRONT_KINDS

    @property
    def hyphens(self) -> list[Break]:
        """Breaks made by hyphenation (not at a word's own hyphen)."""
        return [b for b in self.breaks if not b.hard]


@dataclass(frozen=True)
class KindSummary:
    kind: str
    faces: int
    hyphens: int
    strict_hyphens: int
    in_a_row: int
    last_line: int
    max_empty: float
    smallest: float


@dataclass
class DesignReport:
    """Everything found in one PDF."""

    path: Path
    faces: list[FaceReport]
    max_empty: float = MAX_EMPTY

    def kinds(self) -> list[KindSummary]:
        """Return a summary per kind, in the order kinds first appear."""
        order = list(dict.fromkeys(face.kind for face in self.faces))
        out = []
        for kind in order:
            faces = [f for f in self.faces if f.kind == kind]
            hyphens = [b for f in faces for b in f.hyphens]
            sizes = [f.smallest for f in faces if f.smallest]
            out.append(KindSummary(
                kind, len(faces), len(hyphens), sum(b.strict for b in hyphens),
                sum(b.follows_break for b in hyphens), sum(b.last_line for b in hyphens),
                max((f.empty for f in faces), default=0.0), min(sizes, default=0.0)))
        return out

    def failures(self) -> list[str]:
        """Return what must never be: a hyphen in a question, heading, title, label or tip."""
        return [f"page {face.page} ({face.kind}): hyphen in '{b.word}'"
                for face in self.faces for b in face.breaks if b.failure]

    def warnings(self) -> list[str]:
        """Return what a designer would fix: empty fronts, small or thin reversed text,
        hyphens two lines in a row or before a paragraph's last line."""
        out = []
        for face in self.faces:
            where = f"page {face.page} ({face.kind})"
            if face.front and face.empty > self.max_empty:
                out.append(f"{where}: {face.empty:.0%} of the safe area's height is empty")
            if face.smallest and face.smallest < MIN_TEXT_PT - 0.05:
                out.append(f"{where}: text at {face.smallest:.1f} pt")
            out.extend(f"{where}: {problem}" for problem in face.reversed_problems)
            for b in face.hyphens:
                if b.follows_break:
                    out.append(f"{where}: two lines in a row end in a hyphen ('{b.word}')")
                if b.last_line:
                    out.append(f"{where}: a paragraph's last line starts with a fragment "
                               f"('{b.word}')")
        return out

    def table(self) -> str:
        """Return the per-kind summary as aligned text."""
        rows = [("kind", "faces", "hyphens", "strict", "in a row", "last line", "empty",
                 "smallest")]
        for k in self.kinds():
            rows.append((k.kind, str(k.faces), str(k.hyphens), str(k.strict_hyphens),
                         str(k.in_a_row), str(k.last_line), f"{k.max_empty:.0%}",
                         f"{k.smallest:.2f} pt" if k.smallest else "-"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                   for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
                         for row in rows)


# --------------------------------------------------------------------------------------------
# Reading a PDF


@dataclass
class _Face:
    kind: str
    rect: tuple[float, float, float, float]
    """The face's media box in page space (bleed included)."""
    bleed: float
    """pt."""
    glyphs: list[Glyph] = field(default_factory=list)
    ink: list[tuple[float, float, float, float]] = field(default_factory=list)

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.rect
        return x0 - 0.01 <= x <= x1 + 0.01 and y0 - 0.01 <= y <= y1 + 0.01


def _multiply(m: Sequence[float], n: Sequence[float]) -> tuple[float, ...]:
    """Return the matrix m × n (PDF row-vector convention: apply m, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _apply(m: Sequence[float], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _page_piece(page: Any) -> tuple[str, float] | None:
    """Return the kind and bleed a face's own page records, or None."""
    info = page.obj.get("/PieceInfo")
    piece = info.get(PIECE_APP) if info is not None else None
    if piece is None or "/Private" not in piece:
        return None
    return str(piece.Private.get("/Kind", "/card"))[1:], float(piece.Private.get("/Bleed", 0))


def _marked_faces(page: Any) -> list[_Face]:
    """Return the marked faces drawn on a pikepdf *page*, where its content draws them."""
    import pikepdf

    resources = page.obj.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    faces: list[_Face] = []
    ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
    stack: list[tuple[float, ...]] = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image
        operands, op = list(instruction.operands), str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm" and len(operands) == 6:
            ctm = _multiply([float(v) for v in operands], ctm)
        elif op == "Do" and operands:
            form = xobjects.get(str(operands[0]))
            if form is None or "/PieceInfo" not in form:
                continue
            piece = form.PieceInfo.get(PIECE_APP)
            if piece is None or "/Private" not in piece:
                continue
            data = piece.Private
            box = [float(v) for v in form.get("/BBox", [0, 0, 0, 0])]
            m = _multiply([float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm)
            corners = [_apply(m, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            faces.append(_Face(str(data.get("/Kind", "/card"))[1:],
                               (min(xs), min(ys), max(xs), max(ys)),
                               float(data.get("/Bleed", 0))))
    return faces


def _font(textpage: Any, index: int, raw: Any) -> tuple[int, bool]:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage, index, buffer, 128, ctypes.byref(flags))
    name = buffer.value.decode("latin-1").lower().replace("-", "")
    weight = 700 if "bold" in name and "semibold" not in name else 600 if "semibold" in name \
        else 900 if "black" in name else 400
    italic = bool(flags.value & 64) or "italic" in name or name.endswith("it")
    return weight, italic


def _glyphs(page: Any, raw: Any) -> Iterator[Glyph]:
    textpage = page.get_textpage()
    tp = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    matrix = raw.FS_MATRIX()
    fonts: dict[int, tuple[int, bool]] = {}
    for i in range(raw.FPDFText_CountChars(tp)):
        if raw.FPDFText_IsGenerated(tp, i) == 1:
            continue
        char = chr(raw.FPDFText_GetUnicode(tp, i))
        raw.FPDFText_GetCharBox(tp, i, ctypes.byref(left), ctypes.byref(right),
                                ctypes.byref(bottom), ctypes.byref(top))
        raw.FPDFText_GetCharOrigin(tp, i, ctypes.byref(ox), ctypes.byref(oy))
        obj = raw.FPDFText_GetTextObject(tp, i)
        scale = 1.0
        if obj and raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        size = raw.FPDFText_GetFontSize(tp, i) * scale
        key = id(obj) if obj else -1
        if obj:
            key = ctypes.cast(obj, ctypes.c_void_p).value or -1
        if key not in fonts:
            fonts[key] = _font(tp, i, raw)
        weight, italic = fonts[key]
        raw.FPDFText_GetFillColor(tp, i, ctypes.byref(red), ctypes.byref(green),
                                  ctypes.byref(blue), ctypes.byref(alpha))
        white = min(red.value, green.value, blue.value) >= 245
        yield Glyph(char, (left.value, bottom.value, right.value, top.value),
                    (ox.value, oy.value), round(size, 2), weight, italic, white)
    textpage.close()


def _ink(page: Any, raw: Any,
         faces: Sequence[_Face]) -> Iterator[tuple[_Face, tuple[float, float, float, float]]]:
    """Yield each drawing or picture (not text) with the face it belongs to, in page space."""
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    for top in page.get_objects(max_depth=1):
        if top.level != 0:
            continue
        m = top.get_matrix() if top.type == raw.FPDF_PAGEOBJ_FORM else None
        children = list(_children(top, raw)) if m is not None else [top]
        for obj in children:
            if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                continue
            x0, y0, x1, y1 = obj.get_bounds()
            if m is not None and obj is not top:
                (x0, y0), (x1, y1) = _apply(m.get(), x0, y0), _apply(m.get(), x1, y1)
            if obj.type == raw.FPDF_PAGEOBJ_PATH:
                raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke))
                raw.FPDFPageObj_GetFillColor(obj.raw, ctypes.byref(red), ctypes.byref(green),
                                             ctypes.byref(blue), ctypes.byref(alpha))
                white = min(red.value, green.value, blue.value) >= 245 or alpha.value == 0
                if white and not stroke.value:
                    continue  # paper-coloured background
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            face = next((f for f in faces if f.contains(cx, cy)), None)
            if face is not None:
                yield face, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _children(form: Any, raw: Any) -> Iterator[Any]:
    import pypdfium2 as pdfium

    count = raw.FPDFFormObj_CountObjects(form.raw)
    for i in range(count):
        child = raw.FPDFFormObj_GetObject(form.raw, i)
        if child:
            yield pdfium.PdfObject(child, page=form.page, pdf=form.pdf, level=1)


# --------------------------------------------------------------------------------------------
# Judging


def _lines(glyphs: Sequence[Glyph]) -> list[Line]:
    """Group glyphs (in content order) into lines: a new line where the baseline moves."""
    lines: list[Line] = []
    for g in glyphs:
        if lines:
            last = lines[-1].glyphs[-1]
            same = abs(g.origin[1] - last.origin[1]) <= 0.3 * max(g.size, last.size, 1) \
                and g.origin[0] >= last.origin[0] - 0.5 * max(g.size, 1)
            if same:
                lines[-1].glyphs.append(g)
                continue
        lines.append(Line([g]))
    return [line for line in lines if line.text.strip()]


def _blocks(lines: Sequence[Line]) -> list[list[Line]]:
    """Group lines into paragraphs: same size, each a line pitch below the one before."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks:
            prev = blocks[-1][-1]
            pitch = prev.y - line.y
            if abs(line.size - prev.size) < 0.3 and 0 < pitch <= 1.6 * max(prev.size, 1):
                blocks[-1].append(line)
                continue
        blocks.append([line])
    return blocks


def _word_end(text: str) -> str:
    letters = re.findall(r"[\w’']+$", text)
    return letters[0] if letters else ""


def _word_start(text: str) -> str:
    letters = re.findall(r"^[\w’']+", text)
    return letters[0] if letters else ""


def _breaks(face: _Face, hard_words: Collection[str]) -> list[Break]:
    out: list[Break] = []
    strict_kind = face.kind in STRICT_KINDS
    for block in _blocks(_lines(face.glyphs)):
        previous_broke = False
        for i, line in enumerate(block[:-1]):
            text = line.text.rstrip()
            nxt = block[i + 1].text.lstrip()
            broke = (len(text) >= 2 and text[-1] in HYPHENS and bool(_LETTER.match(text[-2]))
                     and bool(nxt) and nxt[0].isalpha())
            if broke:
                glyph = next(g for g in reversed(line.glyphs) if g.char in HYPHENS)
                left, right = _word_end(text[:-1]), _word_start(nxt)
                word = f"{left}-{right}"
                strict = strict_kind or glyph.weight >= 500 or glyph.italic
                hard = word.casefold() in hard_words
                out.append(Break(word, strict, hard, last_line=i + 1 == len(block) - 1,
                                 follows_break=previous_broke and not hard,
                                 at=glyph.origin))
            previous_broke = broke and not (out and out[-1].hard)
    return out


def _empty(face: _Face, safe_mm: float) -> float:
    """Return the tallest stretch of the face's safe area (height share) with no ink."""
    x0, y0, x1, y1 = face.rect
    inset = face.bleed + safe_mm * PT_PER_MM
    sx0, sy0, sx1, sy1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if sy1 <= sy0:
        return 0.0
    area = (x1 - x0) * (y1 - y0)
    spans = []
    boxes = [g.box for g in face.glyphs if not g.char.isspace()] + list(face.ink)
    for bx0, by0, bx1, by1 in boxes:
        if (bx1 - bx0) * (by1 - by0) >= 0.8 * area:
            continue  # a background
        if bx1 < sx0 or bx0 > sx1 or by1 < sy0 or by0 > sy1:
            continue
        spans.append((max(by0, sy0), min(by1, sy1)))
    spans.sort()
    gap, reach = 0.0, sy0
    for low, high in spans:
        gap = max(gap, low - reach)
        reach = max(reach, high)
    gap = max(gap, sy1 - reach)
    return gap / (sy1 - sy0)


def _reversed(face: _Face) -> list[str]:
    problems = []
    white = [g for g in face.glyphs if g.white and not g.char.isspace()]
    small = sorted({g.size for g in white if g.size < REVERSED_MIN_PT - 0.05})
    if small:
        problems.append(f"white text at {small[0]:.1f} pt (reversed text needs 8 pt)")
    if any(g.weight < 600 for g in white):
        problems.append("white text not bold")
    return problems


def check_design(path: Path, safe_mm: float = SAFE_MM, hard_words: Iterable[str] = (),
                 max_empty: float = MAX_EMPTY) -> DesignReport:
    """Check the typography of the PDF at *path*; *hard_words* are words spelt with a hyphen
    (``co-design``), which may break there."""
    import pikepdf
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    hard = {w.casefold() for w in hard_words}
    try:
        structure = pikepdf.open(path)
        document = pdfium.PdfDocument(str(path))
    except (pikepdf.PdfError, pdfium.PdfiumError, OSError) as exc:
        raise UsageError(f"cannot read PDF {display_path(path)}: {exc}") from exc
    reports: list[FaceReport] = []
    with structure:
        for number, (marked, page) in enumerate(zip(structure.pages, document, strict=True),
                                                start=1):
            faces = _marked_faces(marked)
            own = _page_piece(marked)
            if not faces and own is not None:  # a face's own PDF (one face, the whole page)
                x0, y0, x1, y1 = page.get_mediabox()
                faces = [_Face(own[0], (x0, y0, x1, y1), own[1])]
            if not faces:
                x0, y0, x1, y1 = page.get_mediabox()
                trim = marked.obj.get("/TrimBox")
                bleed = float(trim[0]) - x0 if trim is not None else 0.0
                faces = [_Face("poster", (x0, y0, x1, y1), bleed)]
            for g in _glyphs(page, raw):
                cx, cy = (g.box[0] + g.box[2]) / 2, (g.box[1] + g.box[3]) / 2
                face = next((f for f in faces if f.contains(cx, cy)), None)
                if face is not None:
                    face.glyphs.append(g)
            for face, box in _ink(page, raw, faces):
                face.ink.append(box)
            for face in faces:
                sizes = [g.size for g in face.glyphs if not g.char.isspace()]
                reports.append(FaceReport(number, face.kind, _breaks(face, hard),
                                          _empty(face, safe_mm), min(sizes, default=0.0),
                                          _reversed(face)))
            page.close()
    document.close()
    return DesignReport(path, reports, max_empty)


def content_hyphenated_words(texts: Iterable[str]) -> set[str]:
    """Return the words around every hyphen of *texts* (``co-design``; ``state-of``,
    ``of-the`` and ``the-art`` for ``state-of-the-art``), lower case: where a line may break
    at a hyphen the text has."""
    words: set[str] = set()
    for text in texts:
        for compound in re.findall(r"\w+(?:-\w+)+", text):
            parts = compound.casefold().split("-")
            # A line may break at any of its hyphens: each pair around one is a break.
            words.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))
    return words
