"""Cards: the deck's faces derived from the content, and how to select a subset."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kaartspel.content.model import Content
from kaartspel.errors import UsageError

KINDS = ("title", "howto", "intro", "theme", "level", "phase", "question", "tip", "credits")
"""Every card kind, in the order they first appear in a full deck."""

SET_THEME = "set"
"""Pseudo-theme of the cards that belong to the whole set (title, how-to, intro, credits)."""


@dataclass(frozen=True)
class Card:
    """One card face with everything the template needs, all plain text."""

    id: str
    """Stable id, the same in every language (e.g. ``netwerkvorming-2``)."""
    kind: str
    """One of :data:`KINDS`."""
    theme: str
    """Theme id, or ``set`` for title, how-to, intro and credits cards."""
    title: str
    """Heading of the card (or a short label for question cards)."""
    number: int = 0
    """Position in the full deck, 1-based (set by :func:`build_cards`)."""
    total: int = 0
    """Number of cards in the full deck (the footer's "14/48")."""
    in_theme: int = 0
    """Position among the full deck's cards of its theme, 1-based (the footer's "2/4")."""
    theme_total: int = 0
    """Number of the full deck's cards of its theme."""
    own: int = 0
    """For an organiser's own card: its place among the own cards (1-based); 0 otherwise."""
    own_total: int = 0
    """Number of own cards in the deck (with :attr:`own`)."""
    label: str = ""
    """Small label above the title, e.g. 'Ambitie 03'."""
    paragraphs: tuple[str, ...] = ()
    """Body text."""
    group: str = ""
    """Question to the group (question cards)."""
    personal: str = ""
    """Personal question (question cards)."""
    step: int = 0
    """Level or phase number (1-based) for the ladder and cycle graphics."""
    steps: tuple[str, ...] = ()
    """Titles of all levels or phases, for the graphics."""
    items: tuple[str, ...] = ()
    """List items (how-to steps, theme names)."""
    notes: tuple[str, ...] = field(default=())
    """Small print: citations, credits, funding."""
    rows: tuple[tuple[str, ...], ...] = ()
    """Rows of a table (the legend card: theme id, name, card count, the set's numbers)."""


def build_cards(content: Content) -> tuple[Card, ...]:
    """Return every card of the full deck in reading order, numbered from 1."""
    d, ui = content.data, content.ui
    cards: list[Card] = [
        Card("title", "title", SET_THEME, d.meta.title, paragraphs=(d.meta.lead,),
             label=ui.title_card_note),
        Card("howto", "howto", SET_THEME, ui.howto_title, items=ui.howto_steps),
    ]
    # As many cards as the section has paragraphs (ids and numbers stay the same in every
    # language), the text spread over them evenly: intro cards share one type size, so one
    # long card would leave the others half empty.
    footnote = f"¹ {d.meta.study_note} {d.meta.study}"
    for key, section in (("why", d.intro.why), ("what", d.intro.what)):
        total = len(section.paragraphs)
        chunks = spread(section.paragraphs, total, {"¹": len(footnote) * FOOTNOTE_WEIGHT})
        for n, chunk in enumerate(chunks, start=1):
            cards.append(Card(f"intro-{key}-{n}", "intro", SET_THEME, section.title,
                              label=f"{n}/{total}" if total > 1 else "", paragraphs=chunk,
                              notes=(footnote,) if any("¹" in p for p in chunk) else ()))
    levels = tuple(level.title for level in d.ambities.levels)
    phases = tuple(phase.title for phase in d.cyclus.phases)
    for theme in content.themes:
        if theme.text:
            cards.append(Card(f"theme-{theme.id}", "theme", theme.id, theme.title,
                              label=theme.name if theme.name != theme.title else "",
                              paragraphs=(theme.text,)))
        if theme.id == "ambities":
            for level in d.ambities.levels:
                cards.append(Card(f"level-{level.number}", "level", theme.id, level.title,
                                  label=f"{ui.level_label} {level.number:02d}",
                                  paragraphs=(level.text,), step=level.number, steps=levels))
        if theme.id == "cyclus":
            for phase in d.cyclus.phases:
                cards.append(Card(f"phase-{phase.number}", "phase", theme.id, phase.title,
                                  label=f"{ui.phase_label} {phase.number:02d}",
                                  paragraphs=(phase.text,), step=phase.number, steps=phases))
            cards.append(Card("cyclus-reflectie", "question", theme.id, theme.name,
                              label=ui.reflection_label, group=d.cyclus.reflection, steps=phases))
        for pair in theme.questions:
            cards.append(Card(pair.id, "question", theme.id, theme.name, group=pair.group,
                              personal=pair.personal))
        if theme.id == "ambities":
            cards.append(Card("ambities-bron", "credits", theme.id, theme.title,
                              notes=(d.ambities.credit,)))
        if theme.id == "tips":
            for n, tip in enumerate(d.tips.items, start=1):
                cards.append(Card(tip.id, "tip", theme.id, d.tips.title,
                                  label=f"{ui.tip_label} {n:02d}", paragraphs=(tip.text,),
                                  step=n))
    cards.append(Card("credits", "credits", SET_THEME, ui.credits_title,
                      notes=(f"{d.meta.study_note} {d.meta.study}", d.meta.funding)))
    return tuple(_numbered(cards))


FOOTNOTE_WEIGHT = 1.15
"""Room a footnote's letter takes relative to body text (smaller type, but short lines and
its rule above: measured on poker cards)."""
SPLITTABLE = 1.15
"""Only a paragraph this much longer than a card's even share is split between cards."""
SPLIT_PENALTY = 0.06
"""Cost of breaking a paragraph between cards, as a share of a card's even share of text:
a paragraph boundary wins unless splitting evens the cards out by more than this."""
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[^\s\w]*[A-ZÀ-Ý0-9])")


def spread(paragraphs: Sequence[str], count: int,
           extra: dict[str, float] | None = None) -> list[tuple[str, ...]]:
    """Return the sentences of *paragraphs* in *count* runs of about equal length, in order.

    A run is a tuple of paragraphs; only a long paragraph (:data:`SPLITTABLE`) is split
    between runs, at a sentence end, when that evens the runs out (:data:`SPLIT_PENALTY`).
    A sentence holding a key of *extra* weighs that much more (a footnote mark brings its
    footnote along).
    """
    def weight(text: str) -> float:
        return len(text) + sum(w for mark, w in (extra or {}).items() if mark in text)

    fair = sum(map(weight, paragraphs)) / max(count, 1)
    units: list[tuple[str, int]] = []  # (sentence or whole paragraph, paragraph index)
    for i, para in enumerate(paragraphs):
        if weight(para) > SPLITTABLE * fair:
            units.extend((sentence, i) for sentence in _SENTENCE.split(para.strip()))
        else:
            units.append((para, i))
    if count <= 1 or len(units) <= count:
        if len(units) == count:
            return [(unit,) for unit, _ in units]
        return [tuple(paragraphs)] + [()] * (count - 1) if count > 0 else []
    weights = [weight(unit) for unit, _ in units]
    n = len(units)
    prefix = [0.0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    inf = float("inf")
    # best[j][k]: least cost of the first j units in k runs; cost = the heaviest run plus a
    # penalty per paragraph split between runs.
    best = [[inf] * (count + 1) for _ in range(n + 1)]
    cut = [[0] * (count + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for j in range(1, n + 1):
        for k in range(1, min(count, j) + 1):
            for i in range(k - 1, j):
                if best[i][k - 1] == inf:
                    continue
                split = i > 0 and units[i][1] == units[i - 1][1]
                cost = max(best[i][k - 1], prefix[j] - prefix[i]) + (SPLIT_PENALTY * fair
                                                                       if split else 0.0)
                if cost < best[j][k]:
                    best[j][k], cut[j][k] = cost, i
    bounds, j = [], n
    for k in range(count, 0, -1):
        bounds.append((cut[j][k], j))
        j = cut[j][k]
    runs = []
    for start, end in reversed(bounds):
        paras: list[list[str]] = []
        last = None
        for sentence, index in units[start:end]:
            if index != last:
                paras.append([])
                last = index
            paras[-1].append(sentence)
        runs.append(tuple(" ".join(p) for p in paras))
    return runs


def _numbered(cards: Sequence[Card]) -> Iterable[Card]:
    """Number *cards* for people: in the deck, and within each theme."""
    from dataclasses import replace

    per_theme: dict[str, int] = {}
    for card in cards:
        per_theme[card.theme] = per_theme.get(card.theme, 0) + 1
    seen: dict[str, int] = {}
    for n, card in enumerate(cards, start=1):
        seen[card.theme] = seen.get(card.theme, 0) + 1
        yield replace(card, number=n, total=len(cards), in_theme=seen[card.theme],
                      theme_total=per_theme[card.theme])


EXTRA_KINDS = ("title", "howto", "credits")
"""The set's own cards that a theme subset brings along (unless extras are off)."""


def select(
    cards: Sequence[Card],
    themes: Iterable[str] = (),
    kinds: Iterable[str] = (),
    ids: Iterable[str] = (),
    extras: bool = True,
) -> tuple[Card, ...]:
    """Return the selected cards, in deck order.

    Filters of one kind add up (two themes: the cards of both); ``themes`` and ``kinds``
    narrow each other; ``ids`` add the named cards to whatever the filters chose (alone,
    they choose only those).  A theme selection brings the set's title, how-to and credits
    cards with it when *extras* is on and no kind narrows it.  Unknown names are a usage
    error naming the valid
    ones (the closest first).
    """
    themes, kinds, ids = list(themes), list(kinds), list(ids)
    valid_themes = list(dict.fromkeys(card.theme for card in cards))
    valid_ids = [card.id for card in cards]
    _known("theme", themes, valid_themes)
    _known("kind", kinds, list(KINDS))
    _known("card", ids, valid_ids)
    filtered = bool(themes or kinds)

    def chosen(card: Card) -> bool:
        if card.id in ids:
            return True
        if not filtered and ids:
            return False
        if themes and extras and not kinds and card.theme == SET_THEME \
                and card.kind in EXTRA_KINDS:
            return True
        return (not themes or card.theme in themes) and (not kinds or card.kind in kinds)

    selected = tuple(card for card in cards if chosen(card))
    if not selected:
        raise UsageError("the selection matches no card")
    return selected


def _known(what: str, asked: list[str], valid: list[str]) -> None:
    unknown = [name for name in asked if name not in valid]
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(repr(u) for u in unknown)}"
                         f"{closest(unknown[0], valid)} (valid: {', '.join(valid)})")


def closest(name: str, valid: Sequence[str]) -> str:
    """Return "; did you mean 'x'?" for the nearest valid names, or ""."""
    import difflib

    near = difflib.get_close_matches(name.lower(), valid, n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
