"""Speed and memory figures for kaartspel (``make bench``): a benchmark, not a test.

Every figure is the median of several runs (``BENCH_RUNS``, default 3), measured in a
scratch copy of the project so the repository's own build/ stays untouched.  It also
times a naive baseline — one plain WeasyPrint render of the same documents, sequentially —
and prints each build figure as a ratio to it.  Results go to build/bench.json.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KAARTSPEL = str(BIN / "kaartspel")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
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
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", NAIVE, str(listing)], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def in_process_edit_rebuild(work: Path) -> float:
    """Time a one-question edit rebuilt in a warm process (what ``watch`` does)."""
    os.chdir(work)
    from kaartspel.build.recipes import load_recipe
    from kaartspel.deck.assemble import build_deck, keep_faces

    keep_faces()  # as ``watch`` does

    recipe = load_recipe(work / "deck" / "trainer-nl.yaml", work / "content")
    out = work / "build" / recipe.output
    build_deck(work / "content", recipe.options, out)  # type: ignore[arg-type]  # warm
    import weasyprint  # noqa: F401  # a watching process has it loaded already

    def once(run: int) -> float:
        edit_question(work, 100 + run)
        started = time.perf_counter()
        build_deck(work / "content", recipe.options, out)  # type: ignore[arg-type]
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
    work = scratch()
    figures: dict[str, float] = {}
    try:
        figures["help_s"] = median(lambda _: timed([KAARTSPEL, "--help"], work)[0], 5)
        listing = naive_documents(work)
        figures["naive_baseline_s"] = median(lambda _: naive_baseline(listing))
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
        for cards in (100, 1000):
            runs = [synthetic_deck(cards) for _ in range(RUNS)]
            wall, rss, ms = (statistics.median(r[i] for r in runs) for i in range(3))
            figures[f"deck{cards}_s"], figures[f"deck{cards}_rss_mb"] = wall, rss
            figures[f"deck{cards}_ms_per_card"] = ms
        build = work / "build"
        figures["deck_pdf_kb"] = (build / "kaartspel-nl.pdf").stat().st_size / 1024
        figures["poster_pdf_kb"] = (build / "poster-nl-a1.pdf").stat().st_size / 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(figures)
    return 0


TARGETS = [
    # key, label, unit, target, how the target is expressed
    ("help_s", "kaartspel --help", "s", 0.3, "max"),
    ("naive_baseline_s", "naive baseline (plain WeasyPrint, sequential)", "s", None, ""),
    ("cold_build_s", "cold full build", "s", 0.6, "ratio"),
    ("noop_build_s", "no-op rebuild", "s", 0.5, "max"),
    ("edit_deck_cli_s", "one-question edit: deck rebuild (CLI)", "s", 1.5, "max"),
    ("edit_build_cli_s", "one-question edit: kaartspel build (CLI, incl. poster)", "s", None, ""),
    ("edit_watch_s", "one-question edit inside watch", "s", 0.3, "max"),
    ("per_card_ms", "per-card render", "ms", 25, "max"),
    ("deck100_s", "100-card deck, wall", "s", None, ""),
    ("deck100_ms_per_card", "100-card deck, per card", "ms", None, ""),
    ("deck100_rss_mb", "100-card deck, peak RSS", "MB", 250, "max"),
    ("deck1000_s", "1000-card deck, wall", "s", 15, "max"),
    ("deck1000_ms_per_card", "1000-card deck, per card", "ms", None, "scaling"),
    ("deck1000_rss_mb", "1000-card deck, peak RSS", "MB", 250, "max"),
    ("deck_pdf_kb", "default deck PDF", "KB", 300, "max"),
    ("poster_pdf_kb", "A1 poster PDF", "KB", 500, "max"),
]


def report(figures: dict[str, float]) -> None:
    """Print the table and write build/bench.json."""
    baseline = figures["naive_baseline_s"]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"kaartspel benchmark — median of {RUNS} runs — {machine}")
    print(f"{'figure':58} {'value':>10} {'× naive':>8}  target")
    rows = []
    for key, label, unit, target, kind in TARGETS:
        value = figures[key]
        ratio = value / baseline if unit == "s" else None
        if kind == "max":
            verdict = f"≤ {target:g} {unit}: {'ok' if value <= target else 'MISSED'}"
        elif kind == "ratio":
            verdict = f"≤ {target:g}× naive: {'ok' if (ratio or 0) <= target else 'MISSED'}"
        elif kind == "scaling":
            scale = value / figures["deck100_ms_per_card"]
            ok = "ok" if scale <= 1.2 else "MISSED"
            verdict = f"≤ 1.2× the 100-card figure: {scale:.2f}× {ok}"
        else:
            verdict = ""
        shown_ratio = f"{ratio:.2f}" if ratio is not None else ""
        print(f"{label:58} {value:>8.2f} {unit:<2}{shown_ratio:>7}  {verdict}")
        rows.append({"key": key, "label": label, "value": value, "unit": unit,
                     "ratio_to_naive": ratio, "target": target, "verdict": verdict})
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "runs": RUNS, "figures": rows}, indent=2))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
