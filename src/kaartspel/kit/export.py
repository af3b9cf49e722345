"""Screen images of a deck for online sessions: one PNG per card and a zip, 16:9 slides.

Both are made from the deck built one card a page (from the same cached faces as every
other deck): a PNG is that page rendered at screen resolution and cut at the TrimBox (no
bleed); a slide places the page's form, clipped at the trim, large and centred on a 16:9
page, tagged as a figure whose alternative text is the card's text, so a screen reader
reads each slide.  Nothing is laid out again.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.assemble import build_deck, deck_cards
from kaartspel.deck.cards import Card
from kaartspel.files import write_atomic, write_error
from kaartspel.options import ExportOptions, default_export_names
from kaartspel.pdf.save import build_date, check_output, save_pdf
from kaartspel.render.templates import TemplateSet

log = logging.getLogger(__name__)

SLIDE_PT = (960.0, 540.0)
"""A 16:9 slide: 13.33 × 7.5 inches, the size presentation programs use."""
CARD_SHARE = 0.88
"""How much of the slide's height (or width) the card takes."""


@dataclass
class ExportResult:
    """What ``kaartspel export`` wrote."""

    cards: int
    folder: Path | None = None
    pngs: list[Path] = field(default_factory=list)
    zip: Path | None = None
    slides: Path | None = None


def slug(text: str) -> str:
    """Return *text* as a file-name part: ascii lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48] or "kaart"


def png_names(cards: Sequence[Card]) -> list[str]:
    """Return each card's PNG name: its number in the set, zero-padded, and its title."""
    width = max(2, len(str(max((card.number for card in cards), default=0))))
    names = [f"{card.number:0{width}d}-{slug(card.title)}.png" for card in cards]
    if len(set(names)) != len(names):  # numbers not unique (a hand-made selection)
        names = [f"{i:0{width}d}-{slug(card.title)}.png" for i, card in enumerate(cards, 1)]
    return names


def card_text(content: Content, card: Card) -> str:
    """Return what a card says, for a screen reader: its heading, then its text."""
    ui = content.ui
    parts = [card.title, card.label]
    if card.group:
        parts.append(f"{card.label or ui.group_label}: {card.group}" if card.personal or
                     not card.label else card.group)
    if card.personal:
        parts.append(f"{ui.personal_label}: {card.personal}")
    parts += [*card.paragraphs, *card.items, *card.notes]
    seen: list[str] = []
    for part in parts:
        text = " ".join(part.split())
        if text and text not in seen:
            seen.append(text)
    # Sentences as a reader says them: a heading or label gets a full stop of its own.
    return " ".join(part if part.endswith((".", "?", "!", "…")) else f"{part}."
                    for part in seen)


def export_deck(content_dir: Path, options: ExportOptions, out_dir: Path) -> ExportResult:
    """Write the PNGs and zip and/or the slides of *options* into *out_dir*."""
    deck_options = options.deck()
    content = load_content(content_dir, options.lang)
    cards = deck_cards(content, deck_options)
    stem, slides_stem = default_export_names(options)
    result = ExportResult(len(cards))
    with tempfile.TemporaryDirectory(prefix="kaartspel-export-") as scratch:
        faces = Path(scratch) / "faces.pdf"
        build_deck(content_dir, deck_options, faces)
        if options.png:
            folder = out_dir / stem
            result.folder, result.pngs = folder, write_pngs(faces, cards, folder, options)
            result.zip = out_dir / f"{stem}.zip"
            write_zip(result.pngs, result.zip)
        if options.slides:
            result.slides = out_dir / f"{slides_stem}.pdf"
            templates = TemplateSet.create(options.templates)
            write_slides(faces, [card_text(content, card) for card in cards], result.slides,
                         content, templates)
    return result


def write_pngs(faces: Path, cards: Sequence[Card], folder: Path, options: ExportOptions
               ) -> list[Path]:
    """Render every page of *faces* cut at its TrimBox into *folder* (replaced whole)."""
    import pypdfium2 as pdfium

    check_output(folder.parent / f"{folder.name}.zip")  # the folder beside it is writable
    names = png_names(cards)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        document = pdfium.PdfDocument(faces)
        with pikepdf.open(faces) as pdf:
            boxes = [[float(v) for v in page.trimbox] for page in pdf.pages]
            media = [[float(v) for v in page.mediabox] for page in pdf.pages]
        for i, name in enumerate(names):
            trim, box = boxes[i], media[i]
            width_pt = trim[2] - trim[0]
            scale = options.width / width_pt if options.width else options.dpi / 72
            crop = (trim[0] - box[0], trim[1] - box[1], box[2] - trim[2], box[3] - trim[3])
            page = document[i]
            image = page.render(scale=scale, crop=crop).to_pil()
            page.close()
            if options.width and image.width != options.width:
                height = round(image.height * options.width / image.width)
                image = image.resize((options.width, height))
            dpi = round(image.width / (width_pt / 72))
            image.save(staging / name, format="PNG", optimize=True, dpi=(dpi, dpi))
        document.close()
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):  # a full disk while the PNGs were written: one line
            raise write_error(folder, exc) from exc
        raise
    return [folder / name for name in names]


def write_zip(files: Sequence[Path], path: Path) -> None:
    """Write *files* into the zip *path*, reproducibly (fixed dates, sorted, one folder)."""
    stamp = build_date().timetuple()[:6]

    def write(handle: BinaryIO) -> None:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed
            for file in sorted(files):
                info = zipfile.ZipInfo(f"{path.stem}/{file.name}", date_time=stamp)
                info.external_attr = 0o644 << 16
                archive.writestr(info, file.read_bytes())

    check_output(path, suffixes=(".zip",))
    write_atomic(path, write, durable=True)


def write_slides(faces: Path, texts: Sequence[str], path: Path, content: Content,
                 templates: TemplateSet) -> None:
    """Write a 16:9 PDF: each page of *faces* clipped at its trim, centred; tagged."""
    palette = templates.palette()
    background = palette.colour("set").tint.lstrip("#")
    r, g, b = (int(background[i:i + 2], 16) / 255 for i in (0, 2, 4))
    sw, sh = SLIDE_PT
    out = pikepdf.Pdf.new()
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([document])))
    document.P = root
    parents = Array()
    with pikepdf.open(faces) as source:
        for i, (page, text) in enumerate(zip(source.pages, texts, strict=True)):
            trim = [float(v) for v in page.trimbox]
            tw, th = trim[2] - trim[0], trim[3] - trim[1]
            scale = min(CARD_SHARE * sh / th, CARD_SHARE * sw / tw)
            x = (sw - tw * scale) / 2 - trim[0] * scale
            y = (sh - th * scale) / 2 - trim[1] * scale
            form = out.copy_foreign(page.as_form_xobject(handle_transformations=False))
            form.BBox = Array(page.mediabox)
            clip = (f"{trim[0]:.3f} {trim[1]:.3f} {tw:.3f} {th:.3f} re W n")
            ops = (f"/Artifact BMC q {r:.4f} {g:.4f} {b:.4f} rg 0 0 {sw:g} {sh:g} re f Q EMC\n"
                   f"/Figure <</MCID 0>> BDC q {scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm "
                   f"{clip} /C Do Q EMC\n")
            slide = out.add_blank_page(page_size=(sw, sh))
            slide.obj.Resources = Dictionary(XObject=Dictionary(C=form))
            slide.obj.Contents = out.make_stream(ops.encode())
            slide.obj.StructParents = i
            slide.obj.Tabs = Name.S
            figure = out.make_indirect(Dictionary(
                Type=Name.StructElem, S=Name.Figure, P=document, Pg=slide.obj,
                K=Dictionary(Type=Name.MCR, Pg=slide.obj, MCID=0), Alt=String(text),
                A=Dictionary(O=Name.Layout, BBox=Array([round(v, 3) for v in (
                    (sw - tw * scale) / 2, (sh - th * scale) / 2,
                    (sw + tw * scale) / 2, (sh + th * scale) / 2)]))))
            document.K.append(figure)
            parents.append(Array([figure]))
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array(
        [item for i, figure in enumerate(parents) for item in (i, figure)])))
    root.ParentTreeNextKey = len(parents)
    out.Root.StructTreeRoot = root
    out.Root.MarkInfo = Dictionary(Marked=True)
    with out.open_outline() as outline:
        for i, text in enumerate(texts):
            outline.root.append(pikepdf.OutlineItem(text.split(". ")[0][:80], i))
    title = f"{content.meta.title} — {content.meta.set_title}"
    out.Root.PageMode = Name.UseOutlines
    save_pdf(out, path, title, content.lang)
    log.info("slides %s: %d", path, len(texts))


__all__ = ["ExportResult", "card_text", "export_deck", "png_names", "slug"]

