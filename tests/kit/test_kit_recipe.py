"""Recipes for the kit: box and calibrate recipes, and a kit recipe of several parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaartspel.build.plan import BuildSettings, find_targets
from kaartspel.build.recipes import load_recipe
from kaartspel.build.run import run_build
from kaartspel.errors import ContentError, UsageError
from kaartspel.options import BoxOptions, CalibrateOptions, DeckOptions


def test_the_shipped_kit_builds_deck_box_and_test_sheet(repo_root: Path,
                                                        content_dir: Path) -> None:
    path = repo_root / "deck" / "trainer-kit-nl.yaml"
    targets = [t for t in find_targets([path])]
    assert [(t.kind, t.part, t.output_name) for t in targets] == [
        ("deck", "deck", "trainerskit-nl.pdf"), ("box", "box", "trainerskit-nl-doosje.pdf"),
        ("calibrate", "calibrate", "trainerskit-nl-proefvel.pdf")]
    assert len({t.shown for t in targets}) == 3
    deck = load_recipe(path, content_dir, "deck").options
    assert isinstance(deck, DeckOptions)
    assert (deck.lang, deck.legend, deck.blanks, deck.size) == ("nl", True, 8, "poker")
    box = load_recipe(path, content_dir, "box").options
    assert isinstance(box, BoxOptions)
    assert (box.lang, box.cards, box.paper_weight) == ("nl", 57, 300)
    # The box holds the deck: the set, its legend and the blanks.
    from kaartspel.content.load import load_content
    from kaartspel.deck.assemble import deck_cards

    assert box.cards == len(deck_cards(load_content(content_dir, "nl"), deck))
    sheet = load_recipe(path, content_dir, "calibrate").options
    assert isinstance(sheet, CalibrateOptions) and sheet.duplex == deck.duplex


def kit(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deck" / "kit.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_part_is_located_and_no_part_builds(tmp_path: Path, content_dir: Path) -> None:
    path = kit(tmp_path, "type: kit\nlang: en\ndeck:\n  output: d.pdf\nbox:\n"
                         "  output: box.txt\n  cards: 0\n")
    with pytest.raises(ContentError) as info:
        load_recipe(path, content_dir, "deck")
    lines = info.value.lines()
    assert any("kit.yaml:7: box.cards: expected at least 1" in line for line in lines), lines
    path = kit(tmp_path, "type: kit\nlang: en\ndeck:\n  output: d.pdf\nbox:\n"
                         "  output: box.txt\n")
    with pytest.raises(ContentError) as info:
        load_recipe(path, content_dir, "deck")
    assert any("kit.yaml:6: box.output: expected a file name ending in .pdf" in line
               for line in info.value.lines()), info.value.lines()
    with pytest.raises(UsageError, match="is a kit of deck; use 'kaartspel deck"):
        load_recipe(kit(tmp_path, "type: kit\ndeck:\n  output: d.pdf\n"), content_dir, "box")


def test_build_makes_every_part_and_then_skips_them(tmp_path: Path, content_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    kit(tmp_path, "type: kit\nlang: en\ndeck:\n  output: d.pdf\n  select:\n"
                  "    themes: [netwerkvorming]\n  blanks: 2\n  legend: true\n"
                  "box:\n  output: b.pdf\n  cards: 10\ncalibrate:\n  output: c.pdf\n"
                  "  duplex: short\n")
    (tmp_path / "deck" / "box.yaml").write_text(
        "type: box\nlang: nl\noutput: tarot-box.pdf\nsize: tarot\ncards: 78\n", "utf-8")
    settings = BuildSettings(content_dir, tmp_path / "out")
    first = run_build(settings, [], jobs=1)
    assert sorted((o.output.name if o.output else "", o.status) for o in first) == [
        ("b.pdf", "built"), ("c.pdf", "built"), ("d.pdf", "built"), ("tarot-box.pdf", "built")], \
        [o.errors for o in first]
    again = run_build(settings, [], jobs=1)
    assert {o.status for o in again} == {"up to date"}
