"""Render the golden card HTML files that tests/test_golden.py compares against.

Run ``make update-golden`` after an intended change to templates or content, then review
the diff of tests/golden/*.html like any other change.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
CARDS = {
    "nl": ["title", "howto", "intro-why-2", "theme-netwerkvorming", "level-3", "phase-2",
           "cyclus-reflectie", "netwerkvorming-2", "tip-4", "credits", "back-netwerkvorming"],
    "en": ["netwerkvorming-2", "level-5"],
}
BASE_PT = 9.0


def golden_html(lang: str, card_id: str) -> str:
    """Return the HTML of one card at a fixed size and type size, with paths made neutral."""
    from kaartspel.content.load import load_content
    from kaartspel.deck.assemble import back_cards
    from kaartspel.deck.cards import build_cards
    from kaartspel.deck.faces import CardRenderer, Geometry
    from kaartspel.render.templates import PACKAGE_TEMPLATES, TemplateSet
    from kaartspel.units import card_size

    content = load_content(ROOT / "content", lang)
    cards = build_cards(content)
    faces = {card.id: card for card in cards}
    faces.update({back.id: back for back in back_cards(content, cards, "theme").values()})
    renderer = CardRenderer(content, Geometry.for_card(card_size("poker"), 3.0),
                            TemplateSet.create())
    html = renderer.html([faces[card_id]], BASE_PT)
    # Font URLs are absolute file paths: make them machine-independent.
    return html.replace(PACKAGE_TEMPLATES.as_uri(), "TEMPLATES")


def main() -> int:
    """Write every golden file; print what changed."""
    for lang, ids in CARDS.items():
        for card_id in ids:
            path = GOLDEN / f"{lang}-{card_id}.html"
            html = golden_html(lang, card_id)
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old != html:
                path.write_text(html, encoding="utf-8")
                print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
