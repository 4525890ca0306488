"""The baseline: a bare Microsoft 365 Agents SDK echo bot on aiohttp, anonymous, nothing else."""

from __future__ import annotations

import sys

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication, AgentAuthConfiguration, MemoryStorage, TurnContext, TurnState,
)


def create_echo_app() -> web.Application:
    connections = MsalConnectionManager(connections_configurations={
        "SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)})
    adapter = CloudAdapter(connection_manager=connections)
    agent = AgentApplication[TurnState](storage=MemoryStorage(), connection_manager=connections,
                                        start_typing_timer=False)

    @agent.activity("message")
    async def echo(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"you said: {context.activity.text}")

    async def messages(request: web.Request) -> web.Response:
        return await start_agent_process(request, agent, adapter)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


if __name__ == "__main__":
    if "--with-sdk-fixes" in sys.argv:  # the same SDK fixes Adoption Coach applies
        from bot import sdk_fixes

        sdk_fixes.apply()
    web.run_app(create_echo_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
