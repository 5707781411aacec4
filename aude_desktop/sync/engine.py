"""The sync engine: push the outbox in order, then pull the change feed page by page.

Guarantees (ARCHITECTURE.md, Sync protocol):
- each pulled page is applied in ONE transaction together with its new cursor, so a crash leaves
  either the old cursor and old data or the new cursor and new data — never a cursor ahead of data;
- a pulled record that still has unsent local commands is not overwritten: the pending commands
  are re-applied on top of the server's version (`fold`);
- a rejected command is kept with the server's reason, and the queue goes on; a conflict keeps
  the server's record for a person to resolve;
- network errors and 5xx are retried with backoff; nothing is lost when they persist.
Qt-free: the GUI runs it in a worker thread with its own store session per unit of work.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session

from aude_desktop import catalog, retention
from aude_desktop.auth.session import AuthSession
from aude_desktop.domain.commands import Actor
from aude_desktop.store.database import (
    LAST_SYNC_KEY,
    LocalStore,
    StoreWriteError,
    write_failure_text,
)
from aude_desktop.store.models import OutboxEntry, PurgedRecord
from aude_desktop.store.plans import write_plan
from aude_desktop.store.state import get_state, set_state
from aude_desktop.store.writer_process import WriterFailed, WriterProcess
from aude_desktop.sync import audit_head, materialize
from aude_desktop.sync.http import ApiError, RequestRefused, ServerError
from aude_desktop.sync.pull_scope import PullScope

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_CLOCK_SKEW_S = 300
CURSOR_KEY = "cursor"
CLIENT_ID_KEY = "client_id"
PUSH_BATCH = 200
VERSIONED_MODELS = materialize.MAIN_MODELS
APPLY_BATCH = 10_000  # records per local transaction when pulling (bench/bench_sync.py)
INITIAL_APPLY_BATCH = 100_000  # the same into an empty profile (nobody waits on its write lock)
BULK_WRITER_AFTER = 20_000  # records of a new profile's first sync after which a writer process takes over

Fold = Callable[[str, dict, list[OutboxEntry]], dict]


class SyncRefused(ApiError):
    """The engine will not sync with this server (protocol or clock); the message says why."""


@dataclass
class SyncProgress:
    phase: str  # "envoi" | "réception"
    pages: int = 0
    records: int = 0


@dataclass
class SyncReport:
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    pages: int = 0
    transactions: int = 0  # local transactions the pull committed
    cursor: int = 0
    warnings: list[str] = field(default_factory=list)
    mismatch: bool = False  # the local copy differs from the server's: offer a full resync
    notices: list[str] = field(default_factory=list)  # informative, e.g. the retention purge's report
    skipped: list[str] = field(default_factory=list)  # pulled records this laptop could not store
    audit_alert: str | None = None  # the server's audit log moved backwards or forked (sync/audit_head.py)


def client_id(store: LocalStore) -> str:
    """This installation's id on the server (exactly-once is keyed on it with each command's seq)."""
    with store.session() as s:
        value = get_state(s, CLIENT_ID_KEY)
        if value is None:
            value = str(uuid.uuid4())
            set_state(s, CLIENT_ID_KEY, value)
        return value


SWITCH_INTERVAL = 0.001  # seconds a thread keeps the GIL when another asks for it, during a sync
_sharing = 0  # nested sharing_the_process() blocks running
_sharing_lock = threading.Lock()
_usual_interval = 0.005


@contextmanager
def sharing_the_process():
    """A sync shares its process with the window's thread (bench/bench_responsiveness.py (a)):
    - what lives when it starts is left out of the cyclic collector's passes (gc.freeze): a full
      pass over a window's whole heap held the GIL 80-200 ms, and the window waited as long;
    - the GIL changes hands after 1 ms instead of 5 when the window asks for it: each of its events
      (a timer, a paint, the inactivity watch's filter) waited up to 5 ms, often several times over.
    The outermost block hands the heap back (gc.unfreeze: nothing leaks) and the usual interval."""
    global _sharing, _usual_interval
    with _sharing_lock:
        if not _sharing:
            _usual_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_usual_interval, SWITCH_INTERVAL))
        _sharing += 1
        gc.freeze()
    try:
        yield
    finally:
        with _sharing_lock:
            _sharing -= 1
            if not _sharing:
                gc.unfreeze()
                sys.setswitchinterval(_usual_interval)


@contextmanager
def paused_gc():
    """No cyclic garbage collection while a sync decodes and writes millions of acyclic objects:
    each full collection walked them all again (JSON decoding took half as long again). Inside
    sharing_the_process(): what the pause leaves alive (the last page…) is frozen too, or the first
    pass after it walked them all at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _sharing:
            gc.freeze()
        if enabled:
            gc.enable()


def with_retries(action, *, attempts: int = 4, first_delay: float = 0.5, sleep=time.sleep):
    """Retry what the server or the network may answer later; give up with the last error."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ApiError as exc:
            if not exc.retryable or attempt == attempts:
                raise
            log.info("sync attempt %d failed (%s); retrying in %.1f s", attempt, type(exc).__name__, delay)
            sleep(delay)
            delay *= 2


class SyncEngine:
    def __init__(
        self,
        store: LocalStore,
        auth: AuthSession,
        *,
        page_size: int = 5000,
        apply_batch: int | None = None,  # records per transaction; None: APPLY_BATCH or INITIAL_APPLY_BATCH
        on_progress: Callable[[SyncProgress], None] | None = None,
        fold: Fold | None = None,
        sleep=time.sleep,
        bulk_writer_after: int | None = BULK_WRITER_AFTER,  # None: always write in this process
    ):
        self.store = store
        self.auth = auth
        self.page_size = page_size
        self.apply_batch = apply_batch
        self.bulk_writer_after = bulk_writer_after
        self.on_progress = on_progress or (lambda _p: None)
        self.fold = fold or self._fold_as_signed_in_user
        self.sleep = sleep
        self.client_id = client_id(store)
        self.pushed: set[str] = set()  # records this run sent: their echo is not news to the user

    def _fold_as_signed_in_user(self, kind: str, payload: dict, pending: list[OutboxEntry]) -> dict:
        from aude_desktop.sync.local import fold

        user = self.auth.user
        actor = Actor(user.login, user.role, user.region, user.authority) if user else Actor(self.auth.login, "")
        if not any(catalog.related_key(entry.name, entry.args) for entry in pending):
            return fold(kind, payload, pending, actor)
        with self.store.session() as s:  # a command that reads another record (a letter) sees this copy's
            return fold(kind, payload, pending, actor, s)

    def _call(self, method: str, path: str, **kwargs):
        return with_retries(
            lambda: self.auth.transport.request(method, path, token=self.auth.access_token(), **kwargs),
            sleep=self.sleep,
        )

    # -- checks ---------------------------------------------------------------------------------

    def check_server(self) -> None:
        meta = with_retries(lambda: self.auth.transport.request("GET", "/api/v1/meta"), sleep=self.sleep)
        try:
            version = int(meta["protocol_version"])
            server_time = datetime.fromisoformat(str(meta["server_time"]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerError("Le serveur ne répond pas selon le protocole attendu (métadonnées illisibles).") from exc
        if version != PROTOCOL_VERSION:
            raise SyncRefused(
                f"Version de protocole incompatible : le serveur parle la version {version}, cette "
                f"application la version {PROTOCOL_VERSION}. Mettez à jour l'application (ou "
                "contactez votre support). Vos modifications restent enregistrées sur ce poste."
            )
        if server_time.tzinfo is None:
            server_time = server_time.replace(tzinfo=UTC)
        skew = abs((datetime.now(UTC) - server_time).total_seconds())
        if skew > MAX_CLOCK_SKEW_S:
            raise SyncRefused(
                f"L'horloge de ce poste diffère de celle du serveur de {skew / 60:.0f} minutes. Les dates "
                "légales en dépendent : corrigez l'heure du poste puis synchronisez à nouveau."
            )

    # -- push -----------------------------------------------------------------------------------

    def push(self, report: SyncReport) -> None:
        while True:
            with self.store.session() as s:
                entries = _next_round(s)
                batch = [
                    {"id": e.id, "seq": e.seq, "name": e.name, "args": e.args, "base_version": _base_version(s, e)}
                    for e in entries
                ]
                kinds = {e.seq: (e.entity_kind, e.entity_id, e.id) for e in entries}
            if not batch:
                return
            self.on_progress(SyncProgress("envoi", records=report.applied + report.rejected + report.conflicts))
            try:
                answer = self._call("POST", "/api/v1/mutations", json={"client_id": self.client_id, "mutations": batch})
            except RequestRefused as exc:
                # The whole request was refused (e.g. a read-only DGOS profile): every command of the
                # round is kept as rejected with the server's reason, for the user to see and decide.
                answer = {"results": [{"id": mutation_id, "seq": seq, "status": "rejected", "code": exc.code or "refuse",
                                       "message": str(exc)} for seq, (_k, _e, mutation_id) in kinds.items()]}
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list):
                raise ServerError("Réponse illisible du serveur à l'envoi des modifications.")
            if not self._record_results(results, kinds, report):
                raise ServerError("Le serveur n'a traité aucune des modifications envoyées.")

    def _record_results(self, results: list, kinds: dict, report: SyncReport) -> int:
        """Store the answers that match a command sent (by seq and mutation id); returns how many."""
        now = datetime.now(UTC)
        recorded = 0
        scope = PullScope(self._actor())
        with self.store.session() as s:
            for result in results:
                if not isinstance(result, dict) or result.get("seq") not in kinds:
                    continue
                if result.get("id") != kinds[result["seq"]][2]:
                    # Another command's answer (a seq reused or taken by someone else): this one
                    # stays pending rather than being marked done on the strength of another's result.
                    log.warning("a command result names another mutation id; the command stays pending")
                    continue
                seq, status = result["seq"], result.get("status")
                values: dict = {"resolved_at": now}
                if status == "applied":
                    values["status"] = "applied"
                    report.applied += 1
                    kind, entity_id, _mutation_id = kinds[seq]
                    self.pushed.add(entity_id)
                    model = VERSIONED_MODELS.get(kind)
                    if model is not None and isinstance(result.get("version"), int):
                        s.execute(update(model).where(model.id == entity_id).values(version=result["version"]))
                elif status == "conflict" and not scope.trusted(s, *kinds[seq][:2], result.get("current")):
                    # never stored: another record, or one outside the user's scope
                    values.update(status="rejected", reason_code="reponse_hors_perimetre",
                                  reason_message="Le serveur a répondu par un enregistrement hors de votre périmètre : "
                                                 "rien n'a été enregistré. Prévenez votre support.")
                    report.rejected += 1
                elif status == "conflict":
                    values.update(status="conflict", server_record=result.get("current"),
                                  reason_code="conflict",
                                  reason_message=result.get("message") or "Le dossier a été modifié entre-temps sur le serveur.")
                    report.conflicts += 1
                elif status == "rejected":
                    values.update(status="rejected", reason_code=str(result.get("code") or "rejected"),
                                  reason_message=str(result.get("message") or "Modification refusée par le serveur."))
                    report.rejected += 1
                else:
                    continue  # unknown status: leave it pending, it will be sent again
                s.execute(update(OutboxEntry).where(OutboxEntry.seq == seq).values(**values))
                recorded += 1
        return recorded

    # -- pull -----------------------------------------------------------------------------------

    def pull(self, report: SyncReport, seen: dict[str, set[str]] | None = None) -> None:
        with self.store.session() as s:
            cursor = int(get_state(s, CURSOR_KEY) or 0)
        # After the first sync, what others changed is news: the queues mark it until it is opened.
        mark_news = cursor > 0 and seen is None
        with self.store.session() as s:
            has_purged = s.scalar(select(PurgedRecord.id).limit(1)) is not None

        def fetch(since: int):
            return self._call("GET", "/api/v1/changes", params={"since": since, "limit": self.page_size})

        # A new profile's first sync writes hundreds of thousands of records: larger transactions
        # write each index page a few times instead of dozens, and nothing local needs replacing.
        new_profile = cursor == 0 and seen is None and self._store_is_empty()
        commit_every = self.apply_batch or (INITIAL_APPLY_BATCH if new_profile else APPLY_BATCH)
        written: set[str] | None = set() if new_profile else None  # ids this pull already wrote

        # The next page is fetched (and its JSON decoded) while this one is written: the network
        # and the server overlap the local transaction. Only this thread talks to the server here.
        # Pages are written as they come, in one transaction per `commit_every` records that also
        # holds the cursor of the last page written: a crash keeps data and cursor together.
        # Past `bulk_writer_after` records of a new profile, a writer process runs the SQL while
        # this thread builds the next page (store/writer_process.py).
        with sharing_the_process():
            try:
                self._pull_pages(report, cursor, fetch, new_profile, commit_every, written, has_purged, mark_news, seen)
            except _WriterRefusedData:
                # The writer process cannot skip a record alone: this process takes over from the last
                # committed cursor, page by page, and skips (and names) what it cannot store.
                log.warning("a page the writer process could not store: this process writes the rest")
                self.bulk_writer_after = None
                with self.store.session() as s:
                    cursor = int(get_state(s, CURSOR_KEY) or 0)
                self._pull_pages(report, cursor, fetch, new_profile, commit_every, None, has_purged, mark_news, seen)

    def _pull_pages(self, report: SyncReport, cursor: int, fetch, new_profile: bool, commit_every: int,
                    written: set[str] | None, has_purged: bool, mark_news: bool, seen) -> None:
        writer: WriterProcess | None = None
        scope = PullScope(self._actor())
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aude-prefetch") as prefetch, paused_gc(), ExitStack() as stack:
            upcoming = prefetch.submit(fetch, cursor)
            last_page = False
            while not last_page:
                if writer is None and new_profile and self.bulk_writer_after is not None \
                        and report.pulled >= self.bulk_writer_after:
                    writer = self._start_writer(stack)
                uncommitted = 0
                with self.store.session(foreign_keys=False) as s, _writer_errors():
                    while not last_page and uncommitted < commit_every:
                        changes, next_cursor, more = _parse_page(upcoming.result(), cursor)
                        last_page = not (more and changes)
                        if not last_page:
                            upcoming = prefetch.submit(fetch, next_cursor)
                        if seen is not None:
                            for change in changes:
                                if not change["deleted"] and change["kind"] in seen:
                                    seen[change["kind"]].add(change["id"])
                        changes = scope.filter(s, changes, cursor)
                        if last_page:
                            scope.finish(report.warnings)
                        stored_cursor = str(scope.cursor_to_store(next_cursor))
                        if writer is None:
                            files = [] if written is not None else _files_of_tombstones(s, changes)
                            records = self._write_page(s, changes, written, report)
                            write_plan(s.connection(), [(SET_CURSOR, [(CURSOR_KEY, stored_cursor)])])
                            if files:
                                retention.drop_unreferenced(s, set(files))
                            if has_purged:
                                retention.forget_returning(s, records)
                            if mark_news:
                                _mark_unseen(s, records, self.pushed)
                        else:
                            try:
                                records, statements = self._page_plan(s, changes, written)
                            except ServerError as exc:
                                raise _WriterRefusedData() from exc
                            statements.append((SET_CURSOR, [(CURSOR_KEY, stored_cursor)]))
                            writer.write(statements)
                        cursor = next_cursor
                        uncommitted += len(changes)
                        report.pages += 1
                        self.on_progress(SyncProgress("réception", pages=report.pages, records=report.pulled + uncommitted))
                    if writer is not None:
                        writer.commit()
                report.pulled += uncommitted
                report.transactions += 1
                report.cursor = cursor

    def _write_page(self, s: Session, changes: list[dict], written: set[str] | None, report: SyncReport) -> list:
        """Write a page in this process; the records written are returned. A page the local tables
        refuse is written record by record instead (each in a savepoint), and a record that cannot
        be stored is skipped and named: one record never stops a region's sync for ever."""
        conn = s.connection()
        try:
            records, statements = self._page_plan(s, changes, written)
            with _savepoint(conn):
                write_plan(conn, statements)
            _forget_skipped(conn, records)
            return records
        except (ServerError, *_DATA_ERRORS):
            log.warning("a pulled page could not be stored whole: written record by record")
        kept = []
        for change in changes:
            try:
                records, statements = self._page_plan(s, [change], None)
                with _savepoint(conn):
                    write_plan(conn, statements)
            except (ServerError, *_DATA_ERRORS):
                _skip(conn, change, report)
                continue
            _forget_skipped(conn, records)
            kept += records
            if written is not None:
                written.add(change["id"])
        return kept

    def _start_writer(self, stack: ExitStack) -> WriterProcess | None:
        """The writer process, checked to run and to open the database; if it cannot, this
        process writes the rest (slower, same result) and says so in the log."""
        try:
            writer = WriterProcess(self.store.engine)
        except WriterFailed:
            writer = None
        else:
            stack.callback(writer.close)
            try:
                writer.commit()  # an empty transaction: the writer is up and holds the key
            except WriterFailed:
                writer = None
        if writer is None:
            log.warning("writer process unavailable: the first sync is written by this process")
            self.bulk_writer_after = None
        return writer

    def _store_is_empty(self) -> bool:
        with self.store.session() as s:
            tables = [*VERSIONED_MODELS.values(), OutboxEntry]
            return all(s.scalar(select(model).limit(1)) is None for model in tables)

    def _page_plan(self, s: Session, changes: list[dict], written: set[str] | None) -> tuple[list, list]:
        """The page's records (local unsent work folded in) and the SQL that writes them."""
        try:
            records = self._records_to_apply(s, changes)
            if written is None:
                return records, materialize.build_plan(records).statements
            # a new profile: only records met earlier in this pull have rows to replace
            fresh = materialize.build_plan([r for r in records if r[1] not in written], new=True)
            again = materialize.build_plan([r for r in records if r[1] in written])
            written.update(r[1] for r in records)
            return records, fresh.statements + again.statements
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _unreadable(exc) from exc

    def _actor(self) -> Actor | None:
        user = self.auth.user
        return Actor(user.login, user.role, user.region, user.authority) if user else None

    def _records_to_apply(self, s: Session, changes: list[dict]) -> list[tuple[str, str, int, dict | None]]:
        ids = [c["id"] for c in changes]
        pending: dict[str, list[OutboxEntry]] = {}
        if s.scalar(select(OutboxEntry.seq).where(OutboxEntry.status == "pending").limit(1)) is None:
            ids = []  # nothing unsent here (a first sync): no need to look record by record
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            for entry in s.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.status == "pending", OutboxEntry.entity_id.in_(chunk))
                .order_by(OutboxEntry.seq)
            ):
                pending.setdefault(entry.entity_id, []).append(entry)
        records = []
        for change in changes:
            payload = None if change["deleted"] else change["payload"]
            local = pending.get(change["id"])
            if local and payload is not None:
                if self.fold is None:
                    continue  # hold: never overwrite unsent local work
                payload = self.fold(change["kind"], payload, local)
            records.append((change["kind"], change["id"], change["version"], payload))
        return records

    # -- safety ---------------------------------------------------------------------------------

    def local_figures(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per-kind count and sum of versions of the rows the server has acknowledged (version > 0)."""
        counts, versions = {}, {}
        with self.store.session() as s:
            for kind, model in VERSIONED_MODELS.items():
                count, total = s.execute(
                    select(func.count(), func.coalesce(func.sum(model.version), 0)).where(model.version > 0)
                ).one()
                if count:
                    counts[kind], versions[kind] = count, int(total)
            purged_counts, purged_versions = retention.purged_figures(s)
        for kind, count in purged_counts.items():  # purged here by the retention rule, still on the server
            counts[kind] = counts.get(kind, 0) + count
            versions[kind] = versions.get(kind, 0) + purged_versions[kind]
        return counts, versions

    def verify(self, report: SyncReport) -> None:
        """Compare with the server after a sync; a difference is reported, never silently fixed."""
        stats = self._call("GET", "/api/v1/stats")
        try:
            server_counts = {k: int(v) for k, v in stats["counts"].items() if k in VERSIONED_MODELS}
            server_versions = {k: int(v) for k, v in stats["versions"].items() if k in VERSIONED_MODELS}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ServerError("Le serveur a renvoyé des totaux illisibles.") from exc
        counts, versions = self.local_figures()
        if counts != server_counts or versions != server_versions:
            report.mismatch = True
            report.warnings.append(
                "La copie locale diffère de celle du serveur (nombres ou versions d'enregistrements). "
                "Une resynchronisation complète est conseillée ; vos modifications non envoyées seront conservées."
            )

    def full_resync(self) -> SyncReport:
        """Pull everything again from cursor 0, then drop local rows the server no longer has —
        except records with unsent local work, which are kept and pushed as usual."""
        report = SyncReport()
        self.check_server()
        self.push(report)
        with self.store.session() as s:
            set_state(s, CURSOR_KEY, "0")
        seen: dict[str, set[str]] = {kind: set() for kind in VERSIONED_MODELS}
        self.pull(report, seen=seen)
        with self.store.session() as s:
            kept = set(s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.status != "applied")))
            for kind, model in VERSIONED_MODELS.items():
                stale = [i for i in s.scalars(select(model.id)) if i not in seen[kind] and i not in kept]
                if stale:
                    materialize.materialize(s, [(kind, i, 0, None) for i in stale])
            set_state(s, LAST_SYNC_KEY, datetime.now(UTC).isoformat())
        self.verify(report)
        report.audit_alert = audit_head.check(self.store, self._call)
        return report

    # -- all ------------------------------------------------------------------------------------

    def run(self) -> SyncReport:
        from aude_desktop.sync import attachments

        report = SyncReport()
        self.check_server()
        attachments.upload_pending(self.store, self.auth)  # before the commands that reference them
        self.push(report)
        self.pull(report)
        attachments.download_missing(self.store, self.auth, warnings=report.warnings)
        with self.store.session() as s:
            set_state(s, LAST_SYNC_KEY, datetime.now(UTC).isoformat())
        self.verify(report)
        report.audit_alert = audit_head.check(self.store, self._call)
        return report


NEWS_KINDS = ("dossier", "convention")


def _files_of_tombstones(s: Session, changes: list[dict]) -> list[str]:
    """Files named by the pièces and letters this page deletes (a record that left the user's scope
    takes its files with it, unless another record here still names them)."""
    from aude_desktop.dossiers.models import Piece
    from aude_desktop.store.models import Letter

    files = []
    for kind, model in (("piece", Piece), ("letter", Letter)):
        ids = [c["id"] for c in changes if c["deleted"] and c["kind"] == kind]
        for start in range(0, len(ids), 500):
            files += [sha for sha in s.scalars(select(model.sha256).where(model.id.in_(ids[start:start + 500]))) if sha]
    return files


def _mark_unseen(s: Session, records: list, pushed: set[str]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    news = []
    for kind, record_id, _version, payload in records:
        if payload is None or record_id in pushed:
            continue
        if kind in NEWS_KINDS:
            news.append((record_id, kind, now))
        elif kind == "piece" and payload.get("dossier_id"):  # a new scan is news about its dossier
            news.append((payload["dossier_id"], "dossier", now))
    if news:
        s.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO unseen_changes (entity_id, entity_kind, changed_at) VALUES (?, ?, ?)", news)


def _next_round(s: Session) -> list[OutboxEntry]:
    """The oldest pending command of each record, except records whose earlier command was refused
    or is in conflict: those wait for a person (they stay pending and visible, never dropped)."""
    blocked = select(OutboxEntry.entity_id).where(OutboxEntry.status.in_(("rejected", "conflict")))
    candidates = s.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.status == "pending", OutboxEntry.entity_id.not_in(blocked))
        .order_by(OutboxEntry.seq)
        .limit(PUSH_BATCH * 5)
    ).all()
    seen: set[str] = set()
    round_: list[OutboxEntry] = []
    sent: set[int] = set()
    for entry in candidates:
        if entry.entity_id in seen:
            continue
        seen.add(entry.entity_id)
        # A command that reads another record (a convocation reads the dossier) waits until that
        # record's earlier commands have reached the server: it must see what this agent saw.
        related = catalog.related_key(entry.name, entry.args)
        if related and any(e.entity_id == related[1] and e.seq < entry.seq and e.seq not in sent for e in candidates):
            continue
        round_.append(entry)
        sent.add(entry.seq)
    return round_[:PUSH_BATCH]


def _base_version(s: Session, entry: OutboxEntry) -> int | None:
    """The version a command was made on. A command queued behind another on the same record was
    made on top of it: it is sent once that one is applied, on the version the server gave it (the
    row's version, updated from the answer and by any pull since, which folded this command in)."""
    if entry.base_version is not None:
        return entry.base_version
    model = VERSIONED_MODELS.get(entry.entity_kind)
    version = s.scalar(select(model.version).where(model.id == entry.entity_id)) if model is not None else None
    return version or None


# What a local table may refuse in a record (a unique reference, a value of the wrong type); not
# OperationalError, which is the disk or the database itself and stops the sync as before.
_DATA_ERRORS = (IntegrityError, DataError, ProgrammingError, InterfaceError)


class _WriterRefusedData(Exception):
    """The writer process refused a page's data (rolled back): this process takes over."""


@contextmanager
def _savepoint(conn):
    """A SQLite savepoint inside the session's transaction (opened first if the driver has not)."""
    if not conn.connection.driver_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
    conn.exec_driver_sql("SAVEPOINT aude_page")
    try:
        yield
    except BaseException:
        conn.exec_driver_sql("ROLLBACK TO aude_page")
        conn.exec_driver_sql("RELEASE aude_page")
        raise
    conn.exec_driver_sql("RELEASE aude_page")


def _label(change: dict) -> str:
    payload = change.get("payload") if isinstance(change.get("payload"), dict) else {}
    reference = payload.get("reference")
    name = f"{change.get('kind')} {reference}" if isinstance(reference, str) and reference else str(change.get("kind"))
    return f"{name} (id {change.get('id')})"[:300]


def _skip(conn, change: dict, report: SyncReport) -> None:
    label = _label(change)
    log.warning("a pulled record could not be stored and was skipped: kind %s", change.get("kind"))
    conn.exec_driver_sql(
        "INSERT OR REPLACE INTO skipped_records (kind, id, version, label, skipped_at) VALUES (?, ?, ?, ?, ?)",
        (str(change["kind"])[:30], str(change["id"])[:200], int(change["version"]), label,
         datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")))
    report.skipped.append(label)
    message = (f"Enregistrement reçu du serveur impossible à enregistrer sur ce poste : {label}. La synchronisation "
               "a continué sans lui ; il sera repris à sa prochaine modification. Prévenez votre support.")
    report.warnings.append(message)
    report.notices.append(message)  # the window's status bar shows the notices


def _forget_skipped(conn, records: list) -> None:
    """Records stored at last leave the list of skipped ones (a cheap no-op while it is empty)."""
    if conn.exec_driver_sql("SELECT 1 FROM skipped_records LIMIT 1").first() is None:
        return
    conn.exec_driver_sql("DELETE FROM skipped_records WHERE kind = ? AND id = ?",
                         [(kind, record_id) for kind, record_id, _v, _p in records])


SET_CURSOR = "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)"


def _unreadable(exc: Exception) -> ServerError:
    # A record the local schema cannot hold: the whole transaction is rolled back.
    log.warning("pulled page refused: %s", type(exc).__name__)
    return ServerError("Le serveur a envoyé un enregistrement illisible ; rien n'a été appliqué. "
                       "Nouvel essai plus tard ; si cela se répète, prévenez votre support.")


@contextmanager
def _writer_errors():
    """Failures of the local write, wherever it ran, said in French; the transaction is rolled back."""
    try:
        yield
    except (StoreWriteError, OperationalError, ApiError):
        raise  # the disk (said as such by the store), or already French
    except DBAPIError as exc:
        raise _unreadable(exc) from exc
    except WriterFailed as exc:
        if exc.kind == "disk":
            raise write_failure_text(str(exc)) or StoreWriteError(
                "La base locale n'a pas pu être écrite ; rien n'a été perdu. Réessayez ; si cela se répète, "
                "prévenez votre support.") from exc
        if exc.kind == "data":
            raise _WriterRefusedData() from exc
        raise ServerError("L'écriture de la copie locale s'est interrompue ; rien n'a été perdu. "
                          "Nouvel essai à la prochaine synchronisation.") from exc


def _parse_page(page, cursor: int) -> tuple[list[dict], int, bool]:
    """Validate the shape of a change page; garbage becomes a French ServerError, not a crash."""
    try:
        changes = page["changes"]
        next_cursor = int(page["next"])
        more = bool(page["more"])
        for change in changes:
            if not (isinstance(change["kind"], str) and isinstance(change["id"], str)
                    and isinstance(change["version"], int)):
                raise TypeError("bad change")
            if not change.get("deleted") and not isinstance(change.get("payload"), dict):
                raise TypeError("bad payload")
            change["deleted"] = bool(change.get("deleted"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerError(
            "Le serveur a envoyé des changements illisibles ; rien n'a été appliqué. Nouvel essai plus tard."
        ) from exc
    if next_cursor < cursor or (more and next_cursor == cursor):
        # Equal with more to come would fetch the same page for ever.
        raise ServerError("Le serveur a renvoyé un curseur qui n'avance pas ; synchronisation interrompue.")
    return changes, next_cursor, more
