"""The duplex test sheet: a grid on the front, each cross on the back at its mirror image."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from kaartspel.cli.app import app
from kaartspel.kit.calibrate import CORNER_INSET_MM, MAIN_REACH_MM, build_calibration
from kaartspel.options import CalibrateOptions
from support.strokes import strokes

A4 = (210.0, 297.0)


def crosses(page: pikepdf.Page) -> list[tuple[float, float]]:
    """Return the centres of the crosses a back page draws (where its arms meet)."""
    lines = [s.segment for s in strokes(page, slice(-1, None)) if len(s.points) == 2]
    horizontal = [(a, b) for a, b in lines if abs(a[1] - b[1]) < 1e-3]
    vertical = [(a, b) for a, b in lines if abs(a[0] - b[0]) < 1e-3]
    return [((h[0][0] + h[1][0]) / 2, h[0][1]) for h in horizontal
            if any(abs(v[0][0] - (h[0][0] + h[1][0]) / 2) < 1e-3 for v in vertical)]


def built(tmp_path: Path, content_dir: Path, **options: object) -> pikepdf.Pdf:
    out = tmp_path / "sheet.pdf"
    build_calibration(content_dir, CalibrateOptions(**options), out)
    return pikepdf.open(out)


def expected_centres(w: float, h: float) -> list[tuple[float, float]]:
    i = CORNER_INSET_MM
    return [(w / 2, h / 2), (i, h - i), (w - i, h - i), (i, i), (w - i, i)]


@pytest.mark.parametrize(("duplex", "orientation", "offset"), [
    ("long", "portrait", (0.0, 0.0)),
    ("long", "portrait", (2.0, -1.0)),
    ("short", "portrait", (1.5, 0.5)),
    ("long", "landscape", (-3.0, 2.0)),
    ("short", "landscape", (0.5, -2.5)),
])
def test_each_cross_shows_through_at_its_grid_less_the_offset(
        tmp_path: Path, content_dir: Path, duplex: str, orientation: str,
        offset: tuple[float, float]) -> None:
    pdf = built(tmp_path, content_dir, duplex=duplex, orientation=orientation,
                back_offset=offset)
    w, h = A4 if orientation == "portrait" else A4[::-1]
    assert len(pdf.pages) == 2
    for page in pdf.pages:
        assert [round(float(v) / 72 * 25.4, 2) for v in page.mediabox] == [0, 0, w, h]
    # Turned over: about the long edge a portrait sheet's x mirrors, a landscape one's y.
    mirror_x = (duplex == "long") == (orientation == "portrait")

    def seen_from_front(x: float, y: float) -> tuple[float, float]:
        return (w - x, y) if mirror_x else (x, h - y)

    found = sorted(seen_from_front(*c) for c in crosses(pdf.pages[1]))
    # Seen from the front, each cross sits the offset short of its grid's 0,0: a printer
    # that drifts by the offset puts it on 0,0.
    wanted = sorted((x - offset[0], y - offset[1]) for x, y in expected_centres(w, h))
    assert len(found) == len(wanted)
    for got, want in zip(found, wanted, strict=True):
        assert got == pytest.approx(want, abs=0.002)
    prefs = pdf.Root.ViewerPreferences
    assert prefs.PrintScaling == pikepdf.Name("/None")
    assert prefs.Duplex == pikepdf.Name(
        "/DuplexFlipLongEdge" if duplex == "long" else "/DuplexFlipShortEdge")


def test_the_front_grid_has_a_line_every_millimetre(tmp_path: Path, content_dir: Path) -> None:
    pdf = built(tmp_path, content_dir)
    lines = [s for s in strokes(pdf.pages[0], slice(-1, None)) if len(s.points) == 2]
    cx, cy = A4[0] / 2, A4[1] / 2
    reach = MAIN_REACH_MM
    verticals = sorted({round(s.points[0][0] - cx, 3) for s in lines
                        if abs(s.points[0][0] - s.points[1][0]) < 1e-3
                        and s.points[0][1] == pytest.approx(cy - reach)})
    assert verticals == [float(k) for k in range(-int(reach), int(reach) + 1)]
    # The zero lines are the heaviest, the 5 mm lines next.
    width = {round(s.points[0][0] - cx): s.width for s in lines
             if abs(s.points[0][0] - s.points[1][0]) < 1e-3
             and s.points[0][1] == pytest.approx(cy - reach)}
    assert width[0] > width[5] > width[1]
    # The 100 mm bar is 100 mm long.
    bar = max(lines, key=lambda s: abs(s.points[1][0] - s.points[0][0]))
    assert abs(bar.points[1][0] - bar.points[0][0]) == pytest.approx(100.0, abs=0.001)


def test_the_instructions_are_in_the_content_language(tmp_path: Path, content_dir: Path) -> None:
    from conftest import pdf_page_texts

    for lang, words in (("nl", ("Proefvel", "lange zijde", "Achterkant")),
                        ("en", ("Test sheet", "long edge", "Back"))):
        out = tmp_path / f"{lang}.pdf"
        build_calibration(content_dir, CalibrateOptions(lang=lang), out)
        text = " ".join(pdf_page_texts(out)).replace("\n", " ").replace("\r", "")
        for word in words:
            assert word.lower() in text.lower(), (lang, word)
        assert "{edge}" not in text


def test_the_command_writes_the_sheet(in_tmp: Path, content_dir: Path) -> None:
    result = CliRunner().invoke(app, ["--content", str(content_dir), "calibrate",
                                      "--paper", "letter", "--duplex", "short",
                                      "--back-offset", "-1,2"])
    assert result.exit_code == 0, result.output
    out = in_tmp / "build" / "calibrate-nl-letter-short-back-offset-1x2.pdf"
    assert out.is_file(), result.output
    bad = CliRunner().invoke(app, ["--content", str(content_dir), "calibrate",
                                   "--back-offset", "12,0"])
    assert bad.exit_code == 2
    assert "Error: --back-offset: each value must be between -10 and 10 mm, got 12" \
        in bad.output


def test_the_sheet_does_not_depend_on_where_the_templates_are(tmp_path: Path,
                                                               content_dir: Path) -> None:
    """The same templates read from another folder (another checkout, an installed wheel)
    give the same bytes, /ID included."""
    import shutil

    from kaartspel.render.templates import PACKAGE_TEMPLATES

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(PACKAGE_TEMPLATES, elsewhere)
    here = build_calibration(content_dir, CalibrateOptions(lang="nl"), tmp_path / "a.pdf")
    there = build_calibration(content_dir, CalibrateOptions(lang="nl", templates=(elsewhere,)),
                              tmp_path / "b.pdf")
    assert here.path.read_bytes() == there.path.read_bytes()
