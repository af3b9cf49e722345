"""The composer page's own words in Dutch and English (the content's words come from content/).

Option labels and choice names are translated here for the page; the help under each option
is the options model's docstring (in English), so an option added to the model shows up with
its own name and help before anyone translates it.
"""

from __future__ import annotations

from collections.abc import Mapping

UI: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "page_title": "Kaartenset samenstellen",
        "tagline": "Kies kaarten, schrijf eigen vragen, zie ze meteen als kaart en download "
                   "de PDF.",
        "language": "Taal van de kaarten",
        "step_cards": "Kaarten kiezen",
        "cards_help": "Niets aangevinkt is de hele set. Aangevinkte thema's tellen op, soorten "
                      "ook; een thema en een soort samen beperken elkaar. Losse kaarten komen "
                      "erbij.",
        "themes": "Thema's",
        "kinds": "Soorten kaarten",
        "single_cards": "Losse kaarten kiezen",
        "single_help": "De aangevinkte kaarten komen bij de gekozen thema's en soorten (zonder "
                       "thema of soort: alleen die kaarten).",
        "set_theme": "Algemeen",
        "step_own": "Eigen vragen",
        "own_help": "Elke vraag heeft een vraag aan de groep en een vraag aan jezelf. De kaart "
                    "verschijnt terwijl je typt, precies zoals hij gedrukt wordt.",
        "own_theme": "Thema van je eigen vragen",
        "question_n": "Eigen vraag {n}",
        "add": "Vraag toevoegen",
        "remove": "Verwijderen",
        "up": "Omhoog",
        "down": "Omlaag",
        "move_up": "Vraag {n} omhoog",
        "move_down": "Vraag {n} omlaag",
        "remove_n": "Vraag {n} verwijderen",
        "no_questions": "Nog geen eigen vragen.",
        "upload": "Vragen uit een tabel halen",
        "upload_help": "Een CSV- of Excel-bestand (.xlsx) met de kolommen group en personal; "
                       "de vragen komen onder de bestaande.",
        "upload_button": "Tabel inlezen",
        "template": "Voorbeeldtabel:",
        "imported": "{n} vragen ingelezen uit {name}.",
        "upload_errors": "{name} is niet ingelezen:",
        "no_file": "Kies eerst een bestand.",
        "preview_alt": "Voorbeeld van eigen vraag {n} als kaart",
        "preview_waiting": "De kaart verschijnt zodra je typt.",
        "preview_size": "Tekst op {pt} pt, zoals de rest van de set.",
        "preview_not_fit": "Past niet, ook niet op de kleinste tekstgrootte.",
        "step_print": "Drukken",
        "print_help": "Voor de kantoorprinter: vellen met snijtekens. Voor een drukkerij: "
                      "één kaart per pagina.",
        "step_download": "Downloaden",
        "download": "PDF downloaden",
        "recipe": "Bewaren als recept",
        "recipe_help": "Een zip met het recept en je vragen: bouw dezelfde PDF later opnieuw "
                       "met kaartspel build.",
        "command": "Dezelfde set vanaf de opdrachtregel",
        "summary": "{cards} kaarten op {pages} pagina's.",
        "summary_one": "1 kaart op {pages} pagina's.",
        "own_outside": "Je eigen vragen horen bij {theme}, dat niet in je keuze zit.",
        "busy": "Even druk: probeer het over een paar seconden opnieuw.",
        "try_again": "Opnieuw proberen",
        "fix_first": "Los eerst deze punten op:",
        "too_many": "Hoogstens {n} eigen vragen.",
        "too_long": "Hoogstens {n} tekens.",
        "group": "Vraag aan de groep",
        "personal": "Vraag aan jezelf",
        "none": "geen",
        "skip": "Naar de inhoud",
        "footer": "Gemaakt met kaartspel. Je vragen blijven in deze browser en in het geheugen "
                  "van de server op deze computer; niets wordt bewaard als de server stopt.",
    },
    "en": {
        "page_title": "Compose a card set",
        "tagline": "Pick cards, write your own questions, see each as its card, download the PDF.",
        "language": "Language of the cards",
        "step_cards": "Choose cards",
        "cards_help": "Nothing ticked means the whole set. Ticked themes add up, as do kinds; "
                      "a theme and a kind together narrow each other. Single cards are added.",
        "themes": "Themes",
        "kinds": "Kinds of card",
        "single_cards": "Choose single cards",
        "single_help": "The ticked cards are added to the chosen themes and kinds (with no "
                       "theme or kind: only those cards).",
        "set_theme": "General",
        "step_own": "Your own questions",
        "own_help": "Each question has a question for the group and one for yourself. The card "
                    "appears as you type, exactly as it will print.",
        "own_theme": "Theme of your own questions",
        "question_n": "Own question {n}",
        "add": "Add a question",
        "remove": "Remove",
        "up": "Up",
        "down": "Down",
        "move_up": "Move question {n} up",
        "move_down": "Move question {n} down",
        "remove_n": "Remove question {n}",
        "no_questions": "No questions of your own yet.",
        "upload": "Read questions from a table",
        "upload_help": "A CSV or Excel (.xlsx) file with the columns group and personal; its "
                       "questions are added below yours.",
        "upload_button": "Read the table",
        "template": "Template:",
        "imported": "Read {n} questions from {name}.",
        "upload_errors": "{name} was not read:",
        "no_file": "Choose a file first.",
        "preview_alt": "Own question {n} as a card",
        "preview_waiting": "The card appears as you type.",
        "preview_size": "Text at {pt} pt, like the rest of the set.",
        "preview_not_fit": "Does not fit, even at the smallest text size.",
        "step_print": "Printing",
        "print_help": "For an office printer: sheets with crop marks. For a print shop: one "
                      "card per page.",
        "step_download": "Download",
        "download": "Download the PDF",
        "recipe": "Save as recipe",
        "recipe_help": "A zip with the recipe and your questions: build the same PDF again "
                       "later with kaartspel build.",
        "command": "The same set from the command line",
        "summary": "{cards} cards on {pages} pages.",
        "summary_one": "1 card on {pages} pages.",
        "own_outside": "Your own questions belong to {theme}, which is not in your selection.",
        "busy": "Busy right now: try again in a few seconds.",
        "try_again": "Try again",
        "fix_first": "Fix these first:",
        "too_many": "At most {n} questions of your own.",
        "too_long": "At most {n} characters.",
        "group": "Question for the group",
        "personal": "Question for yourself",
        "none": "none",
        "skip": "Skip to the content",
        "footer": "Made with kaartspel. Your questions stay in this browser and in the memory "
                  "of the server on this computer; nothing is kept once the server stops.",
    },
}

LABELS: Mapping[str, Mapping[str, str]] = {
    "nl": {"size": "Kaartformaat", "layout": "Opmaak", "paper": "Papier", "margin": "Marge (mm)",
           "gutter": "Tussenruimte (mm)", "bleed": "Afloop (mm)", "duplex": "Dubbelzijdig",
           "backs": "Achterkanten", "order": "Paginavolgorde", "pdf": "Soort PDF",
           "strict": "Streng", "extras": "Titel-, uitleg- en bronnenkaart bij een thema"},
    "en": {"size": "Card size", "layout": "Layout", "paper": "Paper", "margin": "Margin (mm)",
           "gutter": "Gutter (mm)", "bleed": "Bleed (mm)", "duplex": "Duplex",
           "backs": "Backs", "order": "Page order", "pdf": "PDF variant", "strict": "Strict",
           "extras": "Title, how-to and credits cards with a theme"},
}
"""Option labels; an option missing here is labelled with its own name."""

CHOICES: Mapping[str, Mapping[tuple[str, str], str]] = {
    "nl": {
        ("layout", "sheet"): "Vellen met snijtekens (kantoorprinter)",
        ("layout", "single"): "Eén kaart per pagina (drukkerij)",
        ("duplex", "long"): "Omslaan over de lange kant",
        ("duplex", "short"): "Omslaan over de korte kant",
        ("duplex", "none"): "Enkelzijdig",
        ("backs", "theme"): "Per thema",
        ("backs", "plain"): "Eén achterkant voor alles",
        ("backs", "none"): "Geen",
        ("order", "fronts-then-backs"): "Eerst voorkanten, dan achterkanten",
        ("order", "interleaved"): "Voor- en achterkant om en om",
        ("pdf", "plain"): "Gewoon (RGB)",
        ("pdf", "print"): "Drukwerk (PDF/X-4, CMYK)",
        ("pdf", "accessible"): "Toegankelijk (PDF/UA-1)",
    },
    "en": {
        ("layout", "sheet"): "Sheets with crop marks (office printer)",
        ("layout", "single"): "One card per page (print shop)",
        ("duplex", "long"): "Flip on the long edge",
        ("duplex", "short"): "Flip on the short edge",
        ("duplex", "none"): "Single-sided",
        ("backs", "theme"): "One per theme",
        ("backs", "plain"): "One back for all",
        ("backs", "none"): "None",
        ("order", "fronts-then-backs"): "Fronts first, then backs",
        ("order", "interleaved"): "Each front followed by its back",
        ("pdf", "plain"): "Plain (RGB)",
        ("pdf", "print"): "Print (PDF/X-4, CMYK)",
        ("pdf", "accessible"): "Accessible (PDF/UA-1)",
    },
}
"""Names of option values; a value missing here is shown as itself."""

KINDS: Mapping[str, Mapping[str, str]] = {
    "nl": {"title": "Titelkaart", "howto": "Zo werkt het", "intro": "Inleiding",
           "theme": "Themakaarten", "level": "Ambitieniveaus", "phase": "Fasen van de cyclus",
           "question": "Vragen", "tip": "Tips", "credits": "Bronnen"},
    "en": {"title": "Title card", "howto": "How to use", "intro": "Introduction",
           "theme": "Theme cards", "level": "Ambition levels", "phase": "Cycle phases",
           "question": "Questions", "tip": "Tips", "credits": "Credits"},
}

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

EXAMPLE = {
    "nl": ("Wie ontbreekt er nog aan tafel om deze opgave samen aan te pakken?",
           "Wie uit jouw netwerk zou jij hierbij willen betrekken?"),
    "en": ("Who is still missing at the table to take this on together?",
           "Who from your own network would you like to involve?"),
}
"""The example pair of the downloadable table templates."""


def words(lang: str) -> Mapping[str, str]:
    """Return the page's words in *lang* (English for a language without its own)."""
    return UI.get(lang, UI["en"])
