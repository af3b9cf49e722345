"""Face cache correctness: what an edit re-renders, and that the cache never changes a PDF.

Speed is measured by ``make bench``, never here; these tests count the faces laid out
(``DeckResult.rendered``) and compare bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ContentTree
from kaartspel.cache import FaceCache
from kaartspel.deck.assemble import DeckResult, build_deck
from kaartspel.options import DeckOptions
from kaartspel.render import templates as style
from kaartspel.render.templates import PACKAGE_TEMPLATES

THEME = DeckOptions(lang="nl", themes=("netwerkvorming",))
"""A small deck (theme card, six question cards, one back) keeps these tests quick."""


def build(content: Path, out: Path, cache: FaceCache, options: DeckOptions = THEME) -> DeckResult:
    return build_deck(content, options, out, cache=cache, jobs=1)


@pytest.fixture
def cache(tmp_path: Path) -> FaceCache:
    return FaceCache(tmp_path / "cache")


def test_unchanged_deck_renders_nothing(make_content: ContentTree, tmp_path: Path,
                                        cache: FaceCache) -> None:
    first = build(make_content.root, tmp_path / "a.pdf", cache)
    again = build(make_content.root, tmp_path / "b.pdf", cache)
    assert first.rendered >= len(first.faces)
    assert again.rendered == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_editing_one_question_renders_that_card_only(make_content: ContentTree, tmp_path: Path,
                                                     cache: FaceCache) -> None:
    build(make_content.root, tmp_path / "before.pdf", cache)
    make_content.patch("nl", "essentials.yaml", "Hoe vullen jullie elkaar aan?",
                       "Waarin vullen jullie elkaar aan?")
    after = build(make_content.root, tmp_path / "after.pdf", cache)
    assert after.rendered == 1
    clean = build(make_content.root, tmp_path / "clean.pdf", FaceCache(tmp_path / "fresh"))
    assert (tmp_path / "after.pdf").read_bytes() == (tmp_path / "clean.pdf").read_bytes()
    assert clean.rendered >= len(clean.faces)


def test_a_template_change_renders_every_face(make_content: ContentTree, tmp_path: Path,
                                              cache: FaceCache) -> None:
    first = build(make_content.root, tmp_path / "a.pdf", cache)
    override = tmp_path / "my-templates"
    override.mkdir()
    css = (PACKAGE_TEMPLATES / "cards.css").read_text(encoding="utf-8")
    (override / "cards.css").write_text(css + "\n.q-group { letter-spacing: 0.01em; }\n",
                                        encoding="utf-8")
    changed = build(make_content.root, tmp_path / "b.pdf", cache,
                    DeckOptions(lang="nl", themes=("netwerkvorming",), templates=(override,)))
    assert changed.rendered >= len(changed.faces) == len(first.faces)


def test_a_font_change_renders_every_face(make_content: ContentTree, tmp_path: Path,
                                          cache: FaceCache) -> None:
    build(make_content.root, tmp_path / "a.pdf", cache)
    override = tmp_path / "my-templates"
    shutil.copytree(PACKAGE_TEMPLATES / "fonts", override / "fonts")
    font = next(p for p in sorted((override / "fonts").glob("*.ttf")))
    font.write_bytes(font.read_bytes() + b"\0\0\0\0")  # same glyphs, other bytes
    changed = build(make_content.root, tmp_path / "b.pdf", cache,
                    DeckOptions(lang="nl", themes=("netwerkvorming",), templates=(override,)))
    assert changed.rendered >= len(changed.faces)


def test_another_size_shares_no_faces(make_content: ContentTree, tmp_path: Path,
                                      cache: FaceCache) -> None:
    build(make_content.root, tmp_path / "a.pdf", cache)
    other = build(make_content.root, tmp_path / "b.pdf", cache,
                  DeckOptions(lang="nl", themes=("netwerkvorming",), size="a7"))
    assert other.rendered >= len(other.faces)


def test_compiled_templates_are_kept_and_a_cleaned_cache_is_no_error(
    make_content: ContentTree, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    style._environment.cache_clear()  # as in a fresh process: nothing compiled yet
    build(make_content.root, tmp_path / "a.pdf", FaceCache(cache_dir))
    assert list((cache_dir / "templates").glob("*.jinja"))
    shutil.rmtree(cache_dir)  # `kaartspel build --clean` while a watch process runs
    override = tmp_path / "my-templates"  # a template this process never compiled
    (override / "card").mkdir(parents=True)
    tip = (PACKAGE_TEMPLATES / "card" / "tip.html").read_text(encoding="utf-8")
    (override / "card" / "tip.html").write_text(tip + "\n", encoding="utf-8")
    result = build(make_content.root, tmp_path / "b.pdf", FaceCache(cache_dir),
                   DeckOptions(lang="nl", kinds=("tip",), templates=(override,)))
    assert result.rendered >= len(result.faces)


def test_faces_kept_in_memory_give_the_same_pdf(make_content: ContentTree, tmp_path: Path,
                                                cache: FaceCache) -> None:
    """``watch`` keeps prepared faces from one build to the next: the bytes must not change."""
    from kaartspel.deck.assemble import FaceLibrary

    library = FaceLibrary()
    build_deck(make_content.root, THEME, tmp_path / "first.pdf", cache=cache, jobs=1,
               library=library)
    assert library.faces
    make_content.patch("nl", "essentials.yaml", "Hoe vullen jullie elkaar aan?",
                       "Waarin vullen jullie elkaar aan?")
    kept = build_deck(make_content.root, THEME, tmp_path / "kept.pdf", cache=cache, jobs=1,
                      library=library)
    assert kept.rendered == 1
    build(make_content.root, tmp_path / "fresh.pdf", FaceCache(tmp_path / "fresh"))
    assert (tmp_path / "kept.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
