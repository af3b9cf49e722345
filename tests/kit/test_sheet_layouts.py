"""The trainer's sheet layouts, placed exactly: back offset, shared cuts, fold pairs, marks."""

from __future__ import annotations

import pikepdf
import pytest

from kaartspel.pdf.duplex import back_shift
from kaartspel.pdf.fold import impose_fold, plan_fold_grid
from kaartspel.pdf.impose import impose_sheets, plan_grid, plan_shared_grid
from kaartspel.units import CARD_SIZES, PAPER_SIZES, Size
from support.strokes import strokes

MM = 72 / 25.4
BLEED = 3.0
POKER = CARD_SIZES["poker"]
A4 = PAPER_SIZES["a4"]


def faces(count: int, card: Size = POKER) -> pikepdf.Pdf:
    """Return a PDF of *count* blank faces of *card* plus bleed (fronts, then one back)."""
    pdf = pikepdf.Pdf.new()
    for _ in range(count + 1):
        pdf.add_blank_page(page_size=((card.width + 2 * BLEED) * MM,
                                      (card.height + 2 * BLEED) * MM))
    return pdf


def placements(page: pikepdf.Page) -> list[tuple[str, tuple[float, float],
                                                  tuple[float, float, float, float] | None]]:
    """Return each placed form: its name, where its lower-left lands (mm) and its clip (mm:
    left, bottom, right, top), read from the sheet's content stream."""
    found = []
    clip = None
    at = (0.0, 0.0)
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            clip, at = None, (0.0, 0.0)
        elif op == "re":
            x, y, w, h = (float(v) / MM for v in operands)
            clip = (x, y, x + w, y + h)
        elif op == "cm":
            at = (float(operands[4]) / MM, float(operands[5]) / MM)
        elif op == "Do":
            found.append((str(operands[0]), at, clip))
    return found


@pytest.mark.parametrize("duplex", ["long", "short"])
@pytest.mark.parametrize("card", ["poker", "a7"])
@pytest.mark.parametrize("offset", [(1.5, -0.5), (-3.0, 2.25)])
def test_the_back_offset_moves_every_back_by_exactly_the_correction(
        duplex: str, card: str, offset: tuple[float, float]) -> None:
    size = CARD_SIZES[card]
    grid = plan_grid(size, BLEED, A4, 5.0, 0.0)
    n = grid.per_sheet + 2  # a full sheet and a part one
    src = faces(n, size)
    plain = impose_sheets(src, list(range(n)), [n] * n, grid, BLEED, duplex)
    moved = impose_sheets(src, list(range(n)), [n] * n, grid, BLEED, duplex, back_offset=offset)
    dx, dy = back_shift(offset, grid.sheet, duplex)
    # Seen from the front the move is the offset the other way round: it cancels the drift.
    mirror_x = (duplex == "long") == (grid.sheet.height >= grid.sheet.width)
    assert (-dx if mirror_x else dx, dy if mirror_x else -dy) == pytest.approx(
        (-offset[0], -offset[1]))
    for index, (a, b) in enumerate(zip(plain.pages, moved.pages, strict=True)):
        before, after = placements(a), placements(b)
        assert len(before) == len(after) > 0
        for (name, (x0, y0), _), (name2, (x1, y1), _) in zip(before, after, strict=True):
            assert name == name2
            if index % 2 == 0:  # a front sheet stays where it was
                assert (x1, y1) == pytest.approx((x0, y0), abs=1e-3)
            else:
                assert (x1 - x0, y1 - y0) == pytest.approx((dx, dy), abs=1e-3)


def test_shared_cuts_leave_no_gaps_and_bleed_only_outside() -> None:
    grid = plan_shared_grid(POKER, BLEED, A4, 5.0)
    n = grid.per_sheet
    out = impose_sheets(faces(n), list(range(n)), [None] * n, grid, BLEED, "none")
    placed = placements(out.pages[0])
    assert len(placed) == n == grid.rows * grid.cols
    clips = [clip for _, _, clip in placed]
    assert all(clip is not None for clip in clips)
    trims = []
    for slot, (_, (x, y), clip) in enumerate(placed):
        row, col = divmod(slot, grid.cols)
        trim = (x + BLEED, y + BLEED, x + BLEED + POKER.width, y + BLEED + POKER.height)
        trims.append(trim)
        assert clip is not None
        # Bleed shows only on the sides at the edge of the block of cards.
        outside = (col == 0, row == grid.rows - 1, col == grid.cols - 1, row == 0)
        for side, (c, t, out_side) in enumerate(zip(clip, trim, outside, strict=True)):
            grow = (t - c) if side < 2 else (c - t)
            assert grow == pytest.approx(BLEED if out_side else 0.0, abs=1e-3)
    # Edge to edge: each card's trim starts where its neighbour's ends.
    for slot, trim in enumerate(trims):
        row, col = divmod(slot, grid.cols)
        if col + 1 < grid.cols:
            assert trims[slot + 1][0] == pytest.approx(trim[2], abs=1e-3)
        if row + 1 < grid.rows:
            assert trims[slot + grid.cols][3] == pytest.approx(trim[1], abs=1e-3)
    # One full-length cut per trim line: columns + 1 vertical, rows + 1 horizontal.
    lines = [s.segment for s in strokes(out.pages[0])]
    xs = {round(a[0], 3) for a, b in lines if abs(a[0] - b[0]) < 1e-3}
    ys = {round(a[1], 3) for a, b in lines if abs(a[1] - b[1]) < 1e-3}
    assert xs == {round(trims[0][0] + k * POKER.width, 3) for k in range(grid.cols + 1)}
    assert ys == {round(trims[0][3] - k * POKER.height, 3) for k in range(grid.rows + 1)}
    # They run from the printable margin to a mark's gap short of the bleed.
    sheet = grid.sheet
    for a, b in lines:
        ends = sorted([a, b])
        if abs(a[0] - b[0]) < 1e-3:
            assert {round(ends[0][1], 3), round(ends[1][1], 3)} & {5.0, round(sheet.height - 5, 3)}
        else:
            assert {round(ends[0][0], 3), round(ends[1][0], 3)} & {5.0, round(sheet.width - 5, 3)}
    assert len(xs) + len(ys) == grid.cols + grid.rows + 2


def test_fold_pairs_put_each_back_beside_its_front() -> None:
    grid = plan_fold_grid(POKER, BLEED, A4, 5.0, 0.0)
    n = grid.per_sheet + 1
    backs = [n + 0] * n
    out = impose_fold(faces(n), list(range(n)), backs, grid, BLEED)
    assert len(out.pages) == 2  # one-sided: no back sheets
    for page in out.pages:
        placed = placements(page)
        pairs = list(zip(placed[::2], placed[1::2], strict=True))
        for (front, (fx, fy), fclip), (back, (bx, by), bclip) in pairs:
            assert front.startswith("/F") and back.startswith("/B")
            assert fclip is not None and bclip is not None
            fold = fx + BLEED + POKER.width
            assert fclip[2] == pytest.approx(fold, abs=1e-3)
            assert bclip[0] == pytest.approx(fold, abs=1e-3)
            assert bx + BLEED == pytest.approx(fold, abs=1e-3)  # its trim starts at the fold
            assert by == pytest.approx(fy, abs=1e-3)
            assert (fclip[1], fclip[3]) == pytest.approx((bclip[1], bclip[3]), abs=1e-3)
        # A dashed fold mark above and below every pair's fold, solid crop marks round it.
        dashed = [s for s in strokes(page) if s.dash]
        assert len(dashed) == 2 * len(pairs)
        folds = {round(s.points[0][0], 3) for s in dashed}
        assert folds == {round(f[1][0] + BLEED + POKER.width, 3) for f, _ in pairs}


@pytest.mark.parametrize("count", [1, 4, 7])
def test_crop_marks_are_only_around_cards(count: int) -> None:
    grid = plan_grid(POKER, BLEED, A4, 5.0, 0.0)
    out = impose_sheets(faces(count), list(range(count)), [None] * count, grid, BLEED, "none")
    trims = [(x + BLEED, y + BLEED, x + BLEED + POKER.width, y + BLEED + POKER.height)
             for _, (x, y), _ in placements(out.pages[-1])]
    xs = {round(v, 3) for t in trims for v in (t[0], t[2])}
    ys = {round(v, 3) for t in trims for v in (t[1], t[3])}
    for (x1, y1), (x2, y2) in (s.segment for s in strokes(out.pages[-1])):
        if abs(x1 - x2) < 1e-3:  # a vertical mark: on a trim line of a card in its column
            assert round(x1, 3) in xs
            column = [t for t in trims if round(x1, 3) in (round(t[0], 3), round(t[2], 3))]
            # above the top card of that column or below its lowest
            assert min(y1, y2) > max(t[3] for t in column) or \
                max(y1, y2) < min(t[1] for t in column)
        else:
            assert round(y1, 3) in ys
            row = [t for t in trims if round(y1, 3) in (round(t[1], 3), round(t[3], 3))]
            assert min(x1, x2) > max(t[2] for t in row) or max(x1, x2) < min(t[0] for t in row)
