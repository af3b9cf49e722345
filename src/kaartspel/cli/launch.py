"""The ``kaartspel`` console script: a head start for deck builds, then the command line.

A deck or poster command run again with nothing changed is answered first, before anything
heavy loads (see :mod:`kaartspel.build.repeated_command`).  Loading the command line (Typer,
Rich) takes 0.3 s.  A deck build forks its render helper
before that (see :mod:`kaartspel.deck.workers`), so WeasyPrint is loading all the while.  At the
end the process exits without tearing the interpreter down (another 0.2 s).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line (console-script entry point)."""
    try:
        from kaartspel.deck.workers import command_of, start_early

        command = command_of(sys.argv[1:])
        if command in ("deck", "poster"):
            from kaartspel.build.repeated_command import answer

            # The same command again, nothing changed: say so before loading more.
            unchanged = answer(sys.argv[1:], command)
            if unchanged is not None:
                print(unchanged)
                _exit_now(0)
        start_early(sys.argv[1:])
        from kaartspel.cli.app import main as run

        run()
    except SystemExit as done:
        _exit_now(done.code)
    except KeyboardInterrupt:  # before the command line was loaded (it reports its own)
        from kaartspel.deck.workers import take_early

        helper = take_early()
        if helper is not None:
            helper.close()
        print("Error: interrupted; no output was written", file=sys.stderr)
        _exit_now(130)


def _exit_now(code: object) -> None:
    """Exit with *code* without the interpreter's teardown.

    Freeing every object of WeasyPrint, pikepdf and fontTools takes 0.2 s after the work is
    done: every output is written and closed (atomically) by now, a render helper was
    stopped, and standard streams and log handlers are flushed here.
    """
    import contextlib
    import logging
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what Python does with a message: print it, status 1
        print(code, file=sys.stderr)
        status = 1
    rendering = sys.modules.get("kaartspel.render.document")
    if rendering is not None:  # WeasyPrint's font folders go with their configurations
        rendering.release_fonts()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (| head): nothing more to say.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
