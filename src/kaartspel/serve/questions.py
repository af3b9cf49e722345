"""An organiser's own questions as the composer holds them: rows without ids, checked with the
library's rules, read from CSV or XLSX tables and written as the questions file the CLI reads.

Nothing here touches the disk: rows live in the browser's form and travel with each request.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kaartspel.content.loader import KeyPath, Location, SourceMap
from kaartspel.content.model import Content
from kaartspel.content.schema import QuestionPair
from kaartspel.deck.cards import Card, build_cards, select
from kaartspel.deck.own_questions import OWN_ID, check_custom_questions, insert_questions
from kaartspel.errors import Problem
from kaartspel.options import DeckOptions

MAX_QUESTIONS = 60
"""Most own question pairs one deck may hold (a request with more is refused)."""
MAX_TEXT = 600
"""Longest question text accepted at all; the content rules stop at far less (lint's 170)."""
MAX_UPLOAD = 1_000_000
"""Largest CSV or XLSX file accepted, in bytes."""
COLUMNS = ("group", "personal")
"""Column headings of an uploaded table, in this order (QuestionPair's field names)."""
ROLES = COLUMNS


@dataclass(frozen=True)
class Row:
    """One question pair as typed: the two texts, possibly empty or wrong."""

    group: str = ""
    personal: str = ""

    @property
    def blank(self) -> bool:
        """Return whether both texts are empty (a row just added: not part of the deck)."""
        return not self.group and not self.personal


def clean(text: str) -> str:
    """Return *text* as one line without edge spaces (a textarea may send line breaks)."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def own_id(theme: str, n: int) -> str:
    """Return the id the library gives the *n*-th (1-based) own question of *theme*."""
    return OWN_ID.format(theme=theme, n=n)


@dataclass
class Checked:
    """What checking the rows found: messages per (row, role), and the rows that count."""

    messages: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    """Plain messages next to a field, by (row index, ``group``/``personal``)."""
    theme: list[str] = field(default_factory=list)
    """Messages about the theme the rows belong to."""
    problems: list[Problem] = field(default_factory=list)
    """The same problems as the CLI words them, located as the rows' source says."""
    ids: dict[int, str] = field(default_factory=dict)
    """Generated card id per row that is part of the deck (not blank)."""

    @property
    def ok(self) -> bool:
        """Return whether no row has a problem."""
        return not self.problems


class _Recorder(SourceMap):
    """A source map that also notes which key path each problem was found at."""

    def __init__(self, locations: dict[KeyPath, Location]) -> None:
        super().__init__(locations)
        self.found: list[tuple[KeyPath, Problem]] = []

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        found = super().problem(path, message)
        self.found.append((tuple(path), found))
        return found


_PREFIX = re.compile(r"^[\w\-\[\].]+: ")


def field_message(message: str) -> str:
    """Return a CLI message without its leading key path (the field it sits by says where)."""
    message = _PREFIX.sub("", message, count=1)
    return message[:1].upper() + message[1:]


def check_rows(
    content: Content, theme: str, rows: Sequence[Row], where: Sequence[Location] | None = None
) -> Checked:
    """Check *rows* of *theme* as ``kaartspel deck --questions`` checks a file.

    Blank rows are left out of the deck (and unchecked).  *where* gives each row's location
    for the CLI-style problems (a table's file name and row number); by default ``row N``.
    Next to an empty field only its emptiness is said (the rules' other complaints about
    an empty text add nothing).
    """
    result = Checked()
    counted = [i for i, row in enumerate(rows) if not row.blank]
    for n, i in enumerate(counted, start=1):
        result.ids[i] = own_id(theme, n)
    if not counted:
        return result
    sources = _Recorder({("theme",): Location("theme", 0)})
    for n, i in enumerate(counted):
        sources.locations[("questions", n)] = \
            where[i] if where is not None else Location(f"row {i + 1}", 0)
    check_custom_questions(content, questions_data(theme, [rows[i] for i in counted]), sources)
    for path, problem in dict.fromkeys(sources.found):
        result.problems.append(problem)
        if len(path) > 1 and path[0] == "questions" and isinstance(path[1], int):
            row = counted[path[1]]
            role = str(path[2]) if len(path) > 2 and path[2] in ROLES else ROLES[0]
            if not getattr(rows[row], role) and "empty" not in problem.message:
                continue
            result.messages.setdefault((row, role), []).append(
                _own_names(field_message(problem.message), theme))
        else:
            result.theme.append(field_message(problem.message))
    result.problems.sort(key=lambda p: p.line)
    return result


def _own_names(message: str, theme: str) -> str:
    """Name generated ids in a message as the page does (``your question 2, group``)."""
    pattern = re.escape(OWN_ID).replace(re.escape("{theme}"), re.escape(theme)) \
        .replace(re.escape("{n}"), r"(\d+)")
    return re.sub(rf"\b{pattern}\.(\w+)", lambda m: f"your question {m[1]}, {m[2]}", message)


def questions_data(theme: str, rows: Sequence[Row]) -> dict[str, Any]:
    """Return the data of a questions file (as ``kaartspel deck --questions`` reads it):
    no ids, the library gives each pair its id by its place."""
    return {"theme": theme,
            "questions": [{"group": row.group, "personal": row.personal} for row in rows]}


HEADER = (
    "# Your own question pairs, saved by `kaartspel serve`.\n"
    "# Each pair is a question to the group and a personal one; each ends with \"?\".\n"
)


def questions_yaml(theme: str, rows: Sequence[Row]) -> str:
    """Return the questions file of the non-blank *rows*."""
    body = yaml.safe_dump(questions_data(theme, [row for row in rows if not row.blank]),
                          allow_unicode=True, sort_keys=False, width=1000,
                          default_flow_style=False)
    return HEADER + body


def own_pairs(theme: str, rows: Sequence[Row]) -> list[QuestionPair]:
    """Return the non-blank rows as question pairs with the library's ids, unchecked."""
    kept = [row for row in rows if not row.blank]
    return [QuestionPair.model_construct(id=own_id(theme, n), group=row.group,
                                         personal=row.personal)
            for n, row in enumerate(kept, start=1)]


def with_own(content: Content, theme: str, rows: Sequence[Row]) -> tuple[Card, ...]:
    """Return every card of *content* with the own questions where the deck puts them."""
    cards = build_cards(content)
    pairs = own_pairs(theme, rows) if theme else []
    return insert_questions(content, cards, theme, pairs) if pairs else cards


def chosen_cards(content: Content, options: DeckOptions, cards: Sequence[Card]
                 ) -> tuple[Card, ...]:
    """Return the cards *options* select, as ``kaartspel deck`` selects them."""
    from kaartspel.deck.assemble import theme_id

    themes = [theme_id(content, name) for name in options.themes]
    return select(cards, themes, options.kinds, options.cards, options.extras)


# --------------------------------------------------------------------------------------------
# Tables: CSV and XLSX


class TableError(Exception):
    """An uploaded table cannot be read at all, or one of its rows is malformed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Table:
    """Rows read from an uploaded table, each with the row number a spreadsheet shows."""

    name: str
    rows: tuple[Row, ...]
    numbers: tuple[int, ...]

    @property
    def locations(self) -> list[Location]:
        """Return where each row is, for CLI-style problems (``questions.csv:3: …``)."""
        return [Location(self.name, n) for n in self.numbers]


def read_table(name: str, data: bytes) -> Table:
    """Read an uploaded CSV or XLSX table of question pairs; raise TableError with every problem.

    The first row holds the headings ``group`` and ``personal``; every other non-empty row is
    a pair.  *name* is only shown in messages (it is never used as a path).
    """
    shown = display_name(name)
    if len(data) > MAX_UPLOAD:
        raise TableError([Problem(shown, 0, f"file too large: {len(data):,} bytes "
                                            f"(at most {MAX_UPLOAD:,})")])
    if shown.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        cells = _xlsx_cells(shown, data)
    elif shown.lower().endswith((".csv", ".txt")) or not shown:
        cells = _csv_cells(shown, data)
    else:
        raise TableError([Problem(shown, 0, "expected a .csv or .xlsx file")])
    return _table(shown, cells)


def display_name(name: str) -> str:
    """Return the base name of an uploaded file as a browser gave it, safe to show."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "".join(ch for ch in base if ch.isprintable())[:80] or "upload"


def _csv_cells(shown: str, data: bytes) -> list[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel saves CSV as cp1252 on Dutch Windows
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes all but five bytes
        raise TableError([Problem(shown, 0, "not a text file; save it as CSV (UTF-8)")])
    # Excel writes ';' where the decimal separator is a comma (Dutch settings): the heading
    # line, which holds no text of the organiser's, tells which one this file uses.
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter),
                                       start=1):
            rows.append((number, cells))
            if len(rows) > MAX_QUESTIONS + 1:
                break
    except csv.Error as exc:
        raise TableError([Problem(shown, len(rows) + 1, f"CSV error: {exc}")]) from exc
    return rows


def _xlsx_cells(shown: str, data: bytes) -> list[tuple[int, list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError([Problem(shown, 0, "not an Excel workbook (.xlsx) that can be read")]) \
            from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(
            sheet.iter_rows(max_row=MAX_QUESTIONS + 2, max_col=len(COLUMNS) + 2,
                            values_only=True), start=1):
            rows.append((number, ["" if v is None else str(v) for v in values]))
    finally:
        book.close()
    return rows


def _table(shown: str, cells: list[tuple[int, list[str]]]) -> Table:
    cells = [(n, [c.strip() for c in row]) for n, row in cells]
    cells = [(n, row) for n, row in cells if any(row)]
    if not cells:
        raise TableError([Problem(shown, 0, "the table is empty; expected the headings "
                                            f"{' and '.join(COLUMNS)} in its first row")])
    number, header = cells[0]
    heads = [h.casefold() for h in header[: len(COLUMNS)]]
    if tuple(heads) != COLUMNS:
        raise TableError([Problem(shown, number, f"expected the headings {', '.join(COLUMNS)}, "
                                                 f"got {', '.join(header) or 'nothing'}")])
    body = cells[1:]
    problems = []
    if len(body) > MAX_QUESTIONS:
        problems.append(Problem(shown, body[MAX_QUESTIONS][0],
                                f"too many questions: at most {MAX_QUESTIONS} pairs"))
        body = body[:MAX_QUESTIONS]
    rows, numbers = [], []
    for number, row in body:
        texts = [clean(c) for c in [*row, "", ""][: len(COLUMNS)]]
        if any(c for c in row[len(COLUMNS):]):
            problems.append(Problem(shown, number, f"expected {len(COLUMNS)} columns "
                                                   f"({', '.join(COLUMNS)}), got more"))
        for role, text in zip(COLUMNS, texts, strict=True):
            if not text:
                problems.append(Problem(shown, number, f"{role}: expected text, "
                                                       "got an empty cell"))
            elif len(text) > MAX_TEXT:
                problems.append(Problem(shown, number, f"{role}: {len(text)} characters; "
                                                       f"at most {MAX_TEXT} are read"))
        rows.append(Row(*texts))
        numbers.append(number)
    if problems:
        raise TableError(problems)
    return Table(shown, tuple(rows), tuple(numbers))


def template_csv(example: Row) -> bytes:
    """Return a CSV template (UTF-8 with a byte-order mark, which Excel needs) with one example."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([example.group, example.personal])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(example: Row, title: str) -> bytes:
    """Return an XLSX template: the headings, one example pair, wide wrapped columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(COLUMNS))
    sheet.append([example.group, example.personal])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("A", "B"):
        sheet.column_dimensions[column].width = 60
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
