"""The render helper and faces placed while they render: same PDFs, the same errors, faster.

Timing is the benchmark's business; these tests check that the shortcuts never change what
is built or reported, and that they fall back when the helper is gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kaartspel.deck.type_size
from conftest import ContentTree
from kaartspel.cache import FaceCache
from kaartspel.deck.assemble import DeckResult, build_deck
from kaartspel.deck.workers import RenderHelper, command_of
from kaartspel.errors import KaartspelError
from kaartspel.options import DeckOptions

THEME = DeckOptions(lang="nl", themes=("netwerkvorming", "rollen"))


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["deck", "--recipe", "deck/trainer-nl.yaml"], "deck"),
        (["-v", "--content", "my-content", "deck"], "deck"),
        (["--content", "deck", "list"], "list"),  # a folder called deck is no command
        (["--help"], None),
        ([], None),
    ],
)
def test_command_of(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def build(content: Path, out: Path, cache_dir: Path, helper: RenderHelper | None = None,
          jobs: int = 1, options: DeckOptions = THEME) -> DeckResult:
    return build_deck(content, options, out, cache=FaceCache(cache_dir), jobs=jobs,
                      helper=helper)


def test_a_deck_rendered_by_the_helper_is_the_same(content_dir: Path, tmp_path: Path) -> None:
    plain = build(content_dir, tmp_path / "plain.pdf", tmp_path / "c1")
    with RenderHelper() as helper:
        helped = build(content_dir, tmp_path / "helped.pdf", tmp_path / "c2", helper)
        assert helper.jobs >= 1
    assert helped.rendered == plain.rendered
    assert helped.base_pt == plain.base_pt
    assert (tmp_path / "helped.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_a_dead_helper_is_not_needed(content_dir: Path, tmp_path: Path) -> None:
    plain = build(content_dir, tmp_path / "plain.pdf", tmp_path / "c1")
    helper = RenderHelper()
    helper._process.terminate()
    helper._process.join()
    helped = build(content_dir, tmp_path / "helped.pdf", tmp_path / "c2", helper)
    helper.close()
    assert helper.jobs == 0
    assert helped.base_pt == plain.base_pt
    assert (tmp_path / "helped.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_a_render_error_is_reported_as_without_helper(make_content: ContentTree,
                                                      tmp_path: Path) -> None:
    make_content.patch("nl", "essentials.yaml", "Hoe vullen jullie elkaar aan?",
                       "Hoe vullen jullie elkaar aan ☃?")
    errors = []
    for name, helper in (("plain", None), ("helped", RenderHelper())):
        with pytest.raises(KaartspelError) as caught:
            build(make_content.root, tmp_path / f"{name}.pdf", tmp_path / name, helper)
        if helper is not None:
            helper.close()
        errors.append(str(caught.value))
        assert not (tmp_path / f"{name}.pdf").exists()
    assert errors[0] == errors[1]
    assert "☃" in errors[0] or "U+2603" in errors[0]


def test_faces_placed_while_workers_render_them(content_dir: Path, tmp_path: Path) -> None:
    """Two worker processes render while the faces already there are placed: same PDF."""
    options = DeckOptions(lang="nl")
    serial = build(content_dir, tmp_path / "serial.pdf", tmp_path / "c1", options=options)
    parallel = build(content_dir, tmp_path / "parallel.pdf", tmp_path / "c2", jobs=2,
                     options=options)
    assert parallel.base_pt == serial.base_pt
    assert (tmp_path / "parallel.pdf").read_bytes() == (tmp_path / "serial.pdf").read_bytes()


def test_a_face_that_fails_while_placed_restarts_the_search(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probe the lightest faces instead of the wordiest: the first size found is too large,
    which only the faces rendered while the deck is placed show.  The deck must still come
    out at the right size, equal to a normal build."""
    options = DeckOptions(lang="nl")
    normal = build(content_dir, tmp_path / "normal.pdf", tmp_path / "c1", options=options)
    monkeypatch.setattr(kaartspel.deck.type_size, "_weight", lambda card: -len(card.title))
    misled = build(content_dir, tmp_path / "misled.pdf", tmp_path / "c2", jobs=2,
                   options=options)
    assert misled.base_pt == normal.base_pt
    assert (tmp_path / "misled.pdf").read_bytes() == (tmp_path / "normal.pdf").read_bytes()


def test_many_faces_go_to_workers_the_helper_forks(content_dir: Path, tmp_path: Path) -> None:
    """A full deck with two jobs: the helper forks the workers (WeasyPrint warm); same PDF."""
    options = DeckOptions(lang="nl")
    plain = build(content_dir, tmp_path / "plain.pdf", tmp_path / "c1", options=options)
    with RenderHelper() as helper:
        helped = build(content_dir, tmp_path / "helped.pdf", tmp_path / "c2", helper, jobs=2,
                       options=options)
        assert helper.jobs >= 2  # the deck's batches, each one result
    assert helped.base_pt == plain.base_pt
    assert (tmp_path / "helped.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _sibling_of(helper: RenderHelper) -> int:
    """Return the pid of the helper's second renderer, once it has forked it."""
    import time

    pid = helper.pid
    assert pid is not None
    for _ in range(200):
        children = _children(pid)
        if children:
            return children[0]
        time.sleep(0.05)
    raise AssertionError("the helper forked no second renderer")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_the_helper_keeps_a_second_renderer_and_does_without_it(
        content_dir: Path, tmp_path: Path) -> None:
    """The second core renders from a process forked once (warm for every round); when it
    is gone, the helper renders its share and the deck is the same."""
    import os
    import signal

    options = DeckOptions(lang="nl", themes=("netwerkvorming", "rollen", "ambities"))
    plain = build(content_dir, tmp_path / "plain.pdf", tmp_path / "c1", options=options)
    with RenderHelper() as helper:
        first = _sibling_of(helper)
        helped = build(content_dir, tmp_path / "helped.pdf", tmp_path / "c2", helper, jobs=2,
                       options=options)
        assert _sibling_of(helper) == first  # the same process for every round
        os.kill(first, signal.SIGKILL)
        alone = build(content_dir, tmp_path / "alone.pdf", tmp_path / "c3", helper, jobs=2,
                      options=options)
        assert helper.alive
    for result in (helped, alone):
        assert result.sizes == plain.sizes
    assert (tmp_path / "helped.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()
    assert (tmp_path / "alone.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


@pytest.mark.parametrize("command", [
    ["deck", "--theme", "netwerkvorming", "--theme", "rollen", "-o", "out.pdf"],  # helper, sibling
    ["poster", "--size", "a4", "-o", "poster.pdf"],
])
def test_no_temporary_file_is_left_behind(content_dir: Path, tmp_path: Path,
                                          command: list[str]) -> None:
    """WeasyPrint copies fonts to a temporary folder per font configuration; every process
    kaartspel starts lets go of them before it ends, so none is left in the temp folder."""
    import os
    import subprocess
    import sys

    temp = tmp_path / "temp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TMPDIR"] = str(temp)
    done = subprocess.run([sys.executable, "-m", "kaartspel.cli.launch", "--content",
                           str(content_dir), *command], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in temp.iterdir()) == []
