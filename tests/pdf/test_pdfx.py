"""PDF variants: print (PDF/X-4, CMYK only) and accessible (tagged PDF/UA-1); plain unchanged.

The decks are small (one theme, a few cards) so that the module renders in a few seconds.
Colour is checked by an interpreter-free walk over every content stream here, independent of
:mod:`kaartspel.pdf.preflight`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml

from kaartspel.content.load import load_content
from kaartspel.deck import variants as deck_variants
from kaartspel.deck.assemble import build_deck
from kaartspel.errors import UsageError
from kaartspel.options import DeckOptions
from kaartspel.options import default_deck_output as default_output
from kaartspel.pdf import variants as pdfx
from kaartspel.pdf.impose import crop_marks, plan_grid
from kaartspel.render.templates import PACKAGE_TEMPLATES, TemplateSet
from kaartspel.units import card_size, paper_size

THEME = "netwerkvorming"


def build(folder: Path, name: str, content_dir: Path, **options: Any) -> Path:
    """Build a deck into *folder* (also the working directory, so the cache stays there)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        path = folder / f"{name}.pdf"
        build_deck(content_dir, DeckOptions(**options), path)
    return path


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> dict[str, Path]:
    """Plain and print decks of one theme, single and sheet layout, sharing one face cache."""
    folder = tmp_path_factory.mktemp("pdfx")
    return {
        "plain-single": build(folder, "plain-single", content_dir, themes=(THEME,),
                              layout="single"),
        "print-single": build(folder, "print-single", content_dir, themes=(THEME,),
                              layout="single", pdf="print"),
        "print-sheet": build(folder, "print-sheet", content_dir, themes=(THEME,),
                             pdf="print"),
        "plain-single-again": build(folder, "plain-single-again", content_dir,
                                    themes=(THEME,), layout="single"),
    }


ACCESSIBLE_CARDS = ("title", "level-3", "netwerkvorming-1")


@pytest.fixture(scope="module")
def accessible(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Path:
    """A tagged deck: the title card, a level card (ladder) and a question card."""
    folder = tmp_path_factory.mktemp("accessible")
    return build(folder, "accessible", content_dir, cards=ACCESSIBLE_CARDS, pdf="accessible")


# --- an independent walk over every content stream -------------------------------------------


def content_owners(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, Any]]:
    """Yield (stream owner, resources) for pages, form XObjects, patterns and soft masks."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, Any]] = [(page.obj, page.obj.get("/Resources")) for page in pdf.pages]
    while stack:
        owner, resources = stack.pop()
        yield owner, resources
        resources = resources or {}
        children = list((resources.get("/XObject") or {}).values())
        children += list((resources.get("/Pattern") or {}).values())
        children += [g.SMask.G for g in (resources.get("/ExtGState") or {}).values()
                     if isinstance(g.get("/SMask"), pikepdf.Dictionary)]
        for child in children:
            if child.objgen in seen:
                continue
            seen.add(child.objgen)
            if isinstance(child, pikepdf.Stream) and child.get("/Subtype") != "/Image":
                stack.append((child, child.get("/Resources") or resources))


COLOUR_OPERATORS = {"g", "G", "rg", "RG", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN"}


def colour_operators(pdf: pikepdf.Pdf) -> list[tuple[str, list[Any]]]:
    """Return every colour-setting operator with its operands, in every content stream."""
    found = []
    for owner, _ in content_owners(pdf):
        for instruction in pikepdf.parse_content_stream(owner):
            op = str(instruction.operator)
            if op in COLOUR_OPERATORS:
                found.append((op, list(instruction.operands)))
    return found


def group_spaces(pdf: pikepdf.Pdf) -> set[str]:
    return {str(owner.Group.CS) for owner, _ in content_owners(pdf)
            if "/Group" in owner and "/CS" in owner.Group}


def declared_spaces(pdf: pikepdf.Pdf) -> list[Any]:
    return [space for _, resources in content_owners(pdf)
            for space in ((resources or {}).get("/ColorSpace") or {}).values()]


# --- print: PDF/X-4 --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["print-single", "print-sheet"])
def test_print_declares_a_cmyk_pdfx_output_intent(decks: dict[str, Path], name: str) -> None:
    with pikepdf.open(decks[name]) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile
        assert profile.N == 4
        data = profile.read_bytes()
        assert data == (PACKAGE_TEMPLATES / pdfx.PROFILE).read_bytes()
        assert data[12:16] == b"prtr" and data[16:20] == b"CMYK" and data[20:24] == b"Lab "
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert pdf.docinfo.Trapped == pikepdf.Name("/False")
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
            assert meta["pdf:Trapped"] == "False"
        declared = max(pdf.pdf_version, str(pdf.Root.get("/Version", "/1.0")).lstrip("/"))
        assert declared >= "1.6"


@pytest.mark.parametrize("name", ["print-single", "print-sheet"])
def test_print_uses_only_device_cmyk(decks: dict[str, Path], name: str) -> None:
    with pikepdf.open(decks[name]) as pdf:
        ops = colour_operators(pdf)
        assert ops, "no colour operators at all: the scan found nothing"
        assert {op for op, _ in ops} <= {"k", "K", "cs", "CS", "scn", "SCN", "sc", "SC"}, ops
        spaces = {str(operands[0]) for op, operands in ops if op in ("cs", "CS")}
        assert spaces == {"/DeviceCMYK"}
        assert all(len(operands) == 4 for op, operands in ops if op in ("sc", "scn", "SC", "SCN"))
        assert group_spaces(pdf) <= {"/DeviceCMYK"}
        assert declared_spaces(pdf) == []


def test_print_sheet_crop_marks_are_cmyk_black(decks: dict[str, Path]) -> None:
    with pikepdf.open(decks["print-sheet"]) as pdf:
        sheet = pdf.pages[0].obj.Contents.read_bytes()
        assert b"0 0 0 1 K" in sheet and b" 0 G " not in sheet


def test_print_colours_are_the_palettes_cmyk(decks: dict[str, Path]) -> None:
    palette = yaml.safe_load((PACKAGE_TEMPLATES / "palette.yaml").read_text(encoding="utf-8"))
    allowed = {tuple(palette["ink"]["cmyk"]), (0, 0, 0, 0), (0, 0, 0, 87)}
    for key, value in palette.items():
        if key not in ("ink", "paper"):
            allowed |= {tuple(value["cmyk"]), tuple(value["tint_cmyk"])}
    with pikepdf.open(decks["print-single"]) as pdf:
        used = {
            tuple(round(float(v) * 100) for v in operands)
            for op, operands in colour_operators(pdf) if op in ("scn", "SCN", "sc", "SC", "k", "K")
        }
    assert used <= allowed, used - allowed
    assert tuple(palette[THEME]["cmyk"]) in used  # the band
    assert tuple(palette[THEME]["tint_cmyk"]) in used  # the personal question's panel
    assert (0, 0, 0, 100) in used  # text ink


def test_print_pages_all_have_trim_boxes(decks: dict[str, Path]) -> None:
    with pikepdf.open(decks["print-single"]) as pdf:
        for page in pdf.pages:
            trim, bleed, media = (list(map(float, page.obj[k]))
                                  for k in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert media[0] <= bleed[0] < trim[0] < trim[2] < bleed[2] <= media[2]
            assert media[1] <= bleed[1] < trim[1] < trim[3] < bleed[3] <= media[3]
    with pikepdf.open(decks["print-sheet"]) as pdf:
        for page in pdf.pages:
            assert list(page.obj.TrimBox) == list(page.obj.MediaBox)


def test_print_metadata_matches_the_info_dictionary(decks: dict[str, Path]) -> None:
    with pikepdf.open(decks["print-single"]) as pdf:
        info = pdf.docinfo
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == str(info.Title) == "De lerende regio — Dialoogkaarten"
            assert meta["xmp:CreatorTool"] == str(info.Creator)
            assert meta["pdf:Producer"] == str(info.Producer)
            created = str(info.CreationDate)  # D:YYYYMMDDHHmmSSZ
            iso = f"{created[2:6]}-{created[6:8]}-{created[8:10]}T{created[10:12]}:" \
                  f"{created[12:14]}:{created[14:16]}Z"
            assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"] == iso
            assert meta["xmpMM:DocumentID"].startswith("uuid:")
        assert pdf.Root.Metadata.get("/Filter") is None, "PDF/X wants readable XMP"
        assert "/ID" in pdf.trailer


def test_print_is_reproducible(tmp_path: Path, content_dir: Path,
                               decks: dict[str, Path]) -> None:
    again = build(tmp_path, "print-sheet", content_dir, themes=(THEME,), pdf="print")
    assert again.read_bytes() == decks["print-sheet"].read_bytes()


def test_plain_and_print_faces_never_mix(decks: dict[str, Path]) -> None:
    """All four decks shared one face cache: plain stays RGB, and byte-identical."""
    with pikepdf.open(decks["plain-single"]) as pdf:
        ops = colour_operators(pdf)
        assert {op for op, _ in ops} & {"rg", "RG"}
        assert not {op for op, _ in ops} & {"k", "K"}
        assert "/OutputIntents" not in pdf.Root and "/Metadata" not in pdf.Root
    assert decks["plain-single"].read_bytes() == decks["plain-single-again"].read_bytes()


def test_print_faces_have_their_own_cache_keys(content_dir: Path) -> None:
    content = load_content(content_dir, "nl")
    from kaartspel.cache import FaceCache
    from kaartspel.deck.faces import Geometry

    geometry = Geometry.for_card(card_size("poker"), 3.0)
    templates = TemplateSet.create()
    keys = {
        variant: deck_variants.face_store(
            deck_variants.card_renderer(variant, content, geometry, templates),
            FaceCache(enabled=False)).style_key
        for variant in ("plain", "print", "accessible")
    }
    assert len(set(keys.values())) == 3


def test_finalize_plain_changes_nothing() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    before = io.BytesIO()
    pdf.save(before, deterministic_id=True)
    pdfx.finalize(pdf, "plain", "nl", "Title")
    after = io.BytesIO()
    pdf.save(after, deterministic_id=True)
    assert before.getvalue() == after.getvalue()


def test_finalize_print_refuses_rgb_content() -> None:
    from kaartspel.errors import RenderError

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(100, 100))
    page.obj.Contents = pdf.make_stream(b"1 0 0 rg 0 0 10 10 re f")
    with pytest.raises(RenderError, match="DeviceRGB"):
        pdfx.finalize(pdf, "print", "nl", "Title")


def test_unknown_pdf_variant_is_a_usage_error(content_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown pdf 'pdfx'"):
        build_deck(content_dir, DeckOptions(pdf="pdfx"), tmp_path / "x.pdf")


def test_default_output_names_the_variant() -> None:
    assert default_output(DeckOptions()) == Path("build/deck-nl-poker-sheet.pdf")
    assert default_output(DeckOptions(pdf="print", layout="single")) == Path(
        "build/deck-nl-poker-single-print.pdf")


def test_crop_marks_colour() -> None:
    grid = plan_grid(card_size("poker"), 3.0, paper_size("a4"), 5.0, 0.0)
    assert b" 0 G " in crop_marks(grid, 3.0)
    cmyk = crop_marks(grid, 3.0, cmyk=True)
    assert b"0 0 0 1 K" in cmyk and b" G " not in cmyk


def test_css_colours() -> None:
    assert pdfx.cmyk_css((97, 77, 38, 62)) == "device-cmyk(97% 77% 38% 62%)"
    assert pdfx.css_colour("#012d53", (97, 77, 38, 62), "plain") == "#012d53"
    assert pdfx.css_colour("#012d53", (97, 77, 38, 62), "print").startswith("device-cmyk(")
    with pytest.raises(ValueError):
        pdfx.cmyk_css((1, 2, 3))


def test_variant_environment_leaves_the_shared_one_alone() -> None:
    env = TemplateSet.create().environment()
    overlay = pdfx.variant_environment(env, "print")
    assert overlay.globals["pdf_variant"] == "print"
    assert "pdf_variant" not in env.globals
    assert pdfx.variant_environment(env, "plain") is env


def test_profile_licence_is_bundled() -> None:
    licence = (PACKAGE_TEMPLATES / "icc" / "LICENSE.md").read_text(encoding="utf-8")
    assert "zlib" in licence and "FOGRA39L" in licence and "colprof" in licence


# --- accessible: PDF/UA-1 --------------------------------------------------------------------


def struct_elements(element: Any) -> Iterator[Any]:
    """Yield *element* and its structure descendants, in document (reading) order."""
    if isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem":
        yield element
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            yield from struct_elements(kid)


def test_accessible_is_tagged_with_language_and_title(accessible: Path) -> None:
    with pikepdf.open(accessible) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "nl"
        assert root.ViewerPreferences.DisplayDocTitle is True
        title = "De lerende regio — Dialoogkaarten"
        assert str(pdf.docinfo.Title) == title
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == title
            assert meta["pdfuaid:part"] == "1"
        assert len(pdf.pages) == len(ACCESSIBLE_CARDS), "fronts only, one card per page"
        assert "/OutputIntents" not in root


def test_accessible_structure_headings_and_alt_text(accessible: Path,
                                                    content_dir: Path) -> None:
    ui = load_content(content_dir, "nl").ui
    with pikepdf.open(accessible) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        assert document.S == "/Document"
        cards = [kid for kid in document.K if kid.S == "/Sect"]
        assert len(cards) == len(ACCESSIBLE_CARDS)
        for card in cards:
            roles = [str(e.S) for e in struct_elements(card)]
            assert roles.count("/H1") == 1, roles  # every card has one main heading
        alts = [str(e.Alt) for e in struct_elements(document) if e.S == "/Figure"]
    assert alts == [
        ui.icon_alt.replace("{theme}", "De lerende regio"),  # title card
        ui.ladder_alt,  # level card
        ui.icon_alt.replace("{theme}", "Netwerkvorming"),  # question card
    ]


def test_accessible_reads_the_group_question_before_the_personal_one(
    accessible: Path, content_dir: Path
) -> None:
    import pypdfium2 as pdfium

    from kaartspel.deck.cards import build_cards

    card = next(c for c in build_cards(load_content(content_dir, "nl"))
                if c.id == "netwerkvorming-1")
    document = pdfium.PdfDocument(accessible)
    try:
        page = document[ACCESSIBLE_CARDS.index("netwerkvorming-1")]
        textpage = page.get_textpage()
        text = " ".join(textpage.get_text_range().split())
        textpage.close()
        page.close()
    finally:
        document.close()
    group, personal = card.group[:20], card.personal[:20]
    assert group in text and personal in text
    assert text.index(group) < text.index(personal)
    with pikepdf.open(accessible) as pdf:
        sect = [kid for kid in pdf.Root.StructTreeRoot.K[0].K if kid.S == "/Sect"][2]
        fit = list(sect.K)[1]
        assert [str(kid.S) for kid in fit.K] == ["/P", "/P", "/Div"]  # label, group, personal


def test_accessible_english_sets_its_own_language(tmp_path: Path, content_dir: Path) -> None:
    path = build(tmp_path, "en", content_dir, lang="en", cards=("netwerkvorming-1",),
                 pdf="accessible")
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en"
        alts = [str(e.Alt) for e in struct_elements(pdf.Root.StructTreeRoot.K[0])
                if e.S == "/Figure"]
        assert alts == ["Icon for Network building"]
