"""The composer's option controls, derived from the deck options model — never listed by hand.

Every field of the model becomes a control: a ``Literal`` a choice, a number a number box (with
the model's bounds), a flag a check box, text a text box (with suggestions where the library
has a list, such as the named card sizes); the default, the allowed values and the help text
(the field's docstring) come from the model.  A new option in the model appears in the page
without touching this module.  The fields the page shows in its own way (language, selection,
own questions) and those a browser must never set (file paths, output names) are named here.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kaartspel.build.recipes import DeckRecipe
from kaartspel.units import CARD_SIZES

MODEL: type[BaseModel] = DeckRecipe
"""The deck options as one pydantic model (until kaartspel.options holds DeckOptions)."""

OWN_CONTROLS = frozenset({"lang", "select", "themes", "kinds", "cards", "extra_questions"})
"""Fields the page shows in its own way: the language switch, the card picker, own questions."""
NOT_FROM_BROWSER = frozenset({"type", "output", "description", "templates"})
"""Fields no browser may set: what a recipe is, file names and template folders (paths)."""

SUGGESTIONS: Mapping[str, tuple[str, ...]] = {"size": tuple(CARD_SIZES)}
"""Values offered for free-text fields, from the library's own tables."""


@dataclass(frozen=True)
class Control:
    """One option as a form control."""

    name: str
    kind: Literal["choice", "number", "flag", "text"]
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    suggestions: tuple[str, ...] = ()
    optional: bool = False
    """Whether 'none' is a value (a ``X | None`` field)."""

    def parse(self, raw: str | None) -> Any:
        """Return the form's text for this control as the model's value (unchecked)."""
        if self.kind == "flag":
            return raw is not None and raw not in ("", "0", "false", "off")
        if raw is None:
            return self.default
        raw = raw.strip()
        if self.optional and raw in ("", "none"):
            return None
        if self.kind == "number":
            try:
                return float(raw.replace(",", "."))  # a Dutch keyboard's decimal comma
            except ValueError:
                return raw  # the model words the error
        return raw

    def shown(self, value: Any) -> str:
        """Return *value* as the control shows it."""
        if value is None:
            return "none"
        if self.kind == "number":
            return f"{value:g}" if isinstance(value, int | float) else str(value)
        return str(value)


def _strip(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """Return the core type of *annotation*, whether None is allowed, and its metadata."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) != 1:
                return annotation, optional, metadata
            annotation = args[0]
        else:
            return annotation, optional, metadata


def _bound(metadata: list[Any], *names: str) -> float | None:
    for item in metadata:
        for name in names:
            value = getattr(item, name, None)
            if isinstance(value, int | float):
                return float(value)
    return None


def control(name: str, info: FieldInfo) -> Control | None:
    """Return the control of one model field, or None when it is not a plain value."""
    core, optional, metadata = _strip(info.annotation)
    metadata = [*metadata, *info.metadata]
    default = info.get_default(call_default_factory=True)
    help_text = (info.description or "").strip()
    if get_origin(core) is Literal:
        choices = tuple(str(c) for c in get_args(core))
        if optional:
            choices = ("none", *choices)
        return Control(name, "choice", default, help_text, choices, optional=optional)
    if core is bool:
        return Control(name, "flag", default, help_text)
    if core in (int, float):
        return Control(name, "number", default, help_text,
                       minimum=_bound(metadata, "ge", "gt"), maximum=_bound(metadata, "le", "lt"),
                       optional=optional)
    if core is str:
        return Control(name, "text", default, help_text, suggestions=SUGGESTIONS.get(name, ()),
                       optional=optional)
    return None


def controls(model: type[BaseModel] = MODEL) -> list[Control]:
    """Return the controls of every option of *model* the page shows generically, in order."""
    found = []
    for name, info in model.model_fields.items():
        if name in OWN_CONTROLS or name in NOT_FROM_BROWSER:
            continue
        made = control(name, info)
        if made is not None:
            found.append(made)
    return found


def field_help(name: str, model: type[BaseModel] = MODEL) -> str:
    """Return the model's docstring of field *name* (the selection's live in its sub-model)."""
    info = model.model_fields.get(name)
    if info is None and "select" in model.model_fields:
        sub = model.model_fields["select"].annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            info = sub.model_fields.get(name)
    return (info.description or "").strip() if info else ""


def default_values(model: type[BaseModel] = MODEL) -> dict[str, Any]:
    """Return the default of every generic control, by name."""
    return {c.name: c.default for c in controls(model)}
