"""Decide type sizes: per card kind, the largest size on the scale at which every face fits.

Type size is a property of a card kind, not of a deck: for a language, card geometry and
templates, every kind (question, tip, level, …) gets the largest body size of the modular
scale (:func:`kaartspel.render.templates.type_scale`) at which *every card of that kind in the
whole content* fits.  A subset deck, or a deck with an organiser's own cards, uses the same
sizes; own cards must fit at their kind's size (:func:`kind_sizes` reports those that do not).
Sizes are remembered in this process and in the face cache, keyed by everything that decides
them and never by the selection.

The search for one kind is a coroutine (:func:`_search`) that yields the faces it needs
measured; the searches of all kinds run side by side, and what they ask for in one round is
rendered in one document (each face at its own size), so the fixed cost of a WeasyPrint
document is paid once per round, not once per kind.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Mapping, Sequence

from kaartspel.cache import digest
from kaartspel.deck.cards import Card
from kaartspel.deck.face_store import FaceStore
from kaartspel.errors import FitError, Problem
from kaartspel.render.templates import type_scale

log = logging.getLogger(__name__)

HEAVY_PROBE = 8
"""How many of the wordiest faces probe a type size before the whole deck is rendered."""
START_PT = 10.0
"""The first size probed: near where the bundled content fits on the common card sizes."""
GROWTH = 1.7
"""Text height grows about with the square of its size (more lines, each taller), a little
slower in practice because short paragraphs break into whole lines (measured: 1.5–1.9)."""
DECISIVE = 1.06
"""A larger size whose predicted fill is at least this is taken as failing without a render:
predictions from two measured sizes err by a few per cent (line breaks), never this much."""
SAFE_FILL = 0.85
"""A face predicted to fill at most this much of its box is not rendered while probing."""

Wanted = list[tuple[Card, float]]
"""What a search needs measured before it goes on: faces, each at a size."""
Search = Generator[tuple[Wanted, bool], None, float]
"""A search: yields (faces to measure, whether their PDFs are needed), returns the size."""

_SIZES: dict[str, float] = {}
"""Sizes found in this process, by :func:`_size_key`."""


def _weight(card: Card) -> float:
    """Estimate how much room a face's text needs (characters × relative type area)."""
    text = sum(map(len, card.paragraphs)) + sum(map(len, card.items))
    notes = sum(map(len, card.notes)) * 0.7
    questions = len(card.group) * 2.07 + len(card.personal) * 1.44
    return text + notes + questions + len(card.title) * 2.07


def steps_for(store: FaceStore) -> list[float]:
    """Return the body sizes a face of *store* may get, largest first."""
    return sorted(type_scale(store.renderer.geometry.ratio), reverse=True)


def _size_key(store: FaceStore, kind: str, faces: Sequence[Card]) -> str:
    return digest("kind size", store.style_key, kind, *(repr(face) for face in faces))


def _memo_key(store: FaceStore, key: str) -> str:
    cache = store.cache
    return f"{cache.root if cache.enabled else ''}|{key}"


def kind_sizes(store: FaceStore, content_faces: Sequence[Card], kinds: Sequence[str],
               own: Sequence[Card] = (), selected: Sequence[Card] = ()) -> dict[str, float]:
    """Return the body size (pt) of each of *kinds*, decided by *content_faces*.

    *content_faces* are the whole content's faces (not a selection); each kind's size is the
    largest step of the scale at which all its faces there fit.  Faces in *own* (an
    organiser's cards, not in the content) are set at their kind's size and must fit it: a
    :class:`FitError` names those that do not.  A kind some of whose cards fit at no size
    (long texts on a small card) gets the smallest step, and then the *selected* faces of
    that kind must fit it (a deck of the cards that do still builds).  Every face of the
    kinds is rendered at its size on the way (its PDF is in the store afterwards).
    """
    by_kind: dict[str, list[Card]] = {}
    for face in content_faces:
        by_kind.setdefault(face.kind, []).append(face)
    sizes: dict[str, float] = {}
    searches: dict[str, list[Card]] = {}
    keys: dict[str, str] = {}
    for kind in dict.fromkeys(kinds):
        # A kind the content has no card of (the legend, blank cards) is decided by the
        # deck's own cards of it: they are made for this deck.
        faces = (by_kind.get(kind) or [face for face in own if face.kind == kind]
                 or [face for face in selected if face.kind == kind])
        keys[kind] = key = _size_key(store, kind, faces)
        # In this process, per cache: a store with another cache must learn what the size
        # rests on (the faces' fit results) for its own later searches.
        size = _SIZES.get(_memo_key(store, key))
        if size is None:
            blob = store.cache.get_blob("kind-size", key)
            size = float(blob) if blob else None
        if size is None:
            searches[kind] = faces
        else:
            sizes[kind] = size
    smallest = steps_for(store)[-1]
    if searches:
        found, failed = _fit_groups(store, searches)
        found.update({kind: smallest for kind in failed})
        for kind, size in found.items():
            store.cache.put_blob("kind-size", keys[kind], f"{size:g}".encode())
        sizes.update(found)
    for kind, size in sizes.items():
        _SIZES[_memo_key(store, keys[kind])] = size
    # At the smallest step, the content's own cards of a kind may not all fit: those chosen
    # must (what fits nowhere cannot be in a deck).
    content_ids = {face.id for face in content_faces}
    chosen = [face for face in selected
              if face.id in content_ids and sizes.get(face.kind) == smallest]
    checked = [*own, *chosen]
    if checked:
        store.measure_mixed([(face, sizes[face.kind]) for face in checked], need_pdf=True)
    too_long = []
    for face in checked:
        m = store.known(face, sizes[face.kind])
        if m is None or not m.fits:
            over = m.overflow if m is not None else 0.0
            if face in own:
                too_long.append(Problem(
                    "", 0, f"card '{face.id}' does not fit at the size of the set's "
                    f"{face.kind} cards ({sizes[face.kind]:g} pt): {over:.1f} mm too long; "
                    "shorten its text", subject=("card", face.id)))
            else:
                too_long.append(_too_long(face.id, smallest, over))
    if too_long:
        raise FitError(too_long)
    return {kind: sizes[kind] for kind in dict.fromkeys(kinds)}


def _too_long(card_id: str, size: float, over: float) -> Problem:
    return Problem("", 0, f"card '{card_id}' does not fit even at {size:g} pt: {over:.1f} mm "
                   "too long; shorten its text, use a larger --size, or leave its kind out "
                   "(e.g. --kind question --kind tip)", subject=("card", card_id))


def fit_groups(store: FaceStore, groups: Mapping[str, Sequence[Card]]) -> dict[str, float]:
    """Return, per group, the largest body size at which every face of the group fits.

    The groups' searches run side by side: each round renders what all of them need in one
    go.  A group that fits at no size is a :class:`FitError` (naming its cards, with the
    other groups' problems).
    """
    found, failed = _fit_groups(store, groups)
    if failed:
        raise FitError([p for problems in failed.values() for p in problems])
    return found


def _fit_groups(store: FaceStore, groups: Mapping[str, Sequence[Card]]
                ) -> tuple[dict[str, float], dict[str, list[Problem]]]:
    """Run the groups' searches side by side; return the sizes found and, per group that
    fits at no size, its problems."""
    searches: dict[str, Search] = {name: _search(store, faces) for name, faces in groups.items()}
    asks: dict[str, tuple[Wanted, bool]] = {}
    found: dict[str, float] = {}
    failed: dict[str, list[Problem]] = {}

    def advance(name: str, first: bool) -> None:
        try:
            asks[name] = next(searches[name]) if first else searches[name].send(None)
        except StopIteration as done:
            found[name] = done.value
            asks.pop(name, None)
        except FitError as exc:
            failed[name] = list(exc.problems)
            asks.pop(name, None)

    for name in searches:
        advance(name, True)
    while asks:
        wanted = [pair for want, _ in asks.values() for pair in want]
        need_pdf = [pair for want, pdf in asks.values() if pdf for pair in want]
        store.measure_mixed([pair for pair in wanted if pair not in need_pdf])
        store.measure_mixed(need_pdf, need_pdf=True)
        for name in list(asks):
            advance(name, False)
    return found, failed


def fit_faces(store: FaceStore, faces: Sequence[Card]) -> float:
    """Return the largest body size (pt) at which every face of *faces* fits its box."""
    return fit_groups(store, {"faces": faces})["faces"]


def _search(store: FaceStore, faces: Sequence[Card]) -> Search:
    """Search the largest size at which every face of *faces* fits, as a coroutine.

    Probe sizes with the wordiest faces only (cheap), confirm the best candidate with all
    faces; a face that unexpectedly fails joins the probe set and the search goes on below.
    Each probe measures how full every box is, which predicts the answer (see
    :func:`_largest_fitting`).  Every render is cached, so a warm search renders nothing.
    """
    steps = steps_for(store)
    probe = sorted(faces, key=_weight, reverse=True)[:HEAVY_PROBE]
    low = 0  # every index below `low` is known to fail for the probe set
    while True:
        index = yield from _largest_fitting(store, probe, steps, low)
        if index is None:
            yield [(face, steps[-1]) for face in probe], False
            over = {face.id: m.overflow for face in probe
                    if (m := store.known(face, steps[-1])) is not None}
            raise FitError([_too_long(card_id, steps[-1], amount)
                            for card_id, amount in over.items() if amount > 0])
        base = steps[index]
        stale = [face for face in faces
                 if store.known(face, base) is None or not store.has_pdf(face, base)]
        if stale:
            yield [(face, base) for face in stale], True
        failing = [face for face in faces if not _fits(store.known(face, base))]
        if not failing:
            return base
        probe = list(dict.fromkeys([*probe, *failing]))
        low = index + 1


def _fits(m: object) -> bool:
    return m is not None and bool(getattr(m, "fits", False))


def _largest_fitting(store: FaceStore, probe: Sequence[Card], steps: Sequence[float],
                     low: int) -> Generator[tuple[Wanted, bool], None, int | None]:
    """Return the smallest index ≥ *low* into *steps* (largest size) at which *probe* fits.

    Each render measures how full every box is, and the height of text grows about with the
    square of its size: the first render, at a middle size, predicts the answer; that size
    is rendered, then the search walks towards the size that decides, jumping by the
    prediction that two measured sizes per face give.  Only faces that could fail at a size
    are rendered at it, and the step above an answer is rendered only when the prediction
    is not decisive.
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

    def fits(i: int) -> Generator[tuple[Wanted, bool], None, bool]:
        known = [store.known(face, steps[i]) for face in probe]
        if any(m is not None and not m.fits for m in known):
            return False
        # A face predicted well inside its box cannot fail here; the full render that
        # confirms the answer checks it anyway.
        critical = [face for face, m in zip(probe, known, strict=True)
                    if m is None and _or_one(predicted(face, i)) > SAFE_FILL]
        if critical:
            yield [(face, steps[i]) for face in critical], False
        return all(_fits(store.known(face, steps[i])) for face in critical)

    def worst(i: int) -> float:
        return max((predicted(face, i) or 0.0) for face in probe)

    def measured(i: int) -> bool:
        return any(steps[i] in store.known_fills(face) for face in probe)

    start = next((i for i in range(low, len(steps)) if steps[i] <= START_PT), len(steps) - 1)
    if not measured(start) and not any(store.known_fills(face) for face in probe):
        yield [(face, steps[start]) for face in probe], False

    def predicted_fit(floor: int) -> int:
        """Return the largest size (smallest index ≥ *floor*) predicted to fit."""
        guess = max(start, floor)
        while guess > floor and worst(guess - 1) <= 1.0:
            guess -= 1
        while guess < len(steps) - 1 and worst(guess) > 1.0:
            guess += 1
        return guess

    # The largest size at which every probe face is predicted to fit; a miss measured there
    # sharpens the prediction (two sizes per face), so the next guess jumps, not steps.
    guess = predicted_fit(low)
    while not (yield from fits(guess)):
        if guess == len(steps) - 1:
            return None
        guess = max(guess + 1, predicted_fit(guess + 1))
    while guess > low:
        if not measured(guess - 1) and worst(guess - 1) >= DECISIVE:
            log.debug("%g pt predicted too large (fill %.2f)", steps[guess - 1],
                      worst(guess - 1))
            break
        if not (yield from fits(guess - 1)):
            break
        guess -= 1
    return guess


def _or_one(value: float | None) -> float:
    """Return *value*, or 1 (full) when nothing is known."""
    return 1.0 if value is None else value
