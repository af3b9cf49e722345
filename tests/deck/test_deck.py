"""Deck builds: what the PDFs say (text), their fonts, backs, page order, fit, and the CLI.

Text is extracted with pypdfium2 and compared by letters only, because hyphenation at line
ends inserts hyphens, and labels are set in capitals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner, Result

from conftest import ContentTree, letters, pdf_page_texts
from kaartspel.cli.app import app
from kaartspel.content import lint
from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.assemble import DeckResult, build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.errors import FitError, UsageError
from kaartspel.options import DeckOptions


@pytest.fixture(autouse=True)
def _work_in_tmp(in_tmp: Path) -> None:
    """Builds run from a temporary folder: nothing is written into the repository."""


def questions(content: Content, theme: str | None = None) -> list[str]:
    """Every question text (group and personal) of one theme or all themes."""
    found = [text for t in content.themes if theme in (None, t.id)
             for pair in t.questions for text in (pair.group, pair.personal)]
    if theme in (None, "cyclus"):
        found.append(content.data.cyclus.reflection)
    return found


def pdf_letters(path: Path) -> str:
    return letters("".join(pdf_page_texts(path)))


# --- text: every question and tip, and only the selected ones ------------------------------


def test_nl_deck_has_every_question_and_tip(nl_sheet_deck: DeckResult, nl: Content) -> None:
    text = pdf_letters(nl_sheet_deck.path)
    wanted = questions(nl) + [tip.text for tip in nl.data.tips.items]
    assert len(wanted) == 37 + 6
    missing = [q for q in wanted if letters(q) not in text]
    assert missing == [], f"not in the nl deck: {missing}"


def test_nl_deck_numbers_every_card_for_people(nl_sheet_deck: DeckResult, nl: Content) -> None:
    """The deck holds every card of the content, in order; each footer (but the title
    card's) shows its place in the set and in its theme, and no id is ever printed."""
    cards = build_cards(nl)
    ids = [card.id for card in cards]
    assert nl_sheet_deck.faces[: len(ids)] == ids
    text = "".join(pdf_page_texts(nl_sheet_deck.path)).replace("\u2010", "-")
    total = len(cards)
    unnumbered = [c.id for c in cards if not re.search(rf"(?<!\d){c.number}/{total}(?!\d)", text)]
    assert unnumbered == ["title"]
    assert "Netwerkvorming 2/4" in text
    # Ids are for machines: none of them (intro-why-3, theme-rollen, …) reaches the paper.
    assert [i for i in ids if "-" in i and i in text] == []


def test_one_theme_deck(theme_deck: DeckResult, nl: Content) -> None:
    text = pdf_letters(theme_deck.path)
    own = questions(nl, "netwerkvorming")
    assert len(own) == 6
    assert [q for q in own if letters(q) not in text] == []
    others = [q for q in questions(nl) if q not in own]
    assert len(others) == 31
    assert [q for q in others if letters(q) in text] == [], "other themes' questions present"
    # The theme card comes along; no other theme's texts, no tips.
    assert letters(nl.theme("netwerkvorming").text or "") in text
    assert not any(letters(tip.text) in text for tip in nl.data.tips.items)
    assert theme_deck.cards == 4
    assert theme_deck.faces == ["theme-netwerkvorming", "netwerkvorming-1", "netwerkvorming-2",
                                "netwerkvorming-3", "back-netwerkvorming"]


def test_en_deck_matches_nl_and_is_english(
    en_sheet_deck: DeckResult, nl_sheet_deck: DeckResult, nl: Content, en: Content
) -> None:
    assert en_sheet_deck.cards == nl_sheet_deck.cards == 48
    assert en_sheet_deck.pages == nl_sheet_deck.pages
    assert en_sheet_deck.faces == nl_sheet_deck.faces
    text = pdf_letters(en_sheet_deck.path)
    dutch = [q for q in questions(nl) if letters(q) in text]
    assert dutch == [], f"Dutch questions in the en deck: {dutch}"
    missing = [q for q in questions(en) if letters(q) not in text]
    assert missing == [], f"English questions missing: {missing}"


def test_document_language(nl_sheet_deck: DeckResult, en_sheet_deck: DeckResult) -> None:
    for result, lang in ((nl_sheet_deck, "nl"), (en_sheet_deck, "en")):
        with pikepdf.open(result.path) as pdf:
            assert str(pdf.Root.Lang) == lang


# --- fonts ----------------------------------------------------------------------------------


def fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Yield every font reachable from the pages' resources (through Form XObjects too)."""
    seen: set[tuple[int, int]] = set()

    def walk(resources: pikepdf.Object | None) -> Iterator[pikepdf.Dictionary]:
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Form":
                yield from walk(xobject.get("/Resources"))

    for page in pdf.pages:
        yield from walk(page.obj.get("/Resources"))


def descriptors(font: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    if font.get("/Subtype") == "/Type0":
        return [d.FontDescriptor for d in font.DescendantFonts]
    assert font.get("/Subtype") != "/Type3", f"Type 3 font {font.get('/Name')}"
    return [font.FontDescriptor]


@pytest.mark.parametrize("deck", ["nl_sheet_deck", "en_sheet_deck", "nl_single_deck"])
def test_fonts_embedded_and_bundled_only(deck: str, request: pytest.FixtureRequest) -> None:
    result: DeckResult = request.getfixturevalue(deck)
    with pikepdf.open(result.path) as pdf:
        found = list(fonts(pdf))
        assert found, "no fonts found"
        names = set()
        for font in found:
            for descriptor in descriptors(font):
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                    f"font not embedded: {font.get('/BaseFont')}"
                )
            names.add(str(font.BaseFont))
        # Subset prefix "ABCDEF+", then the bundled family.
        stray = [n for n in names if not re.match(r"^/([A-Z]{6}\+)?Source-?Sans", n)]
        assert stray == [], f"fonts outside the bundled family: {stray}"
        # Regular, bold and italic at least.
        assert len(names) >= 3, names
        # Every face's own subset was merged away: one font object per style, shared by all
        # cards (two objects with the same style would mean a face's subset was kept).
        styles = [re.sub(r"^/[A-Z]{6}\+", "", str(font.BaseFont)) for font in found]
        assert len(styles) == len(set(styles)), sorted(styles)
        assert len(found) <= 6, f"{len(found)} font objects: subsets were not merged"


# --- backs ----------------------------------------------------------------------------------


def back_xobjects(pdf: pikepdf.Pdf) -> dict[str, set[tuple[int, int]]]:
    """Names of the back XObjects (``/B<n>``) placed anywhere, with the objects they are."""
    found: dict[str, set[tuple[int, int]]] = {}
    for page in pdf.pages:
        xobjects = page.obj.Resources.get("/XObject") or {}
        for name, obj in xobjects.items():
            if name.startswith("/B"):
                found.setdefault(name, set()).add(obj.objgen)
    return found


def test_theme_backs(nl_sheet_deck: DeckResult, nl: Content) -> None:
    """One back per theme used; a back placed on many sheets is one object."""
    with pikepdf.open(nl_sheet_deck.path) as pdf:
        backs = back_xobjects(pdf)
    themes = list(dict.fromkeys(card.theme for card in build_cards(nl)))
    assert len(themes) == 8
    assert len(backs) == len(themes)
    assert all(len(objs) == 1 for objs in backs.values()), backs
    assert len({obj for objs in backs.values() for obj in objs}) == len(themes)
    faces = {nl_sheet_deck.faces[int(name[2:])] for name in backs}
    assert faces == {f"back-{theme}" for theme in themes}


def test_plain_and_no_backs(content_dir: Path, tmp_path: Path) -> None:
    themes = ("rollen", "netwerkvorming", "samenwerken")  # 13 cards: 2 sheets of 8
    plain = build_deck(content_dir, DeckOptions(backs="plain", themes=themes, extras=False),
                       tmp_path / "plain.pdf")
    none = build_deck(content_dir, DeckOptions(backs="none", themes=themes, extras=False),
                      tmp_path / "none.pdf")
    assert plain.cards == none.cards == 13
    with pikepdf.open(plain.path) as pdf:
        assert len(pdf.pages) == plain.pages == 4
        backs = back_xobjects(pdf)
        assert len(backs) == 1, backs
        (objs,) = backs.values()
        assert len(objs) == 1
    assert plain.faces[-1] == "back"
    with pikepdf.open(none.path) as pdf:
        assert len(pdf.pages) == none.pages == math.ceil(13 / 8) == 2
        assert back_xobjects(pdf) == {}
    assert not any(face.startswith("back") for face in none.faces)
    # The plain back carries the set's title, not a theme name.
    back_text = letters(pdf_page_texts(plain.path)[1])
    assert "dialoogkaarten" in back_text
    assert "rollen" not in back_text and "netwerkvorming" not in back_text


# --- single layout page order ---------------------------------------------------------------


def is_back(text: str) -> bool:
    """Back pages carry the set title 'Dialoogkaarten' (fronts of a theme subset do not)."""
    return "dialoogkaarten" in letters(text)


@pytest.mark.parametrize("order", ["fronts-then-backs", "interleaved"])
def test_single_page_order(content_dir: Path, tmp_path: Path, order: str) -> None:
    options = DeckOptions(layout="single", order=order, themes=("rollen", "netwerkvorming"),
                          extras=False)
    result = build_deck(content_dir, options, tmp_path / "x.pdf")
    assert result.cards == 8
    texts = pdf_page_texts(result.path)
    assert len(texts) == result.pages == 16
    pattern = [is_back(t) for t in texts]
    if order == "interleaved":
        assert pattern == [False, True] * 8
        # Each back follows its own front: the theme name on the back matches.
        for front, back in zip(texts[::2], texts[1::2], strict=True):
            theme = "rollen" if "rollen" in letters(front) else "netwerkvorming"
            assert theme in letters(back)
    else:
        assert pattern == [False] * 8 + [True] * 8
    fronts = [t for t, b in zip(texts, pattern, strict=True) if not b]
    expected = ["theme-rollen", "rollen-1", "rollen-2", "rollen-3", "theme-netwerkvorming",
                "netwerkvorming-1", "netwerkvorming-2", "netwerkvorming-3"]
    numbers = {card.id: card.number for card in build_cards(load_content(content_dir, "nl"))}
    for text, card_id in zip(fronts, expected, strict=True):
        assert f"{numbers[card_id]}/48" in text, (card_id, text)


def test_single_full_deck_order(nl_single_deck: DeckResult) -> None:
    texts = pdf_page_texts(nl_single_deck.path)
    cards = nl_single_deck.cards
    assert len(texts) == 2 * cards
    # Fronts then backs; only the title card shows the set title among the fronts.
    assert [is_back(t) for t in texts[1:cards]] == [False] * (cards - 1)
    assert all(is_back(t) for t in texts[cards:])


# --- the fit rule ---------------------------------------------------------------------------


LONG_GROUP = (
    "Hoe zorgen jullie er samen met alle partners in de regio voor dat iedereen die aan "
    "tafel zit zich gehoord voelt, ook wanneer belangen botsen en tijd en geld schaars zijn?"
)


def test_long_question_lowers_the_type_size(
    make_content: ContentTree, content_dir: Path, tmp_path: Path
) -> None:
    options = DeckOptions(cards=("netwerkvorming-2",), backs="none")
    before = build_deck(content_dir, options, tmp_path / "before.pdf")
    make_content.patch("nl", "essentials.yaml", '"Hoe vullen jullie elkaar aan?"',
                       f'"{LONG_GROUP}"')
    assert len(LONG_GROUP) <= lint.MAX_LENGTH["question"]
    after = build_deck(make_content.root, options, tmp_path / "after.pdf")
    assert after.cards == before.cards == 1
    assert after.base_pt < before.base_pt, (before.base_pt, after.base_pt)
    assert after.base_pt >= 7
    assert letters(LONG_GROUP) in pdf_letters(after.path)


def test_impossible_text_is_a_fit_error(
    make_content: ContentTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even at 7 pt a mini card cannot hold two questions of ~600 characters."""
    monkeypatch.setitem(lint.MAX_LENGTH, "question", 2000)
    group = " ".join([LONG_GROUP[:-1] + ","] * 4) + " en wat dan?"
    personal = " ".join(["Wat vind jij daar zelf van, als je eerlijk bent,"] * 12) + " echt?"
    make_content.patch("nl", "essentials.yaml", '"Hoe vullen jullie elkaar aan?"', f'"{group}"')
    make_content.patch(
        "nl", "essentials.yaml",
        '"Waarin verschil jij qua kennis en vaardigheden van de anderen?"', f'"{personal}"')
    out = tmp_path / "x.pdf"
    options = DeckOptions(size="mini", cards=("netwerkvorming-1", "netwerkvorming-2"),
                          backs="none")
    with pytest.raises(FitError) as caught:
        build_deck(make_content.root, options, out)
    message = str(caught.value)
    assert "'netwerkvorming-2'" in message
    assert "netwerkvorming-1" not in message  # the card that fits is not blamed
    assert re.search(r"\d+(\.\d+)? mm", message), message
    assert not out.exists()


# --- the command line -----------------------------------------------------------------------


runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def test_cli_unknown_theme(content_dir: Path, nl: Content) -> None:
    result = run("--content", content_dir, "deck", "--theme", "nope")
    assert result.exit_code == 2, result.output
    valid = ", ".join([f"{nl.meta.title} (set)", *(f"{t.name} ({t.id})" for t in nl.themes)])
    assert error_lines(result) == [f"Error: unknown theme 'nope' (valid: {valid})"]


def test_cli_theme_by_its_title_in_the_content_language(content_dir: Path, tmp_path: Path) -> None:
    """--theme takes the theme's name or title as the cards show it; a near miss is
    answered with the closest names, in the same language."""
    out = tmp_path / "network.pdf"
    result = run("--content", content_dir, "deck", "--lang", "en", "--theme", "Network building",
                 "--backs", "none", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    result = run("--content", content_dir, "deck", "--lang", "en", "--theme", "Network buildng")
    assert result.exit_code == 2
    assert "did you mean 'Network building'?" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--size", "10x10"], "Error: card size '10x10'"),
    (["--size", "huge"], "Error: unknown card size 'huge'"),
    (["--bleed", "-1"], "Error: --bleed must be between 0 and 10 mm"),
    (["--bleed", "11"], "Error: --bleed must be between 0 and 10 mm"),
    (["--paper", "a5"], "Error: unknown paper 'a5'"),
    (["--duplex", "sideways"], "Error: unknown duplex 'sideways'"),
    (["--size", "150x200", "--margin", "30"], "Error: a 150×200 mm card"),
])
def test_cli_bad_options(content_dir: Path, in_tmp: Path, args: list[str], message: str) -> None:
    result = run("--content", content_dir, "deck", *args, "-o", in_tmp / "x.pdf")
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert line.startswith(message), line
    assert not (in_tmp / "x.pdf").exists()


def test_cli_missing_output_folder(content_dir: Path, in_tmp: Path) -> None:
    target = Path("/nonexistent/dir/x.pdf")
    result = run("--content", content_dir, "deck", "--card", "tip-1", "-o", target)
    assert result.exit_code == 2, result.output
    assert error_lines(result) == ["Error: output folder does not exist: /nonexistent/dir"]
    assert not target.exists()
    assert list(in_tmp.iterdir()) == []  # no build/ folder either


def test_cli_builds_a_subset(content_dir: Path, in_tmp: Path) -> None:
    out = in_tmp / "tips.pdf"
    result = run("--content", content_dir, "deck", "--kind", "tip", "--backs", "none",
                 "-o", out)
    assert result.exit_code == 0, result.output
    assert re.match(rf"Wrote {re.escape(str(out))}: 6 cards on 1 pages, body text [\d.]+ pt",
                    result.stdout), result.stdout
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1


def test_invalid_options_fail_before_any_work(content_dir: Path, tmp_path: Path) -> None:
    # The options model refuses them when they are made, before any deck work begins.
    for bad in ({"layout": "poster"}, {"backs": "nope"}, {"order": "random"},
                {"margin": float("nan")}):
        with pytest.raises(UsageError):
            build_deck(content_dir, DeckOptions(**bad), tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_every_question_card_fits_a_mini_card(content_dir: Path, tmp_path: Path) -> None:
    options = DeckOptions(size="mini", kinds=("question",), backs="none")
    result = build_deck(content_dir, options, tmp_path / "x.pdf")
    assert result.base_pt >= 7
