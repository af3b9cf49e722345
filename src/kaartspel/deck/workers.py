"""A render helper: WeasyPrint imported in a forked process while the command loads content.

A deck rebuilt from the shell after a one-question edit spends about 0.5 s importing
WeasyPrint (its C declarations are parsed on every import) and 0.1 s on its first render,
while reading the recipe and validating the content (pydantic, YAML) takes 0.3 s that needs
no WeasyPrint.  So ``kaartspel deck`` forks a helper first: it imports WeasyPrint at once,
then waits.  A face store that has a few stale faces hands them over as a
:class:`~kaartspel.render.face_batch.FaceJob` (HTML and keys, plain data: the helper never loads
the content model or Jinja) and gets measures and face PDFs back; meanwhile the two cores
did the two jobs at once.  When every face is cached, the helper is stopped
unused.

The helper is only ever a shortcut: if it cannot be started (no ``fork``), has died, or
fails on a job, the store renders in its own process — which raises the proper error if
the render itself is at fault.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kaartspel.errors import worker_signals

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from kaartspel.render.face_batch import FaceJob, Measure

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 2.0


class RenderHelper:
    """A forked process with WeasyPrint loaded that renders batches of faces on request."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self._conn), daemon=True,
                                        name="kaartspel-render-helper")
        self._process.start()
        child.close()
        self.jobs = 0
        """How many batches the helper rendered (for tests)."""
        self.sent = False
        """Whether the helper was ever sent a job."""

    @classmethod
    def start(cls) -> RenderHelper | None:
        """Start a helper, or return None where processes cannot be forked."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        try:
            return cls()
        except OSError as exc:  # e.g. no more processes allowed
            log.debug("no render helper: %s", exc)
            return None

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The helper's process id (None before it started)."""
        return self._process.pid

    def submit(self, job: FaceJob) -> bool:
        """Send a batch of faces to render (results come back in order, see receive)."""
        if not self.alive:
            return False
        self.sent = True
        try:
            self._conn.send(job)
        except Exception as exc:  # a broken pipe, or something that does not pickle
            log.debug("render helper failed: %r", exc)
            return False
        return True

    def submit_many(self, jobs: Sequence[FaceJob], workers: int) -> bool:
        """Send many batches, for *workers* processes the helper forks (WeasyPrint loaded);
        their results come back one by one, in order (see receive)."""
        if not self.alive:
            return False
        self.sent = True
        try:
            self._conn.send(("many", list(jobs), workers))
        except Exception as exc:
            log.debug("render helper failed: %r", exc)
            return False
        return True

    def ready(self) -> bool:
        """Return whether a result is waiting (or the helper is gone: receive says so)."""
        try:
            return self._conn.poll(0) or not self.alive
        except (OSError, ValueError):
            return True

    def receive(self) -> tuple[dict[str, Measure], dict[str, bytes]] | None:
        """Wait for the next batch's ``FaceStore.render_batch`` result; None if it failed."""
        try:
            status, payload = self._conn.recv()
        except Exception as exc:
            log.debug("render helper failed: %r", exc)
            return None
        if status != "ok":
            log.debug("render helper could not render: %s", payload)
            return None
        self.jobs += 1
        result, records = payload
        # What the render logged there (e.g. --no-strict warnings) is logged here.
        for name, level, message in records:
            if name == "kaartspel.cache" and level == logging.WARNING:
                from kaartspel.cache import warn_again

                warn_again(message)  # once per command, whichever process found it
            else:
                logging.getLogger(name).log(level, "%s", message)
        return result  # type: ignore[no-any-return]

    def close(self) -> bool:
        """Stop the helper; return whether it had to be ended while busy.

        A busy helper (warming up, or rendering when the command was interrupted) is ended
        with the workers it forked (its process group); the caller then sweeps what they
        may have been writing.
        """
        ended = False
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            # A helper that rendered ends as processes do, and its sibling with it (their
            # temporary font folders go); one that was never sent a job has nothing to
            # clean up (it may still be importing WeasyPrint): it is ended at once.
            self._process.join(STOP_TIMEOUT_S / 2 if self.sent else 0)
            if self._process.is_alive():
                ended = True
                pid = self._process.pid
                try:
                    if pid is None or os.getpgid(pid) != pid:
                        raise ProcessLookupError  # not (yet) in a group of its own
                    os.killpg(pid, signal.SIGTERM)
                except (OSError, ProcessLookupError):
                    self._process.terminate()
                self._process.join(STOP_TIMEOUT_S)
        self._conn.close()
        return ended

    def __enter__(self) -> RenderHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(conn: Connection, command_end: Connection) -> None:
    """The helper's loop: render jobs until told to stop, or until the command is gone."""
    # The fork copied the command's end of the pipe too: without closing it here, the
    # helper would never see the command's end close if the command died.
    command_end.close()
    # Ctrl-C is the command's to handle: it stops the helper (no second traceback here).
    # In a process group of its own, so that the command ends the helper and every worker
    # the helper forked at once (see close).
    worker_signals()
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    import weasyprint  # noqa: F401  # the head start

    from kaartspel.render import face_batch as facework  # noqa: F401  # no content model, no Jinja: jobs are plain data
    from kaartspel.render.document import release_fonts

    # What a job logs goes back with its result: this process has no handlers of its own
    # (it may be forked before the command line set them up).
    package = logging.getLogger("kaartspel")
    package.handlers, package.propagate = [_Collector(_RECORDS)], False
    package.setLevel(logging.DEBUG)
    # The second core's renderer, forked now (WeasyPrint loaded) and kept for every job of
    # the command: a worker forked per job would start cold each time (stylesheets, fonts,
    # hyphenation patterns), which cost more than the second core gave back.
    sibling = _Sibling.start(conn) if (os.cpu_count() or 1) > 1 else None
    # No warm-up render: the command usually sends its job before the import is done.
    try:
        while True:
            try:
                job: Any = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            try:
                if isinstance(job, tuple):  # ("many", jobs, workers)
                    _, jobs, workers = job
                    for item in _run_many(jobs, sibling if workers > 1 else None):
                        conn.send(("ok", item))
                else:
                    conn.send(("ok", _run(job)))
            except BaseException as exc:  # the command renders it again and reports it
                try:
                    conn.send(("error", repr(exc)))
                except OSError:
                    return  # the command is gone
    finally:
        # Both let go of their fonts at once (a forked process ends without the
        # interpreter's teardown, which would do it), then the sibling is waited for.
        if sibling is not None:
            sibling.ask_to_stop()
        release_fonts(collect=False)  # it renders only through the stylesheet cache
        if sibling is not None:
            sibling.stop()


def _run_many(jobs: Sequence[FaceJob], sibling: _Sibling | None
              ) -> Iterator[tuple[Any, list[tuple[str, int, str]]]]:
    """Render *jobs* here and in the *sibling* (from the last job down); yield the results
    in order.  What the sibling cannot do (it died, it failed) is rendered here."""
    done: dict[int, tuple[Any, list[tuple[str, int, str]]]] = {}
    low, high, given, yielded = 0, len(jobs) - 1, None, 0
    if sibling is not None and high > low and sibling.give(jobs[high]):
        given, high = high, high - 1
    while yielded < len(jobs):
        if low <= high:
            done[low] = _run(jobs[low])
            low += 1
        if given is not None and (low > high or sibling is None or sibling.ready()):
            assert sibling is not None
            result = sibling.take()
            done[given] = result if result is not None else _run(jobs[given])
            given = None
            if low <= high and result is not None and sibling.give(jobs[high]):
                given, high = high, high - 1
        while yielded in done:
            yield done.pop(yielded)
            yielded += 1


class _Sibling:
    """The helper's one worker: a forked process that renders the jobs it is given."""

    def __init__(self, process: Any, conn: Connection) -> None:
        self.process, self.conn = process, conn
        self.asked = False
        """Whether it was told to end."""

    @classmethod
    def start(cls, command: Connection) -> _Sibling | None:
        """Fork the worker (None if that fails: the helper then renders alone)."""
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe()
        # The helper is daemonic for the command (it must never outlive it), which
        # multiprocessing takes to mean "no children": it is not, here.
        multiprocessing.current_process().daemon = False
        try:
            process = context.Process(target=_sibling_loop, args=(theirs, mine, command),
                                      daemon=True, name="kaartspel-render-sibling")
            process.start()
        except OSError as exc:
            log.debug("no second renderer: %s", exc)
            return None
        theirs.close()
        return cls(process, mine)

    def give(self, job: FaceJob) -> bool:
        try:
            self.conn.send(job)
        except Exception as exc:  # a broken pipe
            log.debug("second renderer failed: %r", exc)
            return False
        return True

    def ready(self) -> bool:
        try:
            return self.conn.poll(0) or not self.process.is_alive()
        except (OSError, ValueError):
            return True

    def take(self) -> tuple[Any, list[tuple[str, int, str]]] | None:
        """Return the result of the job given, or None if the worker failed on it."""
        try:
            status, payload = self.conn.recv()
        except Exception as exc:
            log.debug("second renderer failed: %r", exc)
            return None
        return payload if status == "ok" else None

    def ask_to_stop(self) -> None:
        """Tell the worker to end (it lets go of its temporary files first)."""
        if not self.asked:
            self.asked = True
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def stop(self) -> None:
        """Let the worker end as processes do (its temporary files go); end it if it hangs."""
        self.ask_to_stop()
        self.process.join(STOP_TIMEOUT_S / 4)
        if self.process.is_alive():
            self.process.terminate()
        self.conn.close()


def _sibling_loop(conn: Connection, helper_end: Connection, command: Connection) -> None:
    """The sibling's loop: render each job it is given, until told to stop or orphaned."""
    from kaartspel.render.document import release_fonts

    helper_end.close()
    command.close()  # the command's pipe is the helper's, not this process's
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            try:
                conn.send(("ok", _run(job)))
            except BaseException as exc:  # the helper renders it again
                try:
                    conn.send(("error", repr(exc)))
                except OSError:
                    return
    finally:
        release_fonts(collect=False)


_RECORDS: list[tuple[str, int, str]] = []
"""Log records of the job being rendered (in the helper or a worker it forked)."""


def _run(job: FaceJob) -> tuple[Any, list[tuple[str, int, str]]]:
    from kaartspel.render import face_batch as facework

    _RECORDS.clear()
    return facework.run(job), list(_RECORDS)


class _Collector(logging.Handler):
    """Keep (logger, level, message) of every record, to send them to the command."""

    def __init__(self, records: list[tuple[str, int, str]]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


_early: RenderHelper | None = None


def command_of(argv: Sequence[str]) -> str | None:
    """Return the subcommand named in *argv* (after the global options), if any."""
    args = iter(argv)
    for arg in args:
        if arg == "--content":
            next(args, None)  # its value
        elif not arg.startswith("-"):
            return arg
    return None


def start_early(argv: Sequence[str]) -> None:
    """Start the render helper now if *argv* builds a deck (before the CLI even loads)."""
    global _early
    if command_of(argv) == "deck" and "--help" not in argv:
        _early = RenderHelper.start()


def take_early() -> RenderHelper | None:
    """Return the helper :func:`start_early` started (once), or None."""
    global _early
    helper, _early = _early, None
    return helper
