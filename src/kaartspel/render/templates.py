"""Look and feel: the template search path, the palette, the type scale, the Jinja setup."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from kaartspel.errors import (
    ContentError,
    Problem,
    RenderError,
    UsageError,
    display_path,
    printable,
)
from kaartspel.files import is_dir, not_found
from kaartspel.units import MIN_TEXT_PT

log = logging.getLogger(__name__)


def _bundled_templates() -> Path:
    """Return the built-in templates: inside the installed package, or the checkout's."""
    here = Path(__file__).resolve()
    installed = here.parents[1] / "templates"  # a wheel maps templates/ to kaartspel/templates
    return installed if installed.is_dir() else here.parents[3] / "templates"


PACKAGE_TEMPLATES = _bundled_templates()
"""The project's own templates (the repository's ``templates/`` folder)."""

"""Nothing is set smaller than this (print legibility)."""

REVERSED_MIN_PT = 8.0
"""Reversed (white on colour) and coloured labels are never smaller than this (and bold)."""

RATIO = 1.2
"""Step of the modular type scale (minor third) between text roles."""

SMALL_CARD_RATIO = 1.125
"""A tighter scale (major second) for cards whose short side is under 55 mm (mini, bridge):
their questions would otherwise not fit at any body size."""

SCALE_DIVISIONS = 3
"""Body sizes are a third of a ratio step apart: every text role (a whole number of ratio
steps from the body) then lands on the same scale, whichever body size a card kind gets."""

MAX_BODY_PT = 24.0
"""The largest body size a card kind may get (a title card on A6 takes it)."""


def type_scale(ratio: float = RATIO) -> tuple[float, ...]:
    """Return the modular scale (pt, ascending) that card kinds choose their body size from.

    ``8 × ratio^(k/3)``: anchored at 8 pt, the smallest reversed or coloured label, so that
    size is a step too; from the first step of at least 7 pt up to :data:`MAX_BODY_PT`.
    """
    step = ratio ** (1 / SCALE_DIVISIONS)
    low = math.ceil(math.log(MIN_TEXT_PT / REVERSED_MIN_PT, step) - 1e-9)
    high = math.floor(math.log(MAX_BODY_PT / REVERSED_MIN_PT, step) + 1e-9)
    return tuple(round(REVERSED_MIN_PT * step**k, 2) for k in range(low, high + 1))


TYPE_SCALE = type_scale(RATIO)
"""Body sizes in pt of cards with the standard ratio; see :func:`type_scale`."""


@dataclass(frozen=True)
class Colour:
    """A theme colour: strong (for bands, white text) and tint (background, ink text)."""

    rgb: str
    cmyk: tuple[float, ...]
    tint: str
    tint_cmyk: tuple[float, ...]


@dataclass(frozen=True)
class Palette:
    """All colours, by theme id; ``set`` cards use ``neutral``."""

    ink: str
    ink_cmyk: tuple[float, ...]
    themes: dict[str, Colour]

    def colour(self, theme: str) -> Colour:
        """Return the colour of *theme* (neutral for the set and unknown themes)."""
        return self.themes.get(theme) or self.themes["neutral"]


@dataclass(frozen=True)
class TemplateSet:
    """Where templates and assets are looked up: user folders first, then the project's."""

    folders: tuple[Path, ...]

    @classmethod
    def create(cls, extra: Iterable[Path] = ()) -> TemplateSet:
        """Return a search path of *extra* folders (in order) followed by the project's."""
        folders = []
        for folder in extra:
            if not is_dir(folder):
                raise UsageError(not_found("template folder", folder))
            folders.append(folder.resolve())
        folders.append(PACKAGE_TEMPLATES)
        return cls(tuple(folders))

    def find(self, name: str) -> Path:
        """Return the first file called *name* on the search path."""
        for folder in self.folders:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise UsageError(f"template file not found: {name}")

    def environment(self) -> jinja2.Environment:
        """Return the Jinja environment: autoescaped, strict about undefined names."""
        return _environment(self.folders)

    def fingerprint(self, names: Sequence[str] | None = None) -> str:
        """Return a hash of every template, stylesheet, font and icon that can affect output."""
        digest = hashlib.sha256()
        for folder in self.folders:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and (names is None or path.name in names):
                    digest.update(str(path.relative_to(folder)).encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()

    def palette(self) -> Palette:
        """Load ``palette.yaml`` from the search path."""
        path = self.find("palette.yaml")
        stat = path.stat()  # in the key: a long-running process sees a saved palette
        return _palette(path, stat.st_mtime_ns, stat.st_size)

    def icon(self, theme: str, strict: bool = False) -> str:
        """Return the SVG markup of a theme icon (trusted project/user file).

        An icon that is not well-formed SVG is an error with *strict* (the HTML parser
        would silently drop or mangle it: a card without its icon), else a warning.
        """
        try:
            path = self.find(f"icons/{theme}.svg")
        except UsageError:
            path = self.find("icons/set.svg")
        try:
            svg = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problem: str | None = f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})"
            svg = ""
        else:
            problem = _svg_problem(svg)
        if problem:
            message = f"{display_path(path)}: malformed SVG icon: {problem}; fix the icon"
            if strict:
                raise RenderError(message + " (or use --no-strict to build anyway)")
            if path not in _WARNED_ICONS:
                _WARNED_ICONS.add(path)
                log.warning("%s", printable(message))
        return svg


_WARNED_ICONS: set[Path] = set()
"""Malformed icons already warned about (without --strict) in this process."""


@cache
def _svg_problem(svg: str) -> str | None:
    """Return what makes *svg* not a well-formed SVG document, or None."""
    import xml.etree.ElementTree as ET

    try:
        # Python's expat refuses entity expansion bombs; external entities are never read.
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        return str(exc)
    if root.tag not in ("{http://www.w3.org/2000/svg}svg", "svg"):
        return f"the root element is <{root.tag}>, not <svg>"
    return None


@cache
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    # Kept per process: the loader's auto_reload checks each template's mtime on use, so a
    # long-running process (watch) sees every saved template without clearing this.
    env = jinja2.Environment(
        auto_reload=True,
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True,  # content is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mm"] = lambda value: f"{value:.3f}mm"
    env.filters["pt"] = lambda value: f"{value:.2f}pt"
    return env


@cache
def _palette(path: Path, mtime_ns: int, size: int) -> Palette:
    shown = display_path(path)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        themes = {
            key: Colour(
                rgb=value["rgb"],
                cmyk=tuple(value["cmyk"]),
                tint=value["tint"],
                tint_cmyk=tuple(value["tint_cmyk"]),
            )
            for key, value in data.items()
            if key not in ("ink", "paper")
        }
        palette = Palette(data["ink"]["rgb"], tuple(data["ink"]["cmyk"]), themes)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ContentError([Problem(shown, 0, f"invalid palette: {exc}")]) from exc
    if "neutral" not in themes:
        raise ContentError([Problem(shown, 0, "invalid palette: no 'neutral' colour")])
    return palette


def role_sizes(base: float, ratio: float = RATIO) -> dict[str, float]:
    """Return the font size (pt) of every text role for a body size *base*.

    Roles are whole ratio steps from the body, so on the scale of :func:`type_scale`; small
    text never drops below the scale's first step, labels never below 8 pt.
    """
    floor = type_scale(ratio)[0]
    small = max(floor, base / ratio)
    return {
        "small": small,
        "label": max(REVERSED_MIN_PT, small),
        "body": base,
        "large": base * ratio,
        "question": base * ratio**2,
        "title": base * ratio**2,
        "display": base * ratio**4,
    }
