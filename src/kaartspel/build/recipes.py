"""Recipes: YAML files in ``deck/`` that name everything one output needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, StrictStr, create_model

from kaartspel.content.loader import SourceMap, read_yaml, validate_model
from kaartspel.content.schema import Model
from kaartspel.errors import ContentError, Problem, UsageError, display_path
from kaartspel.files import inside, is_file, not_found, plain_name
from kaartspel.options import (
    BoxOptions,
    CalibrateOptions,
    DeckOptions,
    Options,
    PosterOptions,
    merge,
    recipe_fields,
)


def _recipe_model(name: str, options: type[Options], prefix: str, doc: str,
                  **own: Any) -> type[Model]:
    """Derive a recipe schema from an options model: the fields whose recipe key path
    starts with *prefix*, with the options' types, defaults, bounds and docstrings."""
    first = {k: v for k, v in own.items() if k in ("type", "description")}
    fields: dict[str, Any] = dict(first)
    for field_name, path in recipe_fields(options).items():
        head, _, key = path.rpartition(".")
        if head == prefix:
            info = options.model_fields[field_name]
            fields[key] = (info.annotation, info)
            if key == "lang" and "output" in own:  # where a reader of a recipe looks for it
                fields["output"] = own["output"]
        elif prefix == "" and head in own and head not in fields:
            fields[head] = own[head]  # a nested group (select) where its first option stood
    fields.update(own)
    model: type[Model] = create_model(name, __base__=Model, __doc__=doc, **fields)
    return model


Selection = _recipe_model("Selection", DeckOptions, "select",
                          "Which cards a deck holds; empty lists select everything.")

DeckRecipe = _recipe_model(
    "DeckRecipe", DeckOptions, "", "A card deck.",
    type=(Literal["deck"], Field(description="What to build: deck.")),
    description=(str, Field("", description="One line for people: what the deck is for.")),
    output=(StrictStr, Field(description="File name of the PDF, written to the output folder.")),
    select=(Selection, Field(Selection(), description="Which cards to include.")),
    # A path in a recipe is relative to the recipe, so it is checked there, not as options do.
    extra_questions=(StrictStr | None, Field(None, description=(
        DeckOptions.model_fields["extra_questions"].description))),
)

PosterRecipe = _recipe_model(
    "PosterRecipe", PosterOptions, "", "A poster.",
    type=(Literal["poster"], Field(description="What to build: poster.")),
    description=(str, Field("", description="One line for people: what the poster is for.")),
    output=(StrictStr, Field(description="File name of the PDF, written to the output folder.")),
)


_OUTPUT = (StrictStr, Field(description="File name of the PDF, written to the output folder."))

BoxRecipe = _recipe_model(
    "BoxRecipe", BoxOptions, "", "A tuck box for a deck.",
    type=(Literal["box"], Field(description="What to build: box.")),
    description=(str, Field("", description="One line for people: what the box is for.")),
    output=_OUTPUT,
)

CalibrateRecipe = _recipe_model(
    "CalibrateRecipe", CalibrateOptions, "", "The duplex test sheet.",
    type=(Literal["calibrate"], Field(description="What to build: calibrate.")),
    description=(str, Field("", description="One line for people: what the sheet is for.")),
    output=_OUTPUT,
)

KIT_PARTS = ("deck", "box", "calibrate")
"""What a kit recipe may hold, each with its own output."""


def _section(model: type[Model]) -> type[Model]:
    """Return *model* as a section of a kit: the same keys without ``type``."""
    fields: dict[str, Any] = {name: (info.annotation, info)
                              for name, info in model.model_fields.items() if name != "type"}
    section: type[Model] = create_model(f"Kit{model.__name__}", __base__=Model,
                                        __doc__=model.__doc__, **fields)
    return section


_KIT_FIELDS: dict[str, Any] = {
    "type": (Literal["kit"], Field(description="What to build: kit.")),
    "description": (str, Field("", description="One line for people: what the kit is for.")),
    "lang": (StrictStr, Field("nl", description="Content language of every part (a part may "
                              "name its own).")),
    "deck": (_section(DeckRecipe) | None, Field(None, description="The deck (a deck recipe).")),
    "box": (_section(BoxRecipe) | None, Field(None, description="Its tuck box (a box recipe).")),
    "calibrate": (_section(CalibrateRecipe) | None, Field(
        None, description="The duplex test sheet (a calibrate recipe).")),
}
KitRecipe: type[Model] = create_model(
    "KitRecipe", __base__=Model, __doc__="A trainer's kit: a deck, its box, the test sheet.",
    **_KIT_FIELDS)

RECIPE_MODELS: dict[str, tuple[type[Model], type[Options]]] = {
    "deck": (DeckRecipe, DeckOptions), "poster": (PosterRecipe, PosterOptions),
    "box": (BoxRecipe, BoxOptions), "calibrate": (CalibrateRecipe, CalibrateOptions),
}
"""Each recipe type's schema and the options it gives."""


class _Within:
    """A source map seen from one section of a file: problems point into that section."""

    def __init__(self, sources: SourceMap, prefix: tuple[str, ...]) -> None:
        self.sources, self.prefix = sources, prefix

    def problem(self, path: Any, message: str) -> Problem:
        dotted = ".".join(self.prefix)
        return self.sources.problem((*self.prefix, *path), f"{dotted}.{message}")


@dataclass(frozen=True)
class Recipe:
    """A loaded recipe: where it came from and the options for its builder."""

    path: Path
    name: str
    kind: str
    output: str
    options: DeckOptions | PosterOptions | BoxOptions | CalibrateOptions
    given: dict[str, Any]
    """The options the recipe file sets (the others are the options' defaults)."""


RECIPE_TYPES = (*RECIPE_MODELS, "kit")


def load_recipe(path: Path, content_dir: Path | None = None, part: str | None = None) -> Recipe:
    """Load and validate a recipe file; raise ContentError pointing into it.

    A kit recipe holds several outputs: *part* (deck, box or calibrate) names the one to
    load; every part is checked, so a kit with a broken part builds none.
    """
    if not is_file(path):
        raise UsageError(not_found("recipe", path))
    data, sources = read_yaml(path)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in RECIPE_TYPES:
        got = repr(kind) if sources.quote or kind is None else "another value"
        raise ContentError([sources.problem(
            ("type",), f"type: expected one of {', '.join(repr(t) for t in RECIPE_TYPES)}"
                       f", got {got}")])
    if kind == "kit":
        return _load_kit_part(path, data, sources, content_dir, part)
    schema, option_model = RECIPE_MODELS[kind]
    model: Any
    model, problems = validate_model(schema, data, sources)
    if model is None:
        raise ContentError(problems)
    problems.extend(_check_values(model, sources, path, content_dir))
    if problems:
        raise ContentError(problems)
    return _recipe(path, kind, model, option_model, {})


def _recipe(path: Path, kind: str, model: Any, option_model: type[Options],
            inherited: dict[str, Any]) -> Recipe:
    given = {**inherited, **_given(model, option_model)}
    if given.get("extra_questions") is not None:
        given["extra_questions"] = path.parent / given["extra_questions"]
    options = merge(option_model, given)
    assert isinstance(options, DeckOptions | PosterOptions | BoxOptions | CalibrateOptions)
    return Recipe(path, path.stem, kind, model.output, options, given)


def _load_kit_part(path: Path, data: dict[str, Any], sources: SourceMap,
                   content_dir: Path | None, part: str | None) -> Recipe:
    kit: Any
    kit, problems = validate_model(KitRecipe, data, sources)
    if kit is None:
        raise ContentError(problems)
    present = [name for name in KIT_PARTS if getattr(kit, name) is not None]
    if not present:
        problems.append(sources.problem(("type",), "a kit needs a deck, box or calibrate part"))
    for name in present:
        section = getattr(kit, name)
        if "lang" not in section.model_fields_set:
            section = section.model_copy(update={"lang": kit.lang})
        problems.extend(_check_values(section, _Within(sources, (name,)), path,  # type: ignore[arg-type]
                                      content_dir))
    if problems:
        raise ContentError(problems)
    if part not in present:
        raise UsageError(f"{path} is a kit of {', '.join(present)}; use 'kaartspel "
                         f"{present[0]} --recipe {path}' or another of its parts")
    section = getattr(kit, part)
    inherited = {} if "lang" in section.model_fields_set else {"lang": kit.lang}
    return _recipe(path, part, section, RECIPE_MODELS[part][1], inherited)


def _given(recipe: Model, options: type[Options]) -> dict[str, Any]:
    """Return option name → value for every option the recipe file sets."""
    given: dict[str, Any] = {}
    for name, path in recipe_fields(options).items():
        node: Any = recipe
        for key in path.split("."):
            if key not in node.model_fields_set:
                break
            node = getattr(node, key)
        else:
            given[name] = node
    return given


def _check_values(model: Any, sources: SourceMap, path: Path, content_dir: Path | None
                  ) -> list[Problem]:
    """Check what the schema cannot: files, the output name, languages, the selection."""
    from kaartspel.content.lint import bad_character
    from kaartspel.content.loader import languages

    problems = []
    extra = getattr(model, "extra_questions", None)
    if extra:
        problems.extend(_check_extra(path, Path(extra), sources, content_dir))
    if not plain_name(model.output) or bad_character(model.output):
        problems.append(sources.problem(
            ("output",), f"output: expected a file name ending in .pdf, got {model.output!r}"))
    if content_dir is not None and content_dir.is_dir():
        langs = languages(content_dir)
        if model.lang not in langs:
            problems.append(sources.problem(
                ("lang",),
                f"lang: unknown language '{model.lang}' (available: {', '.join(langs)})"))
        elif getattr(model, "select", None) is not None:  # a deck, or a kit's deck
            problems.extend(_check_selection(model, sources, content_dir))
    return problems


def project_roots(recipe: Path, content_dir: Path | None) -> list[Path]:
    """Return the folders a recipe may name files in: its own folder tree and the content."""
    return [recipe.parent, *([content_dir] if content_dir is not None else [])]


def _check_extra(recipe: Path, extra: Path, sources: SourceMap, content_dir: Path | None
                 ) -> list[Problem]:
    """Check a recipe's questions file: a regular file inside the project, never outside.

    A recipe comes with a pull request as easily as content does: ``extra_questions:
    /etc/shadow`` (or ``../../.ssh/…``, or a link leading there) would have its lines quoted
    by the errors into a CI log.  Such a path is refused before the file is opened.
    """
    path = recipe.parent / extra
    roots = project_roots(recipe, content_dir)
    where = sources.problem
    if not inside(path, roots):
        folder = display_path(recipe.parent) or "."
        return [where(("extra_questions",), "extra_questions: expected a file in the recipe's "
                      f"folder ({folder}) or below it, got {str(extra)!r}")]
    if not path.is_file():
        return [where(("extra_questions",),
                      f"extra_questions: file not found: {display_path(path)}")]
    return []


def _check_selection(model: Any, sources: SourceMap, content_dir: Path) -> list[Problem]:
    """Check that the selected themes, kinds and cards exist (the content must be valid)."""
    from kaartspel.content.load import load_content
    from kaartspel.deck.cards import KINDS, build_cards

    try:
        cards = build_cards(load_content(content_dir, model.lang))
    except ContentError:
        return []  # reported by `kaartspel check` and by the build itself
    valid = {
        "themes": list(dict.fromkeys(card.theme for card in cards)),
        "kinds": list(KINDS),
        "cards": [card.id for card in cards],
    }
    problems = []
    for field_name, allowed in valid.items():
        for i, value in enumerate(getattr(model.select, field_name)):
            # Cards added by extra_questions exist only once that file is read.
            if value not in allowed and not (field_name == "cards" and model.extra_questions):
                problems.append(sources.problem(
                    ("select", field_name, i),
                    f"select.{field_name}: unknown {field_name[:-1]} '{value}' "
                    f"(valid: {', '.join(allowed)})"))
    return problems
