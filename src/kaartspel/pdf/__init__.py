"""PDF work with pikepdf: imposition, tiling, font merging, the PDF/X and PDF/UA variants, saving, preflight."""
