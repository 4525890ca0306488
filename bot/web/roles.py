"""Who may see what on the dashboard. A user is an admin or a trainer by an Entra app role in
the token (`Coach.Admin`, `Coach.Trainer`) or by object id in ADMIN_IDS / TRAINER_IDS; anyone
else is a worker. Every /api/admin/ route is wrapped in `allow(...)`: no or bad token 401, a
role not allowed 403. In anonymous local mode (loopback only) the local user is an admin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.auth import AuthError
from bot.settings import Settings, is_loopback
from domain.roles import Role, RoleRule  # Role is also imported from here


@dataclass(frozen=True)
class User:
    oid: str
    name: str
    role: Role


LOCAL_ADMIN = User("local", "Local admin", Role.ADMIN)
USER_KEY = web.RequestKey("dashboard_user", User)
SSO_KEY = web.AppKey("sso", object)  # an SsoValidator, or None when sign-in is not configured
WEB_SETTINGS_KEY = web.AppKey("web_settings", Settings)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def role_of(claims: dict[str, Any], settings: Settings) -> Role:
    roles = claims.get("roles") if isinstance(claims.get("roles"), list) else []
    oid = claims.get("oid")
    rule = RoleRule.of(settings.admin_ids, settings.trainer_ids)
    return rule.role(oid if isinstance(oid, str) else None,
                     [r for r in roles if isinstance(r, str)])


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def current_user(request: web.Request, settings: Settings) -> User:
    """The signed-in user, or AuthError (401)."""
    if settings.anonymous:
        if not is_loopback(request.remote or ""):
            raise AuthError("Anonymous mode answers loopback requests only.")
        return LOCAL_ADMIN
    validator = request.app[SSO_KEY]
    if validator is None:
        raise AuthError("Dashboard sign-in is not configured: set the bot's client id and tenant id.")
    claims = await validator.verify(request.headers.get("Authorization"))  # type: ignore[attr-defined]
    return User(str(claims["oid"]), str(claims.get("name") or ""), role_of(claims, settings))


def allow(*roles: Role) -> Callable[[Handler], Handler]:
    """Route decorator: only these roles get through; the user is in request[USER_KEY]."""
    def decorate(handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            try:
                user = await current_user(request, request.app[WEB_SETTINGS_KEY])
            except AuthError as exc:
                return _error(401, str(exc))
            if user.role not in roles:
                return _error(403, "Your role may not see this part of the dashboard.")
            request[USER_KEY] = user
            return await handler(request)
        return checked
    return decorate
