"""Blank write-on cards and the legend card: present, counted, outside the set's numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import build_once, pdf_page_texts
from kaartspel.content.model import Content
from kaartspel.deck.assemble import deck_cards
from kaartspel.deck.cards import build_cards
from kaartspel.deck.kit_cards import number_ranges
from kaartspel.errors import UsageError
from kaartspel.options import DeckOptions


def kinds(cards: object) -> list[str]:
    return [card.kind for card in cards]  # type: ignore[attr-defined]


def test_a_full_deck_has_a_legend_and_neutral_blanks(nl: Content) -> None:
    cards = deck_cards(nl, DeckOptions(blanks=8))
    full = build_cards(nl)
    assert kinds(cards).count("legend") == 1
    assert kinds(cards).count("blank") == 8
    assert len(cards) == len(full) + 9
    # The set's cards keep their numbers: what is added has none of its own.
    assert [c.number for c in cards if c.kind not in ("legend", "blank")] == \
        [c.number for c in full]
    assert all(c.number == 0 for c in cards if c.kind in ("legend", "blank"))
    # The legend follows the how-to card; the blanks come before the credits, counted 1/8…
    assert cards[kinds(cards).index("howto") + 1].kind == "legend"
    blanks = [c for c in cards if c.kind == "blank"]
    assert [b.label for b in blanks] == [f"{n}/8" for n in range(1, 9)]
    assert {b.theme for b in blanks} == {"set"}
    assert cards[-1].id == "credits" and cards[-2].kind == "blank"


def test_the_legend_lists_every_theme_with_its_cards(nl: Content) -> None:
    cards = deck_cards(nl, DeckOptions())
    legend = next(c for c in cards if c.kind == "legend")
    rows = {row[0]: row for row in legend.rows}
    assert list(rows) == [t.id for t in nl.themes]
    for theme in nl.themes:
        own = [c for c in cards if c.theme == theme.id]
        _, name, count, numbers = rows[theme.id]
        assert name == theme.name
        assert count == f"{len(own)} kaarten"
        assert numbers == number_ranges(sorted(c.number for c in own))


def test_a_selection_has_no_legend_unless_asked_and_blanks_per_theme(nl: Content) -> None:
    chosen = DeckOptions(themes=("netwerkvorming", "rollen"), blanks=2)
    cards = deck_cards(nl, chosen)
    assert "legend" not in kinds(cards)
    blanks = [c for c in cards if c.kind == "blank"]
    assert [(b.theme, b.label) for b in blanks] == [
        ("rollen", "1/4"), ("rollen", "2/4"), ("netwerkvorming", "3/4"),
        ("netwerkvorming", "4/4")]
    # Each theme's blanks follow its last card.
    for theme in ("rollen", "netwerkvorming"):
        own = [i for i, c in enumerate(cards) if c.theme == theme]
        assert [cards[i].kind for i in own[-2:]] == ["blank", "blank"]
    with_legend = deck_cards(nl, chosen.updated(legend=True))
    legend = next(c for c in with_legend if c.kind == "legend")
    assert [row[0] for row in legend.rows] == ["rollen", "netwerkvorming"]
    assert "legend" not in kinds(deck_cards(nl, DeckOptions(legend=False)))


def test_number_ranges() -> None:
    assert number_ranges([3, 4, 5, 9, 11, 12]) == "3–5, 9, 11–12"
    assert number_ranges([]) == ""


def test_bad_combinations_are_refused() -> None:
    with pytest.raises(UsageError, match="--cut shared is for the sheet layout"):
        DeckOptions(cut="shared", layout="single")
    with pytest.raises(UsageError, match="--layout fold puts each back beside its front"):
        DeckOptions(layout="fold", backs="none")
    with pytest.raises(UsageError, match="--blanks"):
        DeckOptions(blanks=-1)


def test_blank_legend_and_light_back_faces_are_drawn(
        tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> None:
    result = build_once(tmp_path_factory, content_dir, "nl-trainer", lang="nl",
                        themes=("netwerkvorming",), extras=False, blanks=2, legend=True,
                        backs="light", layout="single")
    assert "light-back-netwerkvorming" in result.faces
    texts = pdf_page_texts(result.path)
    legend = next(t for t in texts if "LEGENDA" in t.upper())
    assert "Netwerkvorming" in legend and "4 kaarten" in legend
    blank = [t for t in texts if "Eigen vraag" in t]
    assert len(blank) == 2 and "Eigen vraag 2/2" in blank[1]
    assert "VRAAG AAN DE GROEP" in blank[0].upper() and "VRAAG AAN JEZELF" in blank[0].upper()
