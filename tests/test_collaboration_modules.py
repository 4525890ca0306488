"""The Teams, Outlook, SharePoint/OneDrive and sensitivity-label modules: quizzes that length and
position don't give away, exercises that say when to press Done, practice in the organisation's
own channel, and labels and platform conditions that follow the organisation profile."""

from __future__ import annotations

import pytest

from bot.content import LOCALES, load_catalog
from bot.org_profile import EXAMPLE_PROFILE, read_profile
from bot.quiz_figures import FIRST_LIMIT, LONGEST_LIMIT, module_figures

MODULES = ("teams", "outlook", "sharepoint-onedrive", "sensitivity-labels")


@pytest.fixture(scope="module")
def example():
    profile, errors = read_profile(EXAMPLE_PROFILE)
    assert errors == []
    return profile


@pytest.fixture(scope="module")
def catalog(example):
    return load_catalog(profile=example)[0]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("module_id", MODULES)
def test_neither_length_nor_position_gives_the_answer_away(catalog, module_id, locale):
    figures = module_figures(catalog.module(locale, module_id))
    assert figures.longest_share <= LONGEST_LIMIT, figures
    assert figures.first_share <= FIRST_LIMIT, figures


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("module_id", MODULES)
def test_every_exercise_says_when_to_press_done(catalog, module_id, locale):
    done = f"**{catalog.ui(locale)['step.done']}**"
    for step in catalog.module(locale, module_id).steps:
        if step.exercise:
            assert done in step.exercise.task, (step.id, step.exercise.task)


@pytest.mark.parametrize("locale", LOCALES)
def test_channel_practice_happens_in_the_organisations_practice_channel(catalog, example, locale):
    thread = next(s for s in catalog.module(locale, "teams").steps if s.id == "reply-in-thread")
    assert example.practice.team in thread.exercise.task
    assert example.practice.channel in thread.exercise.task


@pytest.mark.parametrize("locale", LOCALES)
def test_the_label_module_lists_the_organisations_own_labels(catalog, example, locale):
    intro = catalog.module(locale, "sensitivity-labels").steps[0].text
    assert all(f"**{label.name}**" in intro for label in example.sensitivity_labels)


def test_the_file_explorer_step_is_hidden_only_where_no_windows_pcs_are_used(tmp_path):
    mac_only = tmp_path / "org.yaml"
    mac_only.write_text("device_platforms: [macos]\n", encoding="utf-8")
    profile, errors = read_profile(mac_only)
    assert errors == []
    shown_for = {name: [s.id for s in load_catalog(profile=p)[0].module("en", "sensitivity-labels").steps]
                 for name, p in (("mac", profile), ("none", None))}
    assert "label-local-files" not in shown_for["mac"]
    assert "label-local-files" in shown_for["none"]
    assert "label-online" in shown_for["mac"]
