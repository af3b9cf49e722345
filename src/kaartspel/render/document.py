"""HTML → PDF with WeasyPrint: safe URL fetching, strict logging, and fit measurement.

WeasyPrint is imported lazily (it costs ~0.7 s) so that the CLI starts instantly.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing.util
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

import jinja2

from kaartspel.cache import read_entry, write_entry
from kaartspel.errors import RenderError, WriteError, display_path, os_reason, printable
from kaartspel.render import hyphenation
from kaartspel.render.templates import TemplateSet
from kaartspel.render.typeset import Metrics, Typesetter
from kaartspel.units import MM_PER_INCH

log = logging.getLogger(__name__)

PX_TO_MM = MM_PER_INCH / 96
"""WeasyPrint lays out in CSS px."""

FIT_TOLERANCE_MM = 0.05


def safe_url_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """Return a URL fetcher that serves only ``data:`` URLs and files under *allowed_roots*.

    Paths are resolved first, so ``..`` and symlinks cannot lead out of the allowed folders;
    every other scheme (http, https, ftp, other files) is refused.
    """
    from weasyprint.urls import URLFetcher

    roots = [root.resolve() for root in allowed_roots]

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(unquote(urlparse(url).path))).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"refused to load {url!r}: only bundled assets may be loaded")

    return SafeURLFetcher()


ENVIRONMENT_NOTICES = ("instead of HarfBuzz-Subset",)
"""WeasyPrint warnings about the machine, not the document: logged, never fatal."""


class _Collector(logging.Handler):
    """Collect WeasyPrint warnings and errors during one render."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(ignored in message for ignored in ENVIRONMENT_NOTICES):
            log.info("WeasyPrint: %s", message)
            return
        self.messages.append(message)


@contextmanager
def strict_logging(strict: bool, what: str) -> Iterator[_Collector]:
    """Fail with RenderError if WeasyPrint logs any warning or error (when *strict*).

    WeasyPrint's records are collected instead of printed (they would reach stderr as
    ``WARNING weasyprint: …`` lines, with tracebacks for refused URLs): in strict mode they
    become the one ``Error:`` line, otherwise one warning each.
    """
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.propagate = propagate
        logger.removeHandler(collector)
    if collector.messages:
        for message in collector.messages:
            log.log(logging.DEBUG if strict else logging.WARNING,
                    "%s: WeasyPrint: %s", what, printable(message))
        if strict:
            # Only a real line break ends WeasyPrint's first line: str.splitlines would also
            # cut at U+2028 or U+0085 inside quoted text (printable shows those escaped).
            first = collector.messages[0].replace("\r\n", "\n").split("\n")[0]
            more = len(collector.messages) - 1
            raise RenderError(
                f"{what}: WeasyPrint reported: {first}"
                + (f" (and {more} more)" if more else "")
                + "; use --no-strict to build anyway"
            )


_FONT_URL = re.compile(r"url\((?!data:)([^)]+)\)")


def stylesheet(templates: TemplateSet, name: str) -> str:
    """Return a CSS file from the search path with relative ``url()``s made absolute."""
    path = templates.find(name)

    def absolute(match: re.Match[str]) -> str:
        ref = match[1].strip("'\" ")
        return f'url("{templates.find(ref).as_uri()}")'

    return _FONT_URL.sub(absolute, path.read_text(encoding="utf-8"))


class TemplateRenderer:
    """What every renderer holds: the content, its geometry, templates, palette and fonts."""

    def __init__(self, content: Any, geometry: Any, templates: TemplateSet,
                 strict: bool = True) -> None:
        self.content = content
        self.geometry = geometry
        self.templates = templates
        self.strict = strict
        self.palette = templates.palette()
        self.env = templates.environment()
        self.fonts_css = stylesheet(templates, "fonts.css")

    @cached_property
    def typesetter(self) -> Typesetter:
        """Return the soft-hyphen and line-balancing rules of the content's language."""
        fonts = self.templates.find("fonts.css").read_text(encoding="utf-8")
        metrics = Metrics.from_css(fonts, self.templates.find)
        exceptions = dict(getattr(self.content, "hyphenation", ()))
        return Typesetter(self.content.lang, metrics, exceptions)

    def use_cache(self, folder: Path | None) -> None:
        """Keep compiled templates in *folder* (the build cache): a fresh process (a
        command-line rebuild, a worker) then loads them instead of compiling them (0.05 s).

        Hyphenation patterns are configured by whoever renders (see facework.run).
        """
        current = self.env.bytecode_cache
        if folder is None:
            self.env.bytecode_cache = None
        elif not (isinstance(current, _TemplateCache) and current.folder == folder / "templates"):
            # Keyed by each template's name and source: an override never meets a stale one.
            self.env.bytecode_cache = _TemplateCache(folder / "templates")


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk, sealed like every cache entry; never an error (the folder
    may be cleaned meanwhile, damaged, read-only or full: the template is compiled again)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), pattern="%s.jinja")  # sealed: not Jinja's own files
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = Path(self._get_cache_filename(bucket))
        payload = read_entry(self.folder.parent, path)
        if payload is not None:
            bucket.bytecode_from_string(payload)  # Jinja checks the template's source hash

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = Path(self._get_cache_filename(bucket))
        write_entry(self.folder.parent, path, bucket.bytecode_to_string())


@dataclass(frozen=True)
class Overflow:
    """How far (mm) the text of one page exceeds its box."""

    page: int
    bottom: float
    right: float

    @property
    def amount(self) -> float:
        """Return the larger of the two overflows."""
        return max(self.bottom, self.right)


def render_document(html: str, templates: TemplateSet, strict: bool, what: str) -> Any:
    """Lay out *html* with WeasyPrint; return the Document (not yet written).

    Text the document's own fonts cannot show is an error (a warning without *strict*):
    Pango would silently draw it with whatever font this computer has (or a blank box).
    """
    from weasyprint import HTML

    hyphenation.warm_document(html)  # once per process and language; needs configure()
    fetcher = safe_url_fetcher(templates.folders)
    base_url = str(templates.folders[-1]) + "/"
    styles = _STYLE.findall(html)
    with strict_logging(strict, what):
        if len(styles) == 1:
            # The one stylesheet (and the fonts it declares) is parsed once per process:
            # that was half of what a small document cost.  With no other stylesheet in
            # the document, it cascades as the document's own would.
            sheet, fonts = _stylesheet(styles[0], base_url, templates.folders)
            document = HTML(string=_STYLE.sub("", html, count=1), base_url=base_url,
                            url_fetcher=fetcher).render(stylesheets=[sheet], font_config=fonts)
        else:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    missing = missing_glyphs(document, html)
    if missing:
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        message = (f"{what}: the bundled fonts have no glyph for {shown}{more}; remove "
                   "such characters (they would be drawn with a font of this computer)")
        if strict:
            raise RenderError(message + "; use --no-strict to build anyway")
        log.warning("%s", printable(message))
    return document


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
"""A template's stylesheet, as cards.html and poster.html write it."""

_SHEETS: dict[tuple[str, str, tuple[Path, ...]], tuple[Any, Any]] = {}
"""Parsed stylesheets with the font configuration holding their fonts, in this process."""
SHEETS_KEPT = 8


def _fonts_present(fonts: Any) -> bool:
    """Return whether the folder WeasyPrint copied a configuration's fonts to is there.

    WeasyPrint names it in a private attribute; without one (another version), the
    configuration is taken to be whole.
    """
    folder = getattr(fonts, "_folder", None)
    return folder is None or (Path(folder).is_dir() and any(Path(folder).iterdir()))


def _remove_copies(fonts: Any) -> None:
    """Remove the folder WeasyPrint copied a configuration's fonts to (its own name for it)."""
    folder = getattr(fonts, "_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def release_fonts(collect: bool = True) -> None:
    """Let go of this process's font configurations and remove the folders WeasyPrint
    copied their fonts to (``/tmp/weasyprint-…``).

    WeasyPrint removes such a folder when its configuration is collected; a configuration
    held in a reference cycle, or cached here, would otherwise outlive a process that ends
    without the interpreter's teardown (kaartspel's own exit, a forked worker's).  The
    cached ones' folders are removed at once; with *collect*, the garbage collector then
    frees any other (a process that renders only through this cache can skip its 50 ms).
    """
    for _, fonts in _SHEETS.values():
        _remove_copies(fonts)
    _SHEETS.clear()
    if collect:
        gc.collect()


# Run at a normal end of this process and of every process forked from it (multiprocessing
# runs its finalizers there, before the interpreter tears WeasyPrint's bindings down).
multiprocessing.util.Finalize(None, release_fonts, exitpriority=10)


def _stylesheet(css: str, base_url: str, folders: tuple[Path, ...]) -> tuple[Any, Any]:
    """Return *css* parsed (a WeasyPrint ``CSS``) and the ``FontConfiguration`` of its fonts."""
    key = (css, base_url, folders)
    if key in _SHEETS and not _fonts_present(_SHEETS[key][1]):
        del _SHEETS[key]  # its font copies were removed (a temp folder cleaned meanwhile)
    if key not in _SHEETS:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        try:
            sheet = CSS(string=css, base_url=base_url, url_fetcher=safe_url_fetcher(folders),
                        font_config=fonts)
        except OSError as exc:
            _remove_copies(fonts)  # what was copied before the write failed
            if exc.filename is not None:
                raise
            # WeasyPrint writes the copies without naming them in the error: name the folder.
            folder = getattr(fonts, "_folder", None) or tempfile.gettempdir()
            raise WriteError(f"{display_path(folder)}: cannot copy the fonts WeasyPrint "
                             f"needs: {os_reason(exc)}") from exc
        if len(_SHEETS) >= SHEETS_KEPT:
            # Only let go: a document laid out with it may not be written yet (its own
            # reference keeps the fonts until then).
            _SHEETS.pop(next(iter(_SHEETS)))
        _SHEETS[key] = (sheet, fonts)
    return _SHEETS[key]


_FONT_FILE = re.compile(r"""url\(["']?(file:[^"')]+\.(?:ttf|otf))["']?\)""", re.IGNORECASE)

_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
"""Characters shaping makes invisible (Unicode's Default_Ignorable_Code_Point): no glyph
needed."""


def _needs_glyph(ch: str) -> bool:
    code = ord(ch)
    if ch.isspace() or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
        return False
    return not any(low <= code <= high for low, high in _DEFAULT_IGNORABLE)


def missing_glyphs(document: Any, html: str) -> list[str]:
    """Return the characters laid out in *document* that none of the fonts its stylesheet
    declares (``@font-face`` files) can show, in order of appearance; [] if it declares none."""
    fonts = tuple(sorted(set(_FONT_FILE.findall(html))))
    if not fonts:
        return []
    covered = _cmap(fonts)
    missing: dict[str, None] = {}
    for page in document.pages:
        for box in page._page_box.descendants(placeholders=True):
            if box.__class__.__name__ == "TextBox":
                for ch in box.text:
                    if ord(ch) not in covered and _needs_glyph(ch):
                        missing[ch] = None
    return list(missing)


@cache
def _cmap(font_urls: tuple[str, ...]) -> frozenset[int]:
    """Return every code point that at least one of the fonts at *font_urls* maps."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for url in font_urls:
        path = Path(url2pathname(unquote(urlparse(url).path)))
        with TTFont(path, lazy=True) as font:
            covered.update(font.getBestCmap() or {})
    return frozenset(covered)


def write_pdf(document: Any, identifier: bytes, strict: bool, what: str,
              **options: Any) -> bytes:
    """Write a rendered Document to PDF bytes with a fixed identifier (reproducible).

    *options* go to WeasyPrint (``pdf_variant``).  The hyphens hyphenation added at line
    ends are then made soft (:mod:`kaartspel.render.soft_hyphens`), so text searches and
    copies whole.
    """
    from kaartspel.render.soft_hyphens import mark_soft_hyphens

    with strict_logging(strict, what):
        data: bytes = document.write_pdf(pdf_identifier=identifier, **options)
    return mark_soft_hyphens(data, document)


def measure_overflow(document: Any) -> list[Overflow]:
    """Return every page whose ``.fit`` or ``.fit-line`` boxes are overrun by their content.

    Text that runs past the bottom of the *page* is not laid out there at all (WeasyPrint
    carries it over to a next page, or drops it), so measuring the boxes on the page would
    see less text than there is — and could find that a card "fits" with its question
    missing.  Such a box is reported as overflowing by an estimate of the height of the
    missing text (in proportion to the text that was laid out).
    """
    overflows = []
    earlier: set[int] = set()
    for index, page in enumerate(document.pages):
        bottom = right = 0.0
        for box in fit_boxes(page._page_box, earlier):
            b, r = box_overflow(box)
            if "fit" not in (box.element.get("class") or "").split():
                b = 0.0  # a .fit-line is one line as tall as its text: only its width counts
            laid_out, total = text_lengths(box)
            if laid_out < total:
                missing = box.height * PX_TO_MM * (total - laid_out) / max(laid_out, 1)
                b = max(b, missing, 2 * FIT_TOLERANCE_MM)
            bottom, right = max(bottom, b), max(right, r)
        if bottom > FIT_TOLERANCE_MM or right > FIT_TOLERANCE_MM:
            overflows.append(Overflow(index, bottom, right))
    return overflows


def measure_width(document: Any) -> list[float]:
    """Return, per page, the width its unbreakable text needs ÷ the width of its box.

    A ``.fit-line`` box holds one line that may not wrap: its text's width counts.  In a
    ``.fit`` box only text that runs out sideways counts (a word wider than the box), since
    text that wraps can take any width.  Both grow in proportion to the type size, so one
    measure predicts the size at which such text starts (or stops) to fit.  0 where no box
    says anything.
    """
    wides = []
    earlier: set[int] = set()
    for page in document.pages:
        wide = 0.0
        for box in fit_boxes(page._page_box, earlier):
            if box.width <= 0:
                continue
            line = "fit" not in (box.element.get("class") or "").split()
            left, right = _text_span(box)
            limit = box.content_box_x() + box.width
            if right == float("-inf") or (not line and right <= limit + 1e-6):
                continue
            start = left if line else box.content_box_x()
            wide = max(wide, (right - start) / box.width)
        wides.append(wide)
    return wides


def _text_span(container: Any) -> tuple[float, float]:
    """Return the leftmost and rightmost edge (px) of the text and images in *container*."""
    left, right = float("inf"), float("-inf")
    for box in container.descendants():
        if box.__class__.__name__ in ("TextBox", "InlineReplacedBox", "BlockReplacedBox"):
            left = min(left, box.position_x)
            right = max(right, box.position_x + box.margin_width())
    return left, right


def boxes_of_class(root: Any, names: Sequence[str], tags: Sequence[str] | None = None,
                   earlier: set[int] | None = None, placeholders: bool = True
                   ) -> Iterator[Any]:
    """Yield the first container box of each element below *root* that has one of the
    CSS classes *names* (and, if given, one of the *tags*): the one walker every measure
    (fit, fill, the poster's natural heights) starts from.

    With *placeholders*, boxes inside absolutely positioned boxes count too (a back's title
    sits in one).  With *earlier* (the elements yielded for the pages before, updated here),
    the part of a box that an overflowing face pushed onto the next page is skipped: it
    belongs to the face before, whose page already counts the text it lacks.
    """
    seen = set()
    for box in root.descendants(placeholders=placeholders):
        element = getattr(box, "element", None)
        if element is None or id(element) in seen or not hasattr(box, "children"):
            continue
        if earlier is not None and id(element) in earlier:
            continue
        classes = (element.get("class") or "").split()
        if any(name in classes for name in names) and (tags is None or box.element_tag in tags):
            seen.add(id(element))
            yield box
    if earlier is not None:
        earlier.update(seen)


def fit_boxes(root: Any, earlier: set[int] | None = None) -> Iterator[Any]:
    """Yield the boxes whose content must fit them (``.fit``, ``.fit-line``); see
    :func:`boxes_of_class` for *earlier*."""
    return boxes_of_class(root, ("fit", "fit-line"), ("div", "h2"), earlier)


def content_extent(container: Any, skip_own_element: bool = False) -> tuple[float, float]:
    """Return the lowest bottom and the rightmost edge (px) of *container*'s content.

    Only text and images count sideways (a block's width is its container's).  With
    *skip_own_element*, boxes of the container's own element (the placeholder of an
    absolutely placed box holds the box itself) are left out.
    """
    max_y = max_x = float("-inf")
    for box in container.descendants():
        if box is container or not hasattr(box, "position_y"):
            continue
        if skip_own_element and getattr(box, "element", None) is container.element:
            continue
        top = box.position_y + getattr(box, "margin_top", 0)
        max_y = max(max_y, top + box.border_height())
        if box.__class__.__name__ in ("TextBox", "InlineReplacedBox", "BlockReplacedBox"):
            max_x = max(max_x, box.position_x + box.margin_width())
    return max_y, max_x


def text_lengths(container: Any) -> tuple[int, int]:
    """Return how many letters of *container*'s element were laid out in it, and how many
    the element holds."""
    laid_out = "".join(
        box.text for box in container.descendants(placeholders=True)
        if box.__class__.__name__ == "TextBox"
    )
    return len(_letters(laid_out)), len(_letters(_source_text(container.element)))


def _source_text(element: Any) -> str:
    """Return the text of an HTML element as it is laid out (no SVG, image or script text)."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else None
        if tag is not None and tag not in ("svg", "img", "script", "style", "title"):
            parts.append(_source_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _letters(text: str) -> str:
    """Fold *text* to letters and digits (hyphenation and case do not count)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def box_overflow(container: Any) -> tuple[float, float]:
    """Return (bottom, right) overflow in mm of *container*'s content."""
    limit_y = container.content_box_y() + container.height
    limit_x = container.content_box_x() + container.width
    max_y, max_x = content_extent(container)
    return (
        max(0.0, (max_y - limit_y) * PX_TO_MM),
        max(0.0, (max_x - limit_x) * PX_TO_MM),
    )


@dataclass(frozen=True)
class HiddenContent:
    """What a page draws for elements hidden from assistive technology (``aria-hidden``).

    In CSS px, as WeasyPrint writes them into a tagged PDF: where each hidden line of text
    starts (its ``Tm``), and the box of each hidden image or SVG (its Figure's ``BBox``).
    """

    text_starts: frozenset[tuple[float, float]]
    figures: tuple[tuple[float, float, float, float], ...]


def hidden_content(document: Any) -> list[HiddenContent]:
    """Return, per page of a laid-out *document*, its :class:`HiddenContent`.

    An element is hidden when it or an ancestor says ``aria-hidden="true"``: decoration,
    icons beside the name they show, page furniture.  A tagged PDF makes it an artifact.
    """
    pages = []
    for page in document.pages:
        starts: set[tuple[float, float]] = set()
        figures: list[tuple[float, float, float, float]] = []
        for box in _hidden_boxes(page._page_box, False):
            kind = box.__class__.__name__
            if kind == "TextBox":
                starts.add((round(box.position_x, 3), round(box.position_y + box.baseline, 3)))
            elif kind in ("InlineReplacedBox", "BlockReplacedBox"):
                x, y = box.content_box_x(), box.content_box_y()
                figures.append((x, y, x + box.width, y + box.height))
        pages.append(HiddenContent(frozenset(starts), tuple(figures)))
    return pages


def _hidden_boxes(box: Any, hidden: bool) -> Iterator[Any]:
    """Yield the boxes below *box* that belong to an ``aria-hidden`` element."""
    box = getattr(box, "_box", box)  # an absolute box's placeholder
    element = getattr(box, "element", None)
    if element is not None and element.get("aria-hidden") == "true":
        hidden = True
    if hidden:
        yield box
    for child in getattr(box, "children", ()):
        yield from _hidden_boxes(child, hidden)
