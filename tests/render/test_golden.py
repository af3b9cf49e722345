"""Golden HTML: the card templates' output for a few cards, compared byte for byte.

A failure shows exactly which markup changed; if the change is intended, run
``make update-golden`` and commit the new files with the template change.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
_spec = importlib.util.spec_from_file_location("golden_update", GOLDEN / "update.py")
assert _spec and _spec.loader
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

CASES = [(lang, card_id) for lang, ids in golden.CARDS.items() for card_id in ids]


@pytest.mark.parametrize(("lang", "card_id"), CASES, ids=[f"{lang}-{card}" for lang, card in CASES])
def test_card_html_matches_golden(lang: str, card_id: str) -> None:
    path = GOLDEN / f"{lang}-{card_id}.html"
    assert path.exists(), f"missing {path.name}: run `make update-golden`"
    expected = path.read_text(encoding="utf-8")
    actual = golden.golden_html(lang, card_id)
    assert actual == expected, f"{path.name} differs: run `make update-golden` if intended"


def test_golden_html_escapes_content_and_names_the_language() -> None:
    html = (GOLDEN / "nl-netwerkvorming-2.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    # The last two words tied by a no-break space: a short last word never stands alone.
    assert "Hoe vullen jullie elkaar\u00a0aan?" in html
    assert "TEMPLATES/fonts/SourceSans3-Regular.ttf" in html
    assert "file://" not in html, "machine-specific paths leak into the golden files"
