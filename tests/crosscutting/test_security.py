"""Content is text, never markup, and rendering never reaches the network or foreign files.

Markup-looking content (tags, CSS, URLs, Jinja syntax) must come out of the PDF literally —
compared character for character, not letters only — while a local HTTP server counts the
requests a build makes: there must be none.  The URL fetcher serves ``data:`` URLs and files
under the template folders only, whatever a template asks for.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import ContentTree, pdf_page_texts
from kaartspel.cache import FaceCache
from kaartspel.cli.app import app
from kaartspel.render.document import safe_url_fetcher
from kaartspel.render.templates import PACKAGE_TEMPLATES

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


class Server:
    """A local HTTP server that counts every request it receives (and serves nothing)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                self.send_error(404)

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 1
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    """A counting HTTP server on a random local port, stopped after the test."""
    s = Server()
    s.thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()
        s.thread.join(timeout=5)
    assert not s.thread.is_alive()


def test_the_server_counts_requests(server: Server) -> None:
    """The detector works: a real request is counted (so zero elsewhere means zero)."""
    from urllib.error import HTTPError
    from urllib.request import urlopen

    with pytest.raises(HTTPError):
        urlopen(server.url("probe"), timeout=5)
    assert server.requests == ["/probe"]


# --- content is text ------------------------------------------------------------------------


def payloads(server: Server) -> dict[str, str]:
    """Markup-looking texts, by the field they go into (each within the lint rules)."""
    return {
        "group": f'Wat doet <script>alert(1)</script> met <img src="{server.url("x.png")}">?',
        "personal": f"Is <style>*{{display:none}}</style> of url({server.url('y')}) "
                    "of file:///etc/passwd veilig?",
        "text": f'Tekst <link rel="stylesheet" href="{server.url("z.css")}"> en '
                f'<iframe src="{server.url("f")}"></iframe> en {{{{ 7*7 }}}} en '
                "{% if true %}jinja{% endif %} en &amp; &lt;b&gt; <!-- comment --> "
                f'<svg><image href="{server.url("s.png")}"/></svg> einde.',
        "name": "<b>Netwerk</b>{{7*7}}",
    }


def inject(tree: ContentTree, texts: dict[str, str]) -> None:
    """Put *texts* into the netwerkvorming theme (its name and text) and its 2nd question."""
    essentials = tree.read("nl", "essentials.yaml")
    block = essentials.split("    netwerkvorming:\n", 1)[1]
    block = block[: block.index("        - id: netwerkvorming-3")]
    new = block
    for key, value in (("name", texts["name"]), ("text", texts["text"])):
        new = re.sub(rf"^      {key}: .*$", lambda _m, k=key, v=value: f"      {k}: {quote(v)}",
                     new, count=1, flags=re.M)
    pair = new.split("        - id: netwerkvorming-2\n", 1)
    for key in ("group", "personal"):
        pair[1] = re.sub(rf"^          {key}: .*$",
                         lambda _m, k=key: f"          {k}: {quote(texts[k])}",
                         pair[1], count=1, flags=re.M)
    new = "        - id: netwerkvorming-2\n".join(pair)
    assert new != block
    tree.write("nl", "essentials.yaml", essentials.replace(block, new))


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def squash(text: str) -> str:
    """Drop all white space and hyphens: line breaks may fall anywhere in a payload, and a
    hyphen the line breaking adds (U+2010) cannot be told from one in the text (the fonts
    draw ``-`` and U+2010 with one glyph, so text extraction may give either)."""
    return re.sub(r"[\s\-\u2010\u00ad\x02]+", "", text)


def assert_literal(pdf: Path, texts: dict[str, str]) -> None:
    """Every payload appears in the PDF's text as written (the name in upper case too)."""
    found = squash("\n".join(pdf_page_texts(pdf)))
    for key, value in texts.items():
        want = squash(value)
        if key == "name":  # the band sets it in capitals; the backs as written
            assert want.upper() in found.upper(), (key, value)
        else:
            assert want in found, (key, value, found[:3000])
    assert "<script>" in found and "</style>" in found and "{{7*7}}" in found
    assert "root:x:0:0" not in found  # /etc/passwd was not read into the document


def test_content_is_escaped_in_a_deck(make_content: ContentTree, server: Server) -> None:
    texts = payloads(server)
    inject(make_content, texts)
    result = run("deck", "--theme", "netwerkvorming", "-o", "deck.pdf")
    assert result.exit_code == 0, result.output
    assert_literal(Path("deck.pdf"), texts)
    assert server.requests == []


def test_content_is_escaped_on_the_poster(make_content: ContentTree, server: Server) -> None:
    texts = payloads(server)
    inject(make_content, texts)
    result = run("poster", "--size", "a4", "-o", "poster.pdf")
    assert result.exit_code == 0, result.output
    assert_literal(Path("poster.pdf"), texts)
    assert server.requests == []


def test_content_is_escaped_in_the_accessible_deck(
    make_content: ContentTree, server: Server
) -> None:
    """The tagged variant puts content into alternative texts (attributes) as well."""
    pdfx = pytest.importorskip("kaartspel.pdf.variants")
    if "accessible" not in pdfx.VARIANTS:
        pytest.skip("no accessible PDF variant")
    from kaartspel.deck.assemble import build_deck
    from kaartspel.options import DeckOptions

    texts = payloads(server)
    inject(make_content, texts)
    build_deck(make_content.root, DeckOptions(themes=("netwerkvorming",), pdf="accessible"),
               Path("accessible.pdf"), FaceCache(enabled=False))
    found = squash("\n".join(pdf_page_texts(Path("accessible.pdf"))))
    assert "<script>alert(1)</script>" in found and "{{7*7}}" in found
    assert server.requests == []


# --- the URL fetcher --------------------------------------------------------------------------


@pytest.fixture
def template_folder(tmp_path: Path) -> Path:
    """A template folder with a font, and symlinks that lead out of it."""
    folder = tmp_path / "templates"
    (folder / "fonts").mkdir(parents=True)
    font = PACKAGE_TEMPLATES / "fonts" / "SourceSans3-Regular.ttf"
    (folder / "fonts" / "font.ttf").write_bytes(font.read_bytes())
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n")
    (folder / "link-out.txt").symlink_to(secret)
    (folder / "link-etc").symlink_to("/etc")
    return folder


def refused(fetcher: object, url: str) -> bool:
    try:
        response = fetcher.fetch(url)  # type: ignore[attr-defined]
    except ValueError as exc:
        assert "refused to load" in str(exc)
        return True
    response.close()
    return False


def test_fetcher_refuses_the_network(template_folder: Path, server: Server) -> None:
    fetcher = safe_url_fetcher([template_folder])
    for url in (server.url("x.png"), server.url("fonts/font.ttf"),
                f"HTTP://127.0.0.1:{server.port}/upper", f"https://127.0.0.1:{server.port}/s",
                f"ftp://127.0.0.1:{server.port}/f", "//127.0.0.1/x", "gopher://127.0.0.1/x"):
        assert refused(fetcher, url), url
    assert server.requests == []


def test_fetcher_refuses_files_outside_the_templates(template_folder: Path) -> None:
    fetcher = safe_url_fetcher([template_folder])
    for url in ("file:///etc/passwd", "file://localhost/etc/passwd",
                (template_folder / ".." / "secret.txt").as_uri(),
                f"file://{template_folder}/../secret.txt",
                f"file://{template_folder}/%2e%2e/secret.txt",
                (template_folder / "link-out.txt").as_uri(),
                (template_folder / "link-etc" / "passwd").as_uri(),
                (template_folder / "fonts").as_uri(),  # a folder, not a file
                (template_folder / "fonts" / "missing.ttf").as_uri()):
        assert refused(fetcher, url), url


def test_fetcher_serves_bundled_files_and_data(template_folder: Path) -> None:
    fetcher = safe_url_fetcher([template_folder])
    font = template_folder / "fonts" / "font.ttf"
    response = fetcher.fetch(font.as_uri())
    try:
        assert response.read() == font.read_bytes()
    finally:
        response.close()
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    try:
        assert response.read() == b"hello"
    finally:
        response.close()


# --- templates that ask for the network -------------------------------------------------------


def network_templates(repo_root: Path, server: Server) -> Path:
    """An override folder whose page and stylesheet load things from the server."""
    folder = Path("my-templates")
    folder.mkdir()
    html = (repo_root / "templates" / "cards.html").read_text(encoding="utf-8")
    html = html.replace("</head>", f'<link rel="stylesheet" href="{server.url("l.css")}">'
                                   "</head>")
    html = html.replace("</body>", f'<img src="{server.url("i.png")}"></body>')
    assert server.url("i.png") in html and server.url("l.css") in html
    (folder / "cards.html").write_text(html, encoding="utf-8")
    css = (repo_root / "templates" / "cards.css").read_text(encoding="utf-8")
    css += f'\n.card {{ background-image: url("{server.url("bg.png")}"); }}\n'
    (folder / "cards.css").write_text(css, encoding="utf-8")
    return folder


def test_template_loading_from_the_network_fails_in_strict_mode(
    make_content: ContentTree, server: Server, repo_root: Path
) -> None:
    folder = network_templates(repo_root, server)
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates", folder,
                 "-o", "deck.pdf")
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: cards (nl): WeasyPrint reported: "), line
    assert f"refused to load 'http://127.0.0.1:{server.port}/" in line, line
    assert line.endswith("; use --no-strict to build anyway"), line
    assert "Traceback" not in result.output
    assert not Path("deck.pdf").exists()
    assert server.requests == []


def test_template_loading_from_the_network_is_refused_without_strict(
    make_content: ContentTree, server: Server, repo_root: Path
) -> None:
    folder = network_templates(repo_root, server)
    result = run("deck", "--card", "netwerkvorming-2", "--backs", "none", "--templates", folder,
                 "--no-strict", "-o", "deck.pdf")
    assert result.exit_code == 0, result.output
    assert Path("deck.pdf").read_bytes().startswith(b"%PDF-")
    assert server.requests == []
