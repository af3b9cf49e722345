"""The composer's option controls, derived from the deck options model — never listed by hand.

Every field of :class:`kaartspel.options.DeckOptions` becomes a control: a ``Literal`` a
choice, a number a number box (with the model's bounds), a flag a check box, text a text box
(with the values the model names, such as the card sizes); the default, the allowed values,
the help text (the field's docstring) and the command-line spelling come from the model.  A
new option in the model appears in the page without touching this module.  The fields the
page shows in its own way (language, selection, own questions) are named here; a path is
never taken from a browser.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kaartspel.options import DeckOptions

MODEL: type[BaseModel] = DeckOptions
"""The deck options, declared once (kaartspel.options)."""

OWN_CONTROLS = frozenset({"lang", "themes", "kinds", "cards", "extra_questions"})
"""Fields the page shows in its own way: the language switch, the card picker, own questions."""


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
    section: Literal["cards", "print"] = "print"
    """Where the page shows it: with the card picker (a selection option) or with printing."""
    flag: str = ""
    """How the command line spells it (``--bleed``, ``--extras/--no-extras``); empty: no flag."""

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
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return ",".join(f"{v:g}" if isinstance(v, int | float) else str(v) for v in value)
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


def control(name: str, info: FieldInfo, model: type[BaseModel] = MODEL) -> Control | None:
    """Return the control of one model field, or None when it is not a plain value."""
    core, optional, metadata = _strip(info.annotation)
    metadata = [*metadata, *info.metadata]
    default = info.get_default(call_default_factory=True)
    help_text = " ".join((info.description or "").split())
    extra = _extra(model, name)
    place: dict[str, Any] = {
        "section": "cards" if str(extra.get("recipe", "")).startswith("select.") else "print",
        "flag": str(extra.get("cli", "")),
    }
    if get_origin(core) is Literal:
        values = tuple(str(c) for c in get_args(core))
        if optional:
            values = ("none", *values)
        return Control(name, "choice", default, help_text, values, optional=optional, **place)
    if core is bool and optional:  # on, off, or the model's own choice (none)
        return Control(name, "choice", default, help_text, ("none", "true", "false"),
                       optional=True, **place)
    if core is bool:
        return Control(name, "flag", default, help_text, **place)
    if get_origin(core) is tuple and "metavar" in extra:  # one text the model parses: X,Y
        return Control(name, "text", default, help_text, **place)
    if core in (int, float):
        return Control(name, "number", default, help_text,
                       minimum=_bound(metadata, "ge", "gt"), maximum=_bound(metadata, "le", "lt"),
                       optional=optional, **place)
    if core is str:
        return Control(name, "text", default, help_text, suggestions=_choices(model, name),
                       optional=optional, **place)
    return None


def _extra(model: type[BaseModel], name: str) -> dict[str, Any]:
    extra = model.model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def _choices(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """Return the values the model names for a free-text field (the named card sizes)."""
    return tuple(str(v) for v in _extra(model, name).get("choices", ()))


def controls(model: type[BaseModel] = MODEL) -> list[Control]:
    """Return the controls of every option of *model* the page shows generically, in order.

    Paths (``path`` in a field's extra: template folders, the questions file) are never
    taken from a browser; the fields of :data:`OWN_CONTROLS` have their own controls.
    """
    found = []
    for name, info in model.model_fields.items():
        if name in OWN_CONTROLS or _extra(model, name).get("path"):
            continue
        made = control(name, info, model)
        if made is not None:
            found.append(made)
    return found


def field_help(name: str, model: type[BaseModel] = MODEL) -> str:
    """Return the model's docstring of field *name*, on one line."""
    info = model.model_fields.get(name)
    return " ".join((info.description or "").split()) if info else ""
