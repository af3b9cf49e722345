"""What the composer's render processes do: build a deck, show one card, show every card small.

Each function runs in a worker process of the server's pool (see :mod:`.pool`) and takes and
returns plain data.  Faces come from the checkout's face cache (read only) and what is
rendered here goes to the server's private temporary folder (:class:`LayeredCache`): an
organiser's questions never reach ``build/.cache``, and the folder goes when the server stops.
"""

from __future__ import annotations

import io
import logging
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaartspel.cache import FaceCache
from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.assemble import build_deck, deck_faces
from kaartspel.deck.cards import Card, build_cards, select
from kaartspel.deck.face_store import FaceStore
from kaartspel.deck.type_size import fit_faces
from kaartspel.errors import FitError, UsageError
from kaartspel.files import write_atomic
from kaartspel.options import DeckOptions
from kaartspel.render.templates import TYPE_SCALE
from kaartspel.serve.questions import Row, chosen_cards, own_id, with_own

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayeredCache(FaceCache):
    """A face cache that reads from a shared cache below and writes only to its own folder."""

    shared: Path | None = None
    """The checkout's cache (``build/.cache``), never written to."""

    def _below(self) -> FaceCache | None:
        return FaceCache(self.shared) if self.shared is not None else None

    def has_face(self, key: str) -> bool:
        below = self._below()
        return super().has_face(key) or (below is not None and below.has_face(key))

    def get_face(self, key: str) -> bytes | None:
        below = self._below()
        return super().get_face(key) or (below.get_face(key) if below else None)

    def get_fit(self, key: str) -> dict[str, Any]:
        below = self._below()
        return {**(below.get_fit(key) if below else {}), **super().get_fit(key)}

    def get_blob(self, kind: str, key: str) -> bytes | None:
        below = self._below()
        found = super().get_blob(kind, key)
        return found if found is not None or below is None else below.get_blob(kind, key)


@dataclass(frozen=True)
class Workspace:
    """Where a render process finds the content and keeps what it renders."""

    content_dir: Path
    scratch: Path
    """The server's private temporary folder (removed when it stops)."""
    shared_cache: Path | None = None

    @property
    def cache(self) -> LayeredCache:
        """Return the face cache: the shared one below, the private folder on top."""
        return LayeredCache(self.scratch / "cache", shared=self.shared_cache)


@contextmanager
def job_folder(workspace: Workspace) -> Iterator[Path]:
    """Yield a fresh folder for one job's files under the scratch folder; remove it after."""
    folder = workspace.scratch / "jobs" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up() -> None:
    """Load WeasyPrint in a fresh worker (0.5 s), so the first request does not wait for it."""
    import weasyprint  # noqa: F401


def build_pdf(workspace: Workspace, options: DeckOptions, questions: str | None) -> bytes:
    """Return the deck PDF of *options* (with *questions*, a questions file's text).

    Exactly what ``kaartspel deck … --questions FILE`` writes: the same library call, the
    questions from a file with the same text.
    """
    with job_folder(workspace) as folder:
        if questions is not None:
            path = folder / "questions.yaml"
            write_atomic(path, questions.encode("utf-8"))
            options = options.updated(extra_questions=path)
        output = folder / "deck.pdf"
        build_deck(workspace.content_dir, options, output, cache=workspace.cache, jobs=1)
        return output.read_bytes()


@dataclass(frozen=True)
class Preview:
    """One card as it will print, or why it cannot be shown."""

    png: bytes
    base: float
    """The deck's body size (pt) the card is set at."""
    fits: bool
    messages: tuple[str, ...] = ()
    """Fit messages about this card, worded as the CLI words them."""


def preview_card(workspace: Workspace, options: DeckOptions, theme: str,
                 rows: Sequence[Row], row: int, dpi: float) -> Preview:
    """Return own question *row* of *rows* as its real card in the deck *options* describe.

    The questions are not checked (the card shows while it is typed); the deck's type size is
    searched with every face of the deck, as ``kaartspel deck`` does, so the card is set at
    the size it will print at — and its face, once rendered, is the one the download uses.
    """
    content = load_content(workspace.content_dir, options.lang)
    counted = [i for i, r in enumerate(rows) if not r.blank]
    if row not in counted:
        raise UsageError(f"question {row + 1} is empty")
    card_id = own_id(theme, counted.index(row) + 1)
    cards = with_own(content, theme, rows)
    try:
        chosen = chosen_cards(content, options, cards)
    except UsageError:
        chosen = ()
    if card_id not in {card.id for card in chosen}:
        # Not in the selection (yet): show it among its own theme's cards.
        chosen = select(cards, (theme,))
    store, faces = _store(workspace, content, options, chosen)
    card = next(card for card in chosen if card.id == card_id)
    messages: tuple[str, ...] = ()
    try:
        base, fits = fit_faces(store, faces), True
    except FitError as exc:
        base, fits = TYPE_SCALE[0], False
        messages = tuple(p.message for p in exc.problems if p.subject == ("card", card.id))
    return Preview(face_png(store.pdf(card, base), options.bleed, dpi), base, fits, messages)


def thumbnails(workspace: Workspace, lang: str, dpi: float) -> dict[str, bytes]:
    """Return a small PNG of every card of the full deck in *lang*, by card id.

    At the default options, so the faces are those of the default decks (``make build``
    leaves them in the face cache).
    """
    options = DeckOptions(lang=lang)
    content = load_content(workspace.content_dir, lang)
    cards = build_cards(content)
    store, faces = _store(workspace, content, options, cards)
    base = fit_faces(store, faces)
    return {card.id: face_png(store.pdf(card, base), options.bleed, dpi) for card in cards}


def _store(workspace: Workspace, content: Content, options: DeckOptions,
           cards: Sequence[Card]) -> tuple[FaceStore, list[Card]]:
    """Return a face store and the faces of a deck of *cards*, as :func:`build_deck` makes them."""
    from kaartspel.deck.variants import face_store

    _, faces, renderer = deck_faces(content, options.validated(), cards)
    return face_store(renderer, workspace.cache, 1), faces


def face_png(pdf: bytes, bleed_mm: float, dpi: float) -> bytes:
    """Return a face's one-page PDF as a PNG of the card cut at its trim (without the bleed)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72, may_draw_forms=True).to_pil().convert("RGB")
    finally:
        document.close()
    cut = round(bleed_mm / 25.4 * dpi)
    if cut and image.width > 2 * cut and image.height > 2 * cut:
        image = image.crop((cut, cut, image.width - cut, image.height - cut))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
