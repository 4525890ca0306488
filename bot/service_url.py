"""The Bot Framework service URL: where the bot sends its replies, with its own bearer token.

It must be an absolute https URL (plain http only on a loopback address, for local tools),
without credentials, query or fragment; a token's `serviceurl` claim must name the same URL.
"""

from __future__ import annotations

from yarl import URL

from bot.settings import is_loopback

MAX_LENGTH = 2048


def parse_service_url(value: object) -> URL | None:
    """The URL, or None when it is not one the bot may send its token to."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    try:
        url = URL(value)
        host, port = url.host, url.port
    except (ValueError, TypeError):
        return None
    if not url.absolute or not host or url.user is not None or url.password is not None:
        return None
    if url.query_string or url.fragment or port is None:
        return None
    if url.scheme == "https" or (url.scheme == "http" and is_loopback(host)):
        return url
    return None


def _comparable(url: URL) -> tuple[str, str, int | None, str]:
    return url.scheme, (url.host or "").casefold().rstrip("."), url.port, url.path.rstrip("/")


def same_service_url(claimed: object, actual: object) -> bool:
    """True when both are acceptable service URLs and name the same endpoint."""
    claimed_url, actual_url = parse_service_url(claimed), parse_service_url(actual)
    if claimed_url is None or actual_url is None:
        return False
    return _comparable(claimed_url) == _comparable(actual_url)
