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
