"""Tables shared by both procedures (letters, annotations, users, outbox, sync state, audit), and the
single import point of every model so Alembic sees the whole metadata."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aude_desktop.conventions import models as convention_models  # noqa: F401  (register tables)
from aude_desktop.dossiers import models as dossier_models  # noqa: F401  (register tables)
from aude_desktop.store.base import Base, SyncedMixin, new_id, utcnow


class Letter(SyncedMixin, Base):
    """A generated letter, registered with its SHA-256 so a notified decision cannot change silently."""

    __tablename__ = "letters"

    kind: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    convention_id: Mapped[str | None] = mapped_column(ForeignKey("conventions.id", ondelete="SET NULL"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str | None] = mapped_column(String(80))
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("letters.id"))


class Annotation(SyncedMixin, Base):
    """A private note: visible only to its author, here and on the server."""

    __tablename__ = "annotations"

    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    convention_id: Mapped[str | None] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attachment(Base):
    """Content-addressed file (scan or letter PDF), stored beside the database, synced by hash."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    uploaded: Mapped[bool] = mapped_column(default=False)
    downloaded: Mapped[bool] = mapped_column(default=True)


class AttachmentData(Base):
    """The bytes of an attachment, inside the encrypted database (scans are personal data too)."""

    __tablename__ = "attachment_data"

    sha256: Mapped[str] = mapped_column(ForeignKey("attachments.sha256", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    """Users this client has seen (the signed-in one and colleagues named in assignments)."""

    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(80), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # agent_dreets, ordre, ars, dgos
    region: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (CheckConstraint("role IN ('agent_dreets','ordre','ars','dgos')", name="role"),)


OUTBOX_STATUSES = ("pending", "applied", "rejected", "conflict", "discarded")


class OutboxEntry(Base):
    """A domain command applied locally, waiting to reach the server (written in the same transaction)."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    name: Mapped[str] = mapped_column(String(60))
    entity_kind: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    reason_code: Mapped[str | None] = mapped_column(String(60))
    reason_message: Mapped[str | None] = mapped_column(Text)
    server_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("status IN ('pending','applied','rejected','conflict','discarded')", name="status"),
    )


class SyncState(Base):
    """Key/value sync bookkeeping (cursor, client id, last sync): updated with the data it describes."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Local operation log: what this user did on this machine (ids only, no personal data)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    command: Mapped[str] = mapped_column(String(60))
    entity_kind: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text)


class UnseenChange(Base):
    """A record a colleague (or the server) changed since this user last opened it: the queues
    mark it « nouveau » until it is opened or the user marks everything as seen."""

    __tablename__ = "unseen_changes"

    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_kind: Mapped[str] = mapped_column(String(30))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ruleset(SyncedMixin, Base):
    """A rules file distributed by the server through sync (e.g. the EPS thresholds of a new
    arrêté), so new rules need no new release. Checked when received: a file this version cannot
    use is kept with its error and the previous rules stay in force."""

    __tablename__ = "rulesets"

    kind: Mapped[str] = mapped_column(String(40))  # eps_thresholds
    rules_version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[str] = mapped_column(String(10))  # AAAA-MM-JJ, as in the file
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)


class SkippedRecord(Base):
    """A record of the change feed this laptop could not store (e.g. a reference another local record
    already holds): the sync went on without it and said which; stored again when it changes."""

    __tablename__ = "skipped_records"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int]
    label: Mapped[str] = mapped_column(String(300))
    skipped_at: Mapped[datetime]


class PurgedRecord(Base):
    """A record the retention rule removed from this laptop; it stays on the server. Only its kind,
    id and version are kept (no personal data), so the post-sync totals still match the server's."""

    __tablename__ = "purged_records"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int]
    purged_on: Mapped[date]


class FirstPage(Base):
    """The first page of the window's queue as it was when the window last closed (store/first_page.py):
    one row, deleted by every opening of the store."""

    __tablename__ = "first_page"
    __table_args__ = (CheckConstraint("id = 1", name="single"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
