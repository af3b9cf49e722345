"""Imposition: sheet grids, duplex back positions, crop marks, page and print-shop boxes.

PDFs are checked by structure: pikepdf gives page boxes and the content streams, from which
each placed card (a Form XObject ``/F<n>`` for fronts, ``/B<n>`` for backs, ``n`` being the
face's index in ``DeckResult.faces``) is located by its ``cm`` translation, and each crop
mark by its ``m``/``l`` segment.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from kaartspel.content.load import load_content
from kaartspel.deck.assemble import DeckResult, build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.errors import UsageError
from kaartspel.options import DeckOptions
from kaartspel.pdf.impose import MARK_GAP_MM, MARK_LENGTH_MM, Grid, back_slot, crop_marks, plan_grid
from kaartspel.units import CARD_SIZES, PAPER_SIZES, Size, card_size, mm_to_pt, paper_size

TOL = 0.01
"""Points: positions are written with three decimals."""

MARKS_MM = MARK_GAP_MM + MARK_LENGTH_MM


@pytest.fixture(autouse=True)
def _work_in_tmp(in_tmp: Path) -> None:
    """Builds run from a temporary folder: nothing is written into the repository."""


# --- reading sheets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """One Form XObject drawn on a page: its resource name and lower-left corner (pt)."""

    name: str
    x: float
    y: float
    w: float
    h: float

    @property
    def face(self) -> int:
        """Index of the face in DeckResult.faces (``/F12`` → 12)."""
        return int(self.name[1:])

    def inset(self, by: float) -> tuple[float, float, float, float]:
        return (self.x + by, self.y + by, self.x + self.w - by, self.y + self.h - by)


def placements(page: pikepdf.Page) -> list[Placed]:
    """Return every XObject placed on *page*, with its translation (only translations allowed)."""
    xobjects = page.Resources.XObject
    stack: list[tuple[float, float]] = []
    tx = ty = 0.0
    found = []
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        if op == "q":
            stack.append((tx, ty))
        elif op == "Q":
            tx, ty = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = (float(v) for v in instruction.operands)
            assert (a, b, c, d) == (1, 0, 0, 1), f"unexpected scale/rotation: {instruction}"
            tx, ty = tx + e, ty + f
        elif op == "Do":
            name = str(instruction.operands[0])[1:]
            bbox = [float(v) for v in xobjects["/" + name].BBox]
            found.append(Placed(name, tx + bbox[0], ty + bbox[1], bbox[2] - bbox[0],
                                bbox[3] - bbox[1]))
    return found


Segment = tuple[float, float, float, float]


def segments(page: pikepdf.Page) -> list[Segment]:
    """Return the straight line segments (``x1 y1 m x2 y2 l``) stroked on *page*."""
    found = []
    current: tuple[float, float] | None = None
    transformed = [False]  # per q…Q level: has a cm moved the coordinates?
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        if op == "q":
            transformed.append(transformed[-1])
        elif op == "Q":
            transformed.pop()
        elif op == "cm":
            transformed[-1] = True
        elif op == "m":
            assert not transformed[-1], "crop marks are expected in sheet coordinates"
            x1, y1 = (float(v) for v in instruction.operands)
            current = (x1, y1)
        elif op == "l":
            assert current is not None
            x2, y2 = (float(v) for v in instruction.operands)
            found.append((current[0], current[1], x2, y2))
            current = (x2, y2)
    return found


def stream_segments(data: bytes) -> list[Segment]:
    """Parse raw content-stream bytes (as crop_marks returns them) into segments."""
    pdf = pikepdf.Pdf.new()
    page = pdf.add_blank_page()
    page.obj.Contents = pdf.make_stream(data)
    return segments(page)


def media(page: pikepdf.Page) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]
    assert box[:2] == [0, 0], box
    return box[2], box[3]


def box(page: pikepdf.Page, key: str) -> list[float]:
    return [float(v) for v in page.obj[key]]


def close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol


def crosses(segment: Segment, rect: tuple[float, float, float, float]) -> bool:
    """Return whether an axis-parallel *segment* touches the closed rectangle *rect*."""
    x1, y1, x2, y2 = segment
    left, bottom, right, top = rect
    return (
        max(min(x1, x2), left) <= min(max(x1, x2), right) + 1e-6
        and max(min(y1, y2), bottom) <= min(max(y1, y2), top) + 1e-6
    )


def sheet_pairs(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Page, pikepdf.Page | None]]:
    """Split a sheet PDF into (front sheet, back sheet or None) by what the sheets hold."""
    pairs: list[tuple[pikepdf.Page, pikepdf.Page | None]] = []
    for page in pdf.pages:
        names = {p.name[0] for p in placements(page)}
        assert names in ({"F"}, {"B"}), f"a sheet mixes fronts and backs: {names}"
        if names == {"F"}:
            pairs.append((page, None))
        else:
            assert pairs and pairs[-1][1] is None, "a back sheet must follow its front sheet"
            pairs[-1] = (pairs[-1][0], page)
    return pairs


# --- back_slot: the duplex position rule (unit) ---------------------------------------------


def grid_of(sheet: Size, rows: int, cols: int) -> Grid:
    return Grid(sheet, rows, cols, 69, 94, 0, 10, 10)


PORTRAIT = grid_of(PAPER_SIZES["a4"].portrait, 3, 2)
LANDSCAPE = grid_of(PAPER_SIZES["a4"].landscape, 2, 4)


@pytest.mark.parametrize("grid", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("duplex", ["long", "short", "none"])
def test_back_slot_rule(grid: Grid, duplex: str) -> None:
    portrait = grid.sheet.height > grid.sheet.width
    # Long edge of a portrait sheet is vertical: the flip mirrors columns; of a landscape
    # sheet it is horizontal: the flip mirrors rows.  Short edge: the other axis.
    mirror = {"none": None, "long": "cols" if portrait else "rows",
              "short": "rows" if portrait else "cols"}[duplex]
    for row, col in itertools.product(range(grid.rows), range(grid.cols)):
        expected = {
            None: (row, col),
            "cols": (row, grid.cols - 1 - col),
            "rows": (grid.rows - 1 - row, col),
        }[mirror]
        assert back_slot(row, col, grid, duplex) == expected, (row, col)


@pytest.mark.parametrize("grid", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("duplex", ["long", "short", "none"])
def test_back_slot_is_a_permutation_and_an_involution(grid: Grid, duplex: str) -> None:
    cells = list(itertools.product(range(grid.rows), range(grid.cols)))
    backs = [back_slot(r, c, grid, duplex) for r, c in cells]
    assert sorted(backs) == cells
    assert [back_slot(r, c, grid, duplex) for r, c in backs] == cells


def test_back_slot_concrete_cells() -> None:
    """Spelled out for a 3×2 portrait and a 2×4 landscape grid."""
    assert back_slot(0, 0, PORTRAIT, "long") == (0, 1)
    assert back_slot(2, 1, PORTRAIT, "long") == (2, 0)
    assert back_slot(0, 0, PORTRAIT, "short") == (2, 0)
    assert back_slot(0, 3, LANDSCAPE, "long") == (1, 3)
    assert back_slot(1, 0, LANDSCAPE, "short") == (1, 3)
    assert back_slot(1, 2, LANDSCAPE, "none") == (1, 2)


# --- plan_grid (unit) -----------------------------------------------------------------------


def brute_force_best(card: Size, bleed: float, paper: Size, margin: float,
                     gutter: float) -> int:
    """The most cards that fit on either orientation, grid plus crop marks inside the margin."""
    cw, ch = card.width + 2 * bleed, card.height + 2 * bleed
    best = 0
    for sheet in (paper.portrait, paper.landscape):
        for cols, rows in itertools.product(range(1, 30), range(1, 30)):
            width = cols * cw + (cols - 1) * gutter + 2 * (margin + MARKS_MM)
            height = rows * ch + (rows - 1) * gutter + 2 * (margin + MARKS_MM)
            if width <= sheet.width + 1e-9 and height <= sheet.height + 1e-9:
                best = max(best, cols * rows)
    return best


def test_poker_on_a4_holds_eight() -> None:
    grid = plan_grid(CARD_SIZES["poker"], 3, PAPER_SIZES["a4"], 5, 0)
    assert grid.per_sheet == 8
    assert (grid.rows, grid.cols) == (2, 4)
    assert (grid.sheet.width, grid.sheet.height) == (297, 210)  # landscape
    assert (grid.cell_w, grid.cell_h) == (69, 94)


@pytest.mark.parametrize(
    ("size", "paper", "orientation", "per_sheet"),
    [
        ("poker", "a4", "landscape", 8),
        ("poker", "a3", "portrait", 16),
        ("poker", "letter", "landscape", 6),
        ("a7", "a4", "portrait", 4),
        ("tarot", "a4", "portrait", 4),
        ("mini", "a4", "landscape", 10),
        ("square", "a4", "portrait", 6),  # 3×2 either way: a tie goes to portrait
        ("a6", "a4", "landscape", 2),
    ],
)
def test_plan_grid_known_layouts(size: str, paper: str, orientation: str,
                                 per_sheet: int) -> None:
    grid = plan_grid(card_size(size), 3, paper_size(paper), 5, 0)
    assert grid.per_sheet == per_sheet
    landscape = grid.sheet.width > grid.sheet.height
    assert ("landscape" if landscape else "portrait") == orientation


@pytest.mark.parametrize("size", list(CARD_SIZES))
@pytest.mark.parametrize("paper", list(PAPER_SIZES))
@pytest.mark.parametrize(("bleed", "margin", "gutter"),
                         [(3, 5, 0), (0, 0, 0), (3.175, 12.7, 4), (5, 10, 2)])
def test_plan_grid_fits_the_most_cards(size: str, paper: str, bleed: float, margin: float,
                                       gutter: float) -> None:
    card, sheet_paper = card_size(size), paper_size(paper)
    best = brute_force_best(card, bleed, sheet_paper, margin, gutter)
    if best == 0:
        with pytest.raises(UsageError):
            plan_grid(card, bleed, sheet_paper, margin, gutter)
        return
    grid = plan_grid(card, bleed, sheet_paper, margin, gutter)
    assert grid.per_sheet == best
    # The grid is centred and, with its crop marks, stays inside the margin.
    grid_w = grid.cols * grid.cell_w + (grid.cols - 1) * grid.gutter
    grid_h = grid.rows * grid.cell_h + (grid.rows - 1) * grid.gutter
    assert math.isclose(grid.origin_x * 2 + grid_w, grid.sheet.width)
    assert math.isclose(grid.origin_y * 2 + grid_h, grid.sheet.height)
    assert grid.origin_x - MARKS_MM >= margin - 1e-9
    assert grid.origin_y - MARKS_MM >= margin - 1e-9


def test_plan_grid_impossible_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"does not fit on a4"):
        plan_grid(card_size("150x200"), 3, paper_size("a4"), 30, 0)


def test_a6_on_a4_with_a_30_mm_margin_still_fits_one() -> None:
    """111×154 mm with bleed, plus 2×(30 + 5) mm of margin and marks, is 181×224 mm ≤ A4."""
    grid = plan_grid(card_size("a6"), 3, paper_size("a4"), 30, 0)
    assert grid.per_sheet == 1


def test_impossible_grid_fails_before_rendering(tmp_path: Path, content_dir: Path) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(UsageError, match="does not fit"):
        build_deck(content_dir, DeckOptions(size="150x200", margin=30), out)
    assert not out.exists()


# --- crop marks (unit, over many grids) -----------------------------------------------------


def trim_lines(grid: Grid, bleed: float) -> tuple[list[float], list[float]]:
    """All trim x (every column, both sides) and y (every row, both sides) in pt."""
    xs, ys = [], []
    for col in range(grid.cols):
        x, _ = grid.cell(0, col)
        xs += [mm_to_pt(x + bleed), mm_to_pt(x + grid.cell_w - bleed)]
    for row in range(grid.rows):
        _, y = grid.cell(row, 0)
        ys += [mm_to_pt(y + bleed), mm_to_pt(y + grid.cell_h - bleed)]
    return xs, ys


def check_marks(marks: list[Segment], xs: list[float], ys: list[float],
                bleeds: list[tuple[float, float, float, float]],
                printable: tuple[float, float, float, float]) -> None:
    """Every trim line has a mark; marks sit on trim lines, off every bleed, inside the margin."""
    vertical = [s for s in marks if close(s[0], s[2])]
    horizontal = [s for s in marks if close(s[1], s[3])]
    assert len(vertical) + len(horizontal) == len(marks), "a crop mark is not axis-parallel"
    for x in xs:
        assert any(close(s[0], x) for s in vertical), f"no crop mark for trim x={x:.3f}"
    for y in ys:
        assert any(close(s[1], y) for s in horizontal), f"no crop mark for trim y={y:.3f}"
    for s in vertical:
        assert any(close(s[0], x) for x in xs), f"vertical mark off every trim line: {s}"
    for s in horizontal:
        assert any(close(s[1], y) for y in ys), f"horizontal mark off every trim line: {s}"
    left, bottom, right, top = printable
    for s in marks:
        assert not any(crosses(s, b) for b in bleeds), f"crop mark {s} enters a card's bleed"
        for x, y in ((s[0], s[1]), (s[2], s[3])):
            assert left - TOL <= x <= right + TOL and bottom - TOL <= y <= top + TOL, (
                f"crop mark {s} outside the printable area {printable}"
            )


@pytest.mark.parametrize(("size", "paper", "bleed", "margin", "gutter"), [
    ("poker", "a4", 3, 5, 0),
    ("poker", "a4", 0, 5, 0),
    ("a7", "a4", 3, 5, 6),
    ("mini", "letter", 3.175, 6.35, 2),
    ("bridge", "a3", 5, 10, 0),
    ("tarot", "a3", 2, 0, 1),
])
def test_crop_marks_unit(size: str, paper: str, bleed: float, margin: float,
                         gutter: float) -> None:
    grid = plan_grid(card_size(size), bleed, paper_size(paper), margin, gutter)
    marks = stream_segments(crop_marks(grid, bleed))
    xs, ys = trim_lines(grid, bleed)
    bleeds = []
    for row, col in itertools.product(range(grid.rows), range(grid.cols)):
        x, y = grid.cell(row, col)
        bleeds.append((mm_to_pt(x), mm_to_pt(y), mm_to_pt(x + grid.cell_w),
                       mm_to_pt(y + grid.cell_h)))
    w, h = mm_to_pt(grid.sheet.width), mm_to_pt(grid.sheet.height)
    m = mm_to_pt(margin)
    check_marks(marks, xs, ys, bleeds, (m, m, w - m, h - m))
    for s in marks:  # each mark is MARK_LENGTH_MM long
        assert close(math.dist(s[:2], s[2:]), mm_to_pt(MARK_LENGTH_MM))


# --- real sheet PDFs ------------------------------------------------------------------------


def test_full_deck_sheets(nl_sheet_deck: DeckResult) -> None:
    """48 poker cards on A4: 6 front sheets of 8, each followed by its back sheet."""
    assert nl_sheet_deck.cards == 48
    with pikepdf.open(nl_sheet_deck.path) as pdf:
        assert nl_sheet_deck.pages == len(pdf.pages) == 12
        pairs = sheet_pairs(pdf)
        assert len(pairs) == 6
        for front, back in pairs:
            assert back is not None
            assert len(placements(front)) == 8
            assert len(placements(back)) == 8
        fronts = [p.face for front, _ in pairs for p in placements(front)]
    # Fronts are placed in deck order, every card once.
    assert fronts == list(range(48))


def test_crop_marks_on_real_sheet(nl_sheet_deck: DeckResult) -> None:
    bleed = mm_to_pt(3)
    margin = mm_to_pt(5)
    with pikepdf.open(nl_sheet_deck.path) as pdf:
        for front, back in sheet_pairs(pdf):
            cards = placements(front)
            xs = sorted({v for p in cards for v in (p.x + bleed, p.x + p.w - bleed)})
            ys = sorted({v for p in cards for v in (p.y + bleed, p.y + p.h - bleed)})
            assert len(xs) == 8 and len(ys) == 4  # 4 columns, 2 rows
            w, h = media(front)
            marks = segments(front)
            assert marks, "no crop marks on a front sheet"
            check_marks(marks, xs, ys, [p.inset(0) for p in cards],
                        (margin, margin, w - margin, h - margin))
            assert back is not None and segments(back) == []


def check_duplex(result: DeckResult, duplex: str, bleed_mm: float, content_dir: Path) -> int:
    """Assert every back sits where its front's trim lands after the flip; return sheets."""
    content = load_content(content_dir, "nl")
    theme_of = {card.id: card.theme for card in build_cards(content)}
    faces = result.faces
    bleed = mm_to_pt(bleed_mm)
    sheets = 0
    with pikepdf.open(result.path) as pdf:
        for front, back in sheet_pairs(pdf):
            sheets += 1
            assert back is not None
            w, h = media(front)
            assert media(back) == (w, h)
            portrait = h > w
            axis = {"none": None, "long": "x" if portrait else "y",
                    "short": "y" if portrait else "x"}[duplex]
            backs = placements(back)
            fronts = placements(front)
            assert len(backs) == len(fronts)
            for card in fronts:
                assert faces[card.face] in theme_of, faces[card.face]
                left, bottom, right, top = card.inset(bleed)
                # Where the front's trim box lands on the back side of the paper.
                if axis == "x":
                    left, right = w - right, w - left
                elif axis == "y":
                    bottom, top = h - top, h - bottom
                matches = [b for b in backs
                           if all(close(u, v) for u, v in
                                  zip(b.inset(bleed), (left, bottom, right, top), strict=True))]
                assert len(matches) == 1, (
                    f"{faces[card.face]}: no back at the mirrored trim box "
                    f"{(left, bottom, right, top)} on a {'portrait' if portrait else 'landscape'} "
                    f"sheet (backs at {[(b.x, b.y) for b in backs]})"
                )
                assert faces[matches[0].face] == f"back-{theme_of[faces[card.face]]}"
        prefs = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
        expected = {"long": "/DuplexFlipLongEdge", "short": "/DuplexFlipShortEdge"}
        if duplex == "none":
            assert "/Duplex" not in prefs
        else:
            assert prefs.get("/Duplex") == pikepdf.Name(expected[duplex])
    return sheets


SUBSET = ("rollen", "netwerkvorming", "samenwerken")  # 13 cards: partial last sheets


@pytest.fixture(scope="module")
def duplex_decks(tmp_path_factory: pytest.TempPathFactory,
                 content_dir: Path) -> dict[tuple[str, str], DeckResult]:
    """Three-theme decks on portrait (a7) and landscape (poker) A4 sheets, each duplex mode."""
    folder = tmp_path_factory.mktemp("duplex")
    decks = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # whatever a build writes beside it stays in the temporary folder
        for size, duplex in itertools.product(("poker", "a7"), ("long", "short", "none")):
            options = DeckOptions(size=size, duplex=duplex, themes=SUBSET, extras=False)
            decks[size, duplex] = build_deck(content_dir, options,
                                             folder / f"{size}-{duplex}.pdf")
    return decks


def test_duplex_long_full_deck(nl_sheet_deck: DeckResult, content_dir: Path) -> None:
    assert check_duplex(nl_sheet_deck, "long", 3, content_dir) == 6


@pytest.mark.parametrize("duplex", ["long", "short", "none"])
@pytest.mark.parametrize(("size", "portrait", "sheets"),
                         [("poker", False, 2), ("a7", True, 4)])
def test_duplex_positions(duplex_decks: dict[tuple[str, str], DeckResult], size: str,
                          portrait: bool, sheets: int, duplex: str,
                          content_dir: Path) -> None:
    result = duplex_decks[size, duplex]
    assert result.cards == 13
    with pikepdf.open(result.path) as pdf:
        w, h = media(pdf.pages[0])
        assert (h > w) is portrait
    assert check_duplex(result, duplex, 3, content_dir) == sheets


def test_duplex_rule_is_not_vacuous(duplex_decks: dict[tuple[str, str], DeckResult]) -> None:
    """Long and short edge put at least one back in a different place than 'none' does."""
    for size in ("poker", "a7"):
        spots = {}
        for duplex in ("long", "short", "none"):
            with pikepdf.open(duplex_decks[size, duplex].path) as pdf:
                spots[duplex] = [(round(p.x, 2), round(p.y, 2))
                                 for _, back in sheet_pairs(pdf) if back is not None
                                 for p in placements(back)]
        assert spots["long"] != spots["none"]
        assert spots["short"] != spots["none"]
        assert spots["long"] != spots["short"]


def test_no_backs_no_duplex_preference(tmp_path: Path, content_dir: Path) -> None:
    result = build_deck(content_dir, DeckOptions(backs="none", themes=("rollen",)),
                        tmp_path / "x.pdf")
    with pikepdf.open(result.path) as pdf:
        assert len(pdf.pages) == 1
        assert "/Duplex" not in (pdf.Root.get("/ViewerPreferences") or {})


# --- page sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "width_mm", "height_mm"), [
    ("a4", 297, 210),
    ("a3", 297, 420),
    ("letter", 279.4, 215.9),
])
def test_sheet_page_size(tmp_path: Path, content_dir: Path, paper: str, width_mm: float,
                         height_mm: float) -> None:
    """The sheet has the paper's size in the orientation that holds the most poker cards."""
    options = DeckOptions(paper=paper, cards=("tip-1", "tip-2"))
    result = build_deck(content_dir, options, tmp_path / "x.pdf")
    grid = plan_grid(CARD_SIZES["poker"], 3, paper_size(paper), 5, 0)
    assert (grid.sheet.width, grid.sheet.height) == (width_mm, height_mm)
    with pikepdf.open(result.path) as pdf:
        assert len(pdf.pages) == 2  # fronts and backs
        for page in pdf.pages:
            w, h = media(page)
            assert close(w, mm_to_pt(width_mm)) and close(h, mm_to_pt(height_mm)), (w, h)


def check_single_boxes(path: Path, card: Size, bleed_mm: float) -> int:
    """MediaBox = BleedBox = card + 2×bleed; TrimBox = that inset by the bleed."""
    b = mm_to_pt(bleed_mm)
    w, h = mm_to_pt(card.width + 2 * bleed_mm), mm_to_pt(card.height + 2 * bleed_mm)
    with pikepdf.open(path) as pdf:
        for n, page in enumerate(pdf.pages):
            media_box = [float(v) for v in page.mediabox]
            expected = [0, 0, w, h]
            assert all(close(u, v) for u, v in zip(media_box, expected, strict=True)), (
                n, media_box, expected)
            assert all(close(u, v) for u, v in
                       zip(box(page, "/BleedBox"), expected, strict=True)), n
            trim = box(page, "/TrimBox")
            assert all(close(u, v) for u, v in
                       zip(trim, [b, b, w - b, h - b], strict=True)), (n, trim)
            assert close(trim[2] - trim[0], mm_to_pt(card.width))
            assert close(trim[3] - trim[1], mm_to_pt(card.height))
        return len(pdf.pages)


def test_single_full_deck_boxes(nl_single_deck: DeckResult) -> None:
    pages = check_single_boxes(nl_single_deck.path, CARD_SIZES["poker"], 3)
    assert pages == nl_single_deck.pages == 2 * nl_single_deck.cards


@pytest.mark.parametrize(("size", "bleed"), [("poker", 0), ("poker", 3.175), ("a7", 5),
                                             ("80x120", 3)])
def test_single_boxes(tmp_path: Path, content_dir: Path, size: str, bleed: float) -> None:
    options = DeckOptions(layout="single", size=size, bleed=bleed, cards=("tip-1",))
    result = build_deck(content_dir, options, tmp_path / "x.pdf")
    assert check_single_boxes(result.path, card_size(size), bleed) == 2
    with pikepdf.open(result.path) as pdf:
        # No duplex hint: a print shop gets separate pages.
        assert "/Duplex" not in (pdf.Root.get("/ViewerPreferences") or {})
