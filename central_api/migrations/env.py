"""Alembic environment of the central API: always given a live connection by central_api.migrate."""

from alembic import context

from central_api.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through central_api.migrate, which passes a connection.")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
