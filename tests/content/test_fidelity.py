"""Fidelity to the poster: every source sentence is in the Dutch content (except listed fixes).

Texts are compared by their letters only (lower case, ``str.isalpha``), so typography —
quotes, ellipses, case of headings, superscripts, line breaks — does not matter; words do.
The corrections in ``content/ERRATA.md`` ('Corrected typos') are applied to the source first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ContentTree
from kaartspel.content.load import load_content

SOURCE_NAME = "de-lerende-regio.poster.nl.txt"


def letters(text: str) -> str:
    """Fold *text* to its letters only, lower case."""
    return "".join(ch for ch in text.lower() if ch.isalpha())


def source_paths(repo_root: Path) -> tuple[Path, Path]:
    """Return the shared source (authoritative) and the repository's copy of it."""
    return (repo_root.parent / "shared" / "source" / SOURCE_NAME,
            repo_root / "content" / "source" / SOURCE_NAME)


@pytest.fixture(scope="module")
def source_text(repo_root: Path) -> str:
    shared, copy = source_paths(repo_root)
    path = shared if shared.is_file() else copy
    if not path.is_file():
        pytest.fail(f"source text not found: neither {shared} nor {copy}")
    return path.read_text(encoding="utf-8")


def test_repository_copy_of_the_source_is_current(repo_root: Path) -> None:
    """The copy in content/source/ keeps the repository testable on its own; it must match."""
    shared, copy = source_paths(repo_root)
    assert copy.is_file(), f"missing {copy}"
    if shared.is_file():
        assert copy.read_bytes() == shared.read_bytes(), (
            f"{copy} differs from {shared}: copy the shared source into the repository"
        )


@pytest.fixture(scope="module")
def errata(content_dir: Path) -> list[dict[str, str]]:
    return corrected_typos(content_dir / "ERRATA.md")


# --- helpers --------------------------------------------------------------------------------


def corrected_typos(errata_path: Path) -> list[dict[str, str]]:
    """Return the rows of the 'Corrected typos' table of ERRATA.md, keyed by column header."""
    lines = errata_path.read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "## Corrected typos")
    except StopIteration:
        pytest.fail(f"{errata_path}: no '## Corrected typos' section")
    table: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.strip().startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, separator, *rows = table
    assert all(set(cell) <= set("-: ") for cell in separator), separator
    assert {"File", "Source text", "Fixed text"} <= set(header), header
    return [dict(zip(header, row, strict=True)) for row in rows]


def _unelide(cell: str) -> str:
    """Drop the '…' that marks an excerpt in the errata table."""
    return cell.strip().strip("…").strip()


def apply_errata(source: str, rows: list[dict[str, str]]) -> str:
    """Apply every correction to *source*; each one's source text must be in it."""
    for row in rows:
        old, new = _unelide(row["Source text"]), _unelide(row["Fixed text"])
        assert old in source, f"ERRATA source text not in the poster text: {old!r}"
        source = source.replace(old, new)
    return source


def source_sentences(source: str) -> list[str]:
    """Split the poster text into sentences, without markdown and HTML markers."""
    sentences: list[str] = []
    for raw_line in source.splitlines():
        line = re.sub(r"<sup>.*?</sup>", "", raw_line)  # footnote markers
        line = re.sub(r"<[^>]+>", "", line)  # any other tag
        line = re.sub(r"^\s*#+\s*", "", line)  # headings
        line = re.sub(r"^\s*(?:[-+]\s+)+", "", line)  # list markers "- ", "- + "
        sentences.extend(part.strip() for part in re.split(r"[.?!]", line))
    return [s for s in sentences if letters(s)]


def _strings(data: Any, key: str = "") -> Iterator[str]:
    """Yield every text value in YAML data, in document order, leaving out ids."""
    if isinstance(data, dict):
        for k, value in data.items():
            yield from _strings(value, str(k))
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, key)
    elif isinstance(data, str) and key != "id":
        yield data


def content_letters(folder: Path) -> str:
    """All text values of one language folder, concatenated, as letters only."""
    parts: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        parts.extend(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return letters("".join(parts))


def missing_sentences(source: str, rows: list[dict[str, str]], folder: Path) -> list[str]:
    """Return the source sentences (after the errata) whose letters the content lacks."""
    text = content_letters(folder)
    return [s for s in source_sentences(apply_errata(source, rows)) if letters(s) not in text]


# --- the helpers themselves -----------------------------------------------------------------


def test_letters() -> None:
    assert letters("Thema’s — ‘Lerende’ REGIO¹!") == "themaslerenderegio"
    assert letters("creëren 01.") == "creëren"


def test_source_sentences_strip_markup() -> None:
    text = (
        "## KOP?\n\n- Vraag één? Nog een.\n- + hoe open ben jij?\n"
        "<sup>1</sup> Noot: m.b.t. x\n05\n"
    )
    assert source_sentences(text) == [
        "KOP", "Vraag één", "Nog een", "hoe open ben jij", "Noot: m", "b", "t", "x"
    ]


def test_errata_table_is_parsed(errata: list[dict[str, str]]) -> None:
    by_source = {row["Source text"]: row["Fixed text"] for row in errata}
    assert by_source["Blijf continue geïnteresseerd"] == "Blijf continu geïnteresseerd"
    assert (
        by_source["randvoorwaarden voor kennismagagement zoals"]
        == "randvoorwaarden voor kennismanagement zoals"
    )
    assert len(errata) >= 10
    assert all(row["File"].startswith("nl/") for row in errata)


def test_errata_fixes_are_in_the_content(
    content_dir: Path, errata: list[dict[str, str]]
) -> None:
    """Each fixed text is in the file the errata table names."""
    for row in errata:
        text = content_letters_of_file(content_dir / row["File"])
        assert letters(_unelide(row["Fixed text"])) in text, row


def content_letters_of_file(path: Path) -> str:
    return letters("".join(_strings(yaml.safe_load(path.read_text(encoding="utf-8")))))


# --- fidelity -------------------------------------------------------------------------------


def test_every_source_sentence_is_in_the_dutch_content(
    source_text: str, errata: list[dict[str, str]], content_dir: Path
) -> None:
    sentences = source_sentences(apply_errata(source_text, errata))
    assert len(sentences) > 100, "the source text was not split into sentences"
    missing = missing_sentences(source_text, errata, content_dir / "nl")
    assert missing == [], "source sentences not in content/nl:\n" + "\n".join(missing)


def test_without_the_errata_the_typos_would_be_missing(
    source_text: str, content_dir: Path, errata: list[dict[str, str]]
) -> None:
    """The comparison is strict enough to notice each corrected typo (so it checks words)."""
    missing = missing_sentences(source_text, [], content_dir / "nl")
    joined = letters(" ".join(missing))
    for word in ("kennismagagement", "continue", "past"):
        assert word in joined, (word, missing)
    assert all(
        any(letters(_unelide(row["Source text"])) in letters(s) for row in errata)
        for s in missing
    ), missing


def test_a_dropped_word_is_noticed(
    source_text: str, errata: list[dict[str, str]], make_content: ContentTree
) -> None:
    make_content.patch("nl", "tips.yaml", "ruil diensten uit en ", "")
    missing = missing_sentences(source_text, errata, make_content.root / "nl")
    assert len(missing) == 1 and "ruil diensten uit" in missing[0], missing


def test_a_dropped_question_is_noticed(
    source_text: str, errata: list[dict[str, str]], make_content: ContentTree
) -> None:
    make_content.patch("nl", "rollen.yaml", '"Wanneer is het voor jou gelijkwaardig?"',
                       '"Wanneer is het gelijkwaardig?"')
    missing = missing_sentences(source_text, errata, make_content.root / "nl")
    assert missing == ["Wanneer is het voor jou gelijkwaardig"], missing


# --- the English content is a translation, not a copy ---------------------------------------


def test_english_contains_no_dutch_question(content_dir: Path) -> None:
    nl = load_content(content_dir, "nl")
    en_text = content_letters(content_dir / "en")
    questions = [nl.data.cyclus.reflection] + [
        text for theme in nl.themes for pair in theme.questions
        for text in (pair.group, pair.personal)
    ]
    assert len(questions) == 37
    left = [q for q in questions if letters(q) in en_text]
    assert left == [], f"Dutch questions in content/en: {left}"


def test_a_dutch_question_in_english_is_noticed(
    content_dir: Path, make_content: ContentTree
) -> None:
    make_content.patch("en", "rollen.yaml", '"What role do you play?"', '"Welke rol heb jij?"')
    en_text = content_letters(make_content.root / "en")
    assert letters("Welke rol heb jij?") in en_text
