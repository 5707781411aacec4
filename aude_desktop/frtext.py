"""Numbers and moments written the French way for the command line (the views use QLocale), and
stored values made safe for the views' rich text."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aude_desktop.rules.calendar import format_date_fr


def fr_number(value: int) -> str:
    """12 345 678, grouped with a narrow no-break space."""
    return f"{value:,}".replace(",", "\u202f")


def fr_datetime(moment: datetime) -> str:
    """« 26 novembre 2026 à 08:05 », in local time."""
    local = moment.astimezone() if moment.tzinfo else moment
    return f"{format_date_fr(local.date())} à {local:%H:%M}"


def rich_text(value: object) -> str:
    """A stored value inside rich text (a view's heading): `<`, `>` and `&` escaped, quotes kept as typed."""
    return escape(str(value), quote=False)
