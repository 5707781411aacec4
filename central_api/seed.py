"""`aude-central seed`: bulk insert of the demo data and of the demo users (Core executemany)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, insert, select

from central_api import oidc
from central_api.accounts import add_user
from central_api.db import Record, User
from central_api.demo_data import demo_users, generate_records
from central_api.security import hash_password
from central_api.service import allocate_cursors, dumps, reference_of

BATCH = 20_000


def seed_users(engine: Engine) -> int:
    with engine.connect() as conn:
        existing = set(conn.scalars(select(User.login)))
    count = 0
    for user in demo_users():
        if user.login in existing:
            continue
        digest = hash_password(user.password)
        add_user(engine, user.login, user.password, user.role, region=user.region, authority=user.authority,
                 display_name=user.display_name, password_hash=digest)
        # The same person at the stand-in identity provider: State agents at ProConnect, the orders'
        # staff at ProSanté Connect; same demo password, mapped to this account.
        provider = "prosante-connect" if user.role == "ordre" else "proconnect"
        given, _, family = user.display_name.partition(" ")
        oidc.add_account(engine, provider, user.login, user.password, f"{user.login}@demo.aude.gouv.fr",
                         given or user.login, family or user.login, login=user.login, password_hash=digest)
        count += 1
    return count


def seed(engine: Engine, *, dossiers: int, conventions: int, seed_value: int, today: date | None = None) -> dict:
    """Insert the demo records in batches; each batch takes its cursors in one block, in order."""
    counts: dict[str, int] = {}
    batch: list[dict] = []

    def flush() -> None:
        if not batch:
            return
        with engine.begin() as conn:
            last = allocate_cursors(conn, len(batch))
            first = last - len(batch) + 1
            for offset, row in enumerate(batch):
                row["cursor"] = first + offset
            conn.execute(insert(Record), batch)
        batch.clear()

    for record in generate_records(dossiers, conventions, seed_value, today):
        counts[record.kind] = counts.get(record.kind, 0) + 1
        batch.append({
            "kind": record.kind, "id": record.id, "version": 1, "deleted": False, "region": record.region,
            "authority": record.authority, "owner": record.owner, "payload": dumps(record.payload),
            "reference": reference_of(record.kind, record.payload),
        })
        if len(batch) >= BATCH:
            flush()
    flush()
    counts["users"] = seed_users(engine)
    return counts
