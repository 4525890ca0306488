"""Numbers, percentages, dates and durations in the worker's locale (Babel's CLDR data).

The locale is the worker's Teams locale when it is in the language the bot speaks to them
(nl-BE stays Belgian), else the language itself (a Teams in en-US with Dutch chosen: Dutch)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit


def babel_locale(language: str, teams_locale: str | None = None) -> Locale:
    if teams_locale:
        try:
            regional = Locale.parse(teams_locale.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            regional = None
        if regional is not None and regional.language == language:
            return regional
    return Locale.parse(language)


class Formats:
    def __init__(self, language: str, teams_locale: str | None = None):
        self.locale = babel_locale(language, teams_locale)

    def percent(self, value: float) -> str:
        """`value` on a 0-100 scale: 71.43 -> "71.4%" / "71,4 %" / "71,4%"."""
        share = Decimal(str(round(value, 1))) / 100
        return format_percent(share, locale=self.locale, decimal_quantization=False)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def signed(self, value: float) -> str:
        """A change with its sign: +3.5 / −2 / 0, in the locale's digits and separators."""
        return format_decimal(value, format="+#,##0.#;-#,##0.#", locale=self.locale) if value else "0"

    def date(self, moment: date | datetime | None) -> str:
        """The calendar date (UTC for a datetime), e.g. "Nov 2, 2026" / "2 nov. 2026"."""
        if moment is None:
            return "-"
        day = moment.date() if isinstance(moment, datetime) else moment
        return format_date(day, "medium", locale=self.locale)

    def time(self, moment: datetime) -> str:
        """The time of day as the moment carries it (convert to the zone first): "9:30 AM"."""
        return format_time(moment, "short", locale=self.locale)

    def minutes(self, count: int) -> str:
        return format_unit(count, "duration-minute", length="short", locale=self.locale)
