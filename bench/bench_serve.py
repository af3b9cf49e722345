"""The composer's figures (``python bench/bench_serve.py``): a benchmark, not a test.

Two numbers, each the median of ``BENCH_RUNS`` runs (default 5), against the app running
under Starlette's TestClient with its render pool started and warm:

* keystroke → preview: one own question's text changes (differently each run, so no
  cache holds its card) and the card's picture is fetched — what an organiser waits for
  after typing stops, less the page's 0.3 s debounce.  Target: ≤ 0.3 s.
* warm 48-card download: the full default deck, its faces already rendered once.
  Target: ≤ 1 s.

The faces go to the app's private scratch folder; the shared face cache is not read, so the
first run of each figure is cold and the median is of the warm ones after it.  Prints a
table; with ``--json FILE`` also writes the figures there (for ``make bench``'s JSON).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGETS = {"keystroke_to_preview_s": 0.3, "warm_48_card_download_s": 1.0}


def _form(group: str, personal: str, **changes: Any) -> dict[str, Any]:
    from kaartspel.serve.fields import controls

    data: dict[str, Any] = {c.name: c.shown(c.default) for c in controls() if c.kind != "flag"}
    data.update({c.name: "on" for c in controls() if c.kind == "flag" and c.default})
    data.update({"lang": "nl", "own_theme": "netwerkvorming", "group": [group],
                 "personal": [personal]})
    data.update(changes)
    return data


def measure(runs: int = RUNS) -> dict[str, float]:
    """Return the composer's figures (seconds, medians over *runs* warm runs)."""
    import re

    from starlette.testclient import TestClient

    from kaartspel.serve.app import create_app

    app = create_app(ROOT / "content", shared_cache=None, workers=2)
    figures: dict[str, list[float]] = {key: [] for key in TARGETS}
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        for run in range(runs + 1):  # the first run warms the pool and renders the deck
            data = _form("Wie ontbreekt er nog aan tafel bij deze opgave?",
                         f"Wie zou jij als {run + 1}e willen uitnodigen?",
                         themes=["netwerkvorming"])
            started = time.perf_counter()
            fragment = client.post("/preview/0", data=data, headers={"HX-Request": "true"})
            found = re.search(r'src="(/card/[0-9a-f]{64}\.png)"', fragment.text)
            if fragment.status_code != 200 or found is None:
                raise SystemExit(f"bench_serve: preview failed: {fragment.status_code}")
            client.get(found[1]).raise_for_status()
            keystroke = time.perf_counter() - started
            started = time.perf_counter()
            pdf = client.post("/deck.pdf", data=_form("", ""))
            download = time.perf_counter() - started
            if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
                raise SystemExit(f"bench_serve: download failed: {pdf.status_code}")
            if run:
                figures["keystroke_to_preview_s"].append(keystroke)
                figures["warm_48_card_download_s"].append(download)
    return {key: statistics.median(values) for key, values in figures.items()}


def main(argv: list[str]) -> None:
    figures = measure()
    for key, value in figures.items():
        target = TARGETS[key]
        verdict = "ok" if value <= target else "MISSED"
        sys.stdout.write(f"{key:28} {value:6.3f} s   target ≤ {target:g} s   {verdict}\n")
    if len(argv) == 2 and argv[0] == "--json":
        Path(argv[1]).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
