"""Reliability and security on real files: outputs never replace what is not theirs, recipes
never read outside the project, the cache heals, a full disk fails cleanly, every failure is
one line, Ctrl-C is one line, content that would misbehave is refused, preflight is bounded.

Everything here happens to real files, folders, links, FIFOs, devices and file systems (a
small tmpfs where the tests may mount, else a kernel file-size limit); a hook is used only to
time a real deletion (faces removed during a render).  The messages are the ones in
``docs/errors.md``.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner, Result

from conftest import ContentTree
from kaartspel.cache import FaceCache, seal
from kaartspel.cli.app import app
from kaartspel.content.load import load_content
from kaartspel.deck.assemble import build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.files import is_stale, sweep_stale, temp_name
from kaartspel.options import DeckOptions
from kaartspel.pdf import preflight as preflight_module
from kaartspel.pdf.preflight import Budget, check_pdf, decoded_size
from support.disks import error_lines, fill, kaartspel, limited, listing, small_disk

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

CARD = ("--card", "netwerkvorming-2", "--backs", "none")
"""One card: the quickest deck that goes through every stage."""
DECK = ("deck", *CARD)
SMALL = DeckOptions(lang="nl", cards=("netwerkvorming-2",), backs="none")
SENTINEL = b"%PDF-1.7\n% the previous output: a failed build must leave it as it is\n"
SECRET = "SECRET"
"""Every file outside the project holds this word: no error may ever print it."""


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI as a terminal would; log records go to this run's stderr."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    root.handlers.clear()
    try:
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})
    finally:
        root.handlers[:] = handlers


def errors(result: Result, exit_code: int) -> list[str]:
    """Check exit code, no traceback, only ``Error:`` lines on stderr; return the messages."""
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith("Error: ") for line in lines), result.stderr
    return [line.removeprefix("Error: ") for line in lines]


def one_error(result: Result, exit_code: int) -> str:
    (message,) = errors(result, exit_code)
    return message


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("WARNING")]


def temporary_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or (".tmp" in p.name
            and p.name.startswith("."))]


@pytest.fixture
def project(make_content: ContentTree) -> Path:
    """Work in a scratch project: content/, deck/ with a small recipe and a questions file."""
    root = make_content.root.parent
    deck = root / "deck"
    deck.mkdir()
    shutil.copy(REPO / "deck" / "netwerkvorming-eigen-vragen.yaml", deck / "mine.yaml")
    recipe(deck / "small.yaml")
    return root


def recipe(path: Path, **extra: str) -> Path:
    """Write a one-card deck recipe (plus *extra* keys) at *path*."""
    lines = ["type: deck", "lang: nl", f"output: {path.stem}.pdf", "backs: none",
             "select:", "  cards: [netwerkvorming-2]", *[f"{k}: {v}" for k, v in extra.items()]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clean_deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> bytes:
    """The one-card deck built with an empty cache: what every healed build must equal."""
    folder = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        build_deck(content_dir, SMALL, folder / "clean.pdf", FaceCache(folder / "cache"))
    return (folder / "clean.pdf").read_bytes()


# --- outputs: what -o may replace -------------------------------------------------------------


def _fifo(root: Path) -> Path:
    os.mkfifo(root / "pipe.pdf")
    return root / "pipe.pdf"


def _link_out(root: Path) -> Path:
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "victim.pdf").write_bytes(SENTINEL)
    (root / "out").mkdir()
    (root / "out" / "link.pdf").symlink_to(root / "elsewhere" / "victim.pdf")
    return root / "out" / "link.pdf"


def _loop(root: Path) -> Path:
    (root / "loop-a.pdf").symlink_to(root / "loop-b.pdf")
    (root / "loop-b.pdf").symlink_to(root / "loop-a.pdf")
    return root / "loop-a.pdf"


def _read_only(root: Path) -> Path:
    path = root / "kept.pdf"
    path.write_bytes(SENTINEL)
    path.chmod(0o444)
    return path


def _notes(root: Path) -> Path:
    (root / "notes.txt").write_text("my notes\n")
    return root / "notes.txt"


def _folder(root: Path) -> Path:
    (root / "out").mkdir()
    return root / "out"


REFUSED: dict[str, tuple[Callable[[Path], Path], list[str], str]] = {
    # name: (make the target, extra arguments, the message, with {shown} for the target)
    "a content file": (lambda r: r / "content/nl/meta.yaml", [],
                       "output content/nl/meta.yaml is an input of the build; write the output "
                       "somewhere else"),
    "a new file among the content": (lambda r: r / "content/nl/deck.pdf", [],
                                     "output content/nl/deck.pdf is an input of the build; "
                                     "write the output somewhere else"),
    "the recipe": (lambda r: r / "deck/small.yaml", ["--recipe", "deck/small.yaml"],
                   "output deck/small.yaml is an input of the build; write the output "
                   "somewhere else"),
    "the questions file": (lambda r: r / "deck/mine.yaml", ["--questions", "deck/mine.yaml"],
                           "output deck/mine.yaml is an input of the build; write the output "
                           "somewhere else"),
    "a template folder": (lambda r: (r / "tpl").mkdir() or r / "tpl/x.pdf",
                          ["--templates", "tpl"],
                          "output tpl/x.pdf is an input of the build; write the output "
                          "somewhere else"),
    "a device": (lambda r: Path("/dev/null"), [],
                 "output is a device, not a regular file: /dev/null"),
    "a FIFO": (_fifo, [], "output is a FIFO (pipe), not a regular file: pipe.pdf"),
    "a folder": (_folder, [], "output is a folder, not a file: out"),
    "a link out of its folder": (_link_out, [], "output is a link to a file outside its "
                                 "folder: out/link.pdf; name a file in the output folder"),
    "a link loop": (_loop, [], "cannot use output loop-a.pdf: Too many levels of symbolic "
                    "links"),
    "a file that is no PDF": (_notes, [], "output notes.txt exists and is not a .pdf file; "
                              "refusing to replace it"),
    "a read-only PDF": (_read_only, [], "output is read-only: kept.pdf"),
    "a name over 255 bytes": (lambda r: r / ("x" * 300 + ".pdf"), [],
                              "output file name is longer than 255 bytes: " + "x" * 60 + "…"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_output_that_is_not_ours_is_refused(project: Path, case: str) -> None:
    make, extra, message = REFUSED[case]
    target = make(project)
    mode = target.lstat().st_mode if os.path.lexists(target) else None
    before = target.read_bytes() if mode is not None and target.is_file() else None
    shown = target if not target.is_relative_to(project) else target.relative_to(project)
    assert one_error(run(*DECK, *extra, "-o", shown), 2) == message
    if mode is None:
        assert not os.path.lexists(target)
    else:  # exactly as it was: not replaced, not turned into a regular file
        assert target.lstat().st_mode == mode
        assert before is None or target.read_bytes() == before
    victim = project / "elsewhere" / "victim.pdf"
    assert not victim.exists() or victim.read_bytes() == SENTINEL
    assert not temporary_files(project)


def test_output_an_existing_pdf_or_a_link_beside_it_is_replaced(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "v1.pdf").write_bytes(SENTINEL)
    (project / "out" / "latest.pdf").symlink_to("v1.pdf")
    assert run(*DECK, "-o", "out/latest.pdf").exit_code == 0
    assert run(*DECK, "-o", "out/v1.pdf").exit_code == 0
    assert (project / "out" / "v1.pdf").read_bytes().startswith(b"%PDF")
    assert not temporary_files(project)


def test_out_dir_inside_the_content_is_refused(project: Path) -> None:
    result = run("build", "--out-dir", "content/nl")
    assert one_error(result, 2) == ("output folder content/nl lies in an input of the build "
                                    "(content); use another --out-dir")
    assert sorted(p.name for p in (project / "content/nl").iterdir()) == sorted(
        p.name for p in (REPO / "content/nl").iterdir())


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_files_of_killed_runs_are_swept(project: Path) -> None:
    """``kill -9`` leaves a temporary file: its process is gone, so the next write beside it
    removes it — and leaves alone one a running process is writing."""
    out = project / "out"
    out.mkdir()
    dead = out / f".result.pdf.{_dead_pid()}-0123abcd.tmp"
    running = out / f".result.pdf.{os.getpid()}-89abcdef.tmp"  # this test is alive
    legacy = out / ".result.pdf.k3j_9x2a.tmp"  # the old writer's name: no process id
    other = out / f".other.pdf.{_dead_pid()}-0123abcd.tmp"  # another target's
    for path in (dead, running, legacy, other):
        path.write_bytes(b"%PDF-half")
    hours_ago = time.time() - 2 * 3600
    os.utime(legacy, (hours_ago, hours_ago))
    assert run(*DECK, "-o", "out/result.pdf").exit_code == 0
    assert sorted(listing(out)) == sorted([".other.pdf." + other.name.split(".pdf.")[1],
                                           running.name, "result.pdf"])
    assert sweep_stale(out) == 1  # a build sweeps every dead one in its folders
    assert listing(out) == sorted([running.name, "result.pdf"])


def test_temporary_names_stay_within_the_name_limit() -> None:
    name = temp_name("x" * 250 + ".pdf")
    assert len(name.encode()) <= 255 and name.startswith(".") and name.endswith(".tmp")
    assert not is_stale(name, time.time(), target="x" * 250 + ".pdf")  # ours, and alive


def test_build_on_a_full_disk_is_one_line_per_output(project: Path, tmp_path: Path) -> None:
    """The output folder and its cache on a small full disk: each recipe fails in one line,
    exit 1, and nothing half-written stays anywhere on the disk."""
    recipe(project / "deck" / "second.yaml")
    with small_disk(tmp_path / "disk", size_kb=600) as disk:
        if disk is None:  # no mounting allowed: a process that may write 20 KB at most
            result = limited(["build", "--jobs", "1", "--out-dir", "full"], 20_000, project)
            lines = error_lines(result)
            assert result.returncode == 1, result.stderr
            failures = [line for line in lines if line.startswith("Error: ")]
            assert failures and all("File too large" in line for line in failures), lines
            assert not temporary_files(project / "full")
            return
        fill(disk, leave=8 * 1024)
        result = run("build", "--jobs", "1", "--out-dir", "disk")
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        lines = result.stderr.splitlines()
        assert [line for line in lines if not line.startswith("Error: ")] == [
            "WARNING kaartspel.cache: the cache disk/.cache cannot be written (No space left "
            "on device); building without it"], lines
        assert sorted(line for line in lines if line.startswith("Error: ")) == [
            f"Error: deck/{name}.yaml: cannot write disk/{name}.pdf: No space left on device"
            for name in ("second", "small")], lines
        assert not temporary_files(disk)


def test_a_cache_that_cannot_be_written_builds_without_it(project: Path, tmp_path: Path,
                                                          clean_deck: bytes) -> None:
    """A read-only cache folder (a read-only mount; without mounting, a file where the
    folder should be): the deck is the same as ever, and one warning says why."""
    (project / "out").mkdir()
    with small_disk(tmp_path / "ro-cache", read_only=True) as disk:
        if disk is None:
            disk = tmp_path / "not-a-folder"
            disk.write_text("a file\n")
        (project / "out" / ".cache").symlink_to(disk)
        result = run("build", "deck/small.yaml", "--out-dir", "out")
        assert result.exit_code == 0, result.output
        assert (project / "out" / "small.pdf").read_bytes() == clean_deck
        assert len(warnings(result)) == 1, result.stderr
        assert "the cache out/.cache cannot be written" in warnings(result)[0], result.stderr


def test_a_full_cache_disk_builds_without_it(project: Path, tmp_path: Path,
                                            clean_deck: bytes) -> None:
    with small_disk(tmp_path / "full-cache", size_kb=200) as disk:
        if disk is None:
            pytest.skip("covered by test_a_cache_that_cannot_be_written_builds_without_it")
        fill(disk, leave=4 * 1024)
        (project / "out").mkdir()
        (project / "out" / ".cache").symlink_to(disk)
        result = run("build", "deck/small.yaml", "--out-dir", "out")
        assert result.exit_code == 0, result.output
        assert (project / "out" / "small.pdf").read_bytes() == clean_deck
        assert len(warnings(result)) == 1, result.stderr
        assert "No space left on device" in warnings(result)[0]
        assert not temporary_files(disk)


# --- paths a recipe names ---------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the project with a secret-looking file in it."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "shadow").write_text(f"root:{SECRET}1:20228:0:99999:7:::\n"
                                   f"daemon:{SECRET}2:1:\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("how", ["absolute", "dot-dot", "link"])
@pytest.mark.parametrize("command", ["deck", "build"])
def test_a_recipe_never_reads_outside_the_project(project: Path, outside: Path, how: str,
                                                  command: str) -> None:
    if how == "absolute":
        named = str(outside / "shadow")
    elif how == "dot-dot":
        named = os.path.relpath(outside / "shadow", project / "deck")
    else:
        (project / "deck" / "innocent.yaml").symlink_to(outside / "shadow")
        named = "innocent.yaml"
    recipe(project / "deck" / "evil.yaml", extra_questions=named)
    args = ["deck", "--recipe", "deck/evil.yaml"] if command == "deck" else \
        ["build", "deck/evil.yaml"]
    result = run(*args)
    message = errors(result, 1)[-1]
    assert message == ("deck/evil.yaml:7: extra_questions: expected a file in the recipe's "
                       f"folder (deck) or below it, got {named!r}")
    assert SECRET not in result.output


SECRET_FILES = {
    "not YAML for us": f"root:{SECRET}1:20228:0:99999:7:::\ndaemon:{SECRET}2:1:\n",
    "wrong types and keys": (f"theme: {SECRET}THEME\nquestions:\n  - id: {SECRET}ID\n"
                             f"    group: {SECRET} text\n    personal: {SECRET.lower()} x?\n"
                             f"    {SECRET}KEY: 1\n"),
    "rule breaks": (f"theme: netwerkvorming\nquestions:\n  - id: netwerkvorming-{SECRET.lower()}\n"
                    f"    group: {SECRET} without a question mark\n    personal: Een {SECRET}?\n"
                    f"  - group: Een {SECRET}?\n    personal: Een {SECRET}?\n"),
    "a scalar": f'"{SECRET}"\n',
    "duplicate keys": f"theme: netwerkvorming\n{SECRET}: 1\n{SECRET}: 2\nquestions: {SECRET}\n",
    "an unknown theme": (f"theme: {SECRET.lower()}\nquestions:\n"
                         "  - group: Wie?\n    personal: Wat?\n"),
}


@pytest.mark.parametrize("case", list(SECRET_FILES))
@pytest.mark.parametrize("option", ["--questions", "--recipe"])
def test_errors_never_quote_a_file_outside_the_project(project: Path, outside: Path,
                                                       case: str, option: str) -> None:
    """A file given on the command line may be read, but if it lies outside the project its
    errors name lines and kinds of problems, never a key or a value it holds."""
    path = outside / "given.yaml"
    path.write_text(SECRET_FILES[case], encoding="utf-8")
    result = run(*DECK, option, path, "-o", "x.pdf")
    messages = errors(result, 1)
    assert SECRET not in result.output and SECRET.lower() not in result.output, result.output
    assert all(m.startswith(f"{path}:") for m in messages), messages


def test_errors_quote_a_file_inside_the_project(project: Path) -> None:
    (project / "mine.yaml").write_text("theme: netwerkvorming\nquestions:\n"
                                       "  - group: Zonder vraagteken\n    personal: Wat?\n")
    message = one_error(run(*DECK, "--questions", "mine.yaml", "-o", "x.pdf"), 1)
    assert message == ("mine.yaml:3: netwerkvorming-eigen-1.group: expected a question ending "
                       "with '?', got 'Zonder vraagteken'")


# --- the cache heals --------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def _unsealed(path: Path) -> None:
    path.write_bytes(path.read_bytes()[path.read_bytes().index(b"\n") + 1 :])


def _swapped(path: Path) -> None:
    """Another entry's bytes (sealed and whole) under this one's name."""
    others = sorted(p for p in path.parent.parent.rglob(f"*{path.suffix}") if p != path)
    if others:
        path.write_bytes(others[0].read_bytes())
    else:
        path.write_bytes(seal(b"another entry", "another" + path.suffix))


DAMAGE = {"truncated": _truncate, "garbage": _garbage, "unsealed": _unsealed,
          "swapped": _swapped,
          "empty": lambda p: p.write_bytes(b""), "deleted": lambda p: p.unlink()}
KINDS = {"faces": "faces/*/*.face", "fit records": "fit/*/*.fit", "fonts": "fonts/*.blob",
         "artwork": "artwork/*.blob", "templates": "templates/*.jinja",
         "hyphenation": "hyphenation/*.pickle"}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Path:
    """A cache holding every kind of entry (the one-card deck built into it)."""
    import pyphen

    from kaartspel.render import face_batch, hyphenation
    from kaartspel.render import templates as style

    folder = tmp_path_factory.mktemp("warm")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        # As in a fresh process: nothing drawn, parsed or compiled in memory yet.
        patch.setattr(face_batch, "_ARTWORK", {})
        patch.setattr(hyphenation, "_attempted", set())
        patch.setattr(pyphen, "hdcache", {})
        style._environment.cache_clear()
        build_deck(content_dir, SMALL, folder / "deck.pdf", FaceCache(folder / "cache"))
    for kind, pattern in KINDS.items():
        assert list((folder / "cache").glob(pattern)), kind
    return folder / "cache"


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_damaged_cache_gives_the_same_deck(tmp_path: Path, content_dir: Path,
                                             warm_cache: Path, clean_deck: bytes, kind: str,
                                             damage: str, caplog: pytest.LogCaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every entry of one kind damaged: the deck is byte for byte the clean one, each bad
    entry is replaced by a good one, and one warning (per cache) says so."""
    import kaartspel.cache

    monkeypatch.setattr(kaartspel.cache, "_warned", set())
    monkeypatch.setattr(kaartspel.cache, "_said", set())
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    entries = sorted(cache.glob(KINDS[kind]))
    if damage == "swapped" and len(entries) > 1:
        # Every entry gets the next one's bytes (swapping them one by one would give an
        # entry its own bytes back).
        originals = [entry.read_bytes() for entry in entries]
        for entry, data in zip(entries, originals[1:] + originals[:1], strict=True):
            entry.write_bytes(data)
    else:
        for entry in entries:
            DAMAGE[damage](entry)
    damaged = {entry: entry.read_bytes() for entry in entries if entry.exists()}
    if kind in ("artwork", "templates", "hyphenation"):
        # Read only when a face is rendered, in a fresh process: make it so.
        import pyphen

        from kaartspel.render import face_batch, hyphenation
        from kaartspel.render import templates as style

        shutil.rmtree(cache / "faces")
        monkeypatch.setattr(face_batch, "_ARTWORK", {})
        monkeypatch.setattr(hyphenation, "_attempted", set())
        monkeypatch.setattr(pyphen, "hdcache", {})
        style._environment.cache_clear()
    with caplog.at_level(logging.WARNING, logger="kaartspel"):
        build_deck(content_dir, SMALL, tmp_path / "deck.pdf", FaceCache(cache), jobs=1)
    assert (tmp_path / "deck.pdf").read_bytes() == clean_deck
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said in ([], ["damaged entries in the cache cache are discarded and rebuilt"]), said
    if damage != "deleted":
        assert said, "a damaged entry the deck needed was used without a word"
    # An entry that was read is good now; one the build did not need may still be damaged
    # (it is checked whenever it is read).
    after = {entry: entry.read_bytes() for entry in cache.glob(KINDS[kind])}
    for entry, data in after.items():
        good = kaartspel.cache.unseal(data, entry.name) is not None
        assert good or damaged.get(entry) == data, entry
    if kind == "faces":
        assert any(kaartspel.cache.unseal(data, e.name) for e, data in after.items())


@pytest.mark.parametrize("record", [
    {"9.5": [True, "x"]}, {"9.5": [0.0]}, {"9.5": [-1.0, 0.5]}, {"9.5": ["0", "1"]},
    {"9.5": [float("nan"), 0.5]}, ["not", "a", "mapping"], {"9.5": {"overflow": 0}},
])
def test_a_wrong_typed_fit_record_is_discarded(tmp_path: Path, content_dir: Path,
                                               warm_cache: Path, clean_deck: bytes,
                                               record: object) -> None:
    """Sealed (so not damaged bytes) but not a fit record: never used (it set the type size
    half a point smaller), discarded and measured again."""
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    for entry in cache.glob(KINDS["fit records"]):
        entry.write_bytes(seal(json.dumps(record).encode(), entry.name))
    build_deck(content_dir, SMALL, tmp_path / "deck.pdf", FaceCache(cache), jobs=1)
    assert (tmp_path / "deck.pdf").read_bytes() == clean_deck


def test_faces_removed_during_a_render_are_rendered_again(tmp_path: Path, content_dir: Path,
                                                          warm_cache: Path, clean_deck: bytes,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """``build --clean`` in another terminal while a deck is placed: the faces it was about
    to read are gone; they are rendered again (this was a FileNotFoundError traceback)."""
    from kaartspel.deck import face_store

    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    real = face_store.FaceStore.pdf
    removed: list[bool] = []

    def pdf_after_removal(self: face_store.FaceStore, face: object, base: float) -> bytes:
        if not removed:
            shutil.rmtree(cache / "faces")  # a real deletion, at the worst moment
            removed.append(True)
        return real(self, face, base)  # type: ignore[arg-type]

    monkeypatch.setattr(face_store.FaceStore, "pdf", pdf_after_removal)
    build_deck(content_dir, SMALL, tmp_path / "deck.pdf", FaceCache(cache), jobs=1)
    assert removed and (tmp_path / "deck.pdf").read_bytes() == clean_deck


MANIFESTS = {
    "not JSON": b"{\"version\": 1, \"outputs\": {",
    "a list": b"[1, 2, 3]",
    "not UTF-8": b"\xff\xfe\x00garbage",
    "an entry of the wrong type": json.dumps({"version": 1, "outputs": {"small.pdf": 5}}).encode(),
    "fields of the wrong type": json.dumps({"version": 1, "outputs": {"small.pdf": {
        "inputs": 1, "size": "big", "mtime_ns": None}}}).encode(),
    "a name with a folder": json.dumps({"version": 1, "outputs": {"../small.pdf": {
        "inputs": "x", "size": 1, "mtime_ns": 1}}}).encode(),
}


@pytest.mark.parametrize("case", list(MANIFESTS))
def test_a_malformed_manifest_is_ignored_with_a_warning(project: Path, case: str) -> None:
    assert run("build", "deck/small.yaml").exit_code == 0
    manifest = project / "build" / ".cache" / "outputs.json"
    manifest.write_bytes(MANIFESTS[case])
    result = run("build", "deck/small.yaml")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    (warning,) = warnings(result)
    assert "build/.cache/outputs.json" in warning, warning
    again = run("build", "deck/small.yaml")  # the manifest was rewritten: now a no-op
    assert "0 built, 1 up to date" in again.stdout, again.stdout
    assert not warnings(again)


def test_clean_removes_only_what_kaartspel_wrote(project: Path, tmp_path: Path) -> None:
    """A forged manifest (a pull request can bring one) names files that are not outputs:
    ``--clean`` removes the outputs and the cache's own folders, nothing else."""
    assert run("build", "deck/small.yaml").exit_code == 0
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(SENTINEL)
    (project / "build" / "mine.txt").write_text("my notes\n")
    (project / "build" / "notes.pdf").write_bytes(SENTINEL)  # not named by any recipe
    (project / "build" / "link.pdf").symlink_to(victim)
    (project / "build" / ".cache" / "kept.txt").write_text("kept\n")
    forged = {name: {"inputs": "x", "size": 1, "mtime_ns": 1} for name in [
        "../victim.pdf", str(victim), "../../content/nl/meta.yaml", "mine.txt", "link.pdf"]}
    manifest = project / "build" / ".cache" / "outputs.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({"version": 1, "outputs": {**data["outputs"], **forged}}))
    result = run("build", "deck/small.yaml", "--clean")
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == SENTINEL
    assert (project / "content/nl/meta.yaml").read_bytes() == \
        (REPO / "content/nl/meta.yaml").read_bytes()
    assert (project / "build" / "mine.txt").is_file()
    assert (project / "build" / "notes.pdf").read_bytes() == SENTINEL
    assert (project / "build" / ".cache" / "kept.txt").is_file()
    assert not (project / "build" / "link.pdf").exists()  # the link only: it was named
    assert (project / "build" / "small.pdf").is_file()  # built again after the clean


# --- one line for every failure ---------------------------------------------------------------


def _loops(root: Path) -> None:
    (root / "loop").symlink_to(root / "loop2")
    (root / "loop2").symlink_to(root / "loop")


LOOP = "Too many levels of symbolic links"
LONG = "x" * 300
NOT_UTF8 = os.fsdecode(b"caf\xe9")


def _encrypted(root: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(root / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))


def _recursive_include(root: Path) -> None:
    (root / "tpl" / "card").mkdir(parents=True)
    (root / "tpl" / "card" / "question.html").write_text('{% include "card/question.html" %}\n')


def _recursive_macro(root: Path) -> None:
    (root / "tpl" / "card").mkdir(parents=True)
    (root / "tpl" / "card" / "question.html").write_text(
        "{% macro m(x) %}{{ m(x) }}{% endmacro %}{{ m(1) }}\n")


def _non_utf8_content_file(root: Path) -> None:
    (root / "content" / "nl" / os.fsdecode(b"caf\xe9.yaml")).write_text("meta: [\n")


def _non_utf8_recipe(root: Path) -> None:
    shutil.copy(root / "deck" / "small.yaml", root / "deck" / f"{NOT_UTF8}.yaml")
    (root / "deck" / "small.yaml").unlink()


FAILURES: dict[str, tuple[Callable[[Path], None] | None, list[str], int, str]] = {
    # name: (setup, arguments, exit code, the message)
    "link loop: preflight": (_loops, ["preflight", "loop"], 2, f"cannot use file loop: {LOOP}"),
    "link loop: --content": (_loops, ["--content", "loop", "check"], 2,
                             f"cannot use content folder loop: {LOOP}"),
    "link loop: --templates": (_loops, [*DECK, "--templates", "loop", "-o", "x.pdf"], 2,
                               f"cannot use template folder loop: {LOOP}"),
    "link loop: -o": (_loops, [*DECK, "-o", "loop"], 2, f"cannot use output loop: {LOOP}"),
    "link loop: watch": (_loops, ["watch", "loop", "--max-rebuilds", "1"], 2,
                         f"cannot use recipe loop: {LOOP}"),
    "link loop: build": (_loops, ["build", "loop"], 2, f"cannot use recipe loop: {LOOP}"),
    "link loop: build --out-dir": (_loops, ["build", "--out-dir", "loop"], 2,
                                   f"cannot use output folder loop: {LOOP}"),
    "link loop: --questions": (_loops, [*DECK, "--questions", "loop", "-o", "x.pdf"], 2,
                               f"cannot use questions file loop: {LOOP}"),
    "link loop: preview": (_loops, ["preview", "loop"], 2, f"cannot use file loop: {LOOP}"),
    "name too long: preflight": (None, ["preflight", f"{LONG}.pdf"], 2,
                                 f"cannot use file {LONG}.pdf: File name too long"),
    "name too long: --content": (None, ["--content", LONG, "check"], 2,
                                 f"cannot use content folder {LONG}: File name too long"),
    "name too long: --recipe": (None, ["deck", "--recipe", f"{LONG}.yaml"], 2,
                                f"cannot use recipe {LONG}.yaml: File name too long"),
    "name too long: build": (None, ["build", f"{LONG}.yaml"], 2,
                             f"cannot use recipe {LONG}.yaml: File name too long"),
    "not UTF-8: --questions": (None, [*DECK, "--questions", f"{NOT_UTF8}.yaml", "-o", "x.pdf"],
                               2, "questions file not found: caf\\udce9.yaml"),
    "not UTF-8: a content file": (_non_utf8_content_file, ["check"], 1,
                                  "content/nl/caf\\udce9.yaml:2: YAML syntax error: expected the "
                                  "node content, but found '<stream end>'"),
    "not UTF-8: --size": (None, ["deck", "--size", NOT_UTF8, "-o", "x.pdf"], 2,
                          "unknown card size 'caf\\udce9' (use one of poker, bridge, tarot, "
                          "mini, square, a7, a6 or WxH in mm, e.g. 80x120)"),
    "password-protected PDF": (_encrypted, ["preflight", "locked.pdf"], 2,
                               "cannot read locked.pdf: it is protected by a password; "
                               "preflight a copy saved without one"),
    "recursive include": (_recursive_include, [*DECK, "--templates", "tpl", "-o", "x.pdf"], 1,
                          "tpl/card/question.html:1: template error: includes or calls itself "
                          "without end (card '…"),
    "recursive macro": (_recursive_macro, [*DECK, "--templates", "tpl", "-o", "x.pdf"], 1,
                        "tpl/card/question.html:1: template error: includes or calls itself "
                        "without end (card '…"),
    "SOURCE_DATE_EPOCH past 9999: deck": (None, [*DECK, "-o", "x.pdf"], 2,
                                          "SOURCE_DATE_EPOCH=253402300800 is after the year "
                                          "9999; give the seconds since 1970 of a real date"),
    "SOURCE_DATE_EPOCH past 9999: poster": (None, ["poster", "--size", "a4", "-o", "x.pdf"], 2,
                                            "SOURCE_DATE_EPOCH=253402300800 is after the year "
                                            "9999; give the seconds since 1970 of a real date"),
}
EPOCH = {"SOURCE_DATE_EPOCH": "253402300800"}  # 10000-01-01


@pytest.mark.parametrize("case", list(FAILURES))
def test_every_failure_is_one_line(project: Path, case: str) -> None:
    setup, args, code, message = FAILURES[case]
    if setup is not None:
        setup(project)
    result = run(*args, env=EPOCH if "SOURCE_DATE_EPOCH" in case else None)
    got = one_error(result, code)
    # "…" ends a message whose rest names a card the type-size search happened to render first.
    assert got.startswith(message[:-1]) if message.endswith("…") else got == message
    assert not temporary_files(project)


def test_a_non_utf8_recipe_name_builds(project: Path) -> None:
    _non_utf8_recipe(project)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "built small.pdf" in result.stdout


def test_source_date_epoch_past_9999_in_build(project: Path) -> None:
    result = run("build", "deck/small.yaml", env=EPOCH)
    assert errors(result, 2) == ["deck/small.yaml: SOURCE_DATE_EPOCH=253402300800 is after "
                                 "the year 9999; give the seconds since 1970 of a real date"]


def test_verbose_still_shows_the_traceback(project: Path) -> None:
    _loops(project)
    result = run("--verbose", "preflight", "loop")
    assert result.exit_code == 2
    assert result.stderr.rstrip().splitlines()[-1] == f"Error: cannot use file loop: {LOOP}"


def test_an_unexpected_error_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last net in the CLI: a bug is still one line (with --verbose, its traceback)."""
    import kaartspel.cli.commands

    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(kaartspel.cli.commands, "run_check", broken)
    assert one_error(run("check"), 1) == ("internal error: ZeroDivisionError: a bug (run again "
                                          "with --verbose for the traceback, and please report "
                                          "it)")
    assert "Traceback" in run("--verbose", "check").stderr


# --- real processes: signals and two builds at once -------------------------------------------


def _interrupt(args: list[str], cwd: Path, delay: float, sig: int = signal.SIGINT
               ) -> tuple[int, list[str], list[str]]:
    """Start ``kaartspel *args*``, send *sig* to its process group after *delay*; return its
    exit code, its stderr lines and the processes of its group still alive after it."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen([sys.executable, "-m", "kaartspel.cli.launch", *args], cwd=cwd,
                               env=env, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    os.killpg(process.pid, sig)
    _, stderr = process.communicate(timeout=120)
    time.sleep(0.5)
    alive = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True,
                           check=False).stdout.split()
    return process.returncode, stderr.splitlines(), alive


@pytest.mark.slow
@pytest.mark.parametrize(("args", "delay"), [
    # Early (the first rounds) and late (placing): a cold deck now takes about 1.9 s here.
    (["deck", "--lang", "nl", "-o", "out.pdf"], 0.8),
    (["deck", "--lang", "nl", "-o", "out.pdf"], 1.4),
    (["build", "--jobs", "2"], 2.5),
])
def test_ctrl_c_is_one_line_and_ends_every_worker(project: Path, args: list[str],
                                                  delay: float) -> None:
    recipe(project / "deck" / "second.yaml", size="a6")
    (project / "deck" / "full.yaml").write_text("type: deck\nlang: en\noutput: full.pdf\n")
    code, stderr, alive = _interrupt(args, project, delay)
    if code == 0:
        pytest.skip("finished before the interrupt (a fast machine)")
    assert code == 130, stderr
    assert len(stderr) == 1 and stderr[0].startswith("Error: interrupted"), stderr
    assert alive == []
    assert not temporary_files(project)


@pytest.mark.slow
def test_sigterm_unwinds_like_ctrl_c(project: Path) -> None:
    code, stderr, alive = _interrupt(["deck", "--lang", "en", "-o", "out.pdf"], project, 1.2,
                                     signal.SIGTERM)
    if code == 0:
        pytest.skip("finished before the signal (a fast machine)")
    assert code == 143, stderr
    assert stderr == ["Error: terminated; no output was written"]
    assert alive == [] and not temporary_files(project)
    assert not (project / "out.pdf").exists()


@pytest.mark.slow
def test_two_builds_at_once_leave_a_manifest_of_both(project: Path) -> None:
    """Two ``kaartspel build`` at the same time (two terminals, two CI jobs): afterwards the
    manifest knows every output, so the next build is a no-op."""
    for name, size in (("second", "a6"), ("third", "mini"), ("fourth", "a7")):
        recipe(project / "deck" / f"{name}.yaml", size=size)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    command = [sys.executable, "-m", "kaartspel.cli.launch", "build", "--jobs", "2"]
    first = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    for process in (first, second):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, out + err
    result = kaartspel(["build"], project)
    assert result.returncode == 0, result.stderr
    assert "0 built, 4 up to date" in result.stdout, result.stdout
    assert not temporary_files(project)


# --- content that misbehaves -----------------------------------------------------------------

REFUSED_CHARACTERS = {
    "\u202e": "the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)",
    "\u202a": "the bidirectional control U+202A (LEFT-TO-RIGHT EMBEDDING)",
    "\u2066": "the bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE)",
    "\u2069": "the bidirectional control U+2069 (POP DIRECTIONAL ISOLATE)",
    "\u200f": "the bidirectional control U+200F (RIGHT-TO-LEFT MARK)",
    "\u2028": "the line separator U+2028",
    "\u2029": "the paragraph separator U+2029",
    "\u2060": "the invisible format character U+2060 (WORD JOINER)",
    "\ufeff": "the invisible format character U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
    "\U000e0041": "the invisible format character U+E0041 (TAG LATIN CAPITAL LETTER A)",
    " \u200d": "the invisible format character U+200D (ZERO WIDTH JOINER) outside a word",
}


@pytest.mark.parametrize("character", list(REFUSED_CHARACTERS))
def test_check_refuses_characters_that_change_rendering(make_content: ContentTree,
                                                        character: str) -> None:
    escaped = character.encode("unicode_escape").decode()
    make_content.patch("nl", "essentials.yaml", "Hoe vullen jullie elkaar aan?",
                       f"Hoe vullen{escaped} jullie elkaar aan?")
    line = make_content.line_of("nl", "essentials.yaml", "Hoe vullen")
    expected = (f"content/nl/essentials.yaml:{line}: essentials.themes.netwerkvorming."
                f"questions[1].group: contains {REFUSED_CHARACTERS[character]}; remove it")
    assert one_error(run("check"), 1) == expected
    assert one_error(run(*DECK, "-o", "x.pdf"), 1) == expected  # the build agrees


@pytest.mark.parametrize("text", ["Hoe vul\u00adlen jullie elkaar aan?",
                                  "Hoe vullen jul\u200blie elkaar aan?",
                                  "Hoe vullen jul\u200clie elkaar aan?"])
def test_check_allows_the_soft_hyphen_and_joiners_inside_words(make_content: ContentTree,
                                                               text: str) -> None:
    escaped = text.encode("unicode_escape").decode()
    make_content.patch("nl", "essentials.yaml", "Hoe vullen jullie elkaar aan?", escaped)
    assert run("check").exit_code == 0


def test_a_weasyprint_message_is_not_cut_at_a_separator(project: Path) -> None:
    (project / "tpl").mkdir()
    css = (REPO / "templates" / "cards.css").read_text(encoding="utf-8")
    (project / "tpl" / "cards.css").write_text(css + "\n.q-group { colr: a\u2028b; }\n",
                                               encoding="utf-8")
    message = one_error(run(*DECK, "--templates", "tpl", "-o", "x.pdf"), 1)
    assert "colr: a\\u2028b" in message and message.endswith("use --no-strict to build anyway")


# --- templates and icons ----------------------------------------------------------------------


def test_a_card_run_over_its_page_names_card_and_templates(project: Path) -> None:
    """A template that makes every question card run over its page: the error names a
    question card that does (the size search may meet one of the content's first) and the
    templates to fix."""
    (project / "tpl").mkdir()
    page = (REPO / "templates" / "cards.html").read_text(encoding="utf-8")
    include = '{% include "card/" ~ card.kind ~ ".html" %}'
    assert include in page
    (project / "tpl" / "cards.html").write_text(page.replace(include, include + (
        '{% if card.kind == "question" %}</section>'
        '<section class="card" style="{{ card.size_style }}">more{% endif %}')))
    message = one_error(run("deck", "--card", "title", "--card", "netwerkvorming-2",
                            "--backs", "none", "--templates", "tpl", "-o", "x.pdf"), 1)
    questions = {card.id for card in build_cards(load_content(REPO / "content", "nl"))
                 if card.kind == "question"}
    match = re.fullmatch(
        r"card '([a-z0-9-]+)' takes 2 pages \(\d+ card\(s\) laid out on \d+ pages\); its "
        + re.escape(f"templates ({display(REPO / 'templates/card/question.html')}, "
                    "tpl/cards.html) must keep each card on one page: fix them"), message)
    assert match is not None, message
    assert match[1] in questions


def display(path: Path) -> str:
    from kaartspel.errors import display_path

    return display_path(path)


def test_a_malformed_icon_is_an_error_in_strict_mode(project: Path) -> None:
    (project / "tpl" / "icons").mkdir(parents=True)
    svg = (REPO / "templates" / "icons" / "netwerkvorming.svg").read_text(encoding="utf-8")
    (project / "tpl" / "icons" / "netwerkvorming.svg").write_text(svg[:200], encoding="utf-8")
    args = [*DECK, "--templates", "tpl", "-o", "x.pdf"]
    message = one_error(run(*args), 1)
    assert message.startswith("tpl/icons/netwerkvorming.svg: malformed SVG icon: unclosed token")
    assert message.endswith("; fix the icon (or use --no-strict to build anyway)")
    relaxed = run(*args, "--no-strict")
    assert relaxed.exit_code == 0, relaxed.output
    (warning,) = warnings(relaxed)
    assert "malformed SVG icon" in warning


# --- preflight is bounded ---------------------------------------------------------------------


def _one_stream_pdf(path: Path, data: bytes, filters: list[str]) -> Path:
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, data)
    if filters:
        stream.Filter = pikepdf.Array([pikepdf.Name(f) for f in filters])
    page.obj.Contents = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=False)
    return path


def _lzw_encode(data: bytes) -> bytes:
    """Encode *data* as PDF LZW (early change), for the decoder's test."""
    out = bytearray()
    bits = value = 0
    width = 9

    def emit(code: int) -> None:
        nonlocal bits, value
        value, bits = (value << width) | code, bits + width
        while bits >= 8:
            bits -= 8
            out.append((value >> bits) & 0xFF)

    table = {bytes([i]): i for i in range(256)}
    next_code = 258
    emit(256)
    word = b""
    for byte in data:
        candidate = word + bytes([byte])
        if candidate in table:
            word = candidate
            continue
        emit(table[word])
        table[candidate] = next_code
        next_code += 1
        if next_code >= (1 << width) and width < 12:
            width += 1
        if next_code >= 4094:
            emit(256)
            table = {bytes([i]): i for i in range(256)}
            next_code, width = 258, 9
        word = bytes([byte])
    if word:
        emit(table[word])
    emit(257)
    if bits:
        out.append((value << (8 - bits)) & 0xFF)
    return bytes(out)


CONTENT = b"BT /F1 12 Tf 72 712 Td (preflight reads this) Tj ET\n" * 400
ENCODED = {
    "flate": ([b"/FlateDecode"], lambda d: zlib.compress(d)),
    "ascii hex": ([b"/ASCIIHexDecode"], lambda d: d.hex().encode() + b">"),
    "ascii85": ([b"/ASCII85Decode"], lambda d: base64.a85encode(d) + b"~>"),
    "run length": ([b"/RunLengthDecode"],
                   lambda d: b"".join(bytes([len(d[i:i + 128]) - 1]) + d[i:i + 128]
                                      for i in range(0, len(d), 128)) + b"\x80"),
    "lzw": ([b"/LZWDecode"], _lzw_encode),
    "ascii85 of flate": ([b"/ASCII85Decode", b"/FlateDecode"],
                         lambda d: base64.a85encode(zlib.compress(d)) + b"~>"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_bounded_decoding_agrees_with_pikepdf(tmp_path: Path, name: str) -> None:
    filters, encode = ENCODED[name]
    path = _one_stream_pdf(tmp_path / "one.pdf", encode(CONTENT),
                           [f.decode() for f in filters])
    with pikepdf.open(path) as pdf:
        stream = pdf.pages[0].obj.Contents
        level = pikepdf.StreamDecodeLevel.specialized  # QPDF decodes RunLength from here
        assert stream.read_bytes(level) == CONTENT  # the encoding above is right
        assert decoded_size(stream, 10**9) == len(CONTENT)
        assert decoded_size(stream, 1000) == 1001  # stops as soon as it passes the limit


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PDF of about 100 KB whose one content stream inflates to 100 MB of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()
    return _one_stream_pdf(tmp_path_factory.mktemp("bomb") / "bomb.pdf", data, ["/FlateDecode"])


def test_preflight_of_a_decompression_bomb_fails_fast(bomb: Path) -> None:
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    result = run("preflight", str(bomb))
    assert one_error(result, 1) == ("page 1: a content stream inflates to more than 8 MB "
                                    "(a decompression bomb?); not checked")
    assert time.monotonic() - started < 10


def test_preflight_of_forms_drawing_forms_stops_in_time(tmp_path: Path) -> None:
    """Eight forms drawing eight forms, twelve deep: 8^12 parses; the time budget stops it."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    def form(data: bytes) -> pikepdf.Stream:
        stream = pdf.make_stream(data)
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        stream.BBox = [0, 0, 1, 1]
        return stream

    inner = form(b"0 0 m 1 1 l S")
    for _ in range(12):
        outer = form(b" ".join([b"/F Do"] * 8))
        outer.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(F=inner))
        inner = outer
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(F=inner))
    page.obj.Contents = pdf.make_stream(b"/F Do")
    started = time.monotonic()
    report = check_pdf(pdf, "forms.pdf", budget=Budget(seconds=1.0))
    assert time.monotonic() - started < 5
    assert report.failures == ["document: preflight stopped after 1 s (its time budget); the "
                               "file was not checked completely"]


def test_kaartspel_outputs_are_far_within_the_budget(clean_deck: bytes) -> None:
    with pikepdf.open(io.BytesIO(clean_deck)) as pdf:
        budget = Budget()
        report = check_pdf(pdf, "deck.pdf", budget=budget)
    assert report.ok, report.failures
    used = preflight_module.MAX_DOCUMENT_BYTES - budget.left
    assert used < preflight_module.MAX_DOCUMENT_BYTES / 100

