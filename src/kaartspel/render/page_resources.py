"""Small pikepdf helpers for page content: its bytes, pruning unused resources, and a
CIDFont's glyph widths."""

from __future__ import annotations

import re
from typing import Any

import pikepdf


def content_bytes(owner: Any) -> bytes | None:
    """Return the decoded content of a page or form XObject (None if it has none we read)."""
    if isinstance(owner, pikepdf.Stream):
        return owner.read_bytes()
    if isinstance(owner, pikepdf.Page):
        contents = owner.obj.get("/Contents")
        if isinstance(contents, pikepdf.Stream):
            return contents.read_bytes()
        if isinstance(contents, pikepdf.Array):
            # Content streams split only between tokens: joined by white space they are one.
            return b"\n".join(part.read_bytes() for part in contents)
    return None


_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]+)")


def prune_resources(page: Any) -> None:
    """Drop page resources that neither the page nor its form XObjects refer to by name.

    A form with resources of its own (WeasyPrint's groups, stamps) names those: what it
    uses does not keep the page's (or a face's resources would depend on its batch).
    """
    used: set[str] = set()
    stack: list[Any] = [page]
    seen: set[tuple[int, int]] = set()
    while stack:
        owner = stack.pop()
        data = content_bytes(owner)
        if data is not None:
            # Every name token, also any inside strings or inline images: a superset of the
            # names used, which can only keep a resource too many, never drop one in use.
            used.update("/" + name.decode("latin-1") for name in _NAME.findall(data))
        else:
            for instruction in pikepdf.parse_content_stream(owner):
                for operand in getattr(instruction, "operands", ()):
                    if isinstance(operand, pikepdf.Name):
                        used.add(str(operand))
        obj = owner.obj if isinstance(owner, pikepdf.Page) else owner
        resources = obj.get("/Resources")
        for xobject in ((resources or {}).get("/XObject") or {}).values():
            if (xobject.objgen not in seen and xobject.get("/Subtype") == pikepdf.Name.Form
                    and "/Resources" not in xobject):
                seen.add(xobject.objgen)
                stack.append(xobject)
    resources = page.obj.get("/Resources")
    if resources is None:
        return
    # A new dictionary for this page only: other pages may share the old one.
    pruned = pikepdf.Dictionary()
    for category, entries in resources.items():
        if not isinstance(entries, pikepdf.Dictionary):
            pruned[category] = entries
            continue
        kept = pikepdf.Dictionary({k: v for k, v in entries.items() if k in used})
        if len(kept):
            pruned[category] = kept
    page.obj.Resources = pruned



def replace_contents(page: Any, data: bytes) -> None:
    """Make *data* the whole content of *page* (a pikepdf Page that has content)."""
    page.contents_coalesce()  # one stream, whatever the page had
    page.obj.Contents.write(data)


MAX_WIDTH_RUN = 65536
"""The most CIDs one ``first last width`` run of a /W array may give a width (a CID is two
bytes): a damaged or hostile array cannot make the reader loop for ever."""


def cid_widths(w_array: Any) -> dict[int, Any]:
    """Parse a CIDFont /W array into CID → width (the PDF number, as it stands there).

    Both forms are read: ``first [w1 w2 …]`` and ``first last w``.  What does not parse
    (a truncated array, a run of more than :data:`MAX_WIDTH_RUN` CIDs) ends the reading or
    is cut short; the widths read up to there are returned.
    """
    out: dict[int, Any] = {}
    items = list(w_array)
    i = 0
    try:
        while i + 1 < len(items):
            first, nxt = int(items[i]), items[i + 1]
            if isinstance(nxt, pikepdf.Array):
                for offset, value in enumerate(nxt):
                    out[first + offset] = value
                i += 2
            elif i + 2 < len(items):
                for cid in range(first, min(int(nxt), first + MAX_WIDTH_RUN - 1) + 1):
                    out[cid] = items[i + 2]
                i += 3
            else:
                break
    except (TypeError, ValueError):  # not a number where one must be
        pass
    return out
