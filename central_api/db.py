"""Server tables and engine. SQLite (one file) for demos and tests, PostgreSQL in production."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from aude_desktop.store.base import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(80), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInSession(Base):
    """One sign-in: its access tokens carry its id and its refresh tokens form one family. Revoked
    at logout or when a spent refresh token comes back; every request checks it."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    login: Mapped[str] = mapped_column(ForeignKey("users.login"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(ForeignKey("users.login"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)  # NULL: issued before sessions existed
    spent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # rotated: a reuse is theft


class LoginThrottle(Base):
    """Sign-in attempts per key (an account, an address, the pair): counted before the password is
    checked, under the row's lock, so parallel guesses cannot overtake the count (throttle.py)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UsedIdToken(Base):
    """ID tokens already exchanged by /auth/oidc (each is accepted once), kept until they expire."""

    __tablename__ = "oidc_used_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ServerSecret(Base):
    """The token-signing key, shared by every worker of a deployment through the database."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Counter(Base):
    """The cursor sequence. Incremented under a row lock held to commit: cursor order = commit order."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Record(Base):
    __tablename__ = "records"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    cursor: Mapped[int] = mapped_column(BigInteger, unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scope columns, set by the server from the payload and the author, never from the client.
    region: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[str | None] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(80))
    # The SIREN of the company a convention (or a letter about it) concerns: its channel reads by it.
    company: Mapped[str | None] = mapped_column(String(9))
    payload: Mapped[str] = mapped_column(Text)  # JSON text, spliced as is into change pages
    # The official reference of dossiers, conventions and letters, copied from the payload: unique
    # per kind, as the clients' tables require (a duplicate stopped a region's sync for ever).
    reference: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_records_kind_reference", "kind", "reference", unique=True),
        Index("ix_records_region_cursor", "region", "cursor"),
        Index("ix_records_authority_cursor", "authority", "cursor"),
        Index("ix_records_owner_cursor", "owner", "cursor"),
        # Covers the per-kind counts and version sums of /stats without reading the payload pages.
        Index("ix_records_stats", "kind", "deleted", "region", "authority", "owner", "version"),
        Index("ix_records_company_cursor", "company", "cursor"),
    )


class AppliedMutation(Base):
    """(client_id, seq) → the answer given: the same batch posted twice is applied once."""

    __tablename__ = "applied_mutations"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String(36))
    login: Mapped[str] = mapped_column(String(80))
    result: Mapped[str] = mapped_column(Text)


class ClientBinding(Base):
    """The account that first used a `client_id`: nobody else may post with it (or read its answers)."""

    __tablename__ = "client_bindings"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(80))


# SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL wants a BIGINT for a long-lived log.
AutoId = BigInteger().with_variant(Integer, "sqlite")


class AuditEntry(Base):
    """Append-only log. Each entry's `hash` is an HMAC-SHA256, under a key kept outside the database,
    of its number, the previous entry's hash and its fields (audit.py): someone who can write the
    database can neither edit an entry nor recompute the chain. `chain` 1 marks entries written with
    the plain SHA-256 chain of earlier versions, before the log was sealed with the key."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    login: Mapped[str] = mapped_column(String(80))
    command: Mapped[str] = mapped_column(String(60))
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(64))  # a record id, or a file's SHA-256 for downloads
    args_hash: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(60), default="")  # "applied", a refusal's code, "ok"…
    chain: Mapped[int] = mapped_column(Integer, default=2)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The log's head (number and hash of the newest entry) with its HMAC: entries deleted from the
    end leave a head that announces more than remain. Its row lock orders appends."""

    __tablename__ = "audit_head"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))  # NULL until the log is sealed with its key


class AttachmentRef(Base):
    """Which records name a file (a pièce's scan, a letter's PDF, a convention's joined files): a file
    is served only to who may see one of them."""

    __tablename__ = "attachment_refs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class Attachment(Base):
    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str] = mapped_column(String(80))


class AttachmentHolder(Base):
    """Who proved to hold a file's bytes by uploading them. Naming a file in a record requires this,
    or a record of one's own scope that already names it: a hash alone gives nothing."""

    __tablename__ = "attachment_holders"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(80), primary_key=True)


class PartialUpload(Base):
    """An upload under way, one per (user, file): its declared size caps what is accepted, and it
    is discarded 24 hours after it started."""

    __tablename__ = "partial_uploads"

    login: Mapped[str] = mapped_column(String(80), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ScopeExit(Base):
    """A record left a scope (a dossier moved to another region, with its pièces and letters): the
    old scope's change feed carries a tombstone for it at this cursor."""

    __tablename__ = "scope_exits"

    cursor: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index("ix_scope_exits_region_cursor", "region", "cursor"),
        Index("ix_scope_exits_authority_cursor", "authority", "cursor"),
    )


class ApiKey(Base):
    __tablename__ = "api_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    company: Mapped[str] = mapped_column(String(300))
    siren: Mapped[str] = mapped_column(String(9))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("company", name="company"),)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Writers take the counter row lock first (see mutations.py), so SQLite's deferred
    transactions never have to upgrade a stale read snapshot to a write."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class OidcAccount(Base):
    """An account of the minimal OpenID Connect provider that stands in, for the demo and the tests,
    for ProConnect and ProSanté Connect (external identity providers that cannot run here)."""

    __tablename__ = "oidc_accounts"

    provider: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    email: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))


class OidcIdentity(Base):
    """Which AUDE account an identity of a provider signs in as (set by an administrator)."""

    __tablename__ = "oidc_identities"

    provider: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    login: Mapped[str] = mapped_column(ForeignKey("users.login"), index=True)


class OidcCode(Base):
    """An authorization code: single use, short-lived, bound to its PKCE challenge and redirect."""

    __tablename__ = "oidc_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(120))
    client_id: Mapped[str] = mapped_column(String(80))
    redirect_uri: Mapped[str] = mapped_column(String(300))
    code_challenge: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Mandate(Base):
    """A consulting firm (mandataire, by its SIREN) may file and answer for a client company
    between two dates (both included); registered by `aude-central apikeys mandate add`."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    mandataire_siren: Mapped[str] = mapped_column(String(9), index=True)
    client_siren: Mapped[str] = mapped_column(String(9))
    client_name: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CnomFile(Base):
    """A file of the CNOM feed, by name: its content hash says whether a later drop is a new version."""

    __tablename__ = "cnom_files"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    report: Mapped[str] = mapped_column(Text)  # JSON: counts and refused lines of the run that took it


class TsLine(Base):
    """A convention line of the public Transparence Santé export, as last imported, and how it matched."""

    __tablename__ = "ts_lines"

    ligne_identifiant: Mapped[str] = mapped_column(String(80), primary_key=True)
    entreprise_identifiant: Mapped[str] = mapped_column(String(80))
    company_name: Mapped[str] = mapped_column(String(300))
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    beneficiary: Mapped[str] = mapped_column(String(300))
    signed_on: Mapped[date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    convention_id: Mapped[str | None] = mapped_column(String(36))
    candidates: Mapped[str | None] = mapped_column(Text)  # JSON list of EPS references when ambiguous


class TsImport(Base):
    __tablename__ = "ts_imports"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lines: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)


class RppsRun(Base):
    """One `aude-central rpps export`: its lower bound (the first run's bounds the next ones) and files."""

    __tablename__ = "rpps_runs"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    since: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(4))
    decisions: Mapped[int] = mapped_column(Integer)
    files: Mapped[str] = mapped_column(Text)  # JSON list of the file names written


class RppsExport(Base):
    """A decision handed to the order or ARS that registers the professional: sent once."""

    __tablename__ = "rpps_exports"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_on: Mapped[date] = mapped_column(Date, primary_key=True)
    body: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int] = mapped_column(ForeignKey("rpps_runs.id"), index=True)
