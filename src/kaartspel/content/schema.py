"""The content schema: what each YAML file under ``content/<lang>/`` may contain.

Every model is frozen and rejects unknown keys; every field carries a docstring that doubles
as documentation (``use_attribute_docstrings``).  Strings are plain text, never markup: the
templates escape them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("empty text")
    return value


Text = Annotated[StrictStr, AfterValidator(_not_blank)]
"""Non-empty plain text."""

Id = Annotated[StrictStr, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""A stable identifier: lower-case letters and digits joined by hyphens."""


class Model(BaseModel):
    """Base for all content models: immutable, strict about keys."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True
    )


class Meta(Model):
    title: Text
    """Title of the instrument, e.g. *De lerende regio*."""
    lead: Text
    """One-sentence lead under the title (poster, title card)."""
    set_title: Text
    """Short name of the card set, printed on card backs."""
    study_note: Text
    """Words introducing the study citation (footnote 1)."""
    study: Text
    """Citation of the study the instrument is based on."""
    funding: Text
    """Funding line (with project number)."""
    url: Annotated[Text, Field(pattern=r"^https?://[^\s]+$")] | None = None
    """Optional web address of the poster PDF or the study: a QR code to it goes on the
    credits card and the poster footer."""


class Ui(Model):
    group_label: Text
    """Label above a question to the group."""
    personal_label: Text
    """Label above a personal question."""
    card_label: Text
    """Word for 'card', as in 'Card 12'."""
    level_label: Text
    """Word for an ambition level, as in 'Ambition 03'."""
    phase_label: Text
    """Word for a cycle phase, as in 'Phase 02'."""
    tip_label: Text
    """Word for a tip, as in 'Tip 4'."""
    reflection_label: Text
    """Label of the cycle's reflection question."""
    themes_label: Text
    """Word for 'themes' (how-to card, poster)."""
    howto_title: Text
    """Title of the how-to-use card."""
    howto_steps: tuple[Text, ...] = Field(min_length=1)
    """Steps on the how-to-use card, in order."""
    title_card_note: Text
    """Short line on the title card."""
    credits_title: Text
    """Title of the credits card."""
    calibrate_title: Text
    """Title of the duplex test sheet (``kaartspel calibrate``)."""
    calibrate_steps: tuple[Text, ...] = Field(min_length=1)
    """How to use the test sheet, in order; ``{edge}`` is replaced by edge_long or edge_short."""
    calibrate_front: Text
    """Label of the test sheet's front."""
    calibrate_back: Text
    """Label of the test sheet's back."""
    calibrate_back_note: Text
    """Line on the test sheet's back: look at it from the front."""
    calibrate_scale: Text
    """Line under the test sheet's 100 mm bar (it checks printing at actual size)."""
    calibrate_corners: Text
    """Line beside the test sheet's corner grids (what a difference between them means)."""
    calibrate_example: Text
    """The test sheet's worked example; ``{x}``, ``{y}`` and ``{offset}`` are replaced."""
    calibrate_applied: Text
    """Line on a test sheet printed with a back offset; ``{offset}`` is replaced by X,Y."""
    edge_long: Text
    """The long edge of the paper, as in 'flipping on the long edge'."""
    edge_short: Text
    """The short edge of the paper."""
    box_steps: tuple[Text, ...] = Field(min_length=1)
    """How to make the tuck box, in order."""
    box_paper: Text
    """Paper advice on the tuck box sheet."""
    box_cut: Text
    """Key of the box's cut lines (one word)."""
    box_fold: Text
    """Key of the box's fold lines (one word)."""
    box_glue: Text
    """Word on the box's glue flap."""
    cards_count: Text
    """A number of cards; ``{n}`` is replaced by the number (box, legend card)."""
    legend_title: Text
    """Title of the legend card (every theme with colour, icon and card count)."""
    blank_title: Text
    """Band of a blank write-on card that belongs to no theme."""
    qr_label: Text
    """Line beside the QR code (credits card, poster footer)."""
    footnote_label: Text
    """Label for the source footnote."""
    tile_label: Text
    """Label of a poster tile; ``{tile}`` and ``{last}`` are replaced (e.g. 'B2 of C4')."""
    ladder_alt: Text
    """Alternative text for the ambition ladder diagram."""
    cycle_alt: Text
    """Alternative text for the cycle diagram."""
    icon_alt: Text
    """Alternative text for a theme icon; ``{theme}`` is replaced by the theme name."""


class Section(Model):
    title: Text
    """Heading of the section."""
    paragraphs: tuple[Text, ...] = Field(min_length=1)
    """Body paragraphs, in reading order."""


class Intro(Model):
    why: Section
    """*Waarom een lerende regio?* and how to use the instrument."""
    what: Section
    """*Wat is een lerende regio?* — the definition."""


class QuestionPair(Model):
    id: Id
    """Stable id, ``<theme>-<n>``, the same in every language."""
    group: Text
    """The question to the group."""
    personal: Text
    """The personal question."""


class Step(Model):
    number: StrictInt = Field(ge=1, le=99)
    """Position of the step (1 = first/lowest)."""
    title: Text
    """Title of the step."""
    text: Text
    """Description of the step."""


class Ambitions(Model):
    name: Text
    """Short theme name for cards and backs."""
    title: Text
    """Section heading."""
    text: Text
    """Introduction to the ambition ladder."""
    levels: tuple[Step, ...] = Field(min_length=1)
    """Ladder steps, from the lowest (01) to the highest."""
    questions: tuple[QuestionPair, ...] = Field(min_length=1)
    """Question pairs beside the ladder."""
    credit: Text
    """Credit for the ladder (adapted from Bergman et al. 2017)."""


class Cycle(Model):
    name: Text
    """Short theme name for cards and backs."""
    title: Text
    """Section heading."""
    phases: tuple[Step, ...] = Field(min_length=2)
    """Phases of the cycle, in order; the last leads back to the first."""
    reflection: Text
    """Reflection question about the cycle (to the group)."""


class Roles(Model):
    name: Text
    """Short theme name for cards and backs."""
    title: Text
    """Section heading."""
    text: Text
    """Introduction to roles."""
    questions: tuple[QuestionPair, ...] = Field(min_length=1)
    """Question pairs about roles."""


class Essential(Model):
    name: Text
    """Theme name (also its heading)."""
    text: Text
    """Introduction to the theme."""
    questions: tuple[QuestionPair, ...] = Field(min_length=1)
    """Question pairs of the theme."""


class Essentials(Model):
    title: Text
    """Section heading."""
    themes: dict[Id, Essential] = Field(min_length=1)
    """The essential themes by id, in display order."""


class Tip(Model):
    id: Id
    """Stable id, ``tip-<n>``."""
    text: Text
    """The tip."""


class Tips(Model):
    name: Text
    """Short theme name for cards and backs."""
    title: Text
    """Section heading."""
    items: tuple[Tip, ...] = Field(min_length=1)
    """The tips, in order."""


class ContentFile(Model):
    """Everything one language folder holds, merged over its YAML files."""

    meta: Meta
    """Title, lead, citation and funding line."""
    ui: Ui
    """Interface strings used on cards and the poster."""
    intro: Intro
    """The two introductory sections."""
    ambities: Ambitions
    """The ambition ladder and its questions."""
    cyclus: Cycle
    """The four-phase cycle and its reflection question."""
    rollen: Roles
    """Roles in the collaboration."""
    essentials: Essentials
    """What is essential: the three themes with their questions."""
    tips: Tips
    """The six tips."""


TOP_LEVEL_KEYS = tuple(ContentFile.model_fields)
