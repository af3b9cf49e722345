"""A content-addressed cache of rendered card faces and their fit measurements.

Every face is rendered at most once per (content, template files, geometry, type size): its
one-page PDF is stored under ``build/.cache/faces/`` keyed by a hash of everything that can
change its pixels.  Fit measurements (how far a face overflows at a given type size) are
kept beside it, so a warm build never searches for the deck's type size again.

Invalidation is by key only: edit a question and only that face's key changes; edit a
template, stylesheet, font, icon or palette and every key changes.  ``kaartspel build
--clean`` (or deleting the folder) empties it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_CACHE_DIR = Path("build") / ".cache"


def digest(*parts: str | bytes) -> str:
    """Return the hex SHA-256 of *parts* (separated, so ('ab','c') != ('a','bc'))."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def code_fingerprint() -> str:
    """Hash the package's own source, every module of every subpackage, with its path.

    A code change (a diagram, a layout rule) must invalidate cached faces and built outputs
    just as a template change does; walking the tree recursively, with each file's path in
    the hash, means that moving or adding a module can never silently stop invalidation.
    """
    parts: list[str | bytes] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        if "__pycache__" in relative.parts:
            continue
        parts += [relative.as_posix(), path.read_bytes()]
    return digest(*parts)


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class FaceCache:
    """Rendered faces and fit results on disk; ``enabled=False`` stores nothing."""

    root: Path = DEFAULT_CACHE_DIR
    enabled: bool = True

    def face_path(self, key: str) -> Path:
        """Return where the one-page PDF for *key* lives."""
        return self.root / "faces" / key[:2] / f"{key}.pdf"

    def get_face(self, key: str) -> Path | None:
        """Return the cached PDF for *key*, or None."""
        path = self.face_path(key)
        return path if self.enabled and path.is_file() else None

    def put_face(self, key: str, data: bytes) -> Path:
        """Store a one-page PDF under *key* and return its path."""
        path = self.face_path(key)
        write_atomic(path, data)
        return path

    def _fit_path(self, key: str) -> Path:
        return self.root / "fit" / key[:2] / f"{key}.json"

    def get_fit(self, key: str) -> dict[str, Any]:
        """Return what is known of the face *key* per type size (may be empty)."""
        if not self.enabled:
            return {}
        try:
            data = json.loads(self._fit_path(key).read_text())
        except (OSError, ValueError):
            return {}
        return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}

    def put_fit(self, key: str, results: dict[str, Any]) -> None:
        """Merge fit results (type size → JSON value) for the face *key*."""
        if not self.enabled:
            return
        merged = {**self.get_fit(key), **results}
        write_atomic(self._fit_path(key), json.dumps(merged, sort_keys=True).encode())

    def get_blob(self, kind: str, key: str) -> bytes | None:
        """Return a stored blob (e.g. a merged font subset), or None."""
        path = self.root / kind / f"{key}.bin"
        if not self.enabled or not path.is_file():
            return None
        return path.read_bytes()

    def put_blob(self, kind: str, key: str, data: bytes) -> None:
        """Store a blob under *kind*/*key*."""
        if self.enabled:
            write_atomic(self.root / kind / f"{key}.bin", data)
