"""Hyphenation exception lists: ``content/<lang>/hyphenation.txt``.

One word a line, in lower case, with ``-`` at every point where it may break at a line end and
nowhere else; ``#`` starts a comment line.  :mod:`kaartspel.render.typeset` applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

FILE = "hyphenation.txt"
"""The list's file name in each language folder."""


def read_exceptions(path: Path) -> dict[str, tuple[int, ...]]:
    """Read a hyphenation exception list: one word a line, ``-`` at each allowed break.

    Returns the break positions (letters before each break) by lower-case word; ``#`` starts
    a comment line.  A missing file is an empty list.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return parse_exceptions(text.splitlines())


def parse_exceptions(lines: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Return the break positions of every word of an exception list's *lines*."""
    words: dict[str, tuple[int, ...]] = {}
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        parts = entry.lower().split("-")
        positions, at = [], 0
        for part in parts[:-1]:
            at += len(part)
            positions.append(at)
        words["".join(parts)] = tuple(positions)
    return words
