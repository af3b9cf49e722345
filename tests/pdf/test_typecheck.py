"""The typography checker on PDFs made to break its rules: it must see every broken word."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from kaartspel.cli.app import app
from kaartspel.pdf.typecheck import check_design, content_hyphenated_words
from kaartspel.render.face_batch import mark
from kaartspel.render.templates import TemplateSet

FONTS = TemplateSet.create().find("fonts.css")


def page(body: str, width_mm: float = 63, height_mm: float = 88) -> str:
    folder = FONTS.parent.as_uri()
    fonts = FONTS.read_text(encoding="utf-8").replace("url(fonts/", f"url({folder}/fonts/")
    return (f'<html lang="nl"><head><style>{fonts} @page {{ size: {width_mm}mm {height_mm}mm; '
            'margin: 0 } body { margin: 0; font-family: "Source Sans 3"; font-size: 11pt; '
            'line-height: 1.3 } p { margin: 0 }</style></head><body>' + body + "</body></html>")


def render(html: str, kinds: tuple[str, ...] = (), bleed_mm: float = 0.0) -> bytes:
    """Render *html* with WeasyPrint; mark page i as kind ``kinds[i]`` as faces are."""
    from weasyprint import HTML

    data = HTML(string=html).write_pdf()
    if not kinds:
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for pg, kind in zip(pdf.pages, kinds, strict=True):
            mark(pg, kind, bleed_mm)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


# A narrow column forces breaks; the soft hyphens say where.
BROKEN = ("<div style='width: 24mm; margin: 10mm'>"
          "<p style='font-weight: 600'>Hoe werken jullie aan gelijk\u00adwaar\u00addigheid?</p>"
          "<p>Samen\u00adwerkings\u00adverbanden ontwikke\u00adlen "
          "kennis\u00admanagement.</p></div>")


def test_a_hyphen_in_a_question_fails_and_one_in_prose_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(render(page(BROKEN)))
    report = check_design(path)
    strict = [b for face in report.faces for b in face.breaks if b.strict]
    prose = [b for face in report.faces for b in face.breaks if not b.strict]
    assert strict and prose, report.faces[0].breaks
    assert all(b.word.startswith("gelijk") or "waar" in b.word for b in strict)
    assert report.failures() and all("hyphen in" in line for line in report.failures())
    assert report.kinds()[0].kind == "poster"  # an unmarked page: one face of its own


def test_on_a_question_card_every_hyphen_is_strict(tmp_path: Path) -> None:
    """The kind comes from the face's /PieceInfo: on a question card even regular text may
    not break."""
    html = page("<div style='width: 15mm; margin: 10mm'><p>Wanneer is samen\u00adwerking "
                "gelijk\u00adwaardig?</p></div>")
    path = tmp_path / "q.pdf"
    path.write_bytes(render(html, ("question",)))
    report = check_design(path)
    assert [f.kind for f in report.faces] == ["question"]
    assert report.faces[0].breaks and all(b.strict for b in report.faces[0].breaks)
    path.write_bytes(render(html, ("level",)))
    assert not any(b.strict for b in check_design(path).faces[0].breaks)


def test_a_word_spelt_with_a_hyphen_may_break_there(tmp_path: Path) -> None:
    html = page("<div style='width: 16mm; margin: 10mm'><p style='font-weight: 700'>"
                "Co-design werkt</p></div>")
    path = tmp_path / "h.pdf"
    path.write_bytes(render(html, ("question",)))
    assert check_design(path).failures()
    allowed = content_hyphenated_words(["Het gaat om co-design en state-of-the-art kennis."])
    assert {"co-design", "state-of", "of-the", "the-art"} <= allowed
    assert check_design(path, hard_words=allowed).failures() == []


def test_empty_space_small_and_reversed_text(tmp_path: Path) -> None:
    html = page(
        "<div style='height: 12mm; background: #012d53; color: #fff; font-size: 7pt'>"
        "<p style='padding: 6mm 4mm 0'>THEMA</p></div>"
        "<p style='margin: 2mm 4mm; font-size: 6.5pt'>Eén regel bovenaan.</p>"
    )
    path = tmp_path / "e.pdf"
    path.write_bytes(render(html, ("tip",)))
    face = check_design(path).faces[0]
    assert face.empty > 0.6  # everything under the first line is empty
    assert face.smallest == pytest.approx(6.5, abs=0.05)
    assert any("white text at 7.0 pt" in p for p in face.reversed_problems)
    assert any("not bold" in p for p in face.reversed_problems)
    warnings = check_design(path).warnings()
    assert any("empty" in w for w in warnings) and any("6.5 pt" in w for w in warnings)


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(render(page(BROKEN)))
    result = CliRunner().invoke(app, ["check-design", str(path)])
    assert result.exit_code != 0
    assert "hyphen in" in result.output
    assert "kind" in result.output.splitlines()[0]
