"""Recipes in ``deck/``: every one loads, broken ones point at file:line, and they build."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
import yaml
from typer.testing import CliRunner, Result

from conftest import letters, line_of, pdf_page_texts
from kaartspel.build.recipes import load_recipe
from kaartspel.cli.app import app
from kaartspel.errors import ContentError, UsageError
from kaartspel.options import DeckOptions


@pytest.fixture(autouse=True)
def _work_in_tmp(in_tmp: Path) -> None:
    """Run from a temporary folder: recipes build into it, not into the repository."""


def recipe_files(repo_root: Path) -> list[Path]:
    """The YAML files of ``deck/`` that are recipes (they have a ``type``)."""
    found = []
    for path in sorted((repo_root / "deck").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "type" in data:
            found.append(path)
    return found


REPO = Path(__file__).resolve().parents[2]
RECIPES = recipe_files(REPO)


def test_there_are_recipes() -> None:
    names = {path.name for path in RECIPES}
    assert {"trainer-nl.yaml", "trainer-en.yaml", "printshop-nl.yaml",
            "netwerkvorming-nl.yaml"} <= names


@pytest.mark.parametrize("path", RECIPES, ids=[p.name for p in RECIPES])
def test_every_recipe_loads(path: Path, content_dir: Path) -> None:
    whole = yaml.safe_load(path.read_text(encoding="utf-8"))
    # A kit recipe holds several parts, each loaded like a recipe of its own type.
    parts = [p for p in ("deck", "box", "calibrate") if p in whole] \
        if whole["type"] == "kit" else [None]
    for part in parts:
        recipe = load_recipe(path, content_dir, part)
        data = {"type": part, "lang": whole.get("lang"), **whole[part]} if part else whole
        assert recipe.kind == data["type"]
        assert recipe.output == data["output"]
        assert recipe.output.endswith(".pdf") and "/" not in recipe.output
        assert recipe.name == path.stem
        if recipe.kind == "deck":
            assert isinstance(recipe.options, DeckOptions)
            options = recipe.options.validated()
            for key in ("lang", "size", "layout", "paper", "duplex", "backs", "order"):
                if key in data:
                    assert getattr(options, key) == data[key], key


def test_other_yaml_in_deck_is_an_extra_questions_file(content_dir: Path) -> None:
    """A YAML file in deck/ that is no recipe must be some recipe's own questions."""
    used = set()
    for path in RECIPES:
        kit = yaml.safe_load(path.read_text(encoding="utf-8")).get("type") == "kit"
        options = load_recipe(path, content_dir, "deck" if kit else None).options
        extra = getattr(options, "extra_questions", None)
        if extra is not None:
            assert extra.is_file(), extra
            used.add(extra.resolve())
    others = {p.resolve() for p in (REPO / "deck").glob("*.yaml")} - {p.resolve() for p in RECIPES}
    assert others <= used, f"YAML files in deck/ that nothing uses: {others - used}"


def test_recipe_options_match_the_recipe(content_dir: Path) -> None:
    recipe = load_recipe(REPO / "deck" / "netwerkvorming-nl.yaml", content_dir)
    options = recipe.options
    assert isinstance(options, DeckOptions)
    assert options.size == "a7"
    assert options.themes == ("netwerkvorming",)
    assert options.extra_questions == REPO / "deck" / "netwerkvorming-eigen-vragen.yaml"


# --- broken recipes -------------------------------------------------------------------------


GOOD = """\
# A small deck.
type: deck
lang: nl
output: small.pdf
size: poker
layout: sheet
duplex: long
select:
  themes: [rollen]
"""


def broken(folder: Path, old: str, new: str, name: str = "broken.yaml") -> Path:
    assert GOOD.count(old) == 1, old
    (folder / "deck").mkdir(exist_ok=True)
    path = folder / "deck" / name
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    return path


def problems_of(path: Path, content_dir: Path | None = None) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_recipe(path, content_dir)
    return [str(p) for p in caught.value.problems]


def test_good_recipe_loads(in_tmp: Path, content_dir: Path) -> None:
    path = broken(in_tmp, "size: poker", "size: poker")
    recipe = load_recipe(path, content_dir)
    assert isinstance(recipe.options, DeckOptions)
    assert recipe.options.themes == ("rollen",)


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("layout: sheet", "layout: sheet\ncolour: red", "colour:", "colour: unknown key"),
    ("size: poker", "size: 10x10", "size:", "size: card size '10x10': each side must be"),
    ("size: poker", "size: enormous", "size:", "size: unknown card size 'enormous'"),
    ("duplex: long", "duplex: sideways", "duplex:", "duplex: expected 'long', 'short' or"),
    ("output: small.pdf", "output: sub/small.pdf", "output:",
     "output: expected a file name ending in .pdf, got 'sub/small.pdf'"),
    ("output: small.pdf", "output: ../small.pdf", "output:", "output: expected a file name"),
    ("output: small.pdf", "output: small.txt", "output:", "output: expected a file name"),
    ("layout: sheet", "layout: sheet\nbleed: 11", "bleed:", "bleed: expected at most 10 mm"),
    ("layout: sheet", "layout: sheet\nmargin: -1", "margin:",
     "margin: expected at least 0 mm, got -1"),
    ("lang: nl", "lang: fr", "lang:", "lang: unknown language 'fr' (available: nl, en)"),
    ("  themes: [rollen]", "  thema: [rollen]", "thema:", "select.thema: unknown key"),
    ("layout: sheet", "layout: sheet\nextra_questions: mine.yaml", "extra_questions:",
     "extra_questions: file not found"),
])
def test_broken_recipe_points_at_its_line(
    in_tmp: Path, content_dir: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = broken(in_tmp, old, new)
    line = line_of(path, needle)
    problems = problems_of(path, content_dir)
    prefix = f"deck/broken.yaml:{line}: "
    assert [p for p in problems if p.startswith(prefix + message)], problems
    assert all(p.startswith("deck/broken.yaml:") for p in problems), problems


def test_recipe_without_type(in_tmp: Path) -> None:
    path = broken(in_tmp, "type: deck\n", "")
    (problem,) = problems_of(path)
    assert problem.startswith("deck/broken.yaml:")
    assert "type: expected one of 'deck', 'poster', 'box', 'calibrate', 'kit', got None" in problem


def test_every_schema_problem_is_reported(in_tmp: Path) -> None:
    text = GOOD.replace("duplex: long", "duplex: both").replace("layout: sheet", "layuot: sheet")
    path = in_tmp / "two.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert any(p.startswith(f"two.yaml:{line_of(path, 'duplex:')}: duplex:") for p in problems)
    assert any(p.startswith(f"two.yaml:{line_of(path, 'layuot:')}: layuot: unknown key")
               for p in problems), problems


def test_missing_recipe_is_a_usage_error(in_tmp: Path) -> None:
    with pytest.raises(UsageError, match="recipe not found"):
        load_recipe(in_tmp / "nope.yaml")


# --- building from a recipe -----------------------------------------------------------------


runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_recipe_builds_with_own_question(in_tmp: Path, content_dir: Path,
                                         repo_root: Path) -> None:
    out = in_tmp / "x.pdf"
    result = run("--content", content_dir, "deck", "--recipe",
                 repo_root / "deck" / "netwerkvorming-nl.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    # 4 netwerkvorming cards + 1 own question, A7 4-up on A4: 2 front and 2 back sheets.
    # the theme's 4 cards, the own question, and the set's title, how-to and credits cards
    assert "8 cards on 4 pages" in result.stdout, result.stdout
    own = yaml.safe_load((repo_root / "deck" / "netwerkvorming-eigen-vragen.yaml")
                         .read_text(encoding="utf-8"))
    (pair,) = own["questions"]
    text = letters("".join(pdf_page_texts(out)))
    assert letters(pair["group"]) in text
    assert letters(pair["personal"]) in text
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 4
    assert not (in_tmp / "build" / "netwerkvorming-nl.pdf").exists()  # -o wins


def test_recipe_of_the_wrong_kind(in_tmp: Path, content_dir: Path, repo_root: Path) -> None:
    poster = repo_root / "deck" / "poster-nl.yaml"
    result = run("--content", content_dir, "deck", "--recipe", poster, "-o", in_tmp / "x.pdf")
    assert result.exit_code == 2, result.output
    assert "is a poster recipe; use 'kaartspel poster'" in result.output


def test_broken_recipe_on_the_command_line(in_tmp: Path, content_dir: Path) -> None:
    path = broken(in_tmp, "size: poker", "size: 10x10")
    result = run("--content", content_dir, "deck", "--recipe", path)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"Error: deck/broken.yaml:{line_of(path, 'size:')}: size: card size "
                     "'10x10': each side must be 40–300 mm"]
    assert not (in_tmp / "build").exists()
