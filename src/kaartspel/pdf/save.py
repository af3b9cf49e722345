"""Writing outputs: atomically (never a half file), reproducibly (no clock, no random id)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kaartspel import __version__
from kaartspel.errors import UsageError
from kaartspel.files import check_output, write_atomic

FIXED_EPOCH = 1672531200  # 2023-01-01T00:00:00Z, used when nothing else gives a date


def build_date(inputs: Iterable[bytes] = ()) -> datetime:
    """Return the date stamped into outputs: ``SOURCE_DATE_EPOCH`` if set, else a fixed date.

    Never the clock: the same inputs must give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = FIXED_EPOCH
    if epoch and epoch.strip().isdigit():
        seconds = int(epoch)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):  # past year 9999, or past what C time takes
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch.strip()[:20] if epoch else ''} is after "
                         "the year 9999; give the seconds since 1970 of a real date") from None


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

    check_output(path)
    # Saved to memory first: QPDF writing to a file itself aborts the whole process (a C++
    # exception it cannot pass to Python) when the disk fills up, and leaves its own
    # temporary file.  Written from here, a full disk is one error line and nothing stays.
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    write_atomic(path, buffer.getbuffer(), durable=True)


__all__ = ["FIXED_EPOCH", "build_date", "check_output", "save_pdf"]
