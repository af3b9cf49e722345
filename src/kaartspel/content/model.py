"""The typed, immutable content model that the renderers use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kaartspel.content.loader import (
    SourceMap,
)
from kaartspel.content.schema import ContentFile, Meta, QuestionPair, Step, Ui

__all__ = ["Content", "QuestionPair", "Step", "Theme"]


@dataclass(frozen=True)
class Theme:
    """A theme as cards and the poster show it: one colour, one icon, its questions."""

    id: str
    name: str
    title: str
    text: str | None
    questions: tuple[QuestionPair, ...]
    path: tuple[str, ...]
    """Key path of the theme in the content data (for locating problems)."""


@dataclass(frozen=True)
class Content:
    """All content of one language, validated."""

    lang: str
    data: ContentFile
    sources: SourceMap
    hyphenation: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """Hyphenation exceptions (``<lang>/hyphenation.txt``): each word with its break points."""

    @property
    def meta(self) -> Meta:
        """Title, lead, citation and funding line."""
        return self.data.meta

    @property
    def ui(self) -> Ui:
        """Interface strings of this language."""
        return self.data.ui

    @cached_property
    def themes(self) -> tuple[Theme, ...]:
        """Return every theme in reading order: ambities, cyclus, rollen, essentials…, tips."""
        d = self.data
        themes = [
            Theme("ambities", d.ambities.name, d.ambities.title, d.ambities.text,
                  d.ambities.questions, ("ambities",)),
            Theme("cyclus", d.cyclus.name, d.cyclus.title, None, (), ("cyclus",)),
            Theme("rollen", d.rollen.name, d.rollen.title, d.rollen.text, d.rollen.questions,
                  ("rollen",)),
        ]
        for theme_id, essential in d.essentials.themes.items():
            themes.append(
                Theme(theme_id, essential.name, essential.name, essential.text,
                      essential.questions, ("essentials", "themes", theme_id))
            )
        themes.append(Theme("tips", d.tips.name, d.tips.title, None, (), ("tips",)))
        return tuple(themes)

    def theme(self, theme_id: str) -> Theme:
        """Return the theme with *theme_id* (KeyError if there is none)."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)
