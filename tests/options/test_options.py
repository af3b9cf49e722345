"""The options model: one declaration, from which the CLI and the recipes derive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kaartspel.cli.app import app, hoist_global_options, option_parameters
from kaartspel.cli.commands import resolve_options
from kaartspel.errors import UsageError
from kaartspel.options import (
    DeckOptions,
    Options,
    PosterOptions,
    choices,
    field_extra,
    merge,
    name_parts,
    recipe_fields,
)


def two_values(model: type[Options], name: str, tmp_path: Path) -> tuple[Any, Any]:
    """Return two different valid non-default values for the field *name*."""
    default = model.model_fields[name].default
    if name == "lang":
        return "en", "nl" if default != "nl" else "en"
    allowed = [v for v in choices(model, name) if v != default]
    if name == "size" and model is DeckOptions:
        return "a6", "mini"
    if allowed:
        return allowed[0], allowed[-1] if len(allowed) > 1 else allowed[0]
    if isinstance(default, bool):
        return (not default), (not default)
    if isinstance(default, float):
        return 1.5, 2.5
    if name == "back_offset":
        return (1.5, -0.5), (-2.0, 1.0)
    if name == "blanks":
        return 8, 3
    if name == "legend":
        return False, True
    if name == "extra_questions":
        a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
        a.write_text("x: 1\n")
        b.write_text("x: 1\n")
        return b, a
    if name == "themes":
        return ("netwerkvorming",), ("rollen",)
    if name == "kinds":
        return ("question",), ("tip",)
    if name == "cards":
        return ("tip-1",), ("tip-2",)
    raise AssertionError(f"no sample values for {model.__name__}.{name}")


def recipe_with(model: type[Options], name: str, value: Any, path: Path) -> Path:
    kind = "deck" if model is DeckOptions else "poster"
    data: dict[str, Any] = {"type": kind, "output": f"{kind}.pdf"}
    keys = recipe_fields(model)[name].split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, Path):
        value = value.name  # relative to the recipe
    node[keys[-1]] = value
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


OPTIONS = [(model, name) for model in (DeckOptions, PosterOptions)
           for name in recipe_fields(model)]


@pytest.mark.parametrize(("model", "name"), OPTIONS,
                         ids=[f"{m.__name__}.{n}" for m, n in OPTIONS])
def test_a_flag_overrides_the_recipe_and_the_recipe_the_default(
        model: type[Options], name: str, tmp_path: Path, content_dir: Path) -> None:
    typed, in_recipe = two_values(model, name, tmp_path)
    recipe = recipe_with(model, name, in_recipe, tmp_path / "r.yaml")
    kind = "deck" if model is DeckOptions else "poster"
    from_recipe, _ = resolve_options(model, {}, recipe, kind, content_dir)
    assert getattr(from_recipe, name) == in_recipe
    flagged, output = resolve_options(model, {name: typed}, recipe, kind, content_dir)
    assert getattr(flagged, name) == typed
    # Everything else is the recipe's, then the default.
    assert {k: v for k, v in flagged if k != name} == {k: v for k, v in model() if k != name}
    if typed != in_recipe:  # another output: another name than the recipe's own
        assert output is not None and output.name != f"{kind}.pdf"


def test_every_option_has_a_help_text_and_a_flag_or_a_reason() -> None:
    for model in (DeckOptions, PosterOptions):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no docstring"
            assert "cli" in field_extra(model, name), f"{name} has no command-line flag"


def test_the_cli_parameters_come_from_the_model() -> None:
    params = {p.name for p in option_parameters(DeckOptions)}
    assert params == set(DeckOptions.model_fields)
    assert all(p.default is None for p in option_parameters(PosterOptions))


def test_the_issue_example_builds_english_a6_single(tmp_path: Path, content_dir: Path,
                                                    repo_root: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    options, output = resolve_options(
        DeckOptions, {"lang": "en", "size": "a6", "layout": "single"},
        repo_root / "deck" / "trainer-nl.yaml", "deck", content_dir)
    assert (options.lang, options.size, options.layout) == ("en", "a6", "single")
    assert output == Path("build/kaartspel-nl-en-a6-single.pdf")


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(UsageError) as info:
        merge(DeckOptions, {"layout": "poster", "bleed": 50, "paper": "a5"})
    message = str(info.value)
    assert "unknown layout 'poster'" in message
    assert "unknown paper 'a5'" in message
    assert "--bleed must be between 0 and 10 mm, got 50" in message


def test_names_say_what_differs() -> None:
    assert name_parts(DeckOptions(themes=("rollen",), bleed=0.0, pdf="print"), DeckOptions()) \
        == ["bleed0", "rollen", "print"]
    assert name_parts(DeckOptions(strict=False), DeckOptions()) == []


def test_main_options_work_after_the_command(content_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert hoist_global_options(["check", "--content", "c", "-v", "--lang", "nl"],
                                ["check"]) == ["--content", "c", "-v", "check", "--lang", "nl"]
    assert hoist_global_options(["check", "--", "--content"], ["check"]) == \
        ["check", "--", "--content"]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--content", str(content_dir), "--verbose"])
    assert result.exit_code == 0, result.output
    assert "Content OK" in result.output
