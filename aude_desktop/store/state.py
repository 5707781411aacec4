"""This installation's small key → value state (`sync_state`: cursor, client id, audit head, letter
sequence…), read and written inside the caller's unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aude_desktop.store.models import SyncState


def get_state(session: Session, key: str) -> str | None:
    row = session.get(SyncState, key)
    return row.value if row else None


def set_state(session: Session, key: str, value: str) -> None:
    session.merge(SyncState(key=key, value=value))
