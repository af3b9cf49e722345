"""The loader: YAML parsing, source map, schema validation, every problem located by file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import ContentTree, line_of, matching, show
from kaartspel.content import loader as loader_module
from kaartspel.content.load import check, load_content
from kaartspel.content.loader import (
    Location,
    SourceMap,
    dotted_path,
    languages,
    read_language,
    read_yaml,
    validate,
)
from kaartspel.content.schema import TOP_LEVEL_KEYS
from kaartspel.errors import EXIT_CONTENT, EXIT_USAGE, ContentError, Problem, UsageError


def nl_problems(tree: ContentTree) -> list[Problem]:
    return check(tree.root, ["nl"])


# --- good content ---------------------------------------------------------------------------


def test_languages_source_first(content_dir: Path) -> None:
    assert languages(content_dir) == ["nl", "en"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_real_content_loads_without_problems(content_dir: Path, lang: str) -> None:
    content = load_content(content_dir, lang)
    assert content.lang == lang
    raw = read_language(content_dir, lang)
    assert sorted(raw.data) == sorted(TOP_LEVEL_KEYS)
    model, problems = validate(raw)
    assert problems == [], show(problems)
    assert model == content.data


def test_check_real_content_is_clean(content_dir: Path) -> None:
    problems = check(content_dir)
    assert problems == [], show(problems)


def test_copied_content_is_clean(make_content: ContentTree) -> None:
    """The scratch copy is a faithful starting point for the broken-content tests."""
    assert check(make_content.root) == []


def test_unknown_language_is_a_usage_error(content_dir: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown language 'xx' \(available: nl, en\)") as info:
        read_language(content_dir, "xx")
    assert info.value.exit_code == EXIT_USAGE


def test_missing_content_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="content folder not found"):
        languages(tmp_path / "nope")


# --- source map -----------------------------------------------------------------------------


def test_source_map_points_at_key_lines(content_dir: Path) -> None:
    raw = read_language(content_dir, "nl")
    essentials = content_dir / "nl" / "essentials.yaml"
    path = ("essentials", "themes", "netwerkvorming", "questions", 1, "personal")
    loc = raw.sources.locate(path)
    assert Path(loc.path).name == "essentials.yaml"
    assert loc.line == line_of(essentials, "Waarin verschil jij qua kennis")
    item = raw.sources.locate(path[:-1])
    assert item.line == line_of(essentials, "id: netwerkvorming-2")
    levels = raw.sources.locate(("ambities", "levels", 4, "number"))
    assert levels.line == line_of(content_dir / "nl" / "ambities.yaml", "number: 5")


def test_source_map_falls_back_to_nearest_ancestor() -> None:
    sources = SourceMap(
        {
            (): Location("f.yaml", 1),
            ("a",): Location("f.yaml", 2),
            ("a", "b", 0): Location("f.yaml", 7),
        }
    )
    assert sources.locate(("a", "b", 0)) == Location("f.yaml", 7)
    assert sources.locate(("a", "b", 0, "c", "d")) == Location("f.yaml", 7)
    assert sources.locate(("a", "b", 1)) == Location("f.yaml", 2)  # ("a", "b") is not mapped
    assert sources.locate(("z", "y")) == Location("f.yaml", 1)
    assert sources.locate(()) == Location("f.yaml", 1)
    assert SourceMap().locate(("a",)) == Location("", 0)
    assert sources.problem(("a", "x"), "boom") == Problem("f.yaml", 2, "boom")


def test_source_map_fallback_in_real_data(content_dir: Path) -> None:
    raw = read_language(content_dir, "nl")
    missing = ("rollen", "questions", 2, "no-such-field")
    assert raw.sources.locate(missing) == raw.sources.locate(("rollen", "questions", 2))
    assert raw.sources.locate(missing).line == line_of(
        content_dir / "nl" / "rollen.yaml", "id: rollen-3"
    )


def test_read_yaml_single_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a:\n  b:\n    - 1\n    - c: 2\n", encoding="utf-8")
    data, sources = read_yaml(path, "x.yaml")
    assert data == {"a": {"b": [1, {"c": 2}]}}
    assert sources.locate(("a", "b", 1, "c")) == Location("x.yaml", 4)
    assert sources.locate(("a", "b", 0)) == Location("x.yaml", 3)


def test_dotted_path() -> None:
    assert dotted_path(("a", "b", 2, "c")) == "a.b[2].c"
    assert dotted_path(()) == "(top level)"


# --- bad content: each problem located exactly ----------------------------------------------


def test_yaml_syntax_error(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '  name: "Rollen"', "  name: Rollen: x")
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/rollen.yaml", 2, "YAML syntax error: mapping values are not allowed here"
        )
    ], show(problems)
    assert str(problems[0]).startswith("content/nl/rollen.yaml:2: YAML syntax error")


def test_yaml_syntax_error_unclosed_bracket(make_content: ContentTree) -> None:
    make_content.patch("nl", "tips.yaml", '  name: "Tips"', "  name: [Tips")
    line = make_content.line_of("nl", "tips.yaml", "name: [Tips")
    (problem,) = nl_problems(make_content)
    assert problem.path == "content/nl/tips.yaml"
    assert problem.message.startswith("YAML syntax error: ")
    # PyYAML reports where the flow sequence turned out to be unterminated: after its start.
    assert problem.line > line


def test_wrong_type_number_instead_of_question(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", 'personal: "Welke rol heb jij?"', "personal: 42")
    line = make_content.line_of("nl", "rollen.yaml", "personal: 42")
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/rollen.yaml",
            line,
            "rollen.questions[0].personal: expected text, got 42 (a number)",
        )
    ], show(problems)


@pytest.mark.parametrize(
    ("filename", "old", "new", "message"),
    [
        ("ambities.yaml", "- number: 2", '- number: "2"',
         "ambities.levels[1].number: expected a whole number, got '2'"),
        ("meta.yaml", '  lead: "', "  lead: true\n  old_lead: \"",
         "meta.lead: expected text, got True (true/false)"),
        ("ambities.yaml", "- id: ambities-2", "- id: Ambities_2",
         "ambities.questions[1].id: expected an id of lower-case letters, digits and hyphens, "
         "got 'Ambities_2'"),
        ("ui.yaml", "  howto_steps:\n", "  howto_steps: []\n  old_steps:\n",
         "ui.howto_steps: expected at least 1 item(s), got 0"),
    ],
)
def test_other_wrong_values(
    make_content: ContentTree, filename: str, old: str, new: str, message: str
) -> None:
    make_content.patch("nl", filename, old, new)
    first_new_line = new.splitlines()[0]
    line = make_content.line_of("nl", filename, first_new_line)
    problems = nl_problems(make_content)
    assert Problem(f"content/nl/{filename}", line, message) in problems, show(problems)


def test_wrong_type_list_instead_of_mapping(make_content: ContentTree) -> None:
    make_content.write("nl", "rollen.yaml", 'rollen:\n  name: "Rollen"\n  questions: 5\n')
    problems = nl_problems(make_content)
    assert Problem(
        "content/nl/rollen.yaml", 3, "rollen.questions: expected a list, got 5 (a number)"
    ) in problems, show(problems)


def test_unknown_key_lists_allowed_keys(make_content: ContentTree) -> None:
    make_content.patch(
        "nl", "ambities.yaml",
        '      group: "Hoe leren jullie samen?"\n',
        '      group: "Hoe leren jullie samen?"\n      groep: "Hoe dan?"\n',
    )
    line = make_content.line_of("nl", "ambities.yaml", "groep:")
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/ambities.yaml",
            line,
            "ambities.questions[2].groep: unknown key (expected one of: id, group, personal)",
        )
    ], show(problems)


def test_unknown_key_in_essential_theme_question(make_content: ContentTree) -> None:
    """Keys of a question inside ``essentials.themes.<id>`` are those of a question pair.

    Regression: the theme id (a dict key) used to stop the schema walk, so the message
    listed the theme's keys (name, text, questions) instead.
    """
    make_content.patch(
        "nl", "essentials.yaml",
        '          personal: "Hoe vaak sluit je aan bij gelegenheden om te ontmoeten?"\n',
        '          personal: "Hoe vaak sluit je aan bij gelegenheden om te ontmoeten?"\n'
        "          note: x\n",
    )
    make_content.patch("nl", "essentials.yaml", '      name: "Samenwerken"\n',
                       '      name: "Samenwerken"\n      extra: x\n')
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/essentials.yaml",
            make_content.line_of("nl", "essentials.yaml", "note: x"),
            "essentials.themes.netwerkvorming.questions[2].note: unknown key "
            "(expected one of: id, group, personal)",
        ),
        Problem(
            "content/nl/essentials.yaml",
            make_content.line_of("nl", "essentials.yaml", "extra: x"),
            "essentials.themes.samenwerken.extra: unknown key "
            "(expected one of: name, text, questions)",
        ),
    ], show(problems)


def test_unknown_section_lists_sections(make_content: ContentTree) -> None:
    make_content.write("nl", "zz.yaml", "# extra\nextra:\n  a: 1\n")
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/zz.yaml",
            2,
            f"extra: unknown key (expected one of: {', '.join(TOP_LEVEL_KEYS)})",
        )
    ], show(problems)


def test_missing_field_names_field_and_parent_line(make_content: ContentTree) -> None:
    parent = make_content.line_of("nl", "essentials.yaml", "id: kennismanagement-4")
    make_content.patch("nl", "essentials.yaml", '          personal: "Hoe open ben jij?"\n', "")
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/essentials.yaml",
            parent,
            "essentials.themes.kennismanagement.questions[3].personal: missing "
            "(The personal question)",
        )
    ], show(problems)


def test_missing_field_of_a_mapping(make_content: ContentTree) -> None:
    parent = make_content.line_of("nl", "meta.yaml", "meta:")
    make_content.patch("nl", "meta.yaml", '  set_title: "Dialoogkaarten"\n', "")
    (problem,) = nl_problems(make_content)
    assert (problem.path, problem.line) == ("content/nl/meta.yaml", parent)
    assert problem.message.startswith("meta.set_title: missing (Short name of the card set")


def test_missing_section_is_located_at_the_folder(make_content: ContentTree) -> None:
    make_content.delete("nl", "tips.yaml")
    problems = nl_problems(make_content)
    assert problems == [Problem("content/nl", 0, "tips: missing (The six tips)")], show(problems)


@pytest.mark.parametrize("empty", ['""', '"   "'])
def test_empty_string(make_content: ContentTree, empty: str) -> None:
    make_content.patch("nl", "meta.yaml", 'set_title: "Dialoogkaarten"', f"set_title: {empty}")
    line = make_content.line_of("nl", "meta.yaml", "set_title:")
    problems = nl_problems(make_content)
    assert problems == [
        Problem("content/nl/meta.yaml", line, "meta.set_title: expected text, got an empty string")
    ], show(problems)


def test_duplicate_key(make_content: ContentTree) -> None:
    first = make_content.line_of("nl", "tips.yaml", 'title: "Zes tips"')
    make_content.patch("nl", "tips.yaml", '  title: "Zes tips"\n',
                       '  title: "Zes tips"\n  # again:\n  title: "Zes tips"\n')
    problems = nl_problems(make_content)
    assert problems == [
        Problem("content/nl/tips.yaml", first + 2, f"duplicate key 'title' (first at line {first})")
    ], show(problems)


def test_non_utf8_file(make_content: ContentTree) -> None:
    text = make_content.read("nl", "tips.yaml")
    line = make_content.line_of("nl", "tips.yaml", "geïnteresseerd")
    make_content.write("nl", "tips.yaml", text.encode("latin-1"))
    problems = nl_problems(make_content)
    assert problems == [
        Problem(
            "content/nl/tips.yaml",
            line,
            "not UTF-8 text (byte 0xef); save the file as UTF-8",
        )
    ], show(problems)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_empty_file(make_content: ContentTree, text: str) -> None:
    make_content.write("nl", "cyclus.yaml", text)
    problems = nl_problems(make_content)
    assert problems == [
        Problem("content/nl/cyclus.yaml", 0, "file is empty; expected a mapping of sections")
    ], show(problems)
    assert str(problems[0]) == (
        "content/nl/cyclus.yaml: file is empty; expected a mapping of sections"
    )


def test_file_that_is_not_a_mapping(make_content: ContentTree) -> None:
    make_content.write("nl", "cyclus.yaml", "- a\n- b\n")
    assert nl_problems(make_content) == [
        Problem("content/nl/cyclus.yaml", 1, "expected a mapping of sections, got a list")
    ]


def test_two_files_define_the_same_section(make_content: ContentTree) -> None:
    make_content.write("nl", "zz-extra.yaml", "# more labels\nui:\n  group_label: x\n")
    problems = nl_problems(make_content)
    assert problems == [
        Problem("content/nl/zz-extra.yaml", 2, "section 'ui' is also defined in content/nl/ui.yaml")
    ], show(problems)


def test_yml_suffix_is_read_and_other_files_ignored(make_content: ContentTree) -> None:
    text = make_content.read("nl", "tips.yaml")
    make_content.delete("nl", "tips.yaml")
    make_content.write("nl", "tips.yml", text)
    make_content.write("nl", "notes.txt", "not: [yaml")
    assert nl_problems(make_content) == []


# --- every problem at once ------------------------------------------------------------------


def test_all_read_problems_reported_at_once(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", '  name: "Rollen"', "  name: Rollen: x")
    make_content.patch("nl", "tips.yaml", '  title: "Zes tips"\n',
                       '  title: "Zes tips"\n  title: "Zes tips"\n')
    problems = nl_problems(make_content)
    assert {p.path for p in problems} == {"content/nl/rollen.yaml", "content/nl/tips.yaml"}
    assert matching(problems, "YAML syntax error")
    assert matching(problems, "duplicate key 'title'")


def test_all_schema_problems_reported_at_once(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", 'personal: "Welke rol heb jij?"', "personal: 42")
    make_content.patch("nl", "meta.yaml", 'set_title: "Dialoogkaarten"', 'set_title: ""')
    make_content.patch("nl", "cyclus.yaml", "- number: 3", "- number: 3\n      extra: 1")
    with pytest.raises(ContentError) as info:
        load_content(make_content.root, "nl")
    problems = info.value.problems
    assert info.value.exit_code == EXIT_CONTENT
    assert sorted((p.path, p.line) for p in problems) == sorted(
        [
            ("content/nl/rollen.yaml", make_content.line_of("nl", "rollen.yaml", "personal: 42")),
            ("content/nl/meta.yaml", make_content.line_of("nl", "meta.yaml", "set_title:")),
            ("content/nl/cyclus.yaml", make_content.line_of("nl", "cyclus.yaml", "extra: 1")),
        ]
    ), show(problems)
    assert info.value.lines() == [str(p) for p in problems]


def test_problems_in_both_languages_reported_together(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", 'personal: "Welke rol heb jij?"', "personal: 42")
    make_content.patch("en", "tips.yaml", '  name: "Tips"', "  name: Tips: x")
    problems = check(make_content.root)
    assert matching(problems, "rollen.questions[0].personal: expected text, got 42")
    assert [p for p in problems if p.path == "content/en/tips.yaml"] == [
        Problem("content/en/tips.yaml", 2, "YAML syntax error: mapping values are not allowed here")
    ], show(problems)


def test_problems_are_not_repeated(make_content: ContentTree) -> None:
    make_content.patch("nl", "rollen.yaml", 'personal: "Welke rol heb jij?"', "personal: 42")
    problems = check(make_content.root)
    assert len(problems) == len(set(problems)), show(problems)


# --- libyaml: the fast reading gives exactly what PyYAML's own parser gives ----------------

needs_libyaml = pytest.mark.skipif(loader_module._FAST_LOADER is None,
                                   reason="PyYAML without libyaml (0.2.5 or later)")


def read_both(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[Any, dict[Any, Location]] | list[Problem], ...]:
    """Read *path* with the libyaml fast path and without it: data and locations, or problems."""
    results = []
    for fast in (loader_module._FAST_LOADER, None):
        with monkeypatch.context() as patch:
            patch.setattr(loader_module, "_FAST_LOADER", fast)
            try:
                data, sources = read_yaml(path, "x.yaml")
            except ContentError as exc:
                results.append(exc.problems)
            else:
                results.append((data, sources.locations))
    return tuple(results)


@needs_libyaml
def test_real_yaml_takes_the_fast_path(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(repo_root.glob("content/*/*.yaml")) + sorted(repo_root.glob("deck/*.yaml"))
    assert len(files) > 10
    for path in files:
        assert loader_module._reads_alike(path.read_text(encoding="utf-8")), path
        fast, slow = read_both(path, monkeypatch)
        assert fast == slow, path


@needs_libyaml
@pytest.mark.parametrize("text", [
    # where libyaml alone would accept the text or read it otherwise
    "a: b\t\n", "a:\tb\n", "a: [1,\t2]\n", "a: 1\n\ufeffb: 2\n", "\ufeffa: 1\n", "a: !\n",
    "a: [! ]\n", "- !\n- x\n", "a: |#\n", "a: >-#\n  x\n", "a: [Wat is dit?, b]\n",
    "a: {q: Wat?}\n", "--- \n", "--- x\n", "a: " + "[" * 600 + "]" * 600 + "\n",
    # problems: PyYAML's words and lines
    "a: [x\n", "a: b: c\n", "a: 1\na: 2\n", "a: &x [1]\nb: *x\n", "a: *x\n", "a: !foo x\n",
    "a: ééé\nb: é\x00\n", "a: 1\n---\nb: 2\n", "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "a: &x 1\nb: &x 2\n",
])
def test_libyaml_reads_like_pyyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    fast, slow = read_both(path, monkeypatch)
    assert fast == slow


def test_control_character_line_after_multibyte_text(tmp_path: Path) -> None:
    """libyaml gives a byte offset for a bad character: the line must come from characters."""
    path = tmp_path / "x.yaml"
    path.write_text("a: " + "é" * 50 + "\nb: x\nc: é\x00\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        read_yaml(path, "x.yaml")
    assert info.value.problems == [Problem(
        "x.yaml", 3, "YAML error: character U+0000 is not allowed in YAML; remove it")]
