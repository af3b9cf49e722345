"""The poster's fit search: it finds the largest fitting type step, measuring as little as it can.

The search predicts (from what it has measured) which step to measure next and proves a step
too large by measuring only the blocks on its tallest path; these tests hold it to the answer a
full measurement gives and to the number and size of its measuring passes.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kaartspel.content.model import Content
from kaartspel.poster.fit import _AtLeast, _search, find_fit
from kaartspel.poster.geometry import Geometry, body_steps
from kaartspel.poster.layout import Leaf, Node, VStack
from kaartspel.poster.renderer import PosterRenderer
from kaartspel.render.templates import TemplateSet
from kaartspel.units import poster_size


def renderer(content: Content, size: str, orientation: str = "portrait") -> PosterRenderer:
    geometry = Geometry.create(poster_size(size), orientation, 0.0)
    return PosterRenderer(content, geometry, TemplateSet.create(()), True)


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record every measuring pass of the poster as the number of blocks it lays out."""
    blocks: list[int] = []
    measure = PosterRenderer.measure

    def counted(self: PosterRenderer, leaves: Any, body: float) -> dict[str, float]:
        leaves = list(leaves)
        blocks.append(len(leaves))
        return measure(self, leaves, body)

    monkeypatch.setattr(PosterRenderer, "measure", counted)
    return blocks


# --- the search on its own: any predictions, always the right answer --------------------------


def predictors(answer: int, count: int) -> Iterator[Callable[[int], bool]]:
    yield lambda i: True
    yield lambda i: False
    for offset in (-3, -1, 0, 1, 3):
        yield lambda i, o=offset: i >= answer + o
    rng = random.Random(answer * 100 + count)
    table = [rng.random() < 0.5 for _ in range(count)]
    yield lambda i: table[i]


@pytest.mark.parametrize("count", [1, 2, 3, 8, 21])
def test_search_finds_the_answer_whatever_it_predicts(count: int) -> None:
    """Wrong predictions cost probes, never the answer; no step is measured twice."""
    for answer in range(count + 1):  # count: nothing fits
        for start in range(count):
            for predict in predictors(answer, count):
                probed: list[int] = []

                def probe(i: int, expected: bool, probed: list[int] = probed,
                          answer: int = answer) -> bool:
                    probed.append(i)
                    return i >= answer

                found = _search(count, start, probe, predict)
                assert found == (answer if answer < count else None)
                assert len(probed) == len(set(probed))
                assert len(probed) <= 4 + count.bit_length()


def test_search_probes_twice_when_the_start_is_right() -> None:
    probed: list[tuple[int, bool]] = []

    def probe(i: int, expected: bool) -> bool:
        probed.append((i, expected))
        return i >= 8

    assert _search(21, 8, probe, lambda i: i >= 8) == 8
    assert probed == [(8, True), (7, False)]  # the step above: predicted not to fit


# --- the tallest path: a lower bound of the height ---------------------------------------------


@pytest.mark.parametrize(("size", "orientation"), [("a1", "portrait"), ("a1", "landscape"),
                                                    ("a4", "portrait"), ("a3", "landscape")])
def test_the_tallest_path_bounds_the_height(nl: Content, size: str, orientation: str) -> None:
    """The blocks on the tallest path give the exact height for the heights they were chosen
    with, and never more than the true height for any other heights."""
    design = renderer(nl, size, orientation).design()
    rng = random.Random(7)
    roots: list[Node] = [design.single, *(design.rows or [])]
    for root in roots:
        leaves = [leaf for leaf in root.leaves() if leaf.measured]
        for _ in range(50):
            need = {leaf.block.id: rng.uniform(5, 300) for leaf in leaves}
            critical = list(root.critical(need))
            assert all(isinstance(leaf, Leaf) and leaf.measured for leaf in critical)
            only = _AtLeast({leaf.block.id: need[leaf.block.id] for leaf in critical})
            assert root.natural(only) == pytest.approx(root.natural(need))
            other = {key: rng.uniform(5, 300) for key in need}
            bound = _AtLeast({leaf.block.id: other[leaf.block.id] for leaf in critical})
            assert root.natural(bound) <= root.natural(other) + 1e-9


# --- real posters: the largest size, at a fraction of the measuring ----------------------------


@pytest.mark.parametrize(("lang", "size", "orientation", "start_fits"), [
    ("nl", "a1", "portrait", False), ("en", "a1", "portrait", False),
    ("nl", "a3", "portrait", True), ("en", "a2", "landscape", False),
])
def test_fit_is_the_largest_step_that_fits(request: pytest.FixtureRequest, passes: list[int],
                                           caplog: pytest.LogCaptureFixture, lang: str,
                                           size: str, orientation: str,
                                           start_fits: bool) -> None:
    """Measured in full, the chosen step fits and the step above it does not."""
    caplog.set_level(logging.DEBUG, logger="kaartspel.poster")
    content: Content = request.getfixturevalue(lang)
    r = renderer(content, size, orientation)
    fit = find_fit(r)
    searched = list(passes)
    steps = body_steps(r.geometry.scale)
    found = steps.index(fit.body)
    design = r.design()
    leaves = [leaf for leaf in design.single.leaves() if leaf.measured]
    available = r.available(0)
    need = r.measure(leaves, steps[found])
    assert need == pytest.approx(fit.need)
    assert design.single.natural(need) <= available
    assert found > 0, "the largest step fits: the test content is too short to test this"
    above = r.measure(leaves, steps[found - 1])
    assert design.single.natural(above) > available
    if start_fits:
        # All blocks at the start step, then only the tallest path's blocks at the step
        # above (before: all blocks twice).
        assert len(searched) == 2 and searched[0] == len(leaves)
        assert searched[1] < len(leaves) / 2
        assert (f"{steps[found - 1]:g} pt does not fit: {searched[1]} of its {len(leaves)} "
                "blocks") in caplog.text
    else:
        assert len(searched) <= 3
        assert sum(searched) <= 2 * len(leaves) + len(leaves) // 2


def test_landscape_searches_down_in_few_passes(nl: Content, passes: list[int]) -> None:
    """A1 landscape fits one step lower than portrait's start: found in three passes (a
    bisection after the first miss took five full ones)."""
    fit = find_fit(renderer(nl, "a1", "landscape"))
    assert fit.body == 13.0
    assert len(passes) <= 3


def test_an_undecided_bound_measures_the_rest(nl: Content, passes: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """If the tallest path alone does not overflow, the other blocks are measured too: the
    answer never rests on a lower bound that did not decide."""
    def footer_only(self: Node, need: Any) -> Iterator[Leaf]:
        yield from (leaf for leaf in self.leaves() if leaf.block.id == "footer")

    monkeypatch.setattr(VStack, "critical", footer_only)
    # A3: the step above the answer (7 pt, the smallest) is predicted not to fit.
    fit = find_fit(renderer(nl, "a3"))
    assert fit.body == 7.0
    total = passes[0]
    assert passes == [total, 1, total - 1]
