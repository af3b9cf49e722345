"""``kaartspel watch``: rebuild the outputs a change affects, as soon as a file is saved.

Watches ``content/``, the templates (the project's and ``--templates`` folders) and ``deck/``.
After each batch of changes it plans a build exactly like ``kaartspel build`` (input hashes
against ``build/.cache/outputs.json``, then what each changed output shows: see
:mod:`kaartspel.build.shown`) and rebuilds the outputs an edit shows in this process, one after
the other: WeasyPrint is imported once and the face cache makes a one-question edit cheap.

A broken save is reported once (one line per problem) and watching goes on; the output is
rebuilt as soon as the file is fixed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kaartspel.build.plan import (
    RECIPE_DIR,
    BuildSettings,
    InputHasher,
    Outcome,
    find_targets,
    plan,
    record,
)
from kaartspel.build.run import build_target, error_lines, expected_seconds
from kaartspel.build.shown import refine
from kaartspel.errors import KaartspelError, display_path
from kaartspel.files import is_dir

Echo = Callable[[str], None]


def watch_paths(settings: BuildSettings, names: Sequence[Path] = (),
                recipe_dir: Path = RECIPE_DIR) -> list[Path]:
    """Return the existing folders to watch: content, templates, recipes."""
    from kaartspel.render.templates import PACKAGE_TEMPLATES

    folders = [settings.content_dir, PACKAGE_TEMPLATES, *settings.templates, recipe_dir]
    folders += [name.parent for name in names]
    unique: dict[Path, Path] = {}
    for folder in folders:
        if is_dir(folder):
            unique.setdefault(folder.resolve(), folder)
    # A folder inside another watched one is covered already.
    roots = [f for f in unique if not any(f != o and f.is_relative_to(o) for o in unique)]
    return [unique[f] for f in roots]


class Watcher:
    """Plan and rebuild after each change; remember failures so each is reported once."""

    def __init__(self, settings: BuildSettings, names: Sequence[Path], echo: Echo, err: Echo,
                 recipe_dir: Path = RECIPE_DIR) -> None:
        self.settings = settings
        self.names = list(names)
        self.echo = echo
        self.err = err
        self.recipe_dir = recipe_dir
        # The code this process runs: its outputs are recorded as built by it, even if the
        # source changes on disk meanwhile (the next `kaartspel build` then rebuilds them).
        self.code = InputHasher(settings).code()
        self.failed: dict[str, str] = {}
        """Recipe → input hash of its last failure (not retried until its inputs change)."""
        self.plan_error: list[str] | None = None
        from kaartspel.deck.assemble import FaceLibrary

        # Each rebuild places all but the edited faces again: keep them ready.
        self.library = FaceLibrary()

    def round(self) -> int:
        """Rebuild what is stale; return how many outputs were built."""
        started = time.perf_counter()
        try:
            the_plan = refine(self.settings, plan(self.settings, self.names,
                                                  recipe_dir=self.recipe_dir, code=self.code))
        except KaartspelError as exc:
            lines = exc.lines()
            if lines != self.plan_error:
                for line in lines:
                    self.err(f"Error: {line}")
            self.plan_error = lines
            return 0
        self.plan_error = None
        built = 0
        for outcome in the_plan.fresh:
            if self.failed.pop(outcome.target.shown, None) is not None:
                self.echo(f"fixed {outcome.target.shown}: {outcome.target.display_name} "
                          "is up to date")
        # Quickest first: a deck is back in a fraction of a second, a poster takes longer.
        stale = sorted(the_plan.stale, key=lambda t: expected_seconds(t, the_plan.manifest))
        for target in stale:
            if self.failed.get(target.shown) == target.inputs:
                continue  # unchanged since it failed: already reported
            outcome = build_target(self.settings, target, self.library)
            self._report(outcome, the_plan.manifest)
            built += outcome.status == "built"
        if built > 1:
            self.echo(f"{built} outputs rebuilt in {time.perf_counter() - started:.2f} s")
        return built

    def _report(self, outcome: Outcome, manifest: dict[str, dict[str, Any]]) -> None:
        target = outcome.target
        if outcome.status == "built":
            record(self.settings, manifest, outcome)
            self.failed.pop(target.shown, None)
            self.echo(f"rebuilt {target.display_name} in {outcome.seconds:.2f} s")
        else:
            self.failed[target.shown] = target.inputs
            for line in error_lines(outcome):
                self.err(f"Error: {line}")


def run_watch(settings: BuildSettings, names: Sequence[Path] = (), echo: Echo = print,
              err: Echo = print, max_rebuilds: int | None = None, timeout: float | None = None,
              recipe_dir: Path = RECIPE_DIR) -> int:
    """Watch and rebuild until Ctrl-C, *max_rebuilds* rounds that built something, or
    *timeout* seconds; return the number of such rounds."""
    import threading

    import watchfiles
    import weasyprint  # noqa: F401  (imported once, up front: every rebuild is then fast)

    if names:
        find_targets(names, recipe_dir)  # a named file that is no recipe is a usage error
    watcher = Watcher(settings, names, echo, err, recipe_dir)
    watcher.round()
    paths = watch_paths(settings, names, recipe_dir)
    deadline = None if timeout is None else time.monotonic() + timeout
    stop = threading.Event()
    rebuilds = 0
    if max_rebuilds is not None and max_rebuilds <= 0:
        return rebuilds
    announced = False
    for changes in watchfiles.watch(*paths, stop_event=stop, yield_on_timeout=True,
                                    rust_timeout=200, step=50, raise_interrupt=True):
        if not announced:  # the first yield: the watcher is running, no save can be missed
            echo(f"Watching {', '.join(display_path(p) for p in paths)} (Ctrl-C to stop)")
            announced = True
        if changes and watcher.round():
            rebuilds += 1
            if max_rebuilds is not None and rebuilds >= max_rebuilds:
                break
        if deadline is not None and time.monotonic() >= deadline:
            break
    return rebuilds
