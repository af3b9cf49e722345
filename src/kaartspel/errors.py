"""One hierarchy for every failure a user can cause, caught in one place (the CLI).

Each error knows its exit code: 1 when the content (or a file built from it) is at fault,
2 when the command line is.  Messages are single lines of the form
``path:line: what is wrong`` so that editors and CI logs can jump to them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_INVISIBLE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional controls: shown escaped, or they would reorder the terminal line."""


def printable(text: str) -> str:
    """Return *text* safe to print as one terminal line.

    Line breaks and tabs become spaces; control characters, lone surrogates, line/paragraph
    separators and bidirectional controls become visible escapes (``\\u001b``), so that a
    message quoting content can neither span lines, move the cursor, nor fail to encode.
    """
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a file, located by path and 1-based line (0 = whole file)."""

    path: str
    line: int
    message: str
    subject: tuple[str, str] | None = field(default=None, compare=False)
    """What the problem is about when no file is known yet: ``("card", id)`` or
    ``("section", key path)``; the build points it at the line of the text to change."""

    def __str__(self) -> str:
        if not self.path:
            return printable(self.message)
        if self.line:
            return printable(f"{self.path}:{self.line}: {self.message}")
        return printable(f"{self.path}: {self.message}")


def display_path(path: Path | str) -> str:
    """Return *path* relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        cwd = Path.cwd()
        # The path as named (a link shown as the link, not where it leads), then resolved.
        for shown, base in ((Path(os.path.normpath(p.absolute())), cwd),
                            (p.resolve(), cwd.resolve())):
            if shown.is_relative_to(base):
                return str(shown.relative_to(base)) or "."
    except (ValueError, OSError, RuntimeError):  # a link loop; no working folder
        pass
    return str(p)


def os_reason(exc: BaseException) -> str:
    """Return what the operating system said, in its words (``No space left on device``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, RuntimeError) and "Symlink loop" in str(exc):  # pathlib, Python 3.11
        return "Too many levels of symbolic links"
    return str(exc) or type(exc).__name__


class KaartspelError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_CONTENT

    def lines(self) -> list[str]:
        """Return the message as one or more single-line errors."""
        return [printable(str(self))]


class ContentError(KaartspelError):
    """The content (YAML, recipe, custom questions) is invalid; carries every problem found."""

    exit_code = EXIT_CONTENT

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", 0, problems)]
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class FitError(ContentError):
    """Text does not fit its box even at the smallest allowed type size."""


class RenderError(KaartspelError):
    """Rendering produced warnings or errors (strict mode) or failed."""

    exit_code = EXIT_CONTENT


def template_error(exc: BaseException, card: str | None = None) -> RenderError:
    """Return a RenderError naming the template file and line (and *card*) of a Jinja error.

    A syntax error carries its place; for an error while rendering (an undefined name, a
    template or macro that includes or calls itself without end) the innermost template
    frame of the traceback has it (Jinja maps frames to templates).
    """
    path, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not path:
        tb = exc.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name.endswith((".html", ".css", ".svg", ".xml", ".j2")):
                path, line = name, tb.tb_lineno
            tb = tb.tb_next
    where = f"{display_path(path)}:{line}: " if path and line else \
        (f"{display_path(path)}: " if path else "")
    if isinstance(exc, RecursionError):
        message = "includes or calls itself without end"
    else:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    of_card = f" (card '{card}')" if card else ""
    return RenderError(f"{where}template error: {message}{of_card}; fix the template")


class Interrupted(KaartspelError):
    """The user pressed Ctrl-C; the message says what was kept."""

    exit_code = EXIT_INTERRUPTED


class UsageError(KaartspelError):
    """The command line asks for something that does not exist or makes no sense."""

    exit_code = EXIT_USAGE


class OutputError(UsageError):
    """The output named cannot be written there (checked before anything is built)."""


class WriteError(KaartspelError):
    """The file system refused a write: the disk is full, read-only, over quota …"""

    exit_code = EXIT_CONTENT


class FileProblem(KaartspelError):
    """A file or folder named cannot be used: a link loop, a name too long, unreadable …"""

    exit_code = EXIT_USAGE


EXIT_TERMINATED = 143
"""128 + SIGTERM, as a shell reports a process SIGTERM ended."""


class Terminated(SystemExit):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so that no temporary
    file stays behind.  A SystemExit, so that a worker process it ends exits quietly."""

    def __init__(self) -> None:
        super().__init__(EXIT_TERMINATED)


def raise_terminated(signum: int, frame: object) -> None:
    """Signal handler for SIGTERM: unwind (``finally`` blocks run, temporary files go)."""
    raise Terminated


def worker_signals() -> None:
    """Set up a worker process's signals: Ctrl-C is its parent's to handle.

    The terminal sends Ctrl-C to every process of the command; a worker that took it would
    die with a traceback (and break its pipes, making more).  The parent alone catches it,
    ends its workers with SIGTERM — which kills a worker at once, as by default: unwinding
    Python code inside a native library could crash it — and then sweeps what the ended
    workers were writing (their temporary files name their process, which is gone; see
    :func:`kaartspel.files.sweep_stale`) before it prints the one line.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def signals_deferred(deliver: bool = True) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block is done, then act on them (unless not
    *deliver*: the work they would stop is done, as when only a command's bookkeeping is
    left after its output was written).

    pikepdf's native module aborts the whole process (``Critical nanobind error``) when an
    exception is raised while it initialises, as Ctrl-C would raise one: so the heavy
    libraries are imported inside this block (``kaartspel.cli.commands.import_native``).
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    handlers: dict[int, Any] = {
        sig: signal.signal(sig, lambda signum, frame: caught.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if caught and deliver:
        handler = handlers[caught[0]]
        if callable(handler):
            handler(caught[0], None)  # raises KeyboardInterrupt or Terminated
        elif handler == signal.SIG_DFL:
            signal.raise_signal(caught[0])


def unexpected(exc: BaseException) -> KaartspelError:
    """Return the one-line error for an exception no stage turned into a KaartspelError.

    The last net, in the CLI: whatever reaches it is reported in one line (the traceback
    with ``--verbose``) rather than as a traceback; each stage should rather raise an error
    that says what to fix.
    """
    if isinstance(exc, OSError):
        where = f"{display_path(exc.filename)}: " if exc.filename else ""
        error: KaartspelError = WriteError(f"{where}{os_reason(exc)}")
        if exc.errno in _USAGE_ERRNOS:
            error = FileProblem(f"{where}{os_reason(exc)}")
        return error
    if isinstance(exc, RecursionError):
        return RenderError("nested too deeply (a template or macro that includes or calls "
                           "itself?); fix the template")
    if isinstance(exc, RuntimeError) and "Symlink loop" in str(exc):
        name = str(exc).partition("from ")[2].strip("'\"")
        return FileProblem(f"{display_path(name)}: Too many levels of symbolic links")
    if type(exc).__module__.split(".")[0] == "pikepdf":
        return RenderError(f"PDF error: {printable(str(exc)) or type(exc).__name__}")
    return KaartspelError(f"internal error: {type(exc).__name__}: {exc} (run again with "
                          "--verbose for the traceback, and please report it)")


_USAGE_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG,
                           errno.ELOOP})
"""A path named that cannot be used: the command line's to fix."""
