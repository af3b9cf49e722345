"""Tidy the structure tree WeasyPrint writes for a tagged (PDF/UA-1) document.

WeasyPrint tags every text box and every image or SVG it draws, and mirrors the HTML in the
structure tree.  Two things it does not do, which PDF/UA asks for:

* **Artifacts.**  Content that is not part of the document's real content — decoration,
  icons beside the name they show, running headers, card footers — must be marked as an
  artifact, not tagged (ISO 14289-1, 7.1; Matterhorn 01-001 … 01-005).  The templates mark
  such elements ``aria-hidden="true"``, which is what HTML means by it; the layout says where
  their text lines start and where their images lie (:func:`kaartspel.render.document.
  hidden_content`), and their marked content becomes ``/Artifact`` here.
* **No empty elements.**  A text box of spaces is tagged although nothing is drawn (38 empty
  ``Span`` elements in a deck), and an element whose content all became artifacts is left
  with nothing.  Marked content that paints nothing becomes an artifact too, and every
  structure element left without content is removed, up to the document element.

The page's ``/StructParents`` entry of the parent tree keeps its positions (an artifact's
MCID maps to null), so every MCID still tagged maps to its element.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from kaartspel.render.document import HiddenContent
from kaartspel.render.page_resources import replace_contents

TOLERANCE = 1e-3
"""How closely a ``Tm`` or a figure's box must match the layout's (px; 6 decimals)."""

_PAINTS = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*",
                     "sh", "Do", "INLINE IMAGE"})
"""Operators that put marks on the page (text is drawn only with a visible rendering mode,
which WeasyPrint always uses)."""


@dataclass
class _Marked:
    """One marked-content sequence with an MCID on a page."""

    mcid: int
    starts: list[tuple[float, float]] = field(default_factory=list)
    paints: bool = False
    text: str = ""


def tidy_structure(pdf: pikepdf.Pdf, hidden: Sequence[HiddenContent]) -> None:
    """Make hidden and empty content artifacts and drop the structure left without content;
    give numbered list items their label.

    *hidden* gives, per page, what the layout hid from assistive technology.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    nums = _parent_tree(root)
    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(pdf.pages):
        index = page.obj.get("/StructParents")
        if index is None or int(index) not in nums:
            continue
        parents = nums[int(index)]
        marked = _marked_content(page)
        texts.update({(page.obj.objgen[0], m.mcid): m.text for m in marked})
        page_hidden = hidden[number] if number < len(hidden) else HiddenContent(frozenset(), ())
        drop = {m.mcid for m in marked if not m.paints or _is_hidden(m, page_hidden)}
        drop |= {mcid for mcid in _mcids(parents)
                 if _hidden_figure(parents[mcid], page_hidden)}
        if not drop:
            continue
        _artifacts(page, drop)
        for mcid in sorted(drop):
            if mcid < len(parents) and isinstance(parents[mcid], Dictionary):
                element = parents[mcid]
                element.K = Array([kid for kid in _kids(element)
                                   if not (isinstance(kid, int) and kid == mcid)])
                parents[mcid] = None
    document = root.K[0] if isinstance(root.K, Array) else root.K
    _prune(document)
    _label_list_items(document, texts)


def _parent_tree(root: Any) -> dict[int, Any]:
    """Return the parent tree's number → value (WeasyPrint writes one flat /Nums array)."""
    tree = root.get("/ParentTree")
    flat = list((tree or {}).get("/Nums") or [])
    return {int(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def _mcids(parents: Any) -> Iterable[int]:
    return range(len(parents)) if isinstance(parents, Array) else ()


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _marked_content(page: pikepdf.Page) -> list[_Marked]:
    """Return the page's marked-content sequences with an MCID: where their text lines
    start, whether they paint anything, and their text."""
    from kaartspel.pdf import tounicode

    found: list[_Marked] = []
    stack: list[_Marked | None] = []
    resources: Any = page.obj.get("/Resources") or Dictionary()
    fonts = resources.get("/Font") or Dictionary()
    maps: dict[str, dict[int, str]] = {}
    font: dict[int, str] = {}
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        operands = instruction.operands
        if op == "BDC":
            properties = operands[1] if len(operands) > 1 else None
            mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
            if mcid is not None:
                found.append(_Marked(int(mcid)))
                stack.append(found[-1])
            else:
                stack.append(None)
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC":
            if stack:
                stack.pop()
        else:
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is None:
                continue
            if op == "Tm" and len(operands) == 6:
                current.starts.append((float(operands[4]), float(operands[5])))
            elif op in _PAINTS:
                current.paints = True
                items = operands[0] if op == "TJ" and operands else operands[-1:]
                for item in items if op in ("Tj", "TJ", "'", '"') else ():
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        current.text += "".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "")
                                                for i in range(0, len(raw) - 1, 2))
        if op == "Tf" and operands:
            name = str(operands[0])
            if name not in maps:
                maps[name] = tounicode.read((fonts.get(name) or {}).get("/ToUnicode"))
            font = maps[name]
    return found


def _is_hidden(marked: _Marked, hidden: HiddenContent) -> bool:
    return any(abs(x - hx) <= TOLERANCE and abs(y - hy) <= TOLERANCE
               for x, y in marked.starts for hx, hy in hidden.text_starts)


def _hidden_figure(element: Any, hidden: HiddenContent) -> bool:
    """Return whether *element* is a Figure whose box is one the layout hid."""
    if not isinstance(element, Dictionary) or element.get("/S") != Name.Figure:
        return False
    attributes: Any = element.get("/A") or Dictionary()
    box = attributes.get("/BBox")
    if box is None:
        return False
    values = [float(v) for v in box]
    return any(all(abs(a - b) <= TOLERANCE for a, b in zip(values, figure, strict=True))
               for figure in hidden.figures)


def _artifacts(page: pikepdf.Page, mcids: set[int]) -> None:
    """Turn the marked content of *mcids* on *page* into artifacts (``/Artifact BMC``)."""
    instructions = list(pikepdf.parse_content_stream(page))
    changed = False
    for index, instruction in enumerate(instructions):
        if str(instruction.operator) != "BDC" or len(instruction.operands) < 2:
            continue
        properties = instruction.operands[1]
        if isinstance(properties, Dictionary) and int(properties.get("/MCID", -1)) in mcids:
            instructions[index] = pikepdf.ContentStreamInstruction(
                [Name.Artifact], pikepdf.Operator("BMC"))
            changed = True
    if changed:
        replace_contents(page, pikepdf.unparse_content_stream(instructions))


def _prune(element: Any) -> bool:
    """Remove the structure elements below *element* left without content; return whether
    *element* itself still has content."""
    kept = []
    for kid in _kids(element):
        if isinstance(kid, Dictionary) and kid.get("/Type") == Name.StructElem:
            if _prune(kid):
                kept.append(kid)
        else:
            kept.append(kid)  # an MCID, a marked-content or object reference
    element.K = Array(kept)
    return bool(kept)


def _text(element: Any, texts: dict[tuple[int, int], str]) -> str:
    """Return the text below *element* (its MCIDs on its page, in order)."""
    page = element.get("/Pg")
    out = []
    for kid in _kids(element):
        if isinstance(kid, int) and page is not None:
            out.append(texts.get((page.objgen[0], int(kid)), ""))
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.StructElem:
            out.append(_text(kid, texts))
    return "".join(out)


def _label_list_items(element: Any, texts: dict[tuple[int, int], str]) -> None:
    """Give list items that begin with their own number that number as their ``Lbl``.

    A list drawn with its own numbers (``<li><span class="n">1</span>…``, so that the number
    sits exactly as on the plain cards) is tagged LI → LBody → [Span "1", text]; PDF/UA
    wants LI → [Lbl "1", LBody text].  The Span becomes the Lbl when its text is the item's
    position in the list, so emphasis at the start of an item is never mistaken for one.
    """
    for kid in _kids(element):
        if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.StructElem):
            continue
        if kid.get("/S") == Name.L:
            items = [i for i in _kids(kid) if isinstance(i, Dictionary) and i.get("/S") == Name.LI]
            for position, item in enumerate(items, start=1):
                bodies = _kids(item)
                if len(bodies) != 1 or bodies[0].get("/S") != Name.LBody:
                    continue
                body = bodies[0]
                parts = _kids(body)
                first = parts[0] if parts else None
                if (len(parts) > 1 and isinstance(first, Dictionary)
                        and first.get("/S") == Name.Span
                        and _text(first, texts).strip() == str(position)):
                    first.S = Name.Lbl
                    first.P = item
                    body.K = Array(parts[1:])
                    item.K = Array([first, body])
        _label_list_items(kid, texts)


__all__ = ["tidy_structure"]
