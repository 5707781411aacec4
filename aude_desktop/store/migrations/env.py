"""Alembic environment: always given a live connection by aude_desktop.store.migrate."""

from alembic import context

from aude_desktop.store.models import Base

target_metadata = Base.metadata

# The FTS5 index is created with raw SQL in a migration: the models do not describe it.
FTS_TABLES = {"search_index"}


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and (name in FTS_TABLES or (name or "").startswith("search_index_")):
        return False
    return True


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through aude_desktop.store.migrate, which passes a connection.")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
