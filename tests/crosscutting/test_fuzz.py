"""Property-based tests: whatever text or bytes the content holds, nothing crashes.

Arbitrary Unicode — combining marks, emoji, right-to-left scripts, zero-width and bidi
characters, control characters, very long words, empty and white-space-only strings,
10 000-character fields — is written into the content (a scratch copy per example) and goes
through load → check → render.  The outcome is always either a valid PDF that shows all of
its text, or a :class:`~kaartspel.errors.KaartspelError` whose lines are clean single lines;
never another exception.  ``check`` and the build agree on whether the content is valid.

Two more properties run ``kaartspel build`` itself: any recipe file (valid, wrong, hostile —
``extra_questions: /etc/passwd`` — or with damaged bytes) builds its PDF or fails with clean
lines naming the recipe, leaving nothing; and any damage to a warm cache (truncation, garbage,
deletion, entries swapped, a broken manifest) rebuilds the deck byte for byte as it was.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default, 300 examples per rendering property)
and ``fuzz`` (3000; ``make fuzz``).  The loader-only properties are cheap and run on twice as
many examples; the full build (fit search, imposition, font merging) on a tenth; the two
``kaartspel build`` properties (marked ``slow``) on a twenty-fifth.
"""

from __future__ import annotations

import copy
import io
import itertools
import os
import re
import shutil
import string
import unicodedata
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from conftest import pdf_page_texts
from kaartspel.cache import FaceCache
from kaartspel.content.load import check, load_content
from kaartspel.deck.assemble import build_deck
from kaartspel.deck.cards import build_cards
from kaartspel.deck.faces import CardRenderer, Geometry
from kaartspel.errors import ContentError, FitError, KaartspelError, RenderError, UsageError
from kaartspel.options import DeckOptions
from kaartspel.render.document import write_pdf
from kaartspel.render.templates import TemplateSet
from kaartspel.units import card_size

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                              HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=300, **_COMMON)
settings.register_profile("fuzz", max_examples=3000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
"""The active profile; applied per test, so no other test's Hypothesis settings change."""
RENDER = PROFILE
LOADER = settings(PROFILE, max_examples=PROFILE.max_examples * 2)
BUILD = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 10))

# --- text strategies ----------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
WHITE = [" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", " \n\t ", "\u2028"]

latin = st.characters(min_codepoint=0x20, max_codepoint=0x24F, categories=["L", "N", "P", "Zs"])
combining = st.characters(categories=["Mn", "Me"])
emoji = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
rtl = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF)
invisible = st.sampled_from(ZERO_WIDTH + BIDI)
anything = st.characters(exclude_categories=["Cs"])  # controls and private use included
surrogate = st.characters(categories=["Cs"])  # only reachable through YAML escapes

words = st.text(alphabet=st.one_of(latin, latin, latin, combining, emoji, rtl, invisible),
                max_size=25)
fragment = st.one_of(
    words,
    st.text(alphabet=anything, max_size=12),
    st.text(alphabet=string.ascii_letters, min_size=30, max_size=160),  # one very long word
    st.sampled_from(["", *WHITE]),
)
texts = st.one_of(
    st.lists(fragment, max_size=6).map(" ".join),
    st.text(alphabet=latin, min_size=60, max_size=800),  # prose that may not fit
    st.sampled_from(["", *WHITE]),
    st.tuples(st.sampled_from(["a", "é ", "漢", "W ", "\u0301", "🙂"]), st.just(10_000))
    .map(lambda t: (t[0] * t[1])[:10_000]),
)


def within_rules(field: str, text: str) -> str:
    """Bend *text* towards the lint rules of *field* (length, a capital, a question mark,
    no outer space), so that most examples reach the renderer."""
    limit = {"group": 168, "personal": 168, "text": 720, "name": 32}[field]
    text = f"W{text.strip()}"[:limit].rstrip()
    return f"{text}?" if field in ("group", "personal") else text


FIELDS = {
    "group": ("essentials", "themes", "netwerkvorming", "questions", 1, "group"),
    "personal": ("essentials", "themes", "netwerkvorming", "questions", 1, "personal"),
    "text": ("essentials", "themes", "netwerkvorming", "text"),
    "name": ("essentials", "themes", "netwerkvorming", "name"),
}
"""Where rendered texts go: the second question of a theme, the theme's text and name."""
CARDS = ("theme-netwerkvorming", "netwerkvorming-2")
"""The cards that show those fields (rendered together, one document)."""

LOADER_FIELDS = {
    "meta.yaml": [("meta", "title"), ("meta", "lead"), ("meta", "set_title")],
    "ui.yaml": [("ui", "group_label"), ("ui", "howto_steps", 0), ("ui", "tile_label")],
    "essentials.yaml": [*FIELDS.values(), ("essentials", "title")],
    "tips.yaml": [("tips", "items", 0, "text"), ("tips", "items", 0, "id")],
}


# --- scratch content ----------------------------------------------------------------------------

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""Writing the examples fast (libyaml); kaartspel still reads them with its own loader."""



@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Iterator[Any]:
    """Return a function giving a fresh copy of ``content/nl`` per example (removed after)."""
    root = tmp_path_factory.mktemp("fuzz")
    counter = itertools.count()
    originals = {f.name: f.read_text(encoding="utf-8") for f in (content_dir / "nl").iterdir()
                 if f.suffix == ".yaml"}
    parsed = {name: yaml.safe_load(text) for name, text in originals.items()}

    class Scratch:
        def __init__(self) -> None:
            self.dir = root / str(next(counter))
            (self.dir / "nl").mkdir(parents=True)
            for name, text in originals.items():
                (self.dir / "nl" / name).write_text(text, encoding="utf-8")

        def set(self, filename: str, path: tuple[str | int, ...], value: str) -> None:
            data = copy.deepcopy(parsed[filename])
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
            try:
                dumped = yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False,
                                   width=2**30)
            except UnicodeEncodeError:  # libyaml cannot escape a lone surrogate; PyYAML can
                dumped = yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True,
                                   sort_keys=False, width=2**30)
            (self.dir / "nl" / filename).write_text(dumped, encoding="utf-8",
                                                    errors="surrogatepass")

        def write_bytes(self, filename: str, data: bytes) -> None:
            (self.dir / "nl" / filename).write_bytes(data)

        def __enter__(self) -> Scratch:
            return self

        def __exit__(self, *exc: object) -> None:
            shutil.rmtree(self.dir, ignore_errors=True)

    yield Scratch
    shutil.rmtree(root, ignore_errors=True)


def assert_clean(error: KaartspelError) -> None:
    """Every line of an error prints as one line: no control characters, no line breaks."""
    lines = error.lines()
    assert lines
    for line in lines:
        assert line and "\n" not in line and "\r" not in line, line
        assert all(unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp") for ch in line), line
        line.encode("utf-8")  # printable on a UTF-8 terminal


def checked(folder: Path) -> list[Any]:
    """Run ``check`` (it never raises); return its problems, each a clean line."""
    problems = check(folder, ["nl"])
    if problems:
        assert_clean(ContentError(problems))
    event("content invalid" if problems else "content valid")
    return problems


def assert_consistent(folder: Path) -> Any:
    """``check`` never raises; ``load_content`` fails exactly when it reports problems.

    Return the content, or None when it is invalid.
    """
    problems = checked(folder)
    try:
        content = load_content(folder, "nl")
    except ContentError as exc:
        assert problems, "load_content failed where check found nothing"
        assert exc.problems == problems
        assert_clean(exc)
        return None
    assert not problems, problems
    return content


# --- fidelity: nothing the PDF claims to show is missing ---------------------------------------

IGNORABLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
"""Letters (category Lo) that are default-ignorable: laid out as nothing, never drawn."""


def letter_count(text: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFKC", text)
               if ch.isalpha() and ch not in IGNORABLE_LETTERS)


def html_text(html: str) -> str:
    """The text a card document shows: no styles, no SVG, no tags."""
    body = html.split("<body>", 1)[1]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return unescape(body)


def assert_all_text_shown(page_text: str, html: str) -> None:
    """At least as many letters come out of a page as went into its HTML (text transforms
    only add letters: ß → SS); fewer means text was cut off or dropped."""
    assert letter_count(page_text) >= letter_count(html_text(html)), page_text


# --- shared rendering setup ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def templates() -> TemplateSet:
    return TemplateSet.create()


GEOMETRY = Geometry.for_card(card_size("poker"), 3.0)
GEOMETRIES = {name: Geometry.for_card(card_size(name), 3.0) for name in ("poker", "mini", "40x40")}
"""Card sizes for rendering: the default, the smallest named one, and the smallest allowed."""


def is_unsupported_glyph(error: KaartspelError) -> bool:
    """The bundled fonts have no glyph for a character (emoji, Hebrew, CJK …): strict mode
    refuses to draw a blank box or fall back to a font of the computer, which is the one
    render error content may cause."""
    return isinstance(error, RenderError) and (
        "unsupported by fonts" in str(error) or "the bundled fonts have no glyph" in str(error)
    )


# --- properties ---------------------------------------------------------------------------------


@RENDER
@given(field=st.sampled_from(list(FIELDS)), text=texts, bend=st.integers(0, 3),
       size=st.sampled_from([7.0, 9.0, 11.0, 14.0]), card=st.sampled_from(list(GEOMETRIES)))
def test_rendering_any_text(scratch: Any, templates: TemplateSet, field: str, text: str,
                            bend: int, size: float, card: str) -> None:
    """load → check → render two cards at one type size: a valid PDF or a clean error; when
    the measurement says the text fits, all of it is on the page."""
    text = within_rules(field, text) if bend else text
    with scratch() as work:
        work.set("essentials.yaml", FIELDS[field], text)
        content = assert_consistent(work.dir)
        if content is None:
            return
        cards = [card for card in build_cards(content) if card.id in CARDS]
        renderer = CardRenderer(content, GEOMETRIES[card], templates)
        try:
            document, measures = renderer.render(cards, size)
            data = write_pdf(document, b"0" * 32, True, "fuzz")
        except KaartspelError as exc:
            assert_clean(exc)
            assert is_unsupported_glyph(exc) or isinstance(exc, FitError), exc
            event(f"render: {type(exc).__name__}")
            return
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == len(cards)
        assert all(m.overflow >= 0 and (m.fill > 1) != m.fits for m in measures.values())
        overflowing = {card_id for card_id, m in measures.items() if not m.fits}
        event("render: overflows" if overflowing else "render: fits")
        for card, page_text in zip(cards, pdf_page_texts(data), strict=True):
            if card.id not in overflowing:  # it claims to fit: all its letters are on its page
                assert_all_text_shown(page_text, renderer.html([card], size))


@BUILD
@given(field=st.sampled_from(list(FIELDS)), text=texts, bend=st.integers(0, 3))
def test_building_a_deck_from_any_text(scratch: Any, templates: TemplateSet, field: str,
                                       text: str, bend: int) -> None:
    """The whole build (fit search, imposition, fonts): a PDF that shows all its text, or a
    clean error — never another exception, never a file after an error."""
    text = within_rules(field, text) if bend else text
    with scratch() as work:
        work.set("essentials.yaml", FIELDS[field], text)
        output = work.dir / "deck.pdf"
        valid = not check(work.dir, ["nl"])
        try:
            result = build_deck(work.dir, DeckOptions(cards=CARDS, backs="none", layout="single"),
                                output, FaceCache(enabled=False))
        except KaartspelError as exc:
            event(f"build: {type(exc).__name__}")
            assert_clean(exc)
            assert not output.exists()
            if isinstance(exc, ContentError) and not isinstance(exc, FitError):
                assert not valid, "the build found content problems that check did not"
            else:
                assert valid
                assert isinstance(exc, FitError | UsageError) or is_unsupported_glyph(exc), exc
            return
        assert valid, "the build accepted content that check rejects"
        event("build: PDF")
        data = output.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == result.pages > 0
        content = load_content(work.dir, "nl")
        cards = [card for card in build_cards(content) if card.id in CARDS]
        renderer = CardRenderer(content, GEOMETRY, templates)
        for card, page_text in zip(cards, pdf_page_texts(data), strict=True):
            assert_all_text_shown(page_text, renderer.html([card], result.base_pt))


@LOADER
@given(
    place=st.sampled_from([(f, p) for f, paths in LOADER_FIELDS.items() for p in paths]),
    text=st.one_of(texts, st.text(alphabet=st.one_of(anything, surrogate), max_size=40)),
)
@example(place=("meta.yaml", ("meta", "title")), text="\ud800")
@example(place=("essentials.yaml", FIELDS["group"]), text="Wie\x1b[31m?")
def test_loading_any_text(scratch: Any, place: tuple[str, tuple[str | int, ...]],
                          text: str) -> None:
    """Any text in any field (control characters and lone surrogates included, as YAML
    escapes): check and load agree, and every problem is one clean line."""
    filename, path = place
    with scratch() as work:
        work.set(filename, path, text)
        checked(work.dir)


@RENDER
@given(data=st.binary(max_size=400))
def test_loading_any_bytes(scratch: Any, data: bytes) -> None:
    """Any bytes as a content file: check and load agree (never a traceback)."""
    with scratch() as work:
        work.write_bytes("extra.yaml", data)
        checked(work.dir)


@RENDER
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True),
                                st.sampled_from(["delete", "insert", "replace"]),
                                st.binary(min_size=1, max_size=3)), min_size=1, max_size=4))
def test_loading_a_damaged_file(scratch: Any, content_dir: Path,
                                edits: list[tuple[float, str, bytes]]) -> None:
    """A real content file with a few bytes changed (a broken quote, a stray tab, half a
    UTF-8 sequence, a lost indent …): check and load agree."""
    data = bytearray((content_dir / "nl" / "essentials.yaml").read_bytes())
    for where, how, chunk in edits:
        at = int(where * len(data))
        if how == "delete":
            del data[at : at + len(chunk)]
        elif how == "insert":
            data[at:at] = chunk
        else:
            data[at : at + len(chunk)] = chunk
    assume(bytes(data) != (content_dir / "nl" / "essentials.yaml").read_bytes())
    with scratch() as work:
        work.write_bytes("essentials.yaml", bytes(data))
        checked(work.dir)


# --- recipes and cache damage (slow: each example builds) --------------------------------------

SLOW = settings(PROFILE, max_examples=max(8, PROFILE.max_examples // 25))
"""12 examples a property on CI, 120 under ``make fuzz``: each one runs ``kaartspel build``."""

RECIPE_KEYS = ["type", "lang", "output", "size", "layout", "paper", "margin", "gutter", "bleed",
               "duplex", "backs", "order", "pdf", "select", "extra_questions", "description",
               "colour", "strict", "templates"]
junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.text(alphabet=anything, max_size=30),
    st.lists(st.text(max_size=8), max_size=3), st.dictionaries(st.text(max_size=5),
                                                              st.integers(), max_size=2),
)
RECIPE_VALUES: dict[str, Any] = {
    "type": st.sampled_from(["deck", "deck", "deck", "poster", "nope"]),
    "lang": st.sampled_from(["nl", "en", "xx", "../nl"]),
    "output": st.sampled_from(["fuzz.pdf", "../fuzz.pdf", "fuzz.txt", ".fuzz.pdf", "/tmp/f.pdf",
                               "x" * 300 + ".pdf", "sub/fuzz.pdf", "fu\x00zz.pdf"]),
    "size": st.sampled_from(["poker", "mini", "80x120", "huge", "10x10"]),
    "layout": st.sampled_from(["sheet", "single", "poster"]),
    "paper": st.sampled_from(["a4", "a3", "letter", "b5"]),
    "margin": st.sampled_from([0, 5, 31, -1]), "gutter": st.sampled_from([0, 2.5, 1e9]),
    "bleed": st.sampled_from([0, 3, 11]),
    "duplex": st.sampled_from(["long", "short", "none", "sideways"]),
    "backs": st.sampled_from(["theme", "plain", "none"]),
    "order": st.sampled_from(["fronts-then-backs", "interleaved", "random"]),
    "pdf": st.sampled_from(["plain", "plain", "print", "accessible", "nope"]),
    "select": st.fixed_dictionaries({"cards": st.lists(st.sampled_from(
        ["netwerkvorming-2", "title", "tip-4", "nope"]), min_size=1, max_size=2)},
        optional={"kinds": st.lists(st.sampled_from(["tip", "nope"]), max_size=1),
                  "extras": st.booleans()}),
    "extra_questions": st.sampled_from(["mine.yaml", "missing.yaml", "/etc/passwd",
                                        "../../../../etc/passwd", "", "mine.yaml"]),
    "description": st.text(alphabet=anything, max_size=20),
}
VALID_VALUES: dict[str, Any] = {
    "lang": st.sampled_from(["nl", "en"]), "size": st.sampled_from(["poker", "mini", "80x120"]),
    "layout": st.sampled_from(["sheet", "single"]), "paper": st.sampled_from(["a4", "letter"]),
    "margin": st.sampled_from([0, 5]), "gutter": st.sampled_from([0, 2.5]),
    "bleed": st.sampled_from([0, 3]), "duplex": st.sampled_from(["long", "short", "none"]),
    "backs": st.sampled_from(["theme", "plain", "none"]),
    "order": st.sampled_from(["fronts-then-backs", "interleaved"]),
    "pdf": st.sampled_from(["plain", "print", "accessible"]),
    "extra_questions": st.just("mine.yaml"),
    "description": st.text(alphabet=latin, max_size=20),
}
valid_recipes = st.fixed_dictionaries(
    {"type": st.just("deck"), "output": st.just("fuzz.pdf"),
     "select": st.fixed_dictionaries({"cards": st.lists(st.sampled_from(
         ["netwerkvorming-2", "title", "tip-4"]), min_size=1, max_size=2, unique=True)},
         optional={"extras": st.booleans()})},
    optional=VALID_VALUES,
)
any_recipes = st.fixed_dictionaries(
    {"type": RECIPE_VALUES["type"], "output": RECIPE_VALUES["output"],
     "select": RECIPE_VALUES["select"]},
    optional={key: st.one_of(RECIPE_VALUES.get(key, junk), junk) if key in RECIPE_VALUES
              else junk for key in RECIPE_KEYS if key not in ("type", "output", "select")},
)


@pytest.fixture(scope="module")
def recipe_project(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Path:
    """A project (content/, deck/ with an own-questions file) whose cache the examples share."""
    root = tmp_path_factory.mktemp("recipes")
    shutil.copytree(content_dir, root / "content")
    (root / "deck").mkdir()
    shutil.copy(content_dir.parent / "deck" / "netwerkvorming-eigen-vragen.yaml",
                root / "deck" / "mine.yaml")
    return root


def run_cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from kaartspel.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def assert_one_line_each(result: Any) -> list[str]:
    """Exit 1 or 2, no traceback, every stderr line an ``Error:`` (or a WARNING) line."""
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert errors and all(line.startswith(("Error: ", "WARNING ")) for line in lines), lines
    for line in errors:
        assert all(unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp") for ch in line)
    return errors


@pytest.mark.slow
@SLOW
@given(recipe=st.one_of(valid_recipes, any_recipes),
       raw=st.one_of(st.none(), st.none(), st.binary(max_size=60)))
@example(recipe={"type": "deck", "output": "fuzz.pdf", "select": {"cards": ["title"]},
                 "extra_questions": "/etc/passwd"}, raw=None)
def test_building_any_recipe(recipe_project: Path, recipe: dict[str, Any], raw: bytes | None,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Any recipe file (valid, wrong, hostile, or its bytes damaged): ``kaartspel build``
    writes a PDF and nothing else, or fails with clean lines that name the recipe and leave
    nothing behind — and never prints a line of a file outside the project."""
    monkeypatch.chdir(recipe_project)
    out = recipe_project / "out"
    for old in out.glob("*.pdf"):  # the cache in out/.cache stays: it is shared
        old.unlink()
    text = yaml.dump(recipe, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False)
    data = text.encode("utf-8", "surrogatepass")
    if raw is not None:
        at = len(raw) % max(len(data), 1)
        data = data[:at] + raw + data[at:]
    (recipe_project / "deck" / "fuzz.yaml").write_bytes(data)
    result = run_cli("build", "deck/fuzz.yaml", "--out-dir", "out", "--jobs", "1")
    assert "root:" not in result.output  # /etc/passwd is never quoted
    written = sorted(p.name for p in out.glob("*.pdf")) if out.exists() else []
    if result.exit_code == 0:
        event("recipe: built")
        # Damaged bytes may have changed the output's name itself ("output: 0 fuzz.pdf").
        named = yaml.safe_load(data) if raw is not None else recipe
        assert isinstance(named, dict)
        assert written == [named["output"]]
        with pikepdf.open(out / named["output"]) as pdf:
            assert len(pdf.pages) >= 1
    else:
        event(f"recipe: exit {result.exit_code}")
        errors = assert_one_line_each(result)
        assert all(line.startswith("Error: deck/fuzz.yaml") for line in errors), errors
        assert written == []
    leftovers = list(recipe_project.rglob(".*.tmp"))
    assert not leftovers, leftovers


CACHE_KINDS = ["faces/*/*.face", "fit/*/*.fit", "fonts/*.blob", "artwork/*.blob",
               "templates/*.jinja", "hyphenation/*.pickle", "outputs.json"]
damages = st.lists(st.tuples(st.sampled_from(CACHE_KINDS), st.integers(0, 50),
                             st.sampled_from(["truncate", "garbage", "delete", "append", "empty",
                                              "swap"]),
                             st.floats(0, 1), st.binary(min_size=1, max_size=40)),
                   min_size=1, max_size=6)


@pytest.fixture(scope="module")
def warm_project(tmp_path_factory: pytest.TempPathFactory, recipe_project: Path) -> Path:
    """The project with one small deck built into ``build/``: a cache of every kind."""
    root = tmp_path_factory.mktemp("warm")
    shutil.copytree(recipe_project / "content", root / "content")
    (root / "deck").mkdir()
    (root / "deck" / "small.yaml").write_text(
        "type: deck\nlang: nl\noutput: small.pdf\nbacks: none\nselect:\n"
        "  cards: [netwerkvorming-2]\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        result = run_cli("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.slow
@SLOW
@given(damage=damages)
def test_building_with_any_cache_damage(warm_project: Path, tmp_path_factory: Any,
                                        damage: list[tuple[str, int, str, float, bytes]],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Random damage to the cache (truncation, garbage, deletion, entries swapped, the
    manifest broken): the rebuilt deck is byte for byte the clean one, with warnings at most."""
    import pyphen

    from kaartspel.render import face_batch, hyphenation
    from kaartspel.render import templates as style

    work = tmp_path_factory.mktemp("damaged")
    shutil.copytree(warm_project, work, dirs_exist_ok=True)
    clean = (warm_project / "build" / "small.pdf").read_bytes()
    cache = work / "build" / ".cache"
    for pattern, pick, how, where, chunk in damage:
        entries = sorted(cache.glob(pattern))
        if not entries:
            continue
        entry = entries[pick % len(entries)]
        data = entry.read_bytes()
        at = int(where * len(data))
        if how == "truncate":
            entry.write_bytes(data[:at])
        elif how == "garbage":
            entry.write_bytes(data[:at] + chunk + data[at + len(chunk):])
        elif how == "delete":
            entry.unlink()
        elif how == "append":
            entry.write_bytes(data + chunk)
        elif how == "empty":
            entry.write_bytes(b"")
        else:
            other = entries[(pick + 1) % len(entries)]
            entry.write_bytes(other.read_bytes())
        event(f"damage: {how} {pattern.split('/')[0]}")
    (work / "build" / "small.pdf").unlink()  # so that it is built again, from the cache
    # A fresh process: nothing drawn, parsed or compiled in memory.
    monkeypatch.setattr(face_batch, "_ARTWORK", {})
    monkeypatch.setattr(hyphenation, "_attempted", set())
    monkeypatch.setattr(pyphen, "hdcache", {})
    style._environment.cache_clear()
    monkeypatch.chdir(work)
    result = run_cli("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert all(line.startswith("WARNING ") for line in result.stderr.splitlines()), result.stderr
    assert (work / "build" / "small.pdf").read_bytes() == clean
    again = run_cli("build", "--jobs", "1")  # healed: the next build is a no-op
    assert "0 built, 1 up to date" in again.stdout, again.output
    shutil.rmtree(work, ignore_errors=True)
