"""The encrypted database through the SQLCipher driver alone, before SQLAlchemy is loaded: a start
reads the first page the window kept (store/first_page.py) and checks the file's integrity in a
thread while Qt loads (app.py); the store's own check (LocalStore.integrity_ok) treats a
locked file the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aude_desktop.store.keys import DatabaseKey

CHECK_CACHE_KIB = 2000  # the check reads every page: through a small cache, or it keeps ~64 MiB resident


def connect(path: Path, key: DatabaseKey, timeout: float = 0.2):
    """A read-only connection, keyed as the engine keys its own (store/engine.py)."""
    from sqlcipher3 import dbapi2

    connection = dbapi2.connect(str(path), timeout=timeout)
    try:
        # Hex digits we produced (DatabaseKey), not a stored value.
        connection.execute(f"PRAGMA key = \"{key.sqlcipher_pragma_value()}\"")
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute("PRAGMA query_only = 1")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the key opens it
    except BaseException:
        connection.close()
        raise
    return connection


def integrity(connection) -> bool:
    """PRAGMA integrity_check on a SQLCipher connection; a page that no longer decrypts (its HMAC
    fails) is damage too. A locked or busy file raises: another writer, not damage."""
    from sqlcipher3 import dbapi2

    try:
        row = connection.execute("PRAGMA integrity_check").fetchone()
    except dbapi2.DatabaseError as exc:
        if contention(exc):
            raise
        return False
    return row is not None and row[0] == "ok"


def contention(exc: BaseException) -> bool:
    """Another writer holds the file: not damage (whichever layer raised it)."""
    return "locked" in str(exc) or "busy" in str(exc)


def integrity_ok(path: Path, key: DatabaseKey) -> bool | None:
    """The check, before the store opens; None when it could not run (no file, a key that does not
    open it, a busy file): the store's opening then meets the problem and says it."""
    from sqlcipher3 import dbapi2

    if not path.exists():
        return None
    try:
        connection = connect(path, key)
    except dbapi2.Error:
        return None
    try:
        connection.execute(f"PRAGMA cache_size=-{CHECK_CACHE_KIB}")
        return integrity(connection)
    except dbapi2.Error:
        return None
    finally:
        connection.close()
