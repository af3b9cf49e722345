"""Independent checks of the PDFs kaartspel writes: validators and renderers that are not ours.

Each check asks a program or library the project does not otherwise use, so a test compares
kaartspel's output with someone else's reading of the standard:

* :func:`pdfua_validate` — PDF/UA-1 (or PDF/A) rules, by ``page-validation`` (pip, dev extra);
* :func:`pdfbox_preflight` — the XMP metadata as Apache PDFBox reads it (Debian
  ``libpdfbox2-java``, run on a JRE);
* :func:`ghostscript_ink`, :func:`ghostscript_max_ink` — total ink per pixel as Ghostscript
  separates the pages for the document's output intent;
* :func:`pdftotext_text`, :func:`pdfminer_text` — extracted text (poppler, pdfminer.six);
* :func:`chromium_path`, :func:`chromium_page` — Debian's Chromium, driven by Playwright.

A missing tool skips the test locally and fails it when the ``CI`` environment variable is
set (:func:`require_tool`): ``.ci/run`` installs every tool, and under CI a test must not skip
its point.  Import from a test module as ``from support.validators import ...`` (pytest puts
``tests/`` on the path).
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, NoReturn

import pytest


class Verdict(NamedTuple):
    """A validator's answer: *ok*, and the messages that made it not ok (empty when ok)."""

    ok: bool
    messages: list[str]


# --- tools ------------------------------------------------------------------------------------


def unavailable(what: str) -> NoReturn:
    """Skip the calling test because *what* is missing, or fail it when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed (.ci/run installs it)", pytrace=False)
    pytest.skip(f"{what} is not installed")


def require_tool(name: str) -> str:
    """Return the path of command-line tool *name*; skip without it, except in CI (fail)."""
    path = shutil.which(name)
    if path is None:
        unavailable(name)
    return path


def require_module(name: str, package: str) -> ModuleType:
    """Import Python module *name* (from pip *package*); skip without it, except in CI (fail)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        unavailable(f"Python package {package}")


def _run(command: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


# --- PDF/UA and PDF/A: page-validation ---------------------------------------------------------


def pdfua_validate(path: Path, profile: str = "ua1") -> Verdict:
    """Validate *path* against PDF/UA-1 (or a PDF/A *profile*: ``1b``, ``2b``, ``2u`` …).

    ``page-validation`` checks the machine-checkable rules of the Matterhorn protocol for
    PDF/UA-1 and of PDF/A-1 to 3 (it passes the veraPDF and Isartor corpora).  Messages are
    ``RULE-ID: message (object N)``, one per failed rule.  What no machine can judge (is the
    alternative text apt, is the reading order the intended one) is not covered.
    """
    page = require_module("page", "page-validation")
    try:
        report = page.validate_pdf(str(path), profile=profile)
    except page.ParseError as exc:
        return Verdict(False, [f"cannot parse {path.name}: {exc}"])
    messages = []
    for failure in report.failures:
        where = f" (object {failure.object_id.object_number})" if failure.object_id else ""
        messages.append(f"{failure.rule_id}: {failure.message}{where}")
    return Verdict(bool(report.is_compliant), messages)


# --- XMP metadata: Apache PDFBox preflight ------------------------------------------------------

JAVA_LIBRARIES = Path("/usr/share/java")
PDFBOX_JARS = ("preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging",
               "javax.activation", "jaxb-api")
"""The Debian jars PDFBox 2.0 preflight runs on (``libpdfbox2-java``, ``libfontbox2-java``,
``libcommons-logging-java``, ``libactivation-java``, ``libjaxb-api-java``)."""
PDFBOX_VALIDATOR = "org.apache.pdfbox.preflight.Validator_A1b"

PDFBOX_SCHEMAS = frozenset({
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/xap/1.0/mm/",
    "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/bj/",
    "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/pdf/1.3/",
    "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/tiff/1.0/",
    "http://www.aiim.org/pdfa/ns/id/",
    "http://www.aiim.org/pdfa/ns/extension/",
})
"""The XMP schemas PDFBox 2.0's xmpbox knows without a PDF/A extension schema declaration."""
PDFBOX_UNKNOWN_PROPERTIES = frozenset({("http://ns.adobe.com/pdf/1.3/", "Trapped")})
"""Properties of known schemas that xmpbox 2.0 has no type for (``pdf:Trapped`` came with
XMP 2005, after PDF/A-1's XMP 2004), so it stops reading at them."""

_PROPERTY = r"<{prefix}:(?P<name>{name})\b[^>]*?(?:/>|>.*?</{prefix}:(?P=name)\s*>)"


def pdfbox_classpath() -> str:
    """Return the Java class path of PDFBox preflight; skip without it, except in CI (fail)."""
    require_tool("java")
    jars = [JAVA_LIBRARIES / f"{name}.jar" for name in PDFBOX_JARS]
    missing = [jar.name for jar in jars if not jar.is_file()]
    if missing:
        unavailable(f"Apache PDFBox preflight ({', '.join(missing)} in {JAVA_LIBRARIES})")
    return os.pathsep.join(str(jar) for jar in jars)


def pdfbox_preflight(path: Path) -> Verdict:
    """Read the XMP metadata of *path* with Apache PDFBox 2.0 preflight; return its complaints.

    PDFBox preflight validates PDF/A-1b, which kaartspel does not claim, so only its metadata
    checks (error codes 7.x) count: that the XMP packet parses, that the standard schemas
    (Dublin Core, XMP basic, Adobe PDF, media management) are where PDFBox looks for them, and
    that /Info agrees with them — /Title with ``dc:title``, /Producer with ``pdf:Producer``,
    dates, /Creator with ``xmp:CreatorTool`` (7.2).  Left out as PDF/A rules: 7.11 (no
    ``pdfaid`` identification), and the PDF/A-1 colour, font, transparency and cross-reference
    stream rules (codes 1–6).

    PDFBox stops reading XMP at the first property it has no definition for, which without a
    PDF/A extension schema includes every ``pdfuaid:``/``pdfxid:`` property and ``pdf:Trapped``.
    So that the checks above still run, those properties are cut from a scratch copy first
    (text removed as is; nothing else in the packet changes).  ``page-validation`` checks the
    PDF/UA identification (:func:`pdfua_validate`).  Messages are ``code: details``.
    """
    java = require_tool("java")
    classpath = pdfbox_classpath()
    with tempfile.TemporaryDirectory(prefix="pdfbox-") as folder:
        readable = _without_properties_pdfbox_cannot_type(path, Path(folder) / path.name)
        result = _run([java, "-cp", classpath, PDFBOX_VALIDATOR, "xml", str(readable)])
    try:
        report = ET.fromstring(result.stdout)
    except ET.ParseError:
        return Verdict(False, [f"PDFBox preflight failed (exit {result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()[-500:]}"])
    messages = []
    for error in report.iter("error"):
        code = (error.findtext("code") or "").strip()
        details = (error.findtext("details") or "").strip()
        if code.startswith("7") and not code.startswith("7.11"):
            messages.append(f"{code}: {details}")
    return Verdict(not messages, messages)


def _without_properties_pdfbox_cannot_type(path: Path, copy: Path) -> Path:
    """Return *path*, or *copy* of it whose XMP lacks what :data:`PDFBOX_SCHEMAS` lacks."""
    pikepdf = require_module("pikepdf", "pikepdf")
    with pikepdf.open(path) as pdf:
        metadata = pdf.Root.get("/Metadata")
        if metadata is None:
            return path
        text = metadata.read_bytes().decode("utf-8")
        declared = re.findall(r'xmlns:([\w.-]+)\s*=\s*"([^"]*)"', text)
        cut = text
        for prefix, uri in declared:
            if prefix in ("x", "rdf", "xml"):
                continue
            names = [r"[\w.-]+"] if uri not in PDFBOX_SCHEMAS else [
                name for schema, name in PDFBOX_UNKNOWN_PROPERTIES if schema == uri]
            for name in names:
                cut = re.sub(_PROPERTY.format(prefix=re.escape(prefix), name=name), "", cut,
                             flags=re.DOTALL)
                cut = re.sub(rf'\s{re.escape(prefix)}:{name}\s*=\s*"[^"]*"', "", cut)
        if cut == text:
            return path
        metadata.write(cut.encode("utf-8"))
        pdf.save(copy)
    return copy


# --- ink: Ghostscript --------------------------------------------------------------------------


BOXES = {"media": None, "crop": "-dUseCropBox", "bleed": "-dUseBleedBox",
         "trim": "-dUseTrimBox", "art": "-dUseArtBox"}
"""Which page box Ghostscript renders (``media``: the whole page)."""


def ghostscript_ink(path: Path, dpi: float = 36, box: str = "media") -> list[float]:
    """Return the highest total ink (C + M + Y + K, %) of any pixel, page by page.

    *box* renders only that page box (``bleed``, ``art`` …; a page without it falls back
    to its crop or media box): the ink limit applies to what is printed as the product,
    not to printer's marks beside it, which are in the registration colour (400 %) by
    design.

    Ghostscript separates each page into CMYK (``tiff32nc``, 8 bits per ink) at *dpi*.
    ``-dUsePDFX3Profile`` makes the document's output intent profile the output profile, so
    DeviceCMYK passes through unchanged and any RGB content is converted through that profile
    (relative colorimetric, ``-dRenderIntent=1``, without the black point compensation
    Ghostscript would otherwise apply: :mod:`kaartspel.render.colour` does the same, and it is
    the heavier, so the safer, reading of dark RGB; ``-dUseFastColor=false`` keeps the ICC
    workflow on).  Without an output intent, Ghostscript's default CMYK profile is used.
    Fills paint every pixel they touch, so fine lines are measured at full strength; a low
    *dpi* is enough.  The 8-bit separation measures to ±0.2 % per ink.
    """
    from PIL import Image, ImageMath

    ghostscript = require_tool("gs")
    with tempfile.TemporaryDirectory(prefix="gs-ink-") as folder:
        result = _run([ghostscript, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE",
                       "-sDEVICE=tiff32nc", f"-r{dpi:g}", "-dUsePDFX3Profile",
                       *([BOXES[box]] if BOXES[box] else []),
                       "-dRenderIntent=1", "-dBlackPtComp=0", "-dUseFastColor=false",
                       f"-sOutputFile={folder}/page-%05d.tif", str(path)], timeout=900)
        if result.returncode != 0:
            pytest.fail(f"gs could not render {path.name} (exit {result.returncode}): "
                        f"{(result.stderr or result.stdout).strip()[-500:]}", pytrace=False)
        highest = []
        for page in sorted(Path(folder).glob("page-*.tif")):
            with Image.open(page) as image:
                c, m, y, k = (band.convert("I") for band in image.split())
                total: Any = ImageMath.lambda_eval(
                    lambda ink: ink["c"] + ink["m"] + ink["y"] + ink["k"], c=c, m=m, y=y, k=k)
                highest.append(total.getextrema()[1] * 100 / 255)
    if not highest:
        pytest.fail(f"gs rendered no page of {path.name}", pytrace=False)
    return highest


def ghostscript_max_ink(path: Path, dpi: float = 36, box: str = "media") -> float:
    """Return the highest total ink (%) of any pixel on any page (see :func:`ghostscript_ink`)."""
    return max(ghostscript_ink(path, dpi, box))


# --- text ----------------------------------------------------------------------------------------


def pdftotext_text(path: Path, raw: bool = False) -> str:
    """Return the text of *path* as poppler's ``pdftotext`` extracts it (UTF-8).

    By default poppler orders the text by its own reading of the page's geometry; with
    *raw* it keeps the content streams' order (``-raw``), which is the order the producer
    wrote: the one a producer controls.
    """
    result = _run([require_tool("pdftotext"), "-enc", "UTF-8", *(["-raw"] if raw else []),
                   str(path), "-"])
    if result.returncode != 0:
        pytest.fail(f"pdftotext failed on {path.name}: {result.stderr.strip()}", pytrace=False)
    return result.stdout


def pdfminer_text(path: Path) -> str:
    """Return the text of *path* as pdfminer.six extracts it (a second, pure-Python reader)."""
    high_level = require_module("pdfminer.high_level", "pdfminer.six")
    text: str = high_level.extract_text(str(path))
    return text


# --- browser: Chromium -------------------------------------------------------------------------

CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
"""Run headless as root in a container, and never reach out to the network on its own."""


def chromium_path() -> str:
    """Return the path of Debian's Chromium; skip without it, except in CI (fail)."""
    return require_tool("chromium")


@contextmanager
def chromium_page(width: int = 800, height: int = 600) -> Iterator[Any]:
    """Yield a Playwright ``Page`` in headless Debian Chromium, closed afterwards.

    Playwright's own browser download is not used (``playwright install`` needs the network);
    it drives the system Chromium through *executable_path*.
    """
    sync_api = require_module("playwright.sync_api", "playwright")
    executable = chromium_path()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=list(CHROMIUM_ARGS))
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


__all__ = [
    "CHROMIUM_ARGS", "Verdict", "chromium_page", "chromium_path", "ghostscript_ink",
    "ghostscript_max_ink", "pdfbox_classpath", "pdfbox_preflight", "pdfminer_text",
    "pdftotext_text", "pdfua_validate", "require_module", "require_tool", "unavailable",
]
