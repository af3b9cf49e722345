"""``kaartspel serve``: the organiser's composer, a local web page to compose a deck.

One page (:mod:`.app`) to pick cards, write own questions and see each as its real card, and
download the PDF or a recipe; :mod:`.run` starts it.  Renders run in a small pool of
processes (:mod:`.pool`, :mod:`.work`); the form is built from the options model
(:mod:`.fields`, :mod:`.state`); own questions are checked with the library's rules
(:mod:`.questions`).  Nothing of an organiser's is kept once the server stops.
"""
