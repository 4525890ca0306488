"""Drive Adoption Coach through the Microsoft 365 Agents Playground (the local Teams client).

`PlaygroundStack` runs the bot (`coach serve --anonymous`) and the playground as child
processes, each in a process group of its own with its output in test-artifacts/<name>-*.log.
`PlaygroundClient` is the mock user on the playground's no-browser API: messages, card submits,
invokes, install; every message the bot posts arrives on a websocket as a `BotMessage`.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PLAYGROUND_CONFIG_DIR = ROOT / "manifest" / "playground"  # holds .m365agentsplayground.yml
PERSONAL_CHAT, GROUP_CHAT = "personal-chat-id", "group-chat-id"
START_SECONDS, REPLY_SECONDS = 45.0, 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class ManagedProcess:
    """A child in a process group of its own; stdout and stderr appended to `log_path`."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: Path, log_path: Path):
        self.argv, self.env, self.cwd, self.log_path = argv, env, cwd, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, fresh_log: bool = False) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if fresh_log:
            self.log_path.write_bytes(b"")
        with open(self.log_path, "ab") as log:  # a restart appends to the same log
            log.write(f"\n===== {time.strftime('%H:%M:%S')} start: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 8.0) -> None:
        """SIGTERM to the group, SIGKILL to whatever is left after `grace` seconds."""
        process, self.process = self.process, None
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = START_SECONDS) -> None:
        """Poll `condition`; fail early, with the log, if this process dies."""
        deadline = time.monotonic() + timeout
        while not condition():
            if not self.running or time.monotonic() > deadline:
                state = "the process exited" if not self.running else f"not within {timeout:.0f} s"
                raise RuntimeError(f"{what}: {state}. Log {self.log_path}:\n{self.log_tail()}")
            time.sleep(0.1)


def card_nodes(node: Any) -> Iterator[dict]:
    """Every element and action of a card, depth first (fallbacks left out)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "fallback":
                yield from card_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_nodes(item)


@dataclass
class BotMessage:
    """One message the bot posted (or updated), with the Adaptive Cards it carries."""

    id: str
    conversation_id: str
    kind: str  # createMessage | updateMessage
    text: str
    cards: list[dict]

    @classmethod
    def from_event(cls, event: dict, bot_id: str) -> BotMessage | None:
        message = event.get("message") or {}
        if event.get("action") not in ("createMessage", "updateMessage") or \
                (message.get("from") or {}).get("id") != bot_id:
            return None
        cards = [a.get("content") or {} for a in message.get("attachments") or []
                 if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]
        return cls(str(message.get("messageId")), event.get("actionConversationId", ""), event["action"],
                   message.get("text") or "", cards)

    @property
    def texts(self) -> list[str]:
        """The plain text, then every TextBlock of the cards, depth first."""
        blocks = [n["text"] for n in card_nodes(self.cards) if n.get("type") == "TextBlock"]
        return ([self.text] if self.text else []) + blocks

    @property
    def heading(self) -> str | None:
        return next((n["text"] for n in card_nodes(self.cards)
                     if n.get("type") == "TextBlock" and n.get("style") == "heading"), None)

    @property
    def buttons(self) -> list[dict]:
        return [n for n in card_nodes(self.cards) if n.get("type") in ("Action.Submit", "Action.Execute")]

    def find_button(self, **data: Any) -> dict | None:
        """The first button whose data has all these items, e.g. verb="menu"."""
        return next((b for b in self.buttons if all((b.get("data") or {}).get(k) == v for k, v in data.items())),
                    None)

    def button(self, **data: Any) -> dict:
        found = self.find_button(**data)
        assert found is not None, f"no button with data {data} in {self}"
        return found

    def shows(self, text: str) -> bool:
        return any(text in block for block in self.texts)

    def __str__(self) -> str:
        titles = [b.get("title") for b in self.buttons]
        return f"[{self.kind} {self.id} in {self.conversation_id}] texts={self.texts!r} buttons={titles!r}"


class PlaygroundClient:
    """The mock user. An event loop thread of its own keeps this API synchronous."""

    def __init__(self, base_url: str, config: dict):
        self.base_url = base_url
        self.user_id = config["currentUser"]["id"]
        self.bot_id, self.bot_name = config["bot"]["id"], config["bot"]["name"]
        self.messages: list[BotMessage] = []
        self.cursor = 0  # wait_for looks at messages from here on; every send moves it
        self.closed = False
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="playground-client", daemon=True)
        self._thread.start()
        self._session, self._stream = self._run(self._open())

    def _run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _open(self) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        stream = await session.ws_connect(f"{self.base_url}/_ws_conversation/v1/conversations/stream")
        self._reader = asyncio.create_task(self._read(stream))
        return session, stream

    async def _close(self) -> None:
        await self._stream.close()
        await self._reader
        await self._session.close()

    async def _read(self, stream: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for frame in stream:
                message = BotMessage.from_event(json.loads(frame.data), self.bot_id) \
                    if frame.type == aiohttp.WSMsgType.TEXT else None
                if message is not None:
                    with self._changed:
                        self.messages.append(message)
                        self._changed.notify_all()
        finally:
            with self._changed:
                self.closed = True
                self._changed.notify_all()

    def wait_until_connected(self, timeout: float = 20.0) -> None:
        """Until the playground logs "Connected." (its log stream replays from the start)."""
        async def connected() -> None:
            async with self._session.ws_connect(f"{self.base_url}/_ws/log/stream") as log_stream:
                async for frame in log_stream:
                    text = str((json.loads(frame.data).get("log") or {}).get("displayText", ""))
                    if text.startswith("Cannot connect"):
                        raise RuntimeError(f"the playground could not reach the bot: {text}")
                    if text.startswith("Connected"):
                        return
        self._run(asyncio.wait_for(connected(), timeout), timeout + 5)

    def close(self) -> None:
        try:
            self._run(self._close(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def _post(self, path: str, body: dict) -> Any:
        async def post() -> Any:
            async with self._session.post(self.base_url + path, json=body) as response:
                text = await response.text()
                assert response.status < 300, f"POST {path} answered {response.status}: {text}"
                return json.loads(text) if text else None
        with self._changed:
            self.cursor = len(self.messages)
        return self._run(post())

    def install(self, conversation_id: str = PERSONAL_CHAT) -> None:
        """What adding the app sends: installationUpdate (add) and conversationUpdate."""
        self._post(f"/_debug/conversation/{conversation_id}/installation", {})

    def send_text(self, text: str, conversation_id: str = PERSONAL_CHAT, *, mention_bot: bool = False) -> None:
        body: dict[str, Any] = {"from": {"id": self.user_id}, "text": text, "textFormat": "plain"}
        if mention_bot:  # group chats and channels forward only messages that @mention the bot
            body["mentions"] = [{"mentioned": {"id": self.bot_id}, "text": f"<at>{self.bot_name}</at>"}]
        self._post(f"/_conversation/v1/conversations/{conversation_id}/messages", body)

    def submit(self, data: dict, reply_to_id: str, conversation_id: str = PERSONAL_CHAT) -> None:
        """An Action.Submit on the message `reply_to_id`: the bot gets a message with `value`."""
        self._post("/_conversation/v1/submit", {"conversation": {"id": conversation_id}, "from": {"id": self.user_id},
                                                "replyToId": reply_to_id, "value": data})

    def press(self, card: BotMessage, **data: Any) -> None:
        """Click the button of `card` whose data has these items."""
        self.submit(card.button(**data)["data"], card.id, card.conversation_id)

    def invoke(self, data: dict, reply_to_id: str, conversation_id: str = PERSONAL_CHAT) -> Any:
        """An Action.Execute (`adaptiveCard/action` invoke); returns the bot's invoke response."""
        action = {"type": "Action.Execute", "verb": data.get("verb", ""), "data": data}
        return self._post("/_conversation/v1/invoke", {
            "name": "adaptiveCard/action", "conversation": {"id": conversation_id}, "from": {"id": self.user_id},
            "replyToId": reply_to_id, "value": {"action": action, "trigger": "manual"}})

    def wait_for(self, predicate: Callable[[BotMessage], bool], timeout: float = REPLY_SECONDS, *,
                 what: str = "matching message", since: int | None = None) -> BotMessage:
        """The first message since the last send (or index `since`) that matches; fails listing all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            start = self.cursor if since is None else since
            while True:
                match = next((m for m in self.messages[start:] if predicate(m)), None)
                remaining = deadline - time.monotonic()
                if match is not None or remaining <= 0 or self.closed:
                    break
                self._changed.wait(remaining)
            seen = "\n".join(f"  {m}" for m in self.messages[start:]) or "  (nothing)"
        if match is None:
            raise AssertionError(f"no {what} within {timeout:.0f} s; the bot sent:\n{seen}")
        return match


class PlaygroundStack:
    """Bot + playground + client on free ports; `store_env` chooses the bot's store."""

    def __init__(self, name: str, store_env: dict[str, str], workdir: Path):
        self.name = name
        self.bot_port, self.playground_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.playground_port}"
        self.bot = ManagedProcess(  # cwd: a temporary folder, so no developer .env is read
            [str(ROOT / ".venv" / "bin" / "coach"), "serve", "--anonymous", "--port", str(self.bot_port)],
            env=bot_environment(store_env), cwd=workdir, log_path=ARTIFACTS / f"{name}-bot.log")
        self.playground = ManagedProcess(
            [str(ROOT / "node_modules" / ".bin" / "agentsplayground"), "-e",
             f"http://127.0.0.1:{self.bot_port}/api/messages", "-c", "msteams", "-p", str(self.playground_port),
             "--disable-telemetry"],
            env={**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}, cwd=PLAYGROUND_CONFIG_DIR,
            log_path=ARTIFACTS / f"{name}-playground.log")
        self.config: dict = {}
        self.client: PlaygroundClient | None = None
        atexit.register(self._kill_processes)  # should teardown never run

    def start(self) -> PlaygroundStack:
        self.bot.start(fresh_log=True)
        self.playground.start(fresh_log=True)
        self._wait_for_bot()
        self.playground.wait_until(lambda: http_ok(f"{self.url}/_debug/ping"), "playground /_debug/ping")
        # As the web UI does: ask for the config. The playground then connects to the bot
        # (waiting up to 15 s for it) and logs "Connected.".
        with urllib.request.urlopen(f"{self.url}/_internal/v1/config", timeout=30) as response:
            self.config = json.load(response)["config"]
        self.client = PlaygroundClient(self.url, self.config)
        self.client.wait_until_connected()
        return self

    def _wait_for_bot(self) -> None:
        self.bot.wait_until(lambda: http_ok(f"http://127.0.0.1:{self.bot_port}/healthz"), "bot /healthz")

    def restart_bot(self) -> None:
        """Stop the bot process and start a new one on the same port and store."""
        self.bot.stop()
        self.bot.start()
        self._wait_for_bot()

    def stop(self) -> None:
        client, self.client = self.client, None
        try:
            if client is not None:
                client.close()
        finally:
            self._kill_processes()

    def _kill_processes(self) -> None:
        self.playground.stop()
        self.bot.stop()

    def logs(self, lines: int = 60) -> str:
        return "\n\n".join(f"--- {p.log_path} (last {lines} lines)\n{p.log_tail(lines)}"
                           for p in (self.bot, self.playground))


def bot_environment(store_env: dict[str, str]) -> dict[str, str]:
    """This environment minus every bot setting (a developer's CLIENTID must not leak in)."""
    settings = {name.lower() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in settings and not k.upper().startswith("CONNECTIONS__")}
    # One scripted user drives every test of a module through one bot process, far faster
    # than a person: flood control (tested in tests/test_flood.py) would drop its turns.
    return {**env, "HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1", "WORKER_BURST": "100000",
            **store_env}
