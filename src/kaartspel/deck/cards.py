"""Cards: the deck's faces derived from the content, and how to select a subset."""

from __future__ import annotations

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
    # One card per paragraph: the intro texts are long, and one long card would force the
    # whole deck (one type size for all) down to the smallest size.
    footnote = f"¹ {d.meta.study_note} {d.meta.study}"
    for key, section in (("why", d.intro.why), ("what", d.intro.what)):
        total = len(section.paragraphs)
        for n, para in enumerate(section.paragraphs, start=1):
            cards.append(Card(f"intro-{key}-{n}", "intro", SET_THEME, section.title,
                              label=f"{n}/{total}" if total > 1 else "", paragraphs=(para,),
                              notes=(footnote,) if "¹" in para else ()))
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
                                  label=f"{ui.tip_label} {n}", paragraphs=(tip.text,)))
    cards.append(Card("credits", "credits", SET_THEME, ui.credits_title,
                      notes=(f"¹ {d.meta.study_note} {d.meta.study}", d.meta.funding)))
    return tuple(_numbered(cards))


def _numbered(cards: Sequence[Card]) -> Iterable[Card]:
    from dataclasses import replace

    for n, card in enumerate(cards, start=1):
        yield replace(card, number=n)


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
