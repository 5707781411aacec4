"""lists as JSON: a dossier's experiences and clock events, a convention's beneficiaries and avantages

Nothing queried these item by item, and they were 900,000 of the 1.58 million rows a national
initial sync wrote. Each list moves, in payload order and in the payload's shape, into JSON columns
of `dossier_lists` / `convention_lists`: one row per record, beside the record rather than in it
(supervision scans the record tables several times; inline lists tripled the conventions' rows),
with an increasing rowid so a first sync appends them. The redundant single-column next_due_on
indexes go too (each queue order index starts with that column).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BENEFICIARY_FIELDS = ("category", "last_name", "first_name", "quality", "profession", "rpps", "order_number", "ine",
                      "school", "name", "object", "address")


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def _quantity(value) -> str | None:
    """As the payload wrote it: '6' stays '6', '1.5' stays '1.5'."""
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def _grouped(conn, sql: str) -> dict[str, list]:
    """parent id -> its rows, in insertion order (each list was written in payload order)."""
    grouped: dict[str, list] = {}
    for row in conn.exec_driver_sql(sql):
        grouped.setdefault(row[0], []).append(row)
    return grouped


def _store(conn, table: str, columns: tuple[str, str, str], first: dict, second: dict) -> None:
    rows = [(parent, json.dumps(first.get(parent, []), ensure_ascii=False), json.dumps(second.get(parent, []), ensure_ascii=False))
            for parent in sorted(first.keys() | second.keys())]
    if rows:
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES (?, ?, ?)", rows)


def _move_lists(conn) -> None:
    experiences = _grouped(conn, "SELECT dossier_id, nature, place, country, start_on, end_on FROM experiences ORDER BY dossier_id, rowid")
    events = _grouped(conn, 'SELECT dossier_id, "on", kind, note FROM clock_events ORDER BY dossier_id, rowid')
    _store(conn, "dossier_lists", ("dossier_id", "experiences", "clock_events"),
           {parent: [{"nature": r[1], "place": r[2], "country": r[3], "start": r[4], "end": r[5]} for r in rows]
            for parent, rows in experiences.items()},
           {parent: [{"on": r[1], "kind": r[2], "note": r[3]} for r in rows] for parent, rows in events.items()})
    columns = ", ".join(f'"{name}"' for name in BENEFICIARY_FIELDS)
    beneficiaries = _grouped(conn, f"SELECT convention_id, id, key, {columns} FROM beneficiaries ORDER BY convention_id, rowid")
    keys = {r[1]: r[2] for rows in beneficiaries.values() for r in rows}
    avantages = _grouped(conn, 'SELECT convention_id, key, beneficiary_id, nature, amount, hours, half_days, nights, '
                               'meals, collations, "on", description, purpose FROM avantages ORDER BY convention_id, rowid')
    _store(conn, "convention_lists", ("convention_id", "beneficiaries", "avantages"),
           {parent: [{"id": r[2], **dict(zip(BENEFICIARY_FIELDS, r[3:], strict=True))} for r in rows]
            for parent, rows in beneficiaries.items()},
           {parent: [{"id": r[1], "beneficiary_id": keys.get(r[2]), "nature": r[3], "amount": _money(r[4]),
                      "hours": _quantity(r[5]), "half_days": _quantity(r[6]), "nights": r[7], "meals": r[8],
                      "collations": r[9], "date": r[10], "description": r[11], **({"purpose": r[12]} if r[12] else {})}
                     for r in rows]
            for parent, rows in avantages.items()})


def upgrade() -> None:
    for table, parent, columns in (("dossier_lists", "dossiers", ("experiences", "clock_events")),
                                   ("convention_lists", "conventions", ("beneficiaries", "avantages"))):
        key = f"{parent[:-1]}_id"
        op.create_table(
            table,
            sa.Column("rowid", sa.Integer(), nullable=False),
            sa.Column(key, sa.String(length=36), nullable=False),
            *(sa.Column(column, sa.JSON(), nullable=False) for column in columns),
            sa.ForeignKeyConstraint([key], [f"{parent}.id"], name=op.f(f"fk_{table}_{key}_{parent}"), ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("rowid", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint(key, name=op.f(f"uq_{table}_{key}")),
        )
    _move_lists(op.get_bind())
    for table in ("avantages", "beneficiaries", "clock_events", "experiences"):
        op.drop_table(table)
    op.drop_index("ix_dossiers_next_due_on", table_name="dossiers")
    op.drop_index("ix_conventions_next_due_on", table_name="conventions")


def downgrade() -> None:
    raise NotImplementedError("0012 is one-way: restore the backup taken before the upgrade (store/backups.py).")
