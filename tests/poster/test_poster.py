"""Poster builds: page sizes, every sentence of the source, fonts, type sizes, bleed, fit errors.

Each poster is rendered once per module (``built``); text is extracted with pypdfium2 and
compared by letters only (hyphenation at line ends, labels in capitals).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from conftest import ContentTree, letters, pdf_page_texts
from kaartspel.content import lint
from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.errors import FitError, UsageError
from kaartspel.options import PosterOptions, default_poster_output
from kaartspel.poster import diagrams as poster_diagrams
from kaartspel.poster.assemble import PosterResult, build_poster
from kaartspel.poster.geometry import body_steps, poster_roles
from kaartspel.units import POSTER_SIZES, mm_to_pt

SIZES = ("a0", "a1", "a2", "a3", "a4")

Build = Callable[..., PosterResult]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Build:
    """Build a poster (once per module and set of options); return its result."""
    cache: dict[PosterOptions, PosterResult] = {}

    def build(**options: object) -> PosterResult:
        key = PosterOptions(**options)  # type: ignore[arg-type]
        if key not in cache:
            folder = tmp_path_factory.mktemp("poster")
            with pytest.MonkeyPatch.context() as patch:
                patch.chdir(folder)
                cache[key] = build_poster(content_dir, key, folder / "poster.pdf")
        return cache[key]

    return build


def all_texts(content: Content) -> list[str]:
    """Every sentence the poster must show: the whole source, and the pair labels."""
    d = content.data
    texts = [d.meta.title, d.meta.lead, d.meta.study_note, d.meta.study, d.meta.funding,
             content.ui.group_label, content.ui.personal_label, content.ui.reflection_label]
    for section in (d.intro.why, d.intro.what):
        texts += [section.title, *section.paragraphs]
    texts += [d.ambities.title, d.ambities.text, d.ambities.credit]
    for step in (*d.ambities.levels, *d.cyclus.phases):
        texts += [step.title, step.text]
    texts += [d.cyclus.title, d.cyclus.reflection, d.rollen.title, d.rollen.text,
              d.essentials.title, d.tips.title]
    for theme in d.essentials.themes.values():
        texts += [theme.name, theme.text]
    texts += [tip.text for tip in d.tips.items]
    for theme in content.themes:
        for pair in theme.questions:
            texts += [pair.group, pair.personal]
    return texts


def questions(content: Content) -> list[str]:
    return [text for t in content.themes for pair in t.questions
            for text in (pair.group, pair.personal)] + [content.data.cyclus.reflection]


def pdf_letters(path: Path) -> str:
    return letters("".join(pdf_page_texts(path)))


def fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Yield every font used by any page, inside form XObjects too."""
    seen: set[tuple[int, int]] = set()

    def walk(resources: pikepdf.Object) -> Iterator[pikepdf.Object]:
        for font in (resources.get("/Font") or {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen not in seen and "/Resources" in xobject:
                seen.add(xobject.objgen)
                yield from walk(xobject.Resources)

    for page in pdf.pages:
        yield from walk(page.Resources)


def font_sizes(path: Path) -> list[float]:
    """Return the size (pt) of every non-space character of every page, as pdfium sees it."""
    document = pdfium.PdfDocument(path)
    sizes = []
    try:
        for i in range(len(document)):
            textpage = document[i].get_textpage()
            for index in range(textpage.count_chars()):
                char = pdfium_c.FPDFText_GetUnicode(textpage, index)
                if chr(char).isspace() or char in (0xFFFE, 0x2010, 0x2D):
                    continue
                sizes.append(pdfium_c.FPDFText_GetFontSize(textpage, index))
            textpage.close()
    finally:
        document.close()
    return sizes


# --- page size: every size, both orientations ---------------------------------------------


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("size", SIZES)
def test_page_size(built: Build, size: str, orientation: str) -> None:
    result = built(size=size, orientation=orientation)
    paper = POSTER_SIZES[size]
    oriented = paper.landscape if orientation == "landscape" else paper.portrait
    width, height = oriented.width, oriented.height
    with pikepdf.open(result.path) as pdf:
        assert len(pdf.pages) == result.pages
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            assert (x0, y0) == (0, 0)
            assert x1 == pytest.approx(mm_to_pt(width), abs=0.01)
            assert y1 == pytest.approx(mm_to_pt(height), abs=0.01)
    # A0–A2 hold everything on one side; so does A3 portrait.  A4 cannot at 7 pt (the text
    # alone needs about 1.8 pages): it becomes a two-sided handout, never more.
    if size in ("a0", "a1", "a2") or (size, orientation) == ("a3", "portrait"):
        assert result.pages == 1
    else:
        assert result.pages == 2
    assert result.path.stat().st_size < 500_000


def test_a1_is_one_light_page(built: Build) -> None:
    result = built(size="a1")
    assert result.pages == 1
    assert result.path.stat().st_size <= 500_000
    assert 12 <= result.base_pt <= 18  # readable from a metre or two


# --- content: all of it, in the brief's reading order --------------------------------------


def test_nl_poster_has_every_sentence(built: Build, nl: Content) -> None:
    text = pdf_letters(built(size="a1").path)
    wanted = all_texts(nl)
    assert len(wanted) >= 80  # 36 questions, 6 tips, 9 steps, intro, sections, footer
    missing = [t for t in wanted if letters(t) not in text]
    assert missing == [], f"not on the nl poster: {missing}"


def test_nl_handout_has_every_sentence(built: Build, nl: Content) -> None:
    """The A4 handout drops nothing either (spread over its two sides)."""
    text = pdf_letters(built(size="a4").path)
    missing = [t for t in all_texts(nl) if letters(t) not in text]
    assert missing == []


def test_en_poster_is_english(built: Build, nl: Content, en: Content) -> None:
    text = pdf_letters(built(size="a1", lang="en").path)
    assert [t for t in all_texts(en) if letters(t) not in text] == []
    dutch = [q for q in questions(nl) if letters(q) in text]
    assert dutch == [], f"Dutch questions on the English poster: {dutch}"


def test_reading_order(built: Build, nl: Content) -> None:
    """Title, why, what, ambitions, cycle, roles, essentials, tips, footer: in this order."""
    d = nl.data
    text = pdf_letters(built(size="a1").path)
    headings = [d.meta.title, d.intro.why.title, d.intro.what.title, d.ambities.title,
                d.cyclus.title, d.rollen.title, d.essentials.title, d.tips.title, d.meta.funding]
    positions = [text.find(letters(h)) for h in headings]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)


def test_ladder_and_cycle_order(built: Build, nl: Content) -> None:
    """Steps 01…05 and phases 01…04 each carry their own title and text, in order."""
    text = pdf_letters(built(size="a1").path)
    for steps in (nl.data.ambities.levels, nl.data.cyclus.phases):
        positions = [text.find(letters(s.title + s.text)) for s in steps]
        assert all(p >= 0 for p in positions)
        assert positions == sorted(positions)


# --- print: fonts, type sizes, vectors, bleed ----------------------------------------------


def test_fonts_embedded(built: Build) -> None:
    for options in ({"size": "a1"}, {"size": "a4"}):
        with pikepdf.open(built(**options).path) as pdf:
            found = list(fonts(pdf))
            assert found
            for font in found:
                descendants = font.get("/DescendantFonts") or [font]
                for part in descendants:
                    descriptor = part.FontDescriptor
                    files = ("/FontFile", "/FontFile2", "/FontFile3")
                    assert any(k in descriptor for k in files), (
                        f"font {font.get('/BaseFont')} is not embedded")
                    assert "SourceSans3" in str(part.BaseFont).replace("-", "")


def test_no_images_all_vector(built: Build) -> None:
    with pikepdf.open(built(size="a1").path) as pdf:
        for page in pdf.pages:
            for image in page.get_images().values():
                pytest.fail(f"raster image on the poster: {image}")


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_no_text_under_7pt(built: Build, size: str) -> None:
    sizes = font_sizes(built(size=size).path)
    assert len(sizes) > 5000
    assert min(sizes) >= 7.0 - 0.05


def test_type_scales_with_the_page(built: Build) -> None:
    """The same design scaled: A0's body is √2 × A1's; A2's is 1/√2 × A1's."""
    a0, a1, a2 = (built(size=s).base_pt for s in ("a0", "a1", "a2"))
    assert a0 == pytest.approx(a1 * math.sqrt(2), rel=0.02)
    assert a2 == pytest.approx(a1 / math.sqrt(2), rel=0.02)


def test_type_steps_and_roles() -> None:
    assert body_steps(1.0)[0] == 18.0 and body_steps(1.0)[-1] == 8.0
    assert set(body_steps(210 / 594)) == {7.0}  # A4: only the 7 pt floor is left
    for scale in (0.35, 0.5, 1.0, 1.42):
        for body in body_steps(scale):
            roles = poster_roles(body, scale)
            assert min(roles.values()) >= 7.0
            assert roles["h2"] > roles["h3"] > roles["body"] >= roles["small"]


def test_bleed_boxes_and_crop_marks(built: Build) -> None:
    bleed = 3.0
    result = built(size="a3", bleed=bleed)
    w, h = mm_to_pt(297), mm_to_pt(420)
    b = mm_to_pt(bleed)
    with pikepdf.open(result.path) as pdf:
        page = pdf.pages[0]
        media = [float(v) for v in page.mediabox]
        trim = [float(v) for v in page.TrimBox]
        bleed_box = [float(v) for v in page.BleedBox]
        assert trim[2] - trim[0] == pytest.approx(w, abs=0.01)
        assert trim[3] - trim[1] == pytest.approx(h, abs=0.01)
        assert bleed_box == pytest.approx([trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b],
                                          abs=0.01)
        assert media[0] < bleed_box[0] and media[2] > bleed_box[2]  # room for the marks
        # The crop marks: straight lines at the trim lines, entirely outside the bleed box.
        marks = page.Contents[-1].read_bytes().decode() if isinstance(
            page.Contents, pikepdf.Array) else ""
        lines = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", marks)
        assert len(lines) == 8
        for x1, y1, x2, y2 in ((float(v) for v in line) for line in lines):
            inside_x = bleed_box[0] < min(x1, x2) and max(x1, x2) < bleed_box[2]
            inside_y = bleed_box[1] < min(y1, y2) and max(y1, y2) < bleed_box[3]
            assert not (inside_x and inside_y), "a crop mark reaches into the bleed"
            vertical = x1 == x2 and min(abs(x1 - trim[0]), abs(x1 - trim[2])) < 0.01
            horizontal = y1 == y2 and min(abs(y1 - trim[1]), abs(y1 - trim[3])) < 0.01
            assert vertical or horizontal


def test_band_runs_into_the_bleed(built: Build) -> None:
    """The title band touches the top edge: it must fill the bleed, not stop at the trim."""
    result = built(size="a3", bleed=3.0)
    document = pdfium.PdfDocument(result.path)
    try:
        image = document[0].render(scale=150 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    with pikepdf.open(result.path) as pdf:
        trim = [float(v) for v in pdf.pages[0].TrimBox]
        media_h = float(pdf.pages[0].mediabox[3])
    px = 150 / 72
    inside_bleed = (int((trim[0] + 40) * px), int((media_h - trim[3] - mm_to_pt(1.5)) * px))
    beyond_bleed = (int((trim[0] + 40) * px), int((media_h - trim[3] - mm_to_pt(5)) * px))
    import yaml

    from kaartspel.render.templates import PACKAGE_TEMPLATES

    neutral = yaml.safe_load((PACKAGE_TEMPLATES / "palette.yaml").read_text("utf-8"))["neutral"]
    rgb = tuple(int(neutral["rgb"][i : i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel(inside_bleed) == pytest.approx(rgb, abs=6)  # the set's colour
    assert image.getpixel(beyond_bleed) == (255, 255, 255)


def test_no_bleed_no_boxes(built: Build) -> None:
    with pikepdf.open(built(size="a1").path) as pdf:
        page = pdf.pages[0]
        assert "/TrimBox" not in page.obj or [float(v) for v in page.TrimBox] == [
            float(v) for v in page.mediabox]


def test_deterministic(built: Build, content_dir: Path, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = built(size="a4")
    monkeypatch.chdir(tmp_path)
    again = build_poster(content_dir, PosterOptions(size="a4"), tmp_path / "again.pdf")
    assert again.path.read_bytes() == first.path.read_bytes()


# --- diagrams ------------------------------------------------------------------------------


def test_staircase_svg() -> None:
    rects = [poster_diagrams.Rect(i * 10, 40 - 8 * i, 10, 8 * i + 8) for i in range(5)]
    svg = str(poster_diagrams.staircase(rects, 50, 48, "#012d53", "#eef2fc",
                                        'Trap <met> "vijf" & treden', 1.0, 0.5))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="Trap &lt;met&gt; &quot;vijf&quot; &amp; treden"' in svg
    assert svg.count("<rect") == 10  # a block and a tread per step
    assert svg.count('fill="#012d53"') == 6  # five treads and the solid top step
    assert "<text" not in svg  # words are live HTML, not drawn


@pytest.mark.parametrize("count", [2, 3, 4, 6])
def test_cycle_svg(count: int) -> None:
    svg = str(poster_diagrams.cycle(120, 100, 60, 50, 40, 6, count, "#473f76", "#f3f1fa",
                                    "Cirkel", 1.2))
    assert svg.count('r="6.000"') == count  # the nodes
    assert svg.count("<polygon") == count  # one arrow into every node, 04 → 01 included
    assert svg.count("<path") == count
    centres = poster_diagrams.node_centres(60, 50, 40, count)
    assert len(centres) == count
    for x, y in centres:
        assert math.hypot(x - 60, y - 50) == pytest.approx(40)
    if count == 4:  # on the diagonals: 01 top right, then clockwise
        (x1, y1), (x2, y2), (x3, y3), (x4, y4) = centres
        assert x1 > 60 > y1 and x2 > 60 and y2 > 50 and x3 < 60 < y3 and x4 < 60 and y4 < 50


def test_diagrams_follow_the_content(make_content: ContentTree, tmp_path: Path) -> None:
    """Three phases and four levels in the YAML: the poster draws three nodes, four steps."""
    text = make_content.read("nl", "cyclus.yaml")
    make_content.write("nl", "cyclus.yaml", text[: text.index("    - number: 4")]
                       + text[text.index("  reflection:"):])
    text = make_content.read("nl", "ambities.yaml")
    make_content.write("nl", "ambities.yaml", text[: text.index("    - number: 5")]
                       + text[text.index("  questions:"):])
    result = build_poster(make_content.root, PosterOptions(size="a2"), tmp_path / "p.pdf")
    content = load_content(make_content.root, "nl")
    assert len(content.data.cyclus.phases) == 3 and len(content.data.ambities.levels) == 4
    text = pdf_letters(result.path)
    for step in (*content.data.cyclus.phases, *content.data.ambities.levels):
        assert letters(step.title + step.text) in text
    assert letters("Consolideren") not in text
    assert letters("In netwerkverband systematisch werken") not in text


# --- fit -----------------------------------------------------------------------------------


def test_fit_error_names_the_section(make_content: ContentTree, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(lint.MAX_LENGTH, "paragraph", 100_000)
    long_text = " ".join(["Burgers brengen ervaringskennis in en overheden agenderen mee."] * 400)
    make_content.patch("nl", "rollen.yaml", '  text: "Omdat bij voorkeur',
                       f'  text: "{long_text} Omdat bij voorkeur')
    with pytest.raises(FitError) as caught:
        build_poster(make_content.root, PosterOptions(size="a1"), tmp_path / "p.pdf")
    message = str(caught.value)
    assert "poster section 'rollen' does not fit" in message
    assert re.search(r"\d+\.\d mm too long", message)
    assert not (tmp_path / "p.pdf").exists()


def test_fit_error_in_a_handout(make_content: ContentTree, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a two-sided handout has limits: a section taller than a page is named."""
    monkeypatch.setitem(lint.MAX_LENGTH, "paragraph", 100_000)
    long_text = " ".join(["Een lerende regio wordt concreet rondom opgaven."] * 200)
    make_content.patch("nl", "intro.yaml", '      - "In de literatuur',
                       f'      - "{long_text} In de literatuur')
    with pytest.raises(FitError, match=r"poster section 'intro\.what' does not fit"):
        build_poster(make_content.root, PosterOptions(size="a4"), tmp_path / "p.pdf")


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [
    {"size": "a5"}, {"orientation": "sideways"}, {"tile": "letter"}, {"bleed": -1},
    {"bleed": 11}, {"overlap": 51}, {"margin": 31}, {"bleed": float("nan")},
])
def test_invalid_options(options: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        PosterOptions(**options).validated()  # type: ignore[arg-type]


def test_valid_options() -> None:
    options = PosterOptions(size="A2", orientation="landscape", bleed=3, tile="a3", overlap=0,
                            margin=0)
    assert options.validated() is options


def test_default_output() -> None:
    assert default_poster_output(PosterOptions()) == Path("build/poster-nl-a1.pdf")
    assert default_poster_output(PosterOptions(lang="en", size="a0", tile="a4")) == Path(
        "build/poster-en-a0-tiles-a4.pdf")
    assert default_poster_output(PosterOptions(size="a2", orientation="landscape")) == Path(
        "build/poster-nl-a2-landscape.pdf")


def test_final_render_is_checked(content_dir: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed-size boxes of the final render are measured again: if the layout ever gave a
    section less room than its text needs, the build fails naming it (here: forced)."""
    import kaartspel.poster.layout as layout

    monkeypatch.setattr(layout, "SLACK_MM", -4.0)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FitError, match=r"poster section 'rollen' does not fit: 4\.0 mm too long"):
        build_poster(content_dir, PosterOptions(size="a3"), tmp_path / "p.pdf")
