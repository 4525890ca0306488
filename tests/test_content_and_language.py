"""Content validation (schema errors with file:line, cross-locale parity), the CLI summary,
language choice and string lookup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import LOCALES, load_catalog
from bot.i18n import Texts, language_for


def test_shipped_content_is_valid_and_at_parity(catalog):
    ids = catalog.module_ids()
    assert len(ids) == 9
    for locale in LOCALES:
        assert [m.id for m in catalog.modules(locale)] == ids
        for module in catalog.modules(locale):
            base = catalog.module("en", module.id)
            assert [s.id for s in module.steps] == [s.id for s in base.steps]
            assert [q.id for q in module.quiz.questions] == [q.id for q in base.quiz.questions]
            for step in module.steps:
                for link in step.links + ([step.exercise.link] if step.exercise and step.exercise.link else []):
                    assert re.fullmatch(r"https://[\w.-]+\.[a-z]{2,}(/\S*)?", link.url), link.url


def test_every_ui_string_exists_in_every_language(catalog):
    english = set(catalog.ui("en"))
    for locale in LOCALES:
        assert set(catalog.ui(locale)) == english


def test_every_string_key_used_in_code_exists(catalog):
    keys = set()
    for folder in ("bot", "dialogs", "cards"):
        for path in Path(folder).rglob("*.py"):
            keys |= set(re.findall(r"""\bt(?:urn\.t)?\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text()))
    missing = {k for k in keys if k not in catalog.ui("en")}
    assert keys and not missing, missing



def test_schema_errors_name_file_and_line(content_copy):
    path = content_copy / "sv" / "modules" / "teams.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("minutes:"))
    lines[index] = "minutes: 45"
    lines.insert(index + 1, "colour: blue")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, errors = load_catalog(content_copy, strict=False)
    messages = [str(e) for e in errors]
    assert any(m.startswith(f"content/sv/modules/teams.yaml:{index + 1}: minutes") for m in messages), messages
    assert any(m.startswith(f"content/sv/modules/teams.yaml:{index + 2}: colour") for m in messages), messages


def test_a_missing_translation_is_reported_with_its_place(content_copy):
    (content_copy / "nl" / "modules" / "outlook.yaml").unlink()
    _, errors = load_catalog(content_copy, strict=False)
    assert any("content/nl/modules/outlook.yaml" in str(e) and "missing" in str(e) for e in errors)


def test_a_quiz_with_two_right_answers_on_a_single_choice_question_is_refused(content_copy):
    path = content_copy / "en" / "modules" / "outlook.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(    - id: q1\n(?:.*\n)*?        - id: \w+\n          text: .*\n)(?!          correct)",
                  r"\1          correct: true\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    _, errors = load_catalog(content_copy, strict=False)
    assert any("outlook.yaml" in str(e) and ("exactly one correct" in str(e) or "differ" in str(e)) for e in errors)


def test_yaml_syntax_error_has_a_line(content_copy):
    path = content_copy / "en" / "modules" / "teams.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    _, errors = load_catalog(content_copy, strict=False)
    assert any(str(e).startswith("content/en/modules/teams.yaml:") and "YAML syntax" in str(e) for e in errors)


def test_content_check_json_summary(capsys):
    main(["content", "check", "--json"])
    result = json.loads(capsys.readouterr().out)
    counts = result["locales"]
    assert counts["en"]["modules"] == 9
    assert counts["en"] == counts["sv"] == counts["nl"]


def test_shipped_content_passes_the_whole_check(capsys):
    assert main(["content", "check", "--json"]) == 0, json.loads(capsys.readouterr().out)["errors"]


def test_content_check_fails_on_broken_content(content_copy, capsys):
    (content_copy / "sv" / "ui.yaml").write_text("menu.title: [oops\n", encoding="utf-8")
    assert main(["content", "check", "--path", str(content_copy)]) == 1
    assert "content/sv/ui.yaml:" in capsys.readouterr().err


@pytest.mark.parametrize("teams_locale,chosen,expected", [
    ("sv-SE", None, "sv"), ("nl-NL", None, "nl"), ("nl-BE", None, "nl"), ("de-DE", None, "en"),
    (None, None, "en"), ("en-US", "sv", "sv"), ("sv-SE", "en", "en"), ("sv-SE", "xx", "sv"),
])
def test_language_for(teams_locale, chosen, expected):
    assert language_for(teams_locale, chosen) == expected


def test_texts_fill_placeholders(catalog):
    t = Texts(catalog, "sv")
    assert "{" not in t("menu.summary", done=1, total=9)
    assert t.language == "sv"


def test_help_works_for_every_command(capsys):
    for argv in (["--help"], ["serve", "--help"], ["dev", "--help"], ["content", "check", "--help"],
                 ["manifest", "build", "--help"], ["report", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
        assert "usage: coach" in capsys.readouterr().out
