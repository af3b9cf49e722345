"""Preflight: fails on hand-made bad files, passes on what kaartspel ships.

Bad files are built with pikepdf: a 63×88 mm card with 3 mm bleed, one text run or shape
each, so that every test isolates one failure.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from typer.testing import CliRunner

from kaartspel.cli.app import app
from kaartspel.deck.assemble import build_deck
from kaartspel.options import DeckOptions
from kaartspel.pdf import variants as pdfx
from kaartspel.pdf.preflight import MM, check_pdf, iter_text, preflight
from kaartspel.render.templates import PACKAGE_TEMPLATES

BLEED = 3 * MM
WIDTH, HEIGHT = (63 + 6) * MM, (88 + 6) * MM
TRIM = (BLEED, BLEED, WIDTH - BLEED, HEIGHT - BLEED)
MIDDLE = (WIDTH / 2 - 20, HEIGHT / 2)

runner = CliRunner()


def type3_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A one-glyph Type3 font ('a', 500 units wide): embedded by nature, so it never fails."""
    glyph = pdf.make_stream(b"500 0 0 0 500 700 d1 0 0 500 700 re f")
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type3, FontBBox=[0, 0, 500, 700],
        FontMatrix=[0.001, 0, 0, 0.001, 0, 0], CharProcs=Dictionary(a=glyph),
        Encoding=Dictionary(Type=Name.Encoding, Differences=[97, Name.a]),
        FirstChar=97, LastChar=97, Widths=[500], Resources=Dictionary(),
    ))


def helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A standard-14 font reference: no FontFile, so not embedded."""
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.Helvetica))


def card(tmp_path: Path, content: bytes, name: str = "card.pdf", *, trim: bool = True,
         font: str = "type3", intent: bool = False, xobjects: dict[str, Any] | None = None,
         boxes: dict[str, list[float]] | None = None) -> Path:
    """Write a one-page card PDF drawing *content*; return its path."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(WIDTH, HEIGHT))
    fonts = Dictionary(F1=type3_font(pdf) if font == "type3" else helvetica(pdf))
    resources = Dictionary(Font=fonts)
    if xobjects:
        resources.XObject = Dictionary({f"/{k}": v(pdf) for k, v in xobjects.items()})
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content)
    if trim:
        page.obj.BleedBox = Array([0, 0, WIDTH, HEIGHT])
        page.obj.TrimBox = Array(list(TRIM))
    for key, value in (boxes or {}).items():
        page.obj[f"/{key}"] = Array(value)
    if intent:
        profile = pdf.make_stream((PACKAGE_TEMPLATES / pdfx.PROFILE).read_bytes())
        profile.N = 4
        pdf.Root.OutputIntents = Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier="FOGRA39",
            DestOutputProfile=profile)])
    path = tmp_path / name
    pdf.save(path)
    return path


def text(x: float, y: float, string: bytes = b"aaaa", size: float = 10) -> bytes:
    return b"0 0 0 1 k BT /F1 %g Tf %g %g Td (%s) Tj ET\n" % (size, x, y, string)


def failures(path: Path, **options: Any) -> list[str]:
    return preflight(path, **options).failures


# --- hand-made bad files -----------------------------------------------------------------------


def test_a_clean_card_passes(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE) + b"0.2 0.1 0 0 k 20 20 50 50 re f\n", intent=True)
    report = preflight(path)
    assert report.ok, report.failures
    assert report.require_cmyk and report.pdfx_version is None
    assert report.pages[0].single_card and report.pages[0].safe_area == "ok"
    assert report.pages[0].bleed_mm == {"left": 3.0, "right": 3.0, "bottom": 3.0, "top": 3.0}
    assert report.smallest_text_pt == 10


def test_rgb_fails_when_cmyk_is_required(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE) + b"1 0 0 rg 20 20 50 50 re f\n")
    assert failures(path) == []  # no output intent: RGB is fine
    found = failures(path, require_cmyk=True)
    assert found == ["page 1: DeviceRGB colour where only CMYK is allowed (rg, fill)"]


def test_rgb_fails_in_a_file_with_a_cmyk_output_intent(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE) + b"/DeviceRGB cs 1 0 0 sc 20 20 50 50 re f\n",
                intent=True)
    assert failures(path) == ["page 1: DeviceRGB colour where only CMYK is allowed (cs, fill)"]
    assert failures(path, require_cmyk=False) == []


def test_gray_and_the_initial_colour_count_as_not_cmyk(tmp_path: Path) -> None:
    path = card(tmp_path, b"20 20 50 50 re f 0 G 0 0 m 10 10 l S\n", intent=True)
    found = failures(path)
    assert len(found) == 2
    assert "DeviceGray (initial colour, never set) colour" in found[1] + found[0]
    assert any("DeviceGray colour where only CMYK is allowed (G, stroke)" in f for f in found)


def test_unembedded_font_fails(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE), font="helvetica")
    assert failures(path) == ["page 1: font Helvetica (Type1) is not embedded"]
    report = preflight(path)
    assert [(f.name, f.embedded, f.subset) for f in report.fonts] == [("Helvetica", False, False)]


def test_text_outside_the_safe_area_fails(tmp_path: Path) -> None:
    x = TRIM[0] + 1 * MM  # 1 mm inside the trim: 3 mm into the 4 mm safe margin
    path = card(tmp_path, text(x, HEIGHT / 2, b"aa"))
    found = failures(path)
    assert len(found) == 1
    assert found[0].startswith("page 1: text outside the 4 mm safe area: 'aa' reaches 3 mm "
                               "past its left edge")
    assert failures(path, safe_mm=0.5) == []


def test_text_running_past_the_right_edge_is_measured_with_the_font_widths(
    tmp_path: Path
) -> None:
    safe_right = TRIM[2] - 4 * MM
    # Starts inside; 6 glyphs of 500/1000 em at 10 pt = 30 pt wide: ends 10 pt past the line.
    path = card(tmp_path, text(safe_right - 20, HEIGHT / 2, b"aaaaaa"))
    found = failures(path)
    assert len(found) == 1 and "past its right edge" in found[0]
    assert "3.53 mm" in found[0]


def test_text_in_a_nested_form_xobject_is_found(tmp_path: Path) -> None:
    def form(pdf: pikepdf.Pdf) -> pikepdf.Object:
        inner = pdf.make_stream(b"q 0.5 0 0 0.5 0 0 cm " + text(0, 0, b"a", 12) + b"Q")
        inner.Type, inner.Subtype, inner.BBox = Name.XObject, Name.Form, [0, 0, 100, 100]
        inner.Resources = Dictionary(Font=Dictionary(F1=type3_font(pdf)))
        outer = pdf.make_stream(b"/Inner Do")
        outer.Type, outer.Subtype, outer.BBox = Name.XObject, Name.Form, [0, 0, 200, 200]
        outer.Matrix = [1, 0, 0, 1, 2, 30]  # 2 pt from the page edge: outside the trim
        outer.Resources = Dictionary(XObject=Dictionary(Inner=pdf.make_indirect(inner)))
        return pdf.make_indirect(outer)

    path = card(tmp_path, b"q /Outer Do Q", xobjects={"Outer": form})
    with pikepdf.open(path) as pdf:
        runs = list(iter_text(pdf))
    assert [(r.text, r.size) for r in runs] == [("a", 6.0)]
    assert runs[0].box[0] == pytest.approx(2.0)
    found = failures(path)
    assert any("safe area" in f and "left edge" in f for f in found), found
    assert any("text at 6 pt, below the 7 pt minimum" in f for f in found), found


def test_small_text_fails_and_the_minimum_is_an_option(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE, size=5))
    assert failures(path) == ["page 1: text at 5 pt, below the 7 pt minimum "
                              "(1 page(s) with smaller text)"]
    assert failures(path, min_text_pt=5) == []


AID = b"/Artifact <</Type /Page>> BDC "
"""A production aid (ISO 32000-1, 14.8.2.2.2: cut marks, colour bars, an assembly picture)."""


def test_tiny_text_in_a_production_aid_is_noted_not_failed(tmp_path: Path) -> None:
    """Text in a /Page artifact (the tiled poster's picture of itself) is not the document's
    text: it is held to no minimum, and the report says it is there."""
    path = card(tmp_path, AID + text(*MIDDLE, size=2.4) + b"EMC\n" + text(*MIDDLE))
    report = preflight(path)
    assert report.ok, report.failures
    assert report.smallest_text_pt == 10
    assert report.notes[0] == ("page 1: text in a production aid (a /Page artifact) at 2.4 pt, "
                               "not held to the 7 pt minimum")
    with pikepdf.open(path) as pdf:
        assert [run.aid for run in iter_text(pdf)] == [True, False]


def test_a_form_drawn_in_a_production_aid_is_in_it(tmp_path: Path) -> None:
    """The assembly picture is the poster's form drawn small: its text is in the aid, and
    the aid ends where the page closes it, not where the form's stream does."""
    def form(pdf: pikepdf.Pdf) -> pikepdf.Object:
        inner = pdf.make_stream(text(0, 0, size=24) + b"/Artifact <</Type /Page>> BDC ")
        inner.Type, inner.Subtype, inner.BBox = Name.XObject, Name.Form, [0, 0, 100, 100]
        inner.Resources = Dictionary(Font=Dictionary(F1=type3_font(pdf)))
        return pdf.make_indirect(inner)

    small = b"q 0.1 0 0 0.1 %g %g cm /Poster Do Q " % MIDDLE
    path = card(tmp_path, AID + small + b"EMC\n" + small, xobjects={"Poster": form})
    assert failures(path) == ["page 1: text at 2.4 pt, below the 7 pt minimum "
                              "(1 page(s) with smaller text)"]
    with pikepdf.open(path) as pdf:
        assert [run.aid for run in iter_text(pdf)] == [True, False]


@pytest.mark.parametrize("opening", [
    b"/Artifact BMC ",                                   # an artifact of no type
    b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC ",  # a footer is read
    b"/Span <</MCID 0>> BDC ",                           # tagged content
    b"/Artifact <</Type /Page>> BDC EMC ",               # an aid closed before the text
])
def test_tiny_text_outside_a_production_aid_still_fails(tmp_path: Path, opening: bytes) -> None:
    path = card(tmp_path, opening + text(*MIDDLE, size=2.4) + b"EMC\n")
    assert failures(path) == ["page 1: text at 2.4 pt, below the 7 pt minimum "
                              "(1 page(s) with smaller text)"]


def test_a_production_aid_named_in_the_resources_counts(tmp_path: Path) -> None:
    """A BDC's properties may be a name in the resources' /Properties (ISO 32000-1, 14.6.2)."""
    path = card(tmp_path, b"/Artifact /Aid BDC " + text(*MIDDLE, size=2.4) + b"EMC\n")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Resources.Properties = Dictionary(Aid=Dictionary(Type=Name.Page))
        pdf.save(path)
    assert failures(path) == []


def test_trim_box_outside_the_bleed_box_fails(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE), boxes={"BleedBox": [5, 5, WIDTH - 5, HEIGHT - 5],
                                                "TrimBox": [2, 2, WIDTH - 2, HEIGHT - 2]})
    assert failures(path) == [
        "page 1: TrimBox [2 2 193.591 264.457] extends beyond the BleedBox"]


def test_bleed_box_outside_the_media_box_fails(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE), boxes={"BleedBox": [-3, 0, WIDTH, HEIGHT]})
    assert any("BleedBox" in f and "MediaBox" in f for f in failures(path))


def test_pdfx_needs_a_trim_box_on_every_page(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE), trim=False, intent=True)
    assert failures(path) == ["page 1: no TrimBox or ArtBox (required by PDF/X)"]


def test_sheets_have_no_safe_area(tmp_path: Path) -> None:
    path = card(tmp_path, text(1, 1), trim=False)
    report = preflight(path)
    assert report.ok, report.failures
    assert report.pages[0].safe_area == "n/a" and not report.pages[0].single_card
    assert any("not applicable" in note for note in report.notes)
    assert any("safe area: not applicable" in line for line in report.summary())


def image(pixels: int) -> Any:
    def make(pdf: pikepdf.Pdf) -> pikepdf.Object:
        data = zlib.compress(bytes(4 * pixels * pixels))
        stream = pdf.make_stream(data)
        stream.Type, stream.Subtype = Name.XObject, Name.Image
        stream.Width = stream.Height = pixels
        stream.ColorSpace, stream.BitsPerComponent = Name.DeviceCMYK, 8
        stream.Filter = Name.FlateDecode
        return pdf.make_indirect(stream)

    return make


def test_low_resolution_images_fail(tmp_path: Path) -> None:
    place = b"q 72 0 0 72 40 40 cm /Im Do Q"  # one inch square
    low = card(tmp_path, place, "low.pdf", xobjects={"Im": image(100)}, intent=True)
    assert failures(low) == ["page 1: image /Im is 100 dpi (minimum 300)"]
    high = card(tmp_path, place, "high.pdf", xobjects={"Im": image(300)}, intent=True)
    report = preflight(high)
    assert report.ok, report.failures
    assert [(i.name, i.dpi) for i in report.pages[0].images] == [("/Im", 300.0)]


def test_check_pdf_works_on_an_open_document(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE))
    with pikepdf.open(path) as pdf:
        report = check_pdf(pdf, "x.pdf")
    assert report.ok and report.file == "x.pdf"
    assert json.loads(report.to_json())["ok"] is True


# --- what kaartspel ships ----------------------------------------------------------------------

THEME = "netwerkvorming"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> dict[str, Path]:
    """Small decks of every layout and variant, built with one shared face cache."""
    folder = tmp_path_factory.mktemp("shipped")
    variants = {
        "plain-single": {"layout": "single"},
        "plain-sheet": {},
        "print-single": {"layout": "single", "pdf": "print"},
        "print-sheet": {"pdf": "print"},
        "accessible": {"pdf": "accessible"},
    }
    paths = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for name, options in variants.items():
            paths[name] = folder / f"{name}.pdf"
            build_deck(content_dir, DeckOptions(themes=(THEME,), **options), paths[name])
    return paths


@pytest.mark.parametrize("name", ["plain-single", "plain-sheet", "print-single", "print-sheet",
                                  "accessible"])
def test_shipped_decks_pass(shipped: dict[str, Path], name: str) -> None:
    report = preflight(shipped[name])
    assert report.ok, "\n".join(report.failures)
    assert all(f.embedded and f.subset for f in report.fonts) and report.fonts
    assert report.smallest_text_pt is not None and report.smallest_text_pt >= 7
    single = name.endswith("single")
    assert all(p.single_card == single for p in report.pages)
    assert all(p.safe_area == ("ok" if single else "n/a") for p in report.pages)
    if name.startswith("print"):
        marks = ["Separation All (DeviceCMYK)"] if name == "print-sheet" else []
        assert report.require_cmyk and report.colour_spaces == ["DeviceCMYK", *marks]
        assert report.pdfx_version == "PDF/X-4"
    else:
        assert not report.require_cmyk


def test_single_cards_report_their_trim_and_bleed(shipped: dict[str, Path]) -> None:
    report = preflight(shipped["print-single"])
    assert {p.trim_mm for p in report.pages} == {(63.0, 88.0)}
    assert all(p.bleed_mm == {"left": 3.0, "right": 3.0, "bottom": 3.0, "top": 3.0}
               for p in report.pages)


def test_level_and_phase_cards_pass(tmp_path: Path, content_dir: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "level.pdf"
    build_deck(content_dir, DeckOptions(cards=("level-5", "phase-1"), layout="single"), path)
    report = preflight(path)
    assert report.ok, "\n".join(report.failures)


def test_poster_passes(tmp_path: Path, content_dir: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    poster = pytest.importorskip("kaartspel.poster.assemble",
                                 reason="no poster module in this tree")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "poster.pdf"
    poster.build_poster(content_dir, poster.PosterOptions(size="a3", bleed=3.0), path)
    report = preflight(path)
    assert report.ok, "\n".join(report.failures)
    assert report.pages[0].single_card  # trimmed with bleed: the safe area is checked


# --- the command line ----------------------------------------------------------------------


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_cli_reports_ok(shipped: dict[str, Path]) -> None:
    result = run("preflight", shipped["print-single"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Preflight OK: ")
    assert "PDF/X-4" in result.stdout and "DeviceCMYK" in result.stdout


def test_cli_prints_one_line_per_failure(tmp_path: Path) -> None:
    path = card(tmp_path, text(TRIM[0], HEIGHT / 2, size=5) + b"1 0 0 rg 0 0 5 5 re f",
                font="helvetica")
    result = run("preflight", path, "--require-cmyk")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, lines
    assert all(line.startswith("Error: page 1: ") for line in lines)
    assert result.stdout == ""


def test_cli_json(tmp_path: Path) -> None:
    path = card(tmp_path, text(*MIDDLE, size=5))
    result = run("preflight", path, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and len(data["failures"]) == 1
    assert data["pages"][0]["single_card"] is True
    assert data["pages"][0]["smallest_text_pt"] == 5
    assert set(data) >= {"fonts", "colour_spaces", "output_intent", "pdfx_version", "pages"}
    ok = run("preflight", path, "--json", "--min-text", "4")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True


def test_cli_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("preflight", tmp_path / "nothing.pdf")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_cli_deck_pdf_option(tmp_path: Path, content_dir: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("--content", content_dir, "deck", "--card", "netwerkvorming-1", "--backs",
                 "none", "--pdf", "print", "--layout", "single")
    assert result.exit_code == 0, result.output
    path = tmp_path / "build" / "deck-nl-poker-single-no-backs-netwerkvorming-1-print.pdf"
    assert preflight(path).pdfx_version == "PDF/X-4"
    bad = run("--content", content_dir, "deck", "--pdf", "x")
    assert bad.exit_code == 2 and "unknown pdf 'x'" in bad.stderr
