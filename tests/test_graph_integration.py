"""The Graph client against the local stand-in: tokens from azure-identity, paging, throttling,
the 302 report download, delta links, app installs."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from integrations.graph.client import GraphClient, GraphError, RetryPolicy
from integrations.graph.directory import delta_pages
from integrations.graph.install import install_for
from integrations.graph.reports_api import download_report
from integrations.graph.tokens import credential_tokens
from integrations.graph.usage_reports import REPORTS, read_file
from graph_standin import CLIENT_ID, CLIENT_SECRET, TENANT, GraphStandIn, start, usage_csv

TEAMS = next(spec for spec in REPORTS if spec.workload == "teams")
TEAMS_HEADER = ["Report Refresh Date", "User Id", "User Principal Name", "Last Activity Date",
                "Is Deleted", "Deleted Date", "Assigned Products", "Team Chat Message Count",
                "Private Chat Message Count", "Call Count", "Meeting Count", "Is Licensed",
                "Report Period"]


class Harness:
    def __init__(self, standin: GraphStandIn, graph: GraphClient, downloads: aiohttp.ClientSession,
                 waits: list[float]):
        self.standin, self.graph, self.downloads, self.waits = standin, graph, downloads, waits


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    standin = GraphStandIn(page_size=2)
    runner, ca_file = await start(standin, tmp_path / "tls")
    context = ssl.create_default_context(cafile=str(ca_file))
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    tokens = credential_tokens(tenant_id=TENANT, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                               authority_host=standin.base_url, base_url=f"{standin.base_url}/v1.0",
                               ca_file=str(ca_file))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as downloads:
        graph = GraphClient(session, tokens, f"{standin.base_url}/v1.0", RetryPolicy(attempts=3), sleep=no_sleep)
        yield Harness(standin, graph, downloads, waits)
    await tokens.close()
    await runner.cleanup()


async def test_delta_pages_through_everyone_then_only_changes(harness: Harness) -> None:
    harness.standin.users = [{"id": f"u{i}", "userPrincipalName": f"User{i}@Contoso.example",
                              "displayName": f"User {i}", "department": "Sales" if i % 2 else "HR",
                              "accountEnabled": True} for i in range(5)]
    harness.standin.fail_page_once = 1
    pages = [page async for page in delta_pages(harness.graph, None)]
    assert [u.id for p in pages for u in p.users] == ["u0", "u1", "u2", "u3", "u4"]
    assert (pages[0].users[1].entry.upn, pages[0].users[1].entry.department) == ("user1@contoso.example", "Sales")
    assert harness.waits == [0.0]  # the 503's Retry-After was honoured once
    delta_link = pages[-1].delta_link
    assert delta_link and all(p.delta_link is None for p in pages[:-1])

    harness.standin.changes = [{"id": "u1", "department": "Marketing", "accountEnabled": False},
                               {"id": "u3", "@removed": {"reason": "deleted"}}]
    changed = [u async for p in delta_pages(harness.graph, delta_link) for u in p.users]
    assert [(u.id, u.entry.department, u.entry.enabled, u.removed, u.present) for u in changed] == [
        ("u1", "Marketing", False, False, {"department", "enabled"}), ("u3", "", True, True, set())]
    assert harness.standin.token_requests == 1  # azure-identity cached the token


async def test_report_download_follows_the_redirect_without_the_token(harness: Harness, tmp_path: Path) -> None:
    harness.standin.reports["getTeamsUserActivityUserDetail"] = usage_csv(
        TEAMS_HEADER + ["A Column Added Later"],
        [["2026-11-28", "id-1", "Ann@Contoso.example", "2026-11-27", "False", "", "E3", 4, 2, 0, 1, "Yes", 30, "x"],
         ["2026-11-28", "id-2", "bo@contoso.example", "", "False", "", "E3", 0, 0, 0, 0, "Yes", 30, "y"],
         ["2026-11-28", "id-3", "gone@contoso.example", "2026-10-01", "True", "2026-11-01", "", 9, 9, 9, 9, "No", 30, ""]])
    harness.standin.throttle_first["getTeamsUserActivityUserDetail"] = 2.5
    path = await download_report(harness.graph, harness.downloads, TEAMS, tmp_path / "teams.csv", period="D30")
    rows = list(read_file(path))
    assert [(r.upn, r.metrics["team_chat_messages"], r.metrics["meetings"]) for r in rows] == [
        ("ann@contoso.example", 4, 1), ("bo@contoso.example", 0, 0)]
    assert rows[0].period_days == 30 and rows[1].last_activity is None
    assert harness.waits == [2.5]
    assert harness.graph.throttled == 1


async def test_an_unknown_report_or_a_bad_secret_is_a_clear_error(harness: Harness, tmp_path: Path) -> None:
    with pytest.raises(GraphError) as missing:
        await download_report(harness.graph, harness.downloads, TEAMS, tmp_path / "x.csv", period="D7")
    assert missing.value.status == 404
    with pytest.raises(ValueError):
        await download_report(harness.graph, harness.downloads, TEAMS, tmp_path / "x.csv", period="D31")


async def test_installs_report_installed_already_and_refused(harness: Harness) -> None:
    harness.standin.installed = {"u2"}
    harness.standin.install_blocked = {"u3"}
    waits_before = len(harness.waits)
    outcomes = await install_for(harness.graph, ["u1", "u2", "u3"], "catalog-app-1", per_second=4)
    assert [(o.user_id, o.result) for o in outcomes] == [("u1", "installed"), ("u2", "already"), ("u3", "failed")]
    assert outcomes[2].detail.startswith("403")
    assert harness.waits[waits_before:] == [0.25, 0.25]
    assert harness.standin.installs[0][1].endswith("/v1.0/appCatalogs/teamsApps/catalog-app-1")
