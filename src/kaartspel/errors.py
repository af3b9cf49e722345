"""One hierarchy for every failure a user can cause, caught in one place (the CLI).

Each error knows its exit code: 1 when the content (or a file built from it) is at fault,
2 when the command line is.  Messages are single lines of the form
``path:line: what is wrong`` so that editors and CI logs can jump to them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


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


def template_error(exc: BaseException) -> RenderError:
    """Return a RenderError naming the template file and line of a Jinja error.

    A syntax error carries its place; for an error while rendering (an undefined name, say)
    the innermost template frame of the traceback has it (Jinja maps frames to templates).
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
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return RenderError(f"{where}template error: {message}; fix the template")


class Interrupted(KaartspelError):
    """The user pressed Ctrl-C; the message says what was kept."""

    exit_code = EXIT_INTERRUPTED


class UsageError(KaartspelError):
    """The command line asks for something that does not exist or makes no sense."""

    exit_code = EXIT_USAGE


class OutputError(UsageError):
    """The output location cannot be written."""
