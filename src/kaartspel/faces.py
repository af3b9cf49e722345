"""Card faces: HTML from templates, rendering in cached batches, and the deck's type size.

A face is rendered at most once per key (see :mod:`kaartspel.cache`): stale faces are laid
out in batches — one WeasyPrint document per batch, so its fixed costs are paid once — spread
over worker processes when there are many, and each page is stored as a one-page PDF.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import __version__, facework
from .cache import FaceCache, code_fingerprint, digest
from .cards import SET_THEME, Card
from .diagrams import mini_cycle, mini_ladder
from .errors import FitError, Problem
from .facework import Artwork, FaceJob, Measure, lay_out
from .model import Content
from .render import (
    TemplateRenderer,
)
from .sizes import Size
from .stamps import placeholder
from .style import RATIO, SMALL_CARD_RATIO, TYPE_SCALE, TemplateSet, role_sizes

if TYPE_CHECKING:
    from .helper import RenderHelper

log = logging.getLogger(__name__)

BATCH_SIZE = 120
"""Faces per WeasyPrint document.  A document has fixed costs (stylesheets, @font-face
loading, one font subset per font, cffi parsing a C type per new array length: about
0.25 s); 1000 question cards took 28.7 s of CPU in batches of 48, 25.1 s in batches of
120, no less in batches of 250, which peak at 154 MB instead of 124 MB."""
PARALLEL_MIN = 24
"""Below this many stale faces, one process is faster than starting workers."""
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


@dataclass(frozen=True)
class Geometry:
    """The anatomy of a card in mm: trim size, bleed, safe area, band, footer."""

    card_w: float
    card_h: float
    bleed: float
    safe: float = 4.0
    band: float = 11.0
    gap: float = 2.5
    foot: float = 3.0
    icon: float = 6.0

    ratio: float = RATIO
    """Step of the type scale between text roles."""

    @classmethod
    def for_card(cls, size: Size, bleed: float) -> Geometry:
        """Scale the band and icon with the card's short side; small cards get a tighter
        type scale and a slimmer band so that a question pair still fits."""
        short = min(size.width, size.height)
        band = min(18.0, max(7.5, short * 0.17))
        ratio = SMALL_CARD_RATIO if short < 55 else RATIO
        return cls(size.width, size.height, bleed, band=band, icon=min(band * 0.52, 6.5),
                   ratio=ratio)

    @property
    def page_w(self) -> float:
        """Page width: card plus bleed on both sides."""
        return self.card_w + 2 * self.bleed

    @property
    def page_h(self) -> float:
        """Page height: card plus bleed on both sides."""
        return self.card_h + 2 * self.bleed


class CardRenderer(TemplateRenderer):
    """Render card faces of one content language at one geometry."""

    content: Content
    geometry: Geometry

    def __init__(self, content: Content, geometry: Geometry, templates: TemplateSet,
                 strict: bool = True) -> None:
        super().__init__(content, geometry, templates, strict)
        self._icons: dict[str, Markup] = {}

    stamp_icons = True
    """Lay icons out as placeholders and draw each once as a shared form (see stamps)."""

    def icon(self, theme: str) -> Markup:
        """Return the markup of the theme's icon: a stamp placeholder, or inline SVG."""
        return placeholder(theme) if self.stamp_icons else self.icon_svg(theme)

    def icon_svg(self, theme: str) -> Markup:
        """Return the theme's icon as inline SVG in white (bands and backs are coloured)."""
        if theme not in self._icons:
            svg = self.templates.icon(theme).replace("currentColor", "#ffffff")
            self._icons[theme] = Markup(svg)
        return self._icons[theme]

    def diagram(self, card: Card) -> Markup:
        """Return the mini ladder or cycle for level and phase cards (and the reflection)."""
        colour = self.palette.colour(card.theme)
        if card.kind == "level":
            return mini_ladder(len(card.steps), card.step, colour.rgb)
        if card.theme == "cyclus" and card.steps:
            return mini_cycle(len(card.steps), card.step, colour.rgb)
        return Markup("")

    def html(self, cards: Sequence[Card], base: float) -> str:
        """Return one HTML document with a page per card, body text at *base* pt."""
        css = self.env.get_template("cards.css").render(
            g=self.geometry, s=role_sizes(base, self.geometry.ratio), palette=self.palette
        )
        themes = {t.id: t for t in self.content.themes}
        page = self.env.get_template("cards.html")
        parts = []
        for card in cards:
            parts.append(card)
        return page.render(
            lang=self.content.lang,
            document_title=self.content.meta.title,
            css=Markup(self.fonts_css + css),
            cards=[_Face(card, self) for card in parts],
            meta=self.content.meta,
            ui=self.content.ui,
            themes=themes,
            icons=_IconLookup(self),
        )

    def render(self, cards: Sequence[Card], base: float) -> tuple[Any, dict[str, Measure]]:
        """Lay out *cards* at *base* pt; return the document and each card's measure."""
        return lay_out(self.html(cards, base), tuple(card.id for card in cards),
                       self.templates, self.strict, f"cards ({self.content.lang})")


class _IconLookup:
    """Template helper: ``icons[theme]`` → inline SVG markup."""

    def __init__(self, renderer: CardRenderer) -> None:
        self.renderer = renderer

    def __getitem__(self, theme: str) -> Markup:
        return self.renderer.icon(theme)


class _Face:
    """A card as the template sees it: its fields plus its diagram."""

    def __init__(self, card: Card, renderer: CardRenderer) -> None:
        self._card = card
        self.diagram = renderer.diagram(card)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._card, name)


def _weight(card: Card) -> float:
    """Estimate how much room a face's text needs (characters × relative type area)."""
    text = sum(map(len, card.paragraphs)) + sum(map(len, card.items))
    notes = sum(map(len, card.notes)) * 0.7
    questions = len(card.group) * 2.07 + len(card.personal) * 1.44
    return text + notes + questions + len(card.title) * 2.07


# Set in the parent before forking workers: forked children inherit it without pickling.
_WORKER_STORE: FaceStore | None = None


def _worker_render(job: tuple[list[Card], float]) -> tuple[dict[str, Measure], dict[str, bytes]]:
    assert _WORKER_STORE is not None
    faces, base = job
    return _WORKER_STORE.render_batch(faces, base)


class FaceStore:
    """Rendered faces of one renderer: looked up in the cache, rendered when stale."""

    def __init__(self, renderer: CardRenderer, cache: FaceCache, jobs: int | None = None,
                 helper: RenderHelper | None = None) -> None:
        self.renderer = renderer
        self.cache = cache
        self.helper = helper
        """A process with WeasyPrint loaded to render in (see helper.py), if one was started."""
        # Compiled templates live beside the faces (see use_cache).
        renderer.use_cache(cache.root if cache.enabled else None)
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.memory: dict[str, bytes] = {}
        """Face PDFs of this run when the disk cache is off."""
        self.measured: dict[tuple[str, str], Measure] = {}
        """Measures of this run, by (fit key, size): also known when the disk cache is off."""
        self.rendered = 0
        """How many faces this store laid out (for tests and the benchmark)."""

    @cached_property
    def style_key(self) -> str:
        """Hash of everything but the face itself that can change a face's rendering."""
        # The version from package metadata: importing WeasyPrint costs 0.7 s, and a build
        # whose faces are all cached never needs it.
        from importlib.metadata import version

        r = self.renderer
        return digest(
            __version__, version("weasyprint"), code_fingerprint(), r.templates.fingerprint(),
            repr(r.geometry),
            r.content.lang, repr(r.content.meta), repr(r.content.ui),
            repr([(t.id, t.name) for t in r.content.themes]), str(r.strict),
            # RGB, CMYK and tagged faces never share a key.
            getattr(r, "variant", "plain"),
        )

    def face_key(self, face: Card, base: float) -> str:
        """Return the cache key of *face* rendered at *base* pt."""
        return digest(self.style_key, repr(face), f"{base:g}")

    def fit_key(self, face: Card) -> str:
        """Return the key of *face*'s fit results (all sizes)."""
        return digest(self.style_key, repr(face))

    def render_batch(
        self, faces: Sequence[Card], base: float
    ) -> tuple[dict[str, Measure], dict[str, bytes]]:
        """Render *faces* in one document; store each page; return measures and (no cache) PDFs."""
        return facework.run(self.job(faces, base))

    def job(self, faces: Sequence[Card], base: float) -> FaceJob:
        """Return the rendering of *faces* at *base* as plain data (see facework)."""
        renderer = self.renderer
        artwork = {}
        if renderer.stamp_icons:
            names = {SET_THEME, *(t.id for t in renderer.content.themes),
                     *(face.theme for face in faces)}
            for name in sorted(names):
                key = digest(self.style_key, name)
                cached = self.cache.get_blob("artwork", key)
                artwork[name] = Artwork(key, cached, "" if cached else str(renderer.icon_svg(name)))
        return FaceJob(
            html=renderer.html(faces, base),
            ids=tuple(face.id for face in faces),
            keys=tuple(self.face_key(face, base) for face in faces),
            fit_keys=tuple(self.fit_key(face) for face in faces),
            size=f"{base:g}",
            identifier=digest(self.style_key, f"{base:g}").encode()[:32],
            templates=renderer.templates,
            strict=renderer.strict,
            what=f"cards ({renderer.content.lang})",
            cache=self.cache,
            artwork=artwork,
        )

    def known(self, face: Card, base: float) -> Measure | None:
        """Return the measure of *face* at *base* if this run or the cache has it."""
        key, size = self.fit_key(face), f"{base:g}"
        m = self.measured.get((key, size))
        if m is None:
            value = self.cache.get_fit(key).get(size)
            if isinstance(value, list) and len(value) == 2:
                m = self.measured[(key, size)] = Measure(float(value[0]), float(value[1]))
        return m

    def measure(self, faces: Sequence[Card], base: float) -> dict[str, Measure]:
        """Return each face's measure at *base*, rendering only what is not known."""
        known: dict[str, Measure] = {}
        stale: list[Card] = []
        for face in faces:
            m = self.known(face, base)
            # A fitting face is used, so its PDF must be there too.
            if m is None or (m.fits and not self.has_pdf(face, base)):
                stale.append(face)
            else:
                known[face.id] = m
        if stale:
            known.update(self._render(stale, base))
        return known

    def overflows(self, faces: Sequence[Card], base: float) -> dict[str, float]:
        """Return each face's overflow (mm) at *base*, rendering only what is not known."""
        return {face_id: m.overflow for face_id, m in self.measure(faces, base).items()}

    def known_fills(self, face: Card) -> dict[float, float]:
        """Return the fill of *face* at every size measured so far (this run or cached)."""
        key = self.fit_key(face)
        fills = {float(size): m.fill for (k, size), m in self.measured.items() if k == key}
        for size, value in self.cache.get_fit(key).items():
            if isinstance(value, list) and len(value) == 2:
                fills.setdefault(float(size), float(value[1]))
        return fills

    def has_pdf(self, face: Card, base: float) -> bool:
        key = self.face_key(face, base)
        return key in self.memory or self.cache.get_face(key) is not None

    def _render(self, faces: list[Card], base: float) -> dict[str, Measure]:
        with self.start(faces, base) as rendering:
            return rendering.finish()

    def start(self, faces: Sequence[Card], base: float) -> Rendering:
        """Start rendering *faces* at *base*; their measures and PDFs arrive batch by batch.

        Many faces go to worker processes, a few to the render helper if there is one
        (both run while this process goes on, e.g. placing the faces already cached);
        otherwise each batch is rendered here when its first face is asked for.
        """
        global _WORKER_STORE
        faces = list(faces)
        self.rendered += len(faces)
        batches = [faces[i : i + BATCH_SIZE] for i in range(0, len(faces), BATCH_SIZE)]
        workers = min(self.jobs, len(batches) if len(faces) >= PARALLEL_MIN else 1)
        if workers > 1 and len(batches) < workers:
            size = -(-len(faces) // workers)
            batches = [faces[i : i + size] for i in range(0, len(faces), size)]
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            log.debug("rendering %d faces at %g pt in %d processes", len(faces), base, workers)
            if self.helper is not None and self.helper.alive:
                # The helper forks the workers: they start with WeasyPrint loaded and warm.
                helper = self.helper
                sent = helper.submit_many([self.job(b, base) for b in batches], workers)
                results = self._helper_results(batches, sent, base, many=True)
                return Rendering(self, base, faces, results,
                                 ready=lambda: not sent or helper.ready())
            _WORKER_STORE = self
            try:  # the workers are forked here and keep what they inherit
                pool = multiprocessing.get_context("fork").Pool(workers)
            finally:
                _WORKER_STORE = None
            results = pool.imap(_worker_render, [(batch, base) for batch in batches])
            arrived: list[tuple[dict[str, Measure], dict[str, bytes]]] = []

            def ready() -> bool:
                if not arrived:
                    try:
                        arrived.append(results.next(timeout=0))
                    except multiprocessing.TimeoutError:
                        return False
                return True

            def ordered() -> Iterator[tuple[dict[str, Measure], dict[str, bytes]]]:
                for _ in batches:
                    yield arrived.pop() if arrived else next(results)

            def stop() -> None:
                pool.terminate()
                pool.join()

            return Rendering(self, base, faces, ordered(), stop, ready)
        log.debug("rendering %d faces at %g pt", len(faces), base)
        if self.helper is not None and self.helper.alive:
            helper = self.helper
            sent = helper.submit(self.job(batches[0], base))
            return Rendering(self, base, faces, self._helper_results(batches, sent, base),
                             ready=lambda: not sent or helper.ready())
        return Rendering(self, base, faces, (self.render_batch(b, base) for b in batches))

    def _helper_results(
        self, batches: list[list[Card]], sent: bool, base: float, many: bool = False
    ) -> Iterator[tuple[dict[str, Measure], dict[str, bytes]]]:
        """Yield the helper's results in order; render here what it could not.

        One batch is out at a time (a second send could block on a full pipe while the
        helper blocks sending its result back), unless *many*: then every batch went in one
        message, for the helper's own workers.
        """
        for i, batch in enumerate(batches):
            helper = self.helper
            result = helper.receive() if sent and helper is not None else None
            if result is None:
                if helper is not None:
                    helper.close()
                    self.helper = None  # it failed once: render here from now on
                sent = False
                result = self.render_batch(batch, base)
            elif i + 1 < len(batches) and not many:  # *many*: all were sent at once
                sent = helper is not None and helper.submit(self.job(batches[i + 1], base))
            yield result

    def absorb(self, measures: dict[str, Measure], kept: dict[str, bytes], base: float,
               faces: Sequence[Card]) -> None:
        """Take in the results of a batch rendered elsewhere."""
        self.memory.update(kept)
        for face in faces:
            if face.id in measures:
                self.measured[(self.fit_key(face), f"{base:g}")] = measures[face.id]

    def pdf(self, face: Card, base: float) -> bytes:
        """Return the one-page PDF of *face* at *base* (it must have been rendered)."""
        key = self.face_key(face, base)
        if key in self.memory:
            return self.memory[key]
        path = self.cache.get_face(key)
        if path is None:
            self._render([face], base)
            return self.pdf(face, base)
        return path.read_bytes()


class Rendering:
    """Faces being rendered at one size; their measures and PDFs arrive batch by batch."""

    def __init__(
        self, store: FaceStore, base: float, faces: Sequence[Card],
        results: Iterator[tuple[dict[str, Measure], dict[str, bytes]]],
        stop: Callable[[], None] | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.store, self.base, self.faces = store, base, list(faces)
        self.pending = {face.id for face in self.faces}
        self.measures: dict[str, Measure] = {}
        self._results = results
        self._stop = stop
        self._ready = ready
        """Whether the next batch is there (None: batches are rendered on demand)."""

    def outstanding(self, face: Card) -> bool:
        """Return whether *face* is being rendered and has not arrived yet."""
        return face.id in self.pending and face.id not in self.measures

    def poll(self) -> bool:
        """Take in the next batch if it has arrived; return whether one did."""
        if self._ready is None or len(self.measures) >= len(self.pending) or not self._ready():
            return False
        self._next()
        return True

    def wait(self, face: Card) -> Measure | None:
        """Return *face*'s measure once its batch is done (None: not rendered here)."""
        while face.id in self.pending and face.id not in self.measures:
            self._next()
        return self.measures.get(face.id)

    def finish(self) -> dict[str, Measure]:
        """Wait for every face; return their measures by id."""
        while len(self.measures) < len(self.pending):
            self._next()
        self.close()
        return dict(self.measures)

    def _next(self) -> None:
        try:
            measures, kept = next(self._results)
        except StopIteration:
            raise RuntimeError("a face rendering ended before every face was rendered") from None
        self.store.absorb(measures, kept, self.base, self.faces)
        self.measures.update(measures)

    def close(self) -> None:
        """Stop worker processes (at once if results are still outstanding)."""
        if self._stop is not None:
            self._stop()
            self._stop = None

    def __enter__(self) -> Rendering:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
                            "or leave such cards out (e.g. --kind question --kind tip)")
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
