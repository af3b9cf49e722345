"""Writing outputs: atomically (never a half file), reproducibly (no clock, no random id)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kaartspel import __version__
from kaartspel.errors import OutputError, display_path

FIXED_EPOCH = 1672531200  # 2023-01-01T00:00:00Z, used when nothing else gives a date


def check_output(path: Path) -> Path:
    """Return *path* if its folder exists and is writable, else an OutputError."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"output is a folder, not a file: {display_path(path)}")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output folder is a file, not a folder: {display_path(folder)}")
    if not folder.is_dir():
        raise OutputError(f"output folder does not exist: {display_path(folder)}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"output folder is not writable: {display_path(folder)}")
    return path


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(tmp)`` on a temporary file beside *path*, then move it into place.

    If *write* fails or is interrupted, the previous *path* is untouched and the temporary
    file removed.
    """
    check_output(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except (OSError, ValueError) as exc:  # ValueError: a name the file system cannot hold
        raise OutputError(f"cannot write {display_path(path)}: {_reason(exc)}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # disk full, quota, a folder in the way …
            raise OutputError(f"cannot write {display_path(path)}: {_reason(exc)}") from exc
        raise


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or \
        type(exc).__name__


def build_date(inputs: Iterable[bytes] = ()) -> datetime:
    """Return the date stamped into outputs: ``SOURCE_DATE_EPOCH`` if set, else a fixed date.

    Never the clock: the same inputs must give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = FIXED_EPOCH
    if epoch and epoch.strip().isdigit():
        seconds = int(epoch)
    return datetime.fromtimestamp(seconds, tz=UTC)


def save_pdf(pdf: Any, path: Path, title: str, lang: str, viewer_title: bool = True) -> None:
    """Stamp metadata on a pikepdf Pdf and save it atomically and deterministically.

    Every output is a deck or a poster, printed at its own size: ``/PrintScaling /None``
    asks the print dialog not to shrink it to fit the paper (office dialogs do by default,
    and a card printed at 95 % no longer matches its crop marks).
    """
    import pikepdf

    date = build_date().strftime("D:%Y%m%d%H%M%SZ")
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Creator"] = f"kaartspel {__version__}"
    pdf.docinfo["/Producer"] = f"kaartspel {__version__} (WeasyPrint, pikepdf)"
    pdf.docinfo["/CreationDate"] = date
    pdf.docinfo["/ModDate"] = date
    pdf.Root.Lang = pikepdf.String(lang)
    prefs = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
    if viewer_title:
        prefs.DisplayDocTitle = True
    prefs.PrintScaling = pikepdf.Name("/None")
    pdf.Root.ViewerPreferences = prefs

    def write(tmp: Path) -> None:
        pdf.save(tmp, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)

    atomic_write(path, write)
