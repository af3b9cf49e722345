"""What the page's form says: the organiser's choices, read, checked and turned into options.

The form is the session: every request carries the whole form (choices and own questions), so
the server keeps nothing between requests.  From it come the deck options (the very
:class:`~kaartspel.options.DeckOptions` the CLI builds), the recipe ``kaartspel build`` reads
and the equivalent ``kaartspel deck`` command line — each derived from the options model.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kaartspel.build.recipes import DeckRecipe
from kaartspel.content.model import Content
from kaartspel.errors import KaartspelError, UsageError
from kaartspel.options import DeckOptions, recipe_fields
from kaartspel.serve.fields import controls
from kaartspel.serve.questions import MAX_QUESTIONS, MAX_TEXT, Row, clean, field_message


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

        The options model checks every value (allowed values, bounds, card sizes) and words
        each problem as the command line does; each value is then tried alone (the others at
        their defaults, which are valid) to put each message by its own field.
        """
        errors: dict[str, list[str]] = {}
        options = None
        data = self.option_values()
        try:
            options = DeckOptions(**data)
        except UsageError as exc:
            for name, value in data.items():
                try:
                    DeckOptions(**{name: value})
                except UsageError as alone:
                    errors.setdefault(name, []).extend(
                        field_message(m) for m in str(alone).split("; "))
            if not errors:  # only the combination is wrong
                errors[""] = [field_message(str(exc))]
        state = State(self.lang, self.values, self.themes, self.kinds, self.cards,
                      self.own_theme, self.rows, {k: tuple(v) for k, v in errors.items()})
        return state, options

    def option_values(self) -> dict[str, Any]:
        """Return every option the page sets, by field name (no own questions yet)."""
        return {"lang": self.lang, "themes": self.themes, "kinds": self.kinds,
                "cards": self.cards, **self.values}

    def options(self) -> DeckOptions:
        """Return the deck options of this state; raise UsageError when a value is invalid."""
        return DeckOptions(**self.option_values())

    @property
    def own_rows(self) -> list[Row]:
        """Return the own questions that are part of the deck (not blank)."""
        return [row for row in self.rows if not row.blank]

    # ----------------------------------------------------------------------------------------
    # Recipe and command line

    def recipe_data(self, options: DeckOptions, output: str, questions: str | None
                    ) -> dict[str, Any]:
        """Return the recipe of this state, its keys in the recipe schema's order.

        Every option a recipe holds is written out (defaults too, so the recipe says what was
        chosen), but an empty or default selection is left out.
        """
        defaults = DeckOptions()
        by_path = {path: name for name, path in recipe_fields(DeckOptions).items()}
        data: dict[str, Any] = {}
        for key in DeckRecipe.model_fields:
            if key == "type":
                data[key] = "deck"
            elif key == "description":
                data[key] = "Made with kaartspel serve"
            elif key == "output":
                data[key] = output
            elif key == "extra_questions":
                if questions is not None:
                    data[key] = questions
            elif key in by_path:
                data[key] = _plain(getattr(options, by_path[key]))
            else:  # a group of options (select)
                group = {path.split(".", 1)[1]: _plain(getattr(options, name))
                         for path, name in by_path.items() if path.startswith(f"{key}.")
                         and getattr(options, name) != getattr(defaults, name)}
                if group:
                    data[key] = group
        return data

    def recipe_yaml(self, options: DeckOptions, output: str, questions: str | None) -> str:
        """Return the recipe file's text."""
        header = ("# A deck composed with `kaartspel serve`; rebuild it with\n"
                  f"#   kaartspel build {output.removesuffix('.pdf')}.yaml\n")
        data = self.recipe_data(options, output, questions)
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                       default_flow_style=False)

    def command(self, options: DeckOptions, output: str, questions: str | None) -> str:
        """Return the ``kaartspel deck`` command line that builds the same PDF.

        Each option is spelled as the model says the command line spells it; an option at
        its default is left out (the command line's default is the model's).
        """
        from kaartspel.options import field_extra

        defaults = DeckOptions()
        args = ["kaartspel", "deck"]
        for name in DeckOptions.model_fields:
            spelled = str(field_extra(DeckOptions, name).get("cli", ""))
            value = getattr(options, name)
            if not spelled or name == "extra_questions" or (
                    value == getattr(defaults, name) and name != "lang"):
                continue
            on, _, off = spelled.partition("/")
            if isinstance(value, bool):
                args.append(on if value else off)
            elif isinstance(value, tuple):
                for item in value:
                    args += [on, str(item)]
            else:
                args += [on, f"{value:g}" if isinstance(value, float) else str(value)]
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


def _plain(value: Any) -> Any:
    """Return an option's value as YAML writes it plainly (a tuple as a list)."""
    return list(value) if isinstance(value, tuple) else value


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
    from kaartspel.pdf.impose import plan_grid
    from kaartspel.serve.questions import chosen_cards, own_id, with_own
    from kaartspel.units import card_size, paper_size

    if options is None:
        return Summary(problem="")
    try:
        chosen = chosen_cards(content, options, with_own(content, state.own_theme, state.rows))
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
    if state.own_rows and state.own_theme and \
            not any(c.id == own_id(state.own_theme, 1) for c in chosen):
        outside = content.theme(state.own_theme).name
    return Summary(len(chosen), pages, "", outside)
