"""``kaartspel build``: every recipe, in parallel, skipping fresh outputs, failures named."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kaartspel.build.plan import BuildSettings, InputHasher, find_targets, load_manifest, plan
from kaartspel.build.run import clean, group_targets
from kaartspel.cli.app import app
from kaartspel.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

# Small decks (one theme, or the six tips) keep the cold build of the session to a few seconds.
RECIPES = {
    # The real organiser's deck: one theme plus its own questions file (a non-recipe in deck/).
    "netwerkvorming-nl.yaml": (REPO / "deck" / "netwerkvorming-nl.yaml").read_text("utf-8"),
    "tips-nl.yaml": """\
        type: deck
        lang: nl
        output: tips-nl.pdf
        size: poker
        layout: single
        order: interleaved
        select:
          kinds: [tip]
        """,
    "netwerk-en.yaml": """\
        type: deck
        lang: en
        output: netwerk-en.pdf
        size: 63x88
        select:
          themes: [netwerkvorming]
        """,
}
OUTPUTS = {"netwerkvorming-nl.pdf", "tips-nl.pdf", "netwerk-en.pdf"}


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def write_project(root: Path) -> Path:
    """Write content/ and deck/ (three small recipes, one questions file) under *root*."""
    shutil.copytree(REPO / "content", root / "content")
    deck = root / "deck"
    deck.mkdir()
    for name, text in RECIPES.items():
        (deck / name).write_text(textwrap.dedent(text), encoding="utf-8")
    shutil.copy(REPO / "deck" / "netwerkvorming-eigen-vragen.yaml", deck)
    return root


def pin_inputs(patch: pytest.MonkeyPatch) -> None:
    """Hash kaartspel's code and templates as constants.

    The session's project is built once and copied into later tests; pinning keeps it fresh
    while the source tree is being edited (tests of the hashes themselves use the real ones).
    """
    patch.setattr(InputHasher, "code", lambda self: "code-under-test")
    patch.setattr(InputHasher, "templates", lambda self: "templates-under-test")


PIN_SOURCE = (
    "from kaartspel.build.plan import InputHasher\n"
    "InputHasher.code = lambda self: 'code-under-test'\n"
    "InputHasher.templates = lambda self: 'templates-under-test'\n"
)
"""The same pinning, for a subprocess."""

_BUILT: dict[str, tuple[Path, Result]] = {}


def built_project(factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """Build the small project once per test session (shared by the build, preview and watch
    tests); return its folder and the result of the cold ``kaartspel build``."""
    if "project" not in _BUILT:
        root = write_project(factory.mktemp("project"))
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(root)
            pin_inputs(patch)
            result = run("build", "--jobs", "2")
        _BUILT["project"] = (root, result)
    return _BUILT["project"]


def copy_project(factory: pytest.TempPathFactory, target: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the built project (outputs, manifest, face cache) to *target* and work there."""
    root, result = built_project(factory)
    assert result.exit_code == 0, result.output
    shutil.copytree(root, target, dirs_exist_ok=True)  # copy2 keeps mtimes: still fresh
    monkeypatch.chdir(target)
    pin_inputs(monkeypatch)
    return target


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(tmp_path_factory, tmp_path, monkeypatch)


def status_of(output: str) -> dict[str, str]:
    """Map output file → status from the plain progress lines."""
    found = {}
    for line in output.splitlines():
        for status in ("built", "up to date", "FAILED"):
            if line.startswith(status + " "):
                found[line[len(status) + 1:].split(":")[0].split(" ")[0]] = status
    return found


def test_cold_build_writes_every_recipe(tmp_path_factory: pytest.TempPathFactory) -> None:
    root, result = built_project(tmp_path_factory)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (root / "build").glob("*.pdf")} == OUTPUTS
    assert status_of(result.stdout) == dict.fromkeys(OUTPUTS, "built")
    # The summary table: file, pages, size, time; the questions file was skipped silently.
    assert "3 built, 0 up to date" in result.stdout
    assert "eigen-vragen" not in result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        entries = load_manifest(BuildSettings())
    assert set(entries) == OUTPUTS
    assert entries["tips-nl.pdf"]["pages"] == 12  # 6 tips, each front then back


def test_second_build_is_a_noop(project: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in (project / "build").glob("*.pdf")}
    result = run("build")
    assert result.exit_code == 0, result.output
    assert status_of(result.stdout) == dict.fromkeys(OUTPUTS, "up to date")
    assert "0 built, 3 up to date" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (project / "build").glob("*.pdf")} == before


def test_noop_build_imports_no_renderer(project: Path) -> None:
    """Planning hashes bytes only: neither WeasyPrint nor the content loader is imported."""
    code = PIN_SOURCE + textwrap.dedent("""
        import sys
        from kaartspel.build.plan import BuildSettings
        from kaartspel.build.run import run_build
        outcomes = run_build(BuildSettings())
        assert [o.status for o in outcomes] == ["up to date"] * 3, outcomes
        heavy = [m for m in ("weasyprint", "pikepdf", "pydantic", "kaartspel.content.loader")
                 if m in sys.modules]
        assert not heavy, heavy
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_content_edit_rebuilds_only_affected_outputs(project: Path) -> None:
    essentials = project / "content" / "en" / "essentials.yaml"
    text = essentials.read_text("utf-8")
    old = "How do you complement each other?"
    assert text.count(old) == 1
    essentials.write_text(text.replace(old, "How do you complement one another?"),
                          "utf-8")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert status_of(result.stdout) == {"netwerk-en.pdf": "built",
                                        "netwerkvorming-nl.pdf": "up to date",
                                        "tips-nl.pdf": "up to date"}
    assert status_of(run("build").stdout)["netwerk-en.pdf"] == "up to date"


def test_recipe_edit_and_touched_output_rebuild(project: Path) -> None:
    recipe = project / "deck" / "tips-nl.yaml"
    recipe.write_text(recipe.read_text("utf-8").replace("interleaved", "fronts-then-backs"),
                      "utf-8")
    (project / "build" / "netwerk-en.pdf").write_bytes(b"%PDF-1.7 tampered")
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert status_of(result.stdout) == {"netwerk-en.pdf": "built",
                                        "netwerkvorming-nl.pdf": "up to date",
                                        "tips-nl.pdf": "built"}


def test_failing_recipe_is_named_and_others_still_built(project: Path) -> None:
    (project / "deck" / "bad.yaml").write_text(
        "type: deck\noutput: bad.pdf\nbleed: 50\n", encoding="utf-8")
    (project / "build" / "tips-nl.pdf").unlink()  # must still be rebuilt
    result = run("build", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert status_of(result.stdout)["tips-nl.pdf"] == "built"
    assert (project / "build" / "tips-nl.pdf").is_file()
    assert not (project / "build" / "bad.pdf").exists()
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors == ["Error: deck/bad.yaml:3: bleed: expected at most 10 mm, got 50"]
    assert "failed" in result.stdout  # in the summary


def test_build_time_failure_names_recipe_and_file(project: Path) -> None:
    """A problem found while building (here: in the organiser's questions) names both."""
    questions = project / "deck" / "netwerkvorming-eigen-vragen.yaml"
    questions.write_text(questions.read_text("utf-8").replace("aan te pakken?", "aan te pakken"),
                         "utf-8")
    result = run("build")
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: deck/netwerkvorming-nl.yaml: "
                           "deck/netwerkvorming-eigen-vragen.yaml:"), line
    assert status_of(result.stdout) == {"netwerkvorming-nl.pdf": "FAILED",
                                        "tips-nl.pdf": "up to date",
                                        "netwerk-en.pdf": "up to date"}


def test_missing_templates_folder_is_one_usage_error(project: Path) -> None:
    result = run("build", "--templates", "nope")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "Error: template folder not found: nope"


def test_broken_yaml_in_deck_folder_is_reported(project: Path) -> None:
    (project / "deck" / "broken.yaml").write_text("type: deck\n  bad: [\n", encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: deck/broken.yaml:2: YAML syntax error"), result.stderr


def test_named_recipes_only(project: Path) -> None:
    (project / "build" / "tips-nl.pdf").unlink()
    (project / "build" / "netwerk-en.pdf").unlink()
    result = run("build", "deck/tips-nl.yaml")
    assert result.exit_code == 0, result.output
    assert status_of(result.stdout) == {"tips-nl.pdf": "built"}
    assert not (project / "build" / "netwerk-en.pdf").exists()


def test_named_file_that_is_no_recipe_is_a_usage_error(project: Path) -> None:
    result = run("build", "deck/netwerkvorming-eigen-vragen.yaml")
    assert result.exit_code == 2, result.output
    assert "is not a recipe" in result.stderr
    assert run("build", "deck/missing.yaml").exit_code == 2


def test_two_recipes_writing_one_file_is_a_usage_error(project: Path) -> None:
    shutil.copy(project / "deck" / "tips-nl.yaml", project / "deck" / "tips-copy.yaml")
    result = run("build")
    assert result.exit_code == 2, result.output
    assert "deck/tips-copy.yaml and deck/tips-nl.yaml both write tips-nl.pdf" in result.stderr


def test_out_dir_and_clean(project: Path) -> None:
    settings = BuildSettings(Path("content"), Path("build"))
    targets = find_targets()
    (project / "build" / "unrelated.pdf").write_bytes(b"%PDF")
    clean(settings, targets)
    assert not (project / "build" / ".cache").exists()
    assert not list((project / "build").glob("*-*.pdf"))
    assert (project / "build" / "unrelated.pdf").exists()  # not ours: kept
    result = run("build", "deck/tips-nl.yaml", "--out-dir", "elsewhere/out")
    assert result.exit_code == 0, result.output
    assert (project / "elsewhere/out/tips-nl.pdf").is_file()
    assert (project / "elsewhere/out/.cache/outputs.json").is_file()


def test_jobs_must_be_positive(project: Path) -> None:
    result = run("build", "--jobs", "0")
    assert result.exit_code == 2, result.output


def test_faces_shared_by_size_and_bleed_build_in_one_group(in_tmp: Path) -> None:
    write_project(in_tmp)
    deck = in_tmp / "deck"
    (deck / "same-faces.yaml").write_text(
        "type: deck\nlang: nl\noutput: x.pdf\nsize: poker\nlayout: sheet\n", encoding="utf-8")
    (deck / "poster.yaml").write_text("type: poster\noutput: p.pdf\n", encoding="utf-8")
    (deck / "poster2.yaml").write_text("type: poster\noutput: q.pdf\n", encoding="utf-8")
    groups = group_targets(find_targets())
    names = sorted(sorted(t.recipe.name for t in group) for group in groups)
    assert names == [
        ["netwerk-en.yaml"],                # en, 63x88 (poker): other language
        ["netwerkvorming-nl.yaml"],         # nl, a7
        ["poster.yaml"],                    # every poster alone
        ["poster2.yaml"],
        ["same-faces.yaml", "tips-nl.yaml"],  # nl, poker, 3 mm bleed: the same faces
    ]


def test_input_hash_covers_code_templates_and_source_language(in_tmp: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import kaartspel
    import kaartspel.build.plan as build_plan
    import kaartspel.cache
    from kaartspel.content.loader import SOURCE_LANGUAGE

    assert build_plan.SOURCE_LANGUAGE == SOURCE_LANGUAGE
    write_project(in_tmp)
    settings = BuildSettings()
    (en,) = [t for t in find_targets() if t.lang == "en"]

    def inputs() -> str:
        return InputHasher(settings).inputs(en)

    first = inputs()
    nl = in_tmp / "content" / "nl" / "tips.yaml"
    nl.write_text(nl.read_text("utf-8") + "\n", "utf-8")
    second = inputs()
    assert second != first  # English is checked against Dutch
    package = in_tmp / "pkg"
    shutil.copytree(Path(kaartspel.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    real = kaartspel.cache.PACKAGE_DIR
    try:
        kaartspel.cache.PACKAGE_DIR = package
        kaartspel.cache.code_fingerprint.cache_clear()
        third, code = inputs(), kaartspel.cache.code_fingerprint()
        # A module deep in a subpackage changes both the output hash and the face cache key.
        kaartspel.cache.code_fingerprint.cache_clear()
        (package / "deck" / "assemble.py").write_text("# changed\n", "utf-8")
        assert inputs() != third
        assert kaartspel.cache.code_fingerprint() != code
        kaartspel.cache.code_fingerprint.cache_clear()
        (package / "render" / "new_module.py").write_text("# added\n", "utf-8")
        assert kaartspel.cache.code_fingerprint() != code
    finally:
        # The fingerprint is kept per process: later tests must see the real package's.
        kaartspel.cache.PACKAGE_DIR = real
        kaartspel.cache.code_fingerprint.cache_clear()
    templates = in_tmp / "mine"
    templates.mkdir()
    with_templates = InputHasher(BuildSettings(templates=(templates,))).inputs(en)
    (templates / "cards.css").write_text("/* mine */", "utf-8")
    assert InputHasher(BuildSettings(templates=(templates,))).inputs(en) != with_templates


def test_plan_marks_missing_output_stale(project: Path) -> None:
    (project / "build" / "tips-nl.pdf").unlink()
    the_plan = plan(BuildSettings())
    assert [t.output_name for t in the_plan.stale] == ["tips-nl.pdf"]


def test_usage_error_without_recipes(in_tmp: Path) -> None:
    (in_tmp / "deck").mkdir()
    with pytest.raises(UsageError, match="no recipes found"):
        find_targets()


def test_worker_hit_by_ctrl_c_skips_its_queued_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    import kaartspel.build.run as build

    calls: list[str] = []

    def interrupted(settings: BuildSettings, target: build.Target) -> build.Outcome:
        calls.append(target.shown)
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "build_target", interrupted)
    monkeypatch.setattr(build, "_INTERRUPTED", False)
    monkeypatch.setattr(build, "_EVENTS", None)
    targets = [build.Target(Path(f"{n}.yaml"), f"{n}.yaml", "deck", f"{n}.pdf", "nl", (n,))
               for n in "ab"]
    with pytest.raises(KeyboardInterrupt):
        build._build_group(BuildSettings(), [(0, targets[0])])
    assert build._build_group(BuildSettings(), [(1, targets[1])]) == []
    assert calls == ["a.yaml"]
