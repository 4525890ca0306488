"""The Teams app package: fill manifest/manifest.template.json and its translations from
Settings, check the values, and zip them with the icons into appPackage.zip.

Placeholders in the template and translation files are `{{NAME}}` inside JSON strings; they
are replaced after parsing, so values never need JSON escaping.
"""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import Settings

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"
TEMPLATE_FILE = "manifest.template.json"
ICON_FILES = ("color.png", "outline.png")
PACKAGE_NAME = "appPackage.zip"
DEFAULT_PACKAGE_PATH = Path("build") / PACKAGE_NAME

# The environment variable behind each setting, for error messages.
ENV_NAMES = {
    "client_id": "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID",
    "app_id": "APP_ID",
    "bot_name": "BOT_NAME",
    "public_host": "PUBLIC_HOST",
    "app_version": "APP_VERSION",
}

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$")
HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
NAME_MAX = 30  # Teams' limit for name.short
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same settings give the same bytes


class ManifestError(ValueError):
    """The package cannot be built; `problems` lists every reason, each naming its env var."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("cannot build the Teams app package:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class ManifestValues:
    app_id: str
    bot_id: str
    bot_name: str
    public_host: str
    app_version: str

    def placeholders(self) -> dict[str, str]:
        return {
            "APP_ID": self.app_id,
            "BOT_ID": self.bot_id,
            "BOT_NAME": self.bot_name,
            "PUBLIC_HOST": self.public_host,
            "APP_VERSION": self.app_version,
        }


def manifest_values(settings: Settings) -> ManifestValues:
    """The checked values for the manifest; raises ManifestError listing every problem."""
    problems: list[str] = []
    client_id = settings.client_id.strip()
    app_id = settings.app_id.strip()
    bot_name = settings.bot_name.strip()
    host = settings.public_host.strip().lower()
    version = settings.app_version.strip()

    if not client_id:
        problems.append(f"{ENV_NAMES['client_id']} is not set: it must be the bot's Entra app "
                        "(client) id, a GUID like 00000000-0000-0000-0000-000000000000")
    elif not GUID.match(client_id):
        problems.append(f"{ENV_NAMES['client_id']} must be a GUID (the bot's Entra app id), "
                        f"got {client_id!r}")
    if app_id and not GUID.match(app_id):
        problems.append(f"{ENV_NAMES['app_id']} must be a GUID (the Teams app id), got {app_id!r}; "
                        f"leave it empty to use {ENV_NAMES['client_id']}")
    if not bot_name or len(bot_name) > NAME_MAX:
        problems.append(f"{ENV_NAMES['bot_name']} must be 1-{NAME_MAX} characters "
                        f"(Teams' limit for the app name), got {len(bot_name)}")
    host_problem = _host_problem(host)
    if host_problem:
        problems.append(f"{ENV_NAMES['public_host']} {host_problem}")
    if not SEMVER.match(version):
        problems.append(f"{ENV_NAMES['app_version']} must be a version like 1.0.0 "
                        f"(MAJOR.MINOR.PATCH), got {version!r}")
    if problems:
        raise ManifestError(problems)
    return ManifestValues(app_id=app_id or client_id, bot_id=client_id, bot_name=bot_name,
                          public_host=host, app_version=version)


def _host_problem(host: str) -> str | None:
    example = "bot.example.com"
    if not host:
        return f"is not set: it must be the public host name the bot is served on, like {example}"
    if "://" in host or "/" in host:
        return f"must be a host name only, like {example} (no https:// and no path), got {host!r}"
    if ":" in host:
        return f"must be a host name without a port, like {example}, got {host!r}"
    labels = host.split(".")
    if (len(host) > 253 or len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels)
            or not labels[-1].isalpha()):
        return (f"must be a public DNS host name like {example} (not localhost or an IP address), "
                f"got {host!r}")
    return None


def _fill(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, str):
        def replace(match: re.Match[str]) -> str:
            if match.group(1) not in values:
                raise ManifestError([f"unknown placeholder {match.group(0)} in the manifest template"])
            return values[match.group(1)]
        return PLACEHOLDER.sub(replace, node)
    return node


def _read_json(name: str) -> Any:
    path = MANIFEST_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError([f"{path} is missing"]) from None


def render_manifest(values: ManifestValues) -> dict[str, Any]:
    return _fill(_read_json(TEMPLATE_FILE), values.placeholders())


def localization_files(manifest: dict[str, Any]) -> list[str]:
    """The translation files the manifest refers to (relative to the package root)."""
    info = manifest.get("localizationInfo", {})
    files = [lang["file"] for lang in info.get("additionalLanguages", [])]
    if info.get("defaultLanguageFile"):
        files.insert(0, info["defaultLanguageFile"])
    return files


def render_localizations(values: ManifestValues, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _fill(_read_json(name), values.placeholders()) for name in localization_files(manifest)}


def build_package(settings: Settings, out_path: Path = DEFAULT_PACKAGE_PATH) -> Path:
    """Write the Teams app package (manifest.json, icons and translations at the zip root).

    `out_path` is the zip file, or an existing directory to put appPackage.zip in.
    Returns the path written. Raises ManifestError when a setting is missing or malformed.
    """
    values = manifest_values(settings)
    manifest = render_manifest(values)
    files: dict[str, bytes] = {"manifest.json": _json_bytes(manifest)}
    for name, content in render_localizations(values, manifest).items():
        files[name] = _json_bytes(content)
    for icon in ICON_FILES:
        path = MANIFEST_DIR / icon
        if not path.is_file():
            raise ManifestError([f"{path} is missing: run python manifest/make_icons.py"])
        files[icon] = path.read_bytes()

    out_path = Path(out_path)
    if out_path.is_dir():
        out_path = out_path / PACKAGE_NAME
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    os.replace(partial, out_path)
    return out_path


def _json_bytes(content: Any) -> bytes:
    return (json.dumps(content, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def main_build(settings: Settings, out: Path | None = None) -> int:
    """For `coach manifest build [--out PATH]`: build, report, and return the exit code."""
    try:
        path = build_package(settings, out or DEFAULT_PACKAGE_PATH)
    except ManifestError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Teams app package written to {path}")
    print("Upload it in Teams: Apps > Manage your apps > Upload an app (or via the Teams admin center).")
    return 0
