"""The decks a designer would sign: checked with the typography checker, sizes per card kind.

Every deck of the bundled content, nl and en, on poker, mini and A6 cards: no hyphen in a
question, heading, title, label or tip; no front more than 40 % empty; nothing under 7 pt;
reversed text 8 pt and bold.  And a card kind has one type size, whatever the selection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaartspel.cache import FaceCache
from kaartspel.content.load import load_content
from kaartspel.deck.assemble import DeckResult, build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.options import DeckOptions
from kaartspel.pdf.typecheck import FRONT_KINDS, check_design, content_hyphenated_words

DECKS = {
    # Mini cards hold the question and tip cards (the prose cards need more room).
    (lang, size): ("question", "tip") if size == "mini" else ()
    for lang in ("nl", "en") for size in ("poker", "mini", "a6")
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> FaceCache:
    return FaceCache(tmp_path_factory.mktemp("design-cache"))


@pytest.fixture(scope="module")
def hard_words(content_dir: Path, nl, en) -> set[str]:  # type: ignore[no-untyped-def]
    texts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    for content in (nl, en):
        collect(content.data.model_dump())
    return content_hyphenated_words(texts)


def build(content_dir: Path, out: Path, cache: FaceCache, **options: object) -> DeckResult:
    return build_deck(content_dir, DeckOptions(layout="single", **options), out,  # type: ignore[arg-type]
                      cache=cache)


@pytest.mark.parametrize(("lang", "size"), list(DECKS))
def test_deck_passes_the_design_check(content_dir: Path, tmp_path: Path, cache: FaceCache,
                                      hard_words: set[str], lang: str, size: str) -> None:
    kinds = DECKS[(lang, size)]
    result = build(content_dir, tmp_path / "deck.pdf", cache, lang=lang, size=size, kinds=kinds)
    report = check_design(result.path, hard_words=hard_words)
    assert report.failures() == []
    assert {k.kind for k in report.kinds()} >= set(kinds or FRONT_KINDS) | {"back"}
    fronts = [f for f in report.faces if f.front]
    assert len(fronts) == result.cards
    too_empty = [(f.page, f.kind, round(f.empty, 2)) for f in fronts if f.empty > 0.40]
    assert too_empty == []
    assert min(f.smallest for f in report.faces if f.smallest) >= 7.0
    assert [p for f in report.faces for p in f.reversed_problems] == []
    # Prose may break, strictly: never before a paragraph's last line.
    assert not any(b.last_line for f in report.faces for b in f.hyphens)
    if size == "poker":
        # The group question gets the large type it deserves.
        assert result.sizes["question"] * 1.2**2 >= 13.0


def test_a_question_has_one_size_whatever_the_selection(content_dir: Path, tmp_path: Path,
                                                        cache: FaceCache) -> None:
    """The full deck, one theme, one theme with the organiser's own questions: the same
    question card is set at the same size in all three, and own cards match the set's."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from kaartspel.pdf.typecheck import _glyphs

    own = tmp_path / "own.yaml"
    own.write_text("theme: netwerkvorming\nquestions:\n"
                   "  - id: netwerkvorming-eigen-1\n"
                   "    group: Wie mist er nog aan tafel bij ons?\n"
                   "    personal: Wie zou jij zelf willen uitnodigen?\n", encoding="utf-8")
    decks = {
        "full": build(content_dir, tmp_path / "full.pdf", cache, backs="none"),
        "theme": build(content_dir, tmp_path / "theme.pdf", cache, backs="none",
                       themes=("netwerkvorming",)),
        "own": build(content_dir, tmp_path / "own.pdf", cache, backs="none",
                     themes=("netwerkvorming",), extra_questions=own),
    }
    assert len({d.sizes["question"] for d in decks.values()}) == 1

    def question_size(result: DeckResult, card_id: str) -> float:
        document = pdfium.PdfDocument(result.path)
        try:
            page = document[result.faces.index(card_id)]
            semibold = [g.size for g in _glyphs(page, raw) if g.weight == 600]
            page.close()
        finally:
            document.close()
        return max(semibold)

    sizes = {name: question_size(d, "netwerkvorming-2") for name, d in decks.items()}
    assert len(set(sizes.values())) == 1, sizes
    assert question_size(decks["own"], "netwerkvorming-eigen-1") == sizes["full"]
    # The own card is marked and counted on its own; the set's numbers do not move.
    from conftest import pdf_page_texts

    texts = pdf_page_texts(decks["own"].path)
    assert "eigen 1/1" in texts[decks["own"].faces.index("netwerkvorming-eigen-1")]
    number = next(c.number for c in build_cards(load_content(content_dir, "nl"))
                  if c.id == "netwerkvorming-2")
    assert f"{number}/48" in texts[decks["own"].faces.index("netwerkvorming-2")]


def test_an_own_card_too_long_for_its_kind_is_named(content_dir: Path, tmp_path: Path,
                                                    cache: FaceCache) -> None:
    from kaartspel.errors import FitError

    own = tmp_path / "own.yaml"
    # As long as a question may be (170 letters), both of them: more than a poker card holds
    # at the size of the set's question cards.
    group = ("Hoe werken jullie samen met alle partners, bewoners, bedrijven en scholen in de "
             "regio aan opgaven die jullie samen kiezen, en hoe houden jullie dat vol?")
    personal = ("Wat doe jij zelf om partners, bewoners, bedrijven en scholen in de regio te "
                "betrekken bij de opgaven die jullie samen kiezen, en wat houdt jou tegen?")
    own.write_text("theme: netwerkvorming\nquestions:\n"
                   "  - id: netwerkvorming-eigen-1\n"
                   f"    group: {group}\n"
                   f"    personal: {personal}\n", encoding="utf-8")
    with pytest.raises(FitError, match=r"netwerkvorming-eigen-1.*size of the set's question"):
        build(content_dir, tmp_path / "x.pdf", cache, backs="none",
              themes=("netwerkvorming",), extra_questions=own)
