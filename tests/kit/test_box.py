"""The tuck box: panels sized to the cards and the deck, die lines told apart."""

from __future__ import annotations

import itertools
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from kaartspel.cli.app import app
from kaartspel.errors import UsageError
from kaartspel.kit.box import build_box
from kaartspel.options import BoxOptions
from support.strokes import Stroke, strokes

MM = 72 / 25.4


def drawn(tmp_path: Path, content_dir: Path, **options: object) -> tuple[pikepdf.Pdf, list[Stroke]]:
    out = tmp_path / "box.pdf"
    build_box(content_dir, BoxOptions(**options), out)
    pdf = pikepdf.open(out)
    return pdf, strokes(pdf.pages[0], slice(-1, None))


def panel_widths(folds: list[Stroke]) -> list[float]:
    """Return the widths between the vertical folds: side, back, side (left to right)."""
    xs = sorted({round(s.points[0][0], 3) for s in folds
                 if abs(s.points[0][0] - s.points[-1][0]) < 1e-3})
    return [b - a for a, b in itertools.pairwise(xs)]


@pytest.mark.parametrize(("size", "card", "cards", "weight"), [
    ("poker", (63, 88), 48, 300), ("tarot", (70, 120), 78, 250), ("mini", (44, 68), 30, 350),
])
def test_panels_fit_the_cards_and_the_deck(tmp_path: Path, content_dir: Path, size: str,
                                           card: tuple[float, float], cards: int,
                                           weight: float) -> None:
    _, lines = drawn(tmp_path, content_dir, size=size, cards=cards, paper_weight=weight)
    cut = [s for s in lines if not s.dash and len(s.points) > 20]
    assert len(cut) == 1, "one closed outline to cut along"
    outline = cut[0].points
    assert outline[0] == pytest.approx(outline[-1])
    xs, ys_ = [x for x, _ in outline], [y for _, y in outline]

    def inside(stroke: Stroke) -> bool:
        return all(min(xs) - 1e-3 <= x <= max(xs) + 1e-3 and min(ys_) - 1e-3 <= y
                   <= max(ys_) + 1e-3 for x, y in stroke.points)

    # The dashed lines outside the box are the key's sample (cut, fold) under it.
    folds = [s for s in lines if s.dash and inside(s)]
    assert len([s for s in lines if s.dash and not inside(s)]) == 1
    thickness = cards * weight * 1.1 / 1000  # card stock: about 1.1 µm per g/m²
    side, back, side2 = panel_widths(folds)
    # Inside: the card with a little play, the deck's thickness with a little more.
    assert back == pytest.approx(card[0] + 1.0, abs=0.5)
    assert side == pytest.approx(side2, abs=0.002)
    assert side == pytest.approx(thickness + 1.5, abs=0.5)
    assert side - thickness >= 0.5  # the deck goes in
    ys = sorted({round(s.points[0][1], 3) for s in folds
                 if abs(s.points[0][1] - s.points[-1][1]) < 1e-3})
    # Bottom tuck fold, bottom, top, lid's tuck fold: depth, height, depth apart.
    assert [b - a for a, b in itertools.pairwise(ys)] == pytest.approx(
        [side, card[1] + 1.0, side], abs=0.01)
    # The front (left of the first fold) is as wide as the back: the outline starts there.
    first_fold = min(s.points[0][0] for s in folds
                     if abs(s.points[0][0] - s.points[-1][0]) < 1e-3)
    assert first_fold - min(xs) == pytest.approx(back, abs=0.01)


def test_home_cut_and_fold_lines_differ_in_dash_and_colour(tmp_path: Path,
                                                           content_dir: Path) -> None:
    pdf, lines = drawn(tmp_path, content_dir)
    cut = {s.colour for s in lines if not s.dash}
    fold = {s.colour for s in lines if s.dash}
    assert len(cut) == 1 and len(fold) == 1 and cut != fold
    assert [round(float(v) / MM) for v in pdf.pages[0].mediabox] == [0, 0, 210, 297]
    assert pdf.Root.ViewerPreferences.PrintScaling == pikepdf.Name("/None")


def test_a_large_box_goes_on_a3_and_too_large_a_box_is_refused(tmp_path: Path,
                                                                content_dir: Path) -> None:
    pdf, _ = drawn(tmp_path, content_dir, size="a6")
    assert sorted(round(float(v) / MM) for v in pdf.pages[0].mediabox[2:]) == [297, 420]
    with pytest.raises(UsageError, match="does not fit A4 or A3"):
        build_box(content_dir, BoxOptions(size="200x280"), tmp_path / "big.pdf")


def test_the_print_shop_die_is_a_spot_colour_on_its_own_layer(tmp_path: Path,
                                                               content_dir: Path) -> None:
    pdf, _ = drawn(tmp_path, content_dir, die=True)
    page = pdf.pages[0]
    # The print variant's finishing may add content streams: the die is found by its layer.
    drawn_strokes = strokes(page, slice(None))
    lines = [s for s in drawn_strokes if s.layer == "/Die"]
    space = page.Resources.ColorSpace.Die
    assert space[0] == pikepdf.Name.Separation and space[1] == pikepdf.Name("/Die")
    assert space[2] == pikepdf.Name.DeviceCMYK
    # Every die line (cut solid, crease dashed) is 100 % Die, inside the Die layer.
    assert lines and all(s.colour == ("CS", "/Die", 1.0) for s in lines)
    assert all(s.layer == "/Die" for s in lines)
    assert {bool(s.dash) for s in lines} == {True, False}
    layer = page.Resources.Properties.Die
    assert layer.Type == pikepdf.Name.OCG and str(layer.Name) == "Die"
    assert list(pdf.Root.OCProperties.OCGs) == [layer]
    assert page.Resources.ExtGState.DieOverprint.OP is True
    # The artwork uses no spot colour: the die is the only separation.
    art = [s for s in drawn_strokes if s.layer != "/Die"]
    assert art and not any(s.colour[:2] == ("CS", "/Die") for s in art)
    separations = [name for name, cs in page.Resources.ColorSpace.items()
                   if isinstance(cs, pikepdf.Array) and cs[0] == pikepdf.Name.Separation]
    assert separations == ["/Die"]
    # Trimmed at the die's bounding box, bleeding 3 mm past it; a PDF/X-4 file.
    trim = [float(v) / MM for v in page.TrimBox]
    bleed = [float(v) / MM for v in page.BleedBox]
    cut = next(s for s in lines if not s.dash)
    xs, ys = [x for x, _ in cut.points], [y for _, y in cut.points]
    assert trim == pytest.approx([min(xs), min(ys), max(xs), max(ys)], abs=0.01)
    assert [t - b for t, b in zip(trim, bleed, strict=True)] == pytest.approx(
        [3, 3, -3, -3], abs=0.01)
    assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"


def test_the_command_names_what_it_wrote(in_tmp: Path, content_dir: Path) -> None:
    result = CliRunner().invoke(app, ["--content", str(content_dir), "box", "--cards", "57",
                                      "--paper-weight", "250"])
    assert result.exit_code == 0, result.output
    assert (in_tmp / "build" / "box-nl-poker-cards57-paper-weight250.pdf").is_file()
    assert "a tuck box for 57 cards of 63×88 mm" in result.output
