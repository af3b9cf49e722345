"""The composer's routes under Starlette's TestClient: the page and its options, messages in
the CLI's words, downloads with the CLI's bytes, tables, limits and the guards."""

from __future__ import annotations

import io
import re
import shlex
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kaartspel.cli.app import app as cli
from kaartspel.content.load import load_content
from kaartspel.deck.own_questions import load_custom_questions
from kaartspel.serve.app import CSP
from kaartspel.serve.fields import MODEL, controls
from kaartspel.serve.questions import MAX_QUESTIONS, MAX_TEXT, Row, questions_yaml
from serve.helpers import GOOD, Elements, form, htmx, text_of

# ---------------------------------------------------------------------------------------------
# The page


def test_page_offers_every_option_of_the_model_with_its_default(client: TestClient) -> None:
    page = Elements(client.get("/").text)
    shown = set()
    for c in controls():
        control = page.by_id(f"opt-{c.name}")
        shown.add(c.name)
        assert page.label_of(control), f"{c.name} has no label"
        if c.kind == "choice":
            options = [o for o in page.find("option") if "select" in o["parents"]
                       and o in page.elements[page.elements.index(control):]][: len(c.choices)]
            assert [o["attrs"]["value"] for o in options] == list(c.choices)
            chosen = [o["attrs"]["value"] for o in options if "selected" in o["attrs"]]
            assert chosen == [c.shown(c.default)]
        elif c.kind == "flag":
            assert ("checked" in control["attrs"]) == bool(c.default)
        else:
            assert control["attrs"]["value"] == c.shown(c.default)
        assert page.by_id(f"help-{c.name}")["text"].strip(), f"{c.name} has no help"
    # Every field of the model is on the page: in a control of its own (the language switch,
    # the card picker, the own questions), or generated — except paths, never from a browser.
    own = {"lang", "themes", "kinds", "cards", "extra_questions"}
    paths = {"templates"}
    assert set(MODEL.model_fields) - own - paths == shown
    assert {c.section for c in controls() if c.name == "extras"} == {"cards"}


def test_every_control_has_a_label(client: TestClient) -> None:
    response = client.post("/", data=form(GOOD))
    page = Elements(response.text)
    controls_found = [e for e in page.elements if e["tag"] in ("input", "select", "textarea")
                      and e["attrs"].get("type") != "hidden"]
    assert len(controls_found) > 60  # options, themes, kinds, cards, two question pairs
    for control in controls_found:
        assert page.label_of(control), f"unlabelled {control['tag']} {control['attrs']}"
    for button in page.find("button"):
        assert " ".join(button["text"].split()) or button["attrs"].get("aria-label")


def test_the_page_speaks_the_content_language(client: TestClient) -> None:
    nl = Elements(client.get("/?lang=nl").text)
    en = Elements(client.get("/?lang=en").text)
    assert nl.find("html")[0]["attrs"]["lang"] == "nl"
    assert en.find("html")[0]["attrs"]["lang"] == "en"
    assert "Netwerkvorming" in nl.label_of(nl.find("input", name="themes",
                                                     value="netwerkvorming")[0])
    assert "Network building" in en.label_of(en.find("input", name="themes",
                                                       value="netwerkvorming")[0])


def test_switching_language_keeps_own_questions(client: TestClient) -> None:
    response = client.post("/", data={**form(GOOD, themes=["netwerkvorming"]),
                                      "switch_lang": "en"})
    page = Elements(response.text)
    assert page.find("html")[0]["attrs"]["lang"] == "en"
    assert page.by_id("q1-group")["text"] == GOOD[1].group
    assert "checked" in page.find("input", name="themes", value="netwerkvorming")[0]["attrs"]


# ---------------------------------------------------------------------------------------------
# Own questions: add, move, remove, messages


def rows_of(html: str) -> list[Row]:
    page = Elements(html)
    groups = [e["text"] for e in page.find("textarea", name="group")]
    personals = [e["text"] for e in page.find("textarea", name="personal")]
    return [Row(g, p) for g, p in zip(groups, personals, strict=True)]


@pytest.mark.parametrize(("action", "expected"), [
    ("add", [*GOOD, Row()]),
    ("remove:0", [GOOD[1]]),
    ("up:1", [GOOD[1], GOOD[0]]),
    ("down:0", [GOOD[1], GOOD[0]]),
    ("up:0", GOOD),  # the first cannot go up
    ("remove:7", GOOD),  # no such row: nothing happens
])
def test_question_actions(client: TestClient, action: str, expected: list[Row]) -> None:
    fragment = client.post("/questions", data={**form(GOOD), "action": action},
                           headers=htmx()).text
    assert rows_of(fragment) == expected
    # Without htmx the same action answers with the whole page.
    page = client.post("/questions", data={**form(GOOD), "action": action}).text
    assert rows_of(page) == expected and "<html" in page


def test_add_stops_at_the_limit(client: TestClient) -> None:
    rows = [Row(f"Vraag nummer {n}?", f"Jouw vraag {n}?") for n in range(MAX_QUESTIONS)]
    fragment = client.post("/questions", data={**form(rows), "action": "add"},
                           headers=htmx()).text
    assert len(rows_of(fragment)) == MAX_QUESTIONS
    assert "disabled" in Elements(fragment).find("button", value="add")[0]["attrs"]


def cli_messages(content_dir: Path, tmp_path: Path, rows: list[Row]) -> list[str]:
    """Return the problems `kaartspel deck --questions` reports for *rows*, as messages."""
    path = tmp_path / "mine.yaml"
    path.write_text(questions_yaml("netwerkvorming", rows), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)  # the organiser's folder: the CLI quotes files in the project
        _, problems = load_custom_questions(load_content(content_dir, "nl"), path)
    return [p.message for p in problems]


def test_messages_next_to_fields_are_the_clis(client: TestClient, content_dir: Path,
                                              tmp_path: Path) -> None:
    rows = [Row("wie mist er nog", GOOD[0].personal), GOOD[1],
            Row(GOOD[1].group, "Hoe leer jij" + " heel veel" * 20 + "?")]
    expected = cli_messages(content_dir, tmp_path, rows)
    assert len(expected) == 4  # no '?', no capital, a duplicate, too long
    page = Elements(client.post("/", data=form(rows)).text)
    shown = {key: [" ".join(p["text"].split()) for p in page.find("p", class_="error")
                   if p in page.elements[page.elements.index(page.by_id(key)):][:4]]
             for key in ("msg-0-group", "msg-2-group", "msg-2-personal")}
    # The CLI's words after the field's path, generated ids named as the page names them.
    words = [re.sub(r"netwerkvorming-eigen-(\d)\.(\w+)", r"your question \1, \2",
                    m.split(": ", 1)[1]) for m in expected]
    assert [m.lower() for m in shown["msg-0-group"]] == [w.lower() for w in words[:2]]
    assert [m.lower() for m in shown["msg-2-group"]] == [words[2].lower()]
    assert [m.lower() for m in shown["msg-2-personal"]] == [words[3].lower()]
    assert page.by_id("q0-group")["attrs"].get("aria-invalid") == "true"
    assert "aria-invalid" not in page.by_id("q1-group")["attrs"]


def test_blank_rows_are_not_part_of_the_deck(client: TestClient) -> None:
    page = Elements(client.post("/", data=form([GOOD[0], Row(), GOOD[1]])).text)
    assert not [p for p in page.find("p", class_="error") if p["text"].strip()]
    assert "--questions" in page.by_id("command")["text"]


def test_an_empty_field_is_named(client: TestClient) -> None:
    page = Elements(client.post("/", data=form([Row(GOOD[0].group, "")])).text)
    assert "empty" in " ".join(page.by_id("msg-0-personal")["text"].split())


# ---------------------------------------------------------------------------------------------
# Options: the model's and the library's checks, worded as the CLI words them


@pytest.mark.parametrize(("field", "value"), [
    ("bleed", "12"), ("size", "huge"), ("layout", "folded"), ("margin", "-1"), ("duplex", "x"),
])
def test_option_messages_are_the_clis(client: TestClient, field: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["deck", f"--{field}", value, "-o", "never.pdf"])
    assert result.exit_code == 2
    said = result.output.strip().removeprefix("Error: ")
    fragment = client.post("/summary", data=form(**{field: value}), headers=htmx()).text
    error = Elements(fragment).by_id(f"err-{field}")
    assert " ".join(error["text"].split()).lower() == said.lower()
    assert error["attrs"].get("hx-swap-oob") == "true"


def test_a_number_that_is_not_one(client: TestClient) -> None:
    fragment = client.post("/summary", data=form(gutter="wide"), headers=htmx()).text
    assert "valid number" in Elements(fragment).by_id("err-gutter")["text"]


def test_download_with_bad_options_shows_the_page_again(client: TestClient) -> None:
    response = client.post("/deck.pdf", data=form(GOOD, bleed="12", themes=["netwerkvorming"]))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = Elements(response.text)
    assert "--bleed must be between 0 and 10 mm" in page.find("div", role="alert")[0]["text"]
    assert rows_of(response.text) == GOOD  # nothing lost


def test_summary_counts_what_the_pdf_holds(client: TestClient) -> None:
    for changes in ({"themes": ["netwerkvorming"]},
                    {"themes": ["netwerkvorming", "tips"], "layout": "single"},
                    {"kinds": ["question"], "size": "mini", "backs": "none"}):
        data = form(GOOD, **changes)
        summary = text_of(client.post("/summary", data=data, headers=htmx()).text)
        response = client.post("/deck.pdf", data=data)
        assert response.status_code == 200, text_of(response.text)[:500]
        with pikepdf.open(io.BytesIO(response.content)) as pdf:
            pages = len(pdf.pages)
        assert f"op {pages} pagina" in summary, (changes, summary)


def test_selection_that_matches_nothing_is_said(client: TestClient) -> None:
    fragment = client.post("/summary", data=form(themes=["tips"], kinds=["level"]),
                           headers=htmx()).text
    assert "matches no card" in text_of(fragment)


# ---------------------------------------------------------------------------------------------
# Preview


def preview(client: TestClient, data: dict[str, Any], row: int) -> tuple[int, Elements]:
    response = client.post(f"/preview/{row}", data=data, headers=htmx())
    return response.status_code, Elements(response.text)


def test_preview_is_the_real_card(client: TestClient) -> None:
    status, fragment = preview(client, form(GOOD, themes=["netwerkvorming"]), 1)
    assert status == 200
    src = fragment.find("img")[0]["attrs"]["src"]
    picture = client.get(src)
    assert picture.headers["content-type"] == "image/png"
    from PIL import Image

    image = Image.open(io.BytesIO(picture.content))
    # A poker card (63 × 88 mm) cut at its trim, at 150 dpi.
    assert abs(image.width - 63 / 25.4 * 150) <= 1 and abs(image.height - 88 / 25.4 * 150) <= 1
    assert "pt" in text_of(client.post("/preview/1", data=form(GOOD), headers=htmx()).text)
    # The same question again: no render, the same picture.
    _, again = preview(client, form(GOOD, themes=["netwerkvorming"]), 1)
    assert again.find("img")[0]["attrs"]["src"] == src
    # Another text: another picture.
    changed = [GOOD[0], Row(GOOD[1].group, "Wat doe jij morgen anders?")]
    _, other = preview(client, form(changed, themes=["netwerkvorming"]), 1)
    assert other.find("img")[0]["attrs"]["src"] != src


def test_preview_of_a_card_that_cannot_fit(client: TestClient) -> None:
    long = Row("Welke afspraken maken we met elkaar over hoe we kennis delen tussen onderwijs, "
               "overheid, bedrijven en inwoners in onze regio, en wie zorgt dat dit ook echt "
               "gebeurt?", "Welke kennis uit je eigen werk zou je met de anderen willen delen, "
               "en wat heb je van hen nodig om dat op een goede manier te kunnen doen, nu en in "
               "de komende jaren?")
    status, fragment = preview(client, form([long], size="mini"), 0)
    assert status == 200
    words = " ".join(fragment.by_id("fit-0")["text"].split())
    assert ("card 'netwerkvorming-eigen-1' does not fit even at " in words
            and "mm too long; shorten its text, use a larger --size" in words)
    assert fragment.find("img")  # shown anyway, at the smallest size, overflowing


def test_preview_sends_every_rows_messages(client: TestClient) -> None:
    rows = [GOOD[0], Row("zonder vraagteken", GOOD[1].personal)]
    _, fragment = preview(client, form(rows), 0)
    oob = fragment.by_id("msg-1-group")
    assert oob["attrs"]["hx-swap-oob"] == "true"
    assert "ending with '?'" in oob["text"]


def test_preview_of_a_blank_row_renders_nothing(client: TestClient) -> None:
    status, fragment = preview(client, form([Row()]), 0)
    assert status == 200 and not fragment.find("img")


def test_busy_pool_says_so(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from kaartspel.serve.pool import Busy

    composer = client.app.state.composer  # type: ignore[attr-defined]

    async def busy(*args: Any) -> Any:
        raise Busy

    monkeypatch.setattr(composer.pool, "run", busy)
    rows = [Row("Een vraag die nog niemand stelde?", "En wat vind jij daarvan?")]
    response = client.post("/preview/0", data=form(rows, lang="en"), headers=htmx())
    assert response.status_code == 503 and "try again" in text_of(response.text).lower()
    response = client.post("/deck.pdf", data=form(rows, lang="en"))
    assert response.status_code == 503 and "Busy" in text_of(response.text)
    assert rows_of(response.text) == rows


# ---------------------------------------------------------------------------------------------
# Downloads: the CLI's bytes


def run_cli(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_download_is_what_kaartspel_deck_makes(client: TestClient, content_dir: Path,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = form(GOOD, lang="en", themes=["netwerkvorming", "tips"], size="a7", bleed="2",
                duplex="short", own_theme="netwerkvorming")
    response = client.post("/deck.pdf", data=data)
    assert response.status_code == 200, text_of(response.text)[:400]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    stem = "kaartspel-en-netwerkvorming-tips-eigen"
    assert response.headers["content-disposition"] == f'attachment; filename="{stem}.pdf"'
    # The command line the page shows, run in a scratch folder with the same questions file.
    command = Elements(client.post("/", data=data).text).by_id("command")["text"]
    args = shlex.split(command)
    assert args[:2] == ["kaartspel", "deck"] and "--questions" in args
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{stem}-questions.yaml").write_text(questions_yaml("netwerkvorming", GOOD),
                                                     encoding="utf-8")
    run_cli(["--content", str(content_dir), *args[1:]])
    assert (tmp_path / f"{stem}.pdf").read_bytes() == response.content


def test_download_without_own_questions(client: TestClient, content_dir: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = form(themes=["rollen"], layout="single", order="interleaved", pdf="print")
    del data["extras"]  # unticked: a browser sends nothing
    response = client.post("/deck.pdf", data=data)
    assert response.status_code == 200
    command = Elements(client.post("/", data=data).text).by_id("command")["text"]
    assert "--no-extras" in command and "--questions" not in command
    monkeypatch.chdir(tmp_path)
    run_cli(["--content", str(content_dir), "deck", "--theme", "rollen", "--layout", "single",
             "--order", "interleaved", "--pdf", "print", "--no-extras", "-o", "out.pdf"])
    assert (tmp_path / "out.pdf").read_bytes() == response.content
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) == 2 * 4  # the theme card and three questions, each with a back


def test_recipe_zip_rebuilds_the_same_pdf(client: TestClient, content_dir: Path,
                                          tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    data = form(GOOD, lang="nl", themes=["netwerkvorming"], kinds=["question", "theme"],
                size="bridge")
    pdf = client.post("/deck.pdf", data=data).content
    response = client.post("/recipe.zip", data=data)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    stem = "kaartspel-nl-netwerkvorming-eigen"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [f"{stem}-questions.yaml", f"{stem}.yaml"]
        archive.extractall(tmp_path / "deck")
    assert client.post("/recipe.zip", data=data).content == response.content  # reproducible
    monkeypatch.chdir(tmp_path)
    run_cli(["--content", str(content_dir), "build", f"deck/{stem}.yaml", "--out-dir", "out"])
    assert (tmp_path / "out" / f"{stem}.pdf").read_bytes() == pdf


def test_download_with_rule_problems_is_refused(client: TestClient) -> None:
    rows = [Row("zonder hoofdletter?", "Wat vind jij?")]
    response = client.post("/deck.pdf", data=form(rows))
    assert response.status_code == 422
    assert "expected a capital letter" in text_of(response.text)


# ---------------------------------------------------------------------------------------------
# Tables


def upload(client: TestClient, name: str, data: bytes, rows: list[Row] | None = None,
           lang: str = "nl") -> tuple[int, str]:
    response = client.post("/upload", data=form(rows or [], lang=lang),
                           files={"table": (name, data, "application/octet-stream")},
                           headers=htmx())
    return response.status_code, response.text


def test_template_tables_read_back(client: TestClient) -> None:
    for suffix in ("csv", "xlsx"):
        template = client.get(f"/template.{suffix}?lang=en")
        assert template.status_code == 200
        status, fragment = upload(client, f"questions.{suffix}", template.content, [GOOD[0]])
        assert status == 200, text_of(fragment)
        rows = rows_of(fragment)
        assert rows[0] == GOOD[0] and len(rows) == 2
        assert rows[1].group.startswith("Who is still missing")


def test_csv_with_good_rows(client: TestClient) -> None:
    table = ("group;personal\r\n" + "\r\n".join(f"{r.group};{r.personal}" for r in GOOD))
    status, fragment = upload(client, "mine.csv", table.encode("cp1252"))
    assert status == 200 and rows_of(fragment) == GOOD
    assert "2" in text_of(fragment) and "mine.csv" in text_of(fragment)


def test_csv_with_bad_rows_names_each_row(client: TestClient) -> None:
    table = (b"group,personal\n"
             b"Wie mist er nog?,\n"
             b"Een goede vraag?,Een goede vraag aan jou?\n"
             b",Alleen een persoonlijke vraag?\n"
             b"Te veel?,kolommen?,hier\n")
    status, fragment = upload(client, "../../etc/mine.csv", table, [GOOD[0]])
    assert status == 422
    words = text_of(fragment)
    assert "mine.csv:2: personal: expected text, got an empty cell" in words
    assert "mine.csv:4: group: expected text, got an empty cell" in words
    assert "mine.csv:5: expected 2 columns (group, personal), got more" in words
    assert "etc" not in words  # only the base name is ever shown
    assert rows_of(fragment) == [GOOD[0]]  # nothing added, nothing lost


def test_table_rule_problems_have_row_numbers(client: TestClient) -> None:
    table = "group,personal\nWie mist er nog?,hoe jij\n"
    status, fragment = upload(client, "mine.csv", table.encode())
    assert status == 200
    words = text_of(fragment)
    assert "mine.csv:2: netwerkvorming-eigen-1.personal: expected a question ending" in words
    assert len(rows_of(fragment)) == 1


def test_xlsx_with_bad_rows(client: TestClient) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["group", "personal"])
    sheet.append(["Een vraag?", None])
    sheet.append([None, None])
    sheet.append(["Nog een vraag?", "En jij?"])
    buffer = io.BytesIO()
    book.save(buffer)
    status, fragment = upload(client, "mine.xlsx", buffer.getvalue())
    assert status == 422
    assert "mine.xlsx:2: personal: expected text, got an empty cell" in text_of(fragment)


@pytest.mark.parametrize(("name", "data", "words"), [
    ("x.csv", b"vraag,antwoord\nA?,B?\n", "x.csv:1: expected the headings group, personal"),
    ("x.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook"),
    ("x.pdf", b"%PDF-1.7", "expected a .csv or .xlsx file"),
    ("x.csv", b"", "the table is empty"),
])
def test_unreadable_tables(client: TestClient, name: str, data: bytes, words: str) -> None:
    status, fragment = upload(client, name, data)
    assert status == 422 and words in text_of(fragment)


def test_upload_without_a_file(client: TestClient) -> None:
    response = client.post("/upload", data=form([GOOD[0]]), headers=htmx())
    assert response.status_code == 422 and rows_of(response.text) == [GOOD[0]]


# ---------------------------------------------------------------------------------------------
# Limits and guards


def test_too_many_or_too_long_questions(client: TestClient) -> None:
    many = [Row(f"Vraag {n}?", f"Jij {n}?") for n in range(MAX_QUESTIONS + 1)]
    assert client.post("/preview/0", data=form(many), headers=htmx()).status_code == 413
    long = [Row("W" * (MAX_TEXT + 1) + "?", "Jij?")]
    assert client.post("/deck.pdf", data=form(long)).status_code == 413


def test_body_size_is_bounded(client: TestClient) -> None:
    limit = client.app.state.composer.limits.max_body  # type: ignore[attr-defined]
    response = client.post("/summary", content=b"a=" + b"x" * limit,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = client.post("/summary", content=chunks(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_upload_size_is_bounded(client: TestClient) -> None:
    status, _ = upload(client, "big.csv", b"group,personal\n" + b"x" * 2_000_000)
    assert status == 413


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.2:8000",
                                  "192.168.1.10:8000", ""])
def test_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 400
    assert client.post("/deck.pdf", data=form(), headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "127.0.0.1"])
def test_own_host_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    data = form(GOOD)
    assert client.post("/summary", data=data,
                       headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/summary", data=data,
                       headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post("/summary", data=data,
                       headers={"origin": "http://127.0.0.1:8000"}).status_code == 200


def test_security_headers_everywhere(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/static/htmx.min.js"),
                     client.post("/summary", data=form(), headers=htmx()),
                     client.get("/template.csv"), client.get("/nothing-here")):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in CSP
    assert client.get("/").headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/thumb/nl/..%2F..%2Fetc%2Fpasswd.png", "/thumb/xx/title.png",
                                  "/thumb/nl/no-such-card.png", "/card/../../x.png",
                                  "/card/" + "0" * 64 + ".png", "/static/../app.py",
                                  "/fonts/../../pyproject.toml"])
def test_no_path_from_the_client(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_page_uses_nothing_from_elsewhere(client: TestClient) -> None:
    page = Elements(client.get("/").text)
    for element in page.elements:
        for name in ("src", "href", "action", "formaction"):
            value = element["attrs"].get(name, "")
            assert not value.startswith(("http:", "https:", "//")), value
        assert "style" not in element["attrs"]  # no inline style (CSP)
        assert not any(a.startswith("on") for a in element["attrs"])  # no inline script
    assert all(s["attrs"].get("src") for s in page.find("script"))


def test_thumbnails_are_the_cards(client: TestClient) -> None:
    response = client.get("/thumb/en/netwerkvorming-2.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
