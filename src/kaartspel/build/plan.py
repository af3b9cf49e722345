"""Plan a build: find the recipes, hash their inputs, and decide what is stale."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from kaartspel import __version__
from kaartspel.cache import PACKAGE_DIR, code_fingerprint, digest, tree_digest
from kaartspel.errors import KaartspelError, UsageError, display_path
from kaartspel.files import inside, is_dir, is_file, not_found, plain_name

log = logging.getLogger(__name__)



RECIPE_DIR = Path("deck")
RECIPE_SUFFIXES = (".yaml", ".yml")
MANIFEST = "outputs.json"
MANIFEST_VERSION = 1
SOURCE_LANGUAGE = "nl"
"""Same as :data:`kaartspel.content.loader.SOURCE_LANGUAGE` (not imported: pydantic costs 0.2 s).

Every language is checked against it, so it is an input of every output."""

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --------------------------------------------------------------------------------------------
# Settings, targets, outcomes


@dataclass(frozen=True)
class BuildSettings:
    """Where a build reads and writes, and the switches that apply to every recipe."""

    content_dir: Path = Path("content")
    out_dir: Path = Path("build")
    templates: tuple[Path, ...] = ()
    strict: bool = True
    use_cache: bool = True
    """False: render every face again and rebuild every output (``--no-cache``)."""
    face_jobs: int | None = None
    """Processes one deck may use to render its faces (None: one per CPU)."""

    @property
    def cache_dir(self) -> Path:
        """The face cache and the manifest live here."""
        return self.out_dir / ".cache"

    @property
    def manifest_path(self) -> Path:
        return self.cache_dir / MANIFEST


@dataclass(frozen=True)
class Target:
    """One recipe to build, as far as planning can tell without validating it."""

    recipe: Path
    shown: str
    """The recipe as messages show it (``deck/trainer-nl.yaml``)."""
    kind: str
    """``deck``, ``poster``, ``box``, ``calibrate``, or ``invalid`` (a recipe whose type is
    wrong: it will fail)."""
    output_name: str | None
    """The output file name, or None when the recipe does not name a valid one."""
    lang: str
    group: tuple[Any, ...]
    """Targets with equal groups share card faces and are built in one worker."""
    extra: Path | None = None
    inputs: str = ""
    """Hash of every input (filled in by planning)."""
    problem: tuple[str, ...] = ()
    """Set when planning already knows the recipe cannot be read (e.g. a YAML syntax error)."""
    part: str | None = None
    """The part of a kit recipe this target builds (deck, box, calibrate); None: the whole."""

    @property
    def display_name(self) -> str:
        return self.output_name or self.shown


@dataclass
class Outcome:
    """What became of one target."""

    target: Target
    status: str
    """``built``, ``up to date`` or ``failed``."""
    output: Path | None = None
    pages: int | None = None
    size: int | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    exit_code: int = 0
    details: str = ""
    """Traceback of an unexpected error (shown with --verbose)."""
    info: dict[str, Any] = field(default_factory=dict)
    """Extra facts for the manifest (layout, cards, page order) used by ``preview``."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# --------------------------------------------------------------------------------------------
# Finding recipes


def _read_mapping(path: Path) -> tuple[Any, str | None]:
    """Return a YAML file's data, or (None, why) when it cannot be parsed."""
    try:
        return yaml.load(path.read_bytes(), Loader=_YAML_LOADER), None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _located_problem(path: Path) -> tuple[str, ...]:
    """Return the one-line, located problems of a file that does not parse."""
    from kaartspel.content.loader import read_yaml
    from kaartspel.errors import ContentError

    try:
        read_yaml(path)
    except ContentError as exc:
        return tuple(exc.lines())
    return (f"{display_path(path)}: cannot be read",)


def _card_group(size: Any, bleed: Any) -> tuple[Any, ...]:
    """Return a canonical (width, height, bleed) so that ``poker`` and ``63x88`` group."""
    from kaartspel.units import card_size

    try:
        spec = card_size(str(size))
        dims: tuple[Any, ...] = (spec.width, spec.height)
    except (KaartspelError, ValueError):
        dims = (str(size),)
    try:
        bleed_mm: Any = float(bleed)
    except (TypeError, ValueError):
        bleed_mm = str(bleed)
    return (*dims, bleed_mm)


BUILDABLE = ("deck", "poster", "box", "calibrate")
KIT_PARTS = ("deck", "box", "calibrate")
"""The same as :data:`kaartspel.build.recipes.KIT_PARTS` (not imported: pydantic is slow)."""


def _targets(path: Path, data: dict[str, Any]) -> list[Target]:
    """Return the targets of one recipe: one, or one per part of a kit (its deck keeps the
    recipe's own name, so the deck of a kit is shown and previewed like any deck)."""
    if data.get("type") != "kit":
        return [_target(path, data)]
    lang = data.get("lang", "nl")
    parts = [name for name in KIT_PARTS if isinstance(data.get(name), dict)]
    if not parts:
        return [_target(path, {**data, "type": "kit"})]
    targets = []
    for name in parts:
        section = {"lang": lang, **data[name], "type": name}
        target = replace(_target(path, section), part=name)
        if name != "deck":
            shown = f"{target.shown} ({name})"
            target = replace(target, shown=shown, group=(name, shown))
        targets.append(target)
    return targets


def _target(path: Path, data: dict[str, Any]) -> Target:
    kind = data.get("type")
    output = data.get("output")
    output_name = output if plain_name(output) else None
    lang = str(data.get("lang", "nl"))
    shown = display_path(path)
    extra = None
    extra_name = data.get("extra_questions")
    if isinstance(extra_name, str) and extra_name:
        extra = path.parent / extra_name
    if kind == "deck":
        group: tuple[Any, ...] = ("deck", lang, *_card_group(data.get("size", "poker"),
                                                             data.get("bleed", 3.0)))
    else:
        group = (str(kind), shown)
    return Target(path, shown, kind if kind in BUILDABLE else "invalid",
                  output_name, lang, group, extra)


def find_targets(names: Sequence[Path] = (), recipe_dir: Path = RECIPE_DIR) -> list[Target]:
    """Return the recipes named (or every recipe in *recipe_dir*), in a stable order.

    A recipe is a YAML mapping with a ``type`` key.  Named files must be recipes (usage error
    otherwise); other files in the folder — such as an organiser's questions file — are skipped.
    A file in the folder that does not parse is reported as a failing recipe unless a recipe
    uses it as its ``extra_questions`` (then that recipe reports it).
    """
    explicit = bool(names)
    if explicit:
        paths = list(dict.fromkeys(names))
        for path in paths:
            if not is_file(path):
                raise UsageError(not_found("recipe", path))
    else:
        if not is_dir(recipe_dir):
            raise UsageError(not_found("recipe folder", recipe_dir))
        paths = sorted(p for p in recipe_dir.iterdir()
                       if p.suffix in RECIPE_SUFFIXES and p.is_file() and
                       not p.name.startswith("."))
    targets: list[Target] = []
    unreadable: list[Path] = []
    for path in paths:
        data, why = _read_mapping(path)
        if why is not None:
            unreadable.append(path)
            continue
        if isinstance(data, dict) and "type" in data:
            targets.extend(_targets(path, data))
        elif explicit:
            raise UsageError(f"{display_path(path)} is not a recipe "
                             "(a recipe is a YAML mapping with 'type: deck', 'poster', 'box', "
                             "'calibrate' or 'kit')")
    used = {t.extra.resolve() for t in targets if t.extra is not None}
    for path in unreadable:
        if path.resolve() in used and not explicit:
            continue
        shown = display_path(path)
        targets.append(Target(path, shown, "invalid", None, "", ("invalid", shown),
                              problem=_located_problem(path)))
    if not targets and not explicit:
        raise UsageError(f"no recipes found in {display_path(recipe_dir)}")
    _check_unique_outputs(targets)
    return sorted(targets, key=lambda t: t.shown)


def _check_unique_outputs(targets: Iterable[Target]) -> None:
    seen: dict[str, str] = {}
    for target in targets:
        if target.output_name is None:
            continue
        if target.output_name in seen:
            raise UsageError(f"{seen[target.output_name]} and {target.shown} both write "
                             f"{target.output_name}")
        seen[target.output_name] = target.shown


# --------------------------------------------------------------------------------------------
# Input hashes and the manifest


class InputHasher:
    """Hash the bytes of every input of a target; each folder is read once per instance."""

    def __init__(self, settings: BuildSettings, code: str | None = None) -> None:
        self.settings = settings
        self._trees: dict[Path, str] = {}
        if code is not None:  # a long-running process pins the code it has loaded
            self._trees[PACKAGE_DIR] = code

    def tree(self, folder: Path) -> str:
        """Return a hash of every file below *folder* (names and bytes; hidden files skipped)."""
        key = folder.resolve() if folder.exists() else folder
        if key not in self._trees:
            self._trees[key] = tree_digest(folder)
        return self._trees[key]

    def code(self) -> str:
        """Hash kaartspel's version and source: a code change rebuilds everything."""
        if PACKAGE_DIR not in self._trees:
            self._trees[PACKAGE_DIR] = digest(__version__, code_fingerprint())
        return self._trees[PACKAGE_DIR]

    def templates(self) -> str:
        from kaartspel.render.templates import PACKAGE_TEMPLATES

        folders = [*self.settings.templates, PACKAGE_TEMPLATES]
        return digest(*[f"{folder}:{self.tree(folder)}" for folder in folders])

    def inputs(self, target: Target) -> str:
        """Return the hash of everything *target*'s output is made from."""
        content = self.settings.content_dir
        recipe = target.recipe.read_bytes() if target.recipe.is_file() else b""
        extra = b""
        # Only a file inside the project is read (the build refuses any other, unread).
        if target.extra is not None and target.extra.is_file() and inside(
                target.extra, [target.recipe.parent, self.settings.content_dir]):
            extra = target.extra.read_bytes()
        langs = sorted({target.lang, SOURCE_LANGUAGE}) if target.lang else []
        return digest(
            "kaartspel-build", str(MANIFEST_VERSION), self.code(), self.templates(),
            *[f"{lang}:{self.tree(content / lang)}" for lang in langs],
            str(target.recipe), recipe, str(target.extra), extra,
            str(self.settings.strict), target.output_name or "",
            # Stamped into every output (see kaartspel.pdf.save).
            f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH')}",
        )


_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "recipe": (str,), "kind": (str,), "inputs": (str,), "size": (int,), "mtime_ns": (int,),
    "pages": (int, type(None)), "seconds": (int, float), "layout": (str,), "cards": (int,),
    "order": (str,), "backs": (str,), "size_name": (str,), "bleed": (int, float),
    "tile": (str, type(None)), "shows": (str,),
}
"""What the keys kaartspel reads from a manifest entry hold; ``inputs``, ``size`` and
``mtime_ns`` are required."""
_REQUIRED = ("inputs", "size", "mtime_ns")


def valid_entry(name: object, entry: object) -> bool:
    """Return whether a manifest entry is one kaartspel could have written."""
    if not plain_name(name) or not isinstance(entry, dict):
        return False
    if any(key not in entry for key in _REQUIRED):
        return False
    for key, value in entry.items():
        types = _ENTRY_TYPES.get(key)
        if types is None:
            continue  # another builder's fact (a kit part's): only preview reads such keys
        if isinstance(value, bool) or not isinstance(value, types):
            return False
    return True


def load_manifest(settings: BuildSettings, quiet: bool = False) -> dict[str, dict[str, Any]]:
    """Return the manifest's entries by output name (empty when missing or unreadable).

    Validated on load: a manifest that is not JSON, or an entry of the wrong shape (hand
    edited, damaged, from another version) is ignored with one warning (none if *quiet*:
    read again while building), and its output rebuilt; a name that is not a plain ``.pdf``
    file name is never trusted (``--clean`` deletes what the manifest names).
    """
    path = settings.manifest_path
    warn = log.debug if quiet else log.warning
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a link loop
        warn("%s cannot be read (%s); every output is rebuilt", display_path(path),
                    type(exc).__name__)
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or \
            not isinstance(data.get("outputs"), dict):
        if not (isinstance(data, dict) and isinstance(data.get("version"), int)):
            warn("%s is not a build manifest; every output is rebuilt",
                        display_path(path))
        return {}
    outputs = data["outputs"]
    good = {name: entry for name, entry in outputs.items() if valid_entry(name, entry)}
    if len(good) != len(outputs):
        warn("%s: %d damaged entr%s ignored; %s rebuilt", display_path(path),
                    len(outputs) - len(good), "y" if len(outputs) - len(good) == 1 else "ies",
                    "its output is" if len(outputs) - len(good) == 1 else "their outputs are")
    return good


@contextlib.contextmanager
def manifest_lock(settings: BuildSettings) -> Iterator[None]:
    """Hold the manifest's lock: two builds at once update it one after the other.

    Without it each would write back the manifest it read at its start, and the last one
    would forget what the other built.  Where locks are not available (no ``fcntl``), or
    the cache folder cannot be written, this is a no-op.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock = settings.cache_dir / f"{MANIFEST}.lock"
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def save_manifest(settings: BuildSettings, entries: dict[str, dict[str, Any]]) -> None:
    """Write the manifest atomically."""
    from kaartspel.files import write_atomic

    data = {"version": MANIFEST_VERSION, "outputs": dict(sorted(entries.items()))}
    write_atomic(settings.manifest_path, json.dumps(data, indent=1).encode(), make_folder=True)


def is_up_to_date(settings: BuildSettings, target: Target, entry: dict[str, Any] | None) -> bool:
    """Return whether *target*'s output exists and was built from exactly its current inputs."""
    if entry is None or target.output_name is None or target.problem:
        return False
    try:
        stat = (settings.out_dir / target.output_name).stat()
    except OSError:
        return False
    return (entry.get("inputs") == target.inputs and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns)


@dataclass
class Plan:
    """Targets with their input hashes, split into stale and up-to-date ones."""

    targets: list[Target]
    stale: list[Target]
    fresh: list[Outcome]
    manifest: dict[str, dict[str, Any]]


def plan(settings: BuildSettings, names: Sequence[Path] = (), force: bool = False,
         recipe_dir: Path = RECIPE_DIR, code: str | None = None) -> Plan:
    """Find the targets, hash their inputs and decide which are stale (all, with *force*)."""
    hasher = InputHasher(settings, code)
    manifest = load_manifest(settings)
    targets = [replace(t, inputs=hasher.inputs(t)) for t in find_targets(names, recipe_dir)]
    stale: list[Target] = []
    fresh: list[Outcome] = []
    for target in targets:
        entry = manifest.get(target.output_name or "")
        if not force and entry is not None and is_up_to_date(settings, target, entry):
            fresh.append(Outcome(target, "up to date", settings.out_dir / str(target.output_name),
                                 entry.get("pages"), entry.get("size")))
        else:
            stale.append(target)
    return Plan(targets, stale, fresh, manifest)


def record(settings: BuildSettings, manifest: dict[str, dict[str, Any]], outcome: Outcome) -> None:
    """Remember a successful build in *manifest* and on disk.

    Read, updated and written under the manifest's lock, and the output's size and time
    taken there: another build running at the same time may have built (and recorded)
    other outputs, or this very one again, since this build read the manifest.
    """
    if outcome.status != "built" or outcome.output is None:
        return
    with manifest_lock(settings):
        try:
            stat = outcome.output.stat()
        except OSError:
            return  # replaced or removed meanwhile: the next build builds it again
        manifest.update(load_manifest(settings, quiet=True))
        manifest[outcome.output.name] = {
            "recipe": outcome.target.shown,
            "kind": outcome.target.kind,
            "inputs": outcome.target.inputs,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "pages": outcome.pages,
            "seconds": round(outcome.seconds, 2),
            **outcome.info,
        }
        try:
            save_manifest(settings, manifest)
        except KaartspelError as exc:  # the cache cannot be written: the next build rebuilds
            from kaartspel.cache import warn_once

            warn_once(settings.cache_dir, "unwritable", f"manifest not updated: {exc}",
                      str(exc).rpartition(": ")[2])
