"""A small, bounded pool of render processes, awaited without blocking the event loop.

WeasyPrint is neither quick to load nor safe to share between threads, so renders run in a
few long-lived processes (``spawn``ed: the server's threads are not forked with them), each
with WeasyPrint loaded once.  A request waits for a free process at most *wait* seconds and
for its result at most *timeout* seconds; otherwise it gets :class:`Busy` — a clear "busy, try
again" for the page — never a hung request.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from kaartspel.serve.work import warm_up

log = logging.getLogger(__name__)

T = TypeVar("T")


class Busy(Exception):
    """Every render process stayed busy for longer than a request may wait."""


class RenderPool:
    """At most *workers* renders at a time, in as many processes."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start the processes (each loads WeasyPrint while the server starts)."""
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=warm_up)
        # Start every process now rather than on the first requests.
        for _ in range(self.workers):
            self._executor.submit(int)

    def close(self) -> None:
        """Stop the processes (a render still running is cancelled with them)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @property
    def processes(self) -> list[int]:
        """Return the process ids of the render processes (for tests and the benchmark)."""
        executor = self._executor
        found = getattr(executor, "_processes", None) or {}
        return [p.pid for p in found.values() if p.pid is not None]

    async def run(self, wait: float, timeout: float, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a render process; raise Busy after *wait* or *timeout* seconds.

        *wait* bounds the time spent queueing for a free process; *timeout* the render itself.
        A render that times out still finishes in its process (and frees it then).
        """
        if self._executor is None:
            raise RuntimeError("the render pool is not started")
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.workers), loop
        slots = self._slots
        try:
            await asyncio.wait_for(slots.acquire(), wait)
        except TimeoutError:
            raise Busy from None
        try:
            future: Future[T] = self._executor.submit(fn, *args)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(slots.release))
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout)
        except TimeoutError:
            raise Busy from None
