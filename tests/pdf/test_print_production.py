"""Print production, checked with tools the project did not write: every output kind in every
variant validated, text that searches, marks and preferences a print shop expects.

Who validates what (also in the README):

* PDF/UA-1 of every accessible output: ``page-validation`` (:func:`pdfua_validate`);
* the XMP metadata of print and accessible outputs: Apache PDFBox (:func:`pdfbox_preflight`);
* PDF/X-4: no validator is obtainable here, so :func:`pdfx_problems` below checks what the
  standard asks of our files (output intent, boxes, colour spaces of every content stream,
  XObject, image and shading, identification in /Info and XMP, /Trapped);
* ink: Ghostscript separates the print poster through its output intent (total ink ≤ 300 %)
  and simulates overprint (black text prints over tints);
* text: poppler's ``pdftotext`` and pdfminer.six.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pikepdf import Name

from kaartspel.content.load import load_content
from kaartspel.deck.assemble import build_deck
from kaartspel.errors import UsageError
from kaartspel.options import DeckOptions, PosterOptions, default_poster_output
from kaartspel.pdf.marks import REGISTRATION
from kaartspel.pdf.preflight import preflight
from kaartspel.pdf.variants import KNOCKOUT, OVERPRINT
from kaartspel.poster.assemble import build_poster
from kaartspel.render.colour import INK_LIMIT
from support.validators import (
    ghostscript_max_ink,
    pdfbox_preflight,
    pdfminer_text,
    pdftotext_text,
    pdfua_validate,
    require_tool,
)

SOFT_HYPHEN = "\u00ad"


def build(folder: Path, name: str, content_dir: Path, kind: str = "poster",
          **options: Any) -> Path:
    """Build a poster (or a deck) into *folder*, which is also the working directory."""
    path = folder / f"{name}.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        if kind == "poster":
            build_poster(content_dir, PosterOptions(**options), path)
        else:
            build_deck(content_dir, DeckOptions(**options), path)
    return path


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> dict[str, Path]:
    """Every output kind in the variants these tests look at, sharing one cache."""
    folder = tmp_path_factory.mktemp("production")
    made = {
        "poster-plain": build(folder, "poster-plain", content_dir),
        "poster-print": build(folder, "poster-print", content_dir, pdf="print"),
        "poster-print-bleed": build(folder, "poster-print-bleed", content_dir, pdf="print",
                                    bleed=3.0),
        "poster-print-tiles": build(folder, "poster-print-tiles", content_dir, pdf="print",
                                    size="a2", tile="a4"),
        "poster-accessible": build(folder, "poster-accessible", content_dir, pdf="accessible"),
        "poster-accessible-en": build(folder, "poster-accessible-en", content_dir,
                                      pdf="accessible", lang="en", size="a2", bleed=3.0),
        "handout": build(folder, "handout", content_dir, size="a4"),
        "deck-plain": build(folder, "deck-plain", content_dir, "deck"),
        "deck-print-single": build(folder, "deck-print-single", content_dir, "deck",
                                   pdf="print", layout="single"),
        "deck-print-sheet": build(folder, "deck-print-sheet", content_dir, "deck",
                                  pdf="print"),
        "deck-accessible": build(folder, "deck-accessible", content_dir, "deck",
                                 pdf="accessible"),
    }
    return made


PRINT = ["poster-print", "poster-print-bleed", "poster-print-tiles", "deck-print-single",
         "deck-print-sheet"]
ACCESSIBLE = ["poster-accessible", "poster-accessible-en", "deck-accessible"]


# --- PDF/X-4: our own checks ------------------------------------------------------------------


def content_owners(pdf: pikepdf.Pdf) -> Iterator[tuple[str, Any, Any]]:
    """Yield (where, owner, resources) of every content stream: pages, forms, tiling
    patterns, soft-mask groups, annotation appearances."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, Any, Any]] = [
        (f"page {i}", page.obj, page.obj.get("/Resources")) for i, page in
        enumerate(pdf.pages, start=1)]
    for i, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots") or []:
            for appearance in (annot.get("/AP") or {}).values():
                if isinstance(appearance, pikepdf.Stream):
                    stack.append((f"page {i} annotation", appearance,
                                  appearance.get("/Resources")))
    while stack:
        where, owner, resources = stack.pop()
        yield where, owner, resources
        resources = resources or {}
        children = [(f"{where} {name}", xobject)
                    for name, xobject in (resources.get("/XObject") or {}).items()]
        children += [(f"{where} pattern {name}", p)
                     for name, p in (resources.get("/Pattern") or {}).items()]
        children += [(f"{where} soft mask", g.SMask.G)
                     for g in (resources.get("/ExtGState") or {}).values()
                     if isinstance(g.get("/SMask"), pikepdf.Dictionary)]
        for child_where, child in children:
            if child.objgen in seen:
                continue
            seen.add(child.objgen)
            if isinstance(child, pikepdf.Stream) and child.get("/Subtype") != Name.Image:
                stack.append((child_where, child, child.get("/Resources") or resources))


def colour_space_ok(space: Any, resources: Any) -> bool:
    """Return whether *space* is CMYK print colour: DeviceCMYK, 4-component ICC, or the
    registration colour (a Separation /All with a DeviceCMYK alternate)."""
    if isinstance(space, Name):
        if str(space) in ("/DeviceCMYK", "/CMYK", "/Pattern"):
            return True
        named = ((resources or {}).get("/ColorSpace") or {}).get(str(space))
        return named is not None and colour_space_ok(named, resources)
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            return int(space[1].N) == 4
        if family == "/Separation":
            return str(space[1]) == "/All" and str(space[2]) == "/DeviceCMYK"
        if family in ("/Indexed", "/Pattern") and len(space) > 1:
            return colour_space_ok(space[1], resources)
    return False


def pdfx_problems(path: Path) -> list[str]:
    """Return what keeps *path* from being the PDF/X-4 (CMYK, FOGRA39) file it claims."""
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        intents = [i for i in pdf.Root.get("/OutputIntents") or [] if i.get("/S") == "/GTS_PDFX"]
        if len(intents) != 1:
            problems.append(f"{len(intents)} GTS_PDFX output intents")
        else:
            profile = intents[0].get("/DestOutputProfile")
            data = profile.read_bytes() if profile is not None else b""
            if data[16:20] != b"CMYK" or data[12:16] != b"prtr" or int(profile.N) != 4:
                problems.append("the output intent's profile is no CMYK output profile")
            if not str(intents[0].get("/OutputConditionIdentifier", "")):
                problems.append("no OutputConditionIdentifier")
        if str(pdf.docinfo.get("/GTS_PDFXVersion", "")) != "PDF/X-4":
            problems.append("/Info has no GTS_PDFXVersion PDF/X-4")
        if pdf.docinfo.get("/Trapped") not in (Name("/True"), Name("/False")):
            problems.append("/Info /Trapped is not True or False")
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in pdf.Root else ""
        if "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" not in xmp:
            problems.append("XMP has no pdfxid:GTS_PDFXVersion PDF/X-4")
        if "<pdf:Trapped>False</pdf:Trapped>" not in xmp:
            problems.append("XMP pdf:Trapped does not match /Info")
        version = max(str(pdf.pdf_version), str(pdf.Root.get("/Version", "/1.0")).lstrip("/"))
        if version < "1.6":
            problems.append(f"PDF {version}, below PDF/X-4's 1.6")
        for number, page in enumerate(pdf.pages, start=1):
            obj = page.obj
            media = [float(v) for v in page.mediabox]
            if ("/TrimBox" in obj) == ("/ArtBox" in obj):
                problems.append(f"page {number}: needs a TrimBox or an ArtBox, not both")
            for name in ("/TrimBox", "/ArtBox", "/BleedBox"):
                if name in obj:
                    box = [float(v) for v in obj[name]]
                    if not (media[0] <= box[0] < box[2] <= media[2]
                            and media[1] <= box[1] < box[3] <= media[3]):
                        problems.append(f"page {number}: {name} outside the MediaBox")
            if "/TrimBox" in obj and "/BleedBox" in obj:
                trim, bleed = ([float(v) for v in obj[k]] for k in ("/TrimBox", "/BleedBox"))
                if not (bleed[0] <= trim[0] and bleed[1] <= trim[1] and trim[2] <= bleed[2]
                        and trim[3] <= bleed[3]):
                    problems.append(f"page {number}: TrimBox outside the BleedBox")
        for where, owner, resources in content_owners(pdf):
            group = owner.get("/Group")
            if group is not None and "/CS" in group and not colour_space_ok(group.CS, resources):
                problems.append(f"{where}: transparency group in {group.CS}")
            for name, xobject in ((resources or {}).get("/XObject") or {}).items():
                if xobject.get("/Subtype") == Name.Image and not xobject.get("/ImageMask") \
                        and not colour_space_ok(xobject.get("/ColorSpace"), resources):
                    problems.append(f"{where}: image {name} in {xobject.get('/ColorSpace')}")
            for name, shading in ((resources or {}).get("/Shading") or {}).items():
                if not colour_space_ok(shading.get("/ColorSpace"), resources):
                    problems.append(f"{where}: shading {name} in {shading.get('/ColorSpace')}")
            for instruction in pikepdf.parse_content_stream(owner):
                op = str(instruction.operator)
                if op in ("g", "G", "rg", "RG"):
                    problems.append(f"{where}: {op} paints in a device colour other than CMYK")
                elif op in ("cs", "CS") and not colour_space_ok(instruction.operands[0],
                                                                 resources):
                    problems.append(f"{where}: {op} {instruction.operands[0]}")
                elif op == "INLINE IMAGE":
                    problems.append(f"{where}: an inline image")
    return sorted(set(problems))


def test_pdfx_check_finds_what_it_looks_for(tmp_path: Path, outputs: dict[str, Path]) -> None:
    """Our PDF/X check would see RGB paint, a missing box and a missing identification."""
    damaged = tmp_path / "damaged.pdf"
    with pikepdf.open(outputs["deck-print-single"]) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"1 0 0 rg 0 0 5 5 re f"), prepend=False)
        del page.obj["/TrimBox"]
        del pdf.docinfo["/GTS_PDFXVersion"]
        pdf.save(damaged)
    problems = pdfx_problems(damaged)
    assert "page 1: needs a TrimBox or an ArtBox, not both" in problems
    assert "/Info has no GTS_PDFXVersion PDF/X-4" in problems
    assert any("rg paints" in p for p in problems), problems


@pytest.mark.parametrize("name", PRINT)
def test_print_outputs_are_pdfx4(outputs: dict[str, Path], name: str) -> None:
    assert pdfx_problems(outputs[name]) == []


@pytest.mark.parametrize("name", ["poster-print-bleed", "poster-print-tiles", "deck-print-single",
                                  "deck-print-sheet"])
def test_print_outputs_pass_kaartspels_preflight(outputs: dict[str, Path], name: str) -> None:
    report = preflight(outputs[name])
    assert report.ok, report.failures
    assert report.require_cmyk and report.pdfx_version == "PDF/X-4"


def test_print_poster_has_bleed_boxes_and_registration_marks(outputs: dict[str, Path]) -> None:
    with pikepdf.open(outputs["poster-print-bleed"]) as pdf:
        page = pdf.pages[0]
        trim, bleed = ([float(v) for v in page.obj[k]] for k in ("/TrimBox", "/BleedBox"))
        assert round((trim[2] - trim[0]) * 25.4 / 72) == 594
        assert trim[0] - bleed[0] == pytest.approx(3 * 72 / 25.4, abs=0.01)
        contents = page.obj.Contents
        marks = b"".join(c.read_bytes() for c in contents) if isinstance(
            contents, pikepdf.Array) else contents.read_bytes()
        assert re.search(rb"/KsRegistration\s+CS\s+1\s+SCN", marks)
        assert re.search(rb"/Artifact\s*<<\s*/Type\s*/Page\s*>>\s*BDC", marks)
    with pikepdf.open(outputs["poster-print"]) as pdf:  # no bleed: trimmed at the page
        page = pdf.pages[0]
        assert list(page.obj.TrimBox) == list(page.mediabox)
        assert list(page.obj.get("/BleedBox", page.mediabox)) == list(page.mediabox)


def test_print_tiles_have_an_art_box_around_the_poster_part(outputs: dict[str, Path]) -> None:
    with pikepdf.open(outputs["poster-print-tiles"]) as pdf:
        assert len(pdf.pages) > 2
        for page in pdf.pages[1:]:  # after the assembly sheet (the poster, small)
            assert "/ArtBox" in page.obj and "/TrimBox" not in page.obj
            assert REGISTRATION in page.obj.Resources.ColorSpace


def test_preflight_words_fit_the_file(outputs: dict[str, Path]) -> None:
    poster = "\n".join(preflight(outputs["poster-print-bleed"]).summary())
    assert "1 poster page(s), trim 594×841 mm, bleed 3 mm" in poster
    assert "card" not in poster
    edge = "\n".join(preflight(outputs["poster-print"]).summary())
    assert "1 poster page(s) printed to the page edge, 594×841 mm, no bleed" in edge
    cards = "\n".join(preflight(outputs["deck-print-single"]).summary())
    assert "card page(s), one card each, trim 63×88 mm, bleed 3 mm" in cards
    sheets = "\n".join(preflight(outputs["deck-print-sheet"]).summary())
    assert "imposed sheet(s): an ArtBox around the cards" in sheets


# --- ink: Ghostscript -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "box"), [("poster-print-bleed", "bleed"),
                                           ("poster-print", "trim"),
                                           ("poster-print-tiles", "art")])
def test_no_pixel_of_the_print_poster_exceeds_the_ink_limit(
    outputs: dict[str, Path], name: str, box: str
) -> None:
    """Separated through the output intent, within the printed product (marks beside it
    are in the registration colour, as they must be)."""
    assert ghostscript_max_ink(outputs[name], box=box) <= INK_LIMIT


def test_black_text_overprints(outputs: dict[str, Path]) -> None:
    """Every string shown in 0 0 0 1 is shown with overprint on, and nothing else is."""
    with pikepdf.open(outputs["deck-print-single"]) as pdf:
        states = {}
        shown = {"black, overprint": 0, "black, knockout": 0, "colour, overprint": 0}
        for _, owner, resources in content_owners(pdf):
            for name, state in ((resources or {}).get("/ExtGState") or {}).items():
                states[name] = state
            black = on = False
            saved = []
            for instruction in pikepdf.parse_content_stream(owner):
                op, operands = str(instruction.operator), list(instruction.operands)
                if op == "q":
                    saved.append((black, on))
                elif op == "Q" and saved:
                    black, on = saved.pop()
                elif op in ("k", "scn", "sc") and len(operands) == 4:
                    black = [float(v) for v in operands] == [0, 0, 0, 1]
                elif op == "gs" and str(operands[0]) in (OVERPRINT, KNOCKOUT):
                    state = states[str(operands[0])]
                    on = bool(state.OP) and bool(state.op) and int(state.OPM) == 1
                elif op in ("Tj", "TJ"):
                    key = ("black" if black else "colour") + (", overprint" if on else ", knockout")
                    shown[key] = shown.get(key, 0) + 1
    assert shown["black, overprint"] > 100 and shown["black, knockout"] == 0, shown
    assert shown["colour, overprint"] == 0, shown


def test_ghostscript_prints_black_text_over_the_tint(outputs: dict[str, Path],
                                                     tmp_path: Path, content_dir: Path) -> None:
    """Ghostscript's CMYK output simulates overprint: the pixels of 100 % K letters on the
    personal question's tinted panel keep the tint's C, M and Y (a knockout has none)."""
    import subprocess

    from PIL import Image

    from kaartspel.deck.assemble import deck_cards

    gs = require_tool("gs")
    cards = deck_cards(load_content(content_dir, "nl"), DeckOptions(layout="single"))
    # The first question card's front (single layout: all fronts, then the backs).
    page = 1 + next(i for i, card in enumerate(cards) if card.kind == "question")
    out = tmp_path / "card.tif"
    subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiff32nc", "-r150",
                    "-dUsePDFX3Profile", f"-dFirstPage={page}", f"-dLastPage={page}",
                    f"-sOutputFile={out}", str(outputs["deck-print-single"])], check=True)
    with Image.open(out) as image:
        text = [p for p in image.convert("CMYK").get_flattened_data() if p[3] == 255]
    over_tint = [p for p in text if max(p[:3]) > 0]
    assert text and len(over_tint) > len(text) / 10, (len(text), len(over_tint))


# --- PDF/UA-1: page-validation; XMP: PDFBox -----------------------------------------------


@pytest.mark.parametrize("name", ACCESSIBLE)
def test_accessible_outputs_are_pdfua(outputs: dict[str, Path], name: str) -> None:
    ok, failures = pdfua_validate(outputs[name])
    assert ok, "\n".join(failures)


@pytest.mark.parametrize("name", ["poster-print-bleed", "deck-print-single", *ACCESSIBLE])
def test_pdfbox_reads_the_xmp(outputs: dict[str, Path], name: str) -> None:
    ok, messages = pdfbox_preflight(outputs[name])
    assert ok, messages


def struct_elements(element: Any) -> Iterator[Any]:
    if isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem":
        yield element
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            yield from struct_elements(kid)


def test_accessible_poster_is_structured_as_the_design_reads(
    outputs: dict[str, Path], content_dir: Path
) -> None:
    """A section per part, the title as H1, the section heads as H2, the ladder and the
    cycle as figures with their alternative text, no empty elements."""
    ui = load_content(content_dir, "nl").ui
    with pikepdf.open(outputs["poster-accessible"]) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        elements = list(struct_elements(document))
        roles = [str(e.S) for e in elements]
        assert roles.count("/H1") == 1 and roles.count("/H2") == 7, roles
        assert roles.count("/Sect") >= 9
        assert [str(e.Alt) for e in elements if e.S == "/Figure"] == [ui.ladder_alt,
                                                                       ui.cycle_alt]
        assert all(len(e.K) if isinstance(e.K, pikepdf.Array) else e.get("/K") is not None
                   for e in elements)


def test_accessible_poster_cannot_be_tiled(tmp_path: Path, content_dir: Path) -> None:
    with pytest.raises(UsageError, match="cannot be split into --tile sheets"):
        build_poster(content_dir, PosterOptions(pdf="accessible", tile="a4"), tmp_path / "x.pdf")


# --- text that searches and copies ----------------------------------------------------------


def searchable(text: str) -> str:
    """Return *text* as a search reads it: a soft hyphen (U+00AD) marks a word the layout
    broke, so it and the line break after it go (PDF 1.7 reference 10.8.2, ISO 32000-1
    14.8.2.2.3); spaces are folded."""
    return " ".join(re.sub(SOFT_HYPHEN + r"\s*", "", text).split())


@pytest.mark.parametrize("name", ["deck-plain", "deck-print-single", "deck-accessible",
                                  "poster-plain", "poster-print-bleed", "poster-accessible"])
@pytest.mark.parametrize("extract", [pdftotext_text, pdfminer_text])
def test_text_searches_whole(outputs: dict[str, Path], name: str, extract: Any) -> None:
    text = extract(outputs[name])
    assert "\ufb00" not in text and "\ufb01" not in text
    assert "affiniteit" in searchable(text)  # the ff ligature reads as its letters
    # The text's own hyphen stays a hyphen: U+002D in a line, U+2010 at its end (poppler
    # drops a line-final U+002D as if the layout had added it: "codesign").
    assert re.search("co[-\u2010]\\s*design", text) and "codesign" not in text
    if extract is pdftotext_text:  # (pdfminer may set a card's lines as one)
        assert all(line.endswith("\u2010") for line in text.splitlines() if "\u2010" in line)


@pytest.mark.parametrize("name", ["poster-plain", "poster-print-bleed", "poster-accessible"])
def test_hyphenated_words_search_whole(outputs: dict[str, Path], name: str) -> None:
    """"men-" | "sen" reads "men\u00ad" | "sen": a search finds "mensen" (in a tip), in either
    of pdftotext's orders and in pdfminer's."""
    for text in (pdftotext_text(outputs[name]), pdftotext_text(outputs[name], raw=True),
                 pdfminer_text(outputs[name])):
        assert SOFT_HYPHEN in text  # hyphenation is on: breaks exist, and they are soft
        assert "de diversiteit van mensen en hun contexten" in searchable(text)


def test_soft_hyphens_are_only_at_line_ends(outputs: dict[str, Path]) -> None:
    text = pdftotext_text(outputs["poster-plain"])
    assert text.count(SOFT_HYPHEN) >= 3  # (only long words of prose hyphenate)
    assert all(line.endswith(SOFT_HYPHEN) for line in text.splitlines() if SOFT_HYPHEN in line)


def test_soft_hyphens_still_show_a_hyphen(outputs: dict[str, Path], tmp_path: Path) -> None:
    """The soft hyphen's code draws the hyphen glyph: the page looks as it did."""
    with pikepdf.open(outputs["poster-plain"]) as pdf:
        fonts = [f for f in pdf.pages[0].obj.Resources.Font.values()
                 if f.DescendantFonts[0].get("/CIDToGIDMap") != Name.Identity]
        assert fonts
        for font in fonts:
            mapping = font.DescendantFonts[0].CIDToGIDMap.read_bytes()
            codes = len(mapping) // 2
            aliases = {cid: int.from_bytes(mapping[2 * cid:2 * cid + 2], "big")
                       for cid in range(codes)
                       if int.from_bytes(mapping[2 * cid:2 * cid + 2], "big") != cid}
            assert aliases and all(gid < cid for cid, gid in aliases.items())


def design_order(content_dir: Path, lang: str) -> list[str]:
    """The poster's parts in the order the design brief gives them."""
    content = load_content(content_dir, lang)
    d = content.data
    tips = [tip.text for tip in d.tips.items]
    return [content.meta.title, d.intro.why.title, d.intro.what.title, d.ambities.title,
            *[level.title for level in d.ambities.levels], d.cyclus.title,
            *[phase.title for phase in d.cyclus.phases], d.rollen.title, d.essentials.title,
            *[theme.name for theme in d.essentials.themes.values()], d.tips.title, *tips,
            content.meta.funding]


@pytest.mark.parametrize("name", ["poster-plain", "poster-print-bleed", "poster-accessible",
                                  "handout"])
def test_poster_text_comes_out_section_by_section(outputs: dict[str, Path], name: str,
                                                  content_dir: Path) -> None:
    """In content-stream order (``pdftotext -raw``, the order the file is written in and the
    tagged variant's structure follows) every part comes whole and in the design's order."""
    text = searchable(pdftotext_text(outputs[name], raw=True))
    position = 0
    for part in design_order(content_dir, "nl"):
        found = text.find(" ".join(part.split()), position)
        assert found >= 0, f"{part!r} not found (in order) after {text[position:position + 80]!r}"
        position = found


@pytest.mark.parametrize("name", ["poster-plain", "poster-print-bleed", "poster-accessible-en",
                                  "handout"])
def test_tips_extract_each_whole_and_in_order(outputs: dict[str, Path], name: str,
                                              content_dir: Path) -> None:
    """Each tip comes out whole, its number first, and the tips in order: in pdftotext's
    default mode (its own geometric reading order, which found a tip's first line beside a
    larger number a block of its own, and read the first lines of a row of tips before any
    second line), in content-stream order and in pdfminer's."""
    lang = "en" if name.endswith("-en") else "nl"
    tips = [" ".join(t.text.split()) for t in load_content(content_dir, lang).data.tips.items]
    path = outputs[name]
    for extract, text in (("pdftotext", pdftotext_text(path)),
                          ("pdftotext -raw", pdftotext_text(path, raw=True)),
                          ("pdfminer", pdfminer_text(path))):
        # A line may end at the text's own hyphen, which poppler reads as U+2010.
        flat = re.sub("\u2010 ", "-", searchable(text))
        position = 0
        for number, tip in enumerate(tips, start=1):
            found = flat.find(f"{number:02d} {tip}", position)
            assert found >= 0, f"{extract}: tip {number} not whole (or not in order): {tip!r}"
            position = found


# --- viewer preferences ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["poster-plain", "poster-print-bleed", "poster-accessible",
                                  "handout", "deck-plain", "deck-print-single",
                                  "deck-accessible"])
def test_print_dialogs_do_not_scale(outputs: dict[str, Path], name: str) -> None:
    with pikepdf.open(outputs[name]) as pdf:
        assert pdf.Root.ViewerPreferences.PrintScaling == Name("/None")


def test_the_two_sided_handout_asks_for_duplex(outputs: dict[str, Path]) -> None:
    with pikepdf.open(outputs["handout"]) as pdf:
        assert len(pdf.pages) == 2
        assert pdf.Root.ViewerPreferences.Duplex == Name.DuplexFlipLongEdge
    with pikepdf.open(outputs["poster-plain"]) as pdf:
        assert "/Duplex" not in pdf.Root.ViewerPreferences


def test_plain_marks_stay_grey_and_plain_posters_rgb(outputs: dict[str, Path]) -> None:
    with pikepdf.open(outputs["deck-plain"]) as pdf:
        sheet = pdf.pages[0].obj.Contents.read_bytes()
        assert b" 0 G " in sheet and REGISTRATION.encode() not in sheet
    with pikepdf.open(outputs["poster-plain"]) as pdf:
        assert "/OutputIntents" not in pdf.Root


def test_default_poster_names_say_the_variant() -> None:
    assert default_poster_output(PosterOptions(pdf="print", bleed=3)) == Path(
        "build/poster-nl-a1-bleed3-print.pdf")
    assert default_poster_output(PosterOptions()) == Path("build/poster-nl-a1.pdf")
