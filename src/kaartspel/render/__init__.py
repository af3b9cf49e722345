"""HTML to PDF with WeasyPrint: templates, palette, URL sandbox, measuring, hyphenation, stamps."""
