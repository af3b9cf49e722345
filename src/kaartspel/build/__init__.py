"""Builds of recipes: recipes, planning (hashes, manifest), running in parallel, watch, preview."""
