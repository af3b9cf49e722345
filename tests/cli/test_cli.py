"""The command line: exit codes, one-line errors, output, and a fast ``--help``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import ContentTree
from kaartspel import __version__
from kaartspel.cli.app import app
from kaartspel.content.load import load_content
from kaartspel.deck.cards import build_cards

runner = CliRunner()


def run(*args: str | Path) -> Result:
    # A wide terminal so that rich tables do not wrap titles.
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_check_ok(content_dir: Path) -> None:
    result = run("--content", content_dir, "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Content OK: nl, en"
    assert result.stderr == ""


def test_check_one_language(content_dir: Path) -> None:
    result = run("--content", content_dir, "check", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Content OK: en" in result.stdout


def test_check_default_content_folder(make_content: ContentTree) -> None:
    """Without --content, ./content is used (the fixture works from the copy's parent)."""
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "Content OK" in result.stdout


def test_check_unknown_language(content_dir: Path) -> None:
    result = run("--content", content_dir, "check", "--lang", "xx")
    assert result.exit_code == 2, result.output
    assert lines(result.output) == ["Error: unknown language 'xx' (available: nl, en)"]
    assert result.stdout == ""


def test_missing_content_folder(tmp_path: Path) -> None:
    result = run("--content", tmp_path / "nope", "check")
    assert result.exit_code == 2, result.output
    (line,) = lines(result.output)
    assert line.startswith("Error: content folder not found: ")


def test_check_broken_content(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '  name: "Rollen"', "  name: Rollen: x")
    make_content.patch("en", "meta.yaml", 'set_title: "Dialogue cards"', "set_title: 42")
    en_line = make_content.line_of("en", "meta.yaml", "set_title: 42")
    result = run("--content", make_content.root, "check")
    assert result.exit_code == 1, result.output
    out = lines(result.output)
    assert out, "no error printed"
    assert all(line.startswith("Error: ") for line in out), out
    assert (
        "Error: content/nl/rollen.yaml:2: YAML syntax error: mapping values are not allowed here"
        in out
    )
    assert (
        f"Error: content/en/meta.yaml:{en_line}: meta.set_title: expected text, got 42 (a number)"
        in out
    ), out
    assert "Traceback" not in result.output
    assert result.stdout == "", "errors go to stderr"


def test_check_broken_content_absolute_paths(
    make_content: ContentTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from elsewhere: paths are shown as they are, still with file:line."""
    make_content.patch("nl", "tips.yaml", '  name: "Tips"', "  name: Tips: x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("--content", make_content.root, "check", "--lang", "nl")
    assert result.exit_code == 1, result.output
    (line,) = lines(result.output)
    assert line.startswith("Error: ")
    assert f"{make_content.root / 'nl' / 'tips.yaml'}:2: YAML syntax error" in line


def test_verbose_with_broken_content(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '  name: "Rollen"', "  name: Rollen: x")
    result = run("--content", make_content.root, "--verbose", "check")
    assert result.exit_code == 1, result.output
    assert "Error: content/nl/rollen.yaml:2: YAML syntax error" in result.output


def test_list_english(content_dir: Path) -> None:
    result = run("--content", content_dir, "list", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.stdout
    total = len(build_cards(load_content(content_dir, "en")))
    for text in ("Themes (en)", f"Cards (en): {total}", "Knowledge management", "Network building",
                 "Roles in the collaboration", "The learning region", "netwerkvorming-2",
                 "cyclus-reflectie", "tip-6"):
        assert text in out, text
    assert "Kennismanagement" not in out  # the Dutch theme name
    assert "Netwerkvorming" not in out


def test_list_dutch_by_default(content_dir: Path) -> None:
    result = run("--content", content_dir, "list")
    assert result.exit_code == 0, result.output
    total = len(build_cards(load_content(content_dir, "nl")))
    assert f"Cards (nl): {total}" in result.stdout
    assert "Kennismanagement" in result.stdout
    assert "Knowledge management" not in result.stdout


def test_list_unknown_language(content_dir: Path) -> None:
    result = run("--content", content_dir, "list", "--lang", "fr")
    assert result.exit_code == 2, result.output
    assert lines(result.output) == ["Error: unknown language 'fr' (available: nl, en)"]


def test_list_broken_content(make_content: ContentTree) -> None:
    make_content.patch("en", "rollen.yaml", '"What role do you play?"', "42")
    result = run("--content", make_content.root, "list", "--lang", "en")
    assert result.exit_code == 1, result.output
    out = lines(result.output)
    assert all(line.startswith("Error: content/en/rollen.yaml:8: ") for line in out), out
    assert "Traceback" not in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"kaartspel {__version__}"


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0, result.output
    assert "check" in result.stdout and "list" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run("nope")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --- a real process -------------------------------------------------------------------------

HELP_PROBE = """\
import sys
sys.argv = ["kaartspel", "--help"]
from kaartspel.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = [m for m in ("weasyprint", "pikepdf", "pypdfium2") if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


def test_help_does_not_import_weasyprint(repo_root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", HELP_PROBE], capture_output=True, text=True, cwd=repo_root,
        timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "check" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY=", proc.stdout


def test_console_script_help(repo_root: Path) -> None:
    script = Path(sys.executable).with_name("kaartspel")
    if not script.exists():
        pytest.fail(f"console script not installed next to {sys.executable}")
    proc = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, cwd=repo_root, timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout and "check" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_console_script_reports_errors_without_traceback(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '  name: "Rollen"', "  name: Rollen: x")
    script = Path(sys.executable).with_name("kaartspel")
    proc = subprocess.run(
        [str(script), "check"], capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "Error: content/nl/rollen.yaml:2: YAML syntax error: mapping values are not allowed here"
    ]
