"""Translations: every id and field of the source language (nl) exists in en, and no more."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ContentTree, matching, show
from kaartspel.content.load import check, load_content
from kaartspel.content.loader import (
    SOURCE_LANGUAGE,
    _index_paths,
    id_path,
    read_language,
    translation_gaps,
)
from kaartspel.content.model import Content
from kaartspel.errors import ContentError, Problem

REMOVED_PAIR = """\
        - id: netwerkvorming-2
          group: "How do you complement each other?"
          personal: "How do your knowledge and skills differ from those of the others?"
"""


def en_problems(tree: ContentTree) -> list[Problem]:
    return check(tree.root, ["en"])


def test_source_language_is_dutch() -> None:
    assert SOURCE_LANGUAGE == "nl"


def test_removed_question_pair(make_content: ContentTree) -> None:
    source_line = make_content.line_of("nl", "essentials.yaml", "id: netwerkvorming-2")
    make_content.patch("en", "essentials.yaml", REMOVED_PAIR, "")
    problems = en_problems(make_content)
    assert problems == [
        Problem(
            "content/en",
            0,
            "missing translation of 'netwerkvorming-2' "
            f"(source: content/nl/essentials.yaml:{source_line})",
        )
    ], show(problems)
    # The problem is about 'en': the source language itself is still fine.
    assert check(make_content.root, ["nl"]) == []
    with pytest.raises(ContentError):
        load_content(make_content.root, "en")


def test_removed_field_reported_once(make_content: ContentTree) -> None:
    source_line = make_content.line_of("nl", "essentials.yaml", 'personal: "Hoe open ben jij?"')
    make_content.patch("en", "essentials.yaml", '          personal: "How open are you?"\n', "")
    problems = en_problems(make_content)
    assert problems == [
        Problem(
            "content/en",
            0,
            "missing translation of 'kennismanagement-4' field 'personal' "
            f"(source: content/nl/essentials.yaml:{source_line})",
        )
    ], show(problems)
    assert not matching(problems, ": missing"), "the schema reported the gap a second time"


def test_removed_field_of_a_section_reported_once(make_content: ContentTree) -> None:
    source_line = make_content.line_of("nl", "meta.yaml", "set_title:")
    make_content.patch("en", "meta.yaml", '  set_title: "Dialogue cards"\n', "")
    problems = en_problems(make_content)
    assert problems == [
        Problem(
            "content/en",
            0,
            f"missing translation of 'meta.set_title' (source: content/nl/meta.yaml:{source_line})",
        )
    ], show(problems)


def test_removed_file_reported_once(make_content: ContentTree) -> None:
    make_content.delete("en", "tips.yaml")
    problems = en_problems(make_content)
    assert problems == [
        Problem("content/en", 0, "missing translation of 'tips' (source: content/nl/tips.yaml:1)")
    ], show(problems)


def test_removed_tip(make_content: ContentTree) -> None:
    source_line = make_content.line_of("nl", "tips.yaml", "id: tip-6")
    text = make_content.read("en", "tips.yaml")
    make_content.write("en", "tips.yaml", text[: text.index("    - id: tip-6")])
    problems = en_problems(make_content)
    assert problems == [
        Problem(
            "content/en",
            0,
            f"missing translation of 'tip-6' (source: content/nl/tips.yaml:{source_line})",
        )
    ], show(problems)


def test_extra_id_in_translation(make_content: ContentTree) -> None:
    make_content.patch(
        "en", "essentials.yaml",
        '          personal: "Do you ever take the lead? When?"\n',
        '          personal: "Do you ever take the lead? When?"\n'
        "        - id: samenwerken-5\n"
        '          group: "Is this question in the source?"\n'
        '          personal: "Are you sure?"\n',
    )
    line = make_content.line_of("en", "essentials.yaml", "id: samenwerken-5")
    problems = en_problems(make_content)
    assert problems == [
        Problem(
            "content/en/essentials.yaml", line, "'samenwerken-5' is not in the source language 'nl'"
        )
    ], show(problems)


def test_renamed_id_is_one_missing_and_one_extra(make_content: ContentTree) -> None:
    make_content.patch("en", "rollen.yaml", "id: rollen-3", "id: rollen-9")
    problems = en_problems(make_content)
    assert len(problems) == 2, show(problems)
    assert matching(problems, "missing translation of 'rollen-3'")
    assert matching(problems, "'rollen-9' is not in the source language 'nl'")


def test_reordered_questions_are_not_gaps(make_content: ContentTree) -> None:
    """Pairs are matched by id, not by position."""
    text = make_content.read("en", "rollen.yaml")
    head, rest = text.split("    - id: rollen-1\n")
    first, second_and_third = rest.split("    - id: rollen-2\n")
    make_content.write(
        "en", "rollen.yaml", head + "    - id: rollen-2\n" + second_and_third.rstrip("\n") + "\n"
        + "    - id: rollen-1\n" + first,
    )
    content = load_content(make_content.root, "en")
    assert [q.id for q in content.data.rollen.questions] == ["rollen-2", "rollen-3", "rollen-1"]


# --- the real content -----------------------------------------------------------------------


def _ids(content: Content) -> dict[str, list[str]]:
    d = content.data
    return {
        "themes": [t.id for t in content.themes],
        "essential themes": list(d.essentials.themes),
        "questions": [q.id for t in content.themes for q in t.questions],
        "tips": [t.id for t in d.tips.items],
        "levels": [str(s.number) for s in d.ambities.levels],
        "phases": [str(s.number) for s in d.cyclus.phases],
        "paragraphs": [str(len(d.intro.why.paragraphs)), str(len(d.intro.what.paragraphs))],
        "howto steps": [str(len(d.ui.howto_steps))],
    }


def test_real_ids_equal_in_nl_and_en(content_dir: Path) -> None:
    nl, en = load_content(content_dir, "nl"), load_content(content_dir, "en")
    nl_ids, en_ids = _ids(nl), _ids(en)
    assert nl_ids == en_ids
    questions = nl_ids["questions"]
    assert len(questions) == len(set(questions)) == 18


def test_real_key_paths_equal_in_nl_and_en(content_dir: Path) -> None:
    nl = read_language(content_dir, "nl")
    en = read_language(content_dir, "en")
    nl_paths = {id_path(nl.data, p) for p in _index_paths(nl.data)}
    en_paths = {id_path(en.data, p) for p in _index_paths(en.data)}
    assert nl_paths == en_paths
    assert translation_gaps(nl, en) == ([], set())


def test_real_translation_differs_from_source(content_dir: Path) -> None:
    nl, en = load_content(content_dir, "nl"), load_content(content_dir, "en")
    assert nl.meta.title != en.meta.title
    for nl_theme, en_theme in zip(nl.themes, en.themes, strict=True):
        for nl_q, en_q in zip(nl_theme.questions, en_theme.questions, strict=True):
            assert nl_q.id == en_q.id
            assert nl_q.group != en_q.group
