"""``kaartspel build``: every recipe in ``deck/`` into ``build/``, in parallel, only when stale.

A build has two halves that never mix:

* **Planning** (always, in the calling process) reads recipe files as plain YAML and hashes the
  bytes of every input — the recipe, the content of its language (and of the source language,
  which translations are checked against), the templates, the organiser's questions file, and
  kaartspel's own source — without importing WeasyPrint or validating content.  An output whose
  hash, size and mtime match ``build/.cache/outputs.json`` is up to date, so a no-op build costs
  little more than starting Python.
* **Building** (only the stale outputs) runs recipes grouped by what their card faces share:
  decks with the same (language, card size, bleed) render the same faces, so they are built one
  after the other by the same worker, which finds the faces the first one rendered in the face
  cache; every poster is a group of its own.  Groups run in parallel in forked processes.

A failing recipe does not stop the others; :class:`BuildFailed` names every failure at the end.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .cache import PACKAGE_DIR, code_fingerprint, digest
from .errors import EXIT_CONTENT, Interrupted, KaartspelError, UsageError, display_path

log = logging.getLogger(__name__)

RECIPE_DIR = Path("deck")
RECIPE_SUFFIXES = (".yaml", ".yml")
MANIFEST = "outputs.json"
MANIFEST_VERSION = 1
SOURCE_LANGUAGE = "nl"
"""Same as :data:`kaartspel.loader.SOURCE_LANGUAGE` (not imported: pydantic costs 0.2 s).

Every language is checked against it, so it is an input of every output."""

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --------------------------------------------------------------------------------------------
# Settings, targets, outcomes


@dataclass(frozen=True)
class BuildSettings:
    """Where a build reads and writes, and the switches that apply to every recipe."""

    content_dir: Path = Path("content")
    out_dir: Path = Path("build")
    templates: tuple[Path, ...] = ()
    strict: bool = True
    use_cache: bool = True
    """False: render every face again and rebuild every output (``--no-cache``)."""
    face_jobs: int | None = None
    """Processes one deck may use to render its faces (None: one per CPU)."""

    @property
    def cache_dir(self) -> Path:
        """The face cache and the manifest live here."""
        return self.out_dir / ".cache"

    @property
    def manifest_path(self) -> Path:
        return self.cache_dir / MANIFEST


@dataclass(frozen=True)
class Target:
    """One recipe to build, as far as planning can tell without validating it."""

    recipe: Path
    shown: str
    """The recipe as messages show it (``deck/trainer-nl.yaml``)."""
    kind: str
    """``deck``, ``poster``, or ``invalid`` (a recipe whose type is wrong: it will fail)."""
    output_name: str | None
    """The output file name, or None when the recipe does not name a valid one."""
    lang: str
    group: tuple[Any, ...]
    """Targets with equal groups share card faces and are built in one worker."""
    extra: Path | None = None
    inputs: str = ""
    """Hash of every input (filled in by planning)."""
    problem: tuple[str, ...] = ()
    """Set when planning already knows the recipe cannot be read (e.g. a YAML syntax error)."""

    @property
    def display_name(self) -> str:
        return self.output_name or self.shown


@dataclass
class Outcome:
    """What became of one target."""

    target: Target
    status: str
    """``built``, ``up to date`` or ``failed``."""
    output: Path | None = None
    pages: int | None = None
    size: int | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    exit_code: int = 0
    details: str = ""
    """Traceback of an unexpected error (shown with --verbose)."""
    info: dict[str, Any] = field(default_factory=dict)
    """Extra facts for the manifest (layout, cards, page order) used by ``preview``."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


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
# Finding recipes


def _read_mapping(path: Path) -> tuple[Any, str | None]:
    """Return a YAML file's data, or (None, why) when it cannot be parsed."""
    try:
        return yaml.load(path.read_bytes(), Loader=_YAML_LOADER), None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _located_problem(path: Path) -> tuple[str, ...]:
    """Return the one-line, located problems of a file that does not parse."""
    from .errors import ContentError
    from .loader import read_yaml

    try:
        read_yaml(path)
    except ContentError as exc:
        return tuple(exc.lines())
    return (f"{display_path(path)}: cannot be read",)


def _card_group(size: Any, bleed: Any) -> tuple[Any, ...]:
    """Return a canonical (width, height, bleed) so that ``poker`` and ``63x88`` group."""
    from .sizes import card_size

    try:
        spec = card_size(str(size))
        dims: tuple[Any, ...] = (spec.width, spec.height)
    except (KaartspelError, ValueError):
        dims = (str(size),)
    try:
        bleed_mm: Any = float(bleed)
    except (TypeError, ValueError):
        bleed_mm = str(bleed)
    return (*dims, bleed_mm)


def _target(path: Path, data: dict[str, Any]) -> Target:
    kind = data.get("type")
    output = data.get("output")
    output_name = output if isinstance(output, str) and output.endswith(".pdf") \
        and "/" not in output and "\\" not in output else None
    lang = str(data.get("lang", "nl"))
    shown = display_path(path)
    extra = None
    extra_name = data.get("extra_questions")
    if isinstance(extra_name, str) and extra_name:
        extra = path.parent / extra_name
    if kind == "deck":
        group: tuple[Any, ...] = ("deck", lang, *_card_group(data.get("size", "poker"),
                                                             data.get("bleed", 3.0)))
    else:
        group = (str(kind), shown)
    return Target(path, shown, kind if kind in ("deck", "poster") else "invalid",
                  output_name, lang, group, extra)


def find_targets(names: Sequence[Path] = (), recipe_dir: Path = RECIPE_DIR) -> list[Target]:
    """Return the recipes named (or every recipe in *recipe_dir*), in a stable order.

    A recipe is a YAML mapping with a ``type`` key.  Named files must be recipes (usage error
    otherwise); other files in the folder — such as an organiser's questions file — are skipped.
    A file in the folder that does not parse is reported as a failing recipe unless a recipe
    uses it as its ``extra_questions`` (then that recipe reports it).
    """
    explicit = bool(names)
    if explicit:
        paths = list(dict.fromkeys(names))
        for path in paths:
            if not path.is_file():
                raise UsageError(f"recipe not found: {display_path(path)}")
    else:
        if not recipe_dir.is_dir():
            raise UsageError(f"recipe folder not found: {display_path(recipe_dir)}")
        paths = sorted(p for p in recipe_dir.iterdir()
                       if p.suffix in RECIPE_SUFFIXES and p.is_file() and
                       not p.name.startswith("."))
    targets: list[Target] = []
    unreadable: list[Path] = []
    for path in paths:
        data, why = _read_mapping(path)
        if why is not None:
            unreadable.append(path)
            continue
        if isinstance(data, dict) and "type" in data:
            targets.append(_target(path, data))
        elif explicit:
            raise UsageError(f"{display_path(path)} is not a recipe "
                             "(a recipe is a YAML mapping with 'type: deck' or 'type: poster')")
    used = {t.extra.resolve() for t in targets if t.extra is not None}
    for path in unreadable:
        if path.resolve() in used and not explicit:
            continue
        shown = display_path(path)
        targets.append(Target(path, shown, "invalid", None, "", ("invalid", shown),
                              problem=_located_problem(path)))
    if not targets and not explicit:
        raise UsageError(f"no recipes found in {display_path(recipe_dir)}")
    _check_unique_outputs(targets)
    return sorted(targets, key=lambda t: t.shown)


def _check_unique_outputs(targets: Iterable[Target]) -> None:
    seen: dict[str, str] = {}
    for target in targets:
        if target.output_name is None:
            continue
        if target.output_name in seen:
            raise UsageError(f"{seen[target.output_name]} and {target.shown} both write "
                             f"{target.output_name}")
        seen[target.output_name] = target.shown


# --------------------------------------------------------------------------------------------
# Input hashes and the manifest


class InputHasher:
    """Hash the bytes of every input of a target; each folder is read once per instance."""

    def __init__(self, settings: BuildSettings, code: str | None = None) -> None:
        self.settings = settings
        self._trees: dict[Path, str] = {}
        if code is not None:  # a long-running process pins the code it has loaded
            self._trees[PACKAGE_DIR] = code

    def tree(self, folder: Path) -> str:
        """Return a hash of every file below *folder* (names and bytes; hidden files skipped)."""
        key = folder.resolve() if folder.exists() else folder
        if key not in self._trees:
            parts: list[str | bytes] = [str(folder)]
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    relative = path.relative_to(folder)
                    if any(p.startswith(".") or p == "__pycache__" for p in relative.parts):
                        continue
                    if path.name.endswith("~") or not path.is_file():
                        continue
                    parts += [relative.as_posix(), path.read_bytes()]
            self._trees[key] = digest(*parts)
        return self._trees[key]

    def code(self) -> str:
        """Hash kaartspel's version and source: a code change rebuilds everything."""
        if PACKAGE_DIR not in self._trees:
            self._trees[PACKAGE_DIR] = digest(__version__, code_fingerprint())
        return self._trees[PACKAGE_DIR]

    def templates(self) -> str:
        from .style import PACKAGE_TEMPLATES

        folders = [*self.settings.templates, PACKAGE_TEMPLATES]
        return digest(*[f"{folder}:{self.tree(folder)}" for folder in folders])

    def inputs(self, target: Target) -> str:
        """Return the hash of everything *target*'s output is made from."""
        content = self.settings.content_dir
        recipe = target.recipe.read_bytes() if target.recipe.is_file() else b""
        extra = b""
        if target.extra is not None and target.extra.is_file():
            extra = target.extra.read_bytes()
        langs = sorted({target.lang, SOURCE_LANGUAGE}) if target.lang else []
        return digest(
            "kaartspel-build", str(MANIFEST_VERSION), self.code(), self.templates(),
            *[f"{lang}:{self.tree(content / lang)}" for lang in langs],
            str(target.recipe), recipe, str(target.extra), extra,
            str(self.settings.strict), target.output_name or "",
        )


def load_manifest(settings: BuildSettings) -> dict[str, dict[str, Any]]:
    """Return the manifest's entries by output name (empty when missing or unreadable)."""
    try:
        data = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    outputs = data.get("outputs")
    return outputs if isinstance(outputs, dict) else {}


def save_manifest(settings: BuildSettings, entries: dict[str, dict[str, Any]]) -> None:
    """Write the manifest atomically."""
    from .cache import _write_atomic

    data = {"version": MANIFEST_VERSION, "outputs": dict(sorted(entries.items()))}
    _write_atomic(settings.manifest_path, json.dumps(data, indent=1).encode())


def is_up_to_date(settings: BuildSettings, target: Target, entry: dict[str, Any] | None) -> bool:
    """Return whether *target*'s output exists and was built from exactly its current inputs."""
    if entry is None or target.output_name is None or target.problem:
        return False
    try:
        stat = (settings.out_dir / target.output_name).stat()
    except OSError:
        return False
    return (entry.get("inputs") == target.inputs and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns)


@dataclass
class Plan:
    """Targets with their input hashes, split into stale and up-to-date ones."""

    targets: list[Target]
    stale: list[Target]
    fresh: list[Outcome]
    manifest: dict[str, dict[str, Any]]


def plan(settings: BuildSettings, names: Sequence[Path] = (), force: bool = False,
         recipe_dir: Path = RECIPE_DIR, code: str | None = None) -> Plan:
    """Find the targets, hash their inputs and decide which are stale (all, with *force*)."""
    hasher = InputHasher(settings, code)
    manifest = load_manifest(settings)
    targets = [replace(t, inputs=hasher.inputs(t)) for t in find_targets(names, recipe_dir)]
    stale: list[Target] = []
    fresh: list[Outcome] = []
    for target in targets:
        entry = manifest.get(target.output_name or "")
        if not force and entry is not None and is_up_to_date(settings, target, entry):
            fresh.append(Outcome(target, "up to date", settings.out_dir / str(target.output_name),
                                 entry.get("pages"), entry.get("size")))
        else:
            stale.append(target)
    return Plan(targets, stale, fresh, manifest)


def record(settings: BuildSettings, manifest: dict[str, dict[str, Any]], outcome: Outcome) -> None:
    """Remember a successful build in *manifest* (and on disk)."""
    if outcome.status != "built" or outcome.output is None:
        return
    stat = outcome.output.stat()
    manifest[outcome.output.name] = {
        "recipe": outcome.target.shown,
        "kind": outcome.target.kind,
        "inputs": outcome.target.inputs,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "pages": outcome.pages,
        "seconds": round(outcome.seconds, 2),
        **outcome.info,
    }
    save_manifest(settings, manifest)


# --------------------------------------------------------------------------------------------
# Building one target


def build_target(settings: BuildSettings, target: Target) -> Outcome:
    """Build one recipe now (in this process); never raises for a KaartspelError."""
    started = time.perf_counter()
    if target.problem:
        return Outcome(target, "failed", errors=list(target.problem), exit_code=EXIT_CONTENT)
    try:
        output, pages, info = _build(settings, target)
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


def _build(settings: BuildSettings, target: Target) -> tuple[Path, int, dict[str, Any]]:
    from .commands import reported_errors
    from .hyphenation import configure
    from .recipe import load_recipe

    configure(settings.cache_dir if settings.use_cache else None)  # posters have no FaceCache
    recipe = load_recipe(target.recipe, settings.content_dir)
    output = settings.out_dir / recipe.output
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    if recipe.kind == "deck":
        from .cache import FaceCache
        from .deck import DeckOptions, build_deck

        assert isinstance(recipe.options, DeckOptions)
        options = replace(recipe.options, strict=settings.strict, templates=settings.templates)
        cache = FaceCache(settings.cache_dir, enabled=settings.use_cache)
        with reported_errors(settings.content_dir, options):
            result = build_deck(settings.content_dir, options, output, cache=cache,
                                jobs=settings.face_jobs)
        info = {"layout": options.layout, "cards": result.cards, "order": options.order,
                "backs": options.backs, "size_name": options.size, "bleed": options.bleed}
        return output, result.pages, info
    from .poster import PosterOptions, build_poster

    assert isinstance(recipe.options, PosterOptions)
    poster = replace(recipe.options, strict=settings.strict, templates=settings.templates)
    with reported_errors(settings.content_dir, poster):
        presult = build_poster(settings.content_dir, poster, output)
    return output, presult.pages, {"tile": poster.tile}


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
        # Ctrl-C reached the workers too: they stop at once (queued groups are skipped) and
        # their atomic writes leave no partial file.  Wait, so nothing writes after we exit.
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


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
    """Delete the cache, the manifest's outputs, the targets' outputs and the previews."""
    names = set(load_manifest(settings)) | {t.output_name for t in targets if t.output_name}
    for name in sorted(names):
        (settings.out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(settings.cache_dir, ignore_errors=True)
    shutil.rmtree(settings.out_dir / "preview", ignore_errors=True)


def run_build(settings: BuildSettings, names: Sequence[Path] = (), jobs: int | None = None,
              clean_first: bool = False, reporter: Reporter | None = None,
              recipe_dir: Path = RECIPE_DIR) -> list[Outcome]:
    """Build what is stale; return every outcome in recipe order (failures included)."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError(f"--jobs: expected at least 1, got {jobs}")
    for folder in settings.templates:
        if not folder.is_dir():
            raise UsageError(f"template folder not found: {display_path(folder)}")
    if clean_first:
        clean(settings, find_targets(names, recipe_dir))
    the_plan = plan(settings, names, force=not settings.use_cache, recipe_dir=recipe_dir)
    reporter = reporter or Reporter()
    outcomes: dict[str, Outcome] = {}
    for outcome in the_plan.fresh:
        outcomes[outcome.target.shown] = outcome
        reporter.finish(outcome)
    if the_plan.stale:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
        manifest = the_plan.manifest

        def done(outcome: Outcome) -> None:
            outcomes[outcome.target.shown] = outcome
            if outcome.status == "failed" and outcome.details:
                log.debug("%s failed:\n%s", outcome.target.shown, outcome.details)
            record(settings, manifest, outcome)
            reporter.finish(outcome)

        build_stale(settings, the_plan.stale, jobs, reporter.start, done, dict(manifest))
    return [outcomes[t.shown] for t in the_plan.targets if t.shown in outcomes]


# --------------------------------------------------------------------------------------------
# Terminal output


def _kb(size: int | None) -> str:
    return "" if size is None else f"{size / 1024:.0f}"


class PlainReporter(Reporter):
    """One line per finished output (for logs, CI and pipes)."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def finish(self, outcome: Outcome) -> None:
        name = outcome.target.display_name
        if outcome.status == "built":
            pages = f"{outcome.pages} page{'' if outcome.pages == 1 else 's'}"
            self.echo(f"built {name}: {pages}, {_kb(outcome.size)} KB "
                      f"({outcome.seconds:.1f} s)")
        elif outcome.status == "up to date":
            self.echo(f"up to date {name}")
        else:
            self.echo(f"FAILED {name} ({outcome.target.shown})")


class RichReporter(Reporter):
    """A live progress display with a line per output."""

    def __init__(self, console: Any, targets: Sequence[Target]) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(finished_text="•"),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks = {
            t.shown: self.progress.add_task(t.display_name, total=1, status="waiting", start=False)
            for t in targets
        }

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, target: Target) -> None:
        task = self.tasks[target.shown]
        self.progress.start_task(task)
        self.progress.update(task, status="building")

    def finish(self, outcome: Outcome) -> None:
        task = self.tasks[outcome.target.shown]
        status = {"built": "[green]built", "up to date": "[dim]up to date"}.get(
            outcome.status, "[red]failed")
        self.progress.update(task, status=status, completed=1)
        self.progress.stop_task(task)


def summary_table(outcomes: Sequence[Outcome], seconds: float) -> Any:
    """Return a Rich table: file, status, pages, size (KB), time (s)."""
    from rich.table import Table

    built = sum(o.status == "built" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    title = f"{built} built, {len(outcomes) - built - failed} up to date"
    if failed:
        title += f", {failed} failed"
    table = Table(title=f"{title} ({seconds:.1f} s)")
    table.add_column("file")
    table.add_column("status")
    table.add_column("pages", justify="right")
    table.add_column("KB", justify="right")
    table.add_column("time (s)", justify="right")
    for outcome in outcomes:
        name = outcome.target.display_name
        seconds_text = f"{outcome.seconds:.1f}" if outcome.status != "up to date" else ""
        table.add_row(name, outcome.status, "" if outcome.pages is None else str(outcome.pages),
                      _kb(outcome.size), seconds_text)
    return table


def build_command(settings: BuildSettings, names: Sequence[Path], jobs: int | None,
                  clean_first: bool) -> None:
    """``kaartspel build``: build, show progress and a summary; raise BuildFailed at the end."""
    from rich.console import Console

    started = time.perf_counter()
    console = Console()
    try:
        if console.is_terminal:
            targets = find_targets(names)
            with RichReporter(console, targets) as reporter:
                outcomes = run_build(settings, names, jobs, clean_first, reporter)
        else:
            def echo(line: str) -> None:
                print(line, flush=True)

            outcomes = run_build(settings, names, jobs, clean_first, PlainReporter(echo))
    except KeyboardInterrupt:
        raise Interrupted(
            "interrupted; outputs finished before were kept, none was left half written"
        ) from None
    console.print(summary_table(outcomes, time.perf_counter() - started))
    sys.stdout.flush()
    error = failure(outcomes)
    if error is not None:
        raise error
