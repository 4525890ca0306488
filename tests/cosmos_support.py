"""The local Cosmos DB API server for tests (tests/cosmos_server.js) and stores on it.

One server per test process, started on first use on a free port of 127.0.0.1 and stopped
at exit; every store gets a database of its own. A missing Node.js or npm package is a test
FAILURE with the fix in the message, never a skip.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.cosmos import CosmosConfig, CosmosStore
from bot.store.cosmos_calls import RetryPolicy

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "tests" / "cosmos_server.js"
PACKAGE = REPO / "node_modules" / "@vercel" / "cosmosdb-server"
# The documented, public key of the Azure Cosmos DB Emulator; the local server accepts any.
EMULATOR_KEY = ("C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67"
                "XIw/Jw==")
START_SECONDS = 20.0


class LocalCosmosServer:
    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.endpoint = ""

    def start(self) -> str:
        if self.process is not None and self.process.poll() is None:
            return self.endpoint
        node = shutil.which("node")
        if node is None:
            pytest.fail("Node.js is not on PATH: the Cosmos DB tests need `node` (20+) to run "
                        "tests/cosmos_server.js", pytrace=False)
        if not PACKAGE.is_dir():
            pytest.fail(f"{PACKAGE} is missing: run `npm ci` in {REPO} (package.json pins "
                        "@vercel/cosmosdb-server)", pytrace=False)
        self.process = subprocess.Popen(
            [node, str(LAUNCHER), "--port", "0", "--host", "127.0.0.1", "--exit-with-stdin"],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        line = _read_line(self.process, START_SECONDS)
        if not line.startswith("READY "):
            error = self._stop_and_collect()
            pytest.fail(f"the local Cosmos DB server did not start within {START_SECONDS:.0f} s: "
                        f"{line.strip() or error.strip()[-2000:]}", pytrace=False)
        self.endpoint = line.split()[1]
        # Keep the pipes drained so a chatty server never blocks on a full pipe.
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=_drain, args=(stream,), daemon=True).start()
        return self.endpoint

    def stop(self) -> None:
        if self.process is not None:
            self._stop_and_collect()

    def _stop_and_collect(self) -> str:
        process, self.process = self.process, None
        if process is None:
            return ""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            return process.stderr.read() if process.stderr else ""
        except (OSError, ValueError):
            return ""


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else ""


def _drain(stream: object) -> None:
    try:
        for _ in stream:  # type: ignore[attr-defined]
            pass
    except (OSError, ValueError):
        pass


_SERVER = LocalCosmosServer()
atexit.register(_SERVER.stop)


def shared_endpoint() -> str:
    return _SERVER.start()


def unique_database() -> str:
    return f"test-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def cosmos_config(endpoint: str | None = None, **overrides: object) -> CosmosConfig:
    values: dict[str, object] = dict(
        endpoint=endpoint or shared_endpoint(), key=EMULATOR_KEY, database=unique_database(),
        retry=RetryPolicy(budget=5.0, attempt_timeout=3.0, long_budget=10.0))
    values.update(overrides)
    return CosmosConfig(**values)  # type: ignore[arg-type]


def local_cosmos_store(**overrides: object) -> CosmosStore:
    """A new, unopened store on the shared local server, in a database of its own."""
    return CosmosStore(cosmos_config(**overrides))


@pytest.fixture(scope="session")
def cosmos_endpoint() -> Iterator[str]:
    yield shared_endpoint()
    _SERVER.stop()
