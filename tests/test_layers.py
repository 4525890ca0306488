"""The layers: edge (bot/ service parts) → flows (dialogs/) → domain/ ← adapters (bot/store/).

Read from the source with `ast`, so a forbidden import fails here even when no test runs the
code path that has it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package (folder) -> import prefixes it must never use
FORBIDDEN = {
    "domain": ("microsoft_agents", "aiohttp", "azure", "yaml", "bot", "dialogs", "cards",
               "jobs", "integrations"),
    "cards": ("microsoft_agents", "aiohttp", "azure", "dialogs", "bot.store", "bot.agent",
              "bot.app", "jobs"),
    "dialogs": ("microsoft_agents", "aiohttp", "azure", "bot.agent", "bot.app",
                "bot.store.sqlite", "bot.store.cosmos", "bot.store.memory"),
    "bot/web": ("microsoft_agents", "azure", "dialogs", "cards", "jobs", "bot.agent", "bot.app",
                "bot.store.sqlite", "bot.store.cosmos", "bot.store.memory"),
    "bot/store": ("microsoft_agents", "dialogs", "cards", "jobs"),
    "jobs": ("microsoft_agents", "aiohttp", "azure", "dialogs", "cards", "bot.agent", "bot.app",
             "bot.store.sqlite", "bot.store.cosmos", "bot.store.memory"),
    "integrations": ("microsoft_agents", "bot", "dialogs", "cards", "jobs"),
    "bot/web": ("microsoft_agents", "azure", "dialogs", "cards", "jobs", "bot.agent", "bot.app",
                "bot.store.sqlite", "bot.store.cosmos", "bot.store.memory"),
}


# What flows and cards may use of bot/ (the service): the content catalog and the texts, and
# for flows the storage port. Nothing else, so bot/ and these packages form no new cycle.
BOT_PARTS = {
    "dialogs": ("bot.content", "bot.i18n", "bot.store.port"),
    "cards": ("bot.content", "bot.i18n"),
}
# Which bot/ modules may use flows and cards: only the SDK edge, and only through dialogs/.
EDGE_USES = {"bot/agent.py": ("dialogs.router", "dialogs.turn", "dialogs.inbox",
                                     "dialogs.digest", "dialogs.campaign_invite"),
             # `coach jobs` builds the campaign card without an agent
             "bot/job_hosting.py": ("dialogs.campaign_invite",)}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _forbidden(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no sources under {package}/"
    offences = [f"{path.relative_to(ROOT)} imports {name}"
                for path in files for name in sorted(imports_of(path))
                if _forbidden(name, FORBIDDEN[package])]
    assert offences == []


@pytest.mark.parametrize("package", sorted(BOT_PARTS))
def test_flows_and_cards_use_only_content_texts_and_the_store_port_of_bot(package: str) -> None:
    offences = [f"{path.relative_to(ROOT)} imports {name}"
                for path in sorted((ROOT / package).rglob("*.py")) for name in sorted(imports_of(path))
                if _forbidden(name, ("bot",)) and not _forbidden(name, BOT_PARTS[package])]
    assert offences == []


def test_only_the_edge_uses_flows_and_no_bot_module_builds_cards() -> None:
    offences = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        allowed = EDGE_USES.get(str(path.relative_to(ROOT)), ())
        offences += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(imports_of(path))
                     if _forbidden(name, ("dialogs", "cards")) and not _forbidden(name, allowed)]
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from microsoft_agents.activity import Activity\nimport bot.store.sqlite\n")
    assert {"microsoft_agents.activity", "bot.store.sqlite"} <= imports_of(sample)
    assert _forbidden("bot.store.sqlite", FORBIDDEN["dialogs"])
    assert not _forbidden("botany", FORBIDDEN["domain"])
