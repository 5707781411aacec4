"""Accent-insensitive search over the FTS5 index (`search_index`, see migration 0002)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

_TOKEN = re.compile(r"\w+", re.UNICODE)


def set_document(session: Session, kind: str, entity_id: str, body: str) -> None:
    """Replace the indexed text of one record (call it in the transaction that changes the record)."""
    session.execute(
        text("DELETE FROM search_index WHERE kind = :kind AND entity_id = :id"),
        {"kind": kind, "id": entity_id},
    )
    session.execute(
        text("INSERT INTO search_index (kind, entity_id, body) VALUES (:kind, :id, :body)"),
        {"kind": kind, "id": entity_id, "body": body},
    )


def remove_document(session: Session, kind: str, entity_id: str) -> None:
    session.execute(
        text("DELETE FROM search_index WHERE kind = :kind AND entity_id = :id"),
        {"kind": kind, "id": entity_id},
    )


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
