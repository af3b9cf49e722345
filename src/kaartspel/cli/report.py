"""Report a build on the terminal: progress lines or a live Rich table, and a summary."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kaartspel.build.plan import BuildSettings, Outcome, Target, find_targets
from kaartspel.build.run import Reporter, failure, run_build
from kaartspel.errors import Interrupted

log = logging.getLogger(__name__)



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
