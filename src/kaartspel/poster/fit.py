"""Find the poster's type size: the largest body size at which every section fits."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kaartspel.errors import FitError, Problem
from kaartspel.poster.geometry import TYPICAL_BODY, body_steps
from kaartspel.poster.layout import Heights, Leaf, Node, Placement, VStack
from kaartspel.poster.renderer import PosterRenderer, paginate
from kaartspel.render.document import (
    box_overflow,
    fit_boxes,
    measure_overflow,
)

log = logging.getLogger(__name__)





@dataclass
class Fit:
    """The outcome of the fit search."""

    body: float
    pages: list[VStack]
    need: dict[str, float]


GROWTH = 1.3
"""How a block's height grows with the type size, as a power of the size ratio.  Scaling every
measured block by (size ratio)^1.3 and adding the tree up again predicted the measured height at
the neighbouring step within −2.7 … +1.4 % (nl and en, A0–A3, portrait and landscape); the
whole page's ratio to the power 1.7 (the rule used before) was off by up to +3.7 %.  A
prediction only chooses which step to measure next and how: every answer is measured."""


class _AtLeast(dict[str, float]):
    """Heights of some blocks; a block not measured counts as 0 mm (for lower bounds)."""

    def __missing__(self, key: str) -> float:
        return 0.0


class Measurements:
    """The heights of one layout's blocks, measured per step of the type scale as needed."""

    def __init__(self, renderer: PosterRenderer, nodes: Sequence[Node],
                 steps: Sequence[float]) -> None:
        self.renderer, self.steps = renderer, steps
        self.leaves = [leaf for node in nodes for leaf in node.leaves() if leaf.measured]
        self.at: dict[int, dict[str, float]] = {}

    def complete(self, i: int) -> bool:
        """Return whether every block has been measured at step *i*."""
        known = self.at.get(i, {})
        return all(leaf.block.id in known for leaf in self.leaves)

    def measure(self, i: int, leaves: Iterable[Leaf] | None = None) -> dict[str, float]:
        """Measure *leaves* (default: all) at step *i* in one pass, skipping those already
        measured there; return every height known at *i*."""
        known = self.at.setdefault(i, {})
        todo = [leaf for leaf in (self.leaves if leaves is None else leaves)
                if leaf.block.id not in known]
        if todo:
            known.update(self.renderer.measure(todo, self.steps[i]))
        return known

    def predict(self, i: int) -> dict[str, float] | None:
        """Return the heights at step *i* predicted from the nearest complete measurement."""
        done = [j for j in self.at if self.complete(j)]
        if not done:
            return None
        nearest = min(done, key=lambda j: abs(j - i))
        factor = (self.steps[i] / self.steps[nearest]) ** GROWTH
        return {key: height * factor for key, height in self.at[nearest].items()}


def _search(count: int, start: int, probe: Callable[[int, bool], bool],
            predict: Callable[[int], bool]) -> int | None:
    """Return the smallest index whose step fits (fitting is monotonic in the index), or None.

    ``probe(i, expected)`` measures step *i* and says whether it fits; *expected* (whether the
    step is predicted to fit) lets it measure a predicted overflow cheaply.  ``predict(i)``
    guesses from what has been measured so far.  The first probe is *start*; every further
    one is the predicted answer or, once that is the best fit known, the step above it, which
    must be shown not to fit (two probes when the start is right).  After two wrong
    predictions the search bisects.
    """
    bad, good = -1, count  # the largest index known not to fit, the smallest known to fit
    index, expected = min(max(start, 0), count - 1), True
    misses = 0
    first = True
    while True:
        fits = probe(index, expected)
        if fits:
            good = index
        else:
            bad = index
        misses += not first and fits != expected
        first = False
        if good - bad <= 1:
            return good if good < count else None
        if misses >= 2:
            index = (bad + good) // 2
        else:
            index = next((i for i in range(bad + 1, good) if predict(i)), good - 1)
        expected = predict(index)


def find_fit(renderer: PosterRenderer) -> Fit:
    """Return the largest body size at which the poster fits, and its pages.

    The page-scaled type steps are measured one pass each, starting at the size the bundled
    content gets; from then on each measurement predicts the heights at the other steps
    (:data:`GROWTH`), and the search measures the predicted answer.  A step predicted to
    overflow is measured cheaply: only the blocks on its tallest path (:meth:`Node.critical`),
    a lower bound of its height; the other blocks only when those alone do not overflow.
    Every outcome is measured, never predicted.  Sizes up to A3 that cannot hold the text on
    one side at 7 pt become a two-sided handout.  If nothing fits, the error names the
    section that takes the most room beyond its share.
    """
    design = renderer.design()
    steps = body_steps(renderer.geometry.scale)
    available = renderer.available(0)
    single = Measurements(renderer, [design.single], steps)

    def single_fits(i: int, expected: bool) -> bool:
        guess = None if expected else single.predict(i)
        if guess is not None:
            critical = list(design.single.critical(guess))
            known = single.measure(i, critical)
            bound = design.single.natural(_AtLeast(known)) / available
            if bound > 1.0:
                log.debug("%s: %g pt does not fit: %d of its %d blocks alone need %.1f %% of "
                          "the page", renderer.what, steps[i], len(critical),
                          len(single.leaves), 100 * bound)
                return False
            log.debug("%s: %g pt: the tallest path needs only %.1f %% of the page; measuring "
                      "every block", renderer.what, steps[i], 100 * bound)
        ratio = design.single.natural(single.measure(i)) / available
        log.debug("%s: %g pt needs %.1f %% of the page", renderer.what, steps[i], 100 * ratio)
        return ratio <= 1.0

    def single_predicted(i: int) -> bool:
        guess = single.predict(i)
        return guess is None or design.single.natural(guess) <= available

    def index_of(body: float) -> int:
        return next((i for i, b in enumerate(steps) if b <= body + 1e-9), len(steps) - 1)

    start = index_of(TYPICAL_BODY * renderer.geometry.scale)
    found = _search(len(steps), start, single_fits, single_predicted)
    if found is not None:
        return Fit(steps[found], [design.single], single.measure(found))
    last = len(steps) - 1
    if design.rows is None:
        need = single.measure(last)
        culprit = design.single.culprit(need)
        over = design.single.natural(need) - available
        raise _fit_error(culprit, over, steps[last])
    rows = design.rows
    gap = design.single.gap
    flow = Measurements(renderer, rows, steps)

    def paged(need: Heights) -> list[VStack] | Node:
        return paginate(rows, need, gap, renderer.available)

    smallest = paged(flow.measure(last))
    if isinstance(smallest, Node):
        need = flow.measure(last)
        page_h = renderer.available(1)
        raise _fit_error(smallest.culprit(need), smallest.natural(need) - page_h, steps[last])
    count = len(smallest)

    def fits_pages(need: Heights | None) -> bool:
        if need is None:
            return True
        pages = paged(need)
        return not isinstance(pages, Node) and len(pages) <= count

    found = _search(len(steps), last, lambda i, _: fits_pages(flow.measure(i)),
                    lambda i: fits_pages(flow.predict(i)))
    if found is None:
        found = last
    pages = paged(flow.measure(found))
    assert not isinstance(pages, Node)
    log.warning("%s: the text does not fit one side at %g pt; laid out on %d pages "
                "(print them double-sided)", renderer.what, steps[last], len(pages))
    return Fit(steps[found], pages, flow.measure(found))


def _fit_error(culprit: Leaf, over: float, smallest: float) -> FitError:
    return FitError([Problem(
        "", 0,
        f"poster section '{culprit.block.section}' does not fit: {over:.1f} mm too long "
        f"even at {smallest:g} pt; shorten its text or use a larger --size",
        subject=("section", culprit.block.section),
    )])


def fit_poster(renderer: PosterRenderer,
               extra_texts: Sequence[str] = ()) -> tuple[float, Any, str, Placement]:
    """Lay the poster out at the largest size that fits; return size, document, HTML, layout.

    The rendered document is checked: one page per layout page (plus one for *extra_texts*),
    and no ``.fit`` box overflowing (:func:`render.measure_overflow`).
    """
    fit = find_fit(renderer)
    placement = renderer.layout(fit.pages, fit.need)
    started = time.perf_counter()
    document, html = renderer.render(placement, fit.body, extra_texts)
    log.debug("%s: rendered at %g pt in %.2f s", renderer.what, fit.body,
              time.perf_counter() - started)
    expected = placement.pages + (1 if extra_texts else 0)
    if len(document.pages) != expected:
        raise FitError(f"{renderer.what}: laid out on {len(document.pages)} pages "
                       f"instead of {expected}")
    if measure_overflow(document):
        by_id = {b.id: b for b in placement.blocks}
        problems = []
        for page in document.pages:
            for box in fit_boxes(page._page_box):
                bottom, right = box_overflow(box)
                block = by_id.get(box.element.get("id") or "")
                if block is not None and max(bottom, right) > 0.05:
                    problems.append(Problem("", 0, f"poster section '{block.section}' does "
                                            f"not fit: {max(bottom, right):.1f} mm too long",
                                            subject=("section", block.section)))
        raise FitError(list(dict.fromkeys(problems)) or f"{renderer.what} does not fit its page")
    return fit.body, document, html, placement
