"""`deck` and `poster` skip an unchanged output exactly when nothing it is made from changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kaartspel.build.fresh_outputs as fresh_outputs
import kaartspel.build.plan as plan
from kaartspel.cli.app import app

DECK = ["deck", "--theme", "netwerkvorming", "--backs", "none", "-o", "out.pdf"]


def run(content: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--content", str(content), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def project(tmp_path: Path, content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(content_dir, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def test_an_unchanged_deck_is_not_built_again(project: Path) -> None:
    assert "Wrote out.pdf" in run(project, *DECK)
    first = Path("out.pdf").stat()
    assert "Up to date: out.pdf" in run(project, *DECK)
    assert Path("out.pdf").stat().st_mtime_ns == first.st_mtime_ns


@pytest.mark.parametrize("change", ["content", "option", "templates", "code", "library",
                                    "output touched", "output removed"])
def test_any_change_builds_again_and_gives_a_clean_builds_bytes(
        project: Path, change: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    args = list(DECK)
    run(project, *args)
    clean = Path("out.pdf").read_bytes()
    if change == "content":
        tips = project / "nl" / "essentials.yaml"
        tips.write_text(tips.read_text("utf-8") + "\n# a comment\n", "utf-8")
    elif change == "option":
        args += ["--bleed", "2"]
    elif change == "templates":
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "unused.css").write_text("/* mine */", "utf-8")
        args += ["--templates", str(mine)]
    elif change == "code":
        monkeypatch.setattr(plan, "code_fingerprint", lambda: "other code")
    elif change == "library":
        monkeypatch.setattr(fresh_outputs, "library_versions", lambda: ["weasyprint==0"])
    elif change == "output touched":
        os.utime("out.pdf", ns=(1, 1))
    else:
        Path("out.pdf").unlink()
    assert "Wrote out.pdf" in run(project, *args)
    if change in ("content", "code", "library", "output touched", "output removed",
                  "templates"):
        assert Path("out.pdf").read_bytes() == clean  # nothing that shows changed


def test_an_unchanged_poster_is_not_built_again(project: Path) -> None:
    args = ["poster", "--size", "a3", "-o", "p.pdf"]
    assert "Wrote p.pdf" in run(project, *args)
    assert "Up to date: p.pdf" in run(project, *args)
    assert "Wrote p.pdf" in run(project, *args, "--orientation", "landscape")


def test_the_skip_imports_neither_weasyprint_nor_pikepdf(project: Path) -> None:
    run(project, *DECK)
    code = ("import sys\nfrom kaartspel.cli.app import app\n"
            f"app(['--content', {str(project)!r}, *{DECK!r}], standalone_mode=False)\n"
            "print(sorted(m for m in ('weasyprint', 'pikepdf') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert "Up to date" in out
    assert out.strip().endswith("[]")
