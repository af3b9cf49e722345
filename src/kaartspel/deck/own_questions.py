"""An organiser's own question cards, from a YAML file outside ``content/``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from kaartspel.content.lint import question_rules
from kaartspel.content.loader import SourceMap, read_yaml, validate_model
from kaartspel.content.model import Content
from kaartspel.content.schema import Id, Model, QuestionPair, Text
from kaartspel.deck.cards import Card
from kaartspel.errors import ContentError, Problem


class OwnQuestionPair(Model):
    """One question pair of an organiser's own."""

    id: Id | None = None
    """Optional: an id starting with the theme's, e.g. netwerkvorming-eigen-1 (made if absent)."""
    group: Text
    """The question to the group."""
    personal: Text
    """The personal question."""


class CustomQuestions(Model):
    """Question pairs an organiser adds to a deck, without editing the content."""

    theme: Id
    """The theme the questions belong to (its colour, icon and back), e.g. netwerkvorming."""
    questions: tuple[OwnQuestionPair, ...] = Field(min_length=1)
    """The question pairs to add."""


OWN_ID = "{theme}-eigen-{n}"
"""How an own question without an id is named: by its place in the file, so the same file
gives the same ids on every run."""


def with_ids(theme: str, pairs: Sequence[OwnQuestionPair]) -> list[QuestionPair]:
    """Return the pairs as content question pairs, each without an id given one."""
    taken = {pair.id for pair in pairs if pair.id}
    result = []
    for n, pair in enumerate(pairs, start=1):
        made = OWN_ID.format(theme=theme, n=n)
        while pair.id is None and made in taken:
            made += "-x"
        result.append(QuestionPair(id=pair.id or made, group=pair.group,
                                   personal=pair.personal))
        taken.add(result[-1].id)
    return result


def load_custom_questions(content: Content, path: Path) -> tuple[CustomQuestions, list[Problem]]:
    """Load and validate a custom-questions file against *content*; return model and problems."""
    data, sources = read_yaml(path)
    model, problems = check_custom_questions(content, data, sources)
    if model is None:
        raise ContentError(problems)
    return model, problems


def check_custom_questions(
    content: Content, data: Any, sources: SourceMap
) -> tuple[CustomQuestions | None, list[Problem]]:
    """Validate custom-questions *data* (located by *sources*) against *content*.

    Return the model (None when the data does not have its shape) and every problem.
    Front ends without a file (the composer's form, an uploaded table) call this directly.
    """
    model, problems = validate_model(CustomQuestions, data, sources)
    if model is None:
        # Check what can be checked of the pairs too, so that one run shows every problem.
        problems.extend(_raw_pair_problems(content, data, sources))
        return None, sorted(set(problems))
    themes = [theme.id for theme in content.themes if theme.questions]
    if model.theme not in themes:
        named = f" '{model.theme}'" if sources.quote else ""
        problems.append(
            sources.problem(
                ("theme",), f"theme: unknown theme{named} (valid: {', '.join(themes)})"
            )
        )
    rules = question_rules(content)
    for i, pair in enumerate(with_ids(model.theme, model.questions)):
        problems.extend(rules.check(pair, model.theme, ("questions", i), sources))
    return model, problems


def _raw_pair_problems(content: Content, data: Any, sources: SourceMap) -> list[Problem]:
    """Return the question rules' problems of the pairs whose text could be read."""
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return []
    theme: str = data["theme"] if isinstance(data.get("theme"), str) else ""
    rules, problems = question_rules(content), list[Problem]()
    for i, raw in enumerate(data["questions"]):
        if not isinstance(raw, dict):
            continue
        group, personal = raw.get("group"), raw.get("personal")
        if not (isinstance(group, str) and isinstance(personal, str)):
            continue
        given = raw.get("id")
        pair = QuestionPair.model_construct(
            id=given if isinstance(given, str) else OWN_ID.format(theme=theme, n=i + 1),
            group=group, personal=personal)
        problems.extend(rules.check(pair, theme, ("questions", i), sources))
    return problems


def add_custom_questions(
    content: Content, cards: Sequence[Card], path: Path
) -> tuple[Card, ...]:
    """Return *cards* with the file's questions inserted after their theme's question cards."""
    model, problems = load_custom_questions(content, path)
    if problems:
        raise ContentError(problems)
    return insert_questions(content, cards, model.theme, with_ids(model.theme, model.questions))


def insert_questions(
    content: Content, cards: Sequence[Card], theme_id: str, pairs: Sequence[QuestionPair]
) -> tuple[Card, ...]:
    """Return *cards* with *pairs* of *theme_id* inserted, unchecked (a live preview shows a
    question while it is being typed, before it ends with its "?")."""
    theme = content.theme(theme_id)
    # Own cards are counted on their own ("own 1/3"): the set's numbers stay as printed.
    added = [
        Card(pair.id, "question", theme.id, theme.name, group=pair.group, personal=pair.personal,
             own=n, own_total=len(pairs))
        for n, pair in enumerate(pairs, start=1)
    ]
    # After the theme's last question card (or its last card, if it has no questions).
    last = max(
        i for i, card in enumerate(cards)
        if card.theme == theme.id and (card.kind == "question" or not theme.questions)
    )
    return (*cards[: last + 1], *added, *cards[last + 1 :])
