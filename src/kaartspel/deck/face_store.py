"""The face store: every face rendered at most once, in cached batches, across processes."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from kaartspel import __version__
from kaartspel.cache import FaceCache, code_fingerprint, digest
from kaartspel.deck.cards import SET_THEME, Card
from kaartspel.deck.faces import CardRenderer
from kaartspel.errors import RenderError, worker_signals
from kaartspel.files import sweep_tree
from kaartspel.render import face_batch as facework
from kaartspel.render.document import release_fonts
from kaartspel.render.face_batch import Artwork, FaceJob, Measure

if TYPE_CHECKING:
    from kaartspel.deck.workers import RenderHelper

log = logging.getLogger(__name__)



BATCH_SIZE = 120
"""Faces per WeasyPrint document.  A document has fixed costs (stylesheets, @font-face
loading, one font subset per font, cffi parsing a C type per new array length: about
0.25 s); 1000 question cards took 28.7 s of CPU in batches of 48, 25.1 s in batches of
120, no less in batches of 250, which peak at 154 MB instead of 124 MB."""
PARALLEL_MIN = 24
"""Below this many stale faces, one process is faster than starting workers."""
SPLIT_MIN = 8
"""Below this many, the render helper renders the faces alone rather than with its sibling
(see :mod:`kaartspel.deck.workers`): a document's fixed cost would be paid twice."""




Bases = float | Mapping[str, float]
"""A body size for every face of a batch, or each face's own by its id (a mixed batch: the
fit search measures several card kinds, each at its own size, in one document)."""


def size_of(base: Bases, face: Card) -> float:
    """Return the body size of *face* in a batch at *base*."""
    return base if isinstance(base, (int, float)) else base[face.id]


def _shown(base: Bases) -> str:
    if isinstance(base, (int, float)):
        return f"{base:g} pt"
    return ", ".join(f"{b:g}" for b in sorted(set(base.values()))) + " pt"


# Set in the parent before forking workers: forked children inherit it without pickling.
_WORKER_STORE: FaceStore | None = None


def _worker_render(job: tuple[list[Card], Bases, frozenset[str] | None]
                   ) -> tuple[dict[str, Measure], dict[str, bytes]]:
    assert _WORKER_STORE is not None
    faces, base, pdf = job
    return _WORKER_STORE.render_batch(faces, base, pdf)


def _start_worker() -> None:
    """Set up a forked render worker: its signals, and its fonts let go when it ends."""
    worker_signals()
    # A forked process drops the finalizers it inherited: register this one here.
    multiprocessing.util.Finalize(None, release_fonts, exitpriority=10)


class FaceStore:
    """Rendered faces of one renderer: looked up in the cache, rendered when stale."""

    def __init__(self, renderer: CardRenderer, cache: FaceCache, jobs: int | None = None,
                 helper: RenderHelper | None = None) -> None:
        self.renderer = renderer
        self.cache = cache
        self.helper = helper
        """A process with WeasyPrint loaded to render in (see helper.py), if one was started."""
        # Asked here, before any worker is forked: an unwritable cache is then skipped by all.
        writable = cache.writable()
        # Compiled templates live beside the faces (see use_cache).
        renderer.use_cache(cache.root if writable else None)
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
            repr(getattr(r.content, "hyphenation", ())),
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
        self, faces: Sequence[Card], base: Bases, pdf: frozenset[str] | None = None
    ) -> tuple[dict[str, Measure], dict[str, bytes]]:
        """Render *faces* in one document; store each page; return measures and (no cache) PDFs.

        With *pdf*, only the faces of those ids are written (the others only measured).
        """
        return facework.run(self.job(faces, base, pdf))

    def job(self, faces: Sequence[Card], base: Bases,
            pdf: frozenset[str] | None = None) -> FaceJob:
        """Return the rendering of *faces* at *base* as plain data (see facework); with
        *pdf*, only the faces of those ids are written."""
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
            html=renderer.html(faces, [size_of(base, face) for face in faces]),
            ids=tuple(face.id for face in faces),
            keys=tuple(self.face_key(face, size_of(base, face)) for face in faces),
            fit_keys=tuple(self.fit_key(face) for face in faces),
            sizes=tuple(f"{size_of(base, face):g}" for face in faces),
            identifier=digest(self.style_key, _shown(base)).encode()[:32],
            templates=renderer.templates,
            strict=renderer.strict,
            what=f"cards ({renderer.content.lang})",
            cache=self.cache,
            artwork=artwork,
            kinds=tuple(face.kind for face in faces),
            bleed=renderer.geometry.bleed,
            pdf=() if pdf is None else tuple(face.id in pdf for face in faces),
        )

    def known(self, face: Card, base: float) -> Measure | None:
        """Return the measure of *face* at *base* if this run or the cache has it."""
        key, size = self.fit_key(face), f"{base:g}"
        m = self.measured.get((key, size))
        if m is None:
            m = _measure(self.cache.get_fit(key).get(size))
            if m is not None:
                self.measured[(key, size)] = m
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

    def known_measures(self, face: Card) -> dict[float, Measure]:
        """Return the measure of *face* at every size measured so far (this run or cached)."""
        key = self.fit_key(face)
        found = {float(size): m for (k, size), m in self.measured.items() if k == key}
        for size, value in self.cache.get_fit(key).items():
            m = _measure(value)
            if m is not None:
                found.setdefault(float(size), m)
        return found

    def has_pdf(self, face: Card, base: float) -> bool:
        key = self.face_key(face, base)
        return key in self.memory or self.cache.has_face(key)

    def _render(self, faces: list[Card], base: Bases,
                pdf: frozenset[str] | None = None) -> dict[str, Measure]:
        with self.start(faces, base, pdf) as rendering:
            return rendering.finish()

    def start(self, faces: Sequence[Card], base: Bases,
              pdf: frozenset[str] | None = None) -> Rendering:
        """Start rendering *faces* at *base*; their measures and PDFs arrive batch by batch.

        Many faces go to worker processes, a few to the render helper if there is one
        (both run while this process goes on, e.g. placing the faces already cached);
        otherwise each batch is rendered here when its first face is asked for.
        """
        global _WORKER_STORE
        faces = list(faces)
        self.rendered += len(faces)
        batches = [faces[i : i + BATCH_SIZE] for i in range(0, len(faces), BATCH_SIZE)]
        if self.helper is not None and self.helper.alive:
            # The helper's two renderers are warm: splitting pays from a few faces on.
            workers = 1 if len(faces) < SPLIT_MIN else min(self.jobs, max(len(batches), 2))
        else:
            # Workers forked here start cold (and `build` runs several stores at once):
            # only batches of their own are worth one.
            workers = min(self.jobs, len(batches)) if len(faces) >= PARALLEL_MIN else 1
        if workers > 1 and len(batches) < workers:
            size = -(-len(faces) // workers)
            batches = [faces[i : i + size] for i in range(0, len(faces), size)]
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            log.debug("rendering %d faces at %s in %d processes", len(faces), _shown(base), workers)
            if self.helper is not None and self.helper.alive:
                # The helper and its sibling render them: WeasyPrint loaded and warm.
                helper = self.helper
                sent = helper.submit_many([self.job(b, base, pdf) for b in batches], workers)
                results = self._helper_results(batches, sent, base, pdf, many=True)
                return Rendering(self, base, faces, results,
                                 ready=lambda: not sent or helper.ready())
            _WORKER_STORE = self
            try:  # the workers are forked here and keep what they inherit
                # Ctrl-C is this process's to handle; Rendering.close ends the workers.
                pool = multiprocessing.get_context("fork").Pool(workers,
                                                                initializer=_start_worker)
            finally:
                _WORKER_STORE = None
            results = pool.imap(_worker_render, [(batch, base, pdf) for batch in batches])
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

            def stop(early: bool) -> None:
                if early:  # results outstanding (Ctrl-C, an error): end them at once
                    pool.terminate()
                else:  # done: let them end as processes do (their temporary files go)
                    pool.close()
                pool.join()

            return Rendering(self, base, faces, ordered(), stop, ready)
        log.debug("rendering %d faces at %s", len(faces), _shown(base))
        if self.helper is not None and self.helper.alive:
            helper = self.helper
            sent = helper.submit(self.job(batches[0], base, pdf))
            return Rendering(self, base, faces, self._helper_results(batches, sent, base, pdf),
                             ready=lambda: not sent or helper.ready())
        return Rendering(self, base, faces, (self.render_batch(b, base, pdf) for b in batches))

    def _helper_results(
        self, batches: list[list[Card]], sent: bool, base: Bases,
        pdf: frozenset[str] | None = None, many: bool = False,
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
                result = self.render_batch(batch, base, pdf)
            elif i + 1 < len(batches) and not many:  # *many*: all were sent at once
                sent = helper is not None and helper.submit(self.job(batches[i + 1], base, pdf))
            yield result

    def absorb(self, measures: dict[str, Measure], kept: dict[str, bytes], base: Bases,
               faces: Sequence[Card]) -> None:
        """Take in the results of a batch rendered elsewhere."""
        self.memory.update(kept)
        for face in faces:
            if face.id in measures:
                key = (self.fit_key(face), f"{size_of(base, face):g}")
                self.measured[key] = measures[face.id]

    def measure_mixed(self, wanted: Sequence[tuple[Card, float]],
                      need_pdf: bool = False) -> None:
        """Measure each face at its size, all in as few documents as possible.

        Only what is not known yet is rendered (with *need_pdf*, also what fits but has no
        PDF); the measures land in :meth:`known`.
        """
        if need_pdf:
            self.measure_round(wanted, ())
        else:
            self.measure_round((), wanted)

    def measure_round(self, with_pdf: Sequence[tuple[Card, float]],
                      measured: Sequence[tuple[Card, float]]) -> None:
        """Render what is not known of *with_pdf* (PDFs needed: what fits but has none is
        rendered too) and of *measured* (only measured), in as few documents as possible.

        A face is one page of a document: one face at two sizes takes two documents.
        """
        rounds: list[dict[str, tuple[Card, float, bool]]] = []

        def add(face: Card, size: float, pdf: bool) -> None:
            for stale in rounds:
                if face.id not in stale:
                    stale[face.id] = (face, size, pdf)
                    return
                known_size = stale[face.id][1]
                if known_size == size:
                    if pdf:
                        stale[face.id] = (face, size, True)
                    return
            rounds.append({face.id: (face, size, pdf)})

        for face, size in with_pdf:
            m = self.known(face, size)
            if m is None or (m.fits and not self.has_pdf(face, size)):
                add(face, size, True)
        for face, size in measured:
            if self.known(face, size) is None:
                add(face, size, False)
        for stale in rounds:
            faces = [face for face, _, _ in stale.values()]
            pdf = frozenset(face.id for face, _, wanted in stale.values() if wanted)
            self._render(faces, {face.id: size for face, size, _ in stale.values()},
                         None if len(pdf) == len(faces) else pdf)

    def pdf(self, face: Card, base: float) -> bytes:
        """Return the one-page PDF of *face* at *base* (it must have been rendered)."""
        key = self.face_key(face, base)
        for attempt in range(2):
            if key in self.memory:
                return self.memory[key]
            data = self.cache.get_face(key)
            if data is not None:
                return data
            # Not there after all: removed meanwhile (a `build --clean` in another terminal),
            # or damaged and discarded.  Rendered again, it is kept in memory if the cache
            # cannot take it, so the second attempt finds it.
            if attempt == 0:
                self._render([face], base)
        raise RenderError(f"card '{face.id}': its rendered face was removed while the deck "
                          "was being made; run the command again")


def _measure(value: object) -> Measure | None:
    """Return the measure a fit record holds ([overflow, fill] or [overflow, fill, wide])."""
    if isinstance(value, list) and len(value) in (2, 3):
        try:
            return Measure(*(float(v) for v in value))
        except (TypeError, ValueError):
            return None
    return None


class Rendering:
    """Faces being rendered (at one size, or each at its own); their measures and PDFs arrive
    batch by batch."""

    def __init__(
        self, store: FaceStore, base: Bases, faces: Sequence[Card],
        results: Iterator[tuple[dict[str, Measure], dict[str, bytes]]],
        stop: Callable[[bool], None] | None = None,
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
            early = len(self.measures) < len(self.pending)
            self._stop(early)
            self._stop = None
            if early and self.store.cache.enabled:
                # Ended while rendering (Ctrl-C, an error): sweep what they were writing.
                sweep_tree(self.store.cache.root)

    def __enter__(self) -> Rendering:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
