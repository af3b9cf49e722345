"""The independent validators of tests/support/validators.py, each tried on documents whose
answer is known, so that a validator that silently accepts everything cannot pass here.

The documents are tiny WeasyPrint and pikepdf PDFs made on the spot, plus one-theme kaartspel
decks in the ``accessible`` and ``print`` variants.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from conftest import build_once
from kaartspel.render.colour import INK_LIMIT, OutputProfile
from support.validators import (
    chromium_page,
    ghostscript_ink,
    ghostscript_max_ink,
    pdfbox_preflight,
    pdfminer_text,
    pdftotext_text,
    pdfua_validate,
)

QUESTION = "Hoe leren jullie samen?"
HTML = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Proef</title></head>'
        f"<body><h1>Kop</h1><p>{QUESTION}</p></body></html>")
TITLE = "De lerende regio — proef"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A one-page WeasyPrint document, untagged (``plain``) and tagged (``ua``)."""
    import weasyprint

    folder = tmp_path_factory.mktemp("tiny")
    document = weasyprint.HTML(string=HTML).render()
    plain, tagged = folder / "plain.pdf", folder / "ua.pdf"
    plain.write_bytes(document.write_pdf())
    tagged.write_bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
    return {"plain": plain, "ua": tagged}


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> dict[str, Path]:
    """One-theme Dutch decks: ``accessible`` (tagged PDF/UA-1) and ``print`` (PDF/X-4)."""
    return {variant: build_once(tmp_path_factory, content_dir, f"smoke-{variant}", lang="nl",
                                themes=("netwerkvorming",), pdf=variant).path
            for variant in ("accessible", "print")}


# --- PDF/UA-1: page-validation ----------------------------------------------------------------


def test_an_untagged_pdf_is_not_pdfua(tiny: dict[str, Path]) -> None:
    ok, failures = pdfua_validate(tiny["plain"])
    assert not ok
    rules = {failure.split(":")[0] for failure in failures}
    assert {"PDFUA1-TAGGED-DOCUMENT-001", "PDFUA1-STRUCT-TREE-ROOT-001"} <= rules, failures


def test_a_tagged_weasyprint_pdf_is_pdfua(tiny: dict[str, Path]) -> None:
    assert pdfua_validate(tiny["ua"]) == (True, [])


def test_the_accessible_deck_is_pdfua(deck: dict[str, Path]) -> None:
    ok, failures = pdfua_validate(deck["accessible"])
    assert ok, "\n".join(failures)


@pytest.fixture(scope="module")
def poster(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Path:
    """The accessible A3 poster: tagged, with the ladder and the cycle as figures."""
    from kaartspel.options import PosterOptions
    from kaartspel.poster.assemble import build_poster

    folder = tmp_path_factory.mktemp("smoke-poster")
    path = folder / "poster.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        build_poster(content_dir, PosterOptions(size="a3", pdf="accessible"), path)
    return path


def test_the_accessible_poster_is_pdfua(poster: Path) -> None:
    ok, failures = pdfua_validate(poster)
    assert ok, "\n".join(failures)


@pytest.mark.parametrize(("damage", "rule"), [
    ("lang", "PDFUA1-TEXT-LANGUAGE-001"),
    ("alt", "PDFUA1-FIGURE-ALTERNATIVE-TEXT-001"),
    ("artifact", "PDFUA1-CONTENT-TAGGING-001"),
])
def test_a_damaged_accessible_poster_is_not_pdfua(
    poster: Path, tmp_path: Path, damage: str, rule: str
) -> None:
    """Take away what the accessible variant adds: the language, the diagrams' alt text,
    the artifact marking of decoration (its content is then neither tagged nor artifact)."""
    damaged = tmp_path / f"no-{damage}.pdf"
    with pikepdf.open(poster) as pdf:
        if damage == "lang":
            del pdf.Root["/Lang"]
        elif damage == "alt":
            figures = [obj for obj in pdf.objects if isinstance(obj, Dictionary)
                       and obj.get("/S") == Name.Figure and "/Alt" in obj]
            assert len(figures) == 2, "the ladder and the cycle are the poster's figures"
            for figure in figures:
                del figure["/Alt"]
        else:
            page = pdf.pages[0]
            data = page.obj.Contents.read_bytes()
            assert b"/Artifact BMC" in data
            page.obj.Contents = pdf.make_stream(data.replace(b"/Artifact BMC", b"/Span BMC"))
        pdf.save(damaged)
    ok, failures = pdfua_validate(damaged)
    assert not ok and any(failure.startswith(rule) for failure in failures), failures


# --- XMP: PDFBox -------------------------------------------------------------------------------

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <pdf:Producer>kaartspel test</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def pdf_with_xmp(path: Path, xmp_title: str) -> Path:
    """Write a one-page PDF whose /Info title is :data:`TITLE` and whose XMP says *xmp_title*."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(100, 100))
        pdf.docinfo["/Title"] = String(TITLE)
        pdf.docinfo["/Producer"] = String("kaartspel test")
        metadata = pdf.make_stream(XMP.format(title=xmp_title).encode("utf-8"))
        metadata.Type, metadata.Subtype = Name.Metadata, Name.XML
        pdf.Root.Metadata = metadata
        pdf.save(path)
    return path


def test_pdfbox_reads_xmp_that_agrees_with_info(tmp_path: Path) -> None:
    assert pdfbox_preflight(pdf_with_xmp(tmp_path / "same.pdf", TITLE)) == (True, [])


def test_pdfbox_sees_a_dc_title_that_disagrees_with_info(tmp_path: Path) -> None:
    ok, messages = pdfbox_preflight(pdf_with_xmp(tmp_path / "other.pdf", "Een andere titel"))
    assert not ok and any(m.startswith("7.2:") and "Title" in m for m in messages), messages


def test_pdfbox_complains_about_a_pdf_without_xmp(tiny: dict[str, Path]) -> None:
    ok, messages = pdfbox_preflight(tiny["plain"])
    assert not ok and messages, messages


@pytest.mark.parametrize("variant", ["print", "accessible"])
def test_pdfbox_reads_the_decks_xmp(deck: dict[str, Path], variant: str) -> None:
    ok, messages = pdfbox_preflight(deck[variant])
    assert ok, messages


# --- ink: Ghostscript ------------------------------------------------------------------------


def pdf_with_fills(path: Path, fills: list[bytes], profile: Path | None = None) -> Path:
    """Write one page per content stream in *fills*; with *profile* as a PDF/X output intent."""
    with pikepdf.new() as pdf:
        for fill in fills:
            page = pdf.add_blank_page(page_size=(72, 72))
            page.obj.Contents = pdf.make_stream(fill)
        if profile is not None:
            icc = pdf.make_stream(profile.read_bytes())
            icc.N = 4
            pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
                Type=Name.OutputIntent, S=Name.GTS_PDFX, DestOutputProfile=icc,
                OutputConditionIdentifier=String("FOGRA39")))])
        pdf.save(path)
    return path


def test_ghostscript_measures_total_ink(tmp_path: Path) -> None:
    path = pdf_with_fills(tmp_path / "cmyk.pdf", [
        b"0.8 0.7 0.6 0.9 k 10 10 20 20 re f",  # 300 %
        b"1 1 1 1 k 10 10 20 20 re f 0 0 0 0.5 k 40 40 5 5 re f",  # 400 %, and a lighter patch
        b"0 0 0 1 K 2 w 5 5 m 60 60 l S",  # a 100 % K line
    ])
    assert ghostscript_ink(path) == pytest.approx([300, 400, 100], abs=0.5)


def test_ghostscript_separates_rgb_through_the_output_intent(
    tmp_path: Path, repo_root: Path
) -> None:
    """An sRGB fill is separated as the bundled profile says, not by Ghostscript's default."""
    icc = repo_root / "templates" / "icc" / "FOGRA39L-coated.icc"
    fill = [b"0 0.212 0.361 rg 0 0 72 72 re f"]  # #00365c
    with_intent = ghostscript_max_ink(pdf_with_fills(tmp_path / "intent.pdf", fill, icc))
    without = ghostscript_max_ink(pdf_with_fills(tmp_path / "none.pdf", fill))
    table = sum(OutputProfile(icc).separate("#00365c"))
    assert with_intent == pytest.approx(table, abs=2), (with_intent, table)
    assert abs(without - with_intent) > 10, (without, with_intent)


def test_no_pixel_of_the_print_deck_exceeds_the_ink_limit(deck: dict[str, Path],
                                                         tmp_path: Path) -> None:
    """Everything but the crop marks: they are in the registration colour, all four inks, as
    marks must be (400 %), and they may lie beside a card in an empty slot of the sheet."""
    assert max(ghostscript_ink(deck["print"])) == pytest.approx(400, abs=0.5)  # the marks
    unmarked = tmp_path / "unmarked.pdf"
    with pikepdf.open(deck["print"]) as pdf:
        spaces = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Array) and len(obj) == 4
                  and obj[0] == Name.Separation and obj[1] == Name.All]
        assert spaces, "no registration colour in the print deck"
        for space in spaces:
            # An ordinary spot colour whose alternate is no ink (/All would paint every
            # plate whatever its alternate says): the marks print nothing.
            space[1] = Name("/Marks")
            space[3].C1 = Array([0, 0, 0, 0])
        pdf.save(unmarked)
    pages = ghostscript_ink(unmarked)
    assert max(pages) <= INK_LIMIT, [round(ink, 1) for ink in pages]


def test_ghostscript_measures_only_the_box_asked_for(tmp_path: Path) -> None:
    fills = b"1 1 1 1 k 0 0 10 10 re f 0 0 0 1 k 30 30 10 10 re f"  # 400 % outside the box
    path = pdf_with_fills(tmp_path / "box.pdf", [fills])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.ArtBox = Array([20, 20, 72, 72])
        pdf.save(path)
    assert ghostscript_max_ink(path) == pytest.approx(400, abs=0.5)
    assert ghostscript_max_ink(path, box="art") == pytest.approx(100, abs=0.5)


# --- text and browser ------------------------------------------------------------------------


def test_text_extractors_read_the_question(tiny: dict[str, Path]) -> None:
    assert QUESTION in pdftotext_text(tiny["ua"])
    assert QUESTION in pdfminer_text(tiny["ua"])


def test_chromium_renders_palette_colours_exactly() -> None:
    from PIL import Image

    with chromium_page(120, 60) as page:
        page.set_content('<body style="margin:0"><div style="width:120px;height:60px;'
                         'background:#026e74"></div></body>')
        shot = Image.open(io.BytesIO(page.screenshot()))
    assert shot.convert("RGB").getpixel((60, 30)) == (0x02, 0x6E, 0x74)
