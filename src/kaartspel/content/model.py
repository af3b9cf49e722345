"""The typed, immutable content model that the renderers use, and how to load it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kaartspel.content.loader import (
    SOURCE_LANGUAGE,
    RawLanguage,
    SourceMap,
    languages,
    read_language,
    translation_gaps,
    validate,
)
from kaartspel.content.schema import ContentFile, Meta, QuestionPair, Step, Ui
from kaartspel.errors import ContentError, Problem

__all__ = ["Content", "QuestionPair", "Step", "Theme", "check", "load_content"]


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


def _load(content_dir: Path, lang: str) -> tuple[Content | None, list[Problem]]:
    """Load one language; return the content (None if invalid) and every problem found."""
    from kaartspel.content.lint import lint  # lint imports model: keep the import here

    raw: RawLanguage = read_language(content_dir, lang, partial=True)
    problems: list[Problem] = list(raw.problems)
    skip: set[tuple[str | int, ...]] = set()
    if raw.problems:
        # A file that could not be read leaves its sections out: report the file's own
        # problem, then check what the other files hold, without "missing section" noise.
        skip = {(key,) for key in ContentFile.model_fields}
    elif lang != SOURCE_LANGUAGE and (content_dir / SOURCE_LANGUAGE).is_dir():
        try:
            source = read_language(content_dir, SOURCE_LANGUAGE)
        except ContentError:
            source = None  # reported when the source language itself is checked
        if source is not None:
            gaps, skip = translation_gaps(source, raw)
            problems.extend(gaps)
    data, schema_problems = validate(raw, skip)
    problems.extend(schema_problems)
    if data is None:
        return None, problems
    content = Content(lang, data, raw.sources)
    problems.extend(lint(content))
    return content, problems


_LOADED: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], Content] = {}
"""Valid content already loaded in this process, by folder, language and file stamps."""


def _stamp(content_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Return (path, mtime, size) of every YAML file of the content: changes on any edit."""
    stamps = []
    for path in sorted(content_dir.glob("*/*.y*ml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def load_content(content_dir: Path, lang: str) -> Content:
    """Load and validate one language; raise ContentError listing every problem.

    Valid content is kept for the life of the process (it is immutable) and reused while
    no YAML file of the folder changes: a recipe check, a build and ``watch`` share one load.
    """
    key = (str(content_dir.resolve()), lang, _stamp(content_dir))
    if key in _LOADED:
        return _LOADED[key]
    content, problems = _load(content_dir, lang)
    if problems or content is None:
        raise ContentError(_unique(problems))
    if len(_LOADED) >= 8:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = content
    return content


def check(content_dir: Path, langs: list[str] | None = None) -> list[Problem]:
    """Validate the given languages (default: all); return every problem, in file order."""
    problems: list[Problem] = []
    for lang in langs or languages(content_dir):
        problems.extend(_load(content_dir, lang)[1])
    return _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Drop repeated problems, keeping the first occurrence's order."""
    return list(dict.fromkeys(problems))
