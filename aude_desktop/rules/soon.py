"""How near a date is: the « bientôt » threshold and the words a queue says it with.

Imports nothing: the first screen (ui/first_screen.py) recomputes its rows' deadlines for today
with it before anything else of the application is loaded.
"""

from __future__ import annotations

from datetime import date

# « Bientôt » (due within 15 days) for the clock, the queues' filters and the overview: a service
# choice, not a legal delay, defined here once.
SOON_DAYS = 15


def deadline_text(due: date | None, today: date, soon_days: int = SOON_DAYS, arises: bool = False,
                  to_notify: bool = False) -> tuple[str, str]:
    """(« dépassée de 3 j » / « dans 12 j » / « notification à saisir » / « — »,
    overdue | soon | later | notification | none).

    `arises`: the date is an implicit decision or a tacit authorisation, which past its date is a
    fact (« acquise il y a 3 j »), not a late task. `to_notify`: a decision letter awaits its
    notification date (shown when no other date runs)."""
    if due is None and to_notify:
        return "notification à saisir", "notification"
    if due is None:
        return "—", "none"
    left = (due - today).days
    if left < 0:
        return (f"acquise il y a {-left} j" if arises else f"dépassée de {-left} j"), "overdue"
    return f"dans {left} j", "soon" if left <= soon_days else "later"
