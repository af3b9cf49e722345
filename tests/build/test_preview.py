"""``kaartspel preview``: PNGs of pages (trimmed), of cards, and a contact sheet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from test_build import copy_project
from typer.testing import CliRunner, Result

from kaartspel.build.preview import contact_sheet
from kaartspel.cli.app import app

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(tmp_path_factory, tmp_path, monkeypatch)


def card_px(mm: float, dpi: float) -> int:
    return round(mm / 25.4 * dpi)


def size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def test_single_layout_deck_gives_one_trimmed_png_per_card(project: Path) -> None:
    result = run("preview", "deck/tips-nl.yaml", "--dpi", "100")
    assert result.exit_code == 0, result.output
    assert "up to date tips-nl.pdf" in result.stdout  # not rebuilt
    folder = project / "build" / "preview" / "tips-nl"
    pages = sorted(folder.glob("page-*.png"))
    assert len(pages) == 12  # 6 tips, front and back each
    poker = (card_px(63, 100), card_px(88, 100))
    assert {size(p) for p in pages} == {poker}
    assert not list(folder.glob("card-*.png"))  # the pages are the cards already
    # The contact sheet holds the 6 fronts: 3 + 3 in two rows (or 6 in one, 2 × 3, …).
    width, height = size(folder / "contact.png")
    assert width > height / 3


def test_sheet_deck_gives_pages_cards_and_contact_sheet(project: Path) -> None:
    out = project / "pictures"
    result = run("preview", "deck/netwerkvorming-nl.yaml", "--dpi", "60", "-o", out)
    assert result.exit_code == 0, result.output
    pages = sorted(out.glob("page-*.png"))
    cards = sorted(out.glob("card-*.png"))
    assert len(pages) == 4  # 2 sheets of fronts, 2 of backs
    assert {size(p) for p in pages} == {(card_px(210, 60), card_px(297, 60))}  # A4, untrimmed
    # The theme's 4 cards, the organiser's own question, the set's title, how-to and credits.
    assert len(cards) == 8
    assert {size(c) for c in cards} == {(card_px(74, 60), card_px(105, 60))}  # A7, trimmed
    assert (out / "contact.png").is_file()


def test_pdf_argument_and_stale_recipe_is_built_first(project: Path) -> None:
    (project / "build" / "netwerk-en.pdf").unlink()
    result = run("preview", "deck/netwerk-en.yaml", "--dpi", "30")
    assert result.exit_code == 0, result.output
    assert "built netwerk-en.pdf" in result.stdout
    # A PDF that the manifest does not describe: just its pages.
    shutil.copy(project / "build" / "tips-nl.pdf", project / "copy.pdf")
    result = run("preview", "copy.pdf", "--dpi", "50", "-o", "copy")
    assert result.exit_code == 0, result.output
    pngs = sorted((project / "copy").glob("*.png"))
    assert len([p for p in pngs if p.name.startswith("page-")]) == 12
    assert size(pngs[-1]) == (card_px(63, 50), card_px(88, 50))


def test_preview_usage_errors(project: Path) -> None:
    assert run("preview", "nothing.pdf").exit_code == 2
    (project / "notes.txt").write_text("x")
    assert run("preview", "notes.txt").exit_code == 2
    assert run("preview", "deck/tips-nl.yaml", "--dpi", "5").exit_code == 2


def test_contact_sheet_grid() -> None:
    tiles = [Image.new("RGB", (63, 88), (i * 20, 0, 0)) for i in range(10)]
    sheet = contact_sheet(tiles, thumb_height=44, columns=4, gap=5)
    assert sheet.size == (5 + 4 * (32 + 5), 5 + 3 * (44 + 5))


def test_only_its_own_folder_is_cleaned(project: Path) -> None:
    own = project / "build" / "preview" / "tips-nl"
    own.mkdir(parents=True)
    (own / "page-099.png").write_bytes(b"old")
    mine = project / "mine"
    mine.mkdir()
    (mine / "page-099.png").write_bytes(b"someone's")
    assert run("preview", "deck/tips-nl.yaml", "--dpi", "20").exit_code == 0
    assert not (own / "page-099.png").exists()
    assert run("preview", "deck/tips-nl.yaml", "--dpi", "20", "-o", mine).exit_code == 0
    assert (mine / "page-099.png").read_bytes() == b"someone's"
    assert (mine / "page-012.png").is_file()
