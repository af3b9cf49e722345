"""Speed and memory figures for kaartspel (``make bench``): a benchmark, not a test.

Every figure is the median of several runs, measured in a scratch copy of the project so the
repository's own build/ stays untouched.  Each figure is printed beside a reference measured
in the same run, since the machine's speed varies from run to run:

- the naive cards: one plain WeasyPrint document of the Dutch deck's question, tip and
  intro fronts, each at its kind's type size as kaartspel decides it, icons inline, rendered
  in a fresh process (import included).  The ``kaartspel deck --lang nl`` figures (cold
  cache, unchanged) are ratios to it;
- the naive baseline: the same for every recipe's documents (all faces of each deck, each
  poster), one after the other; the ``kaartspel build`` figures are ratios to it;
- Typst: the same cards as the naive cards, set by the ``typst`` package (one page per
  card, the bundled fonts, the same text at the same sizes).  It shows what a typesetting
  engine can do at best; it is a reference only, installed by the ``bench`` extra of the
  development dependencies (``pip install -e '.[dev,bench]'``), never by the product.

Environment variables:

- ``BENCH_RUNS`` (default 3): runs per figure (the short ones take at least 5 or 7);
- ``BENCH_QUICK=1``: skip the 1000-card deck (the slowest figure), for a quick rerun.

Results go to build/bench.json.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KAARTSPEL = str(BIN / "kaartspel")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
NAIVE_KINDS: tuple[str, ...] = ()
"""The kinds of the naive cards; () for every front of the deck (the issue's reference:
"the naive WeasyPrint render of the same fronts")."""
TYPST_MISSING = "not installed (pip install -e '.[dev,bench]')"
EDIT_FILE = Path("content/nl/essentials.yaml")
EDIT_FROM = "Hoe vullen jullie elkaar aan?"


def median(fn: Callable[[int], float], runs: int = RUNS) -> float:
    """Return the median of ``fn(run)`` over *runs* runs."""
    return statistics.median(fn(i) for i in range(runs))


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB of its largest process)."""
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *args], cwd=cwd, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    return wall, rss_kb / 1024


def scratch() -> Path:
    """Return a fresh copy of the project's inputs (content and recipes) to build in."""
    work = Path(tempfile.mkdtemp(prefix="kaartspel-bench-"))
    shutil.copytree(ROOT / "content", work / "content")
    shutil.copytree(ROOT / "deck", work / "deck")
    return work


def edit_question(work: Path, run: int) -> None:
    """Change one question's text, differently each run (so no cache holds the new face)."""
    path = work / EDIT_FILE
    text = path.read_text(encoding="utf-8")
    marker = "Hoe vullen jullie elkaar"
    start = text.index(marker)
    end = text.index("?", start) + 1
    path.write_text(
        text[:start] + f"{marker} aan, ronde {run} {time.time_ns() % 10_000}?" + text[end:],
        encoding="utf-8",
    )


def synthetic_questions(path: Path, count: int) -> None:
    """Write an organiser's questions file with *count* distinct question pairs."""
    lines = ["theme: netwerkvorming", "questions:"]
    for i in range(1, count + 1):
        lines += [
            f"  - id: netwerkvorming-bench-{i}",
            f"    group: Welke afspraak nummer {i} maken jullie over de samenwerking?",
            f"    personal: Wat draag jij bij aan afspraak nummer {i}?",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def synthetic_deck(cards: int) -> tuple[float, float, float]:
    """Build a deck of about *cards* cards from a cold cache; return wall, RSS, ms per card."""
    work = scratch()
    try:
        questions = work / "questions.yaml"
        synthetic_questions(questions, cards)
        wall, rss = timed(
            [KAARTSPEL, "deck", "--theme", "netwerkvorming", "--questions", str(questions),
             "-o", "build/synthetic.pdf"], work)
        return wall, rss, wall / cards * 1000
    finally:
        shutil.rmtree(work, ignore_errors=True)


NAIVE = r"""
import json, sys, time
started = time.perf_counter()
import weasyprint
for item in json.load(open(sys.argv[1])):
    html = open(item["html"], encoding="utf-8").read()
    weasyprint.HTML(string=html, base_url=item["base_url"]).write_pdf()
print(time.perf_counter() - started)
"""


def naive_documents(work: Path) -> Path:
    """Write every recipe's documents as plain HTML (untimed); return a JSON list of them.

    A deck is one document with all its faces (fronts and backs) at its fitted type size;
    a poster is its HTML at its fitted size.  Rendering these once each, with WeasyPrint
    alone, is what a tool without caching, batching or sharing would at least have to do.
    """
    from kaartspel.build.recipes import load_recipe
    from kaartspel.cache import FaceCache
    from kaartspel.content.load import load_content
    from kaartspel.deck.assemble import back_cards, deck_cards
    from kaartspel.deck.face_store import FaceStore
    from kaartspel.deck.faces import CardRenderer, Geometry
    from kaartspel.deck.type_size import fit_faces
    from kaartspel.poster.fit import fit_poster
    from kaartspel.poster.geometry import Geometry as PosterGeometry
    from kaartspel.poster.renderer import PosterRenderer
    from kaartspel.render.templates import TemplateSet
    from kaartspel.units import card_size, poster_size

    items = []
    templates = TemplateSet.create()
    cache = FaceCache(work / "naive-cache")
    for path in sorted((work / "deck").glob("*.yaml")):
        try:
            recipe = load_recipe(path, work / "content")
        except Exception:  # not a recipe (an organiser's questions file)
            continue
        options: Any = recipe.options
        content = load_content(work / "content", options.lang)
        if recipe.kind == "deck":
            cards = deck_cards(content, options)
            faces = list(cards) + list(dict.fromkeys(back_cards(content, cards,
                                                                options.backs).values()))
            renderer = CardRenderer(content, Geometry.for_card(card_size(options.size),
                                                               options.bleed), templates)
            base = fit_faces(FaceStore(renderer, cache), faces)
            # A naive tool draws every icon where it stands: inline SVG, not stamps.
            renderer.stamp_icons = False
            html = renderer.html(faces, base)
        else:
            geometry = PosterGeometry.create(poster_size(options.size), options.orientation,
                                             options.bleed)
            html = fit_poster(PosterRenderer(content, geometry, templates))[2]
        target = work / f"naive-{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        items.append({"html": str(target), "base_url": str(templates.folders[-1]) + "/"})
    listing = work / "naive.json"
    listing.write_text(json.dumps(items))
    return listing


def naive_baseline(listing: Path) -> float:
    """Time one plain WeasyPrint render of every document, sequentially, import included."""
    return fresh_process(NAIVE, str(listing))


def deck_fronts(work: Path) -> tuple[Any, list[Any], dict[str, float]]:
    """Return the card renderer, the naive cards and their kinds' body sizes (untimed).

    The naive cards are the fronts of ``kaartspel deck --lang nl`` (of :data:`NAIVE_KINDS`);
    the sizes are the ones kaartspel decides for those kinds (found by rendering, in a
    cache of its own so the timed builds' caches stay cold).
    """
    from kaartspel.cache import FaceCache
    from kaartspel.content.load import load_content
    from kaartspel.deck.assemble import deck_cards, deck_sizes
    from kaartspel.deck.face_store import FaceStore
    from kaartspel.deck.faces import CardRenderer, Geometry
    from kaartspel.options import DeckOptions
    from kaartspel.render.templates import TemplateSet
    from kaartspel.units import card_size

    options = DeckOptions(lang="nl").validated()
    content = load_content(work / "content", options.lang)
    cards = [card for card in deck_cards(content, options)
             if not NAIVE_KINDS or card.kind in NAIVE_KINDS]
    renderer = CardRenderer(content, Geometry.for_card(card_size(options.size), options.bleed),
                            TemplateSet.create())
    sizes = deck_sizes(FaceStore(renderer, FaceCache(work / "naive-cache")), content, cards,
                       options.backs)
    return renderer, cards, sizes


def naive_cards(work: Path, renderer: Any, cards: list[Any], sizes: dict[str, float]) -> Path:
    """Write the naive cards as one HTML document (untimed); return its JSON listing."""
    renderer.stamp_icons = False  # a naive tool draws every icon where it stands
    target = work / "naive-cards.html"
    target.write_text(renderer.html(cards, sizes), encoding="utf-8")
    listing = work / "naive-cards.json"
    base_url = str(renderer.templates.folders[-1]) + "/"
    listing.write_text(json.dumps([{"html": str(target), "base_url": base_url}]))
    return listing


def fresh_process(script: str, *args: str) -> float:
    """Time *script* in a fresh Python process (interpreter start and imports included)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench: a reference render failed:\n{proc.stderr}")
    return time.perf_counter() - started


TYPST = r"""
import sys, time
started = time.perf_counter()
import typst
typst.compile(sys.argv[1], root=sys.argv[2], font_paths=[sys.argv[3]], ignore_system_fonts=True)
print(time.perf_counter() - started)
"""

TYPST_FUNCTIONS = r"""
// Typst's lines run from cap height to baseline; a CSS line height h is a leading of
// (h - 0.66) em, and the gaps below add what CSS's half-leading and descenders give.
#let card(c, band-name, icon, foot-left, foot-right, box-h, body) = {
  place(top + left, block(width: 100%, height: band-h, fill: c, {
    place(bottom + left, dx: x, dy: -name-up,
      text(fill: white, weight: 700, size: band-pt, tracking: 0.05em, upper(band-name)))
    place(bottom + right, dx: -x, dy: -icon-up, image(icon, width: icon-size, height: icon-size))
  }))
  place(top + left, dx: x, dy: fit-top,
    block(width: fit-w, height: box-h, align(horizon, block(width: 100%, body))))
  place(bottom + left, dx: x, dy: -foot-up, text(size: foot-pt, foot-left))
  place(bottom + right, dx: -x, dy: -foot-up, text(size: foot-pt, foot-right))
}
#let role(c, s, label) = block(below: 2.2mm,
  text(size: s.label, weight: 700, fill: c, tracking: 0.05em, upper(label)))
#let question(c, t, s, group-label, group, personal-label, personal) = {
  role(c, s, "● " + group-label)
  block(par(leading: 0.52em, text(size: s.question, weight: 600, group)))
  if personal != "" {
    block(above: panel-gap + 1mm, width: 100%, fill: t, stroke: (left: 0.9mm + c),
      inset: (top: 2.6mm, right: 2mm, bottom: 2.6mm, left: 2.4mm), {
        role(c, s, "○ " + personal-label)
        par(leading: 0.56em, text(size: s.large, style: "italic", personal))
      })
  }
}
#let tip(c, s, number, paragraphs) = {
  block(below: 3mm, text(size: s.display, weight: 700, fill: c, number))
  for p in paragraphs { block(par(leading: 0.54em, text(size: s.question, weight: 600, p))) }
}
#let intro(c, s, label, title, paragraphs, notes) = {
  if label != "" { role(c, s, label) }
  block(below: 3mm, par(leading: 0.46em, text(size: s.title, weight: 700, fill: c, title)))
  set par(leading: 0.64em, spacing: 2.2mm)
  for p in paragraphs { par(text(size: s.body, hyphenate: true, p)) }
  if notes.len() > 0 {
    block(above: 3mm, inset: (top: 2.5mm), stroke: (top: 0.25mm + c), width: 100%,
      for n in notes { par(text(size: s.small, n)) })
  }
}
"""


def typst_text(value: str) -> str:
    """Return *value* as a Typst string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def typst_array(texts: Sequence[str]) -> str:
    """Return *texts* as a Typst array literal (``()`` when empty, ``("a",)`` for one)."""
    return "(" + "".join(f"{typst_text(text)}, " for text in texts) + ")" if texts else "()"


def typst_cards(work: Path, renderer: Any, cards: list[Any], sizes: dict[str, float]) -> Path:
    """Write the naive cards as a Typst source (untimed): one page per card, the same text at
    the same sizes in the same places, the bundled fonts; return the source's path.

    A faithful-enough equivalent of the faces, not a copy: no balanced line widths, no
    hyphenation dictionary of kaartspel's, Typst's own line breaking.
    """
    from kaartspel.render.templates import role_sizes

    folder = work / "typst"
    folder.mkdir()
    g, content, palette = renderer.geometry, renderer.content, renderer.palette
    themes = {theme.id: theme for theme in content.themes}
    lengths = {
        "band-h": g.bleed + g.band, "x": g.bleed + g.safe,
        "name-up": (g.band - g.icon) / 2 + 0.4, "icon-up": (g.band - g.icon) / 2,
        "icon-size": g.icon, "fit-top": g.bleed + g.band + g.gap,
        "fit-w": g.card_w - 2 * g.safe, "foot-up": g.bleed + g.safe, "panel-gap": g.gap + 1.5,
    }
    lines = [
        f"#set page(width: {g.page_w:.3f}mm, height: {g.page_h:.3f}mm, margin: 0mm)",
        f'#set text(font: "Source Sans 3", lang: "{content.lang}", hyphenate: false, '
        f'fill: rgb("{palette.ink}"))',
        "#set par(spacing: 1.2mm)",
        *(f"#let {name} = {mm:.3f}mm" for name, mm in lengths.items()),
        f"#let band-pt = {g.band_pt:g}pt",
        f"#let foot-pt = {g.foot_pt:g}pt",
        TYPST_FUNCTIONS,
    ]
    ui = content.ui
    for i, card in enumerate(cards):
        colour = palette.colour(card.theme)
        icon = folder / f"icon-{card.theme}.svg"
        if not icon.exists():
            icon.write_text(str(renderer.icon_svg(card.theme)), encoding="utf-8")
        s = "(" + ", ".join(f"{role}: {pt:.3f}pt"
                            for role, pt in role_sizes(sizes[card.kind], g.ratio).items()) + ")"
        c, t = f'rgb("{colour.rgb}")', f'rgb("{colour.tint}")'
        if card.kind == "question":
            body = (f"question({c}, {t}, {s}, {typst_text(card.label or ui.group_label)}, "
                    f"{typst_text(card.group)}, {typst_text(ui.personal_label)}, "
                    f"{typst_text(card.personal)})")
            band, box_h = card.title, g.fit_h * 0.88
        elif card.kind == "tip":
            body = f'tip({c}, {s}, "{card.step:02d}", {typst_array(card.paragraphs)})'
            band, box_h = card.title, g.fit_h * 0.88
        else:
            body = (f"intro({c}, {s}, {typst_text(card.label)}, {typst_text(card.title)}, "
                    f"{typst_array(card.paragraphs)}, {typst_array(card.notes)})")
            band, box_h = content.meta.title, g.fit_h * 0.9
        theme_name = themes[card.theme].name if card.theme in themes else content.meta.title
        place = f" {card.in_theme}/{card.theme_total}" if card.theme_total > 1 else ""
        if i:
            lines.append("#pagebreak()")
        lines.append(f"#card({c}, {typst_text(band)}, {typst_text(icon.name)}, "
                     f"{typst_text(theme_name + place)}, "
                     f'"{card.number}/{card.total}", {box_h:.3f}mm, {body})')
    source = folder / "cards.typ"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def typst_installed() -> bool:
    """Return whether the ``typst`` package (the ``bench`` extra) is installed."""
    import importlib.util

    return importlib.util.find_spec("typst") is not None


def typst_check(source: Path, fonts: Path, pages: int) -> None:
    """Compile *source* once here (untimed): stop on an error, a warning or a wrong page
    count, so the timed runs time a document that is what it claims to be."""
    import io

    import pikepdf
    import typst

    try:
        pdf, warnings = typst.compile_with_warnings(
            str(source), root=str(source.parent), font_paths=[str(fonts)],
            ignore_system_fonts=True)
    except typst.TypstError as exc:
        raise SystemExit(f"bench: the Typst source does not compile: {exc}") from None
    if warnings:
        raise SystemExit(f"bench: Typst warns: {'; '.join(map(str, warnings))}")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if len(document.pages) != pages:
            raise SystemExit(f"bench: Typst made {len(document.pages)} pages, not {pages}")


def in_process_edit_rebuild(work: Path) -> float:
    """Time a one-question edit rebuilt in a warm process (what ``watch`` does)."""
    os.chdir(work)
    from kaartspel.build.recipes import load_recipe
    from kaartspel.deck.assemble import FaceLibrary, build_deck

    library = FaceLibrary()  # the prepared faces ``watch`` keeps between rebuilds

    recipe = load_recipe(work / "deck" / "trainer-nl.yaml", work / "content")
    out = work / "build" / recipe.output
    build_deck(work / "content", recipe.options, out,  # warm
               library=library)
    import weasyprint  # noqa: F401  # a watching process has it loaded already

    def once(run: int) -> float:
        edit_question(work, 100 + run)
        started = time.perf_counter()
        build_deck(work / "content", recipe.options, out,
                   library=library)
        return time.perf_counter() - started

    try:
        return median(once)
    finally:
        os.chdir(ROOT)


def per_card_ms() -> float:
    """Time rendering the 48 Dutch faces in one batch (no cache), per card."""
    from kaartspel.cache import FaceCache
    from kaartspel.content.load import load_content
    from kaartspel.deck.cards import build_cards
    from kaartspel.deck.face_store import FaceStore
    from kaartspel.deck.faces import CardRenderer, Geometry
    from kaartspel.render.templates import TemplateSet
    from kaartspel.units import card_size

    content = load_content(ROOT / "content", "nl")
    cards = build_cards(content)
    renderer = CardRenderer(content, Geometry.for_card(card_size("poker"), 3.0),
                            TemplateSet.create())
    store = FaceStore(renderer, FaceCache(enabled=False), jobs=1)
    store.render_batch(cards, 8.5)  # warm-up: fonts, templates, icon artwork

    def once(_: int) -> float:
        started = time.perf_counter()
        store.render_batch(cards, 8.5)
        return (time.perf_counter() - started) / len(cards) * 1000

    return median(once)


def main() -> int:
    # Every process of the run keeps its temporary files in one folder, removed at the end:
    # plain WeasyPrint (the naive references) leaves its font copies behind at exit.
    temporary = Path(tempfile.mkdtemp(prefix="kaartspel-bench-tmp-"))
    os.environ["TMPDIR"] = tempfile.tempdir = str(temporary)
    try:
        return run_all()
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def run_all() -> int:
    """Measure every figure, print the table and write build/bench.json."""
    work = scratch()
    figures: dict[str, float] = {}
    notes: dict[str, str] = {}  # why a figure is missing, by key
    fonts = ROOT / "templates" / "fonts"
    try:
        figures["help_s"] = median(lambda _: timed([KAARTSPEL, "--help"], work)[0], 5)
        renderer, cards, sizes = deck_fronts(work)
        kinds = {kind: sum(card.kind == kind for card in cards)
                 for kind in dict.fromkeys(card.kind for card in cards)}
        about = {"count": len(cards), "kinds": kinds, "sizes_pt": sizes}
        listing = naive_cards(work, renderer, cards, sizes)
        figures["naive_cards_s"] = median(lambda _: fresh_process(NAIVE, str(listing)))
        if typst_installed():
            source = typst_cards(work, renderer, cards, sizes)
            typst_check(source, fonts, len(cards))
            figures["typst_cards_s"] = median(lambda _: fresh_process(
                TYPST, str(source), str(source.parent), str(fonts)))
        else:
            notes["typst_cards_s"] = TYPST_MISSING
        listing = naive_documents(work)
        figures["naive_baseline_s"] = median(lambda _: naive_baseline(listing))

        deck = [KAARTSPEL, "deck", "--lang", "nl"]

        def deck_cold(_: int) -> float:
            shutil.rmtree(work / "build", ignore_errors=True)  # the cache is build/.cache
            return timed(deck, work)[0]

        figures["deck_cold_s"] = median(deck_cold)
        figures["deck_noop_s"] = median(lambda _: timed(deck, work)[0], max(RUNS, 5))
        figures["cold_build_s"] = median(
            lambda _: timed([KAARTSPEL, "build", "--clean"], work)[0])
        figures["noop_build_s"] = median(lambda _: timed([KAARTSPEL, "build"], work)[0], 5)

        def edit_deck(run: int) -> float:
            edit_question(work, run)
            return timed([KAARTSPEL, "deck", "--recipe", "deck/trainer-nl.yaml"], work)[0]

        # Short and noisy on a shared machine: more runs than the rest.
        figures["edit_deck_cli_s"] = median(edit_deck, max(RUNS, 7))

        def edit_build(run: int) -> float:
            edit_question(work, 50 + run)
            return timed([KAARTSPEL, "build"], work)[0]

        figures["edit_build_cli_s"] = median(edit_build)
        figures["edit_watch_s"] = in_process_edit_rebuild(work)
        figures["per_card_ms"] = per_card_ms()
        for count in (100, 1000):
            if count == 1000 and QUICK:
                for key in ("deck1000_s", "deck1000_ms_per_card", "deck1000_rss_mb"):
                    notes[key] = "skipped (BENCH_QUICK=1)"
                continue
            runs = [synthetic_deck(count) for _ in range(RUNS)]
            wall, rss, ms = (statistics.median(r[i] for r in runs) for i in range(3))
            figures[f"deck{count}_s"], figures[f"deck{count}_rss_mb"] = wall, rss
            figures[f"deck{count}_ms_per_card"] = ms
        build = work / "build"
        figures["deck_pdf_kb"] = (build / "kaartspel-nl.pdf").stat().st_size / 1024
        figures["poster_pdf_kb"] = (build / "poster-nl-a1.pdf").stat().st_size / 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(figures, notes, about)
    return 0


Check = tuple[str, float]
"""A target: ("max", limit in the row's unit), ("naive", ratio to the section's naive),
("help", ratio to ``kaartspel --help``), ("scaling", ratio to the 100-card per-card time),
or ("typst", 0): no target, show how many times faster than the naive cards Typst is."""

SECTIONS: list[tuple[str, str | None, list[tuple[str, str, str, list[Check]]]]] = [
    # heading, the naive figure its ratios are to, rows: key, label, unit, targets
    ("kaartspel deck --lang nl: × naive = × the naive cards", "naive_cards_s", [
        ("naive_cards_s", "naive cards: {count} fronts, one WeasyPrint document", "s", []),
        ("typst_cards_s", "Typst: the same cards (reference, not used)", "s", [("typst", 0)]),
        ("deck_cold_s", "kaartspel deck --lang nl, cold (no build/)", "s", [("naive", 1.5)]),
        ("deck_noop_s", "the same again, nothing changed", "s", [("max", 0.3), ("help", 1.5)]),
        ("help_s", "kaartspel --help", "s", [("max", 0.3)]),
        ("edit_deck_cli_s", "one-question edit: deck rebuild (CLI)", "s", [("max", 1.5)]),
        ("edit_watch_s", "one-question edit inside watch", "s", [("max", 0.3)]),
    ]),
    ("kaartspel build, every recipe: × naive = × the naive baseline", "naive_baseline_s", [
        ("naive_baseline_s", "naive baseline (every recipe, plain WeasyPrint)", "s", []),
        ("cold_build_s", "cold full build", "s", [("naive", 0.6)]),
        ("noop_build_s", "no-op rebuild", "s", [("max", 0.5)]),
        ("edit_build_cli_s", "one-question edit: kaartspel build (incl. poster)", "s", []),
    ]),
    ("cards in bulk: × naive = × the naive cards", "naive_cards_s", [
        ("per_card_ms", "per-card render", "ms", [("max", 25)]),
        ("deck100_s", "100-card deck, wall", "s", []),
        ("deck100_ms_per_card", "100-card deck, per card", "ms", []),
        ("deck100_rss_mb", "100-card deck, peak RSS", "MB", [("max", 250)]),
        ("deck1000_s", "1000-card deck, wall", "s", [("max", 15)]),
        ("deck1000_ms_per_card", "1000-card deck, per card", "ms", [("scaling", 1.2)]),
        ("deck1000_rss_mb", "1000-card deck, peak RSS", "MB", [("max", 250)]),
    ]),
    ("outputs", None, [
        ("deck_pdf_kb", "default deck PDF", "KB", [("max", 300)]),
        ("poster_pdf_kb", "A1 poster PDF", "KB", [("max", 500)]),
    ]),
]


def verdict(check: Check, value: float, unit: str, ratio: float | None,
            figures: dict[str, float]) -> str:
    """Return one target's verdict for *value* (ratio: to the section's naive figure)."""
    kind, target = check

    def judged(relative: float | None, what: str) -> str:
        if relative is None:
            return f"≤ {target:g}× {what}: unknown"
        return f"≤ {target:g}× {what}: {relative:.2f}× {'ok' if relative <= target else 'MISSED'}"

    if kind == "max":
        return f"≤ {target:g} {unit}: {'ok' if value <= target else 'MISSED'}"
    if kind == "naive":
        return judged(ratio, "naive")
    if kind == "help":
        return judged(value / figures["help_s"], "--help")
    if kind == "scaling":
        base = figures.get("deck100_ms_per_card")
        return judged(value / base if base else None, "the 100-card figure")
    naive = figures.get("naive_cards_s")
    return f"naive cards = {naive / value:.0f}× Typst" if naive else ""


def report(figures: dict[str, float], notes: dict[str, str], about: dict[str, Any]) -> None:
    """Print the table and write build/bench.json."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    quick = ", BENCH_QUICK" if QUICK else ""
    print(f"kaartspel benchmark — median of {RUNS} runs{quick} — {machine}")
    kinds = ", ".join(f"{n} {kind}" for kind, n in about["kinds"].items())
    sizes = ", ".join(f"{kind} {pt:g} pt" for kind, pt in about["sizes_pt"].items())
    which = "/".join(NAIVE_KINDS) or "card"
    print(f"naive cards: the {about['count']} {which} fronts of the Dutch deck "
          f"({kinds}), body {sizes}")
    print(f"{'figure':52} {'value':>11} {'× naive':>8}  target")
    rows: list[dict[str, Any]] = []
    for heading, reference, section in SECTIONS:
        print(f"── {heading} ──")
        for key, label, unit, checks in section:
            label = label.format(count=about["count"])
            value = figures.get(key)
            base = figures.get(reference) if reference else None
            if value is None:
                note = notes.get(key, "not measured")
                print(f"{label:52} {note}")
                rows.append({"key": key, "label": label, "value": None, "unit": unit,
                             "note": note})
                continue
            ratio = value / base if unit == "s" and base else None
            verdicts = [verdict(check, value, unit, ratio, figures) for check in checks]
            shown = f"{ratio:.2f}" if ratio is not None else ""
            print(f"{label:52} {value:>8.2f} {unit:<2}{shown:>8}  {'; '.join(verdicts)}")
            rows.append({"key": key, "label": label, "value": value, "unit": unit,
                         "reference": reference if ratio is not None else None,
                         "ratio_to_naive": ratio, "targets": [list(c) for c in checks],
                         "verdict": "; ".join(verdicts)})
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "runs": RUNS, "quick": QUICK,
                               "naive_cards": about, "figures": rows}, indent=2))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
