"""Typesetting rules WeasyPrint lacks: strict hyphenation of prose, and balanced line breaks.

Hyphenation.  Everything is set with ``hyphens: manual``: a word breaks only where this module
put a soft hyphen (U+00AD), and it puts them only into body prose.  WeasyPrint's own
``hyphens: auto`` knows a minimum word length and minimum letters on each side, but not a
paragraph's last line, names, or a word list of exceptions; here:

* only words of at least :data:`MIN_WORD` letters break (a word listed in the language's
  exceptions, ``content/<lang>/hyphenation.txt``, from :data:`MIN_LISTED` letters), with at
  least :data:`MIN_SIDE` letters on each side of the break;
* a listed word breaks only at its listed points (Dutch compounds at their joints);
* names do not break: no capitalised word except a sentence's first, no word with a capital
  inside, a digit or a hyphen of its own;
* a paragraph's last line never starts with a fragment: the words of its last stretch at least
  one line wide (measured with the font's advances, see :class:`Metrics`) get no soft hyphen.

What cannot be done without the line breaks themselves is to keep two lines in a row from both
ending in a hyphen; :mod:`kaartspel.typecheck` counts those.

Balancing.  WeasyPrint has no ``text-wrap: balance``.  :meth:`Typesetter.balance_width` finds,
from the font's advance widths, the narrowest measure at which a short text (a question, a
heading) still takes as many lines as at the full measure; set as the element's ``max-width``
it evens the lines out.  Advances ignore kerning, which only ever narrows text, so the measured
lines are never wider than estimated and never wrap into an extra line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SOFT_HYPHEN = "\u00ad"
NO_BREAK_SPACE = "\u00a0"
TIE_MAX = 10
"""A last word this short (letters and its punctuation) is kept with the word before it."""
TIE_MIN_WORDS = 4
"""Only texts of this many words or more: a two-word heading may break between them."""

MIN_WORD = 10
"""Letters a word needs before the patterns may break it."""
MIN_LISTED = 8
"""Letters a word from the exception list needs (its break points are chosen by hand)."""
MIN_SIDE = 4
"""Letters on each side of a break: never a lone ``ge-`` or ``-en``."""
MIN_SIDE_LISTED = 3
"""Letters on each side of a listed break (a joint such as ``kop-zorg`` may be short)."""
LAST_LINE_MARGIN = 1.08
"""The protected tail of a paragraph is this much wider than the line, against the few per
cent by which kerning makes the real text narrower than its advances."""
BALANCE_SLACK = 1.01
"""A balanced measure is this much wider than estimated (rounding in the line breaker)."""
MAX_BALANCED_LINES = 3
"""Longer texts keep their natural rag: evening out four lines or more only narrows them."""
BALANCE_SAFETY = 0.97
"""Advances are scaled by this when counting the lines at the full measure: if even text this
much narrower needs the same number of lines, balancing cannot add a line."""

PT_TO_MM = 25.4 / 72

_WORD = re.compile(r"\w+(?:[\u2019'’]\w+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:…][\"'”’)\]]*\s*$")


# --------------------------------------------------------------------------------------------
# Hyphenation


@cache
def _patterns(lang: str) -> Any:
    import pyphen

    name = pyphen.language_fallback(lang.replace("-", "_"))
    return pyphen.Pyphen(lang=name, left=MIN_SIDE, right=MIN_SIDE) if name else None


class Hyphenator:
    """Where the words of one language may break."""

    def __init__(self, lang: str, exceptions: Mapping[str, Sequence[int]] | None = None) -> None:
        self.lang = lang
        self.exceptions = {word.lower(): tuple(p) for word, p in (exceptions or {}).items()}

    def points(self, word: str) -> tuple[int, ...]:
        """Return the positions (letters before the break) at which *word* may break."""
        key = word.lower()
        listed = self.exceptions.get(key)
        if listed is not None:
            if len(word) < MIN_LISTED:
                return ()
            return tuple(p for p in listed
                         if MIN_SIDE_LISTED <= p <= len(word) - MIN_SIDE_LISTED)
        if len(word) < MIN_WORD:
            return ()
        patterns = _patterns(self.lang)
        if patterns is None:
            return ()
        return tuple(int(p) for p in patterns.positions(key)
                     if MIN_SIDE <= p <= len(word) - MIN_SIDE)

    def hyphenate(self, word: str) -> str:
        """Return *word* with a soft hyphen at each of its break points."""
        points = self.points(word)
        if not points:
            return word
        pieces, last = [], 0
        for p in points:
            pieces.append(word[last:p])
            last = p
        pieces.append(word[last:])
        return SOFT_HYPHEN.join(pieces)


def _is_name(word: str, sentence_start: bool) -> bool:
    """Return whether *word* looks like a name, an abbreviation or a code: never broken."""
    if any(ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:]):
        return True
    return word[:1].isupper() and not sentence_start


# --------------------------------------------------------------------------------------------
# Font metrics


@dataclass(frozen=True)
class Face:
    """One font file of the family: its advance widths in units of the em."""

    advances: Mapping[int, float]
    """Advance width (em) by code point."""
    fallback: float

    def width(self, text: str) -> float:
        """Return the advance width of *text* in em (no kerning)."""
        get = self.advances.get
        return sum(get(ord(ch), self.fallback) for ch in text)


_FACE_RULE = re.compile(r"@font-face\s*\{([^}]*)\}", re.IGNORECASE)


@cache
def _face(path: Path) -> Face:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        upm = font["head"].unitsPerEm
        hmtx = font["hmtx"]
        advances = {code: hmtx[name][0] / upm for code, name in (font.getBestCmap() or {}).items()}
    widths = sorted(advances.values())
    return Face(advances, widths[len(widths) // 2] if widths else 0.5)


class Metrics:
    """Advance widths of the bundled family, by weight and style (from ``fonts.css``)."""

    def __init__(self, faces: Mapping[tuple[int, bool], Path]) -> None:
        self.faces = dict(faces)

    @classmethod
    def from_css(cls, css: str, find: Any) -> Metrics:
        """Read the ``@font-face`` rules of *css*; *find* turns a ``url()`` into a path."""
        faces: dict[tuple[int, bool], Path] = {}
        for rule in _FACE_RULE.findall(css):
            weight = re.search(r"font-weight:\s*(\d+)", rule)
            style = re.search(r"font-style:\s*(\w+)", rule)
            url = re.search(r"url\(\s*[\"']?([^\"')]+)", rule)
            if url:
                key = (int(weight[1]) if weight else 400, bool(style and style[1] == "italic"))
                faces.setdefault(key, find(url[1]))
        return cls(faces)

    def face(self, weight: int, italic: bool) -> Face:
        """Return the face nearest to *weight* in the given style."""
        same = [key for key in self.faces if key[1] == italic] or list(self.faces)
        key = min(same, key=lambda k: (abs(k[0] - weight), k[0]))
        return _face(self.faces[key])

    def width(self, text: str, size_pt: float, weight: int = 400, italic: bool = False,
              tracking: float = 0.0) -> float:
        """Return the width (mm) of *text* set at *size_pt*; *tracking* in em per letter."""
        em = self.face(weight, italic).width(text) + tracking * len(text)
        return em * size_pt * PT_TO_MM


# --------------------------------------------------------------------------------------------
# Prose and balancing


@dataclass(frozen=True)
class Font:
    """How a piece of text is set: size, weight, style, tracking (em), measure (mm)."""

    size: float
    width: float
    weight: int = 400
    italic: bool = False
    tracking: float = 0.0
    upper: bool = False


class Typesetter:
    """Soft hyphens for prose and balanced measures for short texts, in one language."""

    def __init__(self, lang: str, metrics: Metrics,
                 exceptions: Mapping[str, Sequence[int]] | None = None) -> None:
        self.lang = lang
        self.metrics = metrics
        self.hyphenator = Hyphenator(lang, exceptions)

    def font(self, size: float, width: float, weight: int = 400, italic: bool = False,
             tracking: float = 0.0, upper: bool = False) -> Font:
        """Return a :class:`Font` (for templates, which cannot build one)."""
        return Font(size, width, weight, italic, tracking, upper)

    def fits(self, text: str, font: Font) -> bool:
        """Return whether *text* fits one line of ``font.width`` (by its advances)."""
        return self.width(text, font) <= font.width

    def width(self, text: str, font: Font) -> float:
        """Return the width (mm) of *text* in *font*."""
        shown = text.upper() if font.upper else text
        return self.metrics.width(shown, font.size, font.weight, font.italic, font.tracking)

    def prose(self, text: str, width: float, size: float) -> str:
        """Return *text* with soft hyphens where it may break, for a measure of *width* mm at
        *size* pt (regular weight): none in its last line's stretch, none in names."""
        matches = list(_WORD.finditer(text))
        # The tail: the last words, at least a line (with margin) wide, never break.
        protected = len(matches)
        for i in range(len(matches) - 1, -1, -1):
            protected = i
            if self.metrics.width(text[matches[i].start():], size) >= width * LAST_LINE_MARGIN:
                break
        out, last = [], 0
        for i, match in enumerate(matches):
            word = match[0]
            out.append(text[last:match.start()])
            last = match.end()
            before = text[:match.start()]
            start = not before.strip() or bool(_SENTENCE_END.search(before))
            joined = text[match.end():match.end() + 1] == "-" or before.endswith("-")
            if i < protected and "_" not in word and not joined and not _is_name(word, start):
                word = self.hyphenator.hyphenate(word)
            out.append(word)
        out.append(text[last:])
        return "".join(out)

    def tie(self, text: str) -> str:
        """Return *text* with its last two words joined by a no-break space, so that a short
        last word never stands alone on a question's or tip's last line (a widow)."""
        head, space, last = text.rstrip().rpartition(" ")
        if not space or len(last) > TIE_MAX or len(text.split()) < TIE_MIN_WORDS:
            return text
        return f"{head}{NO_BREAK_SPACE}{last}"

    def lines(self, words: Sequence[float], space: float, width: float) -> int:
        """Return how many lines greedy breaking needs for *words* (widths) at *width*."""
        count, used = 1, 0.0
        for w in words:
            if used == 0.0:
                used = w
            elif used + space + w <= width:
                used += space + w
            else:
                count, used = count + 1, w
        return count

    def balance_width(self, text: str, font: Font) -> float | None:
        """Return the narrowest measure (mm) at which *text* takes as many lines as at
        ``font.width`` with lines of even length, or None when it fits one line (or balancing
        could cost a line)."""
        shown = text.upper() if font.upper else text
        words = [self.width(w, font) for w in shown.split(" ") if w]
        space = self.width(" ", font)
        if len(words) < 2:
            return None
        n = self.lines([w * BALANCE_SAFETY for w in words], space * BALANCE_SAFETY, font.width)
        if not 2 <= n <= MAX_BALANCED_LINES or n != self.lines(words, space, font.width):
            return None
        # The narrowest measure with n lines: between the longest word and the full measure.
        low, high = max(words), font.width
        if self.lines(words, space, low) <= n:
            best = low
        else:
            for _ in range(40):
                mid = (low + high) / 2
                if self.lines(words, space, mid) <= n:
                    high = mid
                else:
                    low = mid
            best = high
        balanced = best * BALANCE_SLACK
        return balanced if balanced < font.width * 0.98 else None


def letters(text: str) -> str:
    """Fold *text* to its letters (for comparing a hyphenated text with its source)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


# --------------------------------------------------------------------------------------------
# After layout: two lines in a row ending in a hyphen


HYPHENATE_CHARACTER = "\u2010"
"""What WeasyPrint sets at the end of a line broken at a soft hyphen."""
MAX_RUN_FIXES = 3
"""Rounds of unbreaking words per document (a fix may move a break to the next line)."""


def hyphen_runs(document: Any, scope: str = "") -> list[tuple[int | str, str]]:
    """Return (where, word) for every line of a laid-out WeasyPrint *document* that ends in a
    hyphen right after a line that did: the second word must not break.

    *where* is the page index, or with a *scope* class the id of the element of that class
    the lines are in (a poster block).  Lines are compared within one paragraph (a block
    box's line boxes are its children).
    """
    found: list[tuple[int | str, str]] = []
    for index, page in enumerate(document.pages):
        roots: list[tuple[int | str, Any]] = [(index, page._page_box)]
        if scope:
            roots = [(box.element.get("id"), box)
                     for box in page._page_box.descendants(placeholders=True)
                     if getattr(box, "element", None) is not None and box.element.get("id")
                     and scope in (box.element.get("class") or "").split()
                     and hasattr(box, "children")]
        for where, root in roots:
            for box in root.descendants(placeholders=True):
                lines = [child for child in getattr(box, "children", ())
                         if type(child).__name__ == "LineBox"]
                texts = [_line_text(line) for line in lines]
                for k in range(1, len(texts) - 1):
                    if texts[k - 1].endswith(HYPHENATE_CHARACTER) and \
                            texts[k].endswith(HYPHENATE_CHARACTER):
                        head = _WORD.findall(texts[k][:-1])
                        tail = _WORD.findall(texts[k + 1])
                        if head and tail and (where, head[-1] + tail[0]) not in found:
                            found.append((where, head[-1] + tail[0]))
    return found


def _line_text(line: Any) -> str:
    return "".join(b.text for b in line.descendants() if type(b).__name__ == "TextBox").rstrip()


def unbreak(html: str, word: str, start: int = 0, end: int | None = None) -> str:
    """Return *html* with the soft hyphens taken out of *word* between *start* and *end*."""
    end = len(html) if end is None else end
    pattern = "".join(re.escape(ch) + f"{SOFT_HYPHEN}?" for ch in word[:-1]) + re.escape(word[-1])
    part = re.sub(pattern, lambda m: m[0].replace(SOFT_HYPHEN, ""), html[start:end])
    return html[:start] + part + html[end:]
