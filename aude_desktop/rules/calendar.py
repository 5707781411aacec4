"""Calendars and legal date arithmetic (shared/domain/dates.md), pure and shared by every side.

- "N jours / semaines / mois à compter de J": the day J is not counted (dies a quo); months per
  Code de procédure civile art. 641 by analogy (same day number, else the last day of the month).
- A delay ending on a Saturday, Sunday or public holiday is extended to the next working day
  (art. 642 by analogy), applied to every delay, the authority's included (conservative reading).
- Jours ouvrables: every day but Sundays and public holidays (Saturdays count).
- The calendar is that of the deciding authority's seat, kept as data (regions.json, authorities.json).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta
from functools import cache

from aude_desktop.rules.reference import authorities, regions

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")


def format_date_fr(d: date, weekday: bool = False) -> str:
    """« 22 novembre 2026 », « 1er juin 2025 », with weekday « lundi 2 juin 2025 »."""
    text = f"{'1er' if d.day == 1 else d.day} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{WEEKDAYS_FR[d.weekday()]} {text}" if weekday else text


class LegalCalendar:
    def __init__(self, subdiv: str | None = None):
        self.subdiv = subdiv

    def __repr__(self) -> str:
        return f"LegalCalendar({self.subdiv!r})"

    def holiday_name(self, d: date) -> str | None:
        return _holidays(self.subdiv, d.year).get(d)

    def is_holiday(self, d: date) -> bool:
        return self.holiday_name(d) is not None

    def is_non_working(self, d: date) -> bool:
        """Saturday, Sunday or public holiday: a delay ending on it is extended (art. 642)."""
        return d.weekday() >= 5 or self.is_holiday(d)

    def is_jour_ouvrable(self, d: date) -> bool:
        return d.weekday() != 6 and not self.is_holiday(d)

    def why_not_working(self, d: date) -> str:
        name = self.holiday_name(d)
        return f"{format_date_fr(d, weekday=True)} ({name})" if name else format_date_fr(d, weekday=True)


@cache
def _holidays(subdiv: str | None, year: int):
    import holidays  # its calendars take a tenth of a second to import: only when a date needs them

    return holidays.France(subdiv=subdiv, years=year, language="fr")


@cache
def calendar_for_region(region_code: str) -> LegalCalendar:
    """The calendar of a DREETS seat (Grand Est sits in Strasbourg: Alsace-Moselle)."""
    return LegalCalendar(regions()[region_code].holiday_subdiv)


@cache
def calendar_for_authority(authority_code: str) -> LegalCalendar:
    """The calendar of an EPS authority's seat (orders in Paris; the Grand Est ARS in Nancy)."""
    return LegalCalendar(authorities()[authority_code].holiday_subdiv)


def add_days(start: date, n: int) -> date:
    return start + timedelta(days=n)


def add_weeks(start: date, n: int) -> date:
    return start + timedelta(weeks=n)


def add_months(start: date, n: int) -> date:
    """CPC art. 641 by analogy: same day number in month M+N, else that month's last day."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def extend_to_working_day(d: date, cal: LegalCalendar) -> tuple[date, list[date]]:
    """The first day from `d` that is neither a Saturday, a Sunday nor a holiday; and the days skipped."""
    skipped = []
    while cal.is_non_working(d):
        skipped.append(d)
        d += timedelta(days=1)
    return d, skipped


def latest_filing_day(octroi: date, n: int, cal: LegalCalendar) -> date:
    """« Au plus tard N jours ouvrables avant le jour de l'octroi »: step back over jours ouvrables,
    the octroi day itself not counted (dates.md example: octroi 18/03/2025, N=8 → 08/03/2025)."""
    d, counted = octroi, 0
    while counted < n:
        d -= timedelta(days=1)
        if cal.is_jour_ouvrable(d):
            counted += 1
    return d
