"""The organisation profile: its validator (file:line errors), placeholders filled per locale,
`when:` conditions that hide content only when the profile contradicts them, and the service
refusing a bad ORG_PROFILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import ConfigurationError, create_app
from bot.content import Module, load_catalog
from bot.content_render import fill, placeholder_values, render_module, shown
from bot.org_profile import EMPTY_PROFILE, EXAMPLE_PROFILE, OrgProfile, read_profile
from bot.settings import Settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_profile_is_valid_and_an_empty_file_is_an_empty_profile(tmp_path):
    example, errors = read_profile(EXAMPLE_PROFILE)
    assert errors == [] and example is not None
    assert example.helpdesk.name == "Contoso IT Service Desk"
    assert example.sign_in_methods.recommended == "passkey"
    assert read_profile(write(tmp_path, "# nothing set yet\n")) == (EMPTY_PROFILE, [])


@pytest.mark.parametrize("text, line, words", [
    ("organisation: Contoso\nhelpdesk:\n  name: IT\n  phone: 123\n", 4, "helpdesk.phone: Extra inputs"),
    ("sign_in_methods:\n  allowed: [authenticator, carrier_pigeon]\n", 2, "sign_in_methods.allowed.1: Input should be"),
    ("sign_in_methods:\n  allowed: [authenticator]\n  recommended: passkey\n", 1,
     "recommended method 'passkey' is not in allowed"),
    ("helpdesk:\n  email: not-an-address\n", 2, "helpdesk.email"),
    ("helpdesk:\n  link: http://it.contoso.example\n", 2, "helpdesk.link"),
    ("device_platforms: [windows, beos]\n", 1, "device_platforms.1"),
    ("hybrid: false\npassword_reset:\n  hybrid_writeback: true\n", 1, "needs hybrid identities"),
    ("sensitivity_labels:\n  - name: Public\n", 2, "sensitivity_labels.0.meaning: Field required"),
    ("helpdesk: [unclosed\n", 2, "YAML syntax"),
])
def test_profile_errors_name_file_line_and_key(tmp_path, text, line, words):
    path = write(tmp_path, text)
    profile, errors = read_profile(path)
    assert profile is None
    messages = [str(e) for e in errors]
    assert any(m.startswith(f"{path}:{line}: ") and words in m for m in messages), messages


def test_a_missing_profile_file_is_an_error(tmp_path):
    profile, [error] = read_profile(tmp_path / "nope.yaml")
    assert profile is None and "not found" in error.message


def test_the_service_refuses_a_bad_org_profile(tmp_path):
    path = write(tmp_path, "helpdesk:\n  colour: blue\n")
    settings = Settings(anonymous=True, org_profile=path, store="memory")
    with pytest.raises(ConfigurationError, match=r"ORG_PROFILE is not valid: .*org\.yaml:2: helpdesk\.colour"):
        create_app(settings)


def test_org_profile_setting_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ORG_PROFILE", str(EXAMPLE_PROFILE))
    assert Settings().org_profile == EXAMPLE_PROFILE
    monkeypatch.setenv("ORG_PROFILE", "")
    assert Settings().org_profile is None


# --- placeholders ---------------------------------------------------------------------------

def test_placeholders_fall_back_to_each_locales_defaults(catalog):
    for locale in ("en", "sv", "nl"):
        ui = catalog.ui(locale)
        values = placeholder_values(EMPTY_PROFILE, ui)
        assert values == {name: ui[f"org.default.{name}"] for name in values}
    assert placeholder_values(EMPTY_PROFILE, catalog.ui("sv"))["helpdesk"] == "IT-supporten"


def test_placeholders_come_from_the_profile(catalog):
    example, _ = read_profile(EXAMPLE_PROFILE)
    en = placeholder_values(example, catalog.ui("en"))
    assert en["helpdesk"] == "Contoso IT Service Desk"
    assert en["helpdesk_contact"] == ("Contact Contoso IT Service Desk: https://servicedesk.contoso.example, "
                                      "it@contoso.example or the Teams channel **IT Help > General**.")
    assert en["practice_channel"] == "the **Try it here** channel in the **Adoption Coach Practice** team"
    assert en["recommended_method"] == "a passkey"
    assert en["labels"].splitlines()[0] == "- **Public**: approved for anyone, such as published brochures"
    nl = placeholder_values(example, catalog.ui("nl"))
    assert nl["helpdesk_contact"].startswith("Neem contact op met Contoso IT Service Desk: ")
    assert nl["helpdesk_contact"].endswith(" of het Teams-kanaal **IT Help > General**.")
    only_name = OrgProfile.model_validate({"helpdesk": {"name": "Fabrikam IT"}})
    assert placeholder_values(only_name, catalog.ui("sv"))["helpdesk_contact"] == "Kontakta Fabrikam IT."


def test_fill_leaves_unknown_placeholders_for_the_check_to_report():
    assert fill("Ask {org.helpdesk} or {org.nope}; {other} stays", {"helpdesk": "IT"}) == \
        "Ask IT or {org.nope}; {other} stays"


def test_shipped_content_has_no_placeholder_left_after_loading(catalog):
    for locale in ("en", "sv", "nl"):
        for module in catalog.modules(locale):
            assert "{org." not in module.model_dump_json(), (locale, module.id)



def test_an_unknown_placeholder_is_an_error_with_its_line(content_copy):
    path = content_copy / "nl" / "modules" / "password-reset.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("help:"))
    lines.insert(index + 2, "        Bel {org.phone_number}.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, errors = load_catalog(content_copy, strict=False)
    messages = [str(e) for e in errors]
    assert f"content/nl/modules/password-reset.yaml:{index + 3}: unknown placeholder {{org.phone_number}}" \
           f" (known: {{org.helpdesk}}, {{org.helpdesk_contact}}, {{org.practice_channel}}, " \
           f"{{org.recommended_method}}, {{org.labels}})" in messages, messages


# --- conditions -----------------------------------------------------------------------------

@pytest.mark.parametrize("condition, profile, expected", [
    (None, {"hybrid": False}, True),
    ("hybrid", {}, True),
    ("hybrid", {"hybrid": True}, True),
    ("hybrid", {"hybrid": False}, False),
    ("hybrid", {"password_reset": {"hybrid_writeback": True}}, True),
    ("not hybrid", {"hybrid": True}, False),
    ("not hybrid", {"password_reset": {"hybrid_writeback": True}}, False),
    ("not hybrid", {"password_reset": {"hybrid_writeback": False}}, True),
    ("platform:macos", {}, True),
    ("platform:macos", {"device_platforms": ["windows", "ios"]}, False),
    ("platform:ios", {"device_platforms": ["windows", "ios"]}, True),
    ("method:sms", {}, True),
    ("method:sms", {"sign_in_methods": {"allowed": ["authenticator"]}}, False),
    ("method:email", {"sign_in_methods": {"allowed": ["authenticator"]}, "password_reset": {"methods": ["email"]}},
     True),
    ("method:passkey", {"password_reset": {"methods": ["authenticator"]}}, False),
])
def test_a_condition_hides_content_only_when_the_profile_contradicts_it(condition, profile, expected):
    assert shown(condition, OrgProfile.model_validate(profile)) is expected


def _module_with_conditions(catalog) -> Module:
    data = catalog.module("en", "password-reset").model_dump()
    data["steps"].append({**data["steps"][0], "id": "mac-only", "when": "platform:macos", "exercise": None})
    data["steps"][1]["exercise"] = {"task": "Try {org.recommended_method}.", "help": "Ask {org.helpdesk}.",
                                    "link": None, "when": "method:passkey"}
    data["faq"][-1] = {"q": "Text codes?", "a": "Yes.", "when": "method:sms"}
    return Module.model_validate(data)


def test_rendering_drops_only_contradicted_steps_exercises_and_faq(catalog):
    module = _module_with_conditions(catalog)
    ui = catalog.ui("en")
    same = render_module(module, EMPTY_PROFILE, ui)
    assert [s.id for s in same.steps] == [s.id for s in module.steps]
    assert same.steps[1].exercise.task == "Try the Microsoft Authenticator app."
    assert len(same.faq) == len(module.faq)

    windows_no_passkey = OrgProfile.model_validate(
        {"device_platforms": ["windows"], "sign_in_methods": {"allowed": ["authenticator", "sms"]}})
    fitted = render_module(module, windows_no_passkey, ui)
    assert "mac-only" not in [s.id for s in fitted.steps]
    assert fitted.steps[1].id == module.steps[1].id and fitted.steps[1].exercise is None
    assert fitted.faq[-1].q == "Text codes?"


def test_filtering_below_the_schema_bounds_is_reported(catalog):
    data = catalog.module("en", "password-reset").model_dump()
    for step in data["steps"][1:]:
        step["when"] = "platform:macos"
    raw = Module.model_validate(data)
    with pytest.raises(ValueError, match="steps"):
        render_module(raw, OrgProfile.model_validate({"device_platforms": ["windows"]}), catalog.ui("en"))


def test_unlock_without_reset_shows_only_when_the_organisation_may_be_hybrid(catalog):
    raw = catalog.module("nl", "password-reset")
    ui = catalog.ui("nl")
    for profile, expected in ((EMPTY_PROFILE, True), (read_profile(EXAMPLE_PROFILE)[0], True),
                              (OrgProfile.model_validate({"hybrid": False}), False)):
        ids = [s.id for s in render_module(raw, profile, ui).steps]
        assert ("unlock-without-reset" in ids) is expected, profile
