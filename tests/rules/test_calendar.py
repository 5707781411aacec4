"""Legal date arithmetic of dates.md: months, weekends, holidays per seat, jours ouvrables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aude_desktop.rules.calendar import (
    LegalCalendar,
    add_months,
    add_weeks,
    calendar_for_authority,
    calendar_for_region,
    extend_to_working_day,
    format_date_fr,
    latest_filing_day,
)

NATIONAL = LegalCalendar(None)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 15), 2, date(2025, 3, 15)),
        (date(2025, 10, 31), 4, date(2026, 2, 28)),
        (date(2027, 10, 31), 4, date(2028, 2, 29)),  # leap year
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_months_per_cpc_641(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("cal", "day", "holiday"),
    [
        (NATIONAL, date(2025, 4, 21), "Lundi de Pâques"),
        (NATIONAL, date(2025, 6, 9), "Lundi de Pentecôte"),
        (NATIONAL, date(2025, 5, 29), "Ascension"),
        (NATIONAL, date(2025, 7, 14), "Fête nationale"),
        (NATIONAL, date(2025, 4, 18), None),  # Good Friday: not in the national calendar
        (calendar_for_region("GES"), date(2025, 4, 18), "Vendredi saint"),  # Strasbourg DREETS
        (calendar_for_region("GES"), date(2025, 12, 26), "Saint-Étienne"),
        (calendar_for_authority("ARS-GES"), date(2025, 12, 26), None),  # Nancy: national calendar
        (calendar_for_authority("ORDRE-INF"), date(2025, 4, 18), None),  # Paris
        (calendar_for_region("REU"), date(2025, 12, 20), "Abolition de l'esclavage"),
        (calendar_for_region("GUA"), date(2025, 5, 27), "Abolition de l'esclavage"),
        (calendar_for_region("MTQ"), date(2025, 5, 22), "Abolition de l'esclavage"),
        (calendar_for_region("GUY"), date(2025, 6, 10), "Abolition de l'esclavage"),
        (calendar_for_region("MAY"), date(2025, 4, 27), "Abolition de l'esclavage"),
    ],
)
def test_holidays_of_the_authority_seat(cal, day, holiday):
    name = cal.holiday_name(day)
    if holiday is None:
        assert name is None
    else:
        assert name is not None and holiday.lower() in name.lower(), name


def test_extension_to_the_next_working_day():
    # Saturday 7 June 2025 → Sunday 8 → Whit Monday 9 → Tuesday 10 June
    assert extend_to_working_day(date(2025, 6, 7), NATIONAL) == (date(2025, 6, 10), [date(2025, 6, 7), date(2025, 6, 8), date(2025, 6, 9)])
    assert extend_to_working_day(date(2025, 6, 11), NATIONAL) == (date(2025, 6, 11), [])
    # Good Friday counts in Strasbourg only
    assert extend_to_working_day(date(2025, 4, 18), calendar_for_region("GES"))[0] == date(2025, 4, 22)
    assert extend_to_working_day(date(2025, 4, 18), NATIONAL)[0] == date(2025, 4, 18)


def test_jours_ouvrables_example_of_dates_md():
    assert latest_filing_day(date(2025, 3, 18), 8, NATIONAL) == date(2025, 3, 8)
    # over a Sunday and Easter Monday: octroi Wednesday 23 April 2025
    assert latest_filing_day(date(2025, 4, 23), 8, NATIONAL) == date(2025, 4, 12)


def test_french_dates():
    assert format_date_fr(date(2026, 11, 22)) == "22 novembre 2026"
    assert format_date_fr(date(2025, 6, 1), weekday=True) == "dimanche 1er juin 2025"
    assert NATIONAL.why_not_working(date(2025, 6, 9)) == "lundi 9 juin 2025 (Lundi de Pentecôte)"
    assert add_weeks(date(2025, 1, 1), 3) == date(2025, 1, 22)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(days, st.integers(min_value=0, max_value=48))
def test_a_legal_date_is_never_before_its_start(start, months):
    assert add_months(start, months) >= start


@given(days, days, st.integers(min_value=0, max_value=48))
def test_adding_months_is_monotonic(a, b, months):
    low, high = sorted((a, b))
    assert add_months(low, months) <= add_months(high, months)


@given(days, st.sampled_from([None, "6AE", "971", "974"]))
def test_extension_never_moves_earlier_and_lands_on_a_working_day(d, subdiv):
    cal = LegalCalendar(subdiv)
    extended, skipped = extend_to_working_day(d, cal)
    assert extended >= d and not cal.is_non_working(extended)
    assert extended - d == timedelta(days=len(skipped))
