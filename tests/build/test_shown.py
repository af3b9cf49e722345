"""Rebuild what an edit shows: an output is skipped exactly when what it shows is unchanged.

The small project (see test_build): ``netwerkvorming-nl`` (one theme and own questions),
``tips-nl`` (the six tips) and ``netwerk-en`` (one theme, in English).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_build import copy_project, run, status_of

from conftest import ContentTree
from kaartspel.build.plan import BuildSettings, load_manifest, plan, save_manifest
from kaartspel.build.shown import KEY, output_key, sheet_key
from kaartspel.errors import KaartspelError
from kaartspel.options import BoxOptions, CalibrateOptions, PosterOptions

QUESTION = "Hoe vullen jullie elkaar aan?"
"""Card netwerkvorming-2 (content/nl/essentials.yaml): only the netwerkvorming deck shows it."""
ONE_TIP = ("type: deck\nlang: nl\noutput: one-tip-nl.pdf\nlayout: single\n"
           "select:\n  cards: [tip-1]\n")
"""A deck of tip-1 alone, at the tips deck's card size: it shows the tips' type size."""


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    return copy_project(tmp_path_factory, tmp_path, monkeypatch)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def outputs(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "build").glob("*.pdf"))}


def assert_as_built_afresh(project: Path, names: tuple[str, ...] = ()) -> None:
    """Build the outputs *names* (default: all) again from scratch, the faces cached, and
    check each file is byte for byte the one the incremental builds left."""
    kept = {name: data for name, data in outputs(project).items()
            if not names or name in names}
    for name in kept:
        (project / "build" / name).unlink()
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert {n for n, status in status_of(result.stdout).items() if status == "built"} == \
        set(kept)
    afresh = outputs(project)
    assert [n for n in kept if kept[n] != afresh[n]] == []


def test_question_edit_rebuilds_only_the_decks_that_show_it(project: Path) -> None:
    before = outputs(project)
    edit(project / "content" / "nl" / "essentials.yaml", QUESTION,
         "Hoe vullen jullie elkaar goed aan?")
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    # English is checked against Dutch but shows none of it; the tips deck has no questions.
    assert status_of(result.stdout) == {"netwerkvorming-nl.pdf": "built",
                                        "tips-nl.pdf": "up to date",
                                        "netwerk-en.pdf": "up to date"}
    after = outputs(project)
    assert after["netwerkvorming-nl.pdf"] != before["netwerkvorming-nl.pdf"]
    assert {n: after[n] for n in ("tips-nl.pdf", "netwerk-en.pdf")} == {
        n: before[n] for n in ("tips-nl.pdf", "netwerk-en.pdf")}
    # The skipped outputs took the new input hash: the next plan finds them fresh at once.
    assert plan(BuildSettings()).stale == []
    assert_as_built_afresh(project)


def test_an_edit_that_changes_a_kinds_size_rebuilds_every_deck_of_that_kind(
        project: Path) -> None:
    (project / "deck" / "one-tip-nl.yaml").write_text(ONE_TIP, "utf-8")
    assert status_of(run("build").stdout)["one-tip-nl.pdf"] == "built"
    before = outputs(project)
    tips = project / "content" / "nl" / "tips.yaml"
    long = ("Werk aan een manier waarop deze nieuwe manier van samen leren te organiseren "
            "valt. Denk aan nieuwe structuren, nieuwe routines, nieuwe financieringsbronnen.")
    longer = f"{long} Spreek af wie wat doet, en kijk samen geregeld terug op wat werkte."
    assert len(longer) <= 240  # a tip's limit
    edit(tips, long, longer)  # tip-6, the longest: the tips' size goes down
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert status_of(result.stdout) == {"netwerkvorming-nl.pdf": "up to date",
                                        "tips-nl.pdf": "built", "one-tip-nl.pdf": "built",
                                        "netwerk-en.pdf": "up to date"}
    # tip-1 itself is unchanged; it is set at the smaller size.
    assert outputs(project)["one-tip-nl.pdf"] != before["one-tip-nl.pdf"]
    assert_as_built_afresh(project)


def test_an_edit_nothing_shows_skips_every_output(project: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in (project / "build").glob("*.pdf")}
    for lang in ("nl", "en"):
        path = project / "content" / lang / "essentials.yaml"
        path.write_text(path.read_text("utf-8") + "# a note for translators\n", "utf-8")
    assert len(plan(BuildSettings()).stale) == 3  # the bytes changed
    result = run("build")
    assert result.exit_code == 0, result.output
    assert set(status_of(result.stdout).values()) == {"up to date"}
    assert {p.name: p.stat().st_mtime_ns for p in (project / "build").glob("*.pdf")} == before
    assert plan(BuildSettings()).stale == []


def test_a_dutch_edit_english_fails_on_is_not_skipped(project: Path) -> None:
    """A new Dutch question: English lacks its translation, so its build must say so."""
    personal = 'personal: "Waarin verschil jij qua kennis en vaardigheden van de anderen?"'
    edit(project / "content" / "nl" / "essentials.yaml", personal,
         f'{personal}\n        - id: netwerkvorming-9\n'
         '          group: "Wie ontbreekt er nog aan tafel?"\n'
         '          personal: "Wie neem jij mee?"')
    result = run("build", "--jobs", "1")
    assert result.exit_code != 0
    assert status_of(result.stdout)["netwerk-en.pdf"] == "FAILED", result.output
    assert "missing translation of 'netwerkvorming-9'" in result.output


def test_a_touched_output_or_a_lost_key_is_built(project: Path) -> None:
    edit(project / "content" / "nl" / "essentials.yaml", QUESTION,
         "Hoe vullen jullie elkaar goed aan?")
    (project / "build" / "tips-nl.pdf").touch()  # not the file that was recorded
    settings = BuildSettings()
    manifest = load_manifest(settings)
    assert all(isinstance(entry.get(KEY), str) for entry in manifest.values())
    del manifest["netwerk-en.pdf"][KEY]  # as an older kaartspel wrote it: no shown key
    save_manifest(settings, manifest)
    result = run("build", "--jobs", "1")
    assert status_of(result.stdout) == dict.fromkeys(
        ("netwerkvorming-nl.pdf", "tips-nl.pdf", "netwerk-en.pdf"), "built")
    assert status_of(run("build").stdout) == dict.fromkeys(
        ("netwerkvorming-nl.pdf", "tips-nl.pdf", "netwerk-en.pdf"), "up to date")


def test_the_build_date_is_part_of_what_an_output_shows(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    unset = output_key("deck", "x.pdf", "faces")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert output_key("deck", "x.pdf", "faces") != unset
    assert output_key("deck", "y.pdf", "faces") != output_key("deck", "x.pdf", "faces")


def test_sheet_keys_follow_what_each_sheet_shows(make_content: ContentTree) -> None:
    content = Path("content")
    sheets = {"poster nl": ("poster", PosterOptions(lang="nl")),
              "poster en": ("poster", PosterOptions(lang="en")),
              "box nl": ("box", BoxOptions(lang="nl")),
              "calibrate nl": ("calibrate", CalibrateOptions(lang="nl"))}

    def keys() -> dict[str, str]:
        return {name: sheet_key(content, kind, "out.pdf", options)
                for name, (kind, options) in sheets.items()}

    def changed(old: dict[str, str]) -> set[str]:
        new = keys()
        return {name for name in new if new[name] != old[name]}

    first = keys()
    assert len(set(first.values())) == len(first)
    make_content.patch("nl", "essentials.yaml", QUESTION, "Hoe vullen jullie elkaar goed aan?")
    assert changed(first) == {"poster nl"}  # the poster shows every question
    second = keys()
    make_content.patch("nl", "essentials.yaml", 'name: "Netwerkvorming"',
                       'name: "Netwerken"')
    assert changed(second) == {"poster nl", "box nl"}  # the box lists the themes
    third = keys()
    make_content.patch("nl", "ui.yaml", "Proefvel voor dubbelzijdig printen",
                       "Proefvel voor dubbelzijdig afdrukken")
    assert "calibrate nl" in changed(third)
    assert sheet_key(content, "box", "out.pdf", BoxOptions(lang="nl", cards=20)) != \
        sheet_key(content, "box", "out.pdf", BoxOptions(lang="nl", cards=21))
    shutil.rmtree(content / "en")
    with pytest.raises(KaartspelError):  # what loading raises: the build reports it
        sheet_key(content, "poster", "out.pdf", PosterOptions(lang="en"))


KIT_AND_POSTER = {
    "kit-nl.yaml": "type: kit\nlang: nl\nbox:\n  output: box-nl.pdf\n"
                   "calibrate:\n  output: proefvel-nl.pdf\n",
    "poster-en.yaml": "type: poster\nlang: en\noutput: poster-en.pdf\n",
}


def test_posters_and_kit_sheets_skip_what_they_do_not_show(project: Path) -> None:
    for name, text in KIT_AND_POSTER.items():
        (project / "deck" / name).write_text(text, "utf-8")
    assert run("build", "--jobs", "2").exit_code == 0
    essentials = project / "content" / "nl" / "essentials.yaml"
    edit(essentials, QUESTION, "Hoe vullen jullie elkaar goed aan?")
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    status = status_of(result.stdout)
    assert {n: status[n] for n in ("box-nl.pdf", "proefvel-nl.pdf", "poster-en.pdf")} == \
        dict.fromkeys(("box-nl.pdf", "proefvel-nl.pdf", "poster-en.pdf"), "up to date")
    edit(essentials, 'name: "Netwerkvorming"', 'name: "Netwerken"')  # the box lists it
    status = status_of(run("build", "--jobs", "1").stdout)
    assert {n: status[n] for n in ("box-nl.pdf", "proefvel-nl.pdf", "poster-en.pdf")} == {
        "box-nl.pdf": "built", "proefvel-nl.pdf": "up to date", "poster-en.pdf": "up to date"}
    assert_as_built_afresh(project, ("box-nl.pdf", "proefvel-nl.pdf"))
