"""Errors of a deck or poster build, located: the file and line of the text to change.

Policy: the fit search and the templates know cards and sections, not files; here each
problem is pointed at the YAML line a person has to edit (content, or an organiser's own
questions), and template failures at the template's file and line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2

from kaartspel.errors import (
    FitError,
    KaartspelError,
    Problem,
    RenderError,
    display_path,
    template_error,
)


def locate_fit_error(exc: FitError, content_dir: Path, options: Any) -> FitError:
    """Return *exc* with each unlocated problem pointed at the file and line of its text.

    The fit search knows cards and poster sections (each problem's ``subject``), not files;
    the text a person has to shorten is found here, in the content or in the organiser's
    questions file.
    """
    from kaartspel.content.load import load_content
    from kaartspel.content.loader import locate_text, read_yaml
    from kaartspel.deck.cards import build_cards

    try:
        content = load_content(content_dir, options.lang)
    except KaartspelError:
        return exc
    texts = [(content.data, content.sources)]
    extra = getattr(options, "extra_questions", None)
    if extra is not None:
        with contextlib.suppress(KaartspelError):
            texts.append(read_yaml(extra))
    cards = {card.id: card for card in build_cards(content)}
    problems = []
    for problem in exc.problems:
        found = None
        kind, name = problem.subject or ("", "")
        if problem.path:
            pass
        elif kind == "card":
            card = cards.get(name)
            candidates = [card.group, *card.paragraphs, *card.items, *card.notes, card.title] \
                if card else []
            if card is None:  # an organiser's own question: find its id
                candidates = [name]
            for text in filter(None, candidates):
                for data, sources in texts:
                    found = found or locate_text(data, sources, text)
        elif kind == "section":
            parts = name.split(".")
            if parts[0] == "essentials" and len(parts) == 2:
                parts.insert(1, "themes")
            found = content.sources.locate(parts)
        problems.append(
            Problem(found.path, found.line, problem.message, problem.subject)
            if found and found.path else problem
        )
    return FitError(problems)


TEMPLATE_SUFFIXES = (".html", ".css", ".svg", ".yaml", ".yml")


def undecodable_template(folders: Any, exc: UnicodeDecodeError) -> KaartspelError:
    """Return an error naming the file and line of the template that is not UTF-8 text."""
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            raw = path.read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                line = raw[: bad.start].count(b"\n") + 1
                return RenderError(f"{display_path(path)}:{line}: not UTF-8 text "
                                   f"(byte 0x{raw[bad.start]:02x}); save the file as UTF-8")
    return RenderError(f"a template is not UTF-8 text ({exc.reason}); save it as UTF-8")


@contextlib.contextmanager
def reported_errors(content_dir: Path, options: Any) -> Iterator[None]:
    """Turn what a deck or poster build can raise into located, one-line errors."""
    try:
        yield
    except FitError as exc:
        raise locate_fit_error(exc, content_dir, options) from exc
    except (jinja2.TemplateError, RecursionError) as exc:  # a broken --templates override
        raise template_error(exc) from exc
    except UnicodeDecodeError as exc:  # the content is checked: a template override
        raise undecodable_template(options.templates, exc) from exc
