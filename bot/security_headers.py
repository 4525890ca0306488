"""Headers on every HTTP response: no server banner, nosniff, no caching (activities and invoke
responses carry worker data), HSTS when served over HTTPS; and a Content-Security-Policy that
lets Teams frame a page, for routes that opt in with `teams_frameable`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

HSTS = "max-age=31536000; includeSubDomains"
TEAMS_FRAME_ANCESTORS = ("teams.microsoft.com", "*.teams.microsoft.com", "*.cloud.microsoft",
                         "*.office.com", "*.microsoft365.com")
FRAMEABLE_KEY = web.RequestKey("teams_frameable", bool)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def teams_csp() -> str:
    """The policy for a page shown as a Teams tab: only Teams and Microsoft 365 may frame it."""
    return (f"default-src 'self'; frame-ancestors {' '.join(TEAMS_FRAME_ANCESTORS)}; "
            "base-uri 'none'; form-action 'self'; object-src 'none'")


def teams_frameable(handler: Handler) -> Handler:
    """Route decorator: the response may be framed by Teams (and only by Teams)."""
    async def framed(request: web.Request) -> web.StreamResponse:
        request[FRAMEABLE_KEY] = True
        return await handler(request)
    return framed


def install_security_headers(app: web.Application, *, behind_https: bool) -> None:
    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.popall(hdrs.SERVER, None)
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault(hdrs.CACHE_CONTROL, "no-store")
        if behind_https or request.headers.get("X-Forwarded-Proto", "").lower() == "https":
            headers["Strict-Transport-Security"] = HSTS
        if request.get(FRAMEABLE_KEY):
            headers["Content-Security-Policy"] = teams_csp()
        else:
            headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")

    app.on_response_prepare.append(add_headers)
