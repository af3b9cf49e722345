"""The hyphenation warm start: pyphen's parsed dictionary pickled in the build cache."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyphen
import pytest

from kaartspel.cache import seal, unseal
from kaartspel.render import hyphenation
from kaartspel.render.templates import TemplateSet

WORDS = ["samenwerkingsverband", "kennismanagement", "ontwikkelingssamenwerking",
         "netwerkvorming", "dialoogkaarten", "kwaliteitszorgmedewerker"]

NL = pyphen.LANGUAGES[pyphen.language_fallback("nl")]
"""The dictionary pyphen (and so WeasyPrint) uses for Dutch."""


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new process would: nothing parsed, nothing configured."""
    monkeypatch.setattr(pyphen, "hdcache", {})
    monkeypatch.setattr(hyphenation, "_cache_dir", None)
    monkeypatch.setattr(hyphenation, "_attempted", set())
    yield


def pickles(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "hyphenation").glob("*.pickle"))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, path: Any) -> None:
        raise AssertionError("the dictionary was parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", refuse)


def test_warm_start_parses_and_writes_the_pickle(tmp_path: Path) -> None:
    hyphenation.warm_start(tmp_path, ["nl"])
    (stored,) = pickles(tmp_path)
    assert stored.name.startswith("hyph_nl_NL-")
    assert isinstance(pyphen.hdcache[NL], pyphen.HyphDict)
    assert pyphen.Pyphen(lang="nl").hd is pyphen.hdcache[NL]  # what WeasyPrint will use
    stored_dict = pickle.loads(unseal(stored.read_bytes(), stored.name) or b"")
    assert isinstance(stored_dict, pyphen.HyphDict)
    assert not list((tmp_path / "hyphenation").glob(".*.tmp"))


def test_second_warm_start_loads_the_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = pyphen.HyphDict(NL)
    hyphenation.warm_start(tmp_path, ["nl"])
    (stored,) = pickles(tmp_path)
    written = stored.stat().st_mtime_ns
    monkeypatch.setattr(pyphen, "hdcache", {})  # a fresh process
    no_parsing(monkeypatch)
    hyphenation.warm_start(tmp_path, ["nl_NL"])
    loaded = pyphen.hdcache[NL]
    assert pickles(tmp_path) == [stored] and stored.stat().st_mtime_ns == written
    for word in WORDS:
        assert loaded.positions(word) == parsed.positions(word)
        assert [p.data for p in loaded.positions(word)] == [p.data for p in parsed.positions(word)]
    assert pyphen.Pyphen(lang="nl").inserted("samenwerkingsverband") == "sa-men-wer-kings-ver-band"


def test_a_loaded_dictionary_is_left_alone(tmp_path: Path) -> None:
    mine = pyphen.HyphDict(NL)
    pyphen.hdcache[NL] = mine
    hyphenation.warm_start(tmp_path, ["nl"])
    assert pyphen.hdcache[NL] is mine
    assert pickles(tmp_path) == []


@pytest.mark.parametrize("sealed", [False, True], ids=["raw", "sealed"])
@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps({"patterns": {}}),
                                    pickle.dumps(["a list"])])
def test_a_damaged_pickle_is_parsed_again_and_rewritten(tmp_path: Path, damage: bytes,
                                                        sealed: bool) -> None:
    """Damaged bytes fail the seal; sealed bytes that are no dictionary fail the type check."""
    hyphenation.warm_start(tmp_path, ["nl"])
    (stored,) = pickles(tmp_path)
    stored.write_bytes(seal(damage, stored.name) if sealed else damage)
    pyphen.hdcache.clear()
    hyphenation.warm_start(tmp_path, ["nl"])
    assert isinstance(pyphen.hdcache[NL], pyphen.HyphDict)
    assert pickles(tmp_path) == [stored]
    stored_dict = pickle.loads(unseal(stored.read_bytes(), stored.name) or b"")
    assert isinstance(stored_dict, pyphen.HyphDict)


def test_pickles_of_other_versions_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "hyphenation"
    folder.mkdir()
    (folder / "hyph_nl_NL-0123.pickle").write_bytes(b"old")
    (folder / "hyph_en_GB-0123.pickle").write_bytes(b"other language")
    hyphenation.warm_start(tmp_path, ["nl"])
    names = [p.name for p in pickles(tmp_path)]
    assert "hyph_nl_NL-0123.pickle" not in names and "hyph_en_GB-0123.pickle" in names
    assert len(names) == 2


def test_an_unwritable_cache_folder_still_loads_the_dictionary(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    hyphenation.warm_start(blocked, ["nl"])
    assert isinstance(pyphen.hdcache[NL], pyphen.HyphDict)


def test_no_cache_folder_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_parsing(monkeypatch)
    hyphenation.warm_start(None, ["nl"])
    hyphenation.warm_document('<html lang="nl">')
    assert pyphen.hdcache == {}


def test_unknown_language_and_other_pyphen_internals_do_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hyphenation.warm_start(tmp_path, ["xx", ""])
    assert pyphen.hdcache == {} and pickles(tmp_path) == []
    monkeypatch.delattr(pyphen, "hdcache")
    hyphenation.warm_start(tmp_path, ["nl"])  # no error
    monkeypatch.setattr(pyphen, "hdcache", {}, raising=False)
    monkeypatch.delattr(pyphen, "HyphDict")
    hyphenation.warm_start(tmp_path, ["nl"])
    assert pyphen.hdcache == {}


def test_warm_document_runs_once_per_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path | None, list[str]]] = []
    monkeypatch.setattr(hyphenation, "warm_start", lambda d, langs: calls.append((d, langs)))
    hyphenation.warm_document('<html lang="nl">')
    assert calls == []  # not configured
    hyphenation.configure(tmp_path)
    for html in ('<!DOCTYPE html>\n<html lang="nl">', "<HTML class='x' lang='nl'>",
                 '<html lang="en-GB">', "<html>", "<p lang='de'>"):
        hyphenation.warm_document(html)
    assert calls == [(tmp_path, ["nl"]), (tmp_path, ["en-GB"])]


def test_the_first_render_warms_its_language(tmp_path: Path) -> None:
    from kaartspel.render.document import render_document

    hyphenation.configure(tmp_path)
    html = ('<html lang="nl"><body><p style="hyphens: auto; width: 4em">'
            "samenwerkingsverband kennismanagement</p></body></html>")
    render_document(html, TemplateSet.create(), True, "test")
    assert len(pickles(tmp_path)) == 1
    assert isinstance(pyphen.hdcache[NL], pyphen.HyphDict)
