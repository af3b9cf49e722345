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

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from kaartspel.errors import UsageError, printable
from kaartspel.files import is_file, not_found
from kaartspel.units import CARD_SIZES, POSTER_SIZES, card_size

CardLayout = Literal["sheet", "single", "fold"]
Paper = Literal["a4", "a3", "letter"]
Duplex = Literal["long", "short", "none"]
Backs = Literal["theme", "light", "plain", "none"]
Cut = Literal["separate", "shared"]
PageOrder = Literal["fronts-then-backs", "interleaved"]
PdfVariant = Literal["plain", "print", "accessible"]
PosterSize = Literal["a0", "a1", "a2", "a3", "a4"]
Orientation = Literal["portrait", "landscape"]
TilePaper = Literal["a4", "a3"]
CalibrationDuplex = Literal["long", "short"]
BoxPaper = Literal["auto", "a4", "a3"]


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


MAX_BACK_OFFSET_MM = 10.0
"""Largest back offset: printers drift 1–4 mm between sides; more is a mis-fed sheet."""


def _offset_pair(value: Any) -> Any:
    """Take a back offset as ``X,Y`` text (the command line) or a pair (a recipe)."""
    if isinstance(value, str):
        parts = value.replace(";", ",").split(",")
        if len(parts) != 2:
            raise ValueError(f"--back-offset: expected X,Y in mm (e.g. 1.5,-0.5), got {value!r}")
        try:
            return tuple(float(part) for part in parts)
        except ValueError:
            raise ValueError(f"--back-offset: expected X,Y in mm (e.g. 1.5,-0.5), got {value!r}"
                             ) from None
    return value


def _offset_range(value: tuple[float, float]) -> tuple[float, float]:
    for part in value:
        if not abs(part) <= MAX_BACK_OFFSET_MM:  # also false for NaN
            raise ValueError(f"--back-offset: each value must be between {-MAX_BACK_OFFSET_MM:g} "
                             f"and {MAX_BACK_OFFSET_MM:g} mm, got {part:g}")
    return (float(value[0]) + 0.0, float(value[1]) + 0.0)  # + 0.0: no negative zero


BackOffset = Annotated[tuple[float, float], BeforeValidator(_offset_pair),
                       AfterValidator(_offset_range)]
"""How far the backs are shifted, X (right) and Y (up) in mm, as the back page is seen."""


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
        elif isinstance(value, tuple) and value and all(isinstance(v, float) for v in value):
            parts.append(f"{name}{'x'.join(f'{v:g}' for v in value)}")
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
    """sheet: cards side by side, crop marks (office printer); single: one a page (print shop);
    fold: each front beside its back, to fold and glue (one-sided printer)."""
    paper: Paper = Field("a4", json_schema_extra=flag("--paper", "paper"))
    """Paper of the sheets (sheet layout)."""
    margin: float = Field(5.0, **_mm(30), json_schema_extra=flag("--margin", "margin", unit="mm"))
    """The printer's unprintable margin in mm (sheet layout)."""
    gutter: float = Field(0.0, **_mm(30), json_schema_extra=flag("--gutter", "gutter", unit="mm"))
    """Space between the cards' bleeds in mm (sheet layout)."""
    cut: Cut = Field("separate", json_schema_extra=flag("--cut", "cut"))
    """separate: each card with its own bleed and crop marks; shared: cards edge to edge with
    full-length cut lines, bleed only at the sheet's outer edges (fewest guillotine cuts)."""
    bleed: float = Field(3.0, **_mm(10), json_schema_extra=flag("--bleed", "bleed", unit="mm"))
    """Bleed around each card in mm."""
    duplex: Duplex = Field("long", json_schema_extra=flag("--duplex", "duplex"))
    """How the printer turns the paper for the backs: long edge, short edge, or one-sided (none)."""
    back_offset: BackOffset = Field((0.0, 0.0), json_schema_extra=flag(
        "--back-offset", "back_offset", metavar="X,Y", unit="mm"))
    """Where the printer puts the backs, read on the test sheet (kaartspel calibrate): X
    right, Y up in mm, seen from the front; the backs are moved back by that much."""
    backs: Backs = Field("theme", json_schema_extra=flag("--backs", "backs"))
    """Card backs: one per theme (full colour), light (white with the theme's colour as a
    border, for office printers), one plain back for all, or none."""
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
    blanks: int = Field(0, ge=0, le=60, json_schema_extra=flag("--blanks", "blanks",
                                                                metavar="N"))
    """Add N write-on question cards per chosen theme (without --theme: N neutral ones)."""
    legend: bool | None = Field(None, json_schema_extra=flag("--legend/--no-legend", "legend"))
    """Add a legend card: every theme of the deck with its colour, icon, name and cards
    (default: in a full deck, not in a selection)."""
    pdf: PdfVariant = Field("plain", json_schema_extra=flag("--pdf", "pdf"))
    """PDF variant: plain (RGB), print (PDF/X-4, CMYK, FOGRA39) or accessible (tagged PDF/UA-1)."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""

    @model_validator(mode="after")
    def _layouts_agree(self) -> DeckOptions:
        """Refuse combinations that cannot be printed as asked."""
        if self.cut == "shared" and self.layout != "sheet":
            raise ValueError("--cut shared is for the sheet layout (--layout sheet)")
        if self.cut == "shared" and self.gutter:
            raise ValueError("--cut shared puts the cards edge to edge: leave --gutter at 0")
        if self.layout == "fold" and self.backs == "none":
            raise ValueError("--layout fold puts each back beside its front: choose --backs "
                             "theme, light or plain")
        if any(self.back_offset) and self.layout != "sheet":
            raise ValueError("--back-offset moves the backs of double-sided sheets "
                             "(--layout sheet)")
        return self

    @property
    def with_legend(self) -> bool:
        """Whether the deck gets a legend card: as asked, else only in a full deck."""
        if self.legend is not None:
            return self.legend
        return not (self.themes or self.kinds or self.cards)

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
    pdf: PdfVariant = Field("plain", json_schema_extra=flag("--pdf", "pdf"))
    """PDF variant: plain (RGB), print (PDF/X-4, CMYK, FOGRA39) or accessible (tagged PDF/UA-1)."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""

    def validated(self) -> PosterOptions:
        """Return self: a PosterOptions is valid once made (kept for callers' symmetry)."""
        return self


def _as_in(model: type[Options], name: str) -> Any:
    """Return a copy of *model*'s field *name* (type, default, bounds, flag, docstring).

    A command that builds a deck behind the scenes (``export``) takes the deck's own
    spelling of the options it shares with ``deck``, declared once, there.
    """
    from copy import copy

    return copy(model.model_fields[name])


class CalibrateOptions(Options):
    """The duplex test sheet: a ruler grid on the front, crosshairs on the back."""

    lang: str = Field("nl", json_schema_extra=flag("--lang", "lang"))
    """Content language of the instructions: a folder under the content folder (nl, en)."""
    paper: Paper = Field("a4", json_schema_extra=flag("--paper", "paper"))
    """Paper of the sheet: the paper the cards will be printed on."""
    duplex: CalibrationDuplex = Field("long", json_schema_extra=flag("--duplex", "duplex"))
    """How the printer turns the paper: about the long edge or the short edge."""
    orientation: Orientation = Field("portrait", json_schema_extra=flag(
        "--orientation", "orientation"))
    """Portrait, or landscape: calibrate in the orientation of the deck's sheets."""
    back_offset: BackOffset = Field((0.0, 0.0), json_schema_extra=flag(
        "--back-offset", "back_offset", metavar="X,Y", unit="mm"))
    """Shift the back by X,Y mm (as on the deck): print it again to check an offset read."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""


BOX_CARDS_MAX = 400
"""The most cards one tuck box holds (a box for more would not close)."""


class BoxOptions(Options):
    """A printable tuck box for one deck."""

    lang: str = Field("nl", json_schema_extra=flag("--lang", "lang"))
    """Content language of the box's text: a folder under the content folder (nl, en)."""
    size: CardSizeSpec = Field("poker", json_schema_extra=flag(
        "--size", "size", choices=tuple(CARD_SIZES)))
    """Card size the box holds: poker, bridge, tarot, mini, square, a6, a7, or WxH in mm."""
    cards: int | None = Field(None, ge=1, le=BOX_CARDS_MAX,
                              json_schema_extra=flag("--cards", "cards", metavar="N"))
    """How many cards the box holds (default: the language's full deck and its legend)."""
    paper_weight: float = Field(300.0, ge=80, le=600, allow_inf_nan=False,
                                json_schema_extra=flag("--paper-weight", "paper_weight",
                                                       unit="g/m²"))
    """Weight of the cards' paper in g/m²: it gives the deck's thickness."""
    paper: BoxPaper = Field("auto", json_schema_extra=flag("--paper", "paper"))
    """Paper of the box sheet: auto chooses A4, or A3 when the box needs it."""
    die: bool = Field(False, json_schema_extra=flag("--die/--no-die", "die"))
    """Print-shop version: the die line as spot colour 'Die' on a layer of its own, with
    bleed and no instructions (default: a home version with printed cut and fold lines)."""
    strict: bool = Field(True, json_schema_extra=flag("--strict/--no-strict"))
    """Fail on any WeasyPrint warning."""
    templates: tuple[Path, ...] = Field((), json_schema_extra=flag("--templates", path=True))
    """Folders searched for templates before the built-in ones (repeatable)."""


EXPORT_DECK_OPTIONS = ("lang", "size", "themes", "kinds", "cards", "extras", "extra_questions",
                       "blanks", "legend", "strict", "templates")
"""The deck options ``export`` takes: what is on the cards, not how sheets are printed."""


class ExportOptions(Options):
    """Screen images of a deck's cards for online sessions (Miro, Mural, Teams)."""

    png: bool = Field(False, json_schema_extra=flag("--png/--no-png", "png"))
    """Write one PNG per card (trimmed, no bleed) and a zip of them."""
    slides: bool = Field(False, json_schema_extra=flag("--slides/--no-slides", "slides"))
    """Write a 16:9 PDF with one card per slide, for screen sharing."""
    dpi: float = Field(150.0, ge=36, le=600, allow_inf_nan=False,
                       json_schema_extra=flag("--dpi", "dpi", unit="dpi"))
    """Resolution of the PNGs (150: a poker card is 372 pixels wide)."""
    width: int | None = Field(None, ge=64, le=4000, json_schema_extra=flag(
        "--width", "width", metavar="PIXELS"))
    """Width of every PNG in pixels (instead of --dpi)."""
    lang: str = _as_in(DeckOptions, "lang")
    size: CardSizeSpec = _as_in(DeckOptions, "size")
    themes: tuple[str, ...] = _as_in(DeckOptions, "themes")
    kinds: tuple[str, ...] = _as_in(DeckOptions, "kinds")
    cards: tuple[str, ...] = _as_in(DeckOptions, "cards")
    extras: bool = _as_in(DeckOptions, "extras")
    extra_questions: QuestionsFile = _as_in(DeckOptions, "extra_questions")
    blanks: int = _as_in(DeckOptions, "blanks")
    legend: bool | None = _as_in(DeckOptions, "legend")
    strict: bool = _as_in(DeckOptions, "strict")
    templates: tuple[Path, ...] = _as_in(DeckOptions, "templates")

    def deck(self) -> DeckOptions:
        """Return the options of the deck whose faces are exported (one card a page)."""
        return DeckOptions(**{name: getattr(self, name) for name in EXPORT_DECK_OPTIONS},
                           layout="single", backs="none")


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


def default_calibration_output(options: CalibrateOptions) -> Path:
    """Return ``build/calibrate-<lang>-<paper>-<duplex>[-<what else differs>].pdf``."""
    head = [options.lang, options.paper, options.duplex]
    parts = name_parts(options, CalibrateOptions(), skip=("lang", "paper", "duplex"))
    return Path("build") / ("-".join(["calibrate", *head, *parts]) + ".pdf")


def default_box_output(options: BoxOptions) -> Path:
    """Return ``build/box-<lang>-<size>[-<what else differs>].pdf`` (``-die``: print shop)."""
    parts = name_parts(options, BoxOptions(), skip=("lang", "size"))
    return Path("build") / ("-".join(["box", options.lang, options.size, *parts]) + ".pdf")


def default_export_names(options: ExportOptions) -> tuple[str, str]:
    """Return the stems of ``export``'s PNG folder (and zip) and of its slides:
    ``cards-<lang>-<size>[-…]`` and ``slides-<lang>-<size>[-…]``."""
    parts = name_parts(options, ExportOptions(), skip=("lang", "size", "png", "slides"))
    tail = "-".join([options.lang, options.size, *parts])
    return f"cards-{tail}", f"slides-{tail}"
