"""What the page's form says: the organiser's choices, read, checked and turned into options.

The form is the session: every request carries the whole form (choices and own questions), so
the server keeps nothing between requests.  From it come the deck options (the same
:class:`~kaartspel.deck.DeckOptions` the CLI builds), the recipe a ``kaartspel build`` reads,
and the equivalent ``kaartspel deck`` command line.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kaartspel.content.loader import validate_model
from kaartspel.content.model import Content
from kaartspel.deck.assemble import DeckOptions
from kaartspel.errors import KaartspelError, UsageError
from kaartspel.serve.fields import MODEL, Control, controls
from kaartspel.serve.questions import MAX_QUESTIONS, MAX_TEXT, Row, _Recorder, clean, field_message


class TooMuch(Exception):
    """The form holds more (or longer) own questions than the composer accepts."""


def _strings(form: Any, key: str) -> list[str]:
    return [v for v in form.getlist(key) if isinstance(v, str)]


def _first(form: Any, key: str) -> str | None:
    values = _strings(form, key)
    return values[0] if values else None


@dataclass(frozen=True)
class State:
    """Every choice on the page."""

    lang: str
    values: Mapping[str, Any]
    """The generic options (see :mod:`.fields`), by field name."""
    themes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    own_theme: str = ""
    rows: tuple[Row, ...] = ()
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Messages about the options, by field name."""

    @classmethod
    def default(cls, lang: str) -> State:
        """Return the state of a fresh page: the model's defaults, nothing selected."""
        return cls(lang, {c.name: c.default for c in controls()})

    @classmethod
    def from_form(cls, form: Any, langs: Sequence[str]) -> State:
        """Read the state from a submitted form; raise TooMuch past the composer's limits.

        Values are not checked here except the language (unknown: the first one); see
        :meth:`checked`.
        """
        lang = _first(form, "lang") or ""
        if lang not in langs:
            lang = langs[0]
        values = {c.name: c.parse(_first(form, c.name)) for c in controls()}
        groups, personals = _strings(form, "group"), _strings(form, "personal")
        if max(len(groups), len(personals)) > MAX_QUESTIONS:
            raise TooMuch(f"at most {MAX_QUESTIONS} own questions")
        if any(len(text) > MAX_TEXT for text in (*groups, *personals)):
            raise TooMuch(f"at most {MAX_TEXT} characters per question")
        personals += [""] * (len(groups) - len(personals))
        groups += [""] * (len(personals) - len(groups))
        rows = tuple(Row(clean(g), clean(p)) for g, p in zip(groups, personals, strict=True))
        return cls(
            lang, values,
            themes=tuple(dict.fromkeys(_strings(form, "themes"))),
            kinds=tuple(dict.fromkeys(_strings(form, "kinds"))),
            cards=tuple(dict.fromkeys(_strings(form, "cards"))),
            own_theme=_first(form, "own_theme") or "",
            rows=rows,
        )

    def with_rows(self, rows: Sequence[Row]) -> State:
        """Return the state with other own questions."""
        return State(self.lang, self.values, self.themes, self.kinds, self.cards,
                     self.own_theme, tuple(rows), self.errors)

    def for_content(self, content: Content) -> State:
        """Return the state with its own-questions theme made valid for *content*."""
        themes = [t.id for t in content.themes if t.questions]
        own = self.own_theme
        if own not in themes:
            own = next((t for t in self.themes if t in themes), themes[0] if themes else "")
        return State(self.lang, self.values, self.themes, self.kinds, self.cards, own,
                     self.rows, self.errors)

    # ----------------------------------------------------------------------------------------
    # Checking and options

    def checked(self) -> tuple[State, DeckOptions | None]:
        """Return the state with messages for invalid options, and the options (None: invalid).

        The options model checks first (allowed values, bounds), then the library's own
        check (:meth:`DeckOptions.validated`: card sizes, lengths), as ``kaartspel deck``
        and ``kaartspel build`` do.
        """
        errors: dict[str, list[str]] = {}
        recorder = _Recorder({})
        validate_model(MODEL, self.recipe_data("check.pdf", None), recorder)
        for path, problem in recorder.found:
            name = str(path[0]) if path else ""
            errors.setdefault(name, []).append(field_message(problem.message))
        options = None
        if not errors:
            try:
                options = self.options().validated()
            except UsageError as exc:
                errors.setdefault(_field_of(str(exc)), []).append(field_message(str(exc)))
        state = State(self.lang, self.values, self.themes, self.kinds, self.cards,
                      self.own_theme, self.rows, {k: tuple(v) for k, v in errors.items()})
        return state, options

    def options(self) -> DeckOptions:
        """Return the deck options of this state (unchecked; no own questions yet)."""
        return DeckOptions(lang=self.lang, themes=self.themes, kinds=self.kinds,
                           cards=self.cards, **self.values)

    @property
    def own_rows(self) -> list[Row]:
        """Return the own questions that are part of the deck (not blank)."""
        return [row for row in self.rows if not row.blank]

    # ----------------------------------------------------------------------------------------
    # Recipe and command line

    def recipe_data(self, output: str, questions: str | None) -> dict[str, Any]:
        """Return the recipe of this state, its keys in the model's order.

        Every option is written out (defaults too), so the recipe says what was chosen.
        """
        select = {name: list(getattr(self, name))
                  for name in ("themes", "kinds", "cards") if getattr(self, name)}
        data: dict[str, Any] = {}
        for name in MODEL.model_fields:
            if name == "type":
                data[name] = "deck"
            elif name == "description":
                data[name] = "Made with kaartspel serve"
            elif name == "lang":
                data[name] = self.lang
            elif name == "output":
                data[name] = output
            elif name == "select":
                if select:
                    data[name] = select
            elif name == "extra_questions":
                if questions is not None:
                    data[name] = questions
            elif name in self.values:
                data[name] = self.values[name]
        return data

    def recipe_yaml(self, output: str, questions: str | None) -> str:
        """Return the recipe file's text."""
        header = ("# A deck composed with `kaartspel serve`; rebuild it with\n"
                  f"#   kaartspel build {output.removesuffix('.pdf')}.yaml\n")
        return header + yaml.safe_dump(self.recipe_data(output, questions), allow_unicode=True,
                                       sort_keys=False, default_flow_style=False)

    def command(self, output: str, questions: str | None) -> str:
        """Return the ``kaartspel deck`` command line that builds the same PDF."""
        args = ["kaartspel", "deck", "--lang", self.lang]
        for flag, values in (("--theme", self.themes), ("--kind", self.kinds),
                             ("--card", self.cards)):
            for value in values:
                args += [flag, value]
        by_name = {c.name: c for c in controls()}
        for name, value in self.values.items():
            c: Control = by_name[name]
            if value == c.default:
                continue
            if c.kind == "flag":
                args.append(f"--{name}" if value else f"--no-{name}")
            else:
                args += [f"--{name}", c.shown(value)]
        if questions is not None:
            args += ["--questions", questions]
        args += ["-o", output]
        return shlex.join(args)

    def file_stem(self) -> str:
        """Return a file name (no suffix) that says what the deck holds."""
        parts = ["kaartspel", self.lang, *self.themes[:2]]
        if len(self.themes) > 2:
            parts.append(f"{len(self.themes)}-themas")
        if self.own_rows:
            parts.append("eigen")
        return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower())


def _field_of(message: str) -> str:
    """Return the option a library message is about (``--bleed: …``, ``unknown layout …``)."""
    for c in controls():
        if re.search(rf"(--|\b){re.escape(c.name)}\b", message):
            return c.name
    return ""


@dataclass(frozen=True)
class Summary:
    """What the selection gives: how many cards, on how many pages, or why none."""

    cards: int = 0
    pages: int = 0
    problem: str = ""
    own_outside: str = ""
    """The own questions' theme name when the selection leaves them out."""


def summary(content: Content, state: State, options: DeckOptions | None) -> Summary:
    """Count the cards and pages of the deck the state describes (no rendering)."""
    from kaartspel.content.schema import QuestionPair
    from kaartspel.deck.cards import build_cards, select
    from kaartspel.deck.own_questions import CustomQuestions, insert_questions
    from kaartspel.pdf.impose import plan_grid
    from kaartspel.serve.questions import own_id
    from kaartspel.units import card_size, paper_size

    if options is None:
        return Summary(problem="")
    cards = build_cards(content)
    own = state.own_rows
    if own and state.own_theme:
        model = CustomQuestions.model_construct(theme=state.own_theme, questions=tuple(
            QuestionPair.model_construct(id=own_id(state.own_theme, n), group=row.group,
                                         personal=row.personal)
            for n, row in enumerate(own, start=1)))
        cards = insert_questions(content, cards, model)
    try:
        chosen = select(cards, options.themes, options.kinds, options.cards)
        if options.layout == "sheet" and options.pdf != "accessible":
            grid = plan_grid(card_size(options.size), options.bleed, paper_size(options.paper),
                             options.margin, options.gutter)
            pages = math.ceil(len(chosen) / grid.per_sheet)
        else:
            pages = len(chosen)
    except KaartspelError as exc:
        return Summary(problem=field_message(str(exc)))
    if options.backs != "none" and options.pdf != "accessible":
        pages *= 2
    outside = ""
    if own and state.own_theme and not any(c.id == own_id(state.own_theme, 1) for c in chosen):
        outside = content.theme(state.own_theme).name
    return Summary(len(chosen), pages, "", outside)
