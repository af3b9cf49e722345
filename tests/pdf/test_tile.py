"""Tiled posters: how many sheets, which part of the poster each shows, marks, labels, speed."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import pdf_page_texts
from kaartspel.errors import UsageError
from kaartspel.options import PosterOptions
from kaartspel.pdf.tile import (
    FRAME_MM,
    TilePlan,
    plan_on,
    plan_tiles,
    row_name,
    tile_label,
    tile_labels,
    tile_name,
    tile_poster,
)
from kaartspel.poster.assemble import PosterResult, build_poster
from kaartspel.units import mm_to_pt, paper_size, pt_to_mm

A1 = (594.0, 841.0)


@pytest.fixture(scope="module")
def poster(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> PosterResult:
    """The nl A1 poster, untiled."""
    folder = tmp_path_factory.mktemp("a1")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return build_poster(content_dir, PosterOptions(size="a1"), folder / "a1.pdf")


@pytest.fixture(scope="module")
def tiled(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> PosterResult:
    """The nl A1 poster tiled on A4 through the public build (labels in the poster's font)."""
    folder = tmp_path_factory.mktemp("a1-a4")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return build_poster(content_dir, PosterOptions(size="a1", tile="a4"),
                            folder / "a1-tiles-a4.pdf")


# --- planning ------------------------------------------------------------------------------


def test_a1_on_a4() -> None:
    a4 = paper_size("a4")
    portrait = plan_on(a4.portrait, *A1, overlap=10, margin=5)
    landscape = plan_on(a4.landscape, *A1, overlap=10, margin=5)
    assert portrait is not None and landscape is not None
    assert (portrait.rows, portrait.cols) == (4, 4)
    assert (landscape.rows, landscape.cols) == (5, 3)
    plan = plan_tiles(*A1, a4, overlap=10, margin=5)
    assert plan == landscape  # fewer sheets: 15 rather than 16
    assert plan.count == 15


def test_a1_on_a3() -> None:
    plan = plan_tiles(*A1, paper_size("a3"), overlap=10, margin=5)
    assert (plan.sheet.width, plan.sheet.height) == (420, 297)
    assert (plan.rows, plan.cols) == (4, 2)
    portrait = plan_on(paper_size("a3").portrait, *A1, overlap=10, margin=5)
    assert portrait is not None and portrait.count == 9 > plan.count


@pytest.mark.parametrize("paper", ["a4", "a3"])
@pytest.mark.parametrize("overlap", [0.0, 10.0, 50.0])
@pytest.mark.parametrize("poster", [(841.0, 1189.0), A1, (420.0, 594.0), (297.0, 420.0)])
def test_plan_covers_the_poster(paper: str, overlap: float, poster: tuple[float, float]) -> None:
    plan = plan_tiles(*poster, paper_size(paper), overlap=overlap, margin=5)
    check_cover(plan_windows(plan), *poster, overlap)
    inset = 5 + FRAME_MM
    assert plan.window_w <= plan.sheet.width - 2 * inset + 1e-9
    assert plan.window_h <= plan.sheet.height - 2 * inset + 1e-9


def test_small_poster_is_one_sheet() -> None:
    plan = plan_tiles(210, 297, paper_size("a3"), overlap=10, margin=5)
    assert plan.count == 1
    assert (plan.window_w, plan.window_h) == (210, 297)


def test_no_room_for_the_overlap() -> None:
    with pytest.raises(UsageError, match="overlap"):
        plan_tiles(*A1, paper_size("a4"), overlap=200, margin=5)


def test_names_and_labels() -> None:
    assert [row_name(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA"]
    plan = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
    assert tile_label("{tile} of {last}", plan, 1, 1) == "B2 of E3"
    labels = tile_labels("{tile} van {last}", plan)
    assert labels[0] == "A1 van E3" and labels[-1] == "E3 van E3"
    assert len(set(labels)) == plan.count


# --- the tiled PDF -------------------------------------------------------------------------


def plan_windows(plan: TilePlan) -> list[tuple[float, float, float, float]]:
    return [plan.window(r, c) for r, c in plan.tiles()]


def pdf_windows(path: Path, poster_h: float,
                offset: float = 0.0) -> list[tuple[float, float, float, float]]:
    """Read back, from each sheet's content stream, which poster rectangle it shows (mm, y down).

    The clip rectangle ``re W n`` in sheet coordinates, moved by the inverse of the ``cm`` that
    places the poster XObject, is the window in page coordinates; the trim starts *offset* mm
    into the page (bleed and crop-mark zone).
    """
    windows = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages[1:]:  # the first sheet shows how they go together
            content = page.Contents.read_bytes().decode()
            clip = re.search(r"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re W n", content)
            move = re.search(r"1 0 0 1 ([-\d.]+) ([-\d.]+) cm /P Do", content)
            assert clip and move, content[:200]
            x, y, w, h = (float(v) for v in clip.groups())
            tx, ty = (float(v) for v in move.groups())
            x0, y_low = pt_to_mm(x - tx) - offset, pt_to_mm(y - ty) - offset
            x1, y_high = x0 + pt_to_mm(w), y_low + pt_to_mm(h)
            windows.append((x0, poster_h - y_high, x1, poster_h - y_low))
    return windows


def check_cover(windows: list[tuple[float, float, float, float]], width: float, height: float,
                overlap: float) -> None:
    """The windows tile [0, W] × [0, H] in a grid whose neighbours overlap by ≥ *overlap*."""
    xs = sorted({round(w[0], 3) for w in windows})
    ys = sorted({round(w[1], 3) for w in windows})
    assert len(windows) == len(xs) * len(ys)
    tol = 0.01
    for x0, y0, x1, y1 in windows:
        assert -tol <= x0 and x1 <= width + tol and -tol <= y0 and y1 <= height + tol
    by_col = {round(w[0], 3): w for w in windows}
    by_row = {round(w[1], 3): w for w in windows}
    assert xs[0] == pytest.approx(0, abs=tol)
    assert ys[0] == pytest.approx(0, abs=tol)
    assert by_col[xs[-1]][2] == pytest.approx(width, abs=tol)
    assert by_row[ys[-1]][3] == pytest.approx(height, abs=tol)
    for a, b in itertools.pairwise(xs):
        assert by_col[a][2] - b >= overlap - tol  # left tile's right edge beyond the next start
    for a, b in itertools.pairwise(ys):
        assert by_row[a][3] - b >= overlap - tol
    # Every point of the poster is on some sheet: sample a fine grid.
    for i in range(41):
        for j in range(41):
            px, py = width * i / 40, height * j / 40
            assert any(x0 - tol <= px <= x1 + tol and y0 - tol <= py <= y1 + tol
                       for x0, y0, x1, y1 in windows), (px, py)


def test_tiled_pdf_covers_the_poster(tiled: PosterResult) -> None:
    plan = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
    windows = pdf_windows(tiled.path, A1[1])
    assert tiled.pages == len(windows) + 1 == 16
    check_cover(windows, *A1, overlap=10)
    for got, want in zip(windows, plan_windows(plan), strict=True):
        assert got == pytest.approx(want, abs=0.01)


def test_sheets_are_a4(tiled: PosterResult) -> None:
    with pikepdf.open(tiled.path) as pdf:
        for page in pdf.pages:
            box = [float(v) for v in page.mediabox]
            assert box == pytest.approx([0, 0, mm_to_pt(297), mm_to_pt(210)], abs=0.01)


def test_one_shared_poster_xobject(tiled: PosterResult, poster: PosterResult) -> None:
    """The poster is placed, never re-rendered: one XObject on every sheet, little overhead."""
    with pikepdf.open(tiled.path) as pdf:
        forms = {page.Resources.XObject.P.objgen for page in pdf.pages}
        assert len(forms) == 1
        form = pdf.pages[0].Resources.XObject.P
        assert form.Subtype == "/Form"
        assert [float(v) for v in form.BBox] == pytest.approx(
            [0, 0, mm_to_pt(594), mm_to_pt(841)], abs=0.01)
    overhead = tiled.path.stat().st_size - poster.path.stat().st_size
    assert overhead < 30_000, overhead


def test_labels_on_every_sheet(tiled: PosterResult) -> None:
    texts = pdf_page_texts(tiled.path)
    plan = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
    for text, label in zip(texts[1:], tile_labels("{tile} van {last}", plan), strict=True):
        assert label in text
    with pikepdf.open(tiled.path) as pdf:
        for page in pdf.pages:  # set in the poster's own (embedded) font
            font = page.Resources.Font.KL
            assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor


def test_the_first_sheet_shows_how_the_sheets_go_together(tiled: PosterResult,
                                                          content_dir: Path) -> None:
    """Before the tiles: the whole poster, small, with every sheet's place and name on it,
    under a line that says how to put them together (in the poster's language)."""
    from kaartspel.content.load import load_content

    plan = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
    first = pdf_page_texts(tiled.path)[0]
    assert load_content(content_dir, "nl").ui.tile_assembly in " ".join(first.split())
    names = [tile_name(row, col) for row, col in plan.tiles()]
    assert all(re.search(rf"\b{name}\b", first) for name in names), first[-200:]
    with pikepdf.open(tiled.path) as pdf:
        content = pdf.pages[0].Contents.read_bytes().decode()
        # The poster drawn once, scaled down into the sheet, and one outline per sheet.
        scale = re.search(r"([\d.]+) 0 0 \1 [-\d.]+ [-\d.]+ cm /P Do", content)
        assert scale and float(scale[1]) < 0.5
        assert content.count(" re S") == plan.count


def test_a_tiled_poster_passes_preflight(tiled: PosterResult) -> None:
    """The assembly sheet's picture of the poster is a production aid: its text, a few points
    high, is noted, not failed; every sheet's own text meets the minimum."""
    from kaartspel.pdf.preflight import preflight

    report = preflight(tiled.path)
    assert report.ok, report.failures
    assert report.smallest_text_pt is not None and report.smallest_text_pt >= 7
    assert any(note.startswith("page 1: text in a production aid") for note in report.notes)
    with pikepdf.open(tiled.path) as pdf:
        content = pdf.pages[0].Contents.read_bytes().decode()
    assert re.search(r"/Artifact <</Type /Page>> BDC q [^Q]* cm /P Do Q", content)


def test_marks_stay_in_the_frame(tiled: PosterResult) -> None:
    """Cut marks and overlap ticks lie outside the poster window, inside the printable area."""
    plan = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
    ax, ay = plan.origin
    window = (mm_to_pt(ax), mm_to_pt(ay), mm_to_pt(ax + plan.window_w),
              mm_to_pt(ay + plan.window_h))
    printable = (mm_to_pt(5), mm_to_pt(5), mm_to_pt(297 - 5), mm_to_pt(210 - 5))
    with pikepdf.open(tiled.path) as pdf:
        for index, page in enumerate(pdf.pages[1:]):
            content = page.Contents.read_bytes().decode()
            lines = re.findall(r"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l S", content)
            row, col = divmod(index, plan.cols)
            ticks = (col > 0) + (col < plan.cols - 1) + (row > 0) + (row < plan.rows - 1)
            assert len(lines) == 8 + 2 * ticks
            for line in lines:
                x1, y1, x2, y2 = (float(v) for v in line)
                for x, y in ((x1, y1), (x2, y2)):
                    assert printable[0] - 0.01 <= x <= printable[2] + 0.01
                    assert printable[1] - 0.01 <= y <= printable[3] + 0.01
                    inside = window[0] + 0.01 < x < window[2] - 0.01 and \
                        window[1] + 0.01 < y < window[3] - 0.01
                    assert not inside


def test_tiling_is_fast_and_falls_back_to_outlines(poster: PosterResult, tmp_path: Path) -> None:
    """Tiling an already rendered A1 poster takes milliseconds.

    This poster was rendered without the tile labels, so its font subsets lack some of their
    characters: the labels are then drawn as outlines of the bundled font (no new font).
    """
    plan = plan_tiles(*A1, paper_size("a3"), overlap=10, margin=5)
    with pikepdf.open(poster.path) as source:
        started = time.perf_counter()
        # Q, X and Y occur nowhere on the Dutch poster: no embedded subset holds them.
        out = tile_poster(source, plan, (0.0, 0.0), "{tile} QXY {last}")
        out.save(tmp_path / "tiles.pdf")
        seconds = time.perf_counter() - started
    assert seconds < 2.0
    with pikepdf.open(tmp_path / "tiles.pdf") as pdf:
        assert len(pdf.pages) == plan.count == 8
        for page in pdf.pages:
            content = page.Contents.read_bytes().decode()
            assert "/Font" not in page.Resources
            assert re.search(r"\d c\n", content) and content.count("\nf") >= 1
    with pikepdf.open(poster.path) as source:  # again, the font now loaded: 15 sheets
        plan4 = plan_tiles(*A1, paper_size("a4"), overlap=10, margin=5)
        started = time.perf_counter()
        tile_poster(source, plan4, (0.0, 0.0), "{tile} van {last}")
        assert time.perf_counter() - started < 0.25


def test_tiles_of_a_poster_with_bleed(content_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiles show the trimmed poster: the bleed and crop marks stay off the sheets."""
    from kaartspel.poster.geometry import MARK_ZONE_MM

    monkeypatch.chdir(tmp_path)
    result = build_poster(content_dir, PosterOptions(size="a2", bleed=3.0, tile="a4"),
                          tmp_path / "a2.pdf")
    plan = plan_tiles(420, 594, paper_size("a4"), overlap=10, margin=5)
    windows = pdf_windows(result.path, 594, offset=3.0 + MARK_ZONE_MM)
    assert result.pages == plan.count + 1 == len(windows) + 1
    check_cover(windows, 420, 594, overlap=10)
