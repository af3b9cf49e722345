"""Turn "De lerende regio" into print-ready card decks and posters."""

__version__ = "0.1.0"
