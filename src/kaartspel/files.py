"""Every file kaartspel writes, written one way: beside its target, atomically, leaving nothing.

Policy: nothing in kaartspel opens a file for writing but :func:`write_atomic`.  The bytes go
to a temporary file in the target's own folder (so the final rename never crosses file
systems), named ``.<target name>.<pid>-<random>.tmp``, and only a complete file is moved into
place.  Whatever stops the write — a full disk, a read-only file system, a quota, Ctrl-C,
SIGTERM (which the command line turns into an exception) — removes the temporary file and
leaves the previous target byte for byte as it was; an :class:`OSError` becomes one
:class:`~kaartspel.errors.WriteError` line.  Only ``kill -9`` (or a power cut) can leave a
temporary file behind: its name carries the process id, so the next write beside it (and
``kaartspel build`` for its cache) sees the process is gone and sweeps it.

PDFs are rendered to bytes in memory before they are written here: QPDF writing to a file
itself aborts the whole process on a full disk (a C++ exception it cannot pass to Python).

:func:`check_output` decides what an output may replace: a new path, or an existing regular
file of the output's kind — never a folder, a device, a FIFO, a link out of its folder, a
read-only file or an input of the build.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from kaartspel.errors import OutputError, WriteError, display_path, os_reason

log = logging.getLogger(__name__)

STALE_AFTER_S = 24 * 3600
"""A temporary file this old is swept even if a process of its id runs (the id was reused)."""
LEGACY_STALE_AFTER_S = 3600
"""Temporary files of older versions carry no process id: swept once this old."""
NAME_MAX = 255
"""Longest file name (in bytes) most file systems take; the folder's own limit wins."""

_OURS = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d{1,10})-[0-9a-f]{8}\.tmp$")
_LEGACY = re.compile(r"^\.(?:pikepdf\.\.)?(?P<name>.*?)\.?[a-z0-9_]{8}\.tmp(?:[a-z0-9_]{8})?$")


# --------------------------------------------------------------------------------------------
# Writing


Data = bytes | bytearray | memoryview | Callable[[BinaryIO], object]
"""What :func:`write_atomic` writes: bytes, or a function writing to a binary file."""


def write_atomic(path: Path, data: Data, *, make_folder: bool = False,
                 durable: bool = False) -> None:
    """Write *data* (bytes, or a function writing to a binary file) to *path* atomically.

    With *make_folder* the target's folder is created first (the cache's shards; an output's
    folder must exist).  With *durable* the bytes reach the disk before the rename (outputs:
    a power cut then leaves the old file or the new one, never an empty one).  Raise
    WriteError, with the temporary file removed, when the file system refuses.
    """
    folder = path.parent
    try:
        if make_folder:
            folder.mkdir(parents=True, exist_ok=True)
        sweep_stale(folder, path.name)
        tmp = folder / temp_name(path.name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                     0o644)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        raise write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            # The permissions of a file anyone may read, whatever the umask of this process:
            # outputs are handed on, and the cache is shared by a team's processes.
            os.fchmod(handle.fileno(), 0o644)
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from exc
        raise


def write_error(path: Path, exc: BaseException) -> WriteError:
    """Return the one-line error for a write to *path* the file system refused."""
    return WriteError(f"cannot write {display_path(path)}: {os_reason(exc)}")


def temp_name(name: str) -> str:
    """Return the name of a new temporary file for the target *name* (within NAME_MAX)."""
    tail = f".{os.getpid()}-{secrets.token_hex(4)}.tmp"
    if len(os.fsencode(f".{name}{tail}")) > NAME_MAX:
        # A target name near the limit: the temporary file is named by its hash instead.
        name = hashlib.sha256(os.fsencode(name)).hexdigest()[:32]
    return f".{name}{tail}"


# --------------------------------------------------------------------------------------------
# Sweeping what killed runs left


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT: trust the age only
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process (or an id we cannot ask about)
    return True


def is_stale(name: str, mtime: float, now: float | None = None, target: str | None = None
             ) -> bool:
    """Return whether *name* is a temporary file a finished (killed) run left behind.

    With *target*, only temporary files of that target name count.
    """
    now = time.time() if now is None else now
    ours = _OURS.match(name)
    if ours:
        if target is not None and ours["name"] != target and \
                ours["name"] != hashlib.sha256(os.fsencode(target)).hexdigest()[:32]:
            return False
        return not _alive(int(ours["pid"])) or now - mtime > STALE_AFTER_S
    legacy = _LEGACY.match(name)
    if legacy and (target is None or legacy["name"] == target):
        return now - mtime > LEGACY_STALE_AFTER_S
    return False


def sweep_stale(folder: Path, target: str | None = None) -> int:
    """Remove temporary files killed runs left in *folder* (of *target* only, if given).

    Return how many were removed; never raises (a folder that cannot be listed is left).
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or ".tmp" not in name:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if is_stale(name, entry.stat(follow_symlinks=False).st_mtime, now, target):
                os.unlink(entry.path)
                removed += 1
                log.debug("removed %s, left by a killed run", entry.path)
        except OSError:
            continue
    return removed


def sweep_tree(root: Path) -> int:
    """Remove the temporary files killed runs left anywhere below *root* (the cache)."""
    removed = 0
    if not root.is_dir() or root.is_symlink():
        return 0
    for folder, dirs, _ in os.walk(root):
        dirs[:] = [d for d in dirs if not Path(folder, d).is_symlink()]
        removed += sweep_stale(Path(folder))
    return removed


# --------------------------------------------------------------------------------------------
# What an output may replace


def resolved(path: Path) -> Path:
    """Return *path* with every link followed as far as it leads; OSError on a link loop."""
    try:
        return path.resolve()
    except RuntimeError as exc:  # Python 3.11 words a loop so; 3.13 raises OSError(ELOOP)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from exc


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Return whether *path* (resolved) lies in one of the folders *roots* (resolved)."""
    try:
        real = resolved(path)
    except OSError:
        return False
    for root in roots:
        try:
            if real.is_relative_to(resolved(root)):
                return True
        except OSError:
            continue
    return False


def is_file(path: Path) -> bool:
    """Return whether *path* is a regular file (following links); False, never an error,
    for a link loop or a name too long (``Path.is_file`` raises for the latter)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    """Return whether *path* is a folder (following links); never an error."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def not_found(what: str, path: Path | str) -> str:
    """Return the message for a *what* (``content folder``) that cannot be used at *path*.

    ``content folder not found: x`` when nothing is there; otherwise what the system says
    of the path — a link loop, a name too long, no permission — instead of a traceback or
    a misleading "not found".
    """
    shown = display_path(path)
    try:
        os.stat(path)
    except FileNotFoundError:
        return f"{what} not found: {shown}"
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return f"cannot use {what} {shown}: {os_reason(exc)}"
    return f"{what} not found: {shown}"


def plain_name(name: object, suffixes: tuple[str, ...] = (".pdf",)) -> bool:
    """Return whether *name* is a plain file name an output folder may hold: no folder
    part, not hidden, printable, within NAME_MAX bytes, ending in one of *suffixes*."""
    if not isinstance(name, str) or not name.endswith(suffixes) or name in suffixes:
        return False
    if name.startswith(".") or any(ch in name for ch in "/\\") or \
            any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return False
    try:
        return len(name.encode("utf-8")) <= NAME_MAX
    except UnicodeError:  # a lone surrogate
        return False


def name_max(folder: Path) -> int:
    """Return the longest file name *folder*'s file system takes, in bytes."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


_KINDS = {stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFIFO: "a FIFO (pipe)",
          stat.S_IFSOCK: "a socket"}


def check_output(path: Path, inputs: Iterable[Path] = (), suffixes: tuple[str, ...] = (".pdf",)
                 ) -> Path:
    """Return *path* if an output may be written there; raise OutputError (usage) if not.

    Allowed: a new file in an existing, writable folder, or an existing regular file ending
    in one of *suffixes* that is writable, or a link to one in the same folder.  Refused: a
    folder, a device, a FIFO or socket, a link leading out of the output's folder (or in a
    loop), any other file, and anything in or among *inputs* (folders and files the build
    reads: content, templates, recipes, questions files).
    """
    shown = display_path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        encoded = os.fsencode(path.name)
    except UnicodeError:
        raise OutputError(f"output file name cannot be encoded: {shown}") from None
    if len(encoded) > name_max(folder if folder.is_dir() else Path(".")):
        raise OutputError(f"output file name is longer than {name_max(Path('.'))} bytes: "
                          f"{shown[:60]}…")
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # the folder checks below name it
    except OSError as exc:
        raise OutputError(f"cannot use output {shown}: {os_reason(exc)}") from exc
    real = path
    if info is not None and stat.S_ISLNK(info.st_mode):
        try:
            real = resolved(path)
            real_folder = resolved(folder)
        except OSError as exc:
            raise OutputError(f"cannot use output {shown}: {os_reason(exc)}") from exc
        if real.parent != real_folder:
            raise OutputError(f"output is a link to a file outside its folder: {shown}; "
                              "name a file in the output folder")
        try:
            info = os.stat(real)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise OutputError(f"cannot use output {shown}: {os_reason(exc)}") from exc
    for source in inputs:
        try:
            same = resolved(real) == resolved(source) or (
                source.is_dir() and inside(real, [source]))
        except OSError:
            continue
        if same:
            raise OutputError(f"output {shown} is an input of the build; "
                              "write the output somewhere else")
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"output is a folder, not a file: {shown}")
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise OutputError(f"output is {kind}, not a regular file: {shown}")
        if not path.name.lower().endswith(suffixes):
            raise OutputError(f"output {shown} exists and is not a {'/'.join(suffixes)} file; "
                              "refusing to replace it")
        if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
            raise OutputError(f"output is read-only: {shown}")
    try:
        folder_info = os.stat(folder)
    except FileNotFoundError:
        raise OutputError(f"output folder does not exist: {display_path(folder)}") from None
    except NotADirectoryError:
        raise OutputError(_folder_is_a_file(folder)) from None
    except OSError as exc:
        raise OutputError(f"cannot use output folder {display_path(folder)}: "
                          f"{os_reason(exc)}") from exc
    if not stat.S_ISDIR(folder_info.st_mode):
        raise OutputError(f"output folder is a file, not a folder: {display_path(folder)}")
    if _read_only(folder):
        raise WriteError(f"cannot write {shown}: {os.strerror(errno.EROFS)}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"output folder is not writable: {display_path(folder)}")
    return path


def _read_only(folder: Path) -> bool:
    """Return whether *folder* lies on a file system mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):
        return False


def _folder_is_a_file(folder: Path) -> str:
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            return f"output folder is a file, not a folder: {display_path(parent)}"
    return f"output folder does not exist: {display_path(folder)}"
