"""Online export: one trimmed PNG per card with a zip, and 16:9 slides read by screen readers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from kaartspel.content.load import load_content
from kaartspel.deck.assemble import deck_cards
from kaartspel.kit.export import ExportResult, card_text, export_deck, png_names
from kaartspel.options import ExportOptions

THEME = ("netwerkvorming",)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> ExportResult:
    folder = tmp_path_factory.mktemp("export")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # the face cache goes to this folder's build/.cache
        return export_deck(content_dir, ExportOptions(png=True, slides=True, themes=THEME),
                           folder)


def test_one_png_per_card_trimmed_at_screen_resolution(exported: ExportResult,
                                                       content_dir: Path) -> None:
    cards = deck_cards(load_content(content_dir, "nl"),
                       ExportOptions(themes=THEME).deck())
    assert len(exported.pngs) == len(cards) == exported.cards == 7
    assert [p.name for p in exported.pngs] == png_names(cards)
    for path, card in zip(exported.pngs, cards, strict=True):
        assert re.fullmatch(rf"{card.number:02d}-[a-z0-9]+(-[a-z0-9]+)*\.png", path.name)
        with Image.open(path) as image:
            # A poker card, 63 × 88 mm without its bleed, at 150 dpi.
            assert image.size == (round(63 / 25.4 * 150), round(88 / 25.4 * 150))
    assert exported.pngs[3].name == "34-netwerkvorming.png"
    # Trimmed: no bleed means the band's colour reaches the image's top corners exactly.
    with Image.open(exported.pngs[3]) as image:
        rgb = image.convert("RGB")
        assert rgb.getpixel((0, 0)) == rgb.getpixel((image.width - 1, 0)) != (255, 255, 255)
    assert exported.zip is not None
    with zipfile.ZipFile(exported.zip) as archive:
        names = archive.namelist()
        assert names == sorted(f"{exported.zip.stem}/{p.name}" for p in exported.pngs)
        assert archive.read(names[0]) == sorted(exported.pngs)[0].read_bytes()


def test_a_pixel_width_sets_every_png(tmp_path: Path, content_dir: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = export_deck(content_dir, ExportOptions(png=True, width=500, cards=("tip-1",)),
                         tmp_path)
    assert result.folder is not None and result.folder.name == "cards-nl-poker-width500-tip-1"
    with Image.open(result.pngs[0]) as image:
        assert image.width == 500


def test_slides_are_16_to_9_one_card_each_with_its_text(exported: ExportResult,
                                                       content_dir: Path) -> None:
    content = load_content(content_dir, "nl")
    cards = deck_cards(content, ExportOptions(themes=THEME).deck())
    assert exported.slides is not None
    with pikepdf.open(exported.slides) as pdf:
        assert len(pdf.pages) == len(cards)
        for page in pdf.pages:
            _, _, w, h = (float(v) for v in page.mediabox)
            assert w / h == pytest.approx(16 / 9)
        figures = list(pdf.Root.StructTreeRoot.K[0].K)
        assert [f.S for f in figures] == [pikepdf.Name.Figure] * len(cards)
        assert [str(f.Alt) for f in figures] == [card_text(content, c) for c in cards]
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "nl"
        # Large and centred: the card takes 88 % of the slide's height.
        box = [float(v) for v in figures[3].A.BBox]
        assert box[3] - box[1] == pytest.approx(0.88 * h, abs=0.01)
        assert (box[0] + box[2]) / 2 == pytest.approx(w / 2, abs=0.01)
    question = card_text(content, cards[3])
    assert question.startswith("Netwerkvorming. Vraag aan de groep: ")
    assert "?. " not in question and "Vraag aan jezelf: " in question


def test_the_command_asks_what_to_export(in_tmp: Path, content_dir: Path) -> None:
    from typer.testing import CliRunner

    from kaartspel.cli.app import app

    result = CliRunner().invoke(app, ["--content", str(content_dir), "export"])
    assert result.exit_code == 2
    assert "Error: say what to export: --png" in result.output
