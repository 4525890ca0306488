"""`coach dev`: the bot (anonymous, loopback) plus the Microsoft 365 Agents Playground."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

import yaml
from aiohttp import web

from bot.app import create_app, freeze_startup_objects
from bot.settings import Settings
from bot.store.port import StoreUnavailable

log = logging.getLogger("coach.dev")

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND_CONFIG = ROOT / "manifest" / "playground"  # holds .m365agentsplayground.yml


def playground_command(bot_port: int, playground_port: int) -> list[str]:
    binary = ROOT / "node_modules" / ".bin" / "agentsplayground"
    if not binary.exists():
        found = shutil.which("agentsplayground")
        if not found:
            raise SystemExit("coach: the Agents Playground is not installed: run `npm ci` (make run does it)")
        binary = Path(found)
    return [str(binary), "-e", f"http://127.0.0.1:{bot_port}/api/messages", "-c", "msteams",
            "-p", str(playground_port), "--disable-telemetry"]


async def start_playground(bot_port: int, playground_port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}
    return await asyncio.create_subprocess_exec(
        *playground_command(bot_port, playground_port),
        cwd=PLAYGROUND_CONFIG, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )


def playground_tenant() -> str:
    """The mock tenant's id (the playground's .m365agentsplayground.yml), for the campaign hint."""
    try:
        config = yaml.safe_load((PLAYGROUND_CONFIG / ".m365agentsplayground.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "TENANT_ID"
    return str((config or {}).get("tenantId") or "TENANT_ID")


def campaign_hint() -> str:
    return ("Try a quiz campaign: say hi in the playground, then in another terminal\n"
            f"  .venv/bin/coach campaign create --tenant {playground_tenant()} --name 'MFA check' "
            "--module mfa-sign-in --audience all\n"
            "  (it prints the campaign id; the bot's campaign sender posts the card into your chat)\n"
            "  .venv/bin/coach campaign status ID    .venv/bin/coach campaign results ID\n")


def dashboard_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.port}/dashboard"


async def run_dev(settings: Settings, playground_port: int = 56150) -> int:
    app = create_app(settings)
    freeze_startup_objects()
    runner = web.AppRunner(app)
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
    except StoreUnavailable as exc:
        print(f"coach: cannot open the {settings.store} store: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"coach: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        await runner.cleanup()
        return 2
    log.info("bot listening on http://%s:%d/api/messages (store: %s)", settings.host, settings.port, settings.store)
    playground = await start_playground(settings.port, playground_port)
    print(f"\nAdoption Coach is running. Open http://localhost:{playground_port} in your browser "
          f"to chat with it as a Teams user.\nThe dashboard (you are its local admin): "
          f"{dashboard_url(settings)}\n{campaign_hint()}Press Ctrl+C to stop.\n", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(playground.wait())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if waiter.done():
        log.error("the playground stopped (exit code %s)", playground.returncode)
        code = 1
    else:
        os.killpg(playground.pid, signal.SIGTERM)
        await playground.wait()
    stopper.cancel()
    await runner.cleanup()
    return code
