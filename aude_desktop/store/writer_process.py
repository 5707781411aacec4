"""A second process that runs write plans on the encrypted database, for a new profile's first sync.

Why a process: on a national scope the first sync is half Python (decoding pages, building rows)
and half SQLite (inserting, indexing, encrypting). SQLite releases the GIL for each row only, so
a writer *thread* waits for the GIL after every row; a process writes on the other core while this
one builds the next page (bench/bench_sync.py).

Nothing changes in the guarantees: the writer holds one transaction at a time and commits only
when told, with the cursor written in the same transaction; if this process dies, the writer sees
its pipe close (or, on Linux, is killed with it) and exits without committing.
"""

from __future__ import annotations

import logging
import marshal
import multiprocessing
import sys
from typing import TYPE_CHECKING

from aude_desktop.store.plans import write_plan

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

ACK = "ok"
PIECE_ROWS = 1_000  # parameter rows per message: marshal holds the GIL while it encodes one


class WriterFailed(Exception):
    """The writer refused or lost a plan; nothing since the last commit was kept."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind  # "disk" | "data" | "process"


class WriterProcess:
    """Send plans, then `commit()`; the writer answers each commit. Use as a context manager."""

    def __init__(self, engine: Engine):
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child,), name="aude-writer", daemon=True)
        try:
            self._process.start()
        except OSError as exc:  # no interpreter to start (a damaged install, a locked-down machine)
            self._pipe.close()
            raise WriterFailed("process", "writer process could not start") from exc
        finally:
            child.close()
        # Through the pipe: the key never appears in a command line or the environment.
        try:
            self._send(("open", engine.url.database, engine.url.password))
        except WriterFailed:
            self.close()
            raise

    def write(self, statements: list) -> None:
        """Run the statements in order, in the writer's transaction. Marshalled in pieces (one call
        for a whole page, megabytes, kept the window's thread waiting for the GIL), sent in one
        message: piece by piece, this process waited for the writer to run each one before the next."""
        self._raise_reported()
        self._send(("plan", [marshal.dumps(piece) for piece in pieces(statements, PIECE_ROWS)]))

    def commit(self) -> None:
        self._send(("commit",))
        self._answer()

    def close(self) -> None:
        """Roll back what was not committed and stop the writer (idempotent)."""
        try:
            self._send(("close",))
        except WriterFailed:
            pass
        if self._process.pid is not None:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
        self._pipe.close()

    def __enter__(self) -> WriterProcess:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _send(self, message) -> None:
        try:
            self._pipe.send_bytes(marshal.dumps(message))
        except (BrokenPipeError, OSError) as exc:
            raise WriterFailed("process", "writer process stopped") from exc

    def _answer(self):
        try:
            answer = marshal.loads(self._pipe.recv_bytes())
        except (EOFError, OSError) as exc:
            raise WriterFailed("process", "writer process stopped") from exc
        if answer[0] != ACK:
            raise WriterFailed(answer[1], answer[2])
        return answer

    def _raise_reported(self) -> None:
        """A plan failed earlier: say so now rather than send more work into a dead transaction."""
        if self._pipe.poll():
            self._answer()


def pieces(statements: list, size: int):
    """The same statements and rows, in the same order, as plans of at most `size` rows."""
    piece: list = []
    room = size
    for sql, rows in statements:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            if len(chunk) > room:
                yield piece
                piece, room = [], size
            piece.append((sql, chunk))
            room -= len(chunk)
    if piece:
        yield piece


# --- the writer's side -----------------------------------------------------------------------


def serve(pipe) -> None:
    _die_with_parent()
    import sqlcipher3
    from sqlalchemy.engine import URL

    from aude_desktop.store.engine import engine_from_url

    engine = None
    try:
        _kind, database, key = marshal.loads(pipe.recv_bytes())
        engine = engine_from_url(URL.create("sqlite+pysqlcipher", password=key, database=database))
        connection = engine.raw_connection()
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")  # what the server sent, as it comes (LocalStore.session)
        failed = False
        while True:
            try:
                message = marshal.loads(pipe.recv_bytes())
            except EOFError:  # the syncing process is gone: keep nothing of this transaction
                connection.rollback()
                return
            if message[0] == "close":
                connection.rollback()
                return
            if failed:
                continue  # the transaction was rolled back; wait for the caller to give up
            try:
                if message[0] == "plan":
                    for piece in message[1]:
                        write_plan(cursor, marshal.loads(piece))
                elif message[0] == "commit":
                    connection.commit()
                    pipe.send_bytes(marshal.dumps((ACK,)))
            except Exception as exc:  # noqa: BLE001 — reported to the caller, who raises in French
                connection.rollback()
                failed = True
                kind = "disk" if isinstance(exc, sqlcipher3.OperationalError) else "data"
                # The type and SQLite's text only (no values): logs never carry personal data.
                pipe.send_bytes(marshal.dumps(("error", kind, f"{type(exc).__name__}: {str(exc)[:200]}")))
    finally:
        if engine is not None:
            engine.dispose()


def _die_with_parent() -> None:
    """On Linux, have the kernel kill the writer with the process that started it (SIGKILL too)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except OSError:
            log.debug("prctl unavailable; the writer relies on its pipe closing")
