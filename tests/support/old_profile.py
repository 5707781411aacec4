"""A profile left at an older schema revision, with rows written as that version wrote them."""

from __future__ import annotations

from alembic import command

from aude_desktop.store import migrate
from aude_desktop.store.engine import make_engine


def write_at_revision(profile, key, revision: str, statements: list[str]) -> None:
    engine = make_engine(profile.database_path, key)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    with engine.begin() as connection:
        for sql in statements:
            connection.exec_driver_sql(sql)
    engine.dispose()
