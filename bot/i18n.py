"""Pick the worker's language and look up UI strings from content/<locale>/ui.yaml."""

from __future__ import annotations

from bot.content import DEFAULT_LOCALE, LOCALES, Catalog
from bot.formats import Formats


def language_for(teams_locale: str | None, chosen: str | None = None) -> str:
    """The worker's choice wins; else the Teams locale (sv-SE -> sv, nl-BE -> nl); else en."""
    if chosen in LOCALES:
        return chosen
    prefix = (teams_locale or "").split("-")[0].split("_")[0].lower()
    return prefix if prefix in LOCALES else DEFAULT_LOCALE


class Texts:
    """UI strings of one language, with English as the fallback for a missing key, and the
    worker's number and date formats (`teams_locale` picks the region: nl-BE, en-GB)."""

    def __init__(self, catalog: Catalog, language: str, teams_locale: str | None = None):
        self.language = language if language in catalog.locales else DEFAULT_LOCALE
        self._strings = catalog.ui(self.language)
        self._fallback = catalog.ui(DEFAULT_LOCALE)
        formats = Formats(self.language, teams_locale)
        self.percent, self.number, self.signed, self.date, self.minutes = (
            formats.percent, formats.number, formats.signed, formats.date, formats.minutes)
        self.time = formats.time

    def __call__(self, key: str, **values: object) -> str:
        template = self._strings.get(key) or self._fallback[key]
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        return key in self._strings or key in self._fallback
