"""Roles of the dashboard: app roles in the token or object ids in the settings; anonymous
local mode makes the local user an admin, on loopback only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.auth import AuthError
from bot.settings import Settings
from bot.web.roles import LOCAL_ADMIN, SSO_KEY, Role, current_user, role_of

SETTINGS = Settings(admin_ids=["oid-a"], trainer_ids=["oid-t"])


@pytest.mark.parametrize("claims, role", [
    ({"oid": "x", "roles": ["Coach.Admin"]}, Role.ADMIN),
    ({"oid": "x", "roles": ["Coach.Trainer"]}, Role.TRAINER),
    ({"oid": "x", "roles": ["Coach.Trainer", "Coach.Admin"]}, Role.ADMIN),
    ({"oid": "oid-a"}, Role.ADMIN),
    ({"oid": "oid-t"}, Role.TRAINER),
    ({"oid": "x", "roles": ["Something.Else"]}, Role.WORKER),
    ({"oid": "x", "roles": "Coach.Admin"}, Role.WORKER),  # not a list: not trusted
    ({"oid": "x"}, Role.WORKER),
])
def test_role_of(claims: dict, role: Role) -> None:
    assert role_of(claims, SETTINGS) == role


def request(remote: str) -> SimpleNamespace:
    return SimpleNamespace(remote=remote, app={SSO_KEY: None}, headers={})


async def test_anonymous_mode_is_the_local_admin_on_loopback_only() -> None:
    local = Settings(anonymous=True)
    assert await current_user(request("127.0.0.1"), local) == LOCAL_ADMIN  # type: ignore[arg-type]
    assert await current_user(request("::1"), local) == LOCAL_ADMIN  # type: ignore[arg-type]
    with pytest.raises(AuthError, match="loopback"):
        await current_user(request("10.0.0.7"), local)  # type: ignore[arg-type]


async def test_without_sign_in_settings_nobody_gets_in() -> None:
    with pytest.raises(AuthError, match="not configured"):
        await current_user(request("127.0.0.1"), Settings(client_id="c"))  # type: ignore[arg-type]
