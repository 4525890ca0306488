"""Download a usage report from Graph: the API answers 302 to a short-lived CSV URL, which is
fetched without our token and streamed to a file (50,000 users never sit in memory)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import aiohttp

from .client import GraphClient, GraphError
from .usage_reports import ReportSpec

PERIODS = ("D7", "D30", "D90", "D180")
_CHUNK = 1 << 16


def report_path(spec: ReportSpec, period: str | None = None, day: date | None = None) -> str:
    if (period is None) == (day is None):
        raise ValueError("give a period or a date, not both")
    if period is not None:
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        return f"reports/{spec.graph_function}(period='{period}')"
    return f"reports/{spec.graph_function}(date={day.isoformat()})"  # type: ignore[union-attr]


async def download_report(graph: GraphClient, downloads: aiohttp.ClientSession, spec: ReportSpec,
                          dest: Path, *, period: str | None = None, day: date | None = None) -> Path:
    response = await graph.request("GET", report_path(spec, period, day), allow_redirects=False)
    async with response:
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location", "")
            if not re.match(r"^https?://", location):
                raise GraphError(response.status, "badRedirect", "the report answer has no download URL")
        else:
            location = ""
            await _save(response, dest)
    if location:
        async with downloads.get(location) as download:  # no Authorization: the URL is signed
            if download.status != 200:
                raise GraphError(download.status, "downloadFailed", "the report download failed")
            await _save(download, dest)
    return dest


async def _save(response: aiohttp.ClientResponse, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as handle:
        async for chunk in response.content.iter_chunked(_CHUNK):
            handle.write(chunk)
