"""The poster a designer would sign, at every size: checked with the typography checker and
read off its layout (where the blocks lie)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kaartspel.content.load import load_content
from kaartspel.pdf.typecheck import DesignReport, check_design, content_hyphenated_words
from kaartspel.poster.fit import fit_poster
from kaartspel.poster.geometry import Geometry
from kaartspel.poster.layout import Block, Placement
from kaartspel.poster.renderer import PosterRenderer
from kaartspel.render.templates import TemplateSet
from kaartspel.units import mm_to_pt, poster_size


@dataclass
class Laid:
    """A poster laid out and checked."""

    geometry: Geometry
    placement: Placement
    report: DesignReport

    def block(self, block_id: str) -> Block:
        return next(b for b in self.placement.blocks if b.id == block_id)

    def contains(self, block: Block, at: tuple[float, float]) -> bool:
        """Whether the point *at* (pt, PDF space) lies in *block* (mm from the trim, y down)."""
        g, box = self.geometry, block.box
        assert box is not None
        x = mm_to_pt(g.offset + box.x)
        top = mm_to_pt(g.page_h - g.offset - box.y)
        return x <= at[0] <= x + mm_to_pt(box.w) and top - mm_to_pt(box.h) <= at[1] <= top


@pytest.fixture(scope="module")
def laid(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Any:
    cache: dict[str, Laid] = {}
    folder = tmp_path_factory.mktemp("poster-design")
    content = load_content(content_dir, "nl")
    texts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    collect(content.data.model_dump())
    hard = content_hyphenated_words(texts)

    def get(size: str) -> Laid:
        if size not in cache:
            geometry = Geometry.create(poster_size(size), "portrait", 0.0)
            renderer = PosterRenderer(content, geometry, TemplateSet.create())
            _, document, _, placement = fit_poster(renderer)
            path = folder / f"{size}.pdf"
            path.write_bytes(document.write_pdf())
            cache[size] = Laid(geometry, placement, check_design(path, hard_words=hard))
        return cache[size]

    return get


@pytest.mark.parametrize("size", ["a0", "a1", "a2", "a3", "a4"])
def test_poster_passes_the_design_check(laid: Any, size: str) -> None:
    poster: Laid = laid(size)
    report = poster.report
    assert report.failures() == []  # no hyphen in a heading, question, label or tip
    assert [p for f in report.faces for p in f.reversed_problems] == []
    assert min(f.smallest for f in report.faces) >= 7.0
    assert not any(b.last_line for f in report.faces for b in f.hyphens)
    # A step of the staircase breaks at most one word.
    for number in range(1, 6):
        step = poster.block(f"level-{number}")
        breaks = [b for f in report.faces if f.page == step.page + 1 for b in f.hyphens
                  if poster.contains(step, b.at)]
        assert len(breaks) <= 1, (size, step.id, [b.word for b in breaks])


def test_cycle_texts_read_from_01_round_the_arrows(laid: Any) -> None:
    poster: Laid = laid("a1")
    boxes = [poster.block(f"phase-{n}").box for n in range(1, 5)]
    (one, two, three, four) = boxes
    assert one is not None and two is not None and three is not None and four is not None
    # 01 top left, 02 top right, 03 bottom right, 04 bottom left: reading starts at 01.
    assert one.x < two.x and one.y <= four.y and two.y <= three.y
    assert three.x > four.x and one.x == four.x and two.x == three.x
    first = min(boxes, key=lambda b: (round(b.y), b.x))
    assert first is one


def test_section_heads_share_one_alignment(laid: Any) -> None:
    poster: Laid = laid("a1")
    heads = [b for b in poster.placement.blocks if b.kind == "head"]
    assert {b.id for b in heads} >= {"ambities-head", "cyclus-head", "essentials-head",
                                     "tips-head"}
    assert len({round(b.box.x, 3) for b in heads if b.box is not None}) == 1


def test_a4_handout_is_balanced_and_numbered(laid: Any) -> None:
    poster: Laid = laid("a4")
    assert poster.placement.pages == 2
    folios = [b for b in poster.placement.blocks if b.kind == "folio"]
    assert [(b.page, b.data["page"], b.data["pages"]) for b in folios] == [(0, 1, 2), (1, 2, 2)]
    # No stray strip of colour along the top of page 2.
    assert [d for d in poster.placement.decor if d.page == 1 and d.box.y < 1.0] == []
    # One type size on both pages, and neither page half empty.
    faces = poster.report.faces
    assert len(faces) == 2 and faces[0].smallest == faces[1].smallest
    assert max(f.empty for f in faces) < 0.25
