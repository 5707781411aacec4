"""Accent-insensitive search over the FTS5 index (`search_index`, migrations 0002 and 0013)."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from aude_desktop.store.plans import Statement

_TOKEN = re.compile(r"\w+", re.UNICODE)


def document_rowid(kind: str, entity_id: str) -> int:
    """A stable FTS rowid per record, so replacing a document is a rowid lookup, not a table scan.

    63 bits of BLAKE2b: a collision needs about 3·10⁹ documents to become likely.
    """
    digest = hashlib.blake2b(f"{kind}|{entity_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def row_statements(rows: list[tuple[int, str]], *, new: bool = False) -> list[Statement]:
    """SQL replacing the indexed text of records, given as (document_rowid, text); `new`: they have
    no document yet. Run in the transaction that changes the records."""
    statements = [] if new else [("DELETE FROM search_index WHERE rowid = ?", [(r[0],) for r in rows])]
    statements.append(("INSERT INTO search_index (rowid, body) VALUES (?, ?)", rows))
    return statements


def removal_statement(kind: str, entity_ids: list[str]) -> Statement:
    return "DELETE FROM search_index WHERE rowid = ?", [(document_rowid(kind, i),) for i in entity_ids]


def match_expression(user_text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, as a prefix.

    Words are quoted, so FTS5 operators or stray quotes in the input are plain text, never syntax.
    """
    words = _TOKEN.findall(user_text)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


# The index keeps no copy of the text (contentless, migration 0013): a record is found through the
# search_rowid of its own row.
KIND_TABLES = {"dossier": "dossiers", "convention": "conventions"}


def search(session: Session, kind: str, user_text: str, limit: int = 500) -> list[str]:
    """Ids of records of `kind` whose text matches every word typed, best matches first."""
    expression = match_expression(user_text)
    if expression is None:
        return []
    rows = session.execute(
        text(
            f"SELECT r.id FROM search_index JOIN {KIND_TABLES[kind]} r ON r.search_rowid = search_index.rowid "
            "WHERE search_index MATCH :q ORDER BY search_index.rank LIMIT :limit"
        ),
        {"q": expression, "limit": limit},
    )
    return [row[0] for row in rows]
