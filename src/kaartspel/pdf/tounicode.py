"""ToUnicode CMaps: which text each character code of a font stands for (read and write).

Every reader of the text kaartspel writes goes through here: the font merger (``fonts.py``),
the tile labels that reuse an embedded font (``tile.py``) and preflight (``preflight.py``).
The CMaps WeasyPrint and the merger write use ``bfchar`` entries only; ``bfrange`` entries
(with a start value or an array of values) are read too, for files made elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(?:<([0-9a-fA-F]*)>|\[([^\]]*)\])")
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")
MAX_RANGE = 65536
"""Codes one bfrange entry may map (a two-byte code space holds no more)."""


def _text(hex_digits: bytes) -> str:
    """Decode UTF-16BE hex digits (a lone or odd digit is replaced, never raised)."""
    try:
        return bytes.fromhex(hex_digits.decode("ascii")).decode("utf-16-be", errors="replace")
    except ValueError:
        return "\ufffd"


def parse(data: bytes) -> dict[int, str]:
    """Return code → text for the ``bfchar`` and ``bfrange`` entries of CMap *data*."""
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        for code, text in _PAIR.findall(block):
            out[int(code, 16)] = _text(text)
    for block in _BFRANGE.findall(data):
        for lo, hi, start, values in _RANGE.findall(block):
            first, last = int(lo, 16), min(int(hi, 16), int(lo, 16) + MAX_RANGE - 1)
            if values:  # <lo> <hi> [<text> <text> …]: one text per code
                for code, text in zip(range(first, last + 1), _HEX.findall(values),
                                      strict=False):
                    out[code] = _text(text)
                continue
            base = _text(start)
            for offset, code in enumerate(range(first, last + 1)):
                # The last character counts up with the code (ISO 32000-1, 9.10.3).
                tail = ord(base[-1]) + offset if base else 0xFFFD
                out[code] = base[:-1] + (chr(tail) if tail < 0x110000 else "\ufffd")
    return out


def read(stream: Any) -> dict[int, str]:
    """Return code → text of a font's /ToUnicode *stream* ({} when absent or unreadable)."""
    import pikepdf

    if not isinstance(stream, pikepdf.Stream):
        return {}
    try:
        return parse(stream.read_bytes())
    except pikepdf.PdfError:
        return {}


def codes_by_text(font: Any) -> dict[str, bytes]:
    """Return, for a two-byte (Identity-H) font, each single character → its code bytes.

    The first code found for a character wins; texts of several characters (ligatures) are
    left out: they cannot set one character.
    """
    import pikepdf

    if font.get("/Encoding") != pikepdf.Name("/Identity-H"):
        return {}
    codes: dict[str, bytes] = {}
    for code, text in sorted(read(font.get("/ToUnicode")).items()):
        if len(text) == 1:
            codes.setdefault(text, code.to_bytes(2, "big"))
    return codes


def write(mapping: Mapping[int, str]) -> bytes:
    """Return a ToUnicode CMap for two-byte codes: code → text, in code order."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # at most 100 entries per block (the CMap spec)
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (code, text.encode("utf-16-be").hex().encode())
                     for code, text in chunk)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"


__all__ = ["codes_by_text", "parse", "read", "write"]
