"""An organiser's own question cards, from a YAML file outside ``content/``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import Field

from kaartspel.content.lint import question_rules
from kaartspel.content.loader import read_yaml, validate_model
from kaartspel.content.model import Content
from kaartspel.content.schema import Id, Model, QuestionPair
from kaartspel.deck.cards import Card
from kaartspel.errors import ContentError, Problem


class CustomQuestions(Model):
    """Question pairs an organiser adds to a deck, without editing the content."""

    theme: Id
    """Theme the questions belong to (its colour, icon and back); e.g. ``netwerkvorming``."""
    questions: tuple[QuestionPair, ...] = Field(min_length=1)
    """The added pairs; ids must start with the theme id, e.g. ``netwerkvorming-eigen-1``."""


def load_custom_questions(content: Content, path: Path) -> tuple[CustomQuestions, list[Problem]]:
    """Load and validate a custom-questions file against *content*; return model and problems."""
    data, sources = read_yaml(path)
    model, problems = validate_model(CustomQuestions, data, sources)
    if model is None:
        raise ContentError(problems)
    themes = [theme.id for theme in content.themes if theme.questions]
    if model.theme not in themes:
        problems.append(
            sources.problem(
                ("theme",), f"theme: unknown theme '{model.theme}' (valid: {', '.join(themes)})"
            )
        )
    rules = question_rules(content)
    for i, pair in enumerate(model.questions):
        problems.extend(rules.check(pair, model.theme, ("questions", i), sources))
    return model, problems


def add_custom_questions(
    content: Content, cards: Sequence[Card], path: Path
) -> tuple[Card, ...]:
    """Return *cards* with the file's questions inserted after their theme's question cards."""
    model, problems = load_custom_questions(content, path)
    if problems:
        raise ContentError(problems)
    theme = content.theme(model.theme)
    added = [
        Card(pair.id, "question", theme.id, theme.name, group=pair.group, personal=pair.personal)
        for pair in model.questions
    ]
    # After the theme's last question card (or its last card, if it has no questions).
    last = max(
        i for i, card in enumerate(cards)
        if card.theme == theme.id and (card.kind == "question" or not theme.questions)
    )
    merged = [*cards[: last + 1], *added, *cards[last + 1 :]]
    return tuple(replace(card, number=n) for n, card in enumerate(merged, start=1))
