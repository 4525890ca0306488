"""A local Microsoft Graph and Entra token endpoint, over HTTPS with a throwaway CA.

Behaves like the documented services where Adoption Coach depends on them:
- `POST /{tenant}/oauth2/v2.0/token`: the client-credentials flow (wrong secret: 401).
- `GET /v1.0/users/delta`: pages with `@odata.nextLink`, then an `@odata.deltaLink`; a delta
  link returns only what changed since (`changes`), removed users carry `@removed`.
- `GET /v1.0/reports/<function>(period='D30')`: 302 to a short-lived CSV download that refuses
  an Authorization header; answers 429 with Retry-After first when `throttle_first` is set.
- `POST /v1.0/users/{id}/teamwork/installedApps`: 201, 409 when installed, 403 when blocked.
Every Graph call needs the bearer token the token endpoint issued.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TENANT = "00000000-0000-4000-8000-00000000aaaa"
CLIENT_ID = "11111111-2222-4333-8444-555555555555"
CLIENT_SECRET = "graph-standin-secret-value"


def make_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1/localhost and the CA file clients must trust."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Graph stand-in CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, ca_file


@dataclass
class GraphStandIn:
    users: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 100
    reports: dict[str, str] = field(default_factory=dict)  # graph function -> CSV text
    throttle_first: dict[str, float] = field(default_factory=dict)  # function -> Retry-After
    installed: set[str] = field(default_factory=set)
    install_blocked: set[str] = field(default_factory=set)
    changes: list[dict[str, Any]] = field(default_factory=list)  # what a delta link returns
    fail_page_once: int | None = None  # answer 503 once for this page index
    calls: list[str] = field(default_factory=list)
    token_requests: int = 0
    installs: list[tuple[str, str]] = field(default_factory=list)
    # Called with the user id after each new install: what Teams then does (tell the bot).
    on_install: Callable[[str], None] | None = None
    base_url: str = ""
    _tokens: set[str] = field(default_factory=set)
    _downloads: dict[str, str] = field(default_factory=dict)
    _delta_tokens: set[str] = field(default_factory=set)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users/delta", self._delta)
        app.router.add_get(r"/v1.0/reports/{function:[A-Za-z0-9]+}({args:[^)]*})", self._report)
        app.router.add_get("/download/{key}", self._download)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        if (request.match_info["tenant"] != TENANT or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("grant_type") != "client_credentials"):
            return web.json_response({"error": "invalid_client",
                                      "error_description": "AADSTS7000215: Invalid client secret."}, status=401)
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self._tokens

    @staticmethod
    def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)

    async def _delta(self, request: web.Request) -> web.Response:
        self.calls.append(str(request.rel_url))
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if "$deltatoken" in request.query:
            if request.query["$deltatoken"] not in self._delta_tokens:
                return self._error(410, "resyncRequired", "The delta token is no longer valid.")
            return web.json_response({"value": list(self.changes), "@odata.deltaLink": self._new_delta_link()})
        index = int(request.query.get("$skiptoken", "0"))
        if self.fail_page_once == index:
            self.fail_page_once = None
            return self._error(503, "serviceNotAvailable", "Try later.", {"Retry-After": "0"})
        chunk = self.users[index * self.page_size:(index + 1) * self.page_size]
        body: dict[str, Any] = {"value": chunk}
        if (index + 1) * self.page_size < len(self.users):
            body["@odata.nextLink"] = f"{self.base_url}/v1.0/users/delta?$skiptoken={index + 1}"
        else:
            body["@odata.deltaLink"] = self._new_delta_link()
        return web.json_response(body)

    def _new_delta_link(self) -> str:
        token = secrets.token_hex(8)
        self._delta_tokens.add(token)
        return f"{self.base_url}/v1.0/users/delta?$deltatoken={token}"

    async def _report(self, request: web.Request) -> web.Response:
        function = request.match_info["function"]
        self.calls.append(f"report:{function}({request.match_info['args']})")
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if function in self.throttle_first:
            wait = self.throttle_first.pop(function)
            return self._error(429, "TooManyRequests", "Too many requests.", {"Retry-After": str(wait)})
        if function not in self.reports:
            return self._error(404, "UnknownError", "No such report.")
        key = secrets.token_urlsafe(12)
        self._downloads[key] = self.reports[function]
        return web.Response(status=302, headers={"Location": f"{self.base_url}/download/{key}"})

    async def _download(self, request: web.Request) -> web.Response:
        if "Authorization" in request.headers:  # the download URL is pre-signed storage
            return web.Response(status=400, text="Authorization header not allowed")
        text = self._downloads.pop(request.match_info["key"], None)  # short-lived: once
        if text is None:
            return web.Response(status=404, text="expired")
        return web.Response(body=text.encode("utf-8"), content_type="application/octet-stream")

    async def _install(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        user = request.match_info["user"]
        body = await request.json()
        self.installs.append((user, str(body.get("teamsApp@odata.bind", ""))))
        if user in self.install_blocked:
            return self._error(403, "Forbidden", "The app is blocked by the organisation's app policy.")
        if user in self.installed:
            return self._error(409, "Conflict", "App is already installed.")
        self.installed.add(user)
        if self.on_install is not None:
            self.on_install(user)
        return web.Response(status=201)


async def start(standin: GraphStandIn, folder: Path) -> tuple[web.AppRunner, Path]:
    """Serve on a free 127.0.0.1 port; returns the runner and the CA file to trust."""
    context, ca_file = make_tls(folder)
    runner = web.AppRunner(standin.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    standin.base_url = f"https://127.0.0.1:{port}"
    return runner, ca_file


def usage_csv(header: list[str], rows: list[list[object]], *, bom: bool = True) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


# The documented columns of each user-detail report (the admin center's export has the same).
REPORT_HEADERS = {
    "teams": ["Report Refresh Date", "User Id", "User Principal Name", "Last Activity Date", "Is Deleted",
              "Deleted Date", "Assigned Products", "Team Chat Message Count", "Private Chat Message Count",
              "Call Count", "Meeting Count", "Report Period"],
    "onedrive": ["Report Refresh Date", "User Principal Name", "Is Deleted", "Deleted Date", "Last Activity Date",
                 "Viewed Or Edited File Count", "Synced File Count", "Shared Internally File Count",
                 "Shared Externally File Count", "Assigned Products", "Report Period"],
    "sharepoint": ["Report Refresh Date", "User Principal Name", "Is Deleted", "Deleted Date", "Last Activity Date",
                   "Viewed Or Edited File Count", "Synced File Count", "Shared Internally File Count",
                   "Shared Externally File Count", "Visited Page Count", "Assigned Products", "Report Period"],
    "email": ["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
              "Last Activity Date", "Send Count", "Receive Count", "Read Count", "Meeting Created Count",
              "Meeting Interacted Count", "Assigned Products", "Report Period"],
    "apps": ["Report Refresh Date", "User Principal Name", "Last Activation Date", "Last Activity Date",
             "Report Period", "Windows", "Mac", "Mobile", "Web", "Outlook", "Word", "Excel", "PowerPoint",
             "OneNote", "Teams"],
}
