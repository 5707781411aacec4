"""The server's models and migrations agree; the OpenAPI document is served."""

from __future__ import annotations

import requests
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central_api.db import Base


def test_models_and_migrations_agree(server):
    with server.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_openapi_document(server):
    doc = requests.get(f"{server.url}/api/v1/openapi.json", timeout=10).json()
    assert {"/api/v1/changes", "/api/v1/mutations", "/api/v1/auth/token", "/api/v1/meta"} <= set(doc["paths"])


def test_migrations_0005_and_0006_fill_references_and_client_bindings_from_existing_data(tmp_path):
    """A server at 0004 holding two dossiers with one reference (possible before 0005) and answers
    of two accounts: the oldest dossier keeps the reference, each client_id its first account."""
    import json

    from alembic import command
    from sqlalchemy import text

    from central_api.db import make_engine
    from central_api.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        for cursor, (record_id, reference) in enumerate([("a", "AUDE-1"), ("b", "AUDE-1"), ("c", "AUDE-2")], start=1):
            conn.execute(text("INSERT INTO records (kind, id, version, cursor, deleted, region, payload) "
                              "VALUES ('dossier', :i, 1, :c, 0, 'OCC', :p)"),
                         {"i": record_id, "c": cursor, "p": json.dumps({"reference": reference})})
        for client_id, seq, login in [("poste-1", 2, "agent.idf"), ("poste-1", 1, "agent.occ"), ("poste-2", 1, "agent.idf")]:
            conn.execute(text("INSERT INTO applied_mutations (client_id, seq, mutation_id, login, result) "
                              "VALUES (:c, :s, 'm', :l, '{}')"), {"c": client_id, "s": seq, "l": login})
    upgrade(engine)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, reference FROM records ORDER BY id")).all()) == {"a": "AUDE-1", "b": None, "c": "AUDE-2"}
        assert dict(conn.execute(text("SELECT client_id, login FROM client_bindings")).all()) == {
            "poste-1": "agent.occ", "poste-2": "agent.idf"}
    engine.dispose()
