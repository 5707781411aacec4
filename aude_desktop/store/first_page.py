"""The first page of the window's queue, kept inside the encrypted database so that the next start
paints it before the store's machinery is loaded (SQLAlchemy and the models alone cost more than
twice a bare Qt window: bench/bench_cold_start.py).

True by construction, not by hope: every opening of the store deletes it (`forget`, called by
open_store — the window, `aude-cli`, a migration, a restore all go through it), and only the window
writes it, as it closes (`keep`). So a page found at start was written by the last program that
had the database open, after its last change. What depends on the day (the deadlines' words) is
recomputed by the reader; personal data never leaves the encrypted file.

`read` imports nothing but the SQLCipher driver: it runs before Qt and SQLAlchemy are loaded.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from aude_desktop.store.schema_head import SCHEMA_HEAD

if TYPE_CHECKING:
    from aude_desktop.store.keys import DatabaseKey

log = logging.getLogger(__name__)

TABLE = "first_page"
FORMAT = 1  # bump when the payload's shape changes: an older page is then ignored


def read(path: Path, key: DatabaseKey) -> dict | None:
    """The page the window kept when it last closed, or None (none kept, kept by another build or
    schema, the file busy or unreadable): the caller then takes the usual path, which says why."""
    if not path.exists():
        return None
    from sqlcipher3 import dbapi2

    from aude_desktop.store import raw

    try:
        connection = raw.connect(path, key)
    except dbapi2.Error:
        return None
    try:
        if [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] != [SCHEMA_HEAD]:
            return None
        row = connection.execute(f"SELECT payload FROM {TABLE} WHERE id = 1").fetchone()  # noqa: S608 — a constant
    except dbapi2.Error as exc:
        log.info("no first screen: %s", type(exc).__name__)
        return None
    finally:
        connection.close()
    if row is None:
        return None
    try:
        payload = json.loads(row[0])
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and payload.get("format") == FORMAT else None


def forget(engine) -> None:
    """Every opening of the store: whatever comes next may change what the page shows."""
    with engine.begin() as connection:
        # Looked for first: most openings find none, and a read takes no write lock (aude-cli beside the window).
        if connection.exec_driver_sql(f"SELECT 1 FROM {TABLE} LIMIT 1").first() is not None:  # noqa: S608 — a constant
            connection.exec_driver_sql(f"DELETE FROM {TABLE}")  # noqa: S608 — a constant


def keep(store, payload: dict) -> None:
    """Written by the window as it closes, once nothing else will write."""
    from aude_desktop.store.models import FirstPage

    with store.session() as s:
        s.merge(FirstPage(id=1, payload=json.dumps({**payload, "format": FORMAT}, ensure_ascii=False)))
