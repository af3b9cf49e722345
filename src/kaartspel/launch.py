"""The ``kaartspel`` console script: a head start for deck builds, then the command line.

Loading the command line (Typer, Rich) takes 0.3 s.  A deck build forks its render helper
before that (see :mod:`kaartspel.helper`), so WeasyPrint is loading all the while.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line (console-script entry point)."""
    from .helper import start_early

    start_early(sys.argv[1:])
    from .cli import main as run

    run()


if __name__ == "__main__":
    main()
