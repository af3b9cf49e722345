"""Every kind of output is a valid PDF that every renderer draws without complaint.

Each output (small: one-theme decks, A4 posters, plus one A1 poster) is built once per test
session, then checked with ``qpdf --check`` and drawn page by page with pypdfium2 (no
exception, ink on every page), poppler (``pdftoppm``) and MuPDF (``mutool draw``); any error
or warning on their stderr fails the test.  ``.ci/run`` installs the tools, so in CI a missing
tool is a failure; elsewhere the check is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kaartspel.cache import FaceCache
from kaartspel.deck.assemble import build_deck
from kaartspel.options import DeckOptions, PosterOptions
from kaartspel.poster.assemble import build_poster

MUTOOL_NOTICES = ("warning: ICC support is not available",)
"""What mutool says about how it was built, not about the document (Debian's MuPDF has no
colour management); every other line it prints fails the check."""


def _pdf_variants() -> tuple[str, ...]:
    try:
        from kaartspel.pdf import variants as pdfx
    except ImportError:
        return ()
    return tuple(v for v in pdfx.VARIANTS if v != "plain")


DECK = {"themes": ("netwerkvorming",), "extras": False}
OUTPUTS: dict[str, tuple[str, dict[str, object]]] = {
    "deck-sheet": ("deck", dict(DECK)),
    "deck-single": ("deck", {**DECK, "layout": "single", "order": "interleaved"}),
    "deck-sheet-en-mini": ("deck", {**DECK, "lang": "en", "size": "mini", "paper": "letter",
                                    "duplex": "short"}),
    **{f"deck-{variant}": ("deck", {**DECK, "pdf": variant}) for variant in _pdf_variants()},
    "poster-a4": ("poster", {"size": "a4"}),
    "poster-a4-bleed": ("poster", {"size": "a4", "bleed": 3.0, "orientation": "landscape"}),
    "poster-a4-tiled": ("poster", {"size": "a4", "tile": "a4"}),
    "poster-a1": ("poster", {"size": "a1"}),
}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Callable[[str], Path]:
    """Return a function that builds an output of :data:`OUTPUTS` once and returns its path."""
    folder = tmp_path_factory.mktemp("outputs")
    cache = FaceCache(folder / "cache")
    done: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name not in done:
            kind, options = OUTPUTS[name]
            path = folder / f"{name}.pdf"
            with pytest.MonkeyPatch.context() as patch:
                patch.chdir(folder)
                if kind == "deck":
                    build_deck(content_dir, DeckOptions(**options), path, cache)  # type: ignore[arg-type]
                else:
                    build_poster(content_dir, PosterOptions(**options), path)  # type: ignore[arg-type]
            done[name] = path
        return done[name]

    return build


every_output = pytest.mark.parametrize("name", list(OUTPUTS))


def tool(name: str) -> str:
    """Return the path of a command-line tool; skip without it, except in CI (fail)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def problems(stderr: str, ignored: tuple[str, ...] = ()) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and line.strip() not in ignored]


def qpdf_check(path: Path) -> list[str]:
    result = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True,
                            text=True, timeout=120, check=False)
    found = problems(result.stderr)
    found += [line for line in result.stdout.splitlines() if "WARNING" in line.upper()]
    if result.returncode != 0 or "No syntax or stream encoding errors found" not in result.stdout:
        found.append(f"qpdf exit code {result.returncode}: {result.stdout.strip()[-300:]}")
    return found


def poppler_draw(path: Path, scratch: Path) -> list[str]:
    result = subprocess.run([tool("pdftoppm"), "-r", "20", str(path), str(scratch / "page")],
                            capture_output=True, text=True, timeout=300, check=False)
    found = problems(result.stderr)
    if result.returncode != 0:
        found.append(f"pdftoppm exit code {result.returncode}")
    return found


def mupdf_draw(path: Path) -> list[str]:
    result = subprocess.run([tool("mutool"), "draw", "-q", "-r", "20", "-o", os.devnull,
                             str(path)], capture_output=True, text=True, timeout=300, check=False)
    found = problems(result.stderr, MUTOOL_NOTICES) + problems(result.stdout)
    if result.returncode != 0:
        found.append(f"mutool exit code {result.returncode}")
    return found


def pdfium_draw(path: Path) -> list[str]:
    """Draw every page at a low resolution; return the pages that came out blank."""
    import pypdfium2 as pdfium

    blank = []
    document = pdfium.PdfDocument(path)
    try:
        assert len(document) > 0
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=0.3).to_pil().convert("L")
            darkest, _ = image.getextrema()
            if darkest > 245:
                blank.append(f"page {index + 1} is blank")
            page.close()
    finally:
        document.close()
    return blank


@every_output
def test_qpdf_check(built: Callable[[str], Path], name: str) -> None:
    assert qpdf_check(built(name)) == []


@every_output
def test_pdfium_draws_every_page(built: Callable[[str], Path], name: str) -> None:
    assert pdfium_draw(built(name)) == []


@every_output
def test_poppler_draws_without_complaint(built: Callable[[str], Path], name: str,
                                         tmp_path: Path) -> None:
    assert poppler_draw(built(name), tmp_path) == []
    assert list(tmp_path.glob("page*.ppm"))


@every_output
def test_mupdf_draws_without_complaint(built: Callable[[str], Path], name: str) -> None:
    assert mupdf_draw(built(name)) == []


@every_output
def test_only_the_bundled_fonts_are_embedded(built: Callable[[str], Path], name: str) -> None:
    """No font of the building computer ends up in an output (Pango falls back to one for
    a character the bundled fonts lack; the renderer refuses that)."""
    import pikepdf

    with pikepdf.open(built(name)) as pdf:
        fonts = {
            str(obj.get("/BaseFont")) for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
        }
    assert fonts
    assert all("Source-Sans-3" in font for font in fonts), fonts


def test_outputs_have_the_expected_pages(built: Callable[[str], Path]) -> None:
    import pikepdf

    with pikepdf.open(built("deck-sheet")) as pdf:
        assert len(pdf.pages) == 2  # 4 cards: one sheet of fronts, one of backs
    with pikepdf.open(built("deck-single")) as pdf:
        assert len(pdf.pages) == 8
    with pikepdf.open(built("poster-a4-tiled")) as pdf:
        assert len(pdf.pages) > 1


# --- the checks catch what they are meant to catch ---------------------------------------------

BROKEN = (
    b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
    b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]/Contents 4 0 R>> endobj\n"
    b"4 0 obj <</Length 999>> stream\n0 0 m 100 100 l S BT /F9 12 Tf (x) Tj ET\n"
    b"endstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)
"""A damaged PDF (no xref, wrong stream length, an undefined font) that viewers still open."""


def test_the_checks_reject_a_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(BROKEN)
    assert qpdf_check(path)
    assert poppler_draw(path, tmp_path)
    assert mupdf_draw(path)


def test_the_blank_check_sees_a_blank_page(tmp_path: Path) -> None:
    import pikepdf

    path = tmp_path / "blank.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(path)
    assert pdfium_draw(path) == ["page 1 is blank"]
