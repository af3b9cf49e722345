"""Load a language's content and check it: schema, translation against the source, lint.

Policy: every problem of a language is reported at once, located at its file and line;
valid content is kept for the life of the process while no YAML file changes.
"""

from __future__ import annotations

from pathlib import Path

from kaartspel.content.hyphenation import FILE as HYPHENATION_FILE
from kaartspel.content.hyphenation import read_exceptions
from kaartspel.content.lint import lint
from kaartspel.content.loader import (
    SOURCE_LANGUAGE,
    RawLanguage,
    languages,
    read_language,
    translation_gaps,
    validate,
)
from kaartspel.content.model import Content
from kaartspel.content.schema import ContentFile
from kaartspel.errors import ContentError, Problem


def _load(content_dir: Path, lang: str) -> tuple[Content | None, list[Problem]]:
    """Load one language; return the content (None if invalid) and every problem found."""
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
    exceptions = read_exceptions(content_dir / lang / HYPHENATION_FILE)
    content = Content(lang, data, raw.sources, tuple(sorted(exceptions.items())))
    problems.extend(lint(content))
    return content, problems


_LOADED: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], Content] = {}
"""Valid content already loaded in this process, by folder, language and file stamps."""


def _stamp(content_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Return (path, mtime, size) of every content file (YAML and hyphenation lists):
    changes on any edit."""
    stamps = []
    files = [*content_dir.glob("*/*.y*ml"), *content_dir.glob(f"*/{HYPHENATION_FILE}")]
    for path in sorted(files):
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
