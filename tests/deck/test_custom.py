"""An organiser's own questions: validated like content (at the file's lines), then inserted
after their theme's last question card, with the deck renumbered."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import letters, line_of, pdf_page_texts
from kaartspel.cli.app import app
from kaartspel.content.model import Content
from kaartspel.deck.assemble import build_deck
from kaartspel.deck.cards import Card, build_cards
from kaartspel.deck.own_questions import add_custom_questions, load_custom_questions
from kaartspel.errors import ContentError
from kaartspel.options import DeckOptions


@pytest.fixture(autouse=True)
def _work_in_tmp(in_tmp: Path) -> None:
    """Run from a temporary folder, so that problems show paths as ``mine.yaml``."""


@pytest.fixture(scope="module")
def nl_cards(nl: Content) -> tuple[Card, ...]:
    return build_cards(nl)


def write(folder: Path, text: str, name: str = "mine.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def custom(theme: str, *pairs: tuple[str, str, str]) -> str:
    lines = ["# My own questions.", f"theme: {theme}", "questions:"]
    for pair_id, group, personal in pairs:
        lines += [f"  - id: {pair_id}", f"    group: {group}", f"    personal: {personal}"]
    return "\n".join(lines) + "\n"


GOOD_PAIR = ("netwerkvorming-eigen-1", "Wie mist er nog aan tafel bij ons?",
             "Wie zou jij zelf willen uitnodigen?")


def problems(nl: Content, path: Path) -> list[str]:
    _, found = load_custom_questions(nl, path)
    return [str(p) for p in found]


def test_good_file_has_no_problems(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("netwerkvorming", GOOD_PAIR))
    model, found = load_custom_questions(nl, path)
    assert found == []
    assert model.theme == "netwerkvorming"
    assert [pair.id for pair in model.questions] == ["netwerkvorming-eigen-1"]


def test_unknown_theme(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("nope", ("nope-1", "Wie?", "Wat?")))
    found = problems(nl, path)
    line = line_of(path, "theme: nope")
    valid = "ambities, rollen, kennismanagement, netwerkvorming, samenwerken"
    assert f"mine.yaml:{line}: theme: unknown theme 'nope' (valid: {valid})" in found, found
    with pytest.raises(ContentError):
        add_custom_questions(nl, build_cards(nl), path)


def test_theme_without_questions_is_refused(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("tips", ("tips-1", "Wie?", "Wat?")))
    line = line_of(path, "theme: tips")
    assert any(p.startswith(f"mine.yaml:{line}: theme: unknown theme 'tips'")
               for p in problems(nl, path))


def test_question_without_question_mark(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("netwerkvorming", GOOD_PAIR,
                                ("netwerkvorming-eigen-2", "Vertel over je netwerk.",
                                 "Wat mis jij?")))
    line = line_of(path, "Vertel over je netwerk.")
    assert problems(nl, path) == [
        f"mine.yaml:{line}: netwerkvorming-eigen-2.group: expected a question ending with "
        "'?', got 'Vertel over je netwerk.'"
    ]


def test_duplicate_of_a_content_question(in_tmp: Path, nl: Content) -> None:
    existing = nl.theme("netwerkvorming").questions[1].group  # "Hoe vullen jullie elkaar aan?"
    # Typography and case do not make a question new.
    path = write(in_tmp, custom("netwerkvorming",
                                ("netwerkvorming-eigen-1", f"'{existing.upper()}'",
                                 "Wat breng jij zelf mee?")))
    line = line_of(path, "group:")
    found = problems(nl, path)
    assert found == [f"mine.yaml:{line}: netwerkvorming-eigen-1.group: duplicate question "
                     "(same as netwerkvorming-2.group)"], found


def test_duplicate_within_the_file_and_of_a_content_id(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("netwerkvorming",
                                ("netwerkvorming-1", "Wie mist er nog?", "Wie nodig jij uit?"),
                                ("netwerkvorming-eigen-2", "Wie mist er nog?", "Wat doe jij?")))
    found = problems(nl, path)
    id_line = line_of(path, "id: netwerkvorming-1")
    dup_line = [n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "Wie mist er nog?" in text][1]
    assert any(p.startswith(f"mine.yaml:{id_line}: duplicate question id 'netwerkvorming-1'")
               for p in found), found
    assert any(p.startswith(f"mine.yaml:{dup_line}: netwerkvorming-eigen-2.group: duplicate")
               for p in found), found


def test_id_not_starting_with_the_theme(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("netwerkvorming",
                                ("mijn-vraag-1", "Wie mist er nog?", "Wie nodig jij uit?")))
    line = line_of(path, "id: mijn-vraag-1")
    assert problems(nl, path) == [
        f"mine.yaml:{line}: questions[0].id: expected an id starting with 'netwerkvorming-', "
        "got 'mijn-vraag-1'"
    ]


def test_every_problem_at_once_and_raised(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, custom("netwerkvorming",
                                ("mijn-1", "Geen vraag.", "Hoe vullen jullie elkaar aan?")))
    with pytest.raises(ContentError) as caught:
        add_custom_questions(nl, build_cards(nl), path)
    lines = {p.line for p in caught.value.problems}
    assert len(caught.value.problems) == 3, caught.value.problems
    assert all(p.path == "mine.yaml" for p in caught.value.problems)
    assert lines == {line_of(path, "id: mijn-1"), line_of(path, "Geen vraag."),
                     line_of(path, "personal:")}


def test_schema_problem_is_located(in_tmp: Path, nl: Content) -> None:
    path = write(in_tmp, "theme: netwerkvorming\nquestions:\n  - id: netwerkvorming-eigen-1\n"
                         "    group: Wie?\n    extra: x\n")
    with pytest.raises(ContentError) as caught:
        load_custom_questions(nl, path)
    found = [str(p) for p in caught.value.problems]
    assert f"mine.yaml:{line_of(path, 'extra:')}: questions[0].extra: unknown key" in \
        " | ".join(found), found
    assert any("personal: missing" in p for p in found), found


# --- where the added cards go ---------------------------------------------------------------


@pytest.mark.parametrize(("theme", "last", "after"), [
    ("netwerkvorming", "netwerkvorming-3", "theme-samenwerken"),
    ("ambities", "ambities-4", "ambities-bron"),  # before the theme's credits card
    ("samenwerken", "samenwerken-4", "tip-1"),  # tips has no theme card
])
def test_added_cards_follow_the_themes_last_question(
    in_tmp: Path, nl: Content, nl_cards: tuple[Card, ...], theme: str, last: str, after: str
) -> None:
    pairs = [(f"{theme}-eigen-1", "Wie mist er nog aan tafel?", "Wie nodig jij uit?"),
             (f"{theme}-eigen-2", "Wat leveren we samen op?", "Wat lever jij op?")]
    path = write(in_tmp, custom(theme, *pairs))
    merged = add_custom_questions(nl, nl_cards, path)
    ids = [card.id for card in merged]
    at = ids.index(last)
    assert ids[at + 1 : at + 4] == [f"{theme}-eigen-1", f"{theme}-eigen-2", after]
    # Everything else keeps its order and its number; own cards are counted on their own.
    assert [c for c in merged if "-eigen-" not in c.id] == list(nl_cards)
    assert [(c.own, c.own_total) for c in merged if "-eigen-" in c.id] == [(1, 2), (2, 2)]
    added = merged[at + 1]
    assert (added.kind, added.theme, added.title) == ("question", theme, nl.theme(theme).name)
    assert (added.group, added.personal) == pairs[0][1:]


def test_custom_questions_in_a_built_deck(in_tmp: Path, content_dir: Path,
                                          nl_cards: tuple[Card, ...]) -> None:
    path = write(in_tmp, custom("netwerkvorming", GOOD_PAIR))
    options = DeckOptions(themes=("netwerkvorming",), extra_questions=path, backs="none",
                          extras=False)
    result = build_deck(content_dir, options, in_tmp / "x.pdf")
    assert result.faces == ["theme-netwerkvorming", "netwerkvorming-1", "netwerkvorming-2",
                            "netwerkvorming-3", "netwerkvorming-eigen-1"]
    text = "".join(pdf_page_texts(result.path))
    assert letters(GOOD_PAIR[1]) in letters(text)
    assert letters(GOOD_PAIR[2]) in letters(text)
    # The footer marks the card as the organiser's own, counted on its own; never its id.
    assert "Netwerkvorming eigen 1/1" in text
    assert "eigen-1" not in text.replace("\u2010", "-")


def runner_invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_cli_questions_problem(in_tmp: Path, content_dir: Path) -> None:
    path = write(in_tmp, custom("netwerkvorming",
                                ("netwerkvorming-eigen-1", "Geen vraag.", "Wat mis jij?")))
    result = runner_invoke("--content", content_dir, "deck", "--questions", path,
                           "-o", in_tmp / "x.pdf")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"Error: mine.yaml:{line_of(path, 'Geen vraag.')}: "
                     "netwerkvorming-eigen-1.group: expected a question ending with '?', "
                     "got 'Geen vraag.'"]
    assert not (in_tmp / "x.pdf").exists()
