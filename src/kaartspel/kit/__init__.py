"""The trainer's kit: what a session needs besides the deck.

    calibrate  the duplex test sheet (a ruler grid on the front, crosshairs on the back)
    box        a printable tuck box sized to the deck
    export     screen images of the cards (PNG, 16:9 slides) for online sessions
    sheets     what they share: HTML rendered to a page, exact lines drawn over it

``kit`` ranks above ``deck`` and ``poster`` (it builds on decks) and below ``build``.
"""
