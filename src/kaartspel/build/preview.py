"""``kaartspel preview``: PNG pictures of a built PDF, rendered with pdfium (no system deps).

For any PDF: one PNG per page, cut to the page's TrimBox when it has one (so a print-shop deck,
one card per page, gives one PNG per card of exactly card size × dpi).  For a deck, also a
*contact sheet*: all card fronts, small, in a grid.  A deck on N-up sheets has no page per card,
so its cards are taken from a one-card-per-page companion PDF built beside the face cache from
the same recipe (cheap: every face is already cached), and written as ``card-NNN.png``.

Given a recipe, the recipe's output is built first when it is missing or stale.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaartspel.errors import OutputError, UsageError, display_path
from kaartspel.files import is_file, not_found

if TYPE_CHECKING:
    from PIL.Image import Image

    from kaartspel.build.plan import BuildSettings

DEFAULT_DPI = 150
CONTACT_THUMB_MM = 32.0
"""Height of a card on the contact sheet, in mm at the contact sheet's 96 dpi."""
CONTACT_GAP_PX = 8
CONTACT_BACKGROUND = (236, 236, 236)
TRIM_TOLERANCE_PT = 0.5


# --------------------------------------------------------------------------------------------
# Rendering (also used by docs/make_pictures.py)


def px(length_pt: float, dpi: float) -> int:
    """Return a length in PDF points as whole pixels at *dpi*."""
    return round(length_pt / 72 * dpi)


def trim_box(page: Any) -> tuple[float, float, float, float] | None:
    """Return a pdfium page's TrimBox when it is set and smaller than the MediaBox."""
    media = page.get_mediabox()
    trim = page.get_trimbox(fallback_ok=False)
    if trim is None or all(abs(a - b) <= TRIM_TOLERANCE_PT for a, b in zip(trim, media,
                                                                            strict=True)):
        return None
    return (trim[0], trim[1], trim[2], trim[3])


def render_page(page: Any, dpi: float, trim: bool = True) -> Image:
    """Render one pdfium page at *dpi*; with *trim*, cut it to its TrimBox (if any).

    The picture is exactly ``round(size in mm / 25.4 × dpi)`` pixels each way, the size being
    the TrimBox's (when trimmed) or the MediaBox's.
    """
    scale = dpi / 72
    image: Image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    x0, y0, x1, y1 = page.get_mediabox()
    box = (trim_box(page) if trim else None) or (x0, y0, x1, y1)
    left, top = px(box[0] - x0, dpi), px(y1 - box[3], dpi)
    width, height = px(box[2] - box[0], dpi), px(box[3] - box[1], dpi)
    return image.crop((left, top, left + width, top + height))


def render_pdf(path: Path, dpi: float, trim: bool = True,
               pages: Sequence[int] | None = None) -> list[Image]:
    """Render the pages of a PDF (all, or the 0-based *pages*) as RGB pictures."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise UsageError(f"cannot read PDF {display_path(path)}: {exc}") from exc
    try:
        wanted = range(len(document)) if pages is None else pages
        images = []
        for index in wanted:
            page = document[index]
            try:
                images.append(render_page(page, dpi, trim))
            finally:
                page.close()
        return images
    finally:
        document.close()


def page_count(path: Path) -> tuple[int, int]:
    """Return (pages, pages with a TrimBox smaller than the page) of a PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        trimmed = 0
        for index in range(len(document)):
            page = document[index]
            trimmed += trim_box(page) is not None
            page.close()
        return len(document), trimmed
    finally:
        document.close()


def contact_sheet(images: Sequence[Image], thumb_height: int | None = None,
                  columns: int | None = None, gap: int = CONTACT_GAP_PX,
                  background: tuple[int, int, int] = CONTACT_BACKGROUND) -> Image:
    """Return *images* scaled to *thumb_height* in a grid with *gap* pixels around each."""
    from PIL import Image as PILImage

    if not images:
        raise UsageError("nothing to put on a contact sheet")
    height = thumb_height or round(CONTACT_THUMB_MM / 25.4 * 96)
    thumbs = [
        image if image.height == height else image.resize(
            (max(1, round(image.width * height / image.height)), height),
            PILImage.Resampling.LANCZOS)
        for image in images
    ]
    if columns is None:
        columns = max(1, min(len(thumbs), round(math.sqrt(len(thumbs) * 1.6))))
    rows = math.ceil(len(thumbs) / columns)
    cell_w = max(t.width for t in thumbs)
    sheet = PILImage.new("RGB", (gap + columns * (cell_w + gap), gap + rows * (height + gap)),
                         background)
    for i, thumb in enumerate(thumbs):
        row, col = divmod(i, columns)
        sheet.paste(thumb, (gap + col * (cell_w + gap) + (cell_w - thumb.width) // 2,
                            gap + row * (height + gap)))
    return sheet


def save_png(image: Image, path: Path, optimize: bool = False) -> Path:
    """Write *image* as PNG (atomically) and return its path."""
    from kaartspel.files import write_atomic

    write_atomic(path, lambda handle: image.save(handle, format="PNG", optimize=optimize))
    return path


# --------------------------------------------------------------------------------------------
# Which pages are card fronts


def front_pages(info: dict[str, Any]) -> list[int] | None:
    """Return the 0-based front pages of a one-card-per-page deck from its manifest entry."""
    if info.get("kind") != "deck" or info.get("layout") != "single":
        return None
    cards = info.get("cards")
    if not isinstance(cards, int):
        return None
    if info.get("backs") != "none" and info.get("order") == "interleaved":
        return list(range(0, 2 * cards, 2))
    return list(range(cards))


def _manifest_entry(pdf: Path) -> dict[str, Any] | None:
    """Return the build manifest's entry for *pdf* if it describes this very file."""
    try:
        data = json.loads((pdf.parent / ".cache" / "outputs.json").read_text(encoding="utf-8"))
        entry = data["outputs"][pdf.name]
        stat = pdf.stat()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(entry, dict):
        return None
    if entry.get("size") != stat.st_size or entry.get("mtime_ns") != stat.st_mtime_ns:
        return None
    return entry


# --------------------------------------------------------------------------------------------
# The command


@dataclass
class PreviewResult:
    """What a preview wrote."""

    folder: Path
    pages: list[Path] = field(default_factory=list)
    cards: list[Path] = field(default_factory=list)
    contact: Path | None = None
    seconds: float = 0.0


def deck_target(targets: list[Any]) -> Any:
    """Return a recipe's one target, or a kit's deck (what a preview shows)."""
    if len(targets) == 1:
        return targets[0]
    decks = [t for t in targets if t.kind == "deck"]
    if not decks:
        raise UsageError("this kit has no deck to preview; preview its PDFs instead")
    return decks[0]


def _companion(settings: BuildSettings, recipe_path: Path, entry: dict[str, Any]) -> Path:
    """Return a one-card-per-page PDF of a sheet deck's fronts, building it when stale."""
    from kaartspel.build.plan import InputHasher, find_targets
    from kaartspel.build.recipes import load_recipe
    from kaartspel.cache import FaceCache
    from kaartspel.deck.assemble import build_deck
    from kaartspel.files import write_atomic
    from kaartspel.options import DeckOptions

    folder = settings.cache_dir / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{recipe_path.stem}-fronts.pdf"
    stamp = folder / f"{recipe_path.stem}-fronts.json"
    target = deck_target(find_targets([recipe_path]))
    inputs = InputHasher(settings).inputs(target)
    try:
        known = json.loads(stamp.read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError, AttributeError):
        known = None
    if known == inputs and pdf.is_file():
        return pdf
    recipe = load_recipe(recipe_path, settings.content_dir, target.part)
    assert isinstance(recipe.options, DeckOptions)
    options = recipe.options.updated(layout="single", backs="none", order="fronts-then-backs",
                      strict=settings.strict, templates=settings.templates)
    build_deck(settings.content_dir, options, pdf,
               cache=FaceCache(settings.cache_dir, enabled=settings.use_cache))
    write_atomic(stamp, json.dumps({"inputs": inputs}).encode())
    return pdf


def preview(target: Path, settings: BuildSettings, dpi: float = DEFAULT_DPI,
            out: Path | None = None, reporter: Any = None) -> PreviewResult:
    """Write PNG previews of a PDF or of a recipe's output; return what was written.

    *settings* is a :class:`kaartspel.build.run.BuildSettings`; *reporter* a build Reporter.
    """
    from kaartspel.build.plan import find_targets, load_manifest
    from kaartspel.build.run import failure, run_build

    started = time.perf_counter()
    if not 10 <= dpi <= 1200:
        raise UsageError(f"--dpi: expected 10 to 1200, got {dpi:g}")
    if not is_file(target):
        raise UsageError(not_found("file", target))
    recipe: Path | None = None
    entry: dict[str, Any] | None = None
    if target.suffix.lower() in (".yaml", ".yml"):
        planned = deck_target(find_targets([target]))
        error = failure(run_build(settings, [target], jobs=1, reporter=reporter))
        if error is not None:
            raise error
        recipe = target
        pdf = settings.out_dir / str(planned.output_name)
        entry = load_manifest(settings).get(pdf.name)
    elif target.suffix.lower() == ".pdf":
        pdf = target
        entry = _manifest_entry(pdf)
        if entry is not None and entry.get("kind") == "deck" and entry.get("layout") == "sheet":
            candidate = Path(str(entry.get("recipe")))
            if candidate.is_file():
                from kaartspel.build.plan import InputHasher

                sheet_settings = replace(settings, out_dir=pdf.parent)
                planned = deck_target(find_targets([candidate]))
                if InputHasher(sheet_settings).inputs(planned) == entry.get("inputs"):
                    recipe, settings = candidate, sheet_settings
    else:
        raise UsageError(f"expected a PDF or a recipe (.yaml), got {display_path(target)}")

    folder = out or settings.out_dir / "preview" / pdf.stem
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output is a file, not a folder: {display_path(folder)}")
    # Read the PDF before creating anything: a bad input leaves no empty folder behind.
    pages = render_pdf(pdf, dpi)
    folder.mkdir(parents=True, exist_ok=True)
    if out is None:  # our own folder: drop pictures of an earlier, longer version
        for old in [*folder.glob("page-*.png"), *folder.glob("card-*.png"),
                    folder / "contact.png"]:
            old.unlink(missing_ok=True)
    result = PreviewResult(folder)
    result.pages = [save_png(image, folder / f"page-{i:03d}.png")
                    for i, image in enumerate(pages, start=1)]

    fronts: list[Image] = []
    if entry is not None and entry.get("kind") == "deck":
        wanted = front_pages(entry)
        if wanted is not None:
            fronts = [pages[i] for i in wanted if i < len(pages)]
        elif recipe is not None:
            fronts = render_pdf(_companion(settings, recipe, entry), dpi)
            result.cards = [save_png(image, folder / f"card-{i:03d}.png")
                            for i, image in enumerate(fronts, start=1)]
    elif entry is None and pages and page_count(pdf)[1] == len(pages) and len(pages) > 1:
        fronts = pages  # a deck of unknown origin, one card per page: show every page
    if fronts:
        result.contact = save_png(contact_sheet(fronts), folder / "contact.png", optimize=True)
    result.seconds = time.perf_counter() - started
    return result
