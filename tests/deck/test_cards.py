"""Cards: the full deck derived from the content, and selecting a subset of it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.cards import KINDS, SET_THEME, Card, build_cards, select
from kaartspel.errors import EXIT_USAGE, UsageError


@pytest.fixture(scope="module", params=["nl", "en"])
def content(request: pytest.FixtureRequest, content_dir: Path) -> Content:
    return load_content(content_dir, request.param)


@pytest.fixture(scope="module")
def cards(content: Content) -> tuple[Card, ...]:
    return build_cards(content)


@pytest.fixture(scope="module")
def decks(content_dir: Path) -> dict[str, tuple[Card, ...]]:
    return {lang: build_cards(load_content(content_dir, lang)) for lang in ("nl", "en")}


def test_same_cards_in_every_language(decks: dict[str, tuple[Card, ...]]) -> None:
    nl, en = decks["nl"], decks["en"]
    assert len(nl) == len(en)
    assert [c.id for c in nl] == [c.id for c in en]
    assert [(c.kind, c.theme, c.number, c.step) for c in nl] == [
        (c.kind, c.theme, c.number, c.step) for c in en
    ]
    assert nl[0].title == "De lerende regio"
    assert en[0].title == "The learning region"


def test_card_ids_unique_and_numbers_consecutive(cards: tuple[Card, ...]) -> None:
    ids = [c.id for c in cards]
    assert len(ids) == len(set(ids))
    assert [c.number for c in cards] == list(range(1, len(cards) + 1))
    assert all(c.kind in KINDS for c in cards)
    assert cards[0].id == "title" and cards[-1].id == "credits"


def test_question_cards(cards: tuple[Card, ...], content: Content) -> None:
    questions = [c for c in cards if c.kind == "question"]
    pairs = [c for c in questions if c.group and c.personal]
    assert len(pairs) == 18
    assert len(questions) == 19
    expected = {q.id: q for theme in content.themes for q in theme.questions}
    assert {c.id: (c.group, c.personal) for c in pairs} == {
        i: (q.group, q.personal) for i, q in expected.items()
    }
    for card in pairs:
        assert card.id.startswith(f"{card.theme}-")
        assert card.title == content.theme(card.theme).name
    (reflection,) = [c for c in questions if not c.personal]
    assert reflection.id == "cyclus-reflectie"
    assert reflection.theme == "cyclus"
    assert reflection.group == content.data.cyclus.reflection
    assert reflection.label == content.ui.reflection_label
    assert len(reflection.steps) == 4


def test_counts_per_kind(cards: tuple[Card, ...]) -> None:
    kinds = Counter(c.kind for c in cards)
    assert kinds["tip"] == 6
    assert kinds["level"] == 5
    assert kinds["phase"] == 4
    assert kinds["title"] == kinds["howto"] == 1
    assert kinds["theme"] == 5  # ambities, rollen and the three essentials have an intro text
    # The intro sections may be one card each or one card per paragraph.
    intro = [c for c in cards if c.kind == "intro"]
    assert 2 <= len(intro) <= 5
    assert all(c.theme == SET_THEME for c in intro)
    assert [c.number for c in intro] == list(range(3, 3 + len(intro)))  # after title, how-to


def test_levels_and_phases(cards: tuple[Card, ...], content: Content) -> None:
    levels = [c for c in cards if c.kind == "level"]
    assert [c.id for c in levels] == [f"level-{n}" for n in range(1, 6)]
    assert [c.step for c in levels] == [1, 2, 3, 4, 5]
    assert levels[0].steps == tuple(s.title for s in content.data.ambities.levels)
    assert levels[2].label == f"{content.ui.level_label} 03"
    phases = [c for c in cards if c.kind == "phase"]
    assert [c.id for c in phases] == [f"phase-{n}" for n in range(1, 5)]
    assert phases[-1].label == f"{content.ui.phase_label} 04"


def test_tips(cards: tuple[Card, ...], content: Content) -> None:
    tips = [c for c in cards if c.kind == "tip"]
    assert [c.id for c in tips] == [f"tip-{n}" for n in range(1, 7)]
    assert [c.paragraphs for c in tips] == [(t.text,) for t in content.data.tips.items]
    assert tips[3].label == f"{content.ui.tip_label} 04"  # one style: Ambitie 03, Fase 02, Tip 04
    assert tips[3].step == 4


def test_credits_card_carries_citation_and_funding(
    cards: tuple[Card, ...], content: Content
) -> None:
    credits = cards[-1]
    assert credits.theme == SET_THEME
    # No footnote marker: nothing on the credits card refers to it (it did on the intro card).
    assert credits.notes[0] == f"{content.meta.study_note} {content.meta.study}"
    assert credits.notes[1] == content.meta.funding


# --- select ---------------------------------------------------------------------------------


def test_select_theme(cards: tuple[Card, ...]) -> None:
    chosen = select(cards, themes=["netwerkvorming"], extras=False)
    assert [c.id for c in chosen] == [
        "theme-netwerkvorming", "netwerkvorming-1", "netwerkvorming-2", "netwerkvorming-3"
    ]
    assert [c.kind for c in chosen] == ["theme", "question", "question", "question"]


def test_a_theme_brings_the_sets_title_howto_and_credits(cards: tuple[Card, ...]) -> None:
    chosen = select(cards, themes=["netwerkvorming"])
    assert [c.id for c in chosen] == [
        "title", "howto", "theme-netwerkvorming", "netwerkvorming-1", "netwerkvorming-2",
        "netwerkvorming-3", "credits",
    ]
    # A kind filter says exactly what is wanted: no extras then.
    assert {c.kind for c in select(cards, themes=["netwerkvorming"], kinds=["question"])} \
        == {"question"}


def test_filters_of_one_kind_add_up_and_cards_add_to_them(cards: tuple[Card, ...]) -> None:
    two = select(cards, themes=["netwerkvorming", "samenwerken"], extras=False)
    assert {c.theme for c in two} == {"netwerkvorming", "samenwerken"}
    plus = select(cards, themes=["netwerkvorming"], ids=["title", "tip-2"], extras=False)
    assert [c.id for c in plus] == [
        "title", "theme-netwerkvorming", "netwerkvorming-1", "netwerkvorming-2",
        "netwerkvorming-3", "tip-2",
    ]  # deck order, not the order asked


def test_select_without_filters_returns_everything(cards: tuple[Card, ...]) -> None:
    assert select(cards) == tuple(cards)


def test_select_combines_filters(cards: tuple[Card, ...]) -> None:
    chosen = select(cards, themes=["ambities", "cyclus"], kinds=["question"])
    assert [c.id for c in chosen] == [
        "ambities-1", "ambities-2", "ambities-3", "ambities-4", "cyclus-reflectie"
    ]
    assert [c.id for c in select(cards, ids=["tip-5", "tip-2"])] == ["tip-2", "tip-5"]
    # Card numbers stay those of the full deck.
    assert select(cards, ids=["credits"])[0].number == len(cards)


def test_select_unknown_theme(cards: tuple[Card, ...]) -> None:
    with pytest.raises(UsageError) as info:
        select(cards, themes=["netwerken"])
    message = str(info.value)
    assert message.startswith("unknown theme 'netwerken'; did you mean ")
    assert "'netwerkvorming'" in message.split("(valid:")[0]
    for theme in ("set", "ambities", "cyclus", "rollen", "kennismanagement", "netwerkvorming",
                  "samenwerken", "tips"):
        assert theme in message
    assert info.value.exit_code == EXIT_USAGE


def test_select_unknown_kind(cards: tuple[Card, ...]) -> None:
    with pytest.raises(UsageError, match=r"unknown kind 'questions'; did you mean 'question'\?"
                                         r" \(valid: ") as info:
        select(cards, kinds=["question", "questions"])
    assert f"(valid: {', '.join(KINDS)})" in str(info.value)


def test_select_unknown_cards(cards: tuple[Card, ...]) -> None:
    with pytest.raises(UsageError) as info:
        select(cards, ids=["tip-1", "tip-7", "level-9"])
    message = str(info.value)
    assert message.startswith("unknown card 'tip-7', 'level-9'; did you mean ")
    assert "(valid: title, howto, " in message
    assert "netwerkvorming-2" in message


def test_select_matching_nothing(cards: tuple[Card, ...]) -> None:
    with pytest.raises(UsageError, match="the selection matches no card"):
        select(cards, themes=["tips"], kinds=["level"])
