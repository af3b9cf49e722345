"""Build a card deck: select cards, find the deck's type size, render, impose, write."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from kaartspel.cache import FaceCache, digest
from kaartspel.content.load import load_content
from kaartspel.content.model import Content
from kaartspel.deck.cards import SET_THEME, Card, build_cards, select
from kaartspel.deck.face_store import Bases, FaceStore, Rendering
from kaartspel.deck.faces import CardRenderer, Geometry
from kaartspel.deck.type_size import kind_sizes, raise_unfit, unvouched
from kaartspel.deck.variants import accessible_pdf, card_renderer, face_store
from kaartspel.deck.workers import RenderHelper
from kaartspel.errors import UsageError
from kaartspel.options import DeckOptions
from kaartspel.pdf.fonts import FaceFonts, FontCollector, FontMerger
from kaartspel.pdf.impose import (
    impose_sheets,
    page_form,
    page_xobject,
    plan_grid,
    plan_shared_grid,
    single_pages,
)
from kaartspel.pdf.save import save_pdf
from kaartspel.pdf.variants import finalize
from kaartspel.render.stamps import StampPool
from kaartspel.render.templates import TemplateSet
from kaartspel.units import card_size, mm_to_pt, paper_size

log = logging.getLogger(__name__)



@dataclass
class DeckResult:
    """What a deck build produced."""

    path: Path
    pages: int
    cards: int
    base_pt: float
    seconds: float = 0.0
    faces: list[str] = field(default_factory=list)
    rendered: int = 0
    """How many faces had to be laid out (0 on a fully cached build)."""
    sizes: dict[str, float] = field(default_factory=dict)
    """Body size (pt) of each card kind in the deck; ``base_pt`` is the smallest."""
    shows: str = ""
    """Hash of what the deck shows (see :func:`shown_key`)."""


def back_cards(content: Content, cards: Sequence[Card], mode: str) -> dict[str, Card]:
    """Return the back face per theme used in *cards* (one shared back for ``plain``)."""
    if mode == "none":
        return {}
    meta = content.meta
    if mode == "plain":
        back = Card("back", "back", SET_THEME, meta.title, label=meta.set_title)
        return {card.theme: back for card in cards}
    backs = {}
    kind, prefix = ("light_back", "light-back") if mode == "light" else ("back", "back")
    for card in cards:
        if card.theme not in backs:
            name = meta.title if card.theme == SET_THEME else content.theme(card.theme).name
            backs[card.theme] = Card(f"{prefix}-{card.theme}", kind, card.theme, name,
                                     label=meta.set_title)
    return backs


def faces_of(cards: Sequence[Card], backs: Mapping[str, Card]) -> list[Card]:
    """Return the faces a deck of *cards* places: the cards, then each of their *backs* once."""
    return [*cards, *dict.fromkeys(backs.values())]


def deck_faces(content: Content, options: DeckOptions, cards: Sequence[Card]
               ) -> tuple[dict[str, Card], list[Card], CardRenderer]:
    """Return the backs of a deck of *cards* (see :func:`back_cards`), its faces (see
    :func:`faces_of`) and their renderer, as *options* set them.

    :func:`build_deck` starts with it; a caller that chose its cards itself (the composer,
    previewing one card) gets the faces, and the renderer, of the deck it shows.
    """
    backs = back_cards(content, cards, options.backs)
    # PDF variants (pdf/variants.py): print faces are rendered in CMYK under their own
    # cache keys; the accessible variant fits with the plain faces, then renders the fronts
    # as one tagged PDF.
    face_variant = "print" if options.pdf == "print" else "plain"
    geometry = Geometry.for_card(card_size(options.size), options.bleed)
    renderer = card_renderer(face_variant, content, geometry,
                             TemplateSet.create(options.templates), options.strict)
    return backs, faces_of(cards, backs), renderer


def deck_sizes(store: FaceStore, content: Content, faces: Sequence[Card],
               backs: str, check: bool = True) -> dict[str, float]:
    """Return the body size of every kind among *faces*: the kind's size in the whole content
    (see :func:`kind_sizes`), whatever the selection; own cards must fit theirs (unless
    not *check*: see :func:`unchecked_faces`)."""
    return kind_sizes(store, _content_faces(content, backs), [face.kind for face in faces],
                      own=[face for face in faces if face.own], selected=faces, check=check)


def _content_faces(content: Content, backs: str) -> list[Card]:
    full = build_cards(content)
    return faces_of(full, back_cards(content, full, backs))


def unchecked_faces(store: FaceStore, content: Content, faces: Sequence[Card], backs: str,
                    sizes: Mapping[str, float]) -> list[Card]:
    """Return the faces of a deck whose fit :func:`deck_sizes` without *check* left open."""
    return unvouched(store, _content_faces(content, backs),
                     [face for face in faces if face.own], faces, sizes)


def deck_cards(content: Content, options: DeckOptions) -> tuple[Card, ...]:
    """Return the selected cards of the deck, custom questions included."""
    cards = build_cards(content)
    if options.extra_questions is not None:
        from kaartspel.deck.own_questions import add_custom_questions

        cards = add_custom_questions(content, cards, options.extra_questions)
    themes = [theme_id(content, name) for name in options.themes]
    chosen = select(cards, themes, options.kinds, options.cards, options.extras)
    if options.blanks or options.with_legend:
        from kaartspel.deck.kit_cards import with_kit_cards

        chosen = with_kit_cards(content, chosen, themes, options.blanks, options.with_legend)
    return chosen


def theme_id(content: Content, name: str) -> str:
    """Return the id of the theme called *name*: its id, or its name or title in the
    content's language, in any case ("Netwerkvorming", "network building")."""
    wanted = " ".join(name.split()).casefold()
    if wanted == SET_THEME:
        return SET_THEME
    for theme in content.themes:
        if wanted in (theme.id, theme.name.casefold(), theme.title.casefold()):
            return theme.id
    # Unknown: suggest the closest names as the user wrote them, in the content's language.
    import difflib

    names: dict[str, str] = {}
    for theme in content.themes:
        for label in (theme.name, theme.title, theme.id):
            names.setdefault(label.casefold(), theme.name)
    near = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(names[n] for n in near))
    hint = f"; did you mean {' or '.join(repr(n) for n in suggestions)}?" if suggestions else ""
    valid = ", ".join([f"{content.meta.title} ({SET_THEME})",
                       *(f"{t.name} ({t.id})" for t in content.themes)])
    raise UsageError(f"unknown theme {name!r}{hint} (valid: {valid})")


def build_deck(
    content_dir: Path,
    options: DeckOptions,
    output: Path,
    cache: FaceCache | None = None,
    jobs: int | None = None,
    helper: RenderHelper | None = None,
    library: FaceLibrary | None = None,
) -> DeckResult:
    """Build one deck PDF at *output*; raise a KaartspelError on any problem.

    A long-running process (``watch``) passes the *library* of faces it keeps prepared
    between builds.

    *jobs* caps the processes that render faces (None: one per CPU); a *helper* started
    earlier renders a few stale faces with WeasyPrint already loaded (see helper.py).
    """
    from kaartspel.pdf.save import check_output

    started = time.perf_counter()
    options = options.validated()
    check_output(output)
    size = card_size(options.size)
    grid = None
    if options.layout == "sheet" and options.cut == "shared":
        grid = plan_shared_grid(size, options.bleed, paper_size(options.paper), options.margin)
    elif options.layout == "sheet":
        grid = plan_grid(size, options.bleed, paper_size(options.paper), options.margin,
                         options.gutter)
    elif options.layout == "fold":
        from kaartspel.pdf.fold import plan_fold_grid

        grid = plan_fold_grid(size, options.bleed, paper_size(options.paper), options.margin,
                              options.gutter)
    content, cards, backs, faces, renderer = _deck_parts(content_dir, options)
    templates = renderer.templates
    store = face_store(renderer, cache, jobs, helper)
    title = f"{content.meta.title} — {content.meta.set_title}"
    # Own cards (and cards of a kind at the smallest step) must fit at their kind's size:
    # they are rendered while the others are placed, and checked as they arrive.
    streamed = options.pdf != "accessible"
    sizes = deck_sizes(store, content, faces, options.backs, check=not streamed)
    base = min(sizes.values())
    if options.pdf == "accessible":
        final: pikepdf.Pdf = accessible_pdf(renderer, cards, sizes)
        placed: Sequence[Card] = cards
    else:
        merger = FontMerger(font_files(templates), store.cache)
        if library is not None:
            library.start_build()
        index = {face.id: i for i, face in enumerate(faces)}
        fronts = [index[card.id] for card in cards]
        back_pages = [index[backs[card.theme].id] if backs else None for card in cards]
        checked = unchecked_faces(store, content, faces, options.backs, sizes)
        # What is not rendered yet (those, and faces whose size an earlier run found but whose
        # PDFs it did not keep) is rendered while the faces that are there are placed.
        stale = [face for face in faces if not _ready(store, face, sizes[face.kind])]
        rendering = store.start(stale, {face.id: sizes[face.kind] for face in stale}) \
            if stale else None
        source = FacePages(store, faces, sizes, merger, rendering, library=library)
        try:
            if options.layout == "fold" and grid is not None:
                from kaartspel.pdf.fold import impose_fold

                out = impose_fold(source, fronts, back_pages, grid, options.bleed,
                                  registration=options.pdf == "print")
            elif grid is not None:
                out = impose_sheets(source, fronts, back_pages, grid, options.bleed,
                                    options.duplex, registration=options.pdf == "print",
                                    back_offset=options.back_offset)
            else:
                out = single_pages(source, fronts, back_pages, options.bleed, options.order)
        except _DoesNotFit:
            assert rendering is not None
            rendering.finish()  # every face that does not fit is named, not only the first
            raise_unfit(store, checked, [face for face in faces if face.own], sizes)
            raise
        finally:
            if rendering is not None:
                rendering.close()
        raise_unfit(store, checked, [face for face in faces if face.own], sizes)
        log.info("deck %s: %d cards, body text by kind %s", output, len(cards),
                 ", ".join(f"{kind} {pt:g} pt" for kind, pt in sizes.items()))
        with out:
            source.finish()
            final = in_page_order(out)
        placed = faces
    with final:
        pages = len(final.pages)
        finalize(final, options.pdf, options.lang, title, templates, options.strict)
        save_pdf(final, output, title, options.lang)
    return DeckResult(output, pages, len(cards), base, time.perf_counter() - started,
                      [face.id for face in placed], store.rendered, sizes,
                      shown_key(store, options, cards, backs, sizes))


def shown_key(store: FaceStore, options: DeckOptions, cards: Sequence[Card],
              backs: Mapping[str, Card], sizes: Mapping[str, float]) -> str:
    """Return a hash of everything the deck of *options* shows, made by :func:`build_deck`.

    That is every option (layout, imposition, variant, …) and the cache key of each face it
    places, in order, with the back each front gets.  A face's key covers its text, its
    kind's type size, the card geometry, the language's interface strings and set title,
    the template search path, WeasyPrint's version and kaartspel's source (see
    :meth:`FaceStore.face_key`): two decks with equal keys are the same file.
    """
    faces = faces_of(cards, backs)
    return digest(
        "deck shows", options.model_dump_json(), store.style_key,
        *[store.face_key(face, sizes[face.kind]) for face in faces],
        *[f"{card.id}>{backs[card.theme].id}" for card in cards if backs],
    )


class _WouldRender(Exception):
    """Raised by a store that must not render (see :func:`cached_shown_key`)."""


class _LookupStore(FaceStore):
    """A face store that only looks things up: starting a rendering raises."""

    def start(self, faces: Sequence[Card], base: Bases,
              pdf: frozenset[str] | None = None) -> Rendering:
        raise _WouldRender


def cached_shown_key(content_dir: Path, options: DeckOptions, cache: FaceCache) -> str | None:
    """Return the :func:`shown_key` the deck of *options* would have now, or None when it
    cannot be told without rendering (a kind's type size, or an own card's fit, is not in
    *cache*).

    Loads the content and selects the cards as :func:`build_deck` does, without WeasyPrint;
    raises what loading or selecting raises.
    """
    options = options.validated()
    content, cards, backs, faces, renderer = _deck_parts(content_dir, options)
    store = _LookupStore(renderer, cache, jobs=1)
    try:
        sizes = deck_sizes(store, content, faces, options.backs)
    except _WouldRender:
        return None
    return shown_key(store, options, cards, backs, sizes)


def _ready(store: FaceStore, face: Card, size: float) -> bool:
    """Return whether *face* is measured at *size*, fits, and has its PDF."""
    m = store.known(face, size)
    return m is not None and m.fits and store.has_pdf(face, size)


def _deck_parts(content_dir: Path, options: DeckOptions
                ) -> tuple[Content, tuple[Card, ...], dict[str, Card], list[Card], CardRenderer]:
    """Return a deck's content, its selected cards, their backs, its faces and their
    renderer (see :func:`deck_faces`)."""
    content = load_content(content_dir, options.lang)
    cards = deck_cards(content, options)
    return content, cards, *deck_faces(content, options, cards)


def in_page_order(pdf: pikepdf.Pdf) -> pikepdf.Pdf:
    """Return a copy of *pdf* whose objects were made in the order its pages reach them.

    Faces are placed as they arrive from other processes, so the order in which objects
    were made varies from run to run, and qpdf's writer keeps that order: the same deck
    would not always give the same bytes.  Copying page by page makes the order canonical.
    """
    copy = pikepdf.Pdf.new()
    copy.pages.extend(pdf.pages)
    if "/ViewerPreferences" in pdf.Root:  # the duplex flip of sheets
        copy.Root.ViewerPreferences = copy.copy_foreign(
            pdf.make_indirect(pdf.Root.ViewerPreferences))
    return copy


class _DoesNotFit(Exception):
    """A face rendered while the deck was being placed does not fit at the deck's size."""


class FacePages:
    """The rendered faces as a page source for imposition, each opened only while placed.

    A face's fonts are not copied: the :class:`FontCollector` notes the glyphs it shows and
    points it at one shared font per font, filled in by :meth:`finish`.  Its other streams
    are copied outright, so its PDF can be closed at once.  Memory stays flat with the
    number of cards.
    """

    def __init__(self, store: FaceStore, faces: Sequence[Card], sizes: Mapping[str, float],
                 merger: FontMerger, rendering: Rendering | None = None,
                 library: FaceLibrary | None = None) -> None:
        self.store, self.faces, self.sizes, self.merger = store, faces, sizes, merger
        self.library = library
        self.rendering = rendering
        """Faces still arriving (each is waited for when it is placed)."""
        self.ahead: dict[int, pikepdf.Object] = {}
        """Faces placed while an earlier one was still being rendered, by index."""
        self.placed: set[int] = set()
        """Faces handed to the imposition (which keeps them: never placed twice)."""
        self.collector: FontCollector | None = None
        self.stamps = StampPool()

    def form(self, out: pikepdf.Pdf, index: int) -> pikepdf.Object:
        """Return face *index* as a Form XObject in *out*."""
        rendering = self.rendering
        if rendering is not None:
            face = self.faces[index]
            # While the face is being rendered elsewhere, place the faces that are here.
            while rendering.outstanding(face) and not rendering.poll():
                if not self._place_ahead(out, index):
                    break
            measure = rendering.wait(face)
            if measure is not None and not measure.fits:
                raise _DoesNotFit(face.id)
        self.placed.add(index)
        if index in self.ahead:
            return self.ahead.pop(index)
        return self._place(out, index)

    def _place_ahead(self, out: pikepdf.Pdf, index: int) -> bool:
        """Place one later face that needs no waiting; return whether there was one."""
        assert self.rendering is not None
        for later in range(index + 1, len(self.faces)):
            face = self.faces[later]
            if later in self.ahead or later in self.placed or self.rendering.outstanding(face):
                continue
            measure = self.rendering.measures.get(face.id)
            if measure is not None and not measure.fits:
                continue  # it fails when its turn comes
            self.ahead[later] = self._place(out, later)
            return True
        return False

    def _place(self, out: pikepdf.Pdf, index: int) -> pikepdf.Object:
        if self.collector is None:
            self.collector = self.merger.collector(out)
        face = self.faces[index]
        library = self.library
        base = self.sizes[face.kind]
        key = self.store.face_key(face, base)
        if library is not None and key in library.faces:
            prepared, fonts = library.faces[key]
            form = out.copy_foreign(prepared)
        else:
            with pikepdf.open(io.BytesIO(self.store.pdf(face, base))) as source:
                page = source.pages[0]
                fonts = self.collector.take(page)
                if library is not None:
                    prepared = library.keep(key, page, fonts)
                    form = out.copy_foreign(prepared)
                else:
                    form = page_xobject(out, page)
                    _materialize(form)
        self.collector.add(fonts)
        self.collector.attach(form, fonts.names)
        self.stamps.share(form)
        return form

    def size(self, index: int) -> tuple[float, float]:
        """Return the width and height (pt) of face *index*."""
        geometry = self.store.renderer.geometry
        return mm_to_pt(geometry.page_w), mm_to_pt(geometry.page_h)

    def finish(self) -> None:
        """Write the shared fonts (after every face has been placed)."""
        if self.collector is not None:
            self.collector.finish()


class FaceLibrary:
    """Faces prepared for placing (fonts taken out, as forms), kept by a long-running process.

    ``watch`` rebuilds the same deck after each edit: all faces but the edited one are
    placed again.  Opening each face's PDF and reading its fonts again cost most of the
    assembly; from here a face is one copy.  The library is one open PDF (outputs copy its
    streams when they are saved), emptied when it grows past :data:`LIBRARY_FACES`.
    """

    def __init__(self) -> None:
        self.pdf = pikepdf.Pdf.new()
        self.faces: dict[str, tuple[pikepdf.Object, FaceFonts]] = {}

    def start_build(self) -> None:
        """Start afresh when the library has grown past :data:`LIBRARY_FACES`."""
        if len(self.faces) > LIBRARY_FACES:
            self.pdf = pikepdf.Pdf.new()
            self.faces = {}

    def keep(self, key: str, page: pikepdf.Page, fonts: FaceFonts) -> pikepdf.Object:
        """Keep *page* (of a face PDF about to be closed) with its fonts taken out."""
        form = self.pdf.copy_foreign(page_form(page))
        _materialize(form)
        self.faces[key] = (form, fonts)
        return form


LIBRARY_FACES = 4000
"""Faces a library holds before it starts afresh (between two builds)."""


def _materialize(obj: pikepdf.Object) -> None:
    """Copy the data of every stream reachable from *obj* into its own PDF.

    pikepdf copies a foreign stream's data only when the output is saved, which would keep
    every face PDF open until then.
    """
    seen: set[tuple[int, int]] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Stream):
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
            item.write(item.read_raw_bytes(), filter=item.get("/Filter"),  # type: ignore[arg-type]
                       decode_parms=item.get("/DecodeParms"))  # type: ignore[arg-type]
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, pikepdf.Dictionary):
            if item.is_indirect:
                if item.objgen in seen:
                    continue
                seen.add(item.objgen)
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, pikepdf.Array):
            stack.extend(item)


def font_files(templates: TemplateSet) -> list[Path]:
    """Return the font files on the template search path (the originals of every subset)."""
    return [
        path for folder in templates.folders for path in sorted((folder / "fonts").glob("*"))
        if path.suffix.lower() in (".ttf", ".otf")
    ]




__all__ = ["CardRenderer", "DeckResult", "Geometry", "build_deck"]
