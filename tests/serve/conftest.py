"""Fixtures of the composer's tests: the app under Starlette's TestClient, and the app on a
real socket (for the browser and the load test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kaartspel.serve.app import Limits
from serve.helpers import BASE_URL, HOST, LiveServer, free_port, make_app


@pytest.fixture(scope="session")
def shared_cache(repo_root: Path) -> Path | None:
    """The checkout's face cache, if a build made one (read only: the app never writes it)."""
    path = repo_root / "build" / ".cache"
    return path if path.is_dir() else None


@pytest.fixture(scope="module")
def app(content_dir: Path, shared_cache: Path | None) -> Starlette:
    return make_app(content_dir, shared_cache)


@pytest.fixture(scope="module")
def client(app: Starlette) -> Iterator[TestClient]:
    """The app with its render pool started (once per test module: spawning costs a second)."""
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def live(content_dir: Path, shared_cache: Path | None) -> Iterator[LiveServer]:
    import uvicorn

    port = free_port()
    app = make_app(content_dir, shared_cache, port=port, limits=Limits(preview_wait=30))
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the composer did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://{HOST}:{port}", app)
    finally:
        server.should_exit = True
        thread.join(30)
