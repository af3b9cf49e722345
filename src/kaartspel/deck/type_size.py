"""Decide a deck's type size: the largest size on the scale at which every face fits."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kaartspel.deck.cards import Card
from kaartspel.deck.face_store import FaceStore, Rendering
from kaartspel.errors import FitError, Problem
from kaartspel.render.templates import TYPE_SCALE

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)



HEAVY_PROBE = 8
"""How many of the wordiest faces probe a type size before the whole deck is rendered."""
START_PT = 10.0
"""The first size probed: near where the bundled content fits on the common card sizes."""
GROWTH = 1.7
"""Text height grows about with the square of its size (more lines, each taller), a little
slower in practice because short paragraphs break into whole lines (measured: 1.5–1.9)."""
DECISIVE = 1.06
SAFE_FILL = 0.85
"""A face predicted to fill at most this much of its box is not rendered while probing."""
"""A larger size whose predicted fill is at least this is taken as failing without a render:
predictions from two measured sizes err by a few per cent (line breaks), never this much."""

def _weight(card: Card) -> float:
    """Estimate how much room a face's text needs (characters × relative type area)."""
    text = sum(map(len, card.paragraphs)) + sum(map(len, card.items))
    notes = sum(map(len, card.notes)) * 0.7
    questions = len(card.group) * 2.07 + len(card.personal) * 1.44
    return text + notes + questions + len(card.title) * 2.07



def start_fit(store: FaceStore, faces: Sequence[Card]) -> tuple[float, Rendering | None]:
    """Find the deck's body size and start rendering the faces not yet known at it.

    Returns the size and the rendering of its stale faces (None: every face is known to fit
    and has its PDF).  The size is right once every face of the rendering fits; if one does
    not, call again: the search then knows that face and goes on below.
    """
    steps = sorted(TYPE_SCALE, reverse=True)
    probe = sorted(faces, key=_weight, reverse=True)[:HEAVY_PROBE]
    low = 0  # every index below `low` is known to fail for the probe set
    while True:
        index = _largest_fitting(store, probe, steps, low)
        if index is None:
            over = store.overflows(probe, steps[-1])
            raise FitError(
                [
                    Problem("", 0, f"card '{card_id}' does not fit even at {steps[-1]:g} pt: "
                            f"{amount:.1f} mm too long; shorten its text, use a larger --size, "
                            "or leave such cards out (e.g. --kind question --kind tip)",
                            subject=("card", card_id))
                    for card_id, amount in over.items() if amount > 0
                ]
            )
        base = steps[index]
        known = {face.id: store.known(face, base) for face in faces}
        failing = [face for face in faces if (m := known[face.id]) is not None and not m.fits]
        if failing:
            probe = list(dict.fromkeys([*probe, *failing]))
            low = index + 1
            continue
        stale = [face for face in faces
                 if known[face.id] is None or not store.has_pdf(face, base)]
        if not stale:
            return base, None
        # Backs first: a sheet of fronts is followed by its backs.
        stale.sort(key=lambda face: face.kind != "back")
        return base, store.start(stale, base)


def fit_faces(store: FaceStore, faces: Sequence[Card]) -> float:
    """Return the largest body size (pt) at which every face fits its box.

    Probe sizes with the wordiest faces only (cheap), confirm the best candidate with all
    faces; a face that unexpectedly fails joins the probe set and the search goes on below.
    Each probe measures how full every box is, which predicts the answer (see
    :func:`_largest_fitting`).  Every render is cached, so a warm build renders nothing here.
    """
    while True:
        base, rendering = start_fit(store, faces)
        if rendering is None:
            return base
        with rendering:
            if all(m.fits for m in rendering.finish().values()):
                return base


def _largest_fitting(
    store: FaceStore, probe: Sequence[Card], steps: Sequence[float], low: int
) -> int | None:
    """Return the smallest index ≥ *low* into *steps* (largest size) at which *probe* fits.

    Each render measures how full every box is, and the height of text grows about with the
    square of its size: the first render, at a middle size, predicts the answer; that size
    is rendered, then the search walks one step at a time towards the size that decides.
    Only faces that could fail at a size are rendered at it, and the step above an answer is
    rendered only when the prediction (from two sizes per face) is not decisive.
    """

    def predicted(face: Card, i: int) -> float | None:
        """Return the fill *face* is predicted to have at steps[i] (None: nothing known)."""
        points = sorted(
            (abs(size - steps[i]), size, fill) for size, fill in store.known_fills(face).items()
        )
        if not points:
            return None
        _, size, fill = points[0]
        if size == steps[i] or fill == 0:
            return fill
        growth = GROWTH
        if len(points) > 1 and points[1][2] > 0:
            _, other, other_fill = points[1]
            growth = min(2.5, max(1.0, math.log(other_fill / fill) / math.log(other / size)))
        return float(fill * (steps[i] / size) ** growth)

    def fits(i: int) -> bool:
        known = [store.known(face, steps[i]) for face in probe]
        if any(m is not None and not m.fits for m in known):
            return False
        # A face predicted well inside its box cannot fail here; the full render that
        # confirms the answer checks it anyway.
        critical = [face for face in probe if _or_one(predicted(face, i)) > SAFE_FILL]
        return all(m.fits for m in store.measure(critical, steps[i]).values())

    def worst(i: int) -> float:
        return max((predicted(face, i) or 0.0) for face in probe)

    def measured(i: int) -> bool:
        return any(steps[i] in store.known_fills(face) for face in probe)

    start = next((i for i in range(low, len(steps)) if steps[i] <= START_PT), len(steps) - 1)
    if not measured(start) and not any(store.known_fills(face) for face in probe):
        store.measure(probe, steps[start])
    # The largest size at which every probe face is predicted to fit.
    guess = start
    while guess > low and worst(guess - 1) <= 1.0:
        guess -= 1
    while guess < len(steps) - 1 and worst(guess) > 1.0:
        guess += 1
    if not fits(guess):
        return next((i for i in range(guess + 1, len(steps)) if fits(i)), None)
    while guess > low:
        if not measured(guess - 1) and worst(guess - 1) >= DECISIVE:
            log.debug("%g pt predicted too large (fill %.2f)", steps[guess - 1],
                      worst(guess - 1))
            break
        if not fits(guess - 1):
            break
        guess -= 1
    return guess


def _or_one(value: float | None) -> float:
    """Return *value*, or 1 (full) when nothing is known."""
    return 1.0 if value is None else value
