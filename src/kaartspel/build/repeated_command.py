"""Answer a repeated ``kaartspel deck`` or ``kaartspel poster`` before the command line loads.

Policy: the console script asks here first.  A command is answered "up to date" only when
the very same words were run before in the same folder, with the same Python, the same
installed distributions and the same ``SOURCE_DATE_EPOCH``; its output is still the file
that run wrote (size and modification time); and every file that run read to decide its
options and make its output hashes as it did then: the recipe, the whole content folder,
the own-questions file, every template folder, and kaartspel's own source.  Anything else,
and any doubt (no record, an unreadable one, a file that cannot be read), goes the normal
way, which decides again from the parsed options and may still find the output up to date.

Loading the command line (Typer, pydantic, the options model) costs about 0.2 s; this
module needs only the standard library and :mod:`kaartspel.cache`'s hashing, so a repeated
command answers in well under a tenth of that.  Nothing is written when answering.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from kaartspel import __version__
from kaartspel.cache import DEFAULT_CACHE_DIR, code_fingerprint, digest, tree_digest
from kaartspel.files import write_atomic

log = logging.getLogger(__name__)

RECORD = "repeats.json"
"""Beside the face cache: command key → what its last successful run read and wrote."""
COMMANDS = ("deck", "poster")
"""The commands answered here: those that write one output from options and content."""
KEPT = 64
"""Command lines remembered; the oldest are forgotten first."""
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)
"""Environment variables that change an output's bytes."""


def command_key(argv: Sequence[str]) -> str:
    """Return the key of the command line *argv* (words, folder, Python, environment)."""
    return digest("kaartspel-repeat", __version__, sys.executable, sys.version,
                  os.getcwd(), *[f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT],
                  str(len(argv)), *argv)


def distributions() -> str:
    """Return a hash of every installed distribution's name and version (its dist-info)."""
    names: list[str] = []
    for entry in sys.path:
        if not entry.endswith("-packages"):
            continue
        try:
            names += [f"{entry}/{name}" for name in os.listdir(entry)
                      if name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return digest(*sorted(names))


def fingerprint(paths: Iterable[str]) -> str:
    """Return the hash of *paths* (files and folders, by content), code and distributions."""
    parts = [code_fingerprint(), distributions()]
    for name in paths:
        path = Path(name)
        parts.append(f"{name}:{tree_digest(path) if path.is_dir() else _file_digest(path)}")
    return digest(*parts)


def _file_digest(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return "missing"


def _load(cache_dir: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((cache_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def answer(argv: Sequence[str], command: str | None,
           cache_dir: Path = DEFAULT_CACHE_DIR) -> str | None:
    """Return the "up to date" line for *argv* if its output is unchanged, else None.

    *command* is the subcommand *argv* names (see :func:`kaartspel.deck.workers.command_of`).
    """
    if command not in COMMANDS or any(arg in ("--help", "--version") for arg in argv):
        return None
    try:
        entry = _load(cache_dir).get(command_key(argv))
        if not isinstance(entry, dict):
            return None
        output, shown, paths = entry.get("output"), entry.get("shown"), entry.get("paths")
        if not (isinstance(output, str) and isinstance(shown, str) and isinstance(paths, list)
                and all(isinstance(p, str) for p in paths)):
            return None
        stat = os.stat(output)
        if (stat.st_size, stat.st_mtime_ns) != (entry.get("size"), entry.get("mtime_ns")):
            return None
        if fingerprint(paths) != entry.get("fingerprint"):
            return None
    except (OSError, ValueError):  # any doubt: the normal way decides
        return None
    return f"Up to date: {shown} (nothing it is made from changed)"


class Remembered:
    """A command line about to be answered the normal way, to be remembered once it is.

    The files it reads are hashed now, before the output is made: an edit saved while it
    is being made is then not taken as already built.
    """

    def __init__(self, argv: Sequence[str] | None, paths: Iterable[Path],
                 cache_dir: Path = DEFAULT_CACHE_DIR) -> None:
        self.argv = argv
        self.cache_dir = cache_dir
        self.names = sorted({str(path.resolve()) for path in paths})
        self.fingerprint = fingerprint(self.names) if argv is not None else ""

    def done(self, output: Path) -> None:
        """Note that the command just wrote (or found up to date) *output*.

        A failure to note is harmless: the next run goes the normal way.
        """
        if self.argv is None:
            return
        try:
            stat = output.stat()
            key = command_key(self.argv)
            records = _load(self.cache_dir)
            records.pop(key, None)  # the newest last: the oldest are forgotten first
            records[key] = {
                "output": str(output.resolve()), "shown": str(output), "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns, "paths": self.names,
                "fingerprint": self.fingerprint,
            }
            kept = dict(list(records.items())[-KEPT:])
            write_atomic(self.cache_dir / RECORD, json.dumps(kept, indent=1).encode(),
                         make_folder=True)
        except Exception as exc:  # never worth failing a build that succeeded
            log.debug("could not remember the command line: %r", exc)
