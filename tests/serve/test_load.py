"""A bounded load test on 127.0.0.1: 20 organisers at once, each adding questions, watching
their cards and downloading their deck — no error, no lost question, memory flat."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kaartspel.serve.questions import Row
from serve.helpers import Elements, LiveServer, form, pdf_text

SESSIONS = 20
BUDGET_S = 60.0


def post(url: str, data: dict[str, object]) -> tuple[int, bytes]:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, body, {"HX-Request": "true"})
    try:
        with urllib.request.urlopen(request, timeout=BUDGET_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=BUDGET_S) as response:
        return response.status, response.read()


def organiser(url: str, n: int) -> list[str]:
    """Compose one deck as a person would; return what went wrong (nothing, one hopes)."""
    problems = []
    status, _ = get(f"{url}/?lang=en")
    if status != 200:
        problems.append(f"page: {status}")
    rows: list[Row] = []
    for k in (1, 2):
        status, fragment = post(f"{url}/questions",
                                {**form(rows, lang="en", themes=["netwerkvorming"]),
                                 "action": "add"})
        rows.append(Row())
        added = len(Elements(fragment.decode()).find("textarea", name="group"))
        if status != 200 or added != len(rows):
            problems.append(f"add {k}: {status}, {added} rows")
        rows[-1] = Row(f"Which question number {k} does organiser {n} ask?",
                       f"What would you answer to number {k}, organiser {n}?")
        status, fragment = post(f"{url}/preview/{k - 1}",
                                form(rows, lang="en", themes=["netwerkvorming"]))
        images = Elements(fragment.decode()).find("img")
        if status != 200 or not images:
            problems.append(f"preview {k}: {status}")
        elif get(url + images[0]["attrs"]["src"])[0] != 200:
            problems.append(f"card picture {k}")
    # One card per page, so that each card's text reads as one piece.
    status, pdf = post(f"{url}/deck.pdf", form(rows, lang="en", themes=["netwerkvorming"],
                                               layout="single"))
    if status != 200 or not pdf.startswith(b"%PDF"):
        problems.append(f"download: {status} {pdf[:200]!r}")
    else:
        words = pdf_text(pdf)
        problems += [f"lost: {row.group}" for row in rows if row.group not in words]
    return problems


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory(live: LiveServer) -> float:
    pool = live.app.state.composer.pool
    return rss_mb() + sum(rss_mb(pid) for pid in pool.processes)


def round_of_organisers(live: LiveServer, offset: int) -> tuple[float, list[str]]:
    started = time.monotonic()
    with ThreadPoolExecutor(SESSIONS) as threads:
        results = list(threads.map(lambda n: organiser(live.url, n),
                                   range(offset, offset + SESSIONS)))
    return time.monotonic() - started, [p for found in results for p in found]


@pytest.mark.slow
def test_twenty_organisers_at_once(live: LiveServer) -> None:
    organiser(live.url, 0)  # warm: the render processes have loaded WeasyPrint
    seconds, problems = round_of_organisers(live, 1)
    assert problems == []
    assert seconds <= BUDGET_S, f"{SESSIONS} sessions took {seconds:.1f} s"
    before = memory(live)
    seconds, problems = round_of_organisers(live, 100)
    assert problems == []
    grown = memory(live) - before
    # Rendered pictures are kept in memory within a fixed budget; the rest must not grow.
    assert grown < 80, f"memory grew {grown:.0f} MB over a second round"
