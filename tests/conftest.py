"""Shared fixtures: the real content, and a scratch copy of it that a test may break."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.errors import Problem

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``)."""
    assert (REPO_ROOT / "pyproject.toml").is_file(), REPO_ROOT
    return REPO_ROOT


@pytest.fixture(scope="session")
def nl(content_dir: Path) -> Content:
    """The real Dutch content, loaded once (it is immutable)."""
    return load_content(content_dir, "nl")


@pytest.fixture(scope="session")
def en(content_dir: Path) -> Content:
    """The real English content, loaded once."""
    return load_content(content_dir, "en")


@pytest.fixture(scope="session")
def content_dir(repo_root: Path) -> Path:
    """The real ``content/`` folder (read only: never write to it)."""
    path = repo_root / "content"
    assert (path / "nl").is_dir() and (path / "en").is_dir(), path
    return path


@dataclass
class ContentTree:
    """A scratch copy of ``content/`` under a temporary folder that is also the working directory.

    Because the working directory is the copy's parent, problems show paths exactly as
    ``content/<lang>/<file>`` (see :meth:`shown`).
    """

    root: Path

    def path(self, lang: str, filename: str) -> Path:
        return self.root / lang / filename

    def shown(self, lang: str, filename: str) -> str:
        """The path as problems display it."""
        return f"content/{lang}/{filename}"

    def read(self, lang: str, filename: str) -> str:
        return self.path(lang, filename).read_text(encoding="utf-8")

    def write(self, lang: str, filename: str, text: str | bytes) -> Path:
        """Replace (or create) one file; bytes are written as they are."""
        path = self.path(lang, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def patch(self, lang: str, filename: str, old: str, new: str) -> Path:
        """Replace the one occurrence of *old* in a file by *new*; fail unless it occurs once."""
        text = self.read(lang, filename)
        count = text.count(old)
        assert count == 1, f"expected {old!r} once in {lang}/{filename}, found it {count} times"
        return self.write(lang, filename, text.replace(old, new))

    def delete(self, lang: str, filename: str) -> None:
        self.path(lang, filename).unlink()

    def line_of(self, lang: str, filename: str, needle: str) -> int:
        """Return the 1-based number of the one line containing *needle*."""
        lines = [
            n for n, line in enumerate(self.read(lang, filename).splitlines(), start=1)
            if needle in line
        ]
        assert len(lines) == 1, f"expected {needle!r} on one line of {lang}/{filename}: {lines}"
        return lines[0]


@pytest.fixture
def make_content(
    tmp_path: Path, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> ContentTree:
    """Copy the real content to ``tmp_path/content`` and work from ``tmp_path``."""
    root = tmp_path / "content"
    shutil.copytree(content_dir, root)
    monkeypatch.chdir(tmp_path)
    return ContentTree(root)


def line_of(path: Path, needle: str) -> int:
    """Return the 1-based number of the one line of *path* containing *needle*."""
    lines = [
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert len(lines) == 1, f"expected {needle!r} on one line of {path}: {lines}"
    return lines[0]


def matching(problems: Iterable[Problem], text: str) -> list[Problem]:
    """Return the problems whose message contains *text*."""
    return [p for p in problems if text in p.message]


def show(problems: Iterable[Problem]) -> str:
    """Render problems one per line, for assertion messages."""
    return "\n".join(str(p) for p in problems) or "(no problems)"


# --- built decks (session-scoped: each full deck is rendered once per test run) -------------

from kaartspel.deck.assemble import DeckResult, build_deck  # noqa: E402
from kaartspel.options import DeckOptions  # noqa: E402


def build_once(
    tmp_path_factory: pytest.TempPathFactory, content_dir: Path, name: str, **options: object
) -> DeckResult:
    """Build one deck into a fresh temporary folder; return the DeckResult.

    The build runs with that folder as working directory, so anything a build writes
    relative to it (such as a ``build/.cache``) stays out of the repository.
    """
    folder = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return build_deck(content_dir, DeckOptions(**options), folder / f"{name}.pdf")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from ``tmp_path`` (so builds write nothing into the repository); return it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def nl_sheet_deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> DeckResult:
    """The set's 48 Dutch cards with default options: poker cards on A4 sheets, long-edge
    duplex; without the legend card a full deck adds (tests/kit covers it)."""
    return build_once(tmp_path_factory, content_dir, "nl-sheet", lang="nl", legend=False)


@pytest.fixture(scope="session")
def en_sheet_deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> DeckResult:
    """The set's English cards with default options (without the legend card)."""
    return build_once(tmp_path_factory, content_dir, "en-sheet", lang="en", legend=False)


@pytest.fixture(scope="session")
def nl_single_deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> DeckResult:
    """The set's Dutch cards, one card per page (print shop), fronts then backs (no legend)."""
    return build_once(tmp_path_factory, content_dir, "nl-single", lang="nl", layout="single",
                      legend=False)


@pytest.fixture(scope="session")
def theme_deck(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> DeckResult:
    """The Dutch deck of one theme (``--theme netwerkvorming``), sheet layout."""
    return build_once(
        tmp_path_factory, content_dir, "nl-netwerkvorming", lang="nl",
        themes=("netwerkvorming",), extras=False,
    )


def letters(text: str) -> str:
    """Fold *text* to its letters only, lower case (ligatures unfolded with NFKC).

    Hyphenation at line ends (``-``, ``‐``, soft hyphens), line breaks and punctuation all
    vanish, so extracted PDF text compares equal to the source text it was set from.
    """
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalpha())


def pdf_page_texts(path: Path | bytes) -> list[str]:
    """Return the extracted text of every page of a PDF file or PDF bytes (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        texts = []
        for i in range(len(document)):
            page = document[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()
