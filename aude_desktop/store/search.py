"""Accent-insensitive search over the FTS5 index (`search_index`, see migration 0002)."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import text
from sqlalchemy.orm import Session

_TOKEN = re.compile(r"\w+", re.UNICODE)


def document_rowid(kind: str, entity_id: str) -> int:
    """A stable FTS rowid per record, so replacing a document is a rowid lookup, not a table scan.

    63 bits of BLAKE2b: a collision needs about 3·10⁹ documents to become likely.
    """
    digest = hashlib.blake2b(f"{kind}|{entity_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def set_documents(session: Session, documents: list[tuple[str, str, str]], *, new: bool = False) -> None:
    """Replace the indexed text of records (kind, id, text), in the transaction that changes them
    (`new`: the caller knows they have no document yet)."""
    if not documents:
        return
    connection = session.connection()
    rows = [(document_rowid(kind, entity_id), kind, entity_id, body) for kind, entity_id, body in documents]
    if not new:
        connection.exec_driver_sql("DELETE FROM search_index WHERE rowid = ?", [(r[0],) for r in rows])
    connection.exec_driver_sql("INSERT INTO search_index (rowid, kind, entity_id, body) VALUES (?, ?, ?, ?)", rows)


def set_document(session: Session, kind: str, entity_id: str, body: str) -> None:
    set_documents(session, [(kind, entity_id, body)])


def remove_documents(session: Session, kind: str, entity_ids: list[str]) -> None:
    if entity_ids:
        session.connection().exec_driver_sql(
            "DELETE FROM search_index WHERE rowid = ?", [(document_rowid(kind, i),) for i in entity_ids]
        )


def remove_document(session: Session, kind: str, entity_id: str) -> None:
    remove_documents(session, kind, [entity_id])


def match_expression(user_text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, as a prefix.

    Words are quoted, so FTS5 operators or stray quotes in the input are plain text, never syntax.
    """
    words = _TOKEN.findall(user_text)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def search(session: Session, kind: str, user_text: str, limit: int = 500) -> list[str]:
    """Ids of records of `kind` whose text matches every word typed, best matches first."""
    expression = match_expression(user_text)
    if expression is None:
        return []
    rows = session.execute(
        text(
            "SELECT entity_id FROM search_index WHERE search_index MATCH :q AND kind = :kind "
            "ORDER BY rank LIMIT :limit"
        ),
        {"q": expression, "kind": kind, "limit": limit},
    )
    return [row[0] for row in rows]
