"""Start and stop sender processes (tests/campaign_sender_process.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "campaign_sender_process.py"
ROOT = Path(__file__).resolve().parent.parent


class _Killable:
    process: subprocess.Popen

    def kill(self) -> None:
        """kill -9: no chance to record anything."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _terminate(self) -> None:
        """SIGTERM, as a deployment stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)


class SenderProcess(_Killable):
    """`store`: a SQLite file, or the flags naming another store (`--cosmos URL ...`)."""

    def __init__(self, store: Path | list[str], owner: str, **options: object):
        where = ["--sqlite", str(store)] if isinstance(store, Path) else store
        args = [sys.executable, str(SCRIPT), *where, "--owner", owner]
        for name, value in options.items():
            args += ["--" + name.replace("_", "-"), str(value)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if line.strip() != "READY":
            self.kill()
            raise RuntimeError(f"the sender process did not start: {line!r}")

    def stop(self, timeout: float = 30.0) -> dict:
        """SIGTERM: the graceful stop; returns the counters it printed."""
        self._terminate()
        out, _ = self.process.communicate(timeout=timeout)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}


class CoachJobsProcess(_Killable):
    """`coach jobs` itself (the job runner with the campaign sender, as deployed) on a SQLite
    file, its output in `log`. Short send timeout and lease, so a crash resumes in seconds."""

    def __init__(self, sqlite: Path, log: Path, *, send_timeout: float = 1.0,
                 lease: float = 12.0, rate: float = 50.0):
        env = {**os.environ, "STORE": "sqlite", "SQLITE_PATH": str(sqlite),
               "TEAMS_TENANT_RATE": str(rate), "TEAMS_SEND_TIMEOUT_SECONDS": str(send_timeout),
               "CAMPAIGN_LEASE_SECONDS": str(lease)}
        self.log = log
        with log.open("a") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs"], cwd=ROOT,
                                            env=env, stdout=out, stderr=subprocess.STDOUT)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM; returns the exit code."""
        self._terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
