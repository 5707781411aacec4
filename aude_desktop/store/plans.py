"""Write plans: SQL statements with their parameter rows, built without the database and run later,
here (`write_plan` on a session's connection) or in the writer process (store/writer_process.py)."""

from __future__ import annotations

Statement = tuple[str, list[tuple]]  # SQL and its parameter rows, run with executemany


def write_plan(connection, statements: list[Statement]) -> None:
    """Run a plan on a SQLAlchemy connection or a DB-API cursor, in the caller's transaction."""
    run = connection.exec_driver_sql if hasattr(connection, "exec_driver_sql") else connection.executemany
    for sql, rows in statements:
        if rows:
            run(sql, rows)
