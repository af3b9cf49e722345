"""The cards' stylesheet is parsed once per process, and survives its font copies going."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kaartspel.content.load import load_content
from kaartspel.deck.cards import build_cards
from kaartspel.deck.faces import Geometry
from kaartspel.deck.variants import card_renderer
from kaartspel.render.document import release_fonts, render_document
from kaartspel.render.templates import TemplateSet
from kaartspel.units import card_size


def _document(content_dir: Path) -> tuple[str, TemplateSet]:
    content = load_content(content_dir, "nl")
    card = next(c for c in build_cards(content) if c.kind == "question")
    templates = TemplateSet.create()
    renderer = card_renderer("plain", content, Geometry.for_card(card_size("poker"), 3.0),
                             templates, True)
    return renderer.html([card], [9.6]), templates


def _font_folders(temp: Path) -> list[Path]:
    return sorted(temp.glob("weasyprint-*"))


def test_removed_font_copies_are_made_again(content_dir: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A temp folder cleaned under a long-running process (watch, serve) must not leave it
    drawing text without fonts: strict rendering would fail on every glyph."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    release_fonts()  # start from no cached configuration
    html, templates = _document(content_dir)
    render_document(html, templates, True, "test")
    folders = _font_folders(tmp_path)
    assert len(folders) == 1
    render_document(html, templates, True, "test")
    assert _font_folders(tmp_path) == folders  # parsed once: no second copy of the fonts
    shutil.rmtree(folders[0])
    render_document(html, templates, True, "test")  # strict: raises if a glyph is missing
    assert len(_font_folders(tmp_path)) == 1
    release_fonts()
    assert _font_folders(tmp_path) == []  # let go: WeasyPrint removes its copies
