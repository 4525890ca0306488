"""The one clock the runner and its jobs read and wait on; tests pass a fixed one."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

from domain.models import utcnow


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
