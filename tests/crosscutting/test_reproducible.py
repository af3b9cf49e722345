"""The same inputs give the same bytes: whatever the process, the cache, or the clock.

Every second build runs in a fresh Python process with another hash seed (set and dict order
of strings change with it), so anything that leaks iteration order, a random id or the time
into the PDF shows up as a difference.  Dates come from ``SOURCE_DATE_EPOCH`` when it is set
and are otherwise fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from kaartspel.cache import FaceCache
from kaartspel.deck.assemble import build_deck
from kaartspel.options import DeckOptions, PosterOptions
from kaartspel.pdf.save import FIXED_EPOCH
from kaartspel.poster.assemble import build_poster

try:
    from kaartspel.pdf import variants as pdfx

    PDF_VARIANTS = tuple(v for v in pdfx.VARIANTS if v != "plain")
except ImportError:  # pragma: no cover - the PDF variants are optional
    PDF_VARIANTS = ()

DECKS: dict[str, dict[str, object]] = {
    "sheet": {"themes": ("netwerkvorming",)},
    "single": {"themes": ("netwerkvorming",), "layout": "single"},
    **{variant: {"themes": ("netwerkvorming",), "pdf": variant} for variant in PDF_VARIANTS},
}
POSTERS: dict[str, dict[str, object]] = {
    "a4": {"size": "a4"},
    "a4-tiled": {"size": "a4", "tile": "a4"},
}


@pytest.fixture(autouse=True)
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def deck_here(content_dir: Path, folder: Path, options: dict[str, object],
              cache: FaceCache | None = None, name: str = "deck.pdf") -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        build_deck(content_dir, DeckOptions(**options), path,  # type: ignore[arg-type]
                   cache or FaceCache(enabled=False))
    return path.read_bytes()


def poster_here(content_dir: Path, folder: Path, options: dict[str, object]) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "poster.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        build_poster(content_dir, PosterOptions(**options), path)  # type: ignore[arg-type]
    return path.read_bytes()


def elsewhere(kind: str, content_dir: Path, folder: Path, options: dict[str, object],
              epoch: int | None = None) -> bytes:
    """Build in a new process (another hash seed, its own default cache) and return the bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kaartspel.deck.assemble import build_deck\n"
        "from kaartspel.options import DeckOptions\n"
        "from kaartspel.options import PosterOptions\n"
        "from kaartspel.poster.assemble import build_poster\n"
        f"options = {options!r}\n"
        f"if {kind!r} == 'deck':\n"
        f"    build_deck(Path({str(content_dir)!r}), DeckOptions(**options), Path('out.pdf'))\n"
        "else:\n"
        f"    build_poster(Path({str(content_dir)!r}), PosterOptions(**options), Path('out.pdf'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = "12345"
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return (folder / "out.pdf").read_bytes()


@pytest.mark.parametrize("name", list(DECKS))
def test_deck_is_byte_identical(content_dir: Path, tmp_path: Path, name: str) -> None:
    first = deck_here(content_dir, tmp_path / "a", DECKS[name])
    assert deck_here(content_dir, tmp_path / "b", DECKS[name]) == first
    assert elsewhere("deck", content_dir, tmp_path / "c", DECKS[name]) == first


@pytest.mark.parametrize("name", list(POSTERS))
def test_poster_is_byte_identical(content_dir: Path, tmp_path: Path, name: str) -> None:
    first = poster_here(content_dir, tmp_path / "a", POSTERS[name])
    assert elsewhere("poster", content_dir, tmp_path / "b", POSTERS[name]) == first


def test_a_cached_build_equals_a_clean_build(content_dir: Path, tmp_path: Path) -> None:
    options = DECKS["sheet"]
    clean = deck_here(content_dir, tmp_path / "clean", options)
    cache = FaceCache(tmp_path / "cache")
    # The cache first holds faces of a larger deck (other batches, other neighbours) …
    deck_here(content_dir, tmp_path / "other", {"themes": ("netwerkvorming", "rollen")}, cache)
    cold = deck_here(content_dir, tmp_path / "cold", options, FaceCache(tmp_path / "cold-cache"))
    warm = deck_here(content_dir, tmp_path / "warm", options, cache)
    again = deck_here(content_dir, tmp_path / "again", options, cache)
    assert cold == clean
    assert warm == clean
    assert again == clean


def creation_date(data: bytes) -> str:
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.docinfo["/CreationDate"])


def pdf_date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("D:%Y%m%d%H%M%SZ")


def test_without_source_date_epoch_the_date_is_fixed(content_dir: Path, tmp_path: Path) -> None:
    data = deck_here(content_dir, tmp_path, DECKS["sheet"])
    assert creation_date(data) == pdf_date(FIXED_EPOCH) == "D:20230101000000Z"


@pytest.mark.parametrize("name", ["sheet", *(v for v in ("print",) if v in PDF_VARIANTS)])
def test_source_date_epoch(content_dir: Path, tmp_path: Path, name: str,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    options = DECKS[name]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = deck_here(content_dir, tmp_path / "a", options)
    assert creation_date(first) == pdf_date(1700000000) == "D:20231114221320Z"
    assert elsewhere("deck", content_dir, tmp_path / "b", options, epoch=1700000000) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    other = deck_here(content_dir, tmp_path / "c", options)
    assert creation_date(other) == pdf_date(1800000000)
    assert other != first
    if name == "print":  # the XMP dates follow too
        import io

        with pikepdf.open(io.BytesIO(other)) as pdf, pdf.open_metadata() as meta:
            assert meta["xmp:CreateDate"].startswith("2027-01-15T08:00:00")


def test_poster_follows_source_date_epoch(content_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = poster_here(content_dir, tmp_path, POSTERS["a4"])
    assert creation_date(data) == pdf_date(1700000000)


def test_the_poster_does_not_depend_on_where_the_templates_are(content_dir: Path,
                                                               tmp_path: Path) -> None:
    """The same templates in two folders give the same bytes (the HTML names them by URL)."""
    import shutil

    from kaartspel.render.templates import PACKAGE_TEMPLATES

    outputs = []
    for name in ("one", "two-elsewhere"):
        folder = tmp_path / name / "templates"
        shutil.copytree(PACKAGE_TEMPLATES, folder)
        path = tmp_path / name / "poster.pdf"
        build_poster(content_dir, PosterOptions(size="a3", templates=(folder,)), path)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
