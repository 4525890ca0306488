"""The free-text matcher on the shipped content: what must match, and what must not (the cases
are data: tests/matching_cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import LOCALES
from chat import real_catalog
from domain.matching import Matcher

CASES = yaml.safe_load((Path(__file__).with_name("matching_cases.yaml")).read_text(encoding="utf-8"))


def test_every_language_has_positive_and_negative_cases() -> None:
    assert set(CASES) == set(LOCALES)
    for cases in CASES.values():
        assert any("module" in case for case in cases) and any("not" in case for case in cases)


@pytest.mark.parametrize(("language", "case"), [(lang, case) for lang in LOCALES for case in CASES[lang]],
                         ids=lambda v: v if isinstance(v, str) else v["text"])
def test_matching_case(language: str, case: dict) -> None:
    match = Matcher(real_catalog().modules(language)).best(case["text"])
    found = match.module_id if match else None
    if "module" in case:
        assert found == case["module"]
    else:
        assert found != case["not"]
