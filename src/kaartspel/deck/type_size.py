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

PROBE = 3
"""How many of a kind's wordiest faces are measured first, to aim the first full render."""
MIXED_PROBE = 8
"""How many of the wordiest faces are measured first when one size is sought for faces of
several kinds."""
START_PT = 10.0
"""The first size probed: near where the bundled content fits on the common card sizes.
(The probes only aim the search; a kind whose fill does not change with its size, such as a
composed title card, keeps the size it was first measured at.)"""
GROWTH = 1.7
"""Text height grows about with the square of its size (more lines, each taller), a little
slower in practice because short paragraphs break into whole lines (measured: 1.5–1.9)."""
DECISIVE = 1.06
"""A larger size whose predicted fill is at least this is taken as failing without a render:
predictions from two measured sizes err by a few per cent (line breaks), never this much."""
SAFE_FILL = 0.85
"""A face predicted to fill at most this much of its box is not rendered while probing."""

Wanted = list[tuple[Card, float]]
"""Faces, each at a size."""
Search = Generator[tuple[Wanted, Wanted], None, float]
"""A search: yields (faces to render with their PDFs, faces only to measure), returns the
size."""

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
               own: Sequence[Card] = (), selected: Sequence[Card] = (),
               check: bool = True) -> dict[str, float]:
    """Return the body size (pt) of each of *kinds*, decided by *content_faces*.

    *content_faces* are the whole content's faces (not a selection); each kind's size is the
    largest step of the scale at which all its faces there fit.  Faces in *own* (an
    organiser's cards, not in the content) are set at their kind's size and must fit it: a
    :class:`FitError` names those that do not.  A kind some of whose cards fit at no size
    (long texts on a small card) gets the smallest step, and then the *selected* faces of
    that kind must fit it (a deck of the cards that do still builds).  Every face of the
    kinds is rendered at its size on the way (its PDF is in the store afterwards).

    Without *check*, the faces that must be checked (:func:`unvouched`) are left to the
    caller, to render them while it places the others (see :func:`raise_unfit`).
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
    checked = unvouched(store, content_faces, own, selected, sizes)
    if checked and check:
        store.measure_mixed([(face, sizes[face.kind]) for face in checked], need_pdf=True)
        raise_unfit(store, checked, own, sizes)
    return {kind: sizes[kind] for kind in dict.fromkeys(kinds)}


def unvouched(store: FaceStore, content_faces: Sequence[Card], own: Sequence[Card],
              selected: Sequence[Card], sizes: Mapping[str, float]) -> list[Card]:
    """Return the faces whose fit their kind's size does not vouch for: *own* cards (not
    in the content the size was found with), and the *selected* content cards of a kind
    set at the smallest step (there, the content's cards of a kind may not all fit: those
    chosen must, since what fits nowhere cannot be in a deck)."""
    smallest = steps_for(store)[-1]
    content_ids = {face.id for face in content_faces}
    chosen = [face for face in selected
              if face.id in content_ids and sizes.get(face.kind) == smallest]
    return [*own, *chosen]


def raise_unfit(store: FaceStore, checked: Sequence[Card], own: Sequence[Card],
                sizes: Mapping[str, float]) -> None:
    """Raise a :class:`FitError` naming every face of *checked* (measured at its kind's
    size) that does not fit; *own* cards are told to shorten their text."""
    smallest = steps_for(store)[-1]
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
    asks: dict[str, tuple[Wanted, Wanted]] = {}
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
        # One round: what every search asks for, in as few documents as possible.
        store.measure_round([pair for with_pdf, _ in asks.values() for pair in with_pdf],
                            [pair for _, measured in asks.values() for pair in measured])
        for name in list(asks):
            advance(name, False)
    return found, failed


def fit_faces(store: FaceStore, faces: Sequence[Card]) -> float:
    """Return the largest body size (pt) at which every face of *faces* fits its box."""
    return fit_groups(store, {"faces": faces})["faces"]


def start_index(steps: Sequence[float]) -> int:
    """Return the index into *steps* (largest first) of the size a search measures first."""
    return next((i for i, size in enumerate(steps) if size <= START_PT), len(steps) - 1)


def _search(store: FaceStore, faces: Sequence[Card]) -> Search:
    """Search the largest size at which every face of *faces* fits, as a coroutine.

    Only the size that is taken needs every face rendered with its PDF; every other size
    is decided by measuring the few faces that could fail there (no PDFs), or by
    prediction where it is clearly too large.  So:

    1. Find the largest size for the wordiest few faces alone (:func:`_boundary`),
       measuring them only: the size above fails for one of them (measured), or is
       clearly too large for one (predicted, :data:`DECISIVE`).
    2. Render every face there, PDFs included: usually the final render, and the size.
       A face that does not fit joins the few, and the search goes on below (step 1).

    Every render is cached, so a warm search renders nothing.
    """
    steps = steps_for(store)
    last = len(steps) - 1
    low = 0  # every index below `low` (a larger size) is known to fail
    group = list(faces)
    if not any(store.known_measures(face) for face in faces):
        group = _probe(faces)
        yield [], [(face, steps[start_index(steps)]) for face in group]
    while True:
        aim, low = yield from _boundary(store, group, steps, low)
        size = steps[aim]
        yield [(face, size) for face in faces], []  # only what is not rendered yet
        failing = [face for face in faces if not _fits(store.known(face, size))]
        if failing:
            if aim == last:
                over = {face.id: m.overflow for face in failing
                        if (m := store.known(face, size)) is not None}
                raise FitError([_too_long(card_id, size, amount)
                                for card_id, amount in over.items() if amount > 0])
            low = aim + 1
            group = list(dict.fromkeys([*group, *failing]))
            continue
        return size


def _probe(faces: Sequence[Card]) -> list[Card]:
    """Return the faces a search measures first: the wordiest :data:`PROBE` of one kind,
    or :data:`MIXED_PROBE` of several (kinds fill their boxes differently)."""
    ranked = sorted(faces, key=_weight, reverse=True)
    mixed = len({face.kind for face in faces}) > 1
    return ranked[:MIXED_PROBE if mixed else PROBE]


def _boundary(store: FaceStore, group: Sequence[Card], steps: Sequence[float], low: int
              ) -> Generator[tuple[Wanted, Wanted], None, tuple[int, int]]:
    """Find the largest size (index ≥ *low*) at which the faces of *group* fit, measuring
    only them (no PDFs); return its index and the new *low*.

    Aim at the largest size not known to fail that is predicted to fit, and measure there
    the faces that could fail.  One that fails makes every larger size fail too: aim again
    (it now has two measures, so the aim jumps, not steps).  Where all fit, the size above
    is decided by prediction where it is clearly too large, or by measuring there the
    faces that could fail: if none does, aim above.
    """
    last = len(steps) - 1
    while True:
        aim = _predicted_index(store, group, steps, low)
        critical = _critical(store, group, steps[aim])
        if critical:
            # A face never measured (an edited card) most likely fits at the aim, which
            # then is the size: render its PDF with it.
            new = [(face, steps[aim]) for face in critical if not store.known_measures(face)]
            yield new, [(face, steps[aim]) for face in critical if store.known_measures(face)]
        if any(_fails(store.known(face, steps[aim])) for face in group):
            if aim == last:
                return aim, low
            low = aim + 1
            continue
        if aim == low:
            return aim, low
        above = steps[aim - 1]
        worst = max(_predicted(store, face, above, aim=False) or 0.0 for face in group)
        if worst >= DECISIVE:
            return aim, low
        critical = _critical(store, group, above)
        if critical:
            yield [], [(face, above) for face in critical]
        if any(_fails(store.known(face, above)) for face in group):
            return aim, low


def _critical(store: FaceStore, faces: Sequence[Card], size: float) -> list[Card]:
    """Return the faces not measured at *size* that could fail there."""
    return [face for face in faces if store.known(face, size) is None
            and _or_one(_predicted(store, face, size)) > SAFE_FILL]


def _fits(m: object) -> bool:
    return m is not None and bool(getattr(m, "fits", False))


def _fails(m: object) -> bool:
    return m is not None and not bool(getattr(m, "fits", True))


def _predicted(store: FaceStore, face: Card, size: float, aim: bool = True) -> float | None:
    """Return how full *face* is predicted to be at *size* (None: nothing known).

    The height its text needs grows about with the square of the size (:data:`GROWTH`, or
    the growth between the two nearest measures).  A word wider than its box grows in
    proportion to the size.  With *aim*, the width of the widest line at the nearest
    measured size counts in proportion too: a label may still wrap onto a second line
    there, so this only aims a search and never decides one.
    """
    known = store.known_measures(face)
    if not known:
        return None
    if size in known:
        return known[size].fill
    by_distance = sorted((abs(at - size), at, m) for at, m in known.items())
    # A face that ran out sideways says nothing of its height: its fill is only "over".
    tall = [(at, m) for _, at, m in by_distance if m.wide <= 1.0] or \
        [(at, m) for _, at, m in by_distance]
    near, m = tall[0]
    height = m.fill
    if height > 0:
        growth = GROWTH
        if len(tall) > 1 and tall[1][1].fill > 0:
            other_size, other = tall[1]
            growth = min(2.5, max(1.0, math.log(other.fill / m.fill) / math.log(other_size / near)))
        height *= (size / near) ** growth
    wide = max((m.wide * size / at for at, m in known.items() if m.wide > 1.0), default=0.0)
    if aim:
        _, at, nearest = by_distance[0]
        wide = max(wide, nearest.wide * size / at)
    return float(max(height, wide))


def _predicted_index(store: FaceStore, faces: Sequence[Card], steps: Sequence[float],
                     low: int) -> int:
    """Return the smallest index ≥ *low* (the largest size) at which every face measured so
    far is predicted to fit; the last index if none is."""
    for i in range(low, len(steps)):
        if all((_predicted(store, face, steps[i]) or 0.0) <= 1.0 for face in faces):
            return i
    return len(steps) - 1


def _or_one(value: float | None) -> float:
    """Return *value*, or 1 (full) when nothing is known."""
    return 1.0 if value is None else value
