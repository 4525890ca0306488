"""Fixtures of the end-to-end tests: one bot + playground per test module (a fresh SQLite store
each), the mock user's client, and the training content read straight from content/ as the
oracle. When a test fails, the tails of the bot and playground logs are added to its report."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from .playground import ROOT, PlaygroundClient, PlaygroundStack

CONTENT = ROOT / "content"


class Content:
    """UI strings and modules per language, from content/<lang>/ (not through the bot's loader)."""

    @staticmethod
    @lru_cache(maxsize=None)
    def _yaml(path: Path) -> dict:
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def ui(self, lang: str, key: str, **values: object) -> str:
        template = self._yaml(CONTENT / lang / "ui.yaml")[key]
        return template.format(**values) if values else template

    def module(self, lang: str, module_id: str) -> dict:
        return self._yaml(CONTENT / lang / "modules" / f"{module_id}.yaml")

    def modules(self, lang: str) -> list[dict]:
        found = [self._yaml(p) for p in sorted((CONTENT / lang / "modules").glob("*.yaml"))]
        return sorted(found, key=lambda m: (m["order"], m["id"]))


@pytest.fixture(scope="session")
def content() -> Content:
    return Content()


def start_stack(name: str, store_env: dict[str, str], workdir: Path) -> PlaygroundStack:
    stack = PlaygroundStack(name, store_env, workdir)
    try:
        return stack.start()
    except BaseException:
        stack.stop()
        raise


@pytest.fixture(scope="module")
def playground(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundStack]:
    """Bot on a SQLite file of this module's own + playground, started once per test module."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    workdir = tmp_path_factory.mktemp(name)
    stack = start_stack(name, {"STORE": "sqlite", "SQLITE_PATH": str(workdir / "coach.db")}, workdir)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def chat(playground: PlaygroundStack) -> PlaygroundClient:
    assert playground.client is not None
    return playground.client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, PlaygroundStack):
                report.sections.append((f"logs of {value.name}", value.logs()))
