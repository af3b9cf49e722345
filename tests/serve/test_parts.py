"""The composer's parts: controls derived from a model, the bounded render pool, the private
scratch folder, and the `kaartspel serve` command."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kaartspel.cli.app import app as cli
from kaartspel.errors import UsageError
from kaartspel.serve.fields import Control, controls
from kaartspel.serve.pool import Busy, RenderPool
from kaartspel.serve.run import check_port, is_loopback
from serve.helpers import BASE_URL, GOOD, form, htmx, make_app


class Toy(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    colour: Literal["red", "green"] = "green"
    """Which colour."""
    width: float = Field(default=2.5, ge=0, le=9)
    """How wide, in mm."""
    loud: bool = False
    """Whether to shout."""
    name: str = "x"
    """A name."""
    tile: Literal["a4", "a3"] | None = None
    """Tiles."""
    templates: tuple[Path, ...] = ()
    """Never from a browser."""
    items: tuple[int, ...] = ()
    """Not a plain value: no control."""


def test_controls_come_from_the_model() -> None:
    assert controls(Toy) == [
        Control("colour", "choice", "green", "Which colour.", ("red", "green")),
        Control("width", "number", 2.5, "How wide, in mm.", minimum=0, maximum=9),
        Control("loud", "flag", False, "Whether to shout."),
        Control("name", "text", "x", "A name."),
        Control("tile", "choice", None, "Tiles.", ("none", "a4", "a3"), optional=True),
    ]


def test_control_parsing() -> None:
    width, loud, tile = (c for c in controls(Toy) if c.name in ("width", "loud", "tile"))
    assert width.parse("3,5") == 3.5 and width.parse("wide") == "wide"
    assert width.parse(None) == 2.5
    assert loud.parse("on") is True and loud.parse(None) is False
    assert tile.parse("none") is None and tile.parse("a3") == "a3"


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_pool_is_bounded_and_says_busy() -> None:
    pool = RenderPool(1)
    pool.start()
    try:
        async def scenario() -> tuple[object, object]:
            slow = asyncio.ensure_future(pool.run(10, 10, _sleep, 1.5))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            with pytest.raises(Busy):
                await pool.run(0.3, 10, _sleep, 0)  # no free process within 0.3 s
            assert time.monotonic() - started < 1.0
            with pytest.raises(Busy):
                await pool.run(10, 0.3, _sleep, 1)  # waits, then takes too long
            return await slow, await pool.run(10, 10, _sleep, 0)

        assert asyncio.run(scenario()) == (1.5, 0)
    finally:
        pool.close()


def test_scratch_folder_goes_and_the_shared_cache_stays(content_dir: Path, tmp_path: Path,
                                                        shared_cache: Path | None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    app = make_app(content_dir, shared, scratch_parent=tmp_path)
    secret = "Welke geheime vraag stelt alleen deze organisator?"
    rows = [type(GOOD[0])(secret, GOOD[0].personal)]
    with TestClient(app, base_url=BASE_URL) as client:
        scratch = app.state.composer.scratch
        assert scratch is not None and scratch.parent == tmp_path
        assert client.post("/preview/0", data=form(rows), headers=htmx()).status_code == 200
        assert client.post("/deck.pdf", data=form(rows)).status_code == 200
        assert any(scratch.rglob("*.face"))  # the faces were rendered here ...
        assert not any((scratch / "jobs").iterdir())  # ... and each job's files removed
    assert not scratch.exists()  # ... and nothing is left once it stops
    assert list(shared.iterdir()) == []
    assert [p for p in tmp_path.iterdir() if p != shared] == []


def test_loopback_names() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.5"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.2", "example.org", "::"]))


def test_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} is in use; choose another"):
            check_port("127.0.0.1", port)
    with pytest.raises(UsageError, match="--port: expected 1 to 65535"):
        check_port("127.0.0.1", 70000)


def test_serve_command(monkeypatch: pytest.MonkeyPatch, content_dir: Path,
                       caplog: pytest.LogCaptureFixture) -> None:
    import uvicorn

    seen = {}

    def run(self: uvicorn.Server) -> None:
        seen["host"], seen["port"] = self.config.host, self.config.port

    monkeypatch.setattr(uvicorn.Server, "run", run)
    runner = CliRunner()
    result = runner.invoke(cli, ["--content", str(content_dir), "serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "port": 8765}
    logging.getLogger("kaartspel").propagate = True  # the CLI keeps its own handler
    with caplog.at_level(logging.WARNING, logger="kaartspel"):
        result = runner.invoke(cli, ["--content", str(content_dir), "serve",
                                     "--host", "0.0.0.0", "--port", "8766"])
    assert result.exit_code == 0
    assert "other computers on the network can open the composer" in (
        result.output + caplog.text)
    result = runner.invoke(cli, ["--content", "no-such-folder", "serve"])
    assert result.exit_code == 2 and "content folder not found" in result.output


def test_serve_is_listed_and_light() -> None:
    import subprocess
    import sys

    code = ("import sys, kaartspel.cli.app; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'weasyprint', 'openpyxl') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "--port" in result.output and "--open" in result.output


def test_scratch_goes_even_without_an_orderly_stop(content_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; "
            "from kaartspel.serve.app import Composer, Limits; "
            "c = Composer(Path(sys.argv[1]), None, 1, Limits(), Path(sys.argv[2])); c.start(); "
            "(c.scratch / 'face.pdf').write_text('an organiser question?'); print(c.scratch)")
    out = subprocess.run([sys.executable, "-c", code, str(content_dir), str(tmp_path)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    scratch = Path(out.strip())
    assert scratch.parent == tmp_path and not scratch.exists()
