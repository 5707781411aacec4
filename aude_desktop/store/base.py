"""Declarative base of the local store, with constraint names Alembic batch mode can rely on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The queues' default order (dated files first, soonest first, then by reference), shared by the
# order indexes of dossiers and conventions.
DUE_ORDER = (text("(next_due_on IS NULL)"), "next_due_on", "reference")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class SyncedMixin:
    """Columns every record mirrored from the central API carries.

    `id` is a UUID made by whoever created the record (offline clients included); `version` is the
    server's version the local copy is based on (0 = never acknowledged by the server).
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(default=0)
