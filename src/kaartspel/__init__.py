"""Turn "De lerende regio" into print-ready card decks and posters.

The package has one subpackage per stage of the pipeline.  Imports only point down:

    cli      the command line: Typer app, the glue behind each command, terminal reports
    serve    the organiser's composer: a local web page (Starlette, htmx) over the same options
    build    recipes, planning (input hashes, the manifest), running builds, watch, preview
    kit      the trainer's kit: the duplex test sheet, the tuck box, screen exports
    deck     cards and selection, faces, the face store, the type size, deck assembly
    poster   poster geometry, layout tree, design, rendering, fit search, assembly
    pdf      pikepdf work: imposition, tiling, font merging, PDF/X and PDF/UA, saving, preflight
    render   WeasyPrint: templates and palette, the URL sandbox, measuring, hyphenation, stamps
    content  the content schema, YAML with source locations, loading, the model, lint
    options  every deck and poster option, declared once
    units, cache           sizes in mm, the content-addressed cache (it heals itself)
    files                  the one atomic writer; what an output may replace
    errors                 the error hierarchy

A module imports only from its own subpackage or from a lower line (``deck`` and ``poster``
never from each other; ``kit`` builds on both); ``tests/architecture/test_layering.py``
checks this rule.
"""

__version__ = "0.1.0"
