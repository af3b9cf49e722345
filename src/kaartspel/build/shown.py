"""What an output shows: the second, finer question a build asks before rebuilding.

Policy: planning first compares a coarse hash of every input file (see
:mod:`kaartspel.build.plan`); it changes with any byte of the output's language and of the
source language.  An output whose coarse hash changed but whose *shown key* is what it was
when the output was written is the same file, and is not built again.  The shown key covers
everything the output is made from, and nothing it does not show:

* a **deck**: every option and the cache key of each face it places, at its kind's type size
  (:func:`kaartspel.deck.assemble.shown_key`).  A kind's size depends on every face of that
  kind in the language, so an edit that changes a size changes the key of every deck with
  cards of that kind.  When a size (or an own card's fit) is not in the face cache, the key
  cannot be told without rendering: the deck is built.
* a **poster**: every option and the whole content of its language (the poster shows
  nearly all of it: questions of every theme, the ladder, the cycle, the tips).
* a **tuck box**: its options, the language's set title and interface strings, the themes'
  names and, when the recipe gives no card count, the number of cards in the full deck.
* a **calibration sheet**: its options, the set title and the interface strings.

Every key also covers the output's name, the template search path, kaartspel's source and
version, the versions of the libraries that draw it, and ``SOURCE_DATE_EPOCH``.  Another
language counts only through loading: English content is checked against the Dutch, and
once it loads it is the same whatever the Dutch says, so a Dutch edit leaves English
outputs alone unless it breaks the translation check (then the English build reports it).

Any doubt — the content or the recipe does not load, the key cannot be told — is ``None``:
the output is built, and reports what is wrong.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from kaartspel import __version__
from kaartspel.build.fresh_outputs import library_versions
from kaartspel.build.plan import (
    BuildSettings,
    Outcome,
    Plan,
    Target,
    is_up_to_date,
    load_manifest,
    manifest_lock,
    save_manifest,
)
from kaartspel.cache import FaceCache, code_fingerprint, digest, warn_once
from kaartspel.errors import KaartspelError

log = logging.getLogger(__name__)

KEY = "shows"
"""The manifest entry's field that holds the shown key."""


def current_key(settings: BuildSettings, target: Target) -> str | None:
    """Return the shown key *target*'s output would have if it were built now, or None when
    that cannot be told without building (see the module's policy)."""
    from kaartspel.build.recipes import load_recipe

    if target.problem or target.output_name is None or target.kind == "invalid":
        return None
    try:
        recipe = load_recipe(target.recipe, settings.content_dir, target.part)
        options = build_options(settings, recipe.options)
        if recipe.kind == "deck":
            from kaartspel.deck.assemble import cached_shown_key

            cache = FaceCache(settings.cache_dir, enabled=settings.use_cache)
            deck = cached_shown_key(settings.content_dir, options, cache)
            return None if deck is None else output_key(recipe.kind, recipe.output, deck)
        return sheet_key(settings.content_dir, recipe.kind, recipe.output, options)
    except (KaartspelError, OSError, ValueError) as exc:  # the build reports it
        log.debug("%s: shown key not told (%s)", target.shown, exc)
        return None


def build_options(settings: BuildSettings, options: Any) -> Any:
    """Return a recipe's options as a build uses them (the build's strictness and templates)."""
    return options.updated(strict=settings.strict, templates=settings.templates)


def output_key(kind: str, output: str, shows: str) -> str:
    """Return the shown key of output *output* of *kind* from what its builder says it shows."""
    return digest("kaartspel-shows", kind, output, shows, __version__, code_fingerprint(),
                  *library_versions(), f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH')}")


def sheet_key(content_dir: Path, kind: str, output: str, options: Any) -> str:
    """Return the shown key of a poster, tuck box or calibration sheet (outputs drawn from
    the content directly, with no face cache); raise what loading the content raises."""
    from kaartspel.content.load import load_content
    from kaartspel.render.templates import TemplateSet

    content = load_content(content_dir, options.lang)
    meta, ui = content.meta.model_dump_json(), content.ui.model_dump_json()
    if kind == "poster":
        shown: list[str] = [content.data.model_dump_json()]
    elif kind == "box":
        from kaartspel.deck.cards import build_cards

        count = options.cards if options.cards is not None else len(build_cards(content))
        shown = [meta, ui, repr([(t.id, t.name) for t in content.themes]), str(count)]
    elif kind == "calibrate":
        shown = [meta, ui]
    else:
        raise ValueError(f"no shown key for {kind!r}")
    return output_key(kind, output, digest(
        options.model_dump_json(), content.lang, repr(content.hyphenation),
        TemplateSet.create(options.templates).fingerprint(), *shown))


def refine(settings: BuildSettings, the_plan: Plan) -> Plan:
    """Return *the_plan* with the stale outputs that still show what they showed moved to
    the up-to-date ones; their manifest entries take the new input hash, so the next plan
    finds them fresh at once.

    Asked only of an output that is there as it was written (size, time) and whose entry
    holds a shown key; never with ``--no-cache`` (everything is built again).
    """
    if not settings.use_cache or not the_plan.stale:
        return the_plan
    manifest = the_plan.manifest
    unchanged: list[Target] = []
    for target in the_plan.stale:
        entry = manifest.get(target.output_name or "")
        if entry is None or not isinstance(entry.get(KEY), str):
            continue
        as_built = replace(target, inputs=str(entry.get("inputs")))
        if not is_up_to_date(settings, as_built, entry):
            continue  # missing, replaced or touched: built again
        if current_key(settings, target) == entry[KEY]:
            unchanged.append(target)
    if not unchanged:
        return the_plan
    _note_inputs(settings, manifest, unchanged)
    fresh = [*the_plan.fresh]
    for target in unchanged:
        entry = manifest.get(str(target.output_name), {})
        log.debug("%s: inputs changed, what it shows did not", target.shown)
        fresh.append(Outcome(target, "up to date", settings.out_dir / str(target.output_name),
                             entry.get("pages"), entry.get("size")))
    stale = [t for t in the_plan.stale if t not in unchanged]
    return Plan(the_plan.targets, stale, fresh, manifest)


def _note_inputs(settings: BuildSettings, manifest: dict[str, dict[str, Any]],
                 targets: list[Target]) -> None:
    """Record each target's new input hash in its entry, under the manifest's lock; an
    entry another build has rewritten meanwhile (another shown key) is left as it is."""
    with manifest_lock(settings):
        current = load_manifest(settings, quiet=True)
        for target in targets:
            name = str(target.output_name)
            mine, theirs = manifest.get(name), current.get(name)
            if mine is None or theirs is None or theirs.get(KEY) != mine.get(KEY) or \
                    theirs.get("mtime_ns") != mine.get("mtime_ns"):
                continue
            current[name] = {**theirs, "inputs": target.inputs}
        manifest.update(current)
        try:
            save_manifest(settings, current)
        except KaartspelError as exc:  # the cache cannot be written: asked again next time
            warn_once(settings.cache_dir, "unwritable", f"manifest not updated: {exc}",
                      str(exc).rpartition(": ")[2])
