"""The composer's web app: one page, its htmx fragments, the downloads and the guards around them.

The page is one form; every request carries all of it (the choices and the own questions), so
the server holds no organiser state between requests — only rendered pictures in memory and
faces in a private temporary folder that is removed when the server stops.  Every control works
with the keyboard and without scripts (each action is a submit button the server answers with
the whole page); htmx makes the same requests and swaps in the fragment instead.

Guards: the Host header must name the bound address (DNS rebinding), a cross-site request
may not post, bodies, uploads and own questions are bounded, no value from the browser is ever
used as a path, and every response carries a Content Security Policy (``default-src 'self'``:
no inline script or style, htmx is served from here).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import ipaddress
import logging
import re
import shutil
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kaartspel.cache import digest
from kaartspel.content.load import load_content
from kaartspel.content.loader import languages
from kaartspel.content.model import Content
from kaartspel.errors import KaartspelError
from kaartspel.options import DeckOptions
from kaartspel.render.templates import PACKAGE_TEMPLATES
from kaartspel.serve import text
from kaartspel.serve.fields import controls, field_help
from kaartspel.serve.pool import Busy, RenderPool
from kaartspel.serve.questions import (
    MAX_QUESTIONS,
    MAX_TEXT,
    MAX_UPLOAD,
    ROLES,
    Checked,
    Row,
    TableError,
    check_rows,
    questions_yaml,
    read_table,
    template_csv,
    template_xlsx,
)
from kaartspel.serve.state import State, TooMuch, summary
from kaartspel.serve.work import Workspace, build_pdf, preview_card, thumbnails

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")
PREVIEW_DPI = 150
THUMB_DPI = 72


@dataclass(frozen=True)
class Limits:
    """What one request may ask for, and how long it may wait for a render process."""

    max_body: int = MAX_UPLOAD + 200_000
    """Bytes of a request body (an upload plus the form around it)."""
    preview_wait: float = 10.0
    preview_timeout: float = 30.0
    download_wait: float = 45.0
    download_timeout: float = 180.0
    images: int = 48_000_000
    """Bytes of rendered pictures kept in memory (the oldest go first)."""


class _TooLarge(Exception):
    pass


class GuardMiddleware:
    """Bound the body, refuse cross-site posts, add the security headers to every response."""

    def __init__(self, app: ASGIApp, max_body: int, origins: frozenset[str]) -> None:
        self.app, self.max_body, self.origins = app, max_body, origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if (origin is not None and origin not in self.origins) or \
                    headers.get("sec-fetch-site") in ("cross-site", "same-site"):
                await _plain(403, "cross-site request refused")(scope, receive, send)
                return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await _plain(413, f"request too large (at most {self.max_body:,} bytes)")(
                scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # Not no-referrer: under it a browser posts a form with "Origin: null",
                    # and the origin is what tells a same-page post from a cross-site one.
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not started:
                await _plain(413, f"request too large (at most {self.max_body:,} bytes)")(
                    scope, receive, guarded)


def _plain(status: int, message: str) -> Response:
    return PlainTextResponse(f"Error: {message}\n", status_code=status)


class Images:
    """Rendered pictures in memory, by key, with what is known about each; the oldest are
    dropped past a byte budget (nothing of an organiser's is written to disk for them)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.items: OrderedDict[str, tuple[bytes, Any]] = OrderedDict()
        self.size = 0

    def get(self, key: str) -> bytes | None:
        """Return the picture *key*, or None."""
        found = self.items.get(key)
        if found is None:
            return None
        self.items.move_to_end(key)
        return found[0]

    def meta(self, key: str) -> Any:
        """Return what was stored with picture *key* (None: nothing, or not there)."""
        found = self.items.get(key)
        return found[1] if found else None

    def put(self, key: str, data: bytes, meta: Any = None) -> None:
        """Keep picture *key*; drop the oldest ones past the budget."""
        if key in self.items:
            return
        self.items[key] = (data, meta)
        self.size += len(data)
        while self.size > self.budget and len(self.items) > 1:
            _, (old, _) = self.items.popitem(last=False)
            self.size -= len(old)


def allowed_hosts(host: str) -> list[str]:
    """Return the Host names a request may give: the bound one (and its loopback aliases)."""
    names = {host}
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            names |= {"127.0.0.1", "localhost", "[::1]", "::1"}
    if host == "localhost":
        names |= {"127.0.0.1", "[::1]"}
    return sorted(names)


class Composer:
    """The app's state for its lifetime: content, render pool, scratch folder, pictures."""

    def __init__(self, content_dir: Path, shared_cache: Path | None, workers: int,
                 limits: Limits, scratch_parent: Path | None) -> None:
        self.content_dir = content_dir
        self.shared_cache = shared_cache
        self.limits = limits
        self.pool = RenderPool(workers)
        self.images = Images(limits.images)
        self.recent: OrderedDict[str, str] = OrderedDict()
        """The last card key per row text and place (see :func:`_near_key`)."""
        self.thumbs: dict[str, asyncio.Task[dict[str, bytes]]] = {}
        self.scratch_parent = scratch_parent
        self.scratch: Path | None = None
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True,
        )
        env.filters["rst"] = _rst
        self.env = env

    @property
    def langs(self) -> list[str]:
        return languages(self.content_dir)

    @property
    def workspace(self) -> Workspace:
        assert self.scratch is not None, "the app has not started"
        return Workspace(self.content_dir, self.scratch, self.shared_cache)

    def start(self) -> None:
        """Create the private scratch folder and start the render processes."""
        self.scratch = Path(tempfile.mkdtemp(prefix="kaartspel-serve-", dir=self.scratch_parent))
        # Also when the server does not stop in order (an exception, a thread cut short at
        # exit): the organisers' faces must not outlive the process.
        atexit.register(shutil.rmtree, self.scratch, True)
        self.pool.start()

    def stop(self) -> None:
        """Stop the render processes and remove every file this server wrote."""
        self.pool.close()
        for task in self.thumbs.values():
            task.cancel()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def remember(self, near: str, key: str) -> None:
        """Note *key* as the latest card of a row's text and place."""
        self.recent[near] = key
        self.recent.move_to_end(near)
        while len(self.recent) > 4096:
            self.recent.popitem(last=False)

    def content(self, lang: str) -> Content:
        return load_content(self.content_dir, lang)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)


def _rst(value: str) -> Markup:
    """Show a docstring's ``literal`` markup as code, everything else as text."""
    parts = re.split(r"``(.+?)``", str(value))
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p)
                           for i, p in enumerate(parts))


# ------------------------------------------------------------------------------------------
# Page context


def _context(composer: Composer, state: State, checked: Checked | None = None,
             **extra: Any) -> dict[str, Any]:
    content = composer.content(state.lang)
    state = state.for_content(content)
    state, options = state.checked()
    if checked is None:
        checked = check_rows(content, state.own_theme, state.rows)
    from kaartspel.deck.cards import KINDS, build_cards

    cards = build_cards(content)
    groups: dict[str, list[Any]] = {}
    for card in cards:
        groups.setdefault(card.theme, []).append(card)
    themes = [(t.id, t.name) for t in content.themes]
    lang_words = text.words(state.lang)
    stem = state.file_stem()
    questions = f"{stem}-questions.yaml" if state.own_rows else None
    # Each row's card as last seen: exact (this very state), or the same text at the same
    # place under other choices (shown while the exact one is fetched, so nothing flickers).
    previews = {}
    if options is not None:
        for i in range(len(state.rows)):
            key = _preview_key(state, options, i)
            if composer.images.get(key) is not None:
                previews[i] = (key, composer.images.meta(key), True)
                continue
            near = composer.recent.get(_near_key(state, i))
            if near is not None and composer.images.get(near) is not None:
                previews[i] = (near, composer.images.meta(near), False)
    return {
        "state": state,
        "content": content,
        "w": lang_words,
        "labels": text.LABELS.get(state.lang, text.LABELS["en"]),
        "choice_names": text.CHOICES.get(state.lang, text.CHOICES["en"]),
        "kind_names": text.KINDS.get(state.lang, text.KINDS["en"]),
        "language_names": text.LANGUAGE_NAMES,
        "langs": composer.langs,
        "controls": controls(),
        "kinds": KINDS,
        "themes": themes,
        "own_themes": [(t.id, t.name) for t in content.themes if t.questions],
        "groups": groups,
        "checked": checked,
        "summary": summary(content, state, options),
        "command": state.command(options, f"{stem}.pdf", questions) if options else "",
        "help": field_help,
        "max_questions": MAX_QUESTIONS,
        "max_text": MAX_TEXT,
        "roles": ROLES,
        "role_labels": {"group": content.ui.group_label, "personal": content.ui.personal_label},
        "previews": previews,
        "report": None,
        "problems": [],
        "problems_title": "",
        "busy": False,
        "focus": None,
        "focus_action": "",
        "fit": {},
        **extra,
    }


def _preview_key(state: State, options: Any, row: int) -> str:
    """Return the key of own question *row*'s card: everything that can change it (every
    row counts: they share the deck's type size)."""
    return digest("preview", repr(options), state.own_theme, repr(state.rows), str(row),
                  str(PREVIEW_DPI))


def _near_key(state: State, row: int) -> str:
    """Return a key of what row *row* shows that ignores the other rows and the options."""
    return digest("near", state.lang, state.own_theme, repr(state.rows[row]), str(row))


async def _state(request: Request, composer: Composer, form: FormData | None = None) -> State:
    """Return the state the request's form holds; past the composer's limits raise
    :class:`TooMuch`, which the app answers with a 413 (:func:`_too_much`)."""
    if form is None:
        form = await _form(request)
    return State.from_form(form, composer.langs)


async def _checked(composer: Composer, state: State
                   ) -> tuple[State, Content, DeckOptions | None, Checked]:
    """Return *state* made valid for its content and with its option messages, that
    content, the options (None: invalid) and what checking the own questions found."""
    content = composer.content(state.lang)
    state = state.for_content(content)
    state, options = state.checked()
    checked = await run_in_threadpool(check_rows, content, state.own_theme, state.rows)
    return state, content, options, checked


async def _form(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=4 * MAX_QUESTIONS + 200,
                              max_part_size=MAX_UPLOAD + 1)


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _page(composer: Composer, state: State, status: int = 200, **extra: Any) -> Response:
    context = await run_in_threadpool(_context, composer, state, None, **extra)
    return HTMLResponse(composer.render("page.html", **context), status_code=status)


async def _too_much(request: Request, exc: Exception) -> Response:
    """Answer a request past the composer's limits (:class:`TooMuch`, raised as its form is
    read, before anything else is done for it)."""
    return _plain(413, str(exc))


# ------------------------------------------------------------------------------------------
# Routes


def create_app(
    content_dir: Path = Path("content"),
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    shared_cache: Path | None = Path("build") / ".cache",
    limits: Limits | None = None,
    scratch_parent: Path | None = None,
) -> Starlette:
    """Return the composer app for *content_dir*, answering only to *host* (and, for a
    loopback address, its aliases) on *port*.

    *workers* render processes share the work; faces are read from *shared_cache* (the
    checkout's ``build/.cache``; never written) and written to a private temporary folder
    under *scratch_parent* (the system's by default), removed when the app stops.
    """
    limits = limits or Limits()
    if shared_cache is not None and not shared_cache.is_dir():
        shared_cache = None
    composer = Composer(content_dir, shared_cache, workers, limits, scratch_parent)
    hosts = allowed_hosts(host)
    origins = frozenset(f"{scheme}://{name}{suffix}" for name in hosts
                        for scheme in ("http", "https") for suffix in (f":{port}", ""))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        composer.start()
        try:
            yield
        finally:
            composer.stop()

    async def page(request: Request) -> Response:
        if request.method == "GET":
            lang = request.query_params.get("lang", "")
            langs = composer.langs
            return await _page(composer, State.default(lang if lang in langs else langs[0]))
        form = await _form(request)
        state = await _state(request, composer, form)
        switch = form.get("switch_lang")
        if isinstance(switch, str) and switch in composer.langs:
            state = State(switch, state.values, state.themes, state.kinds, state.cards,
                          state.own_theme, state.rows)
            # Single cards and kinds carry over; a theme's cards exist in every language.
        return await _page(composer, state)

    async def questions(request: Request) -> Response:
        """Add, remove or move an own question (the button's ``action`` says which)."""
        form = await _form(request)
        state = await _state(request, composer, form)
        action = form.get("action")
        rows = list(state.rows)
        focus: int | None = None
        verb, _, number = (action if isinstance(action, str) else "").partition(":")
        index = int(number) if number.isdigit() else -1
        if verb == "add" and len(rows) < MAX_QUESTIONS:
            rows.append(Row())
            focus = len(rows) - 1
        elif verb == "remove" and 0 <= index < len(rows):
            del rows[index]
            focus = None
        elif verb == "up" and 0 < index < len(rows):
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
            focus = index - 1
        elif verb == "down" and 0 <= index < len(rows) - 1:
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
            focus = index + 1
        state = state.with_rows(rows)
        if not _htmx(request):
            return await _page(composer, state)
        return await _fragment(composer, state, "_questions.html", focus=focus,
                               focus_action=verb)

    async def upload(request: Request) -> Response:
        """Add the questions of an uploaded CSV or XLSX table below the others."""
        form = await _form(request)
        state = await _state(request, composer, form)
        file = form.get("table")
        report: dict[str, Any]
        status = 200
        if not isinstance(file, UploadFile) or not file.filename:
            report = {"errors": [], "message": text.words(state.lang)["no_file"]}
            status = 422
        else:
            data = await file.read(MAX_UPLOAD + 1)
            try:
                table = await run_in_threadpool(read_table, file.filename, data)
            except TableError as exc:
                report = {"errors": [str(p) for p in exc.problems], "name": table_name(file)}
                status = 422
            else:
                kept = [row for row in state.rows if not row.blank]
                if len(kept) + len(table.rows) > MAX_QUESTIONS:
                    report = {"errors": [text.words(state.lang)["too_many"].format(
                        n=MAX_QUESTIONS)], "name": table.name}
                    status = 422
                else:
                    content = composer.content(state.lang)
                    state = state.for_content(content).with_rows([*kept, *table.rows])
                    where = [None] * len(kept) + table.locations
                    checked = await run_in_threadpool(
                        check_rows, content, state.own_theme, state.rows,
                        [loc or _row_loc(i) for i, loc in enumerate(where)])
                    report = {"errors": [str(p) for p in checked.problems
                                         if p.path == table.name],
                              "imported": len(table.rows), "name": table.name}
        if not _htmx(request):
            return await _page(composer, state, status, report=report)
        return await _fragment(composer, state, "_questions.html", status, report=report)

    async def preview(request: Request) -> Response:
        """Return own question *row* as its card, and the messages of every question."""
        row = int(request.path_params["row"])
        state = await _state(request, composer)
        state, _, options, checked = await _checked(composer, state)
        context = await run_in_threadpool(_context, composer, state, checked)
        result = None
        status = 200
        busy = False
        if options is not None and 0 <= row < len(state.rows) and not state.rows[row].blank:
            key = _preview_key(state, options, row)
            result = composer.images.get(key) and key
            if result is None:
                try:
                    shown = await composer.pool.run(
                        composer.limits.preview_wait, composer.limits.preview_timeout,
                        preview_card, composer.workspace, options, state.own_theme,
                        state.rows, row, PREVIEW_DPI)
                except Busy:
                    busy, status = True, 503
                except KaartspelError as exc:
                    context["fit"] = {row: [str(exc)]}
                else:
                    composer.images.put(key, shown.png, replace(shown, png=b""))
                    composer.remember(_near_key(state, row), key)
                    result = key
        context.update(row=row, key=result, busy=busy,
                       shown=composer.images.meta(result) if result else None)
        html = composer.render("_preview.html", **context)
        return HTMLResponse(html, status_code=status)

    async def update(request: Request) -> Response:
        """Return the summary of the deck, the option messages and the command line."""
        state = await _state(request, composer)
        return await _fragment(composer, state, "_summary.html", oob=True)

    async def download(request: Request) -> Response:
        """Return the deck's PDF (or the page with what to fix, or busy)."""
        return await _build(request, recipe=False)

    async def recipe(request: Request) -> Response:
        """Return a zip with the recipe and the questions file (the same PDF for `build`)."""
        return await _build(request, recipe=True)

    async def _build(request: Request, recipe: bool) -> Response:
        state = await _state(request, composer)
        state, content, options, checked = await _checked(composer, state)
        total = await run_in_threadpool(summary, content, state, options)
        problems = [f"{name or 'options'}: {m}" for name, ms in state.errors.items()
                    for m in ms]
        problems += [str(p) for p in checked.problems]
        if total.problem:
            problems.append(total.problem)
        if problems or options is None:
            w = text.words(state.lang)
            return await _page(composer, state, 422, problems=problems, problems_title=w[
                "fix_first"])
        stem = state.file_stem()
        own = questions_yaml(state.own_theme, state.rows) if state.own_rows else None
        if recipe:
            qname = f"{stem}-questions.yaml" if own is not None else None
            files = {f"{stem}.yaml": state.recipe_yaml(options, f"{stem}.pdf", qname)}
            if own is not None and qname is not None:
                files[qname] = own
            return Response(_zip(files), media_type="application/zip", headers={
                "content-disposition": f'attachment; filename="{stem}.zip"',
                "cache-control": "no-store"})
        try:
            pdf = await composer.pool.run(
                composer.limits.download_wait, composer.limits.download_timeout,
                build_pdf, composer.workspace, options, own)
        except Busy:
            return await _page(composer, state, 503, busy=True)
        except KaartspelError as exc:
            return await _page(composer, state, 422, problems=exc.lines(),
                               problems_title=text.words(state.lang)["fix_first"])
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'attachment; filename="{stem}.pdf"',
            "cache-control": "no-store"})

    async def template(request: Request) -> Response:
        """Return the questions table template (CSV or XLSX) with an example pair."""
        lang = request.query_params.get("lang", "")
        example = Row(*text.EXAMPLE.get(lang, text.EXAMPLE["en"]))
        if request.path_params["suffix"] == "csv":
            return Response(template_csv(example), media_type="text/csv; charset=utf-8",
                            headers={"content-disposition":
                                     'attachment; filename="questions.csv"'})
        data = await run_in_threadpool(template_xlsx, example, "questions")
        return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet",
                        headers={"content-disposition": 'attachment; filename="questions.xlsx"'})

    async def thumb(request: Request) -> Response:
        """Return the small picture of one card of the full deck."""
        lang, card_id = request.path_params["lang"], request.path_params["card"]
        if lang not in composer.langs or not re.fullmatch(r"[a-z0-9-]{1,80}", card_id):
            return _plain(404, "no such card")
        task = composer.thumbs.get(lang)
        if task is None or (task.done() and task.exception() is not None):
            task = asyncio.ensure_future(composer.pool.run(
                composer.limits.download_wait, composer.limits.download_timeout,
                thumbnails, composer.workspace, lang, THUMB_DPI))
            composer.thumbs[lang] = task
        try:
            pictures = await asyncio.shield(task)
        except Busy:
            return _plain(503, "busy, try again")
        data = pictures.get(card_id)
        if data is None:
            return _plain(404, "no such card")
        return Response(data, media_type="image/png",
                        headers={"cache-control": "private, max-age=3600"})

    async def card(request: Request) -> Response:
        """Return a rendered own card by its key (kept in memory only)."""
        key = request.path_params["key"]
        data = composer.images.get(key) if re.fullmatch(r"[0-9a-f]{64}", key) else None
        if data is None:
            return _plain(404, "no such picture (it may have been dropped; type again)")
        return Response(data, media_type="image/png", headers={"cache-control": "no-store"})

    async def palette_css(request: Request) -> Response:
        """Return the theme colours as CSS classes (the palette is the cards' own)."""
        from kaartspel.render.templates import TemplateSet

        palette = TemplateSet.create().palette()
        lines = []
        for name, colour in palette.themes.items():
            theme = "set" if name == "neutral" else name
            lines.append(f".theme-{theme} {{ --theme: {colour.rgb}; --tint: {colour.tint}; }}")
        return Response("\n".join(lines) + "\n", media_type="text/css",
                        headers={"cache-control": "private, max-age=3600"})

    async def favicon(request: Request) -> Response:
        """Return the set's icon (the one on the title card) as the page's icon."""
        from kaartspel.render.templates import TemplateSet

        svg = TemplateSet.create().icon("set").replace("currentColor", "#2b363e")
        return Response(svg, media_type="image/svg+xml",
                        headers={"cache-control": "private, max-age=3600"})

    routes = [
        Route("/", page, methods=["GET", "POST"]),
        Route("/questions", questions, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/preview/{row:int}", preview, methods=["POST"]),
        Route("/summary", update, methods=["POST"]),
        Route("/deck.pdf", download, methods=["POST"]),
        Route("/recipe.zip", recipe, methods=["POST"]),
        Route("/template.{suffix:str}", template, methods=["GET"]),
        Route("/thumb/{lang:str}/{card:str}.png", thumb, methods=["GET"]),
        Route("/card/{key:str}.png", card, methods=["GET"]),
        Route("/palette.css", palette_css, methods=["GET"]),
        Route("/favicon.svg", favicon, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/fonts", StaticFiles(directory=PACKAGE_TEMPLATES / "fonts"), name="fonts"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
        Middleware(GuardMiddleware, max_body=limits.max_body, origins=origins),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={TooMuch: _too_much})
    app.state.composer = composer
    return app


def table_name(file: UploadFile) -> str:
    from kaartspel.serve.questions import display_name

    return display_name(file.filename or "")


def _row_loc(i: int) -> Any:
    from kaartspel.content.loader import Location

    return Location(f"row {i + 1}", 0)


async def _fragment(composer: Composer, state: State, name: str, status: int = 200,
                    **extra: Any) -> Response:
    context = await run_in_threadpool(_context, composer, state, None, **extra)
    return HTMLResponse(composer.render(name, **context), status_code=status)


def _zip(files: Mapping[str, str]) -> bytes:
    """Return a zip of *files* with fixed dates, so the same choices give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


