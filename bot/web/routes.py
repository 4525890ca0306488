"""Adds the dashboard to the bot's aiohttp app: the page at /dashboard, its assets, and the
/api/admin/ API (bot/web/api.py)."""

from __future__ import annotations

import html
import logging

from aiohttp import web

from bot.content import DEFAULT_LOCALE, Catalog
from bot.i18n import Texts, language_for
from bot.report_tables import HEADERS, Titles
from bot.security_headers import teams_frameable
from bot.settings import Settings
from bot.store.port import Store
from bot.web.adoption_api import add_adoption_routes
from bot.web.api import MODULE_IDS_KEY, STORE_KEY, TITLES_KEY, add_api_routes
from bot.web.assets import STATIC, Assets, shared_assets
from bot.web.roles import SSO_KEY, WEB_SETTINGS_KEY
from bot.web.sso import SsoValidator

log = logging.getLogger(__name__)

ASSETS_KEY = web.AppKey("dashboard_assets", Assets)
CATALOG_KEY = web.AppKey("dashboard_catalog", Catalog)
PAGE_STRINGS = ("dashboard.", "feedback.category.")  # the inbox names categories as workers see them


def render_page(assets: Assets, settings: Settings) -> str:
    """dashboard.html with its asset URLs (hashed) filled in, each escaped as an attribute."""
    page = (STATIC / "dashboard.html").read_text(encoding="utf-8")
    values = {f"{{{{{name}}}}}": html.escape(url, quote=True) for name, url in assets.urls.items()}
    values["{{MODE}}"] = "anonymous" if settings.anonymous else "sso"
    values["{{fluent-tokens-preload}}"] = "\n  ".join(
        f'<link rel="modulepreload" href="{html.escape(url, quote=True)}">'
        for url in assets.folder_modules("fluent-tokens"))
    for placeholder, value in values.items():
        page = page.replace(placeholder, value)
    return page


@teams_frameable  # the CSP: only Teams and Microsoft 365 may frame it, only the app's own scripts
async def dashboard_page(request: web.Request) -> web.Response:
    assets = request.app[ASSETS_KEY]
    return web.Response(text=render_page(assets, request.app[WEB_SETTINGS_KEY]), content_type="text/html")


async def dashboard_strings(request: web.Request) -> web.Response:
    """The page's UI strings in the language closest to `lang` (a Teams locale), and the
    column headers (English, like the CSV export's)."""
    catalog: Catalog = request.app[CATALOG_KEY]
    language = language_for(request.query.get("lang", "")[:20])
    texts = Texts(catalog, language)
    keys = [key for key in catalog.ui(DEFAULT_LOCALE) if key.startswith(PAGE_STRINGS)]
    return web.json_response({"language": texts.language, "strings": {key: texts(key) for key in keys},
                              "headers": HEADERS})


def install_dashboard(app: web.Application, settings: Settings, store: Store, catalog: Catalog) -> None:
    assets = shared_assets()
    if assets.missing():
        log.warning("dashboard assets missing (run npm ci): %s", ", ".join(assets.missing()))
    app[ASSETS_KEY] = assets
    app[WEB_SETTINGS_KEY] = settings
    app[STORE_KEY] = store
    app[TITLES_KEY] = Titles(catalog)
    app[MODULE_IDS_KEY] = catalog.module_ids()
    app[CATALOG_KEY] = catalog
    app[SSO_KEY] = SsoValidator(settings) if settings.auth_enabled and settings.tenant_id else None
    app.router.add_get("/dashboard", dashboard_page)
    app.router.add_get("/dashboard/strings", dashboard_strings)
    app.router.add_get("/dashboard/assets/{tail:.+}", assets.serve)
    add_api_routes(app)
    add_adoption_routes(app, catalog.expectations)

    async def close_sso(_app: web.Application) -> None:
        if app[SSO_KEY] is not None:
            await app[SSO_KEY].close()  # type: ignore[attr-defined]

    app.on_cleanup.append(close_sso)
