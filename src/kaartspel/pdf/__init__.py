"""PDF work with pikepdf: imposition, tiling, font merging, PDF/X and PDF/UA, saving, preflight."""
