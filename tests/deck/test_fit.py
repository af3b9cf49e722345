"""The deck's type size: measured fill, and a predictive search that finds the largest size.

Each case checks the answer against the definition (every face fits at it, some face
overflows one step up) and that the prediction saved renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from kaartspel.cache import FaceCache
from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.assemble import back_cards
from kaartspel.deck.cards import Card, build_cards, select
from kaartspel.deck.face_store import FaceStore
from kaartspel.deck.faces import CardRenderer, Geometry
from kaartspel.deck.type_size import fit_faces, steps_for
from kaartspel.render.templates import TemplateSet
from kaartspel.units import card_size


def store_for(content: Content, size: str, cache: FaceCache | None = None) -> FaceStore:
    renderer = CardRenderer(content, Geometry.for_card(card_size(size), 3.0),
                            TemplateSet.create())
    return FaceStore(renderer, cache or FaceCache(enabled=False), jobs=1)


def faces_of(content: Content, kinds: Sequence[str] = ()) -> list[Card]:
    cards = select(build_cards(content), (), tuple(kinds), ())
    return list(cards) + list(dict.fromkeys(back_cards(content, cards, "theme").values()))


class Counting(FaceStore):
    """A face store that counts its WeasyPrint documents."""

    documents = 0

    def _render(self, faces: list[Card], base: float,  # type: ignore[no-untyped-def]
                pdf: frozenset[str] | None = None):
        self.documents += 1
        return super()._render(faces, base, pdf)


@pytest.mark.parametrize(
    ("lang", "size", "kinds", "documents_max"),
    # The binary search this replaced took 5, 5, 5 and 7 documents for these decks (mini:
    # its scale steps are 4 % apart, not 6 %, so its search has more steps to take).
    [("nl", "poker", (), 4), ("en", "a7", (), 4), ("nl", "mini", ("question",), 5),
     ("en", "square", (), 6)],
)
def test_the_size_found_is_the_largest_that_fits(content_dir: Path, lang: str, size: str,
                                                 kinds: tuple[str, ...],
                                                 documents_max: int) -> None:
    content = load_content(content_dir, lang)
    faces = faces_of(content, kinds)
    plain = store_for(content, size)
    store = Counting(plain.renderer, plain.cache, jobs=1)
    base = fit_faces(store, faces)
    documents = store.documents
    assert all(v <= 0 for v in store.overflows(faces, base).values())
    steps = sorted(steps_for(store))
    if base != steps[-1]:
        larger = steps[steps.index(base) + 1]
        assert any(v > 0 for v in store.overflows(faces, larger).values()), (
            f"{lang} {size}: every face also fits at {larger} pt, not only at {base} pt")
    assert documents <= documents_max, documents


def test_fill_agrees_with_overflow(nl: Content) -> None:
    """Fill above 1 is overflow, below 1 is room: the two measures never disagree."""
    faces = [face for face in faces_of(nl) if face.kind in ("intro", "question", "level")][:12]
    store = store_for(nl, "poker")
    for size in (8.0, 10.0, 12.0):
        for face_id, m in store.measure(faces, size).items():
            if m.fill > 1.02:
                assert m.overflow > 0, (face_id, size, m)
            if m.fill < 0.98:
                assert m.overflow == 0, (face_id, size, m)
    # Larger type needs more room.
    small, large = store.measure(faces, 8.0), store.measure(faces, 12.0)
    assert all(large[f.id].fill > small[f.id].fill for f in faces)


def test_a_warm_search_renders_nothing(nl: Content, tmp_path: Path) -> None:
    faces = faces_of(nl, ("question", "tip"))
    cold = store_for(nl, "poker", FaceCache(tmp_path / "cache"))
    base = fit_faces(cold, faces)
    warm = store_for(nl, "poker", FaceCache(tmp_path / "cache"))
    assert fit_faces(warm, faces) == base
    assert warm.rendered == 0
