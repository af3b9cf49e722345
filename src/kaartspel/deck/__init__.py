"""Card decks: the cards and their selection, faces, the face store, the type size, assembly."""
