"""`coach content check` (profiles, quiz figures, freshness) and `coach content preview`."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.cli import main
from bot.content import Module, load_raw_catalog
from bot.content_check import freshness_problems
from bot.quiz_figures import module_figures, total


def _options(right_text: str, wrong: list[str], right_at: int = 0) -> list[dict]:
    options = [{"id": f"w{i}", "text": text, "explanation": "Why not."} for i, text in enumerate(wrong)]
    options.insert(right_at, {"id": "r", "text": right_text, "correct": True, "explanation": "Why."})
    return options


def synthetic(catalog, questions: list[list[dict]]) -> Module:
    """An English module whose quiz has exactly these single-choice questions."""
    data = catalog.module("en", "mfa-sign-in").model_dump()
    data["quiz"]["questions"] = [{"id": f"q{n}", "type": "single", "text": "Which?", "options": options}
                                 for n, options in enumerate(questions, 1)]
    return Module.model_validate(data)


def test_longest_right_answer_over_30_percent_fails(catalog):
    long_right = _options("The right answer, written out at length", ["No", "Nope", "Never"], right_at=2)
    balanced = _options("Right", ["A wrong answer", "Wrong", "Not it"], right_at=1)
    module = synthetic(catalog, [long_right, long_right] + [balanced] * 4)  # 2 of 6 = 33 %
    figures = module_figures(module)
    assert (figures.single, figures.longest, figures.first) == (6, 2, 0)
    [problem] = figures.problems()
    assert "uniquely longest in 2 of 6" in problem and "33%" in problem
    ok = synthetic(catalog, [long_right] + [balanced] * 5)  # 1 of 6 = 17 %
    assert module_figures(ok).problems() == []


def test_a_tie_for_longest_does_not_count(catalog):
    tie = _options("Same length!", ["Also twelve", "Other length", "x"], right_at=3)
    assert module_figures(synthetic(catalog, [tie] * 6)).longest == 0


def test_right_answer_first_over_35_percent_fails(catalog):
    first = _options("Right", ["A wrong answer", "Wrong"], right_at=0)
    later = _options("Right", ["A wrong answer", "Wrong"], right_at=2)
    figures = module_figures(synthetic(catalog, [first] * 3 + [later] * 3))  # 50 %
    assert (figures.questions, figures.first) == (6, 3)
    [problem] = figures.problems()
    assert "listed first in 3 of 6 questions (50%, limit 35%)" in problem
    assert module_figures(synthetic(catalog, [first] * 2 + [later] * 4)).problems() == []  # 33 %


def test_catalogue_figures_add_up(catalog):
    modules = catalog.modules("en")
    overall = total(modules)
    assert overall.questions == sum(len(m.quiz.questions) for m in modules)
    assert overall.first == sum(module_figures(m).first for m in modules)


def test_check_json_reports_quiz_figures_per_module_and_overall(capsys):
    main(["content", "check", "--json"])
    result = json.loads(capsys.readouterr().out)
    en = result["quiz"]["en"]
    assert set(en) == {*result["quiz"]["sv"]} and "all" in en and "mfa-sign-in" in en
    assert en["all"]["questions"] == result["locales"]["en"]["questions"]
    assert result["profiles"] == ["content/org-profile.example.yaml", "an empty profile"]
    for module_id, figures in en.items():
        where = "content/en (all modules)" if module_id == "all" else f"content/en/modules/{module_id}.yaml"
        failing = [e for e in result["errors"] if e.startswith(where) and "quiz:" in e]
        assert bool(failing) is (not figures["ok"]), module_id



def test_freshness_warns_past_180_days(content_copy):
    raw, _ = load_raw_catalog(content_copy)
    reviewed = raw.module("en", "mfa-sign-in").reviewed
    assert reviewed is not None
    errors, warnings = freshness_problems(raw, content_copy, reviewed + timedelta(days=180))
    assert not any("mfa-sign-in" in str(w) for w in warnings)
    _, warnings = freshness_problems(raw, content_copy, reviewed + timedelta(days=181))
    stale = [str(w) for w in warnings if str(w).startswith("content/en/modules/mfa-sign-in.yaml:")]
    assert len(stale) == 1 and f"reviewed {reviewed.isoformat()}, 181 days ago" in stale[0]
    line = int(stale[0].split(":")[1])
    text = (content_copy / "en" / "modules" / "mfa-sign-in.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[line - 1].startswith("reviewed:")


def test_missing_reviewed_and_sources_are_errors(content_copy):
    path = content_copy / "sv" / "modules" / "device-compliance.yaml"
    kept = []
    skipping = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("reviewed:", "sources:")):
            skipping = line.startswith("sources:")
            continue
        if skipping and line.startswith(" "):
            continue
        skipping = False
        kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    raw, _ = load_raw_catalog(content_copy)
    errors, _ = freshness_problems(raw, content_copy, date(2027, 1, 1))
    mine = [str(e) for e in errors if "sv/modules/device-compliance" in str(e)]
    assert any("reviewed: required" in e for e in mine) and any("sources: required" in e for e in mine), mine


def test_check_with_a_stale_date_warns_but_passes_the_freshness_part(capsys):
    main(["content", "check", "--json", "--today", "2099-01-01"])
    result = json.loads(capsys.readouterr().out)
    assert any("mfa-sign-in.yaml" in w and "days ago" in w for w in result["warnings"])
    assert not any("days ago" in e for e in result["errors"])


def test_check_with_a_bad_org_profile_fails_with_its_line(tmp_path, capsys):
    profile = tmp_path / "org.yaml"
    profile.write_text("organisation: Fabrikam\nhybrid: maybe\n", encoding="utf-8")
    assert main(["content", "check", "--org", str(profile)]) == 1
    assert f"{profile}:2: hybrid: Input should be a valid boolean" in capsys.readouterr().err


def test_check_with_a_missing_org_profile_is_a_usage_error(tmp_path, capsys):
    assert main(["content", "check", "--org", str(tmp_path / "none.yaml")]) == 2
    assert "no organisation profile at" in capsys.readouterr().err


# --- preview --------------------------------------------------------------------------------

def test_preview_shows_steps_exercises_and_the_right_answers(catalog, capsys):
    assert main(["content", "preview", "password-reset", "--locale", "sv"]) == 0
    out = capsys.readouterr().out
    module = catalog.module("sv", "password-reset")
    ui = catalog.ui("sv")
    assert out.startswith(f"# {module.title}\n")
    for number, step in enumerate(module.steps, 1):
        assert ui["step.position"].format(module=module.title, step=number, total=len(module.steps)) in out
        assert f"### {step.title}\n" in out
        if step.exercise:
            assert step.exercise.task.strip().splitlines()[0] in out
    for question in module.quiz.questions:
        for option in question.options:
            assert f"  {'✓' if option.correct else '✗'} {option.id}) {option.text}\n" in out
    assert ui["preview.quiz"].format(pass_mark=module.quiz.pass_mark) in out
    assert "{org." not in out


def test_preview_renders_for_the_org_profile(capsys):
    assert main(["content", "preview", "mfa-sign-in", "--org", "content/org-profile.example.yaml"]) == 0
    with_profile = capsys.readouterr().out
    assert main(["content", "preview", "mfa-sign-in"]) == 0
    without = capsys.readouterr().out
    assert "Contoso IT Service Desk" in with_profile and "Contoso" not in without
    assert "your IT helpdesk" in without


def test_preview_of_an_unknown_module_lists_the_modules(capsys):
    assert main(["content", "preview", "quantum-teleport"]) == 2
    err = capsys.readouterr().err
    assert "no module 'quantum-teleport'" in err and "mfa-sign-in" in err


def test_preview_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["content", "preview", "--help"])
    assert exit_info.value.code == 0
    assert "--locale" in capsys.readouterr().out


CONTENT_A_MODULES = ("mfa-sign-in", "password-reset", "device-compliance", "allowed-apps", "windows-security")


def test_the_reworked_modules_pass_every_check(capsys):
    main(["content", "check", "--json"])
    result = json.loads(capsys.readouterr().out)
    for module_id in CONTENT_A_MODULES:
        assert [e for e in result["errors"] if f"/{module_id}.yaml" in e] == [], module_id
        for locale in ("en", "sv", "nl"):
            assert result["quiz"][locale][module_id]["ok"], (locale, module_id)
