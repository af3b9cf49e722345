"""The trainer's cards: blank write-on question cards and the legend card.

Neither belongs to the set's numbering: the set's cards keep the numbers printed on them
("14/48") whatever is added.  Blanks are counted on their own ("Eigen vraag 3/8"), as an
organiser's own cards are; the legend names the set's numbers of each theme instead of
having one.
"""

from __future__ import annotations

from collections.abc import Sequence

from kaartspel.content.model import Content
from kaartspel.deck.cards import SET_THEME, Card

BLANK_KIND = "blank"
LEGEND_KIND = "legend"


def blank_cards(content: Content, themes: Sequence[str], count: int) -> list[Card]:
    """Return *count* write-on cards per theme of *themes* (none given: *count* neutral ones).

    A blank has a question card's anatomy — the theme's band, the two roles — with ruled
    lines where the questions go; its label is its place among the blanks ("3/8").
    """
    if count <= 0:
        return []
    # In deck order, so that the blanks count up through the deck.
    owners = [t.id for t in content.themes if t.id in themes] or [SET_THEME]
    total = count * len(owners)
    cards = []
    for t, theme in enumerate(owners):
        name = content.ui.blank_title if theme == SET_THEME else content.theme(theme).name
        for n in range(1, count + 1):
            place = t * count + n
            suffix = "" if theme == SET_THEME else f"{theme}-"
            cards.append(Card(f"blank-{suffix}{n}", BLANK_KIND, theme, name,
                              label=f"{place}/{total}"))
    return cards


def legend_card(content: Content, cards: Sequence[Card]) -> Card:
    """Return the legend of *cards*: each theme among them with its name, card count and
    the set's numbers of those cards ("14–17, 19"), in deck order."""
    rows = []
    for theme in content.themes:
        own = [card for card in cards if card.theme == theme.id]
        if not own:
            continue
        numbers = number_ranges(sorted(card.number for card in own if card.number))
        count = content.ui.cards_count.replace("{n}", str(len(own)))
        rows.append((theme.id, theme.name, count, numbers))
    return Card("legend", LEGEND_KIND, SET_THEME, content.ui.legend_title, rows=tuple(rows))


def number_ranges(numbers: Sequence[int]) -> str:
    """Return sorted *numbers* as ranges: 3, 4, 5, 9 → "3–5, 9"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def with_kit_cards(content: Content, cards: Sequence[Card], themes: Sequence[str],
                   blanks: int, legend: bool) -> tuple[Card, ...]:
    """Return *cards* with the legend after the how-to card (or first) and the blanks after
    their theme's last card (neutral blanks before the credits card, or last)."""
    result = list(cards)
    by_theme: dict[str, list[Card]] = {}
    for blank in blank_cards(content, themes, blanks):
        by_theme.setdefault(blank.theme, []).append(blank)
    for theme, added in by_theme.items():
        if theme == SET_THEME:
            at = next((i for i, c in enumerate(result) if c.id == "credits"), len(result))
        else:
            at = max((i for i, c in enumerate(result) if c.theme == theme), default=len(result)
                     - 1) + 1
        result[at:at] = added
    if legend:
        at = next((i + 1 for i, c in enumerate(result) if c.kind == "howto"), 0)
        result.insert(at, legend_card(content, cards))
    return tuple(result)
