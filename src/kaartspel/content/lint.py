"""Content rules beyond the schema: complete question pairs, lengths that can fit a card."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from kaartspel.content.loader import KeyPath, SourceMap, dotted_path
from kaartspel.content.model import Content, QuestionPair
from kaartspel.errors import Problem

# Longest text (in characters) a field may hold.  Generous for the source text, tight enough
# that a card at the smallest type size (7 pt) can still hold it; the renderer measures the
# real fit.
MAX_LENGTH = {
    "name": 32,
    "title": 80,
    "question": 170,
    "paragraph": 720,
    "step": 520,
    "tip": 240,
    "ui": 160,
    "lead": 160,
    "alt": 260,
    "reference": 420,
}


def lint(content: Content) -> list[Problem]:
    """Return every rule violation in *content*, located by file and line."""
    problems: list[Problem] = []
    problems.extend(_lengths(content))
    problems.extend(_questions(content))
    problems.extend(_numbering(content))
    problems.extend(_placeholders(content))
    return problems


def _fields(content: Content) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """Yield (path, length class, text) for every text field."""
    d = content.data
    for key, value in d.meta:
        if value is None:  # an optional field left out (url)
            continue
        kind = {"study": "reference", "funding": "reference", "lead": "lead",
                "url": "reference"}.get(key, "title")
        yield ("meta", key), kind, value
    for key, value in d.ui:
        if isinstance(value, tuple):
            for i, step in enumerate(value):
                yield ("ui", key, i), "ui", step
        else:
            yield ("ui", key), ("alt" if key.endswith("_alt") else "ui"), value
    for section in ("why", "what"):
        sec = getattr(d.intro, section)
        yield ("intro", section, "title"), "title", sec.title
        for i, para in enumerate(sec.paragraphs):
            yield ("intro", section, "paragraphs", i), "paragraph", para
    yield ("ambities", "credit"), "reference", d.ambities.credit
    for i, level in enumerate(d.ambities.levels):
        yield ("ambities", "levels", i, "title"), "title", level.title
        yield ("ambities", "levels", i, "text"), "step", level.text
    for i, phase in enumerate(d.cyclus.phases):
        yield ("cyclus", "phases", i, "title"), "title", phase.title
        yield ("cyclus", "phases", i, "text"), "step", phase.text
    yield ("cyclus", "reflection"), "question", d.cyclus.reflection
    yield ("essentials", "title"), "title", d.essentials.title
    yield ("tips", "title"), "title", d.tips.title
    for i, tip in enumerate(d.tips.items):
        yield ("tips", "items", i, "text"), "tip", tip.text
    for theme in content.themes:
        yield (*theme.path, "name"), "name", theme.name
        if theme.title != theme.name:
            yield (*theme.path, "title"), "title", theme.title
        if theme.text:
            yield (*theme.path, "text"), "paragraph", theme.text


BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
"""Characters that reorder text (embeddings, overrides, isolates, marks): U+202E shows
``?gnikrow``… reversed, on a card and in a terminal alike."""

ALLOWED_FORMAT = frozenset("\u00ad\u200b")
"""Format characters (Unicode category Cf) that content may hold anywhere: the soft hyphen
(a hyphenation point) and the zero-width space (a break point in a long word or an address);
both only offer a line break, and neither is drawn."""

JOINERS = frozenset("\u200c\u200d")
"""ZWNJ and ZWJ: allowed inside a word (between two characters that are not spaces), where
they join or part letters and emoji; anywhere else they do nothing visible but hide."""


def bad_character(text: str) -> str | None:
    """Describe the first character of *text* that cannot be printed as text, or None.

    Refused: control characters (other than line breaks and tabs), lone surrogates (which
    cannot even be encoded as UTF-8), Unicode noncharacters — YAML escapes such as
    ``"\\x1b"`` or ``"\\ud800"`` would otherwise reach the renderer — the line and paragraph
    separators U+2028/U+2029 (a line break YAML does not see, which WeasyPrint breaks on),
    bidirectional controls, and every other format character (category Cf: invisible, and
    changing how the text around it is drawn) but :data:`ALLOWED_FORMAT` and
    :data:`JOINERS` inside a word.
    """
    for i, ch in enumerate(text):
        code = ord(ch)
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\n\t":
            return f"the control character U+{code:04X}"
        if category == "Cs":
            return f"U+{code:04X}, half of a surrogate pair (not a character)"
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return f"the noncharacter U+{code:04X}"
        if category in ("Zl", "Zp"):
            return f"the {_name(ch).lower()} U+{code:04X}"
        if ch in BIDI_CONTROLS:
            return f"the bidirectional control U+{code:04X} ({_name(ch)})"
        if category == "Cf" and ch not in ALLOWED_FORMAT:
            inside = 0 < i < len(text) - 1 and not text[i - 1].isspace() \
                and not text[i + 1].isspace()
            if ch in JOINERS and inside:
                continue
            where = " outside a word" if ch in JOINERS else ""
            return f"the invisible format character U+{code:04X} ({_name(ch)}){where}"
    return None


def _name(ch: str) -> str:
    return unicodedata.name(ch, f"U+{ord(ch):04X}")


def _characters(sources: SourceMap, path: KeyPath, text: str) -> Iterator[Problem]:
    bad = bad_character(text)
    if bad:
        yield sources.problem(path, f"{_dotted(path)}: contains {bad}; remove it")


def _lengths(content: Content) -> Iterator[Problem]:
    for path, kind, text in _fields(content):
        yield from _characters(content.sources, path, text)
        if len(text) > MAX_LENGTH[kind]:
            yield content.sources.problem(
                path,
                f"{_dotted(path)}: expected at most {MAX_LENGTH[kind]} characters "
                f"for a {kind}, got {len(text)}",
            )
        if text != text.strip():
            yield content.sources.problem(path, f"{_dotted(path)}: leading or trailing space")


def _normal(text: str) -> str:
    """Fold a question for duplicate detection: letters and digits only, lower case."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)


class QuestionRules:
    """Check question pairs one by one, remembering ids and texts to catch duplicates."""

    def __init__(self) -> None:
        self.seen_text: dict[str, str] = {}
        self.seen_id: dict[str, str] = {}

    def check(
        self, pair: QuestionPair, theme_id: str, base: KeyPath, sources: SourceMap
    ) -> Iterator[Problem]:
        """Yield the problems of one pair found at *base* (its key path) in *sources*.

        In a file whose content may not be quoted (``sources.quote``: outside the project)
        the problems name key paths and rules, never the ids or texts the file holds.
        """
        quote = sources.quote
        name = pair.id if quote else _dotted(base)
        if not pair.id.startswith(f"{theme_id}-"):
            yield sources.problem(
                (*base, "id"),
                f"{_dotted((*base, 'id'))}: expected an id starting with '{theme_id}-', "
                f"got '{pair.id}'" if quote else
                f"{_dotted((*base, 'id'))}: expected an id starting with the theme's id",
            )
        if pair.id in self.seen_id:
            yield sources.problem(
                (*base, "id"),
                f"duplicate question id '{pair.id}' (also in {self.seen_id[pair.id]})"
                if quote else f"{_dotted((*base, 'id'))}: duplicate question id",
            )
        self.seen_id[pair.id] = theme_id
        for role in ("group", "personal"):
            text = getattr(pair, role)
            path = (*base, role)
            yield from _characters(sources, path, text)
            if not text.rstrip().endswith("?"):
                got = f", got '{text}'" if quote else ""
                yield sources.problem(
                    path, f"{name}.{role}: expected a question ending with '?'{got}"
                )
            if text[:1].islower():
                yield sources.problem(
                    path, f"{name}.{role}: expected a capital letter at the start"
                )
            if len(text) > MAX_LENGTH["question"]:
                yield sources.problem(
                    path,
                    f"{_dotted(path)}: expected at most {MAX_LENGTH['question']} characters "
                    f"for a question, got {len(text)}",
                )
            key = _normal(text)
            if key in self.seen_text:
                yield sources.problem(
                    path, f"{name}.{role}: duplicate question (same as {self.seen_text[key]})"
                )
            self.seen_text.setdefault(key, f"{name}.{role}")


def question_rules(content: Content) -> QuestionRules:
    """Return rules primed with every question of *content* (for checking added questions)."""
    rules = QuestionRules()
    for theme in content.themes:
        for i, pair in enumerate(theme.questions):
            list(rules.check(pair, theme.id, (*theme.path, "questions", i), content.sources))
    return rules


def _questions(content: Content) -> Iterator[Problem]:
    rules = QuestionRules()
    for theme in content.themes:
        for i, pair in enumerate(theme.questions):
            yield from rules.check(pair, theme.id, (*theme.path, "questions", i), content.sources)
    tip_ids: set[str] = set()
    for i, tip in enumerate(content.data.tips.items):
        if tip.id in tip_ids:
            yield content.sources.problem(
                ("tips", "items", i, "id"), f"duplicate tip id '{tip.id}'"
            )
        tip_ids.add(tip.id)


def _numbering(content: Content) -> Iterator[Problem]:
    for section, steps in (("ambities", ("levels", content.data.ambities.levels)),
                           ("cyclus", ("phases", content.data.cyclus.phases))):
        key, items = steps
        for i, step in enumerate(items):
            if step.number != i + 1:
                yield content.sources.problem(
                    (section, key, i, "number"),
                    f"{section}.{key}[{i}].number: expected {i + 1}, got {step.number}",
                )


def _placeholders(content: Content) -> Iterator[Problem]:
    ui = content.data.ui
    for key, needed in (("tile_label", ("{tile}", "{last}")), ("icon_alt", ("{theme}",)),
                        ("cards_count", ("{n}",)), ("calibrate_applied", ("{offset}",)),
                        ("calibrate_example", ("{x}", "{y}", "{offset}"))):
        value = getattr(ui, key)
        for placeholder in needed:
            if placeholder not in value:
                yield content.sources.problem(
                    ("ui", key), f"ui.{key}: expected the placeholder {placeholder}, got '{value}'"
                )
    steps = ui.calibrate_steps
    if not any("{edge}" in step for step in steps):
        yield content.sources.problem(
            ("ui", "calibrate_steps", 0),
            "ui.calibrate_steps: expected the placeholder {edge} in one of the steps")


def _dotted(path: tuple[str | int, ...]) -> str:
    return dotted_path(path)
