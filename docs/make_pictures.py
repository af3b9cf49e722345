"""Render the README pictures (``make docs``): a strip of Dutch cards and the A1 poster.

* ``docs/cards-nl.png``: one card of each kind that shows what the deck is (title, question,
  level, phase, tip), cut to the trim, side by side.  The cards come from the full Dutch deck
  (so they are set at the deck's own type size) and reuse the face cache of ``make``.
* ``docs/poster-nl.png``: the A1 poster (recipe ``deck/poster-nl.yaml``), downscaled.
* ``docs/calibration.png``: the duplex test sheet as it looks against the light when the
  printer puts the back 2 mm right and 1 mm low: the sheet, and its middle grid enlarged.

Both are palette PNGs well under 250 KB.  Works from any folder (it changes to the
repository root); writes into build/ like `make`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kaartspel.build.plan import BuildSettings
from kaartspel.build.preview import contact_sheet, render_pdf
from kaartspel.build.run import failure, run_build
from kaartspel.cache import FaceCache
from kaartspel.content.load import load_content
from kaartspel.deck.assemble import build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.options import DeckOptions

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
KINDS = ("title", "question", "level", "phase", "tip")
"""One card of each of these kinds, in this order."""
CARD_DPI = 110
POSTER_DPI = 30
MAX_BYTES = 250_000


def save_small(image: Image.Image, path: Path, colours: int = 128) -> Path:
    """Save *image* as an optimised palette PNG and check its size."""
    small = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE)
    small.save(path, format="PNG", optimize=True)
    size = path.stat().st_size
    if size >= MAX_BYTES:
        raise SystemExit(f"{path.relative_to(ROOT)} is {size // 1024} KB; lower the dpi")
    print(f"Wrote {path.relative_to(ROOT)}: {image.width}×{image.height} px, {size // 1024} KB")
    return path


def card_strip(settings: BuildSettings) -> Path:
    """Render one card per kind of the full Dutch deck into a strip."""
    content = load_content(settings.content_dir, "nl")
    cards = build_cards(content)
    chosen = [next(card for card in cards if card.kind == kind) for kind in KINDS]
    # The whole deck, fronts only, one card per page: the same faces (and type size) as
    # deck/trainer-nl.yaml, so after `make` nothing needs rendering.
    folder = settings.cache_dir / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "deck-nl-fronts.pdf"
    result = build_deck(settings.content_dir,
                        DeckOptions(lang="nl", layout="single", backs="none"), pdf,
                        cache=FaceCache(settings.cache_dir))
    pages = [result.faces.index(card.id) for card in chosen]
    images = render_pdf(pdf, CARD_DPI, pages=pages)
    strip = contact_sheet(images, thumb_height=images[0].height, columns=len(images), gap=12,
                          background=(255, 255, 255))
    return save_small(strip, DOCS / "cards-nl.png")


def poster(settings: BuildSettings) -> Path:
    """Build the Dutch A1 poster when stale and render it small."""
    recipe = Path("deck/poster-nl.yaml")
    error = failure(run_build(settings, [recipe], jobs=1))
    if error is not None:
        raise SystemExit("\n".join(f"Error: {line}" for line in error.lines()))
    (image,) = render_pdf(settings.out_dir / "poster-nl-a1.pdf", POSTER_DPI)
    return save_small(image, DOCS / "poster-nl.png", colours=160)


def calibration(settings: BuildSettings) -> Path:
    """Simulate the test sheet held to the light, the back drifted by X +2, Y −1 mm."""
    from PIL import ImageChops, ImageDraw, ImageOps

    from kaartspel.kit.calibrate import MAIN_REACH_MM, build_calibration
    from kaartspel.options import CalibrateOptions

    dpi, out = 150, settings.out_dir / "calibrate-nl-a4-long.pdf"
    settings.out_dir.mkdir(exist_ok=True)
    build_calibration(settings.content_dir, CalibrateOptions(), out)
    front, back = (page.convert("RGB") for page in render_pdf(out, dpi))
    px = dpi / 25.4
    # Turned over about the long edge, moved 2 mm right and 1 mm down, dimmed by the paper.
    seen = ImageChops.offset(ImageOps.mirror(back.convert("L")), round(2 * px), round(px))
    seen = seen.point(lambda v: 255 - (255 - v) * 0.55)
    lit = ImageChops.multiply(front, Image.merge("RGB", [seen] * 3))
    w, h = front.size
    reach = round((MAIN_REACH_MM + 9) * px)
    box = (w // 2 - reach - round(8 * px), h // 2 - reach, w // 2 + reach, h // 2 + reach)
    zoom = lit.crop(box)
    small = front.resize((round(w * zoom.height / h), zoom.height))
    picture = Image.new("RGB", (small.width + zoom.width + 30, zoom.height + 20), "white")
    picture.paste(small, (10, 10))
    picture.paste(zoom, (small.width + 20, 10))
    draw = ImageDraw.Draw(picture)
    scale = small.width / w
    draw.rectangle([10, 10, 10 + small.width - 1, 10 + small.height - 1], outline=(150,) * 3)
    draw.rectangle([10 + round(box[0] * scale), 10 + round(box[1] * scale),
                    10 + round(box[2] * scale), 10 + round(box[3] * scale)],
                   outline=(183, 91, 73), width=2)
    return save_small(picture, DOCS / "calibration.png")


def main() -> None:
    import os

    os.chdir(ROOT)
    settings = BuildSettings()
    card_strip(settings)
    poster(settings)
    calibration(settings)


if __name__ == "__main__":
    main()
