"""PDF variants: ``plain`` (default), ``print`` (PDF/X-4 in CMYK) and ``accessible`` (PDF/UA-1).

*print*
    Faces are rendered with every colour as CSS ``device-cmyk()`` — the theme colours' CMYK
    values from ``palette.yaml``, white as ``0 0 0 0``, text ink as ``0 0 0 100`` — in the card
    stylesheet and in the inline SVG icons and mini diagrams (WeasyPrint 70 parses
    ``device-cmyk()`` in CSS and in SVG paint and writes it as ``/DeviceCMYK cs … scn``).  The
    variant is part of every face's cache key, so RGB and CMYK faces never mix.
    :func:`finalize` then declares the bundled FOGRA39 profile as the PDF/X output intent,
    writes XMP metadata (``pdfxid:GTS_PDFXVersion``), ``/Trapped /False`` and a TrimBox on
    every page, and checks that no colour but DeviceCMYK is left in any content stream.

*accessible*
    Imposition and face assembly would throw WeasyPrint's structure tree away, so the selected
    card fronts are rendered as ONE tagged WeasyPrint document (``pdf_variant="pdf/ua-1"``),
    one card per page, no backs, at the deck's fitted type size (see :func:`accessible_pdf`);
    the templates then use headings and paragraphs, and icons and diagrams carry an SVG
    ``<title>`` (the figure's alternative text) from the content's ``ui`` strings.

The templates see the variant as ``pdf_variant`` (a global of a per-variant Jinja
environment); without it they render exactly as before, so plain output is unchanged.

Callers (the deck, the poster): render with :func:`css_colour` / :func:`variant_environment`
/ :func:`write_options`, then call :func:`finalize` on the pikepdf document right before
:func:`kaartspel.pdf.save.save_pdf` with the same title and language.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Sequence
from html import escape
from typing import Any, get_args

import jinja2
import pikepdf
from pikepdf import Array, Dictionary, Name, String

from kaartspel import __version__
from kaartspel.cache import digest
from kaartspel.errors import RenderError, UsageError
from kaartspel.options import PdfVariant
from kaartspel.pdf.save import build_date
from kaartspel.render.page_resources import replace_contents
from kaartspel.render.templates import PACKAGE_TEMPLATES, Colour, Palette, TemplateSet

log = logging.getLogger(__name__)



VARIANTS: tuple[str, ...] = get_args(PdfVariant)
"""Values of ``--pdf``."""

PROFILE = "icc/FOGRA39L-coated.icc"
"""The bundled CMYK output profile (``templates/icc/LICENSE.md``), found on the template path."""
OUTPUT_CONDITION_IDENTIFIER = "FOGRA39"
"""The characterization the bundled profile was built from (ICC registry name)."""
OUTPUT_CONDITION = "Offset printing on coated paper, ISO 12647-2:2004/Amd 1 (FOGRA39)"
REGISTRY_NAME = "http://www.color.org"
PDFX_VERSION = "PDF/X-4"
PDFX_MIN_VERSION = "1.6"
"""PDF/X-4 is based on PDF 1.6."""

WHITE_CMYK = (0, 0, 0, 0)
"""Paper white: no ink."""

CREATOR = f"kaartspel {__version__}"
PRODUCER = f"kaartspel {__version__} (WeasyPrint, pikepdf)"
"""The same strings :func:`kaartspel.pdf.save.save_pdf` writes to /Info (XMP must match them)."""


def check_variant(variant: str) -> str:
    """Return *variant* if it is one of :data:`VARIANTS`, else raise UsageError."""
    if variant not in VARIANTS:
        raise UsageError(f"unknown pdf '{variant}' (valid: {', '.join(VARIANTS)})")
    return variant


# --- colours -----------------------------------------------------------------------------------


def cmyk_css(cmyk: Sequence[float]) -> str:
    """Return CSS/SVG ``device-cmyk()`` for ink percentages [C, M, Y, K] 0–100."""
    if len(cmyk) != 4:
        raise ValueError(f"a CMYK colour has 4 components, not {len(cmyk)}: {cmyk!r}")
    return "device-cmyk(" + " ".join(f"{float(v):g}%" for v in cmyk) + ")"


def css_colour(rgb: str, cmyk: Sequence[float], variant: str) -> str:
    """Return the colour to write in CSS or SVG: *rgb*, or ``device-cmyk()`` for ``print``."""
    return cmyk_css(cmyk) if variant == "print" else rgb


def variant_palette(palette: Palette, variant: str) -> Palette:
    """Return *palette* with every colour as the *variant* writes it in CSS and SVG.

    ``print``: each theme's colour and tint and the ink become ``device-cmyk()`` of their
    print values; other variants keep the sRGB design values.  Code that paints with
    ``palette.colour(theme).rgb`` then paints in the variant's colours without knowing it.
    """
    if variant != "print":
        return palette
    themes = {
        key: Colour(cmyk_css(c.cmyk), c.cmyk, cmyk_css(c.tint_cmyk), c.tint_cmyk)
        for key, c in palette.themes.items()
    }
    return Palette(cmyk_css(palette.ink_cmyk), palette.ink_cmyk, themes)


def variant_environment(env: jinja2.Environment, variant: str) -> jinja2.Environment:
    """Return *env* for the plain variant, else an overlay whose templates see ``pdf_variant``.

    The overlay has its own template cache (templates are bound to the environment they were
    loaded by) and its own globals; the shared environment is never modified.
    """
    if variant == "plain":
        return env
    overlay = env.overlay(cache_size=400)
    overlay.globals = {**env.globals, "pdf_variant": variant}
    return overlay


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def with_title(svg: str, text: str) -> str:
    """Return inline *svg* with a ``<title>`` (WeasyPrint's alternative text for the figure)."""
    match = _SVG_OPEN.search(svg)
    if match is None or not text:
        return svg
    return f"{svg[: match.end()]}<title>{escape(text)}</title>{svg[match.end() :]}"


def write_options(variant: str) -> dict[str, Any]:
    """Return the extra ``Document.write_pdf`` options of *variant* (tags for ``accessible``)."""
    return {"pdf_variant": "pdf/ua-1"} if check_variant(variant) == "accessible" else {}


# --- finishing the document ------------------------------------------------------------------


def finalize(pdf: pikepdf.Pdf, variant: str, lang: str, title: str,
             templates: TemplateSet | None = None, strict: bool = True) -> None:
    """Make *pdf* conform to *variant*; call right before ``save_pdf(pdf, path, title, lang)``.

    ``plain`` changes nothing.  ``print`` adds the PDF/X-4 output intent (the CMYK profile
    ``icc/FOGRA39L-coated.icc`` from *templates*), identification, TrimBoxes and XMP, then
    checks that only DeviceCMYK colour is used (RenderError if not, a warning when not
    *strict*).  ``accessible`` checks the structure tree and sets /MarkInfo, /Lang,
    /DisplayDocTitle and XMP (``pdfuaid:part`` 1, ``dc:title``).  Dates come from
    :func:`kaartspel.pdf.save.build_date`; the XMP DocumentID is derived from the content, so
    the same inputs give the same bytes.
    """
    if check_variant(variant) == "plain":
        return
    templates = templates or TemplateSet.create()
    pdf.Root.Lang = String(lang)
    prefs = pdf.Root.get("/ViewerPreferences") or Dictionary()
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs
    if variant == "print":
        _print_boxes(pdf)
        _cmyk_groups(pdf)
        pdf.Root.OutputIntents = Array([_output_intent(pdf, templates)])
        pdf.docinfo["/GTS_PDFXVersion"] = String(PDFX_VERSION)
        pdf.docinfo["/Trapped"] = Name("/False")
        declared = max(_version_tuple(str(pdf.pdf_version)),
                       _version_tuple(str(pdf.Root.get("/Version", "/1.0")).lstrip("/")))
        if declared < _version_tuple(PDFX_MIN_VERSION):
            # The header is written by qpdf from the source's version; /Version (PDF 1.4+)
            # in the catalog raises the document's version without touching the writer.
            pdf.Root.Version = Name("/" + PDFX_MIN_VERSION)
    else:
        if "/StructTreeRoot" not in pdf.Root:
            raise RenderError("accessible PDF: no structure tree (the document is not tagged)")
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    _write_xmp(pdf, variant, lang, title)
    if variant == "print":
        _require_cmyk(pdf, strict)
        overprint_black_text(pdf)


OVERPRINT = "/KsOverprint"
KNOCKOUT = "/KsKnockout"
"""ExtGState resource names: overprint on for black text, and back off for everything else."""
_TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})
_OTHER_PAINT = frozenset({"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do",
                          "INLINE IMAGE"})


def overprint_black_text(pdf: pikepdf.Pdf) -> int:
    """Make text filled in 100 % K overprint; return how many text operators now do.

    Black text knocks out whatever lies under it by default: the press leaves the tint of a
    panel blank where a letter will be, and a hair of misregistration shows as a white
    fringe around small type.  Set to overprint (``/OP true /op true /OPM 1``: the zero
    C, M and Y of ``0 0 0 1 k`` leave the inks below alone), black prints over the tint.
    Only text in exactly 0 0 0 1 overprints; before anything else is painted, overprint is
    switched off again, so colours and white knock out as designed.
    """
    overprint = pdf.make_indirect(Dictionary(Type=Name.ExtGState, OP=True, op=True, OPM=1))
    knockout = pdf.make_indirect(Dictionary(Type=Name.ExtGState, OP=False, op=False, OPM=0))
    count = 0
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = list(pdf.pages)
    while stack:
        owner = stack.pop()
        obj = owner.obj if isinstance(owner, pikepdf.Page) else owner
        resources = obj.get("/Resources")
        if resources is None:
            resources = obj.Resources = Dictionary()
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                stack.append(xobject)
        instructions, shown = _overprinted(pikepdf.parse_content_stream(owner))
        if not shown:
            continue
        count += shown
        states = resources.get("/ExtGState")
        if states is None:
            states = resources.ExtGState = Dictionary()
        states[Name(OVERPRINT)] = overprint
        states[Name(KNOCKOUT)] = knockout
        data = pikepdf.unparse_content_stream(instructions)
        if isinstance(owner, pikepdf.Page):
            replace_contents(owner, data)
        else:
            owner.write(data)
    return count


def _overprinted(instructions: Any) -> tuple[list[Any], int]:
    """Return *instructions* with overprint switched on for black text, and the count."""
    out: list[Any] = []
    black, on = False, False
    saved: list[tuple[bool, bool]] = []
    shown = 0

    def switch(state: bool) -> None:
        nonlocal on
        if state != on:
            name = OVERPRINT if state else KNOCKOUT
            out.append(pikepdf.ContentStreamInstruction([Name(name)], pikepdf.Operator("gs")))
            on = state

    for instruction in instructions:
        op = str(instruction.operator)
        operands = list(getattr(instruction, "operands", ()))
        if op == "q":
            saved.append((black, on))
        elif op == "Q" and saved:
            black, on = saved.pop()
        elif op == "k" or (op in ("sc", "scn") and len(operands) == 4):
            black = [float(v) for v in operands] == [0.0, 0.0, 0.0, 1.0]
        elif op == "cs":  # DeviceCMYK starts at 0 0 0 1 (ISO 32000-1, 8.6.8)
            black = bool(operands) and str(operands[0]) == "/DeviceCMYK"
        elif op in ("g", "rg", "scn", "sc"):
            black = False
        if op in _TEXT_SHOW:
            switch(black)
            shown += black
        elif op in _OTHER_PAINT:
            switch(False)
        out.append(instruction)
    return out, shown


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _print_boxes(pdf: pikepdf.Pdf) -> None:
    """Give every page a TrimBox (PDF/X): pages without one (sheets) are trimmed at the media."""
    for page in pdf.pages:
        if "/TrimBox" not in page.obj and "/ArtBox" not in page.obj:
            page.obj.TrimBox = Array([float(v) for v in page.mediabox])


def _cmyk_groups(pdf: pikepdf.Pdf) -> None:
    """Blend transparency groups in DeviceCMYK instead of WeasyPrint's default DeviceRGB.

    WeasyPrint gives the groups it makes for SVG opacity ``/CS /DeviceRGB`` unless a CMYK
    output intent was set when the face was written; the faces are written without one (the
    intent belongs to the assembled document), and their content is CMYK already.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pdf.pages]
    while stack:
        owner = stack.pop()
        group = owner.get("/Group")
        if group is not None and group.get("/CS") in (Name.DeviceRGB, Name.DeviceGray):
            group.CS = Name.DeviceCMYK
        resources = owner.get("/Resources") or {}
        children = list((resources.get("/XObject") or {}).values())
        children += [g.SMask.G for g in (resources.get("/ExtGState") or {}).values()
                     if isinstance(g.get("/SMask"), pikepdf.Dictionary) and "/G" in g.SMask]
        for child in children:
            if child.is_indirect:
                if child.objgen in seen:
                    continue
                seen.add(child.objgen)
            if child.get("/Subtype") == Name.Form:
                stack.append(child)


def _output_intent(pdf: pikepdf.Pdf, templates: TemplateSet) -> pikepdf.Object:
    """Return the /GTS_PDFX output intent with the CMYK profile embedded."""
    path = templates.find(PROFILE)
    data = path.read_bytes()
    if len(data) < 128 or data[16:20] != b"CMYK" or data[12:16] != b"prtr":
        raise UsageError(f"{PROFILE}: not a CMYK output (prtr) ICC profile")
    profile = pdf.make_stream(data)
    profile.N = 4
    profile.Alternate = Name.DeviceCMYK
    bundled = path.resolve() == (PACKAGE_TEMPLATES / PROFILE).resolve()
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        DestOutputProfile=profile,
    )
    if bundled:
        intent.OutputConditionIdentifier = String(OUTPUT_CONDITION_IDENTIFIER)
        intent.RegistryName = String(REGISTRY_NAME)
        intent.OutputCondition = String(OUTPUT_CONDITION)
        intent.Info = String(_profile_description(data) or OUTPUT_CONDITION)
    else:  # a user's own profile from a --templates folder: named by its description
        description = _profile_description(data) or path.stem
        intent.OutputConditionIdentifier = String("Custom")
        intent.Info = String(description)
    return pdf.make_indirect(intent)


def _profile_description(data: bytes) -> str | None:
    """Return the ``desc`` text of an ICC profile (v2 textDescription or v4 mluc), if any."""
    try:
        count = int.from_bytes(data[128:132], "big")
        for i in range(count):
            entry = data[132 + 12 * i : 144 + 12 * i]
            if entry[:4] != b"desc":
                continue
            offset = int.from_bytes(entry[4:8], "big")
            tag = data[offset : offset + int.from_bytes(entry[8:12], "big")]
            if tag[:4] == b"desc":
                length = int.from_bytes(tag[8:12], "big")
                return tag[12 : 12 + length].rstrip(b"\0").decode("latin-1")
            if tag[:4] == b"mluc":
                size, start = int.from_bytes(tag[20:24], "big"), int.from_bytes(tag[24:28], "big")
                return tag[start : start + size].decode("utf-16-be")
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _content_digest(pdf: pikepdf.Pdf) -> str:
    """Hash every page's content stream and the streams of the XObjects it uses."""
    h = hashlib.sha256()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pdf.pages]
    while stack:
        obj = stack.pop()
        contents = obj.get("/Contents") if "/Contents" in obj else obj
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            if isinstance(stream, pikepdf.Stream):
                h.update(stream.read_raw_bytes())
        resources = obj.get("/Resources") or {}
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.is_indirect and xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            stack.append(xobject)
    return h.hexdigest()


XMP_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
"""The schemas the metadata uses, each declared once, on its rdf:Description."""


def _write_xmp(pdf: pikepdf.Pdf, variant: str, lang: str, title: str) -> None:
    """Replace the XMP metadata with one that matches what ``save_pdf`` writes to /Info.

    The packet is written here, not by pikepdf's metadata editor, which declares each
    namespace on the property that uses it: XMP allows that, but strict readers (Apache
    PDFBox's xmpbox, which many preflight tools build on) look for the schemas on
    ``rdf:Description`` and then see no ``dc:title`` at all.
    """
    date = build_date().strftime("%Y-%m-%dT%H:%M:%SZ")
    name = digest(_content_digest(pdf), variant, lang, title, date)
    document_id = f"uuid:{uuid.UUID(hex=name[:32])}"
    simple = {
        "dc:format": "application/pdf",
        "xmp:CreatorTool": CREATOR,
        "xmp:CreateDate": date,
        "xmp:ModifyDate": date,
        "xmp:MetadataDate": date,
        "pdf:Producer": PRODUCER,
        "xmpMM:DocumentID": document_id,
        "xmpMM:InstanceID": document_id,
        "xmpMM:VersionID": "1",
        "xmpMM:RenditionClass": "default",
    }
    if variant == "print":
        simple |= {"pdf:Trapped": "False", "pdfxid:GTS_PDFXVersion": PDFX_VERSION}
    else:
        simple["pdfuaid:part"] = "1"
    used = {key.split(":")[0] for key in simple} | {"dc"}
    declarations = "".join(f'\n    xmlns:{prefix}="{uri}"'
                           for prefix, uri in XMP_NAMESPACES.items() if prefix in used)
    properties = [
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li>'
        "</rdf:Alt></dc:title>",
        f"   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>",
        *(f"   <{key}>{escape(value)}</{key}>" for key, value in simple.items()),
    ]
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about=""{declarations}>\n'
        + "\n".join(properties) + "\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    metadata = pdf.make_stream(packet.encode("utf-8"))
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = metadata


def _require_cmyk(pdf: pikepdf.Pdf, strict: bool) -> None:
    """Raise RenderError (warn when not *strict*) if anything but DeviceCMYK paints."""
    from kaartspel.pdf.preflight import colour_problems

    problems = colour_problems(pdf)
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    message = f"print PDF: not CMYK-only: {first}{more}"
    if strict:
        raise RenderError(message + "; use --no-strict to build anyway")
    log.warning("%s", message)


__all__ = [
    "PROFILE", "VARIANTS", "check_variant", "cmyk_css", "css_colour", "finalize",
    "variant_environment", "variant_palette", "with_title", "write_options",
]
