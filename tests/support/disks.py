"""Disks that refuse writes, for real: a small tmpfs (full, or read-only), or a file size limit.

A test that a full disk fails cleanly must fill a disk, not mock a rename.  Where the tests
run as root and may mount (a developer's container, CI's), :func:`small_disk` mounts a tmpfs
of a few hundred KB; where they may not, :func:`limited` runs the command in a process whose
``RLIMIT_FSIZE`` makes the kernel refuse every write past a size (``EFBIG``), which goes
through the very same code paths.  Either way the test runs: neither variant skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

FILLER = ".filler"


def can_mount() -> bool:
    """Return whether this process may mount a tmpfs (root with CAP_SYS_ADMIN)."""
    return os.name == "posix" and os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def small_disk(folder: Path, size_kb: int = 400, read_only: bool = False
               ) -> Iterator[Path | None]:
    """Mount a tmpfs of *size_kb* at *folder* (created); yield it, or None if not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if not can_mount():
        yield None
        return
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(disk: Path, leave: int = 16 * 1024) -> None:
    """Fill *disk* up to *leave* bytes free (a file that cannot grow takes the rest)."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / FILLER, "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * max(0, free - leave))


def listing(folder: Path) -> list[str]:
    """Return the names in *folder* except the filler, sorted (temporary files included)."""
    return sorted(p.name for p in folder.iterdir() if p.name != FILLER)


LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
sys.argv = ["kaartspel", *sys.argv[1:]]
from kaartspel.cli.app import main
main()
"""


def limited(args: Sequence[str | Path], limit: int, cwd: Path,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``kaartspel *args*`` in a process that cannot write files larger than *limit*."""
    src = Path(__file__).resolve().parents[2] / "src"
    environment = {**os.environ, "PYTHONPATH": str(src), **(env or {})}
    return subprocess.run([sys.executable, "-c", LIMITED.format(limit=limit),
                           *[str(a) for a in args]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def kaartspel(args: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``kaartspel *args*`` as a real process (the console script's code path)."""
    src = Path(__file__).resolve().parents[2] / "src"
    environment = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kaartspel.cli.launch",
                           *[str(a) for a in args]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout, check=False)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Return stderr's lines, asserting there is no traceback among them."""
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.splitlines()


__all__ = ["can_mount", "error_lines", "fill", "kaartspel", "limited", "listing", "small_disk"]
