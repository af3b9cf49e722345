"""Icons drawn once as shared forms ("stamps") look exactly like the inline SVG they replace."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import ImageChops

from kaartspel.cache import FaceCache
from kaartspel.content.model import Content
from kaartspel.deck.assemble import back_cards, build_deck
from kaartspel.deck.cards import Card, build_cards
from kaartspel.deck.face_store import FaceStore
from kaartspel.deck.faces import Geometry
from kaartspel.deck.variants import card_renderer
from kaartspel.options import DeckOptions
from kaartspel.render.stamps import ARTWORK_KEY
from kaartspel.render.templates import TemplateSet
from kaartspel.units import card_size

KINDS = ("title", "question", "tip", "back")


def sample_faces(content: Content) -> list[Card]:
    cards = build_cards(content)
    picked = [next(card for card in cards if card.kind == kind) for kind in KINDS[:-1]]
    return picked + list(back_cards(content, picked, "theme").values())[:1]


def face_pdfs(content: Content, variant: str, stamps: bool, size: str = "poker") -> list[bytes]:
    renderer = card_renderer(variant, content, Geometry.for_card(card_size(size), 3.0),
                             TemplateSet.create())
    renderer.stamp_icons = stamps
    store = FaceStore(renderer, FaceCache(enabled=False), jobs=1)
    faces = sample_faces(content)
    _, kept = store.render_batch(faces, 9.0)
    return [kept[store.face_key(face, 9.0)] for face in faces]


def pixels(data: bytes, dpi: float = 200) -> object:
    page = pdfium.PdfDocument(data)[0]
    return page.render(scale=dpi / 72).to_pil().convert("RGB")


@pytest.mark.parametrize("variant", ["plain", "print"])
@pytest.mark.parametrize("size", ["poker", "mini"])
def test_stamped_icons_look_like_inline_svg(nl: Content, variant: str, size: str) -> None:
    stamped = face_pdfs(nl, variant, stamps=True, size=size)
    inline = face_pdfs(nl, variant, stamps=False, size=size)
    for kind, a, b in zip(KINDS, stamped, inline, strict=True):
        image_a, image_b = pixels(a), pixels(b)
        assert image_a.size == image_b.size  # type: ignore[attr-defined]
        diff = ImageChops.difference(image_a, image_b)  # type: ignore[arg-type]
        histogram = diff.convert("L").histogram()
        off = sum(histogram[24:])  # pixels that differ visibly (anti-aliasing aside)
        total = sum(histogram)
        assert off <= total * 0.0005, f"{variant} {size} {kind}: {off} of {total} pixels differ"


def test_a_stamped_face_draws_a_form_not_paths(nl: Content) -> None:
    stamped = face_pdfs(nl, "plain", stamps=True)[1]  # a question card
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        page = pdf.pages[0]
        forms = [x for x in page.Resources.XObject.values() if ARTWORK_KEY in x]
        assert len(forms) == 1
        ops = [str(op.operator) for op in pikepdf.parse_content_stream(page)]
        assert ops.count("Do") >= 1


def test_an_assembled_deck_holds_one_copy_per_icon(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.pdf"
    build_deck(content_dir, DeckOptions(lang="nl"), out, cache=FaceCache(tmp_path / "cache"))
    with pikepdf.open(out) as pdf:
        artwork = [obj for obj in pdf.objects
                   if isinstance(obj, pikepdf.Stream) and ARTWORK_KEY in obj]
        keys = {str(obj[ARTWORK_KEY]) for obj in artwork}
    # One per theme icon drawn (level and phase cards show diagrams instead).
    assert len(artwork) == len(keys)
    assert 4 <= len(keys) <= 8


def test_tagged_faces_keep_inline_svg_for_alt_text(nl: Content) -> None:
    renderer = card_renderer("accessible", nl, Geometry.for_card(card_size("poker"), 3.0),
                             TemplateSet.create())
    assert not renderer.stamp_icons
    assert "<svg" in renderer.html(sample_faces(nl)[:2], 9.0)
