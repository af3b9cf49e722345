"""Skip an unchanged output of ``kaartspel deck`` and ``kaartspel poster``.

Policy: an output is left alone only when the file is there with the size and modification
time recorded when it was written *and* everything it is made from hashes as it did then:
every option (as the options model dumps them), the content of its language and of the
source language, the own-questions file, the template search path, kaartspel's source and
the versions of the libraries that draw it.  Anything else, and any doubt (no record, an
unreadable record), builds.  Deciding imports neither WeasyPrint nor pikepdf, so an
unchanged command answers in a fraction of a second.
"""

from __future__ import annotations

import json
import logging
from importlib import metadata
from pathlib import Path
from typing import Any

from kaartspel.build.plan import SOURCE_LANGUAGE, BuildSettings, InputHasher
from kaartspel.cache import digest, warn_once
from kaartspel.errors import KaartspelError
from kaartspel.files import write_atomic
from kaartspel.options import DeckOptions, PosterOptions

log = logging.getLogger(__name__)

RECORD = "commands.json"
"""Beside the face cache: output path → the hash it was written from, its size and time."""

LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "fonttools", "pyphen", "tinycss2", "cssselect2",
             "pillow")
"""Libraries whose version can change an output's bytes."""


def library_versions() -> list[str]:
    """Return ``name==version`` for each library in :data:`LIBRARIES` that is installed."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}==none")
    return versions


class FreshOutputs:
    """The record of what ``deck`` and ``poster`` wrote, kept in the cache folder."""

    def __init__(self, cache_dir: Path, content_dir: Path) -> None:
        self.path = cache_dir / RECORD
        self.content_dir = content_dir

    def inputs(self, kind: str, options: DeckOptions | PosterOptions, output: Path) -> str:
        """Return the hash of everything the output of this command is made from."""
        hasher = InputHasher(BuildSettings(self.content_dir, templates=options.templates,
                                           strict=options.strict))
        langs = sorted({options.lang, SOURCE_LANGUAGE})
        extra = getattr(options, "extra_questions", None)
        extra_bytes = extra.read_bytes() if extra is not None and extra.is_file() else b""
        return digest(
            "kaartspel-command", kind, options.model_dump_json(), hasher.code(),
            hasher.templates(), *library_versions(),
            *[f"{lang}:{hasher.tree(self.content_dir / lang)}" for lang in langs],
            extra_bytes, str(output.resolve()),
        )

    def read_paths(self, options: DeckOptions | PosterOptions,
                   recipe: Path | None) -> list[Path]:
        """Return every file and folder a command reads to decide its options and output:
        the recipe, the whole content folder, the own-questions file, the template folders."""
        from kaartspel.render.templates import PACKAGE_TEMPLATES

        extra = getattr(options, "extra_questions", None)
        return [path for path in (recipe, self.content_dir, extra, *options.templates,
                                  PACKAGE_TEMPLATES) if path is not None]

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def is_fresh(self, output: Path, inputs: str) -> bool:
        """Return whether *output* is there, untouched, and was made from *inputs*."""
        entry = self._load().get(str(output.resolve()))
        try:
            stat = output.stat()
        except OSError:
            return False
        return (isinstance(entry, dict) and entry.get("inputs") == inputs
                and entry.get("size") == stat.st_size
                and entry.get("mtime_ns") == stat.st_mtime_ns)

    def record(self, output: Path, inputs: str) -> None:
        """Note that *output* was just written from *inputs* (a failure to note is harmless)."""
        try:
            stat = output.stat()
            entries = self._load()
            entries[str(output.resolve())] = {"inputs": inputs, "size": stat.st_size,
                                              "mtime_ns": stat.st_mtime_ns}
            write_atomic(self.path, json.dumps(dict(sorted(entries.items())), indent=1).encode(),
                         make_folder=True)
        except OSError as exc:  # the output itself is gone already
            log.warning("could not note %s as built (%s); it will be built again next time",
                        output, exc.strerror or exc)
        except KaartspelError as exc:  # the cache cannot be written: one warning for all
            warn_once(self.path.parent, "unwritable", f"not noted: {exc}",
                      str(exc).rpartition(": ")[2])
