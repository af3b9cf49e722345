"""Load ``content/<lang>/*.yaml`` into validated models, reporting every problem at once.

YAML is parsed with PyYAML's safe loader (libyaml's, when installed, for files it reads
alike); alongside the data we keep a source map from each key path to ``file:line`` so that
schema errors, lint findings and translation gaps all point at the line a person has to edit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from yaml.reader import ReaderError

from kaartspel.content.schema import ContentFile
from kaartspel.errors import ContentError, Problem, UsageError, display_path
from kaartspel.files import inside, is_dir, not_found

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "nl"
"""The language the poster was written in; other languages are checked against it."""

YAML_SUFFIXES = (".yaml", ".yml")

KeyPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file (as displayed) and a 1-based line."""

    path: str
    line: int


@dataclass
class SourceMap:
    """Map key paths of loaded YAML data to the file and line that define them."""

    locations: dict[KeyPath, Location] = field(default_factory=dict)
    quote: bool = True
    """Whether problems may quote what the file holds (keys, values).  False for a file
    outside the project (see :func:`read_yaml`): its problems give lines and kinds only."""

    def locate(self, path: Sequence[str | int]) -> Location:
        """Return the location of *path*, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.locations:
                return self.locations[key]
            key = key[:-1]
        return self.locations.get((), Location("", 0))

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        """Return a problem located at *path*."""
        loc = self.locate(path)
        return Problem(loc.path, loc.line, message)


@dataclass(frozen=True)
class RawLanguage:
    """A language folder's merged YAML data before validation."""

    lang: str
    folder: Path
    data: dict[str, Any]
    sources: SourceMap
    problems: tuple[Problem, ...] = ()
    """Files that could not be read; their sections are missing from *data*."""


def read_yaml(path: Path, shown: str | None = None, quote: bool | None = None
              ) -> tuple[Any, SourceMap]:
    """Parse one YAML file safely; return its data and source map or raise ContentError.

    Problems in a file outside the project — the working folder, unless *quote* says
    otherwise (the content folder is always the project) — never quote the file's keys or
    values, only lines and what kind of thing is wrong: a file given as a questions file
    or a recipe may be anything (``/etc/shadow``), and its errors may end up in a CI log.
    """
    if quote is None:
        quote = inside(path, [Path.cwd()])
    shown = shown or display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(shown, 0, f"cannot read file: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    shown,
                    line,
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from exc
    if _FAST_LOADER is not None and _reads_alike(text):
        try:
            return _compose(_FAST_LOADER, text, shown, quote, _FAST_MAX_DEPTH)
        except (yaml.YAMLError, ContentError, RecursionError, _NotFast):
            pass  # read again below: PyYAML's own parser words every problem as before
    try:
        # The reader checks every character up front: it can fail before parsing starts.
        return _compose(yaml.SafeLoader, text, shown, quote)
    except ReaderError as exc:
        # exc.position counts characters of *text* (libyaml would give a UTF-8 byte offset).
        line = text.count("\n", 0, exc.position) + 1
        raise ContentError(
            [Problem(shown, line, f"YAML error: character U+{exc.character:04X} is not allowed "
                                  "in YAML; remove it")]
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        raise ContentError([Problem(shown, line, f"YAML syntax error: {_one_line(what)}")]) \
            from exc
    except yaml.YAMLError as exc:
        raise ContentError([Problem(shown, 0, f"YAML error: {_one_line(str(exc))}")]) from exc
    except RecursionError as exc:
        raise ContentError(
            [Problem(shown, 0, "YAML error: nested too deeply; flatten the structure")]
        ) from exc


class _NotFast(Exception):
    """The fast (libyaml) reading cannot be trusted to match PyYAML's: read again slowly."""


def _libyaml_loader() -> type[yaml.CSafeLoader] | None:
    """Return libyaml's safe loader if PyYAML has it and libyaml limits nesting, else None.

    libyaml 0.2.5 and later refuse more than 1000 nested levels; an older one would let a
    hostile ``[[[[…`` overflow the C stack of PyYAML's (non-Python) composer.
    """
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    try:
        from yaml import _yaml

        version = tuple(_yaml.get_version())
        loader: type[yaml.CSafeLoader] = yaml.CSafeLoader
    except (ImportError, AttributeError, TypeError):
        return None
    return loader if version >= (0, 2, 5) else None


_FAST_LOADER = _libyaml_loader()
"""libyaml's parser and composer: about ten times faster than PyYAML's own (pure Python).

Only a clean read is taken from it: on any problem the file is read again with
``yaml.SafeLoader``, so messages, their lines and what is refused stay exactly PyYAML's
(libyaml words errors differently, and its ``ReaderError.position`` is a byte offset).
"""

_EMPTY_TAG = re.compile(r"!(?<!\w!)(?![^\s,\]}])")
_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _reads_alike(text: str) -> bool:
    """Return False for text that libyaml reads differently from PyYAML's own parser.

    Such text takes the slow path: a tab (libyaml allows one as a separator, PyYAML refuses
    it), a byte order mark after the start (libyaml skips it), an empty ``!`` tag (libyaml
    gives '' where PyYAML gives null), a comment straight after a block scalar header
    (``|#``: PyYAML refuses it), and a ``?`` in a file with flow collections (in
    ``[Wat is dit?]`` PyYAML refuses it).  Plain ``in`` tests first: a regex costs more.
    """
    if "\t" in text or text.find("\ufeff", 1) != -1:
        return False
    if "?" in text and ("[" in text or "{" in text):
        return False
    if "!" in text and _EMPTY_TAG.search(text):
        return False
    return not (("|" in text or ">" in text) and _BLOCK_HEADER_COMMENT.search(text))


_FAST_MAX_DEPTH = 64
"""Deeper documents are read slowly: PyYAML's recursive composer decides if they are too deep
(libyaml accepts up to 1000 levels)."""


def _compose(
    loader_class: type[yaml.SafeLoader] | type[yaml.CSafeLoader], text: str, shown: str,
    quote: bool = True, max_depth: int | None = None,
) -> tuple[Any, SourceMap]:
    """Compose *text* (for the line of every node), check it, then construct its data.

    With *max_depth* (the fast path), raise :class:`_NotFast` for a document whose root is
    not a collection or that nests deeper.
    """
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        sources = SourceMap(quote=quote)
        problems: list[Problem] = []
        if node is not None:
            if max_depth is not None and not isinstance(node, yaml.CollectionNode):
                raise _NotFast  # libyaml marks a lone '--- ' scalar a line further
            sources.locations[()] = Location(shown, node.start_mark.line + 1)
            _map_node(node, (), shown, sources, problems, set(), max_depth)
        if problems:
            raise ContentError(list(dict.fromkeys(problems)))
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, sources


def _one_line(text: str) -> str:
    """Return *text* on one line (PyYAML's messages may span several)."""
    return " ".join(text.split())


def _map_node(
    node: yaml.Node, path: KeyPath, shown: str, sources: SourceMap, problems: list[Problem],
    seen: set[int], max_depth: int | None = None,
) -> None:
    """Record the line of every key and item below *node*; flag duplicate keys and aliases.

    An alias (``*name``) makes the composer reuse a node: it is refused, because a
    self-referencing alias never ends and nested aliases grow exponentially ("billion
    laughs"); content never needs them.  Past *max_depth* levels raise :class:`_NotFast`.
    """
    if max_depth is not None and len(path) > max_depth:
        raise _NotFast
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen:
            # A reused node keeps its anchor's line: report where its parent is instead.
            where = path[:-1] if path and isinstance(path[-1], int) else path
            problems.append(Problem(shown, sources.locate(where).line, "YAML aliases (*name) "
                                    "are not supported here; write the value out"))
            return
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_seen:
                named = f" '{key}'" if sources.quote else ""
                problems.append(
                    Problem(shown, line, f"duplicate key{named} (first at line {first_seen[key]})")
                )
                continue
            first_seen[key] = line
            sources.locations[(*path, key)] = Location(shown, line)
            _map_node(value_node, (*path, key), shown, sources, problems, seen, max_depth)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sources.locations[(*path, index)] = Location(shown, item.start_mark.line + 1)
            _map_node(item, (*path, index), shown, sources, problems, seen, max_depth)


def languages(content_dir: Path) -> list[str]:
    """Return the language codes found under *content_dir*, source language first."""
    if not is_dir(content_dir):
        raise UsageError(not_found("content folder", content_dir))
    langs = sorted(
        p.name
        for p in content_dir.iterdir()
        if p.is_dir() and any(f.suffix in YAML_SUFFIXES for f in p.iterdir())
    )
    langs.sort(key=lambda code: code != SOURCE_LANGUAGE)
    return langs


def read_language(content_dir: Path, lang: str, partial: bool = False) -> RawLanguage:
    """Read and merge every YAML file of one language folder (no schema validation yet).

    Raise ContentError if a file cannot be read, or with *partial*, return what could be
    read with the problems attached (so the rest can still be checked).
    """
    folder = content_dir / lang
    known = languages(content_dir)
    if lang not in known:  # also refuses '.', '..' and 'nl/../en'
        raise UsageError(f"unknown language '{lang}' (available: {', '.join(known) or 'none'})")
    merged: dict[str, Any] = {}
    sources = SourceMap()
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    files = sorted(f for f in folder.iterdir() if f.suffix in YAML_SUFFIXES and f.is_file())
    sources.locations[()] = Location(display_path(folder), 0)
    for file in files:
        shown = display_path(file)
        try:
            data, file_sources = read_yaml(file, shown, quote=True)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            problems.append(Problem(shown, 0, "file is empty; expected a mapping of sections"))
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(shown, 1, f"expected a mapping of sections, got {_kind(data)}")
            )
            continue
        for key, value in data.items():
            key = str(key)
            if key in owner:
                line = file_sources.locate((key,)).line
                problems.append(
                    Problem(shown, line, f"section '{key}' is also defined in {owner[key]}")
                )
                continue
            owner[key] = shown
            merged[key] = value
        for path, loc in file_sources.locations.items():
            if path:
                sources.locations[path] = loc
    if problems and not partial:
        raise ContentError(problems)
    return RawLanguage(lang, folder, merged, sources, tuple(problems))


def validate(
    raw: RawLanguage, skip: set[KeyPath] | None = None
) -> tuple[ContentFile | None, list[Problem]]:
    """Validate merged content against the schema; return the model (or None) and all problems.

    *skip* holds id-paths already reported (as missing translations) so they are not
    reported twice.
    """
    return validate_model(ContentFile, raw.data, raw.sources, skip)


def validate_model(
    model: type[M], data: Any, sources: SourceMap, skip: set[KeyPath] | None = None
) -> tuple[M | None, list[Problem]]:
    """Validate *data* against any schema *model*; return the instance (or None) and problems."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if skip and err["type"] == "missing" and id_path(data, loc) in skip:
                continue
            if err["type"] == "too_short" and _long_enough(err):
                continue  # too short only after dropping invalid items, reported already
            problems.append(_schema_problem(model, sources, loc, err))
        return None, problems


def _long_enough(err: Mapping[str, Any]) -> bool:
    """Return True if a ``too_short`` input had enough items before validation."""
    got, ctx = err.get("input"), err.get("ctx") or {}
    return isinstance(got, list | tuple | dict) and len(got) >= ctx.get("min_length", 1)


def _schema_problem(
    model: type[BaseModel], sources: SourceMap, loc: KeyPath, err: Mapping[str, Any]
) -> Problem:
    """Turn one pydantic error into a located, human-sized problem."""
    # Pydantic marks dict-key errors with a trailing '[key]'; report them on the key itself.
    loc = tuple(p for p in loc if p != "[key]")
    dotted = dotted_path(loc) if sources.quote else _schema_path(model, loc)
    kind = err["type"]
    got = err.get("input")
    _describe = _describe_value if sources.quote else _kind
    ctx = err.get("ctx") or {}
    if kind == "missing":
        hint = _field_doc(model, loc)
        message = f"{dotted}: missing" + (f" ({hint})" if hint else "")
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        message = f"{dotted}: unknown key" + (
            f" (expected one of: {', '.join(allowed)})" if allowed else ""
        )
    elif kind == "string_type":
        message = f"{dotted}: expected text, got {_describe(got)}"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        message = f"{dotted}: expected a whole number, got {_describe(got)}"
    elif kind in ("float_type", "float_parsing", "finite_number"):
        message = f"{dotted}: expected a number, got {_describe(got)}"
    elif kind in ("bool_type", "bool_parsing"):
        message = f"{dotted}: expected true or false, got {_describe(got)}"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"{dotted}: expected a mapping, got {_describe(got)}"
    elif kind in ("tuple_type", "list_type"):
        message = f"{dotted}: expected a list, got {_describe(got)}"
    elif kind == "literal_error":
        message = f"{dotted}: expected {ctx.get('expected', 'another value')}, got {_describe(got)}"
    elif kind == "too_short":
        minimum = ctx.get("min_length", 1)
        count = len(got) if got is not None else 0
        message = f"{dotted}: expected at least {minimum} item(s), got {count}"
    elif kind == "string_pattern_mismatch":
        message = (
            f"{dotted}: expected an id of lower-case letters, digits and hyphens, "
            f"got {_describe(got)}"
        )
    elif kind == "value_error" and "empty text" in err["msg"]:
        message = f"{dotted}: expected text, got an empty string"
    elif kind == "value_error":  # our own validators word their messages for people
        message = f"{dotted}: {str(err['msg']).removeprefix('Value error, ')}"
    elif kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
        bound = "at most" if kind.startswith("less") else "at least"
        limit = next(ctx[k] for k in ("le", "lt", "ge", "gt") if k in ctx)
        shown = f"{got:g}" if isinstance(got, int | float) and sources.quote else _describe(got)
        message = f"{dotted}: expected {bound} {limit:g}{_unit(model, loc)}, got {shown}"
    else:
        message = f"{dotted}: {err['msg'].lower()}, got {_describe(got)}"
    return sources.problem(loc, message)


def _unit(model: type[BaseModel], loc: KeyPath) -> str:
    """Return " mm" (with its space) for a field measured in a unit, else ""."""
    info = _schema_at(model, loc)[1]
    extra = info.json_schema_extra if info else None
    return f" {extra['unit']}" if isinstance(extra, dict) and "unit" in extra else ""


def _field_doc(model: type[BaseModel], loc: KeyPath) -> str:
    """Return the schema docstring of the field at *loc*, for 'missing' messages."""
    info = _schema_at(model, loc)[1]
    # Docstrings are written for developers (``literal`` markup): a user reads plain words.
    return (info.description or "").replace("``", "").rstrip(".") if info else ""


def _allowed_keys(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Return the keys the schema allows in the mapping at *loc*."""
    annotation = _schema_at(model, loc)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _schema_at(model: type[BaseModel], loc: KeyPath) -> tuple[Any, FieldInfo | None]:
    """Return the schema type at *loc* and the last model field on the way (None if unknown).

    Walks models by field name, ``tuple[X, ...]`` by index and ``dict[K, X]`` by key, so a
    dict key (an essential theme id) is never mistaken for a field name.
    """
    annotation: Any = model
    info: FieldInfo | None = None
    for part in loc:
        annotation = _unwrapped(annotation, part)
        origin, args = get_origin(annotation), get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not isinstance(part, str) or part not in annotation.model_fields:
                return None, None
            info = annotation.model_fields[part]
            annotation = info.annotation
        elif origin in (tuple, list) and args and isinstance(part, int):
            annotation = args[0]
        elif origin is dict and len(args) == 2:
            annotation = args[1]
        else:
            return None, None
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, info


def _unwrapped(annotation: Any, part: str | int) -> Any:
    """Return *annotation* without Annotated, and of a union (``Box | None``) the model that
    has the field *part* (else the first member that is not None)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)
                  and isinstance(part, str) and part in a.model_fields]
        annotation = (models or members or [annotation])[0]
        while get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
    return annotation


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _schema_path(model: type[BaseModel], loc: KeyPath) -> str:
    """Render *loc* naming only what the schema names (a key the file made up is ``?``)."""
    named: list[str | int] = []
    for i, part in enumerate(loc):
        known = isinstance(part, int) or _schema_at(model, loc[: i + 1])[0] is not None
        named.append(part if known else "?")
    return dotted_path(named)


def _describe_value(value: Any) -> str:
    """Describe a wrong value briefly, e.g. ``42 (a number)``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (true/false)"
    if isinstance(value, int | float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    return _kind(value)


def dotted_path(loc: Sequence[str | int]) -> str:
    """Render a key path as ``a.b[2].c``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def id_path(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """Rewrite list indices in *loc* as item ids where items have one, so languages compare."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            item = node[part]
            ident = item.get("id") if isinstance(item, dict) else None
            out.append(f"#{ident}" if isinstance(ident, str) else part)
            node = item
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(out)


def _index_paths(data: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """Yield the path of every key and list item in *data*, parents before children."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, str(key))
            yield from _index_paths(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield (*path, index)
            yield from _index_paths(item, (*path, index))


def locate_text(data: Any, sources: SourceMap, text: str) -> Location | None:
    """Return where the value *text* is written in *data* (loaded with *sources*), or None."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")  # tuples as lists, as in the YAML
    for path in _index_paths(data):
        node = data
        for part in path:
            node = node[part]
        if node == text:
            return sources.locate(path)
    return None


def translation_gaps(
    source: RawLanguage, target: RawLanguage
) -> tuple[list[Problem], set[KeyPath]]:
    """Compare *target* with the source language: report every id or field it lacks or adds.

    Return the problems and the id-paths found missing (so schema validation can skip them).
    """
    src = {id_path(source.data, p): p for p in _index_paths(source.data)}
    dst = {id_path(target.data, p): p for p in _index_paths(target.data)}
    problems: list[Problem] = []
    missing: set[KeyPath] = set()
    for idp, ixp in src.items():
        if idp in dst:
            continue
        missing.add(idp)
        if idp[:-1] in missing:
            continue  # the parent's gap was reported already
        where = source.sources.locate(ixp)
        problems.append(
            Problem(
                display_path(target.folder),
                0,
                f"missing translation of {_id_label(idp)} (source: {where.path}:{where.line})",
            )
        )
    for idp, ixp in dst.items():
        if idp not in src and idp[:-1] in src:
            problems.append(
                target.sources.problem(
                    ixp, f"{_id_label(idp)} is not in the source language '{source.lang}'"
                )
            )
    return problems, missing


def _id_label(idp: KeyPath) -> str:
    """Describe an id-path for a person: ``'netwerkvorming-2' field 'personal'``."""
    ids = [p[1:] for p in idp if isinstance(p, str) and p.startswith("#")]
    if ids:
        tail = idp[next(i for i, p in enumerate(idp) if p == f"#{ids[-1]}") + 1 :]
        where = f"'{ids[-1]}'"
        return f"{where} field '{dotted_path(tail)}'" if tail else f"{where}"
    return f"'{dotted_path(idp)}'"
