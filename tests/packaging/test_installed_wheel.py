"""The wheel works outside the checkout: templates, fonts, icons and the ICC profile ship in it.

The wheel is built from the checkout and installed, without its dependencies, into a new
virtual environment; the dependencies come from the running environment through a ``.pth``
line (which, unlike the editable install's own ``.pth`` file, does not put ``src/`` on the
path).  The deck and the poster are then built from an empty folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
"""No PYTHONPATH: it would put a checkout's src/ before the installed wheel."""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the python of a new venv that has only the built wheel of kaartspel."""
    pytest.importorskip("wheel", reason="building the wheel needs the 'wheel' package")
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(root / "dist"), str(REPO)],
                   check=True, cwd=root, capture_output=True)
    (wheel,) = (root / "dist").glob("kaartspel-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([str(python), "-c", purelib], env=CLEAN_ENV,
                          check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", "--target", site, str(wheel)], check=True, capture_output=True)
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from kaartspel.cli.launch import main; sys.argv[0] = 'kaartspel'; main()"
    return subprocess.run([str(python), "-c", code, *args], cwd=cwd, env=CLEAN_ENV,
                          capture_output=True, text=True, timeout=300)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                             tmp_path: Path) -> None:
    where = subprocess.run([str(installed), "-c", "import kaartspel, kaartspel.render.templates"
                            " as t; print(kaartspel.__file__); print(t.PACKAGE_TEMPLATES)"],
                           cwd=tmp_path, env=CLEAN_ENV, capture_output=True, text=True,
                           check=True).stdout
    package, templates = where.splitlines()
    assert str(REPO) not in package and str(REPO) not in templates
    assert Path(templates, "icc", "FOGRA39L-coated.icc").is_file()
    assert Path(templates, "fonts", "SourceSans3-Regular.ttf").is_file()


def test_a_deck_and_a_poster_build_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    import pikepdf

    content = str(REPO / "content")
    deck = run(installed, tmp_path, "--content", content, "deck", "--theme", "netwerkvorming",
               "--pdf", "print", "-o", "deck.pdf")
    assert deck.returncode == 0, deck.stderr
    poster = run(installed, tmp_path, "--content", content, "poster", "--size", "a4",
                 "-o", "poster.pdf")
    assert poster.returncode == 0, poster.stderr
    with pikepdf.open(tmp_path / "deck.pdf") as pdf:
        assert "/OutputIntents" in pdf.Root  # the ICC profile came from the wheel
        assert len(pdf.pages) >= 2
    with pikepdf.open(tmp_path / "poster.pdf") as pdf:
        assert len(pdf.pages) == 2  # the A4 handout
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == [
        "deck.pdf", "poster.pdf"]
