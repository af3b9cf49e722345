"""One hierarchy for every failure a user can cause, caught in one place (the CLI).

Each error knows its exit code: 1 when the content (or a file built from it) is at fault,
2 when the command line is.  Messages are single lines of the form
``path:line: what is wrong`` so that editors and CI logs can jump to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a file, located by path and 1-based line (0 = whole file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if not self.path:
            return self.message
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


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
        return [str(self)]


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


class UsageError(KaartspelError):
    """The command line asks for something that does not exist or makes no sense."""

    exit_code = EXIT_USAGE


class OutputError(UsageError):
    """The output location cannot be written."""
