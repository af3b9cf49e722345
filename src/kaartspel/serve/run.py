"""Run the composer: check the address, start uvicorn, say where it listens."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from kaartspel.errors import UsageError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """Return whether *host* names this computer only (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Raise UsageError when *port* on *host* cannot be bound (in use, or not an address here)."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port: expected 1 to 65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is in use; choose another with --port "
                                 f"(e.g. --port {port + 1})") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(content_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          open_browser: bool = False, workers: int = 2,
          started: Callable[[str], None] | None = None) -> None:
    """Run the composer until Ctrl-C; call *started* with its address once it listens."""
    import uvicorn

    from kaartspel.serve.app import create_app

    if not content_dir.is_dir():
        raise UsageError(f"content folder not found: {content_dir}")
    if not is_loopback(host):
        log.warning("listening on %s: other computers on the network can open the composer "
                    "(and its organisers' questions); use --host 127.0.0.1 to keep it local",
                    host)
    check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    app = create_app(content_dir, host=host, port=port, workers=workers)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            server_header=False, lifespan="on")
    server = uvicorn.Server(config)

    def announce() -> None:
        # Once the socket listens (uvicorn sets `started`), not before.
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            if started is not None:
                started(url)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
