"""Exports of any list or table, as French spreadsheets expect them: CSV in UTF-8 with BOM, `;`
separator, decimal comma, dates dd/mm/yyyy; or XLSX. A first row states the filters and the
extraction date, a second one that the file holds personal data. Qt-free (CLI, views, tests)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

PERSONAL_DATA = ("Données personnelles : usage strictement professionnel, à ne pas diffuser ; "
                 "supprimez ce fichier quand il n'est plus utile.")


def french(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return value if isinstance(value, int) else str(value)


def preamble(title: str, filters: str, extracted_at: datetime) -> list[str]:
    return [f"{title} — filtres : {filters or 'aucun'} — extraction du {extracted_at:%d/%m/%Y à %H:%M}", PERSONAL_DATA]


def write(path: Path, fmt: str, title: str, filters: str, headers: Sequence[str], rows: Iterable[Sequence],
          on_progress: Callable[[int], bool] | None = None, extracted_at: datetime | None = None) -> int:
    """Write the table; `on_progress(rows written)` returning False stops (the partial file is removed)."""
    extracted_at = extracted_at or datetime.now()
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Format d'export inconnu : « {fmt} » (csv ou xlsx).")
    path = Path(path)
    tmp = path.with_name(path.name + ".partiel")
    try:
        count = (_csv if fmt == "csv" else _xlsx)(tmp, title, filters, headers, rows, on_progress, extracted_at)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if count is None:  # cancelled
        tmp.unlink(missing_ok=True)
        return 0
    tmp.replace(path)
    return count


def _csv(path, title, filters, headers, rows, on_progress, extracted_at) -> int | None:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        for line in preamble(title, filters, extracted_at):
            out.writerow([line])
        out.writerow(headers)
        for row in rows:
            out.writerow([french(v) for v in row])
            count += 1
            if on_progress is not None and count % 2000 == 0 and on_progress(count) is False:
                return None
    return count


def _xlsx(path, title, filters, headers, rows, on_progress, extracted_at) -> int | None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Export")
    for line in preamble(title, filters, extracted_at):
        sheet.append([line])
    sheet.append(list(headers))
    count = 0
    for row in rows:
        # Native dates and numbers: the spreadsheet shows them the French way by itself.
        sheet.append([v.date() if isinstance(v, datetime) else v for v in row])
        count += 1
        if on_progress is not None and count % 2000 == 0 and on_progress(count) is False:
            return None
    book.save(path)
    return count


def headers_of(source) -> tuple[str, ...]:
    """An export's headers: the queue's, plus the columns only exports carry (EXPORT_HEADERS)."""
    return getattr(source, "EXPORT_HEADERS", source.HEADERS)


def queue_rows(store, source, queue_filter, today: date, chunk: int = 5000) -> Iterable[tuple]:
    """Every row of a queue with its filters (dossiers.queue or conventions.queue), page after page."""
    columns = getattr(source, "EXPORT_COLUMNS", source.COLUMNS)
    with store.session() as s:
        total = source.count(s, queue_filter, today)
        offset = 0
        while offset < total:
            page = source.page(s, queue_filter, today, offset=offset, limit=chunk, total=total)
            if not page:
                return
            for row in page:
                yield tuple(getattr(row, c) for c in columns)
            offset += len(page)


def describe(queue_filter) -> str:
    """The filters in words, for the first row of an export."""
    labels = _value_labels(queue_filter)
    parts = []
    for name, value in vars(queue_filter).items():
        if value not in ("", (), False, None):
            shown = "oui" if value is True else ", ".join(labels.get(v, str(v)) for v in (value if isinstance(value, tuple) else (value,)))
            parts.append(f"{FILTER_NAMES.get(name, name)} : {shown}")
    return " ; ".join(parts)


FILTER_NAMES = {"text": "recherche", "states": "états", "profession": "profession", "deadline": "échéance",
                "assigned_to": "agent", "region": "région", "unseen": "nouveautés", "regime": "régime",
                "urgent": "urgentes", "authority": "autorité", "route": "procédure"}


def _value_labels(queue_filter) -> dict[str, str]:
    """Codes of a queue filter → what readers see in the application (états, régimes, échéances)."""
    from aude_desktop.conventions import queue as eps_queue
    from aude_desktop.conventions.states import REGIME_LABELS
    from aude_desktop.conventions.states import STATE_LABELS as EPS_STATES
    from aude_desktop.dossiers import queue as aude_queue
    from aude_desktop.dossiers.lps import LPS_STATE_LABELS, ROUTE_LABELS
    from aude_desktop.dossiers.states import STATE_LABELS as AUDE_STATES

    convention = type(queue_filter).__name__ == "ConventionFilter"
    tables = ((EPS_STATES, REGIME_LABELS, eps_queue.DEADLINE_FILTERS) if convention
              else (AUDE_STATES, aude_queue.DEADLINE_FILTERS, LPS_STATE_LABELS, ROUTE_LABELS))
    return {str(code): label for table in tables for code, label in table.items()}
