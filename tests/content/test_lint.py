"""Lint rules beyond the schema, each reported at the file and line to edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ContentTree, show
from kaartspel.content.lint import MAX_LENGTH, lint
from kaartspel.content.load import check, load_content
from kaartspel.errors import ContentError, Problem


def nl_problems(tree: ContentTree) -> list[Problem]:
    return check(tree.root, ["nl"])


def expect_only(tree: ContentTree, lang: str, filename: str, needle: str, message: str) -> None:
    """Assert that checking *lang* finds exactly one problem, at the line holding *needle*."""
    line = tree.line_of(lang, filename, needle)
    problems = check(tree.root, [lang])
    expected = Problem(f"content/{lang}/{filename}", line, message)
    assert problems == [expected], show(problems)
    assert str(problems[0]).startswith(f"content/{lang}/{filename}:{line}: ")
    with pytest.raises(ContentError) as info:
        load_content(tree.root, lang)
    assert info.value.problems == [expected]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_real_content_passes_lint(content_dir: Path, lang: str) -> None:
    assert lint(load_content(content_dir, lang)) == []


def test_question_without_question_mark(make_content: ContentTree) -> None:
    old = "Welke rollen hebben alle verschillende partijen in deze samenwerking"
    make_content.patch("nl", "rollen.yaml", f'"{old}?"', f'"{old}"')
    expect_only(make_content, "nl", "rollen.yaml", old,
                f"rollen-1.group: expected a question ending with '?', got '{old}'")


def test_question_starting_lower_case(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '"Welke rol heb jij?"', '"welke rol heb jij?"')
    expect_only(make_content, "nl", "rollen.yaml", "welke rol heb jij?",
                "rollen-1.personal: expected a capital letter at the start")


@pytest.mark.parametrize("copy", ["Hoe leer jij?", "HOE LEER JIJ?", "Hoe  leer jij ?"])
def test_duplicate_question(make_content: ContentTree, copy: str) -> None:
    """Duplicates are found ignoring case, spaces and punctuation."""
    make_content.patch("nl", "rollen.yaml", '"Welke rol heb jij in het maken van kennis?"',
                       f'"{copy}"')
    expect_only(make_content, "nl", "rollen.yaml", copy,
                "rollen-3.personal: duplicate question (same as ambities-3.personal)")


def test_too_long_question(make_content: ContentTree) -> None:
    limit = MAX_LENGTH["question"]
    long = "Hoe " + "x" * (limit - len("Hoe ?")) + "?"
    assert len(long) == limit
    make_content.patch("nl", "rollen.yaml", '"Welke rol heb jij?"', f'"{long}"')
    assert nl_problems(make_content) == [], "a question of exactly the limit is fine"
    too_long = long[:-1] + "x?"
    make_content.patch("nl", "rollen.yaml", f'"{long}"', f'"{too_long}"')
    expect_only(make_content, "nl", "rollen.yaml", too_long,
                f"rollen.questions[0].personal: expected at most {limit} characters "
                f"for a question, got {limit + 1}")


def test_too_long_title(make_content: ContentTree) -> None:
    limit = MAX_LENGTH["title"]
    too_long = "T" * (limit + 5)
    make_content.patch("nl", "meta.yaml", 'title: "De lerende regio"', f'title: "{too_long}"')
    expect_only(make_content, "nl", "meta.yaml", "TTTT",
                f"meta.title: expected at most {limit} characters for a title, got {limit + 5}")


def test_leading_space(make_content: ContentTree) -> None:
    make_content.patch("nl", "tips.yaml", 'title: "Zes tips"', 'title: " Zes tips"')
    expect_only(make_content, "nl", "tips.yaml", "title:", "tips.title: leading or trailing space")


def test_question_id_with_wrong_theme_prefix(make_content: ContentTree) -> None:
    make_content.patch("nl", "essentials.yaml", "id: netwerkvorming-3", "id: samenwerken-9")
    expect_only(make_content, "nl", "essentials.yaml", "id: samenwerken-9",
                "essentials.themes.netwerkvorming.questions[2].id: expected an id starting with "
                "'netwerkvorming-', got 'samenwerken-9'")


def test_duplicate_question_id(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", "id: rollen-3", "id: rollen-1")
    line = make_content.line_of("nl", "rollen.yaml", 'personal: "Welke rol heb jij in het maken')
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/rollen.yaml", line - 2, "duplicate question id 'rollen-1' (also in rollen)"
        )
    ], show(problems)


def test_duplicate_tip_id(make_content: ContentTree) -> None:
    make_content.patch("nl", "tips.yaml", "id: tip-2", "id: tip-1")
    line = make_content.line_of("nl", "tips.yaml", "Accepteer dat samenwerken")
    assert nl_problems(make_content) == [
        Problem("content/nl/tips.yaml", line - 1, "duplicate tip id 'tip-1'")
    ]


def test_level_numbered_out_of_order(make_content: ContentTree) -> None:
    make_content.patch("nl", "ambities.yaml", "- number: 4", "- number: 7")
    expect_only(make_content, "nl", "ambities.yaml", "number: 7",
                "ambities.levels[3].number: expected 4, got 7")


def test_levels_swapped(make_content: ContentTree) -> None:
    make_content.patch("nl", "ambities.yaml", "- number: 1", "- number: 2")
    make_content.patch("nl", "ambities.yaml", "- number: 2\n      title: \"Actueel",
                       "- number: 1\n      title: \"Actueel")
    problems = nl_problems(make_content)
    assert [(p.line, p.message) for p in problems] == [
        (6, "ambities.levels[0].number: expected 1, got 2"),
        (9, "ambities.levels[1].number: expected 2, got 1"),
    ], show(problems)


def test_phase_numbered_out_of_order(make_content: ContentTree) -> None:
    make_content.patch("nl", "cyclus.yaml", "- number: 4", "- number: 5")
    expect_only(make_content, "nl", "cyclus.yaml", "number: 5",
                "cyclus.phases[3].number: expected 4, got 5")


def test_tile_label_without_tile_placeholder(make_content: ContentTree) -> None:
    make_content.patch("nl", "ui.yaml", 'tile_label: "{tile} van {last}"',
                       'tile_label: "Tegel van {last}"')
    expect_only(make_content, "nl", "ui.yaml", "tile_label:",
                "ui.tile_label: expected the placeholder {tile}, got 'Tegel van {last}'")


def test_icon_alt_without_theme_placeholder(make_content: ContentTree) -> None:
    make_content.patch("nl", "ui.yaml", 'icon_alt: "Pictogram voor {theme}"',
                       'icon_alt: "Pictogram"')
    expect_only(make_content, "nl", "ui.yaml", "icon_alt:",
                "ui.icon_alt: expected the placeholder {theme}, got 'Pictogram'")


def test_lint_runs_on_translations_too(make_content: ContentTree) -> None:
    make_content.patch("en", "rollen.yaml", '"What role do you play?"', '"What role do you play"')
    expect_only(make_content, "en", "rollen.yaml", '"What role do you play"',
                "rollen-1.personal: expected a question ending with '?', "
                "got 'What role do you play'")


def test_several_lint_problems_at_once(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '"Welke rol heb jij?"', '"welke rol heb jij?"')
    make_content.patch("nl", "ambities.yaml", "- number: 4", "- number: 7")
    make_content.patch("nl", "ui.yaml", 'tile_label: "{tile} van {last}"', 'tile_label: "x"')
    problems = nl_problems(make_content)
    assert sorted((p.path, p.line) for p in problems) == [
        ("content/nl/ambities.yaml", make_content.line_of("nl", "ambities.yaml", "number: 7")),
        ("content/nl/rollen.yaml", make_content.line_of("nl", "rollen.yaml", "welke rol")),
        ("content/nl/ui.yaml", make_content.line_of("nl", "ui.yaml", "tile_label:")),
        ("content/nl/ui.yaml", make_content.line_of("nl", "ui.yaml", "tile_label:")),
    ], show(problems)
