"""HTML to PDF with WeasyPrint: templates and palette, the URL sandbox, measuring, hyphenation, stamps."""
