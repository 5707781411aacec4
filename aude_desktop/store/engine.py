"""Engine factory for the encrypted local database (SQLCipher through `sqlite+pysqlcipher`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from aude_desktop.store.keys import DatabaseKey

BUSY_TIMEOUT_MS = 5000
# Page cache per connection, filled only as pages are read. SQLite's default (2 MiB) made a national
# initial sync thrash: random UUID keys touch pages all over indexes of hundreds of MiB, and every
# miss costs a read and an AES decryption (bench/bench_sync.py: 4,365 → 7,123 records/s on 125k).
CACHE_KIB = 64 * 1024


def _apply_pragmas(dbapi_connection, _record) -> None:
    # Runs after the dialect's own connect hook, which has already issued PRAGMA key.
    cursor = dbapi_connection.cursor()
    try:
        # SQLCipher would print each failed page check to stderr; damage is reported in French instead.
        cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    finally:
        cursor.close()


def make_engine(path: Path, key: DatabaseKey) -> Engine:
    return engine_from_url(URL.create("sqlite+pysqlcipher", password=key.sqlcipher_pragma_value(), database=str(path)))


def engine_from_url(url: URL | str) -> Engine:
    """Also used by the writer process, which receives the URL (key included) through its pipe."""
    engine = create_engine(url, pool_pre_ping=False)
    event.listen(engine, "connect", _apply_pragmas)
    return engine
