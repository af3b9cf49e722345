"""``kaartspel watch``: rebuild on change, survive a broken save, stop cleanly."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from test_build import PIN_SOURCE, copy_project

from kaartspel.build.plan import BuildSettings
from kaartspel.build.watch import Watcher, watch_paths

TIMEOUT_S = 30.0


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(tmp_path_factory, tmp_path, monkeypatch)


class Lines:
    """Collect a subprocess's output lines (both streams) as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        for name, stream in (("out", process.stdout), ("err", process.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream: IO[str] | None) -> None:
        assert stream is not None
        for line in stream:
            self.queue.put((name, line.rstrip("\n")))

    def wait_for(self, predicate: Callable[[str, str], bool], what: str) -> str:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                stream, line = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append((stream, line))
            if predicate(stream, line):
                return line
        raise AssertionError(f"timed out waiting for {what}; output so far: {self.seen}")


def test_watch_rebuilds_survives_a_broken_save_and_stops(project: Path) -> None:
    recipe = project / "deck" / "tips-nl.yaml"
    tips = project / "content" / "nl" / "tips.yaml"
    command = [sys.executable, "-c", PIN_SOURCE + "from kaartspel.cli.app import main; main()",
               "watch", "deck/tips-nl.yaml", "--max-rebuilds", "2", "--timeout", "90"]
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = Lines(process)
        lines.wait_for(lambda s, line: line.startswith("Watching "), "the watcher to start")

        text = tips.read_text("utf-8")
        tips.write_text(text.replace("Ga alleen samenwerken", "Werk alleen samen"), "utf-8")
        done = lines.wait_for(lambda s, line: line.startswith("rebuilt "), "the first rebuild")
        assert done.startswith("rebuilt tips-nl.pdf in "), done

        recipe.write_text("type: deck\n  output: [\n", "utf-8")
        error = lines.wait_for(lambda s, line: s == "err", "the error")
        assert error.startswith("Error: deck/tips-nl.yaml:2: YAML syntax error"), error
        assert process.poll() is None, "watch stopped after a broken save"

        recipe.write_text("type: deck\noutput: tips-nl.pdf\nlayout: single\n"
                          "select:\n  kinds: [tip]\n", "utf-8")
        done = lines.wait_for(lambda s, line: line.startswith("rebuilt "), "the second rebuild")
        assert done.startswith("rebuilt tips-nl.pdf in "), done
        assert process.wait(timeout=TIMEOUT_S) == 0, lines.seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_watcher_reports_a_failure_once_and_retries_when_fixed(project: Path) -> None:
    out: list[str] = []
    err: list[str] = []
    dutch = [Path("deck/netwerkvorming-nl.yaml"), Path("deck/tips-nl.yaml")]
    watcher = Watcher(BuildSettings(), dutch, out.append, err.append)
    assert watcher.round() == 0  # everything is up to date
    assert out == err == []

    tips = project / "content" / "nl" / "tips.yaml"
    good = tips.read_text("utf-8")
    tips.write_text(good.replace("tips:", "tips: [", 1), "utf-8")
    assert watcher.round() == 0, (out, err)
    assert sorted(line.split(": content/")[0] for line in err) == [
        "Error: deck/netwerkvorming-nl.yaml", "Error: deck/tips-nl.yaml"]
    assert all(": content/nl/tips.yaml:" in line for line in err), err
    assert watcher.round() == 0 and len(err) == 2  # unchanged: not reported again

    tips.write_text(good, "utf-8")  # fixed exactly as before: the outputs are still fresh
    assert watcher.round() == 0
    assert sorted(line.split(":")[0] for line in out) == [
        "fixed deck/netwerkvorming-nl.yaml", "fixed deck/tips-nl.yaml"]

    # A tip: the tips deck shows it, the netwerkvorming deck (no tip cards) does not.
    tips.write_text(good.replace("Ga alleen samenwerken", "Werk alleen samen"), "utf-8")
    assert watcher.round() == 1
    assert [line.split(" in ")[0] for line in out[2:]] == ["rebuilt tips-nl.pdf"]


def test_watch_paths(project: Path) -> None:
    from kaartspel.render.templates import PACKAGE_TEMPLATES

    mine = project / "mine"
    (mine / "sub").mkdir(parents=True)
    paths = watch_paths(BuildSettings(templates=(mine, mine / "sub")))
    assert paths == [Path("content"), PACKAGE_TEMPLATES, mine, Path("deck")]
