"""The Teams app package: built from Settings, valid against the schemas bundled in
@microsoft/app-manifest (checked offline by tests/manifest_validate.mjs), with proper icons."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from urllib.parse import urlsplit
from pathlib import Path

import pytest

from bot.manifest import ManifestError, build_package, main_build
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = ROOT / "tests" / "manifest_validate.mjs"
CLIENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
APP_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
HOST = "bot.example.com"
VERSION = "1.2.3"
LOCALIZATION_FILES = {"sv-se.json", "nl-nl.json"}


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"client_id": CLIENT_ID, "app_id": "", "public_host": HOST,
                                 "app_version": VERSION, "bot_name": "Adoption Coach"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def unpack(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return into


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The unpacked package built from the test settings."""
    zip_path = build_package(make_settings(), tmp_path / "appPackage.zip")
    return unpack(zip_path, tmp_path / "unpacked")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ---- offline schema validation (node) -------------------------------------------------------

def node_validate(manifest_path: Path) -> tuple[int, dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the manifest is validated with Node 20 and "
                    "@microsoft/app-manifest (install Node 20, then run `npm ci` in the repo root)")
    if not (ROOT / "node_modules" / "@microsoft" / "app-manifest").is_dir():
        pytest.fail("node_modules/@microsoft/app-manifest is missing: run `npm ci` in the repo root")
    done = subprocess.run([node, str(VALIDATOR), str(manifest_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"validator printed no JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.returncode, report


@pytest.mark.parametrize("bot_name", ["Adoption Coach", "C" * 30])
def test_manifest_and_translations_pass_the_bundled_schemas(tmp_path: Path, bot_name: str) -> None:
    unpacked = unpack(build_package(make_settings(bot_name=bot_name), tmp_path / "p.zip"), tmp_path / "p")
    code, report = node_validate(unpacked / "manifest.json")
    assert (code, report["errors"]) == (0, []), report
    # The package's own validator (it needs fs-extra, which package.json adds).
    assert report["validator"].startswith("AppManifestUtils.validateAgainstSchema"), report


def test_the_validator_reports_schema_errors(package: Path) -> None:
    manifest = read_json(package / "manifest.json")
    manifest["id"] = "not-a-guid"
    (package / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    swedish = read_json(package / "sv-se.json")
    swedish["name.short"] = "x" * 31
    (package / "sv-se.json").write_text(json.dumps(swedish), encoding="utf-8")

    code, report = node_validate(package / "manifest.json")

    assert code == 1, report
    assert any(e.startswith("manifest.json: /id") for e in report["errors"]), report
    assert any(e.startswith("sv-se.json: /name.short") for e in report["errors"]), report


def test_the_validator_never_fetches_an_unbundled_schema(package: Path) -> None:
    manifest = read_json(package / "manifest.json")
    manifest["$schema"] = "https://example.com/not-bundled/MicrosoftTeams.schema.json"
    (package / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, report = node_validate(package / "manifest.json")
    assert code == 2 and "not a schema bundled" in report["errors"][0], report


# ---- contents ---------------------------------------------------------------------------------

def test_package_holds_manifest_icons_and_translations_at_its_root(tmp_path: Path) -> None:
    zip_path = build_package(make_settings(), tmp_path / "appPackage.zip")
    with zipfile.ZipFile(zip_path) as archive:
        assert set(archive.namelist()) == {"manifest.json", "color.png", "outline.png", *LOCALIZATION_FILES}


def test_settings_fill_the_manifest(package: Path) -> None:
    manifest = read_json(package / "manifest.json")
    assert manifest["id"] == CLIENT_ID  # app id defaults to the client id
    assert manifest["bots"][0]["botId"] == CLIENT_ID
    assert manifest["version"] == VERSION
    assert manifest["validDomains"] == [HOST]
    assert manifest["name"]["short"] == "Adoption Coach"
    assert manifest["developer"]["websiteUrl"] == f"https://{HOST}/"
    assert manifest["manifestVersion"] in manifest["$schema"]
    for path in package.glob("*.json"):
        assert "{{" not in path.read_text(encoding="utf-8"), f"unfilled placeholder in {path.name}"


def test_the_dashboard_tab_and_its_sso_resource(package: Path) -> None:
    manifest = read_json(package / "manifest.json")
    assert manifest["staticTabs"] == [{"entityId": "dashboard", "name": "Dashboard",
                                       "contentUrl": f"https://{HOST}/dashboard", "scopes": ["personal"]}]
    assert manifest["webApplicationInfo"] == {"id": CLIENT_ID, "resource": f"api://{HOST}/{CLIENT_ID}"}
    assert read_json(package / "sv-se.json")["staticTabs[0].name"] == "Översikt"
    # Teams loads the tab and asks for its SSO token only for hosts the app declares.
    domains = manifest["validDomains"]
    assert urlsplit(manifest["staticTabs"][0]["contentUrl"]).hostname in domains
    assert urlsplit(manifest["webApplicationInfo"]["resource"]).hostname in domains


def test_bot_scopes_and_commands(package: Path) -> None:
    bot = read_json(package / "manifest.json")["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is False
    personal = next(lst for lst in bot["commandLists"] if lst["scopes"] == ["personal"])
    assert [c["title"] for c in personal["commands"]] == ["help", "menu", "language", "quiz", "feedback", "my data"]
    # Training, quizzes, feedback and personal data stay in the 1:1 chat (dialogs: PERSONAL_ONLY).
    shared = next(lst for lst in bot["commandLists"] if set(lst["scopes"]) == {"team", "groupChat"})
    assert [c["title"] for c in shared["commands"]] == ["help", "language"]
    for command_list in bot["commandLists"]:
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and 0 < len(command.get("description", "")) <= 128


def test_explicit_app_id_is_used_and_bot_id_stays_the_client_id(tmp_path: Path) -> None:
    unpacked = unpack(build_package(make_settings(app_id=APP_ID), tmp_path / "p.zip"), tmp_path / "p")
    manifest = read_json(unpacked / "manifest.json")
    assert (manifest["id"], manifest["bots"][0]["botId"]) == (APP_ID, CLIENT_ID)


def test_translations_cover_every_command_and_are_translated(package: Path) -> None:
    manifest = read_json(package / "manifest.json")
    info = manifest["localizationInfo"]
    assert info["defaultLanguageTag"] == "en-us"
    assert {lang["languageTag"]: lang["file"] for lang in info["additionalLanguages"]} == {
        "sv-se": "sv-se.json", "nl-nl": "nl-nl.json"}
    command_keys = {
        f"bots[0].commandLists[{i}].commands[{j}].{field}"
        for i, command_list in enumerate(manifest["bots"][0]["commandLists"])
        for j, _ in enumerate(command_list["commands"])
        for field in ("title", "description")
    }
    for name in LOCALIZATION_FILES:
        strings = read_json(package / name)
        assert strings["$schema"] == manifest["$schema"].replace("MicrosoftTeams.schema.json",
                                                                   "MicrosoftTeams.Localization.schema.json")
        assert {key for key in strings if key.startswith("bots[")} == command_keys, name
        assert strings["name.short"] == manifest["name"]["short"]
        for key in ("description.short", "description.full", "name.full"):
            english = manifest[key.split(".")[0]][key.split(".")[1]]
            assert strings[key] != english, f"{name}: {key} is not translated"
    assert read_json(package / "sv-se.json")["bots[0].commandLists[0].commands[0].title"] == "hjälp"
    assert read_json(package / "nl-nl.json")["bots[0].commandLists[0].commands[5].title"] == "mijn gegevens"


def test_same_settings_give_the_same_bytes_and_a_directory_gets_appPackage_zip(tmp_path: Path) -> None:
    first = build_package(make_settings(), tmp_path / "a.zip")
    (tmp_path / "out").mkdir()
    second = build_package(make_settings(), tmp_path / "out")
    assert second == tmp_path / "out" / "appPackage.zip"
    assert first.read_bytes() == second.read_bytes()


# ---- icons ------------------------------------------------------------------------------------

def read_png(data: bytes) -> tuple[int, int, int, list[list[tuple[int, ...]]]]:
    """(width, height, colour type, rows of pixel tuples) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and color_type in (2, 6) and interlace == 0, (depth, color_type, interlace)
    channels = 4 if color_type == 6 else 3
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride, rows, previous = width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append([tuple(line[x * channels:(x + 1) * channels]) for x in range(width)])
        previous = line
    return width, height, color_type, rows


def test_color_icon_is_192_opaque_on_the_accent_colour(package: Path) -> None:
    width, height, color_type, rows = read_png((package / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    if color_type == 6:
        assert all(pixel[3] == 255 for row in rows for pixel in row), "color icon must be opaque"
    accent = read_json(package / "manifest.json")["accentColor"]
    background = tuple(int(accent[i:i + 2], 16) for i in (1, 3, 5))
    assert rows[0][0][:3] == rows[-1][-1][:3] == background
    assert len({pixel[:3] for row in rows for pixel in row}) > 10, "the icon should show a mark"


def test_outline_icon_is_32_white_on_transparent(package: Path) -> None:
    width, height, color_type, rows = read_png((package / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    assert color_type == 6, "outline icon needs an alpha channel (RGBA)"
    pixels = [pixel for row in rows for pixel in row]
    assert all(rows[y][x][3] == 0 for y in (0, 31) for x in (0, 31)), "background must be transparent"
    assert sum(p[3] == 0 for p in pixels) > len(pixels) // 3, "mostly transparent background"
    assert any(p[3] == 255 for p in pixels), "the mark must be drawn"
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3]), "only white may be visible"


def test_committed_icons_match_the_generator() -> None:
    sys.path.insert(0, str(ROOT / "manifest"))
    try:
        import make_icons
    finally:
        sys.path.remove(str(ROOT / "manifest"))
    assert make_icons.png_bytes(32, 32, make_icons.render_outline(32), alpha=True) == \
        (ROOT / "manifest" / "outline.png").read_bytes()
    assert make_icons.png_bytes(192, 192, make_icons.render_color(192), alpha=False) == \
        (ROOT / "manifest" / "color.png").read_bytes()


# ---- bad settings ---------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "env_name", "hint"), [
    ({"client_id": ""}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", "not set"),
    ({"client_id": "my-bot"}, "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", "GUID"),
    ({"app_id": "1234"}, "APP_ID", "GUID"),
    ({"public_host": ""}, "PUBLIC_HOST", "not set"),
    ({"public_host": "https://bot.example.com/"}, "PUBLIC_HOST", "no https://"),
    ({"public_host": "bot.example.com:3978"}, "PUBLIC_HOST", "port"),
    ({"public_host": "localhost"}, "PUBLIC_HOST", "public DNS host name"),
    ({"public_host": "10.0.0.5"}, "PUBLIC_HOST", "public DNS host name"),
    ({"public_host": "bad_host.example.com"}, "PUBLIC_HOST", "public DNS host name"),
    ({"app_version": "1.0"}, "APP_VERSION", "MAJOR.MINOR.PATCH"),
    ({"app_version": "v1.0.0"}, "APP_VERSION", "MAJOR.MINOR.PATCH"),
    ({"bot_name": "A" * 31}, "BOT_NAME", "1-30 characters"),
])
def test_bad_settings_name_the_env_var(tmp_path: Path, overrides: dict, env_name: str, hint: str) -> None:
    out = tmp_path / "appPackage.zip"
    with pytest.raises(ManifestError) as caught:
        build_package(make_settings(**overrides), out)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert env_name in str(caught.value) and hint in str(caught.value)
    assert not out.exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        build_package(make_settings(client_id="", public_host="", app_version="x"), tmp_path / "p.zip")
    text = str(caught.value)
    assert len(caught.value.problems) == 3
    assert all(name in text for name in ("CLIENTID", "PUBLIC_HOST", "APP_VERSION"))


def test_main_build_reports_success_and_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_build(make_settings(), tmp_path / "ok.zip") == 0
    assert "ok.zip" in capsys.readouterr().out
    assert main_build(make_settings(public_host="localhost"), tmp_path / "bad.zip") == 2
    assert "PUBLIC_HOST" in capsys.readouterr().err
