"""The poster: geometry, the layout tree, the design, rendering, the fit search, assembly."""
