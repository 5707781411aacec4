"""The window's first queue page, as kept for the next start (store/first_page.py) and as read back.

`capture` runs the queue's own count and page (one source: the rows are the ones the window
would query); `FrozenSource` serves them back to the same table model the window uses, with each
row's deadline recomputed for the day of the start by the same function (rules/soon.deadline_text).
Reading imports nothing heavy: it runs before SQLAlchemy is loaded.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from types import SimpleNamespace

from aude_desktop.rules.soon import deadline_text

ROWS = 100  # more than a 4K screen shows; the live window replaces the page within the second


def capture(store, source, queue_filter, login: str, today: date, look: dict) -> dict:
    """The first page of `source`'s queue under `queue_filter`, in the window's first order; `look`
    is what the queue view shows around it (FilteredQueueView.look)."""
    with store.session() as s:
        total = source.count(s, queue_filter, today)
        rows = source.page(s, queue_filter, today, "next_due_on", False, 0, ROWS, total)
    label = getattr(source, "reference_label", None)
    kept, dates = [], set()
    for row in rows:
        fields = asdict(row)
        if label is not None:
            fields["reference"] = label(fields["reference"])
        dates |= {k for k, v in fields.items() if isinstance(v, date)}
        kept.append({k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()})
    return {"login": login, "look": look, "columns": list(source.COLUMNS), "headers": list(source.HEADERS),
            "dates": sorted(dates), "total": total, "rows": kept}


class FrozenSource:
    """A queue source over a kept page (the table model's interface: COLUMNS, HEADERS, count, page)."""

    def __init__(self, payload: dict, today: date) -> None:
        self.COLUMNS = tuple(payload["columns"])  # noqa: N815 — the sources' names
        self.HEADERS = tuple(payload["headers"])  # noqa: N815
        self.total = int(payload["total"])
        dates = set(payload["dates"])
        self.rows = []
        for kept in payload["rows"]:
            fields = {k: date.fromisoformat(v) if k in dates and v else v for k, v in kept.items()}
            fields["deadline"], fields["deadline_status"] = deadline_text(
                fields.get("next_due_on"), today, arises=bool(fields.get("arises")), to_notify=bool(fields.get("to_notify")))
            self.rows.append(SimpleNamespace(**fields))

    def count(self, _session, _filter, _today) -> int:
        return self.total  # the queue's; past the kept rows the page is empty until the window is live

    def page(self, _session, _filter, _today, _sort, _descending, offset: int, limit: int, _total=None) -> list:
        return self.rows[offset:offset + limit]
