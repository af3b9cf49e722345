"""A warm start for WeasyPrint's hyphenation: pyphen's parsed dictionary, kept in the build cache.

WeasyPrint hyphenates with pyphen, which parses a language's ``hyph_*.dic`` the first time a
process hyphenates in that language: 0.08-0.13 s for Dutch, paid again by every command-line
rebuild and every build worker.  Unpickling the parsed dictionary takes about 0.01 s, so the
first parse is pickled to ``<cache>/hyphenation/`` and later processes load that instead,
putting it where pyphen looks first (``pyphen.hdcache``, keyed by the dictionary's path).
A pickle is named by a digest of the pyphen and Python versions and the dictionary's path and
bytes, so an upgrade or another dictionary never meets a stale one.

Security: unpickling can run code, so a pickle is only ever read from the project's own build
cache folder (normally ``build/.cache``), which kaartspel itself writes; whoever can write
there can already change what the build produces.  Never configure a folder that others write.

Everything here is an optimisation and never fails a build: if pyphen's internals differ, a
pickle is damaged (it is sealed like every cache entry, see :func:`kaartspel.cache.seal`, so
damaged bytes are never unpickled) or the folder is not writable, pyphen simply parses the
dictionary itself, as it would have without this module; a damaged or unwritable cache is
warned about once, as for the rest of the cache.  pyphen is imported only when a
warm start runs, never on import (``kaartspel --help`` stays fast).
"""

from __future__ import annotations

import logging
import pickle
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kaartspel.cache import digest, read_entry, write_entry

log = logging.getLogger(__name__)

FOLDER = "hyphenation"
"""Sub-folder of the build cache holding the pickled dictionaries."""

_cache_dir: Path | None = None
_attempted: set[str] = set()
"""Languages whose warm start already ran in this process (it runs once per language)."""


def configure(cache_dir: Path | None) -> None:
    """Set the build cache folder (``build/.cache``) warm starts use; None turns them off."""
    global _cache_dir
    _cache_dir = cache_dir


def warm_document(html: str) -> None:
    """Warm start the language of an HTML document (``<html lang>``) once per process.

    Does nothing until :func:`configure` gave a cache folder.  Never raises.
    """
    if _cache_dir is None:
        return
    match = _HTML_LANG.search(html)
    lang = match[1] if match else None
    if not lang or lang in _attempted:
        return
    _attempted.add(lang)
    warm_start(_cache_dir, [lang])


_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def warm_start(cache_dir: Path | None, langs: Iterable[str]) -> None:
    """Put the parsed dictionary of each of *langs* into pyphen's in-process cache.

    The dictionary is the one pyphen itself would pick for the language (as WeasyPrint asks
    for it).  It is unpickled from *cache_dir* if stored there, else parsed and stored (the
    pickle written atomically).  Languages already loaded, or without a dictionary, are
    left alone; with *cache_dir* None nothing happens.  Never raises.
    """
    if cache_dir is None:
        return
    try:
        import pyphen
    except ImportError:
        log.debug("hyphenation warm start skipped: pyphen is not installed")
        return
    for lang in langs:
        try:
            _warm(pyphen, cache_dir / FOLDER, lang)
        except Exception as exc:  # pyphen's internals differ: it will parse as usual
            log.debug("hyphenation warm start for %r skipped: %s: %s",
                      lang, type(exc).__name__, exc)


def _warm(pyphen: Any, folder: Path, lang: str) -> None:
    name = pyphen.language_fallback(lang)
    if name is None:
        log.debug("hyphenation: no dictionary for %r", lang)
        return
    hdcache = pyphen.hdcache
    path = pyphen.LANGUAGES[name]
    if path in hdcache:
        return
    stem = Path(path.name).stem  # hyph_nl_NL
    key = digest("pyphen HyphDict, sealed", str(pyphen.__version__),
                 f"python {sys.version_info[0]}.{sys.version_info[1]}", str(path),
                 path.read_bytes())
    pickled = folder / f"{stem}-{key}.pickle"
    hyph_dict = _load(pickled, pyphen.HyphDict)
    if hyph_dict is None:
        hyph_dict = pyphen.HyphDict(path)
        _store(pickled, hyph_dict, stem)
    hdcache.setdefault(path, hyph_dict)


def _load(pickled: Path, hyph_dict_class: type) -> Any:
    """Return the dictionary pickled at *pickled*, or None if missing or unusable.

    The pickle is sealed like every cache entry: damaged bytes are never unpickled.
    """
    data = read_entry(pickled.parent.parent, pickled)
    if data is None:
        return None
    try:
        hyph_dict = pickle.loads(data)  # our own cache folder only (see the module docstring)
    except Exception as exc:  # damaged or from other code: parse again and rewrite it
        log.debug("hyphenation: unusable %s: %s: %s", pickled, type(exc).__name__, exc)
        return None
    patterns = getattr(hyph_dict, "patterns", None)
    if (type(hyph_dict) is not hyph_dict_class or not isinstance(patterns, dict) or not patterns
            or not isinstance(getattr(hyph_dict, "cache", None), dict)
            or not isinstance(getattr(hyph_dict, "maxlen", None), int)):
        log.debug("hyphenation: %s does not hold a pyphen dictionary", pickled)
        return None
    return hyph_dict


def _store(pickled: Path, hyph_dict: Any, stem: str) -> None:
    """Pickle *hyph_dict* to *pickled* atomically; drop older pickles of the same dictionary."""
    try:
        data = pickle.dumps(hyph_dict, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a dictionary that cannot be pickled
        log.debug("hyphenation: cannot pickle %s: %s: %s", pickled, type(exc).__name__, exc)
        return
    if not write_entry(pickled.parent.parent, pickled, data):
        return
    try:
        for old in pickled.parent.glob(f"{stem}-*.pickle"):
            if old != pickled:
                old.unlink(missing_ok=True)  # another pyphen or Python version's
    except OSError as exc:
        log.debug("hyphenation: cannot remove old pickles: %s", exc)
