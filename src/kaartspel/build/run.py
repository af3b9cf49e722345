"""``kaartspel build``: every recipe in ``deck/`` into ``build/``, in parallel, only when stale.

A build has two halves that never mix:

* **Planning** (always, in the calling process) reads recipe files as plain YAML and hashes the
  bytes of every input — the recipe, the content of its language (and of the source language,
  which translations are checked against), the templates, the organiser's questions file, and
  kaartspel's own source — without importing WeasyPrint or validating content.  An output whose
  hash, size and mtime match ``build/.cache/outputs.json`` is up to date, so a no-op build costs
  little more than starting Python.  An output whose hash changed but which shows what it
  showed is up to date too (:mod:`kaartspel.build.shown`; only then is content loaded).
* **Building** (only the stale outputs) runs recipes grouped by what their card faces share:
  decks with the same (language, card size, bleed) render the same faces, so they are built one
  after the other by the same worker, which finds the faces the first one rendered in the face
  cache; every poster is a group of its own.  Groups run in parallel in forked processes.

A failing recipe does not stop the others; :class:`BuildFailed` names every failure at the end.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kaartspel.build.plan import (
    MANIFEST,
    RECIPE_DIR,
    BuildSettings,
    Outcome,
    Target,
    find_targets,
    load_manifest,
    plan,
    record,
)
from kaartspel.errors import (
    EXIT_CONTENT,
    KaartspelError,
    UsageError,
    display_path,
    os_reason,
    signals_deferred,
    worker_signals,
)
from kaartspel.files import (
    inside,
    is_dir,
    not_found,
    plain_name,
    resolved,
    sweep_stale,
    sweep_tree,
)

log = logging.getLogger(__name__)



class BuildFailed(KaartspelError):
    """Some recipes failed; every line names its recipe."""

    def __init__(self, lines: list[str], exit_code: int) -> None:
        super().__init__("; ".join(lines))
        self._lines = lines
        self.exit_code = exit_code

    def lines(self) -> list[str]:
        return list(self._lines)


def error_lines(outcome: Outcome) -> list[str]:
    """Return the one-line errors of a failed outcome, each naming its recipe first."""
    shown = outcome.target.shown
    lines = []
    for line in outcome.errors or ["failed"]:
        lines.append(line if line.startswith(shown + ":") else f"{shown}: {line}")
    return lines


def failure(outcomes: Sequence[Outcome]) -> BuildFailed | None:
    """Return the error to raise for the failed outcomes, or None when all succeeded."""
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return None
    lines = [line for o in failed for line in error_lines(o)]
    return BuildFailed(lines, failed[0].exit_code or EXIT_CONTENT)


# --------------------------------------------------------------------------------------------
# Building one target


def build_target(settings: BuildSettings, target: Target, library: Any = None) -> Outcome:
    """Build one recipe now (in this process); never raises for a KaartspelError.

    *library*: the :class:`~kaartspel.deck.assemble.FaceLibrary` a long-running process
    keeps between builds (None: nothing is kept).
    """
    started = time.perf_counter()
    if target.problem:
        return Outcome(target, "failed", errors=list(target.problem), exit_code=EXIT_CONTENT)
    try:
        output, pages, info = _build(settings, target, library)
        size = output.stat().st_size
        return Outcome(target, "built", output, pages, size, time.perf_counter() - started,
                       info=info)
    except KaartspelError as exc:
        return Outcome(target, "failed", seconds=time.perf_counter() - started,
                       errors=exc.lines(), exit_code=exc.exit_code,
                       details=traceback.format_exc())
    except Exception as exc:  # a bug: report it like the others, traceback with --verbose
        return Outcome(target, "failed", seconds=time.perf_counter() - started,
                       errors=[f"internal error: {type(exc).__name__}: {exc}"],
                       exit_code=EXIT_CONTENT, details=traceback.format_exc())


def _build(settings: BuildSettings, target: Target, library: Any = None
           ) -> tuple[Path, int, dict[str, Any]]:
    from kaartspel.build.located_errors import reported_errors
    from kaartspel.build.recipes import load_recipe
    from kaartspel.render.hyphenation import configure

    configure(settings.cache_dir if settings.use_cache else None)  # posters have no FaceCache
    recipe = load_recipe(target.recipe, settings.content_dir, target.part)
    output = settings.out_dir / recipe.output
    make_out_dir(settings)
    if recipe.kind == "deck":
        from kaartspel.build.shown import KEY, build_options, output_key
        from kaartspel.cache import FaceCache
        from kaartspel.deck.assemble import build_deck
        from kaartspel.options import DeckOptions

        assert isinstance(recipe.options, DeckOptions)
        options = build_options(settings, recipe.options)
        cache = FaceCache(settings.cache_dir, enabled=settings.use_cache)
        with reported_errors(settings.content_dir, options):
            result = build_deck(settings.content_dir, options, output, cache=cache,
                                jobs=settings.face_jobs, library=library)
        info = {"layout": options.layout, "cards": result.cards, "order": options.order,
                "backs": options.backs, "size_name": options.size, "bleed": options.bleed,
                KEY: output_key(recipe.kind, recipe.output, result.shows)}
        return output, result.pages, info
    shows = _sheet_shows(settings, recipe)
    if recipe.kind in ("box", "calibrate"):
        output, pages, info = _build_kit_sheet(settings, recipe, output)
        return output, pages, {**info, **shows}
    from kaartspel.options import PosterOptions
    from kaartspel.poster.assemble import build_poster

    assert isinstance(recipe.options, PosterOptions)
    poster = recipe.options.updated(strict=settings.strict, templates=settings.templates)
    with reported_errors(settings.content_dir, poster):
        presult = build_poster(settings.content_dir, poster, output)
    return output, presult.pages, {"tile": poster.tile, **shows}


def _sheet_shows(settings: BuildSettings, recipe: Any) -> dict[str, str]:
    """Return the manifest field of what a poster or kit sheet about to be built shows.

    Told before the build reads the content: an edit saved while it runs then makes the
    recorded key older than the output, never newer (the next plan builds it again).
    Nothing when the content does not load (the build reports why).
    """
    from kaartspel.build.shown import KEY, build_options, sheet_key

    try:
        return {KEY: sheet_key(settings.content_dir, recipe.kind, recipe.output,
                               build_options(settings, recipe.options))}
    except KaartspelError:
        return {}


def _build_kit_sheet(settings: BuildSettings, recipe: Any, output: Path
                     ) -> tuple[Path, int, dict[str, Any]]:
    """Build a recipe's tuck box or duplex test sheet."""
    from kaartspel.build.located_errors import reported_errors

    options = recipe.options.updated(strict=settings.strict, templates=settings.templates)
    with reported_errors(settings.content_dir, options):
        if recipe.kind == "box":
            from kaartspel.kit.box import build_box

            box = build_box(settings.content_dir, options, output)
            return output, 1, {"cards": box.box.cards, "paper": box.paper}
        from kaartspel.kit.calibrate import build_calibration

        sheet = build_calibration(settings.content_dir, options, output)
        return output, sheet.pages, {"paper": options.paper, "duplex": options.duplex}


# --------------------------------------------------------------------------------------------
# Building many: groups, workers, progress


DEFAULT_COST_S = 5.0
"""Assumed build time of an output never built before (for scheduling only)."""


def expected_seconds(target: Target, manifest: dict[str, dict[str, Any]]) -> float:
    """Return how long *target* took last time (or a guess), to schedule long jobs first."""
    seconds = manifest.get(target.output_name or "", {}).get("seconds")
    return float(seconds) if isinstance(seconds, int | float) else DEFAULT_COST_S


def group_targets(targets: Sequence[Target],
                  manifest: dict[str, dict[str, Any]] | None = None) -> list[list[Target]]:
    """Group targets that share card faces; the longest groups first (as measured last time)."""
    groups: dict[tuple[Any, ...], list[Target]] = {}
    for target in targets:
        groups.setdefault(target.group, []).append(target)
    known = manifest or {}
    return sorted(groups.values(),
                  key=lambda group: sum(expected_seconds(t, known) for t in group),
                  reverse=True)


class Reporter:
    """Progress callbacks (the default reports nothing)."""

    def start(self, target: Target) -> None:
        """A target started building."""

    def finish(self, outcome: Outcome) -> None:
        """A target finished (built, failed or was up to date)."""


Event = tuple[str, int, Any]
_EVENTS: Any = None
"""The worker's queue to the parent (set in each forked worker)."""


def _init_worker(queue: Any) -> None:
    global _EVENTS
    worker_signals()
    _EVENTS = queue


_INTERRUPTED = False
"""Set in a worker hit by Ctrl-C: the groups already queued to it are skipped."""


def _build_group(settings: BuildSettings, group: list[tuple[int, Target]]) -> list[Outcome]:
    """Worker: build one group's targets in order, reporting each start and finish."""
    global _INTERRUPTED
    outcomes = []
    for index, target in group:
        if _INTERRUPTED:
            break
        if _EVENTS is not None:
            _EVENTS.put(("start", index, None))
        try:
            outcome = build_target(settings, target)
        except KeyboardInterrupt:
            _INTERRUPTED = True
            raise
        if _EVENTS is not None:
            _EVENTS.put(("done", index, outcome))
        outcomes.append(outcome)
    return outcomes


def build_stale(settings: BuildSettings, stale: Sequence[Target], jobs: int,
                on_start: Callable[[Target], None], on_done: Callable[[Outcome], None],
                manifest: dict[str, dict[str, Any]] | None = None) -> None:
    """Build *stale* targets, groups in parallel across up to *jobs* processes."""
    groups = group_targets(stale, manifest)
    workers = min(jobs, len(groups))
    if workers <= 1 or "fork" not in _start_methods():
        with signals_deferred():  # Ctrl-C while pikepdf initialises would abort the process
            import pikepdf  # noqa: F401
        for group in groups:
            for target in group:
                on_start(target)
                on_done(build_target(settings, target))
        return
    # The recipes already use every worker: a deck must not start a pool of its own per CPU.
    _build_parallel(replace(settings, face_jobs=1), stale, groups, workers, on_start, on_done)


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _build_parallel(settings: BuildSettings, stale: Sequence[Target], groups: list[list[Target]],
                    workers: int, on_start: Callable[[Target], None],
                    on_done: Callable[[Outcome], None]) -> None:
    import multiprocessing
    import queue as queue_module
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    events = context.Queue()
    number = {t.shown: i for i, t in enumerate(stale)}
    pending = dict(enumerate(stale))
    finished_at: dict[Future[list[Outcome]], float] = {}
    # Forked workers inherit the queue; only the settings and targets are pickled.
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(events,))
    futures: dict[Future[list[Outcome]], list[int]] = {}
    try:
        for group in groups:
            numbered = [(number[t.shown], t) for t in group]
            futures[executor.submit(_build_group, settings, numbered)] = [i for i, _ in numbered]
        while pending:
            try:
                kind, i, payload = events.get(timeout=0.1)
            except queue_module.Empty:
                _settle(futures, pending, finished_at, on_done)
                continue
            if kind == "start" and i in pending:
                on_start(pending[i])
            elif kind == "done" and i in pending:
                del pending[i]
                on_done(payload)
    except BaseException:
        # Ctrl-C (or SIGTERM): the workers ignore Ctrl-C, so they are ended here; then what
        # they were writing is swept.  Waited for, so nothing writes after this command.
        _end_workers(executor)
        executor.shutdown(wait=True, cancel_futures=True)
        sweep_stale(settings.out_dir)
        sweep_tree(settings.cache_dir)
        raise
    executor.shutdown(wait=True)


def _end_workers(executor: Any) -> None:
    """Send SIGTERM to every worker process of *executor* (Python 3.14 has a method)."""
    terminate = getattr(executor, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list(getattr(executor, "_processes", {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()


EVENT_GRACE_S = 2.0
"""How long to wait for a finished worker's progress events before using its return value."""


def _settle(futures: dict[Any, list[int]], pending: dict[int, Target],
            finished_at: dict[Any, float], on_done: Callable[[Outcome], None]) -> None:
    """Finish the pending targets of workers that died, or finished without their events."""
    now = time.monotonic()
    for future, members in futures.items():
        if not future.done() or not any(i in pending for i in members):
            continue
        exc = future.exception()
        if exc is not None:
            for i in members:
                if i in pending:
                    on_done(Outcome(pending.pop(i), "failed", exit_code=EXIT_CONTENT, errors=[
                        f"internal error: worker failed: {type(exc).__name__}: {exc}"]))
            continue
        finished_at.setdefault(future, now)
        if now - finished_at[future] > EVENT_GRACE_S:
            for i, outcome in zip(members, future.result(), strict=True):
                if i in pending:
                    del pending[i]
                    on_done(outcome)


def clean(settings: BuildSettings, targets: Iterable[Target]) -> None:
    """Delete what kaartspel wrote in the output and cache folders, and nothing else.

    That is: the outputs the manifest and the recipes name (plain ``.pdf`` names in the
    output folder, see :func:`kaartspel.build.plan.valid_entry`), the cache's own folders
    and files, and the previews.  A name with a folder part, a file elsewhere, and anything
    else a user keeps in these folders stay; links are removed, never followed.
    """
    from kaartspel.build.fresh_outputs import RECORD
    from kaartspel.cache import SUBFOLDERS

    names = set(load_manifest(settings)) | {t.output_name for t in targets if t.output_name}
    for name in sorted(n for n in names if plain_name(n)):
        _remove(settings.out_dir / name, tree=False)
    cache = settings.cache_dir
    if cache.is_symlink():
        log.warning("%s is a link; not cleaned", display_path(cache))
    elif cache.is_dir():
        for sub in SUBFOLDERS:
            _remove(cache / sub, tree=True)
        for file in (MANIFEST, f"{MANIFEST}.lock", RECORD):
            _remove(cache / file, tree=False)
        sweep_tree(cache)
        with contextlib.suppress(OSError):
            cache.rmdir()  # only if nothing else is left in it
    _remove(settings.out_dir / "preview", tree=True)


def _remove(path: Path, tree: bool) -> None:
    """Remove a file, a link (not what it points to) or, with *tree*, a folder kaartspel made."""
    try:
        if path.is_symlink() or (path.is_file() and not tree) or (tree and path.is_file()):
            path.unlink()
        elif tree and path.is_dir():
            shutil.rmtree(path)  # rmtree removes links inside, never follows them
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise UsageError(f"cannot remove {display_path(path)}: {os_reason(exc)}") from exc


def check_out_dir(settings: BuildSettings) -> None:
    """Refuse an output folder that is a file, a link loop, or inside an input of the build
    (``--out-dir content/nl`` would put PDFs and a cache among the content)."""
    from kaartspel.render.templates import PACKAGE_TEMPLATES

    out = settings.out_dir
    shown = display_path(out)
    try:
        real = resolved(out)
        os.stat(out)
    except FileNotFoundError:
        pass  # made when something is built
    except OSError as exc:
        raise UsageError(f"cannot use output folder {shown}: {os_reason(exc)}") from exc
    else:
        if not is_dir(out):
            raise UsageError(f"output folder is a file, not a folder: {shown}")
    for source in (settings.content_dir, *settings.templates, PACKAGE_TEMPLATES):
        if inside(real, [source]):
            raise UsageError(f"output folder {shown} lies in an input of the build "
                             f"({display_path(source)}); use another --out-dir")


def make_out_dir(settings: BuildSettings) -> None:
    """Create the output folder; a UsageError (one line) if the file system refuses."""
    try:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create output folder {display_path(settings.out_dir)}: "
                         f"{os_reason(exc)}") from exc


def run_build(settings: BuildSettings, names: Sequence[Path] = (), jobs: int | None = None,
              clean_first: bool = False, reporter: Reporter | None = None,
              recipe_dir: Path = RECIPE_DIR) -> list[Outcome]:
    """Build what is stale; return every outcome in recipe order (failures included)."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError(f"--jobs: expected at least 1, got {jobs}")
    for folder in settings.templates:
        if not is_dir(folder):
            raise UsageError(not_found("template folder", folder))
    check_out_dir(settings)
    if clean_first:
        clean(settings, find_targets(names, recipe_dir))
    the_plan = plan(settings, names, force=not settings.use_cache, recipe_dir=recipe_dir)
    if the_plan.stale and settings.use_cache:
        from kaartspel.build.shown import refine

        the_plan = refine(settings, the_plan)  # what changed may not be shown there
    reporter = reporter or Reporter()
    outcomes: dict[str, Outcome] = {}
    for outcome in the_plan.fresh:
        outcomes[outcome.target.shown] = outcome
        reporter.finish(outcome)
    if the_plan.stale:
        make_out_dir(settings)
        # What killed runs left: their process is gone (a running build's files stay).
        sweep_stale(settings.out_dir)
        sweep_tree(settings.cache_dir)
        manifest = the_plan.manifest

        def done(outcome: Outcome) -> None:
            outcomes[outcome.target.shown] = outcome
            if outcome.status == "failed" and outcome.details:
                log.debug("%s failed:\n%s", outcome.target.shown, outcome.details)
            record(settings, manifest, outcome)
            reporter.finish(outcome)

        build_stale(settings, the_plan.stale, jobs, reporter.start, done, dict(manifest))
    return [outcomes[t.shown] for t in the_plan.targets if t.shown in outcomes]
