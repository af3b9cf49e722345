"""QR codes to the web address in meta.yaml: on the poster's footer only when one is set."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import segno
from markupsafe import Markup

from conftest import ContentTree
from kaartspel.options import PosterOptions
from kaartspel.poster.assemble import build_poster
from kaartspel.render.qr import QUIET_MODULES, qr_svg
from kaartspel.render.templates import TemplateSet
from support.validators import require_tool

URL = "https://example.org/de-lerende-regio"


def modules(svg: str) -> set[tuple[int, int]]:
    """Return the dark modules an SVG's path covers (its runs read back)."""
    dark = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        dark |= {(int(x) + i, int(y)) for i in range(int(run))}
    return dark


def test_the_svg_holds_segnos_symbol_with_its_quiet_zone() -> None:
    svg = str(qr_svg(URL, "device-cmyk(0% 0% 0% 100%)", "Poster online"))
    matrix = segno.make(URL, error="m").matrix
    q = QUIET_MODULES
    wanted = {(x + q, y + q) for y, row in enumerate(matrix) for x, m in enumerate(row) if m}
    assert modules(svg) == wanted
    size = len(matrix) + 2 * q
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert 'fill="device-cmyk(0% 0% 0% 100%)"' in svg and "<title>Poster online</title>" in svg


def test_the_footer_shows_a_code_only_when_a_url_is_set(nl: object) -> None:
    from kaartspel.content.model import Content

    assert isinstance(nl, Content)
    env = TemplateSet.create().environment()
    footer = env.get_template("poster/footer.html")

    def qr(url: str) -> Markup:
        return Markup(f"<svg data-qr='{url}'></svg>")

    class Block:
        def __init__(self, data: object) -> None:
            self.data = data

    without = footer.render(b=Block(nl.meta), ui=nl.ui, qr=qr)
    with_url = footer.render(b=Block(nl.meta.model_copy(update={"url": URL})), ui=nl.ui, qr=qr)
    assert "data-qr" not in without
    assert f"data-qr='{URL}'" in with_url and nl.ui.qr_label in with_url


def test_the_posters_code_scans(make_content: ContentTree, tmp_path: Path) -> None:
    zbarimg = require_tool("zbarimg")
    require_tool("pdftoppm")
    for lang in ("nl", "en"):
        make_content.patch(lang, "meta.yaml", "\n  funding:", f'\n  url: "{URL}"\n  funding:')
    out = tmp_path / "poster.pdf"
    build_poster(make_content.root, PosterOptions(), out)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "p")], check=True)
    found = subprocess.run([zbarimg, "-q", "--raw", str(tmp_path / "p-1.png")],
                           capture_output=True, text=True, check=False)
    assert found.stdout.strip() == URL


def test_the_credits_card_carries_the_code_only_when_a_url_is_set(
        make_content: ContentTree, tmp_path: Path) -> None:
    from kaartspel.deck.assemble import build_deck
    from kaartspel.options import DeckOptions

    zbarimg = require_tool("zbarimg")
    options = DeckOptions(cards=("credits",), layout="single", backs="none", pdf="print")
    plain = tmp_path / "plain.pdf"
    build_deck(make_content.root, options, plain)
    for lang in ("nl", "en"):
        make_content.patch(lang, "meta.yaml", "\n  funding:", f'\n  url: "{URL}"\n  funding:')
    out = tmp_path / "credits.pdf"
    build_deck(make_content.root, options, out)  # a print (CMYK-only) file: the code is ink
    for pdf, expected in ((plain, ""), (out, URL)):
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / pdf.stem)],
                       check=True)
        found = subprocess.run([zbarimg, "-q", "--raw", str(tmp_path / f"{pdf.stem}-1.png")],
                               capture_output=True, text=True, check=False)
        assert found.stdout.strip() == expected
