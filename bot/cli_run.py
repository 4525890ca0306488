"""What every `coach` command that reads or writes the store shares: settings from the
environment, and opening the store around one piece of work, with every problem the person
at the terminal can act on printed as one line (`coach COMMAND: ...`) instead of a traceback."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from pydantic import ValidationError

from bot.settings import Settings
from bot.store.factory import create_store
from bot.store.port import Store, StoreError

T = TypeVar("T")


class CommandError(Exception):
    """A problem with what was asked (unknown id, bad input): the message and an exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def fail(command: str, message: str, code: int = 2) -> int:
    print(f"coach{' ' + command if command else ''}: {message}", file=sys.stderr)
    return code


def settings_or_exit(command: str = "", **overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'setting'}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"coach{' ' + command if command else ''}: configuration error: {problems}") from None


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    store = create_store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def run_with_store(command: str, settings: Settings, work: Callable[[Store], Awaitable[T]], *,
                   persistent: bool = True) -> T | int:
    """Open the store, run `work`, close it. A CommandError becomes its message and code, a
    store problem exit 1; `persistent` refuses the memory store (it would keep nothing).
    Anything else propagates (callers add their own, e.g. Graph errors)."""
    if persistent and settings.store == "memory":
        return fail(command, "the memory store keeps nothing after this command; set STORE to "
                             "sqlite or cosmos")

    async def run() -> T:
        async with opened_store(settings) as store:
            return await work(store)
    try:
        return asyncio.run(run())
    except CommandError as exc:
        return fail(command, str(exc), exc.code)
    except StoreError as exc:
        return fail(command, str(exc), 1)
