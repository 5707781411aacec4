"""The head a start compares the stored revision with, without loading Alembic (store/migrate.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from aude_desktop.store import migrate


def test_the_head_known_to_the_build_is_alembics_head():
    assert migrate.SCHEMA_HEAD == migrate.head_revision(), "a new migration: set SCHEMA_HEAD (store/schema_head.py) to its revision"


def test_a_new_database_has_no_stored_revision_and_other_errors_are_not_hidden(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert migrate.stored_revisions(engine) == []
    (tmp_path / "bad.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(Exception, match="not a database"):
        migrate.stored_revisions(create_engine(f"sqlite:///{tmp_path / 'bad.db'}"))
