"""Helpers of the composer's tests: a form as a browser sends it, own questions that pass,
the page parsed, a PDF's words."""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from kaartspel.serve.app import create_app
from kaartspel.serve.fields import controls
from kaartspel.serve.questions import Row

HOST, PORT = "127.0.0.1", 8000
BASE_URL = f"http://{HOST}:{PORT}"

GOOD = [
    Row("Wie ontbreekt er nog aan tafel bij deze opgave?", "Wie zou jij zelf willen uitnodigen?"),
    Row("Wat hebben we geleerd van ons vorige project?", "Wat doe jij de volgende keer anders?"),
]
"""Two own question pairs that break no rule and fit every card size."""


def make_app(content_dir: Path, shared_cache: Path | None, **kwargs: Any) -> Starlette:
    return create_app(content_dir, host=HOST, port=kwargs.pop("port", PORT),
                      shared_cache=shared_cache, **kwargs)


def form(rows: list[Row] | None = None, **changes: Any) -> dict[str, Any]:
    """Return the page's form as a browser posts it: every option at its default, *changes*
    applied (lists for repeated fields), and *rows* as the own questions."""
    data: dict[str, Any] = {"lang": "nl", "own_theme": "netwerkvorming"}
    for c in controls():
        if c.kind == "flag":
            if c.default:
                data[c.name] = "on"
        else:
            data[c.name] = c.shown(c.default)
    rows = rows or []
    data["group"] = [r.group for r in rows]
    data["personal"] = [r.personal for r in rows]
    data.update(changes)
    return data


def htmx(**headers: str) -> dict[str, str]:
    return {"HX-Request": "true", **headers}


@dataclass
class LiveServer:
    """The app served by uvicorn on a free port of 127.0.0.1, in a thread of this process."""

    url: str
    app: Starlette


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Elements(HTMLParser):
    """Every element of a page with its attributes and text, and which labels name what."""

    VOID = frozenset({"input", "img", "br", "meta", "link", "hr", "source"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": "",
                   "parents": [e["tag"] for e in self.stack],
                   "labels": [e for e in self.stack if e["tag"] == "label"]}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element["text"] += data

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, Any]]:
        """Return the elements of *tag* (any) whose attributes include *attrs*."""
        return [e for e in self.elements if (tag is None or e["tag"] == tag)
                and all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> dict[str, Any]:
        found = self.find(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def label_of(self, element: dict[str, Any]) -> str:
        """Return the text that labels a control (a <label for>, a wrapping <label>, or
        aria-label), stripped."""
        attrs = element["attrs"]
        if attrs.get("aria-label"):
            return attrs["aria-label"].strip()
        if attrs.get("id"):
            for label in self.find("label", for_=attrs["id"]):
                return " ".join(label["text"].split())
        for label in element["labels"]:
            return " ".join(label["text"].split())
        return ""


def text_of(html: str) -> str:
    """Return the words of an HTML fragment, entities decoded, spaces collapsed."""
    parsed = Elements(f"<div>{html}</div>")
    return " ".join(parsed.elements[0]["text"].split()) if parsed.elements else ""


_PDFIUM = threading.Lock()
"""PDFium is not thread-safe (pypdfium2 says so): the load tests read PDFs from many threads."""


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            words = []
            for page in document:
                text = page.get_textpage()
                words.append(text.get_text_range())
        finally:
            document.close()
    # pdfium marks a word broken at the end of a line with U+FFFE: join it again.
    return " ".join(re.sub("\ufffe\\s*", "", " ".join(words)).split())
