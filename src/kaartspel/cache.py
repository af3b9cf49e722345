"""A content-addressed cache of rendered card faces and their fit measurements.

Every face is rendered at most once per (content, template files, geometry, type size): its
one-page PDF is stored under ``build/.cache/faces/`` keyed by a hash of everything that can
change its pixels.  Fit measurements (how far a face overflows at a given type size) are
kept beside it, so a warm build never searches for the deck's type size again.

Invalidation is by key only: edit a question and only that face's key changes; edit a
template, stylesheet, font, icon or palette and every key changes.  ``kaartspel build
--clean`` (or deleting the folder) empties it.

The cache heals itself.  A key names what made an entry, not its bytes, so every entry is
stored in an envelope holding the SHA-256 of its name and payload (:func:`seal`), checked on
every read (:func:`unseal`): a truncated, overwritten or garbled entry is discarded with one
warning and rebuilt, never used.  A cache that cannot be written (a read-only or full disk)
is not an error either: the build goes on without it, with one warning, keeping in memory
what it renders.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kaartspel.errors import KaartspelError, display_path
from kaartspel.files import write_atomic

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path("build") / ".cache"


def digest(*parts: str | bytes) -> str:
    """Return the hex SHA-256 of *parts* (separated, so ('ab','c') != ('a','bc'))."""
    h = hashlib.sha256()
    for part in parts:
        # surrogateescape: a file name that is not UTF-8 hashes as its bytes (no error).
        h.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


PACKAGE_DIR = Path(__file__).resolve().parent


def tree_digest(folder: Path) -> str:
    """Return a hash of every file below *folder*: names and bytes.

    Hidden files and folders, ``__pycache__`` and editor backups (``name~``) are no input.
    """
    parts: list[str | bytes] = [str(folder)]
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if any(p.startswith(".") or p == "__pycache__" for p in relative.parts):
                continue
            if path.name.endswith("~") or not path.is_file():
                continue
            parts += [relative.as_posix(), path.read_bytes()]
    return digest(*parts)


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


MAGIC = b"kaartspel-cache 1 "
"""First bytes of every cache entry, followed by a hex SHA-256 (see :func:`seal`) and a
newline."""
_HEADER = len(MAGIC) + 64 + 1
SUBFOLDERS = ("faces", "fit", "fonts", "artwork", "templates", "hyphenation", "preview",
              "kind-size")
"""Everything kaartspel keeps in a cache folder (``--clean`` removes these and nothing else)."""


def seal(payload: bytes, name: str) -> bytes:
    """Return *payload* in a cache envelope for the entry called *name* (its file name).

    The envelope holds the SHA-256 of the name and the payload: damaged bytes fail the
    check, and so does a good entry under another key (two entries swapped or copied).
    """
    return MAGIC + _seal_digest(payload, name) + b"\n" + payload


def unseal(data: bytes, name: str) -> bytes | None:
    """Return the payload of the cache envelope of entry *name*, or None if it is not one."""
    if len(data) < _HEADER or not data.startswith(MAGIC) or data[_HEADER - 1:_HEADER] != b"\n":
        return None
    payload = data[_HEADER:]
    if _seal_digest(payload, name) != data[len(MAGIC):_HEADER - 1]:
        return None
    return payload


def _seal_digest(payload: bytes, name: str) -> bytes:
    return digest(name, payload).encode()


_warned: set[tuple[str, str]] = set()
"""(cache folder, kind of problem) already warned about in this process."""

_WARNINGS = {
    "damaged": "damaged entries in the cache {root} are discarded and rebuilt",
    "unreadable": "the cache {root} cannot be read; building without it",
    "unwritable": "the cache {root} cannot be written ({reason}); building without it",
}


_said: set[str] = set()
"""Cache warnings logged in this process (also those a render helper sent back)."""


def warn_once(root: Path, kind: str, detail: str, reason: str = "") -> None:
    """Warn about a cache problem of *kind* once per cache folder and process.

    The entry concerned (*detail*) is logged at debug level (``--verbose``) every time.
    """
    log.debug("cache: %s", detail)
    key = (str(root), kind)
    if key not in _warned:
        _warned.add(key)
        warn_again(_WARNINGS[kind].format(root=display_path(root), reason=reason))


def forget_warnings() -> None:
    """Warn afresh: a new command starts (in a test, or a program embedding the CLI)."""
    _warned.clear()
    _said.clear()


def warn_again(message: str) -> None:
    """Log a cache warning unless this process logged the same one (a render helper's)."""
    if message not in _said:
        _said.add(message)
        log.warning("%s", message)


def _discard(root: Path, path: Path) -> None:
    warn_once(root, "damaged", f"damaged entry {display_path(path)} discarded")
    with contextlib.suppress(OSError):
        path.unlink()


def read_entry(root: Path, path: Path) -> bytes | None:
    """Return the verified payload stored at *path*, or None (missing, unreadable, damaged).

    A damaged entry is removed: whoever asked for it builds it again.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python 3.11)
        warn_once(root, "unreadable", f"cannot read {display_path(path)}: {exc}")
        return None
    payload = unseal(data, path.name)
    if payload is None:
        _discard(root, path)
    return payload


def write_entry(root: Path, path: Path, payload: bytes) -> bool:
    """Store *payload* sealed at *path*; return False (one warning) if the cache cannot be
    written, so that the caller keeps what it made in memory instead."""
    try:
        write_atomic(path, seal(payload, path.name), make_folder=True)
    except KaartspelError as exc:
        warn_once(root, "unwritable", str(exc), str(exc).rpartition(": ")[2])
        return False
    return True


def _fit_value(value: Any) -> bool:
    """Return whether *value* is a fit record's entry: [overflow mm, fill], finite, ≥ 0."""
    return (isinstance(value, list) and len(value) == 2
            and all(type(v) in (int, float) and math.isfinite(v) and v >= 0 for v in value))


@dataclass(frozen=True)
class FaceCache:
    """Rendered faces and fit results on disk; ``enabled=False`` stores nothing."""

    root: Path = DEFAULT_CACHE_DIR
    enabled: bool = True
    _failed: set[str] = field(default_factory=set, compare=False, hash=False, repr=False)
    """"unwritable" once a write failed: the rest of the run keeps its results in memory."""

    def writable(self) -> bool:
        """Return whether entries can be stored; find out once, before workers are forked.

        A cache that cannot be written (read-only, full, a file in the way) is then left
        alone by every worker, which keeps its results in memory: one warning, not one per
        process or per face.
        """
        if not self.enabled or "unwritable" in self._failed:
            return False
        probe = self.root / "faces" / ".writable"
        if write_entry(self.root, probe, b""):
            with contextlib.suppress(OSError):
                probe.unlink()
            return True
        self._failed.add("unwritable")
        return False

    def face_path(self, key: str) -> Path:
        """Return where the one-page PDF for *key* lives (sealed, see :func:`seal`)."""
        return self.root / "faces" / key[:2] / f"{key}.face"

    def has_face(self, key: str) -> bool:
        """Return whether a face is stored under *key* (checked when read)."""
        return self.enabled and self.face_path(key).is_file()

    def get_face(self, key: str) -> bytes | None:
        """Return the cached one-page PDF for *key*, or None (missing or damaged)."""
        return read_entry(self.root, self.face_path(key)) if self.enabled else None

    def put_face(self, key: str, data: bytes) -> bool:
        """Store a one-page PDF under *key*; return False if it could not be stored."""
        return self._put(self.face_path(key), data)

    def _put(self, path: Path, data: bytes) -> bool:
        if not self.enabled or "unwritable" in self._failed:
            return False
        if write_entry(self.root, path, data):
            return True
        self._failed.add("unwritable")
        return False

    def _fit_path(self, key: str) -> Path:
        return self.root / "fit" / key[:2] / f"{key}.fit"

    def get_fit(self, key: str) -> dict[str, list[float]]:
        """Return what is known of the face *key* per type size (may be empty).

        A record that is damaged or holds anything but ``size → [overflow, fill]`` is
        discarded whole: a wrong number there would silently change the deck's type size.
        """
        if not self.enabled:
            return {}
        path = self._fit_path(key)
        payload = read_entry(self.root, path)
        if payload is None:
            return {}
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(
                isinstance(k, str) and _fit_value(v) for k, v in data.items()):
            _discard(self.root, path)
            return {}
        return {k: [float(v[0]), float(v[1])] for k, v in data.items()}

    def put_fit(self, key: str, results: dict[str, Any]) -> None:
        """Merge fit results (type size → JSON value) for the face *key*."""
        if not self.enabled or "unwritable" in self._failed:
            return
        merged = {**self.get_fit(key), **results}
        self._put(self._fit_path(key), json.dumps(merged, sort_keys=True).encode())

    def _blob_path(self, kind: str, key: str) -> Path:
        return self.root / kind / f"{key}.blob"

    def get_blob(self, kind: str, key: str) -> bytes | None:
        """Return a stored blob (e.g. a merged font subset), or None (missing or damaged)."""
        return read_entry(self.root, self._blob_path(kind, key)) if self.enabled else None

    def put_blob(self, kind: str, key: str, data: bytes) -> bool:
        """Store a blob under *kind*/*key*; return False if it could not be stored."""
        return self._put(self._blob_path(kind, key), data)
