"""The page's own files (bot/web/static/) and the vendor files it needs, served from the npm
packages pinned in package-lock.json: nothing from a CDN (Teams tabs load behind corporate
proxies). Only the allow-listed files are served; each URL carries a hash of the content,
so a file may be cached for a year and a new version gets a new URL."""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = Path(__file__).resolve().parent / "static"
NODE_MODULES = ROOT / "node_modules"
PREFIX = "/dashboard/assets"
LONG_CACHE = "public, max-age=31536000, immutable"

# name on the page -> one file, or a folder of ES modules that import each other
VENDOR_FILES = {
    "teams-js": NODE_MODULES / "@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js",
    "chart-js": NODE_MODULES / "chart.js/dist/chart.umd.min.js",
    "fluent-web-components": NODE_MODULES / "@fluentui/web-components/dist/web-components-all.min.js",
    "axe-core": NODE_MODULES / "axe-core/axe.min.js",  # for the accessibility test only
    "dashboard-js": STATIC / "dashboard.js",
    "dashboard-adoption": STATIC / "adoption.js",
    "dashboard-css": STATIC / "dashboard.css",
    "dashboard-inbox": STATIC / "inbox.js",
    "dashboard-campaigns": STATIC / "campaigns.js",
    "icon": ROOT / "manifest" / "outline.png",
}
VENDOR_FOLDERS = {
    "fluent-tokens": NODE_MODULES / "@fluentui/tokens/lib",
}
SUFFIXES = {".js", ".css"}


@dataclass(frozen=True)
class Asset:
    url: str
    path: Path


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class Assets:
    """URLs of the allow-listed files (computed once) and the handler that serves them."""

    def __init__(self) -> None:
        self.files: dict[str, Asset] = {}  # url path -> file
        self.urls: dict[str, str] = {}  # name -> url
        self.folders: dict[str, tuple[str, Path]] = {}  # "name.hash" -> (name, folder)
        for name, path in VENDOR_FILES.items():
            if path.is_file():
                url = f"{PREFIX}/{name}.{_digest([path])}{path.suffix}"
                self.files[url] = Asset(url, path)
                self.urls[name] = url
        for name, folder in VENDOR_FOLDERS.items():
            if folder.is_dir():
                key = f"{name}.{_digest(sorted(folder.rglob('*.js')))}"
                self.folders[key] = (name, folder)
                self.urls[name] = f"{PREFIX}/{key}/index.js"

    def folder_modules(self, name: str) -> list[str]:
        """The URL of every module in folder `name`: preloaded together, the page does not
        discover them import by import (the Fluent tokens are 39 small modules, 6 levels deep)."""
        for key, (folder_name, folder) in self.folders.items():
            if folder_name == name:
                return [f"{PREFIX}/{key}/{path.relative_to(folder).as_posix()}" for path in sorted(folder.rglob("*.js"))]
        return []

    def missing(self) -> list[str]:
        return sorted((set(VENDOR_FILES) | set(VENDOR_FOLDERS)) - set(self.urls))

    def find(self, url_path: str) -> Path | None:
        if url_path in self.files:
            return self.files[url_path].path
        rest = url_path[len(PREFIX) + 1:] if url_path.startswith(PREFIX + "/") else ""
        key, _, inner = rest.partition("/")
        if key not in self.folders or not inner:
            return None
        folder = self.folders[key][1]
        candidate = (folder / inner).resolve()
        if (folder.resolve() not in candidate.parents or candidate.suffix not in SUFFIXES
                or not candidate.is_file()):
            return None  # no way out of the package folder, and only scripts and styles
        return candidate

    async def serve(self, request: web.Request) -> web.StreamResponse:
        path = self.find(request.path)
        if path is None:
            return web.json_response({"error": "no such asset"}, status=404)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":  # (mimetypes may say application/javascript)
            content_type = "text/javascript"
        return web.Response(body=path.read_bytes(), content_type=content_type, charset="utf-8",
                            headers={"Cache-Control": LONG_CACHE})


@functools.cache
def shared_assets() -> Assets:
    """Hashed once per process (the files do not change while it runs)."""
    return Assets()
