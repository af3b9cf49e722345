"""The console script answers a repeated deck/poster command before loading the command line,
exactly when nothing the output is made from changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kaartspel.build.repeated_command as repeated
from kaartspel.build.repeated_command import Remembered, answer
from kaartspel.cli.app import app

DECK = ["deck", "--theme", "netwerkvorming", "--kind", "question", "--backs", "none",
        "-o", "out.pdf"]


def run(words: list[str]) -> str:
    """Run the command line as the console script does (passing its words along)."""
    result = CliRunner().invoke(app, words, obj=tuple(words))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def project(tmp_path: Path, content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(content_dir, tmp_path / "content")
    (tmp_path / "deck").mkdir()
    (tmp_path / "deck" / "mine.yaml").write_text(
        "type: deck\nlang: nl\nselect:\n  themes: [netwerkvorming]\n  kinds: [question]\n"
        "backs: none\nextra_questions: mine-questions.yaml\noutput: mine.pdf\n", "utf-8")
    (tmp_path / "deck" / "mine-questions.yaml").write_text(
        "theme: netwerkvorming\nquestions:\n  - group: Wie kennen jullie al?\n"
        "    personal: Wie ken jij al?\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_same_words_again_are_answered_up_to_date(project: Path) -> None:
    assert answer(DECK, "deck") is None  # never run
    assert "Wrote out.pdf" in run(DECK)
    assert answer(DECK, "deck") == "Up to date: out.pdf (nothing it is made from changed)"
    assert answer([*DECK, "--bleed", "2"], "deck") is None  # other words


def test_the_console_script_answers_without_loading_the_command_line(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = [sys.executable, "-X", "importtime", "-m", "kaartspel.cli.launch", *DECK]
    first = subprocess.run(script, capture_output=True, text=True, env=env)
    assert first.returncode == 0 and "Wrote out.pdf" in first.stdout, first.stderr[-2000:]
    again = subprocess.run(script, capture_output=True, text=True, env=env)
    assert again.returncode == 0
    assert again.stdout == "Up to date: out.pdf (nothing it is made from changed)\n"
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines()}
    assert not imported & {"typer", "pydantic", "weasyprint", "pikepdf", "jinja2", "yaml"}


def _append(path: str, text: str = "\n# changed\n") -> Callable[[Path], None]:
    return lambda root: (root / path).write_text((root / path).read_text("utf-8") + text,
                                                 "utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "content of the deck's language": _append("content/nl/essentials.yaml"),
    "content of another language": _append("content/en/essentials.yaml"),
    "a new content file": lambda root: (root / "content/nl/extra.txt").write_text("x"),
    "the recipe": _append("deck/mine.yaml"),
    "the own questions": _append("deck/mine-questions.yaml"),
    "the output touched": lambda root: os.utime(root / "build/mine.pdf", ns=(1, 1)),
    "the output removed": lambda root: (root / "build/mine.pdf").unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_goes_the_normal_way(project: Path, change: str) -> None:
    words = ["deck", "--recipe", "deck/mine.yaml"]
    assert "Wrote build/mine.pdf" in run(words)
    assert answer(words, "deck") is not None
    CHANGES[change](project)
    assert answer(words, "deck") is None


def test_templates_code_distributions_and_environment_count(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine-templates"
    mine.mkdir()
    (mine / "unused.css").write_text("/* mine */", "utf-8")
    words = [*DECK, "--templates", str(mine)]
    run(words)
    assert answer(words, "deck") is not None
    (mine / "unused.css").write_text("/* changed */", "utf-8")
    assert answer(words, "deck") is None
    run(words)
    assert answer(words, "deck") is not None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    assert answer(words, "deck") is None
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setattr(repeated, "distributions", lambda: "another install")
    assert answer(words, "deck") is None
    monkeypatch.undo()
    monkeypatch.chdir(project)
    monkeypatch.setattr(repeated, "code_fingerprint", lambda: "other code")
    assert answer(words, "deck") is None


def test_an_edit_saved_while_building_is_not_taken_as_built(project: Path) -> None:
    out = project / "out.pdf"
    out.write_bytes(b"%PDF-1.7 stand-in")
    words = ["deck", "-o", "out.pdf"]
    repeat = Remembered(words, [project / "content"])  # hashed when the build starts
    _append("content/nl/essentials.yaml")(project)  # saved during the build
    repeat.done(out)
    assert answer(words, "deck") is None


def test_a_damaged_record_goes_the_normal_way(project: Path) -> None:
    run(DECK)
    record = project / "build" / ".cache" / repeated.RECORD
    for damage in ("{not json", "[]", '{"x": 1}'):
        record.write_text(damage, "utf-8")
        assert answer(DECK, "deck") is None
    run(DECK)  # the normal way, and remembered again
    assert answer(DECK, "deck") is not None
