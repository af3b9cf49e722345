"""The error contract of every command.

Every bad input ends in one or more lines ``Error: …`` on stderr — naming ``file:line`` when a
file is at fault, and what to do — with exit code 1 (content) or 2 (command line), no
traceback unless ``--verbose``, and no output file created or replaced: a previous output (a
sentinel here) survives byte for byte and no temporary file is left beside it.

The messages asserted here are the ones listed in ``docs/errors.md``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from typer.testing import CliRunner, Result

from conftest import ContentTree
from kaartspel.cli.app import app
from kaartspel.errors import OutputError
from kaartspel.files import check_output, write_atomic
from support.disks import error_lines, fill, limited, listing, small_disk

runner = CliRunner()

SENTINEL = b"%PDF-1.7\n% the previous output: a failed build must leave it as it is\n"
OUT = "out/result.pdf"
"""Every build writes here (relative to the scratch folder); it holds the sentinel first."""


def run(*args: str | Path) -> Result:
    """Invoke the CLI as a terminal would see it: log records go to this run's stderr.

    ``kaartspel`` configures logging with ``logging.basicConfig``, which does nothing when the
    root logger has handlers — and under pytest it always has (log capture). Without them
    for the duration of the call, a warning printed to a real terminal would be invisible
    here, and a stray ``WARNING …`` line could break the contract unnoticed.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def out(make_content: ContentTree) -> Path:
    """The output folder, holding a sentinel at :data:`OUT` (work from the content's parent)."""
    path = Path(OUT)
    path.parent.mkdir()
    path.write_bytes(SENTINEL)
    return path


def assert_untouched(output: Path) -> None:
    """The previous output is byte-for-byte intact and nothing else appeared beside it."""
    assert output.read_bytes() == SENTINEL
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]


def assert_error(
    result: Result, exit_code: int, expected: list[str] | None = None, *,
    output: Path | None = None, stdout: bool = False,
) -> list[str]:
    """Check the contract; return the error lines (without the ``Error: `` prefix).

    *expected*: the exact messages (each may end in ``…`` to match a prefix only).
    """
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.output
    assert all(line.startswith("Error: ") for line in lines), result.stderr
    if not stdout:
        assert result.stdout == "", result.stdout
    messages = [line.removeprefix("Error: ") for line in lines]
    if expected is not None:
        assert len(messages) == len(expected), messages
        for message, want in zip(messages, expected, strict=True):
            if want.endswith("…"):
                assert message.startswith(want[:-1]), message
            else:
                assert message == want
    if output is not None:
        assert_untouched(output)
    return messages


# --- content errors, through every command that reads content -------------------------------

COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "check": lambda lang: ["check", "--lang", lang],
    "list": lambda lang: ["list", "--lang", lang],
    "deck": lambda lang: ["deck", "--lang", lang, "--theme", "netwerkvorming", "-o", OUT],
    "poster": lambda lang: ["poster", "--lang", lang, "--size", "a4", "-o", OUT],
}
every_command = pytest.mark.parametrize("command", list(COMMANDS))


def named(*cases: tuple[list[str], str] | object) -> list[object]:
    """Parametrize cases ``(args, message)``, each named after its arguments only."""
    return [
        pytest.param(*case, id=" ".join(case[0])) if type(case) is tuple else case
        for case in cases
    ]


def content_error(command: str, lang: str, out: Path, expected: list[str]) -> None:
    result = run(*COMMANDS[command](lang))
    assert_error(result, 1, expected, output=out)


@every_command
def test_malformed_yaml(make_content: ContentTree, out: Path, command: str) -> None:
    make_content.patch("nl", "essentials.yaml", 'title: "Wat is', 'title: ["Wat is')
    line = make_content.line_of("nl", "essentials.yaml", 'title: ["Wat is') + 1
    content_error(command, "nl", out, [
        f"content/nl/essentials.yaml:{line}: YAML syntax error: "
        "expected ',' or ']', but got '<scalar>'"])


@every_command
def test_wrong_type(make_content: ContentTree, out: Path, command: str) -> None:
    make_content.patch("nl", "essentials.yaml", "id: netwerkvorming-2", "id: 42")
    line = make_content.line_of("nl", "essentials.yaml", "id: 42")
    content_error(command, "nl", out, [
        f"content/nl/essentials.yaml:{line}: essentials.themes.netwerkvorming.questions[1].id: "
        "expected text, got 42 (a number)"])


@every_command
def test_unknown_key(make_content: ContentTree, out: Path, command: str) -> None:
    make_content.patch("nl", "meta.yaml", "  set_title:", "  colour: red\n  set_title:")
    line = make_content.line_of("nl", "meta.yaml", "colour: red")
    content_error(command, "nl", out, [
        f"content/nl/meta.yaml:{line}: meta.colour: unknown key "
        "(expected one of: title, lead, set_title, study_note, study, funding, url)"])


@every_command
def test_missing_field(make_content: ContentTree, out: Path, command: str) -> None:
    make_content.patch("nl", "meta.yaml", '  set_title: "Dialoogkaarten"\n', "")
    content_error(command, "nl", out, [
        "content/nl/meta.yaml:1: meta.set_title: missing "
        "(Short name of the card set, printed on card backs)"])


@every_command
def test_missing_translation(make_content: ContentTree, out: Path, command: str) -> None:
    personal = make_content.read("en", "essentials.yaml").split("- id: netwerkvorming-2\n")[1]
    personal = personal.splitlines(keepends=True)[1]
    assert "personal:" in personal
    make_content.patch("en", "essentials.yaml", personal, "")
    source = make_content.line_of("nl", "essentials.yaml", "id: netwerkvorming-2") + 2
    content_error(command, "en", out, [
        "content/en: missing translation of 'netwerkvorming-2' field 'personal' "
        f"(source: content/nl/essentials.yaml:{source})"])


@every_command
def test_non_utf8_content_file(make_content: ContentTree, out: Path, command: str) -> None:
    line = make_content.line_of("nl", "meta.yaml", "set_title:")
    path = make_content.path("nl", "meta.yaml")
    path.write_bytes(path.read_bytes().replace(b'"Dialoogkaarten"', b'"Dialoogkaarten\xe9"'))
    content_error(command, "nl", out, [
        f"content/nl/meta.yaml:{line}: not UTF-8 text (byte 0xe9); save the file as UTF-8"])


@every_command
def test_control_character_in_file(make_content: ContentTree, out: Path, command: str) -> None:
    """A raw control character: PyYAML refuses it before parsing (this was a traceback)."""
    path = make_content.path("nl", "meta.yaml")
    path.write_bytes(path.read_bytes().replace(b"Dialoogkaarten", b"Dialoog\x00kaarten"))
    content_error(command, "nl", out, [
        "content/nl/meta.yaml:4: YAML error: character U+0000 is not allowed in YAML; "
        "remove it"])


@every_command
def test_escaped_control_character_in_text(
    make_content: ContentTree, out: Path, command: str
) -> None:
    """``"\\x1b"`` in a quoted string is valid YAML; printed, it would drive the terminal."""
    make_content.patch("nl", "meta.yaml", '"Dialoogkaarten"', '"Dialoog\\x1b[31mkaarten"')
    content_error(command, "nl", out, [
        "content/nl/meta.yaml:4: meta.set_title: contains the control character U+001B; "
        "remove it"])


@every_command
def test_lone_surrogate_in_text(make_content: ContentTree, out: Path, command: str) -> None:
    """``"\\ud800"`` cannot be encoded as UTF-8: it made rendering crash with a traceback."""
    make_content.patch("nl", "essentials.yaml", '"Hoe vullen', '"Hoe\\ud800 vullen')
    line = make_content.line_of("nl", "essentials.yaml", "Hoe\\ud800 vullen")
    content_error(command, "nl", out, [
        f"content/nl/essentials.yaml:{line}: essentials.themes.netwerkvorming.questions[1]"
        ".group: contains U+D800, half of a surrogate pair (not a character); remove it"])


@every_command
def test_recursive_yaml_alias(make_content: ContentTree, out: Path, command: str) -> None:
    """``&a [*a]`` never ends: it was a RecursionError traceback."""
    make_content.write("nl", "extra.yaml", "extra:\n  loop: &a [*a]\n")
    content_error(command, "nl", out, [
        "content/nl/extra.yaml:2: YAML aliases (*name) are not supported here; "
        "write the value out"])


def test_yaml_alias_bomb(make_content: ContentTree, out: Path) -> None:
    """Nested aliases ("billion laughs", 9**8 leaves) are refused at once, not walked."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    make_content.write("nl", "extra.yaml", "\n".join(lines) + "\n")
    messages = assert_error(run("check", "--lang", "nl"), 1, output=out)
    assert messages == [
        f"content/nl/extra.yaml:{n}: YAML aliases (*name) are not supported here; "
        "write the value out" for n in range(2, 9)
    ]


@every_command
def test_yaml_nested_too_deeply(make_content: ContentTree, out: Path, command: str) -> None:
    make_content.write("nl", "extra.yaml", "extra: " + "[" * 5000 + "]" * 5000 + "\n")
    content_error(command, "nl", out, [
        "content/nl/extra.yaml: YAML error: nested too deeply; flatten the structure"])


# --- the command line: names and numbers that do not exist or make no sense ------------------

DECK = ("deck", "--theme", "netwerkvorming", "--backs", "none", "-o", OUT)


@pytest.mark.parametrize(("args", "message"), named(
    (["--theme", "nope"], "unknown theme 'nope' (valid: De lerende regio (set), Ambities "
                          "(ambities), Cyclus (cyclus), Rollen (rollen), Kennismanagement "
                          "(kennismanagement), Netwerkvorming (netwerkvorming), Samenwerken "
                          "(samenwerken), Tips (tips))"),
    (["--card", "nope"], "unknown card 'nope' (valid: title, howto, intro-why-1, …"),
    (["--kind", "nope"], "unknown kind 'nope' (valid: title, howto, intro, theme, level, phase, "
                         "question, tip, credits)"),
    (["--lang", "xx"], "unknown language 'xx' (available: nl, en)"),
    (["--size", "huge"], "unknown card size 'huge' (use one of poker, bridge, tarot, mini, "
                         "square, a7, a6 or WxH in mm, e.g. 80x120)"),
    (["--paper", "b5"], "unknown paper 'b5' (valid: a4, a3, letter)"),
    (["--layout", "poster"], "unknown layout 'poster' (valid: sheet, single, fold)"),
    (["--backs", "nope"], "unknown backs 'nope' (valid: theme, light, plain, none)"),
    (["--duplex", "sideways"], "unknown duplex 'sideways' (valid: long, short, none)"),
    (["--order", "random"], "unknown order 'random' (valid: fronts-then-backs, interleaved)"),
    (["--pdf", "nope"], "unknown pdf 'nope' (valid: plain, print, accessible)"),
))
def test_deck_unknown_name(out: Path, args: list[str], message: str) -> None:
    # The selection flags replace the deck's own --theme for the card/kind cases.
    base = [a for a in DECK if a not in ("--theme", "netwerkvorming")] \
        if args[0] in ("--card", "--kind") else list(DECK)
    assert_error(run(*base, *args), 2, [message], output=out)


@pytest.mark.parametrize(("size", "message"), [pytest.param(*case, id=case[0]) for case in [
    ("80x", "unknown card size '80x' (use one of …"),
    ("80x120x3", "unknown card size '80x120x3' (use one of …"),
    ("-80x120", "unknown card size '-80x120' (use one of …"),
    ("10x10", "card size '10x10': each side must be 40–300 mm"),
    ("0x100", "card size '0x100': each side must be 40–300 mm"),
    ("80x9999", "card size '80x9999': each side must be 40–300 mm"),
]])
def test_invalid_wxh(out: Path, size: str, message: str) -> None:
    assert_error(run(*DECK, "--size", size), 2, [message], output=out)


@pytest.mark.parametrize(("args", "message"), named(
    (["--bleed", "-1"], "--bleed must be between 0 and 10 mm, got -1"),
    (["--bleed", "1e9"], "--bleed must be between 0 and 10 mm, got 1e+09"),
    (["--bleed", "inf"], "--bleed must be between 0 and 10 mm, got inf"),
    (["--gutter", "-0.5"], "--gutter must be between 0 and 30 mm, got -0.5"),
    (["--gutter", "nan"], "--gutter must be between 0 and 30 mm, got nan"),
    (["--gutter", "31"], "--gutter must be between 0 and 30 mm, got 31"),
    (["--margin", "-5"], "--margin must be between 0 and 30 mm, got -5"),
    (["--size", "150x200", "--margin", "30"], "a 150×200 mm card with 3 mm bleed does not fit "
     "on a4 with a 30 mm margin and crop marks; use a larger --paper or --layout single"),
))
def test_deck_absurd_length(out: Path, args: list[str], message: str) -> None:
    assert_error(run(*DECK, *args), 2, [message], output=out)


POSTER = ("poster", "--size", "a4", "-o", OUT)


@pytest.mark.parametrize(("args", "message"), named(
    (["--size", "b1"], "unknown poster size 'b1' (valid: a0, a1, a2, a3, a4)"),
    (["--lang", "xx"], "unknown language 'xx' (available: nl, en)"),
    (["--orientation", "diagonal"], "unknown orientation 'diagonal' (valid: portrait, landscape)"),
    (["--tile", "a5"], "unknown tile paper 'a5' (valid: a4, a3)"),
    (["--bleed", "-3"], "--bleed must be between 0 and 10 mm, got -3"),
    (["--bleed", "500"], "--bleed must be between 0 and 10 mm, got 500"),
    (["--tile", "a4", "--overlap", "-1"], "--overlap must be between 0 and 50 mm, got -1"),
    (["--tile", "a4", "--margin", "1e6"], "--margin must be between 0 and 30 mm, got 1e+06"),
))
def test_poster_bad_option(out: Path, args: list[str], message: str) -> None:
    assert_error(run(*POSTER, *args), 2, [message], output=out)


@pytest.mark.parametrize("lang", [".", "..", "nl/../en"])
def test_language_that_is_a_path(out: Path, lang: str) -> None:
    """A path as language read YAML files from the content folder itself, or beyond it."""
    assert_error(run("deck", "--lang", lang, "-o", OUT), 2,
                 [f"unknown language '{lang}' (available: nl, en)"], output=out)
    assert_error(run("poster", "--lang", lang, "-o", OUT), 2,
                 [f"unknown language '{lang}' (available: nl, en)"], output=out)


def test_unknown_language_check_and_list(make_content: ContentTree) -> None:
    for command in ("check", "list"):
        assert_error(run(command, "--lang", "xx"), 2,
                     ["unknown language 'xx' (available: nl, en)"])


def test_missing_content_folder(out: Path) -> None:
    assert_error(run("--content", "nope", *DECK), 2, ["content folder not found: nope"],
                 output=out)


def test_missing_template_folder(out: Path) -> None:
    assert_error(run(*DECK, "--templates", "nope"), 2, ["template folder not found: nope"],
                 output=out)


def test_missing_questions_file(out: Path) -> None:
    assert_error(run(*DECK, "--questions", "nope.yaml"), 2,
                 ["questions file not found: nope.yaml"], output=out)


def test_questions_file_unknown_key(out: Path) -> None:
    Path("mine.yaml").write_text(
        "theme: netwerkvorming\nquestions:\n  - id: netwerkvorming-eigen-1\n"
        "    group: Wie ontbreekt er nog?\n    personal: Wie mis jij?\n    note: x\n",
        encoding="utf-8")
    assert_error(run(*DECK, "--questions", "mine.yaml"), 1, [
        "mine.yaml:6: questions[0].note: unknown key (expected one of: id, group, personal)"],
        output=out)


@pytest.mark.parametrize(("args", "message"), named(
    (["preview", "nope.pdf", "-o", "pictures"], "file not found: nope.pdf"),
    (["preview", "notes.txt", "-o", "pictures"],
     "expected a PDF or a recipe (.yaml), got notes.txt"),
    pytest.param(
        ["preview", "garbage.pdf", "-o", "pictures"],
        "cannot read PDF garbage.pdf: Failed to load document (PDFium: Data format error).",
        id="preview garbage.pdf -o pictures"),
    (["preflight", "nope.pdf"], "no such file: nope.pdf"),
    (["preflight", "garbage.pdf"], "cannot read garbage.pdf as a PDF: …"),
    (["watch", "--timeout", "1", "nope.yaml"], "recipe not found: nope.yaml"),
))
def test_other_commands_missing_or_broken_input(out: Path, args: list[str], message: str) -> None:
    Path("notes.txt").write_text("not a PDF\n")
    Path("garbage.pdf").write_text("not a PDF either\n")
    assert_error(run(*args), 2, [message], output=out)
    assert not Path("pictures").exists()


# --- recipes ----------------------------------------------------------------------------------


def recipe(text: str) -> Path:
    path = Path("recipe.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def test_recipe_malformed(out: Path) -> None:
    path = recipe("type: deck\nlang: nl\noutput: x.pdf\nsize: [poker\n")
    assert_error(run("deck", "--recipe", path, "-o", OUT), 1, [
        "recipe.yaml:5: YAML syntax error: expected ',' or ']', but got '<stream end>'"],
        output=out)


def test_recipe_wrong_values(out: Path) -> None:
    path = recipe("type: deck\nlang: nl\noutput: x.pdf\nbleed: -1\ncolour: red\n")
    assert_error(run("deck", "--recipe", path, "-o", OUT), 1, [
        "recipe.yaml:4: bleed: expected at least 0 mm, got -1",
        "recipe.yaml:5: colour: unknown key (expected one of: type, description, lang, output, "
        "size, layout, paper, margin, gutter, cut, bleed, duplex, back_offset, backs, order, "
        "select, extra_questions, blanks, legend, pdf)"], output=out)


def test_recipe_output_with_control_character(out: Path) -> None:
    """A NUL in the output name was an 'embedded null byte' traceback."""
    path = recipe('type: deck\nlang: nl\noutput: "a\\x00.pdf"\n')
    assert_error(run("deck", "--recipe", path), 1, [
        "recipe.yaml:3: output: expected a file name ending in .pdf, got 'a\\x00.pdf'"],
        output=out)


def test_recipe_of_the_other_kind(out: Path) -> None:
    path = recipe("type: poster\nlang: nl\noutput: x.pdf\n")
    assert_error(run("deck", "--recipe", path, "-o", OUT), 2, [
        "recipe.yaml is a poster recipe; use 'kaartspel poster'"], output=out)


def test_build_command_reports_a_broken_recipe(out: Path) -> None:
    """``kaartspel build`` prints its table on stdout; the errors keep the contract."""
    Path("deck").mkdir()
    Path("deck/bad.yaml").write_text("type: deck\nlang: nl\noutput: x.pdf\nsize: [poker\n",
                                     encoding="utf-8")
    result = run("build", "deck/bad.yaml", "--out-dir", "out")
    assert_error(result, 1, [
        "deck/bad.yaml:5: YAML syntax error: expected ',' or ']', but got '<stream end>'"],
        output=out, stdout=True)


# --- text that cannot fit ---------------------------------------------------------------------


def test_text_that_cannot_fit(make_content: ContentTree, out: Path) -> None:
    line = make_content.line_of("nl", "essentials.yaml", "…in een lerende regio gaat om")
    result = run("deck", "--card", "theme-netwerkvorming", "--backs", "none", "--size", "40x40",
                 "-o", OUT)
    # The size belongs to the kind: every theme card of the content is named that cannot
    # take the smallest step of the card's scale (7.11 pt on a card this small).
    messages = assert_error(result, 1, output=out)
    (message,) = [m for m in messages if "'theme-netwerkvorming'" in m]
    assert message.startswith(
        f"content/nl/essentials.yaml:{line}: card 'theme-netwerkvorming' does not fit even at "
        "7.11 pt: "), message
    assert message.endswith(" mm too long; shorten its text, use a larger --size, or leave "
                            "its kind out (e.g. --kind question --kind tip)"), message
    assert all("card 'theme-" in m for m in messages)


def test_text_pushed_off_a_card_is_never_silently_lost(make_content: ContentTree,
                                                      out: Path) -> None:
    """On a 40×40 mm card the personal question ran off the page, WeasyPrint dropped it, and
    the measurement — which only saw what was laid out — said the card fitted at 10 pt."""
    from conftest import letters, pdf_page_texts

    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--size", "40x40",
                 "-o", OUT)
    if result.exit_code == 0:  # if it fits one day, every word must be on the card
        text = letters("".join(pdf_page_texts(out)))
        assert letters("Waarin verschil jij qua kennis en vaardigheden van de anderen?") in text
        return
    line = make_content.line_of("nl", "essentials.yaml", "id: netwerkvorming-2")
    (message,) = assert_error(result, 1, output=out)
    assert message.startswith(f"content/nl/essentials.yaml:{line + 1}: card 'netwerkvorming-2' "
                              "does not fit even at 7.11 pt: "), message


def test_own_question_that_cannot_fit_points_into_its_file(
    make_content: ContentTree, out: Path, repo_root: Path
) -> None:
    # Own cards take the size of the set's question cards; one too long for it is named,
    # in its own file.  (On a card too small for the set's own questions, those are named.)
    group = ("Hoe werken jullie samen met alle partners, bewoners, bedrijven en scholen in de "
             "regio aan opgaven die jullie samen kiezen, en hoe houden jullie dat vol?")
    personal = ("Wat doe jij zelf om partners, bewoners, bedrijven en scholen in de regio te "
                "betrekken bij de opgaven die jullie samen kiezen, en wat houdt jou tegen?")
    Path("mine.yaml").write_text(
        "# Eigen vragen.\ntheme: netwerkvorming\nquestions:\n"
        f"  - id: netwerkvorming-eigen-1\n    group: {group}\n    personal: {personal}\n",
        encoding="utf-8")
    result = run("deck", "--card", "netwerkvorming-eigen-1", "--questions", "mine.yaml",
                 "--backs", "none", "-o", OUT)
    (message,) = assert_error(result, 1, output=out)
    assert message.startswith("mine.yaml:4: card 'netwerkvorming-eigen-1' does not fit at the "
                              "size of the set's question cards"), message


def test_text_the_bundled_fonts_cannot_show(make_content: ContentTree, out: Path) -> None:
    """An emoji: Pango drew it with a font of this computer (DejaVu), and merging the fonts
    then failed with a fontTools traceback."""
    make_content.patch("nl", "essentials.yaml", '"Hoe vullen', '"Hoe 😀 vullen')
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "-o", OUT)
    assert_error(result, 1, [
        "cards (nl): the bundled fonts have no glyph for '😀' (U+1F600); remove such "
        "characters (they would be drawn with a font of this computer); use --no-strict to "
        "build anyway"], output=out)


# --- strict rendering -------------------------------------------------------------------------


def bad_css_templates(repo_root: Path) -> Path:
    folder = Path("my-templates")
    folder.mkdir()
    css = (repo_root / "templates" / "cards.css").read_text(encoding="utf-8")
    (folder / "cards.css").write_text(css + "\n.card { colr: red; }\n", encoding="utf-8")
    return folder


def test_strict_rendering_fails_on_bad_css(make_content: ContentTree, out: Path,
                                           repo_root: Path) -> None:
    templates = bad_css_templates(repo_root)
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates",
                 templates, "-o", OUT)
    (message,) = assert_error(result, 1, output=out)
    assert message.startswith("cards (nl): WeasyPrint reported: Ignored `colr: red` at "), message
    assert message.endswith(", unknown property.; use --no-strict to build anyway"), message


def test_no_strict_builds_with_bad_css(make_content: ContentTree, out: Path,
                                       repo_root: Path) -> None:
    templates = bad_css_templates(repo_root)
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates",
                 templates, "--no-strict", "-o", OUT)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {OUT}: 1 cards on 1 pages")
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert warnings and all(
        line.startswith("WARNING kaartspel.render.document: cards (nl): "
                        "WeasyPrint: Ignored `colr: red`")
        for line in warnings), result.stderr
    assert Path(OUT).read_bytes().startswith(b"%PDF-")
    assert sorted(os.listdir("out")) == ["result.pdf"]


def broken_template(repo_root: Path, name: str, line: str) -> Path:
    """An override folder whose *name* has *line* inserted as its second line."""
    folder = Path("my-templates")
    target = folder / name
    target.parent.mkdir(parents=True)
    lines = (repo_root / "templates" / name).read_text(encoding="utf-8").splitlines(True)
    target.write_text(lines[0] + line + "\n" + "".join(lines[1:]), encoding="utf-8")
    return folder


def test_template_syntax_error(make_content: ContentTree, out: Path, repo_root: Path) -> None:
    """A broken --templates override was a jinja2 traceback."""
    folder = broken_template(repo_root, "card/question.html", "{% if %}")
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates", folder,
                 "-o", OUT)
    assert_error(result, 1, [
        # The card named is the first the template rendered: the type-size search renders
        # every question card of the content, so it need not be the selected one.
        "my-templates/card/question.html:2: template error: Expected an expression, got 'end "
        "of statement block' (card '…"], output=out)


def test_template_undefined_name(make_content: ContentTree, out: Path, repo_root: Path) -> None:
    folder = broken_template(repo_root, "poster.html", "{{ nope.x }}")
    result = run("poster", "--size", "a4", "--templates", folder, "-o", OUT)
    assert_error(result, 1, [
        "my-templates/poster.html:2: template error: 'nope' is undefined; fix the template"],
        output=out)


def test_template_not_utf8(make_content: ContentTree, out: Path, repo_root: Path) -> None:
    folder = broken_template(repo_root, "card/question.html", "<!-- cafe -->")
    path = folder / "card" / "question.html"
    path.write_bytes(path.read_bytes().replace(b"<!-- cafe -->", b"<!-- caf\xe9 -->"))
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates", folder,
                 "-o", OUT)
    assert_error(result, 1, [
        "my-templates/card/question.html:2: not UTF-8 text (byte 0xe9); save the file as UTF-8"],
        output=out)


# --- the output location ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["deck", "poster"])
def test_output_folder_missing(out: Path, command: str) -> None:
    base = DECK[:-2] if command == "deck" else POSTER[:-2]
    assert_error(run(*base, "-o", "missing/result.pdf"), 2,
                 ["output folder does not exist: missing"], output=out)
    assert not Path("missing").exists()


@pytest.mark.parametrize("command", ["deck", "poster"])
def test_output_folder_is_a_file(out: Path, command: str) -> None:
    Path("notes.txt").write_text("not a folder\n")
    base = DECK[:-2] if command == "deck" else POSTER[:-2]
    assert_error(run(*base, "-o", "notes.txt/result.pdf"), 2,
                 ["output folder is a file, not a folder: notes.txt"], output=out)
    assert Path("notes.txt").read_text() == "not a folder\n"


def test_output_is_a_folder(out: Path) -> None:
    assert_error(run(*DECK[:-2], "-o", "out"), 2, ["output is a folder, not a file: out"],
                 output=out)


def test_output_folder_not_writable(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests may run as root, for whom a chmod-ed folder stays writable: fake os.access."""
    real = os.access
    folder = out.parent.resolve()

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)).resolve() == folder and mode & os.W_OK:
            return False
        return real(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    assert_error(run(*DECK), 2, ["output folder is not writable: out"], output=out)


def test_output_cannot_be_created(out: Path, tmp_path: Path) -> None:
    """A read-only file system (mounted so) refuses the output: one line, exit 1."""
    with small_disk(tmp_path / "ro", read_only=True) as disk:
        if disk is not None:
            target = "ro/result.pdf"
            assert_error(run(*DECK[:-1], target), 1,
                         [f"cannot write {target}: Read-only file system"], output=out)
            return
    # No mounting allowed: a process that may write no byte at all meets the same code.
    result = limited(DECK, 0, Path.cwd())
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [f"Error: cannot write {OUT}: File too large"]
    assert_untouched(out)


def test_disk_full_while_writing(out: Path, tmp_path: Path) -> None:
    """A full disk, for real (a small tmpfs, filled): the previous output stays as it was
    and no temporary file is left (QPDF writing itself aborted the process here)."""
    with small_disk(tmp_path / "disk") as disk:
        if disk is not None:
            previous = disk / "result.pdf"
            previous.write_bytes(SENTINEL)
            fill(disk)
            target = "disk/result.pdf"
            result = run(*DECK[:-1], target)
            assert_error(result, 1, [f"cannot write {target}: No space left on device"])
            assert previous.read_bytes() == SENTINEL
            assert listing(disk) == ["result.pdf"]
            return
    # No mounting allowed: the kernel refuses any write past half the deck's size.
    run(*DECK[:-1], "warm.pdf")  # the face cache is filled first, without the limit
    result = limited(DECK, Path("warm.pdf").stat().st_size // 2, Path.cwd())
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [f"Error: cannot write {OUT}: File too large"]
    assert_untouched(out)


def test_disk_full_without_mounting(out: Path) -> None:
    """The fallback of the test above runs everywhere: writes past a size limit fail."""
    import kaartspel.deck.type_size

    # Sizes this process remembers from other tests would leave this cache without them.
    kaartspel.deck.type_size._SIZES.clear()
    run(*DECK[:-1], "warm.pdf")
    result = limited(DECK, Path("warm.pdf").stat().st_size // 2, Path.cwd())
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [f"Error: cannot write {OUT}: File too large"]
    assert_untouched(out)


def test_font_copies_cannot_be_written(out: Path, tmp_path: Path) -> None:
    """WeasyPrint copies the bundled fonts to a temporary folder first; when that write fails,
    the line names the folder (WeasyPrint's error names no file) and no copy is left."""
    import kaartspel.deck.type_size

    kaartspel.deck.type_size._SIZES.clear()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    fonts = Path(__file__).resolve().parents[2] / "templates" / "fonts"
    largest = max(path.stat().st_size for path in fonts.glob("*.ttf"))
    result = limited(DECK, largest // 2, Path.cwd(), env={"TMPDIR": str(temporary)})
    assert result.returncode == 1, result.stderr
    [line] = error_lines(result)
    assert line.startswith(f"Error: {os.path.relpath(temporary)}/weasyprint-"), line
    assert line.endswith(": cannot copy the fonts WeasyPrint needs: File too large"), line
    assert listing(temporary) == []
    assert_untouched(out)


# --- Ctrl-C -----------------------------------------------------------------------------------


def interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_while_rendering_a_deck(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kaartspel.render.face_batch

    monkeypatch.setattr(kaartspel.render.face_batch, "render_document", interrupt)
    assert_error(run(*DECK), 130, ["interrupted; no output was written"], output=out)


def test_ctrl_c_while_rendering_a_poster(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kaartspel.poster.renderer

    monkeypatch.setattr(kaartspel.poster.renderer, "render_document", interrupt)
    assert_error(run(*POSTER), 130, ["interrupted; no output was written"], output=out)


def test_ctrl_c_while_writing(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted after the temporary file is complete, before it replaces the output."""
    real = os.replace
    seen: list[Path] = []

    def replace(src: str, dst: str) -> None:
        if Path(dst).resolve() != out.resolve():  # the face cache
            return real(src, dst)
        seen.append(Path(src))
        assert Path(src).read_bytes().startswith(b"%PDF-")  # the new PDF, written in full
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace)
    assert_error(run(*DECK), 130, ["interrupted; no output was written"], output=out)
    assert seen and seen[0].parent.resolve() == out.parent.resolve()  # the temp was beside it
    assert not seen[0].exists()


# --- atomic writes (unit) ---------------------------------------------------------------------


def test_atomic_write_keeps_the_previous_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(SENTINEL)

    def fail(handle: BinaryIO) -> None:
        handle.write(b"%PDF-half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_atomic(target, fail)
    assert_untouched(target)


def test_atomic_write_replaces_on_success(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(SENTINEL)
    write_atomic(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_output_checks_the_folder_first(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="output folder does not exist"):
        check_output(tmp_path / "nope" / "x.pdf")


# --- tracebacks only when asked for, and the real process -------------------------------------


def test_verbose_shows_the_traceback(make_content: ContentTree, out: Path) -> None:
    make_content.patch("nl", "essentials.yaml", "id: netwerkvorming-2", "id: 42")
    result = run("--verbose", *DECK)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: content/nl/essentials.yaml:")
    assert_untouched(out)


def test_real_process_prints_only_error_lines(out: Path, repo_root: Path) -> None:
    """The installed command, not CliRunner: its stderr holds the Error line and nothing else
    (WeasyPrint's own warnings and the refused URL's traceback used to be printed too)."""
    templates = bad_css_templates(repo_root)
    code = "from kaartspel.cli.app import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "deck", "--card", "netwerkvorming-2", "--backs", "none",
         "--templates", str(templates), "-o", OUT],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: cards (nl): WeasyPrint reported: Ignored `colr: red`"), line
    assert_untouched(out)
