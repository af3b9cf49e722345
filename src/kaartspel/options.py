"""The options of a deck and of a poster, each declared once.

Policy: every option a user can set exists here and nowhere else — its type, its default,
its allowed values and its one-line help (the attribute docstring).  The command line
(``kaartspel deck``/``poster``), the recipe schema (``deck/*.yaml``), ``kaartspel build``'s
input hash and the web composer are all derived from these two models.  A front end never
copies a default: it passes only what the user *gave*, and :func:`merge` lays that over the
recipe's values, which lie over the defaults below.

Each field's ``json_schema_extra`` says how front ends spell it: ``cli`` is the command-line
flag (absent: the option has no flag), ``recipe`` the key path in a recipe (absent: the
option is not part of a recipe, like ``strict``, which belongs to the build environment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from kaartspel.errors import UsageError, printable
from kaartspel.files import is_file, not_found
from kaartspel.units import CARD_SIZES, POSTER_SIZES, card_size

CardLayout = Literal["sheet", "single"]
Paper = Literal["a4", "a3", "letter"]
Duplex = Literal["long", "short", "none"]
Backs = Literal["theme", "plain", "none"]
PageOrder = Literal["fronts-then-backs", "interleaved"]
PdfVariant = Literal["plain", "print", "accessible"]
PosterSize = Literal["a0", "a1", "a2", "a3", "a4"]
Orientation = Literal["portrait", "landscape"]
TilePaper = Literal["a4", "a3"]


def _card_size(spec: str) -> str:
    """Check a card size spec (a name or WxH in mm) once, here; keep it as the user wrote it."""
    try:
        card_size(spec)
    except UsageError as exc:
        raise ValueError(printable(str(exc))) from None  # printable: pydantic encodes it
    return spec.strip().lower()


CardSizeSpec = Annotated[str, AfterValidator(_card_size)]


def _existing_file(path: Path | None) -> Path | None:
    if path is not None and not is_file(path):
        # A name that is not UTF-8 (a lone surrogate here) must not reach pydantic's message.
        raise ValueError(printable(not_found("questions file", path)))
    return path


QuestionsFile = Annotated[Path | None, AfterValidator(_existing_file)]


def _mm(maximum: float) -> dict[str, Any]:
    return {"ge": 0, "le": maximum, "allow_inf_nan": False}


class Options(BaseModel):
    """Base of the option models: frozen, strict about unknown names, documented fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True,
                              validate_default=True)

    def __init__(self, **data: Any) -> None:
        # One error type for every front end: a bad option is the user's to fix (exit 2).
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise UsageError("; ".join(describe_errors(type(self), exc.errors()))) from None

    @model_validator(mode="before")
    @classmethod
    def _normal_case(cls, data: Any) -> Any:
        """Take a named value in any case and with stray spaces (``A2``, `` a4``)."""
        if not isinstance(data, dict):
            return data
        return {key: value.strip().lower() if isinstance(value, str) and key in cls.model_fields
                and choices(cls, key) else value for key, value in data.items()}

    def updated(self, **changes: Any) -> Self:
        """Return a copy with *changes*, validated like any other options."""
        return type(self)(**{**dict(self), **changes})

    def given(self) -> dict[str, Any]:
        """Return the options that differ from the defaults (what names this output)."""
        defaults = type(self)()
        return {name: value for name, value in self
                if value != getattr(defaults, name)}


NOT_IN_NAMES = frozenset({"strict", "templates"})
"""Options that never change what an output shows, so never appear in its file name."""


def name_parts(options: Options, base: Options, skip: Iterable[str] = ()) -> list[str]:
    """Return file-name parts for every option of *options* that differs from *base*.

    Two builds that differ in any option that changes the output get different names, so
    one command never silently replaces a file another made with other options.
    """
    parts = []
    for name, value in options:
        if name in NOT_IN_NAMES or name in skip or value == getattr(base, name):
            continue
        if isinstance(value, bool):
            parts.append(name if value else f"no-{name}")
        elif isinstance(value, float | int):
            parts.append(f"{name}{value:g}")
        elif isinstance(value, Path):
            parts.append(value.stem)
        elif isinstance(value, tuple):
            parts.append("-".join(str(v) for v in value) or f"all-{name}")
        elif value is None or value == "none":
            parts.append(f"no-{name}")
        else:
            parts.append(str(value))
    return [_slug(part) for part in parts]


def _slug(text: str) -> str:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.]+", "-", ascii_text.lower()).strip("-")[:40] or "x"


def flag(name: str, recipe: str | None = None, **extra: Any) -> dict[str, Any]:
    """Return a field's front-end spelling: command-line flag and recipe key path."""
    return {"cli": name, **({"recipe": recipe} if recipe else {}), **extra}


class DeckOptions(Options):
    """Everything that defines a card deck besides the content."""

    lang: str = Field("nl", json_schema_extra=flag("--lang", "lang"))
    """Content language: a folder under the content folder (nl, en)."""
    size: CardSizeSpec = Field("poker", json_schema_extra=flag(
        "--size", "size", choices=tuple(CARD_SIZES)))
    """Card size: poker, bridge, tarot, mini, square, a6, a7, or width x height in mm (80x120)."""
    layout: CardLayout = Field("sheet", json_schema_extra=flag("--layout", "layout"))
    """sheet: cards side by side, crop marks (office printer); single: one a page (print shop)."""
    paper: Paper = Field("a4", json_schema_extra=flag("--paper", "paper"))
    """Paper of the sheets (sheet layout)."""
    margin: float = Field(5.0, **_mm(30), json_schema_extra=flag("--margin", "margin", unit="mm"))
    """The printer's unprintable margin in mm (sheet layout)."""
    gutter: float = Field(0.0, **_mm(30), json_schema_extra=flag("--gutter", "gutter", unit="mm"))
    """Space between the cards' bleeds in mm (sheet layout)."""
    bleed: float = Field(3.0, **_mm(10), json_schema_extra=flag("--bleed", "bleed", unit="mm"))
    """Bleed around each card in mm."""
    duplex: Duplex = Field("long", json_schema_extra=flag("--duplex", "duplex"))
    """How the printer turns the paper for the backs: long edge, short edge, or one-sided (none)."""
    backs: Backs = Field("theme", json_schema_extra=flag("--backs", "backs"))
    """Card backs: one per theme, one plain back for all, or none."""
    order: PageOrder = Field("fronts-then-backs", json_schema_extra=flag("--order", "order"))
    """Page order in the single layout: all fronts then all backs, or each back after its front."""
    themes: tuple[str, ...] = Field((), json_schema_extra=flag("--theme", "select.themes"))
    """Only these themes (id or title; repeatable). A theme brings its intro and question cards."""
    kinds: tuple[str, ...] = Field((), json_schema_extra=flag("--kind", "select.kinds"))
    """Only these card kinds (repeatable): title, howto, intro, theme, level, phase, question,
    tip, credits."""
    cards: tuple[str, ...] = Field((), json_schema_extra=flag("--card", "select.cards"))
    """Add these cards by id (repeatable), e.g. netwerkvorming-2."""
    extras: bool = Field(True, json_schema_extra=flag("--extras/--no-extras", "select.extras"))
    """With a theme or kind selection, also include the set's title, how-to and credits cards."""
    extra_questions: QuestionsFile = Field(None, json_schema_extra=flag(
        "--questions", "extra_questions", path=True))
    """A YAML file with your own question pairs (in a recipe: relative to the recipe)."""
    pdf: PdfVariant = Field("plain", json_schema_extra=flag("--pdf", "pdf"))
    """PDF variant: plain (RGB), print (PDF/X-4, CMYK, FOGRA39) or accessible (tagged PDF/UA-1)."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""

    def validated(self) -> DeckOptions:
        """Return self: a DeckOptions is valid once made (kept for callers' symmetry)."""
        return self


class PosterOptions(Options):
    """Everything that defines a poster besides the content."""

    lang: str = Field("nl", json_schema_extra=flag("--lang", "lang"))
    """Content language: a folder under the content folder (nl, en)."""
    size: PosterSize = Field("a1", json_schema_extra=flag("--size", "size", noun="poster size",
                                                           choices=tuple(POSTER_SIZES)))
    """Poster size."""
    orientation: Orientation = Field("portrait", json_schema_extra=flag(
        "--orientation", "orientation"))
    """Portrait or landscape."""
    bleed: float = Field(0.0, **_mm(10), json_schema_extra=flag("--bleed", "bleed", unit="mm"))
    """Bleed in mm; more than 0 adds a trim box and crop marks."""
    tile: TilePaper | None = Field(None, json_schema_extra=flag("--tile", "tile",
                                                                noun="tile paper"))
    """Split the poster over sheets of this paper, to tape together."""
    overlap: float = Field(10.0, **_mm(50),
                           json_schema_extra=flag("--overlap", "overlap", unit="mm"))
    """How far tiles overlap, in mm."""
    margin: float = Field(5.0, **_mm(30), json_schema_extra=flag("--margin", "margin", unit="mm"))
    """The printer's unprintable margin for tiles, in mm."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""

    def validated(self) -> PosterOptions:
        """Return self: a PosterOptions is valid once made (kept for callers' symmetry)."""
        return self


OptionsT = TypeVar("OptionsT", bound=Options)


def field_extra(model: type[Options], name: str) -> dict[str, Any]:
    """Return the front-end spelling of one field (``cli``, ``recipe``, …)."""
    extra = model.model_fields[name].json_schema_extra
    return dict(extra) if isinstance(extra, Mapping) else {}


def choices(model: type[Options], name: str) -> tuple[str, ...]:
    """Return the allowed values of a field: its Literal values, or the named sizes."""
    from typing import get_args, get_origin

    extra = field_extra(model, name)
    if "choices" in extra:
        return tuple(extra["choices"])
    annotation = model.model_fields[name].annotation
    values: list[str] = []
    for arg in (get_args(annotation) or (annotation,)):
        if get_origin(arg) is Literal:
            values.extend(get_args(arg))
    if get_origin(annotation) is Literal:
        values = list(get_args(annotation))
    return tuple(v for v in values if isinstance(v, str))


def recipe_fields(model: type[Options]) -> dict[str, str]:
    """Return field name → recipe key path for the fields a recipe may set."""
    return {name: field_extra(model, name)["recipe"] for name in model.model_fields
            if "recipe" in field_extra(model, name)}


def merge(model: type[OptionsT], *layers: Mapping[str, Any]) -> OptionsT:
    """Return *model* built from *layers*, later ones winning; raise UsageError on bad values.

    Each layer holds only what its source gave (a recipe's keys, the flags typed on the
    command line); what no layer gives comes from the model's default.  Every invalid value
    is reported, not only the first.
    """
    values: dict[str, Any] = {}
    for layer in layers:
        values.update({k: v for k, v in layer.items() if v is not None})
    return model(**values)


def describe_errors(model: type[Options], errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return one plain sentence per pydantic error, naming the option as a user spells it."""
    lines = []
    for err in errors:
        name = str(err["loc"][0]) if err.get("loc") else ""
        known = name in model.model_fields
        spelled = field_extra(model, name).get("cli", name).split("/")[0] if known else name
        allowed = choices(model, name) if known else ()
        given = err.get("input")
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown option '{name}'")
        elif err["type"] == "literal_error" and allowed:
            noun = field_extra(model, name).get("noun", name)
            lines.append(f"unknown {noun} {given!r} (valid: {', '.join(allowed)})")
        elif err["type"] == "value_error":  # our validators word their messages for people
            lines.append(str(err["msg"]).removeprefix("Value error, "))
        elif err["type"] in ("less_than_equal", "greater_than_equal", "finite_number"):
            info = model.model_fields[name]
            bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "le")
                      if getattr(m, k, None) is not None}
            unit = f" {field_extra(model, name).get('unit', '')}".rstrip()
            lines.append(f"{spelled} must be between {bounds.get('ge', 0):g} and "
                         f"{bounds.get('le', 0):g}{unit}, got {given:g}")
        else:
            lines.append(f"{spelled}: {str(err['msg']).lower()} (got {given!r})")
    return lines


def default_deck_output(options: DeckOptions) -> Path:
    """Return ``build/deck-<lang>-<size>-<layout>[-<what else differs>].pdf``.

    Every option that differs from the defaults is in the name (``-print``, ``-bleed0``,
    ``-netwerkvorming``), so two decks made with other options never share a file.
    """
    head = [options.lang, options.size, options.layout]
    parts = name_parts(options, DeckOptions(), skip=("lang", "size", "layout"))
    return Path("build") / ("-".join(["deck", *head, *parts]) + ".pdf")

def default_poster_output(options: PosterOptions) -> Path:
    """Return ``build/poster-<lang>-<size>[-landscape][-tiles-<paper>][-<what else>].pdf``.

    Every option that differs from the defaults is in the name (``-bleed3``), so a bleed
    poster never replaces the plain one.
    """
    name = f"poster-{options.lang}-{options.size}"
    if options.orientation == "landscape":
        name += "-landscape"
    if options.tile:
        name += f"-tiles-{options.tile}"
    parts = name_parts(options, PosterOptions(), skip=("lang", "size", "orientation", "tile"))
    return Path("build") / ("-".join([name, *parts]) + ".pdf")
