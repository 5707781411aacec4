"""Sign-in throttling: attempts counted atomically, per account, per address and per pair, with
increasing delays rather than a lock (issue 16, item 6).

An attempt is counted *before* its password is checked, in one transaction holding the rows' locks,
so 100 parallel guesses cannot all read « 4 failures so far » and all be checked. A success
clears the account's counts. No limit locks an account: the account-wide limit (all addresses) is
capped at a short delay, so guessing from elsewhere cannot keep a colleague out for long, while the
pair (this account from this address) and the address (any account from it) slow a guesser down to
one attempt every 15 minutes.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from central_api.audit import audit_event, storable
from central_api.db import LoginThrottle
from central_api.security import verify_password, verify_unknown

WINDOW = timedelta(minutes=15)  # failures older than this, with no new one since, are forgotten


@dataclass(frozen=True)
class Limit:
    free: int  # failures allowed without any delay
    first_delay_s: int  # delay after the `free`-th failure, doubled after each further one
    cap_s: int

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return timedelta(seconds=min(self.first_delay_s * 2 ** min(failures - self.free, 20), self.cap_s))


PAIR = Limit(free=5, first_delay_s=15, cap_s=900)
ADDRESS = Limit(free=30, first_delay_s=15, cap_s=900)
ACCOUNT = Limit(free=20, first_delay_s=15, cap_s=60)


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        wait = f"{self.retry_after} secondes" if self.retry_after < 120 else f"{-(-self.retry_after // 60)} minutes"
        return f"Trop de tentatives de connexion échouées : réessayez dans {wait}."


def keys(login: str, address: str) -> list[tuple[str, Limit]]:
    """The loopback address has no address-wide limit: it is a reverse proxy on this host that did
    not pass X-Forwarded-For (every user would share its count) or a local test; the pair and the
    account limits still apply."""
    login = storable(login)
    found = [(f"compte:{login}", ACCOUNT), (f"paire:{login}|{address}", PAIR)]
    return found if _loopback(address) else [*found, (f"adresse:{address}", ADDRESS)]


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def admit(engine: Engine, login: str, address: str) -> None:
    """Count one attempt on every key, or raise Throttled (counting nothing) if one must wait."""
    now = datetime.now(UTC)
    wanted = sorted(keys(login, address))  # one lock order for every request: no deadlock
    with engine.begin() as conn:
        rows = {}
        for key, _limit in wanted:
            # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before the read.
            if conn.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                            .values(failures=LoginThrottle.failures)).rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(LoginThrottle).values(key=key, failures=0, next_at=now, updated_at=now))
                except IntegrityError:  # another request created it meanwhile: lock it now
                    conn.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                                 .values(failures=LoginThrottle.failures))
            rows[key] = conn.execute(select(LoginThrottle.failures, LoginThrottle.next_at, LoginThrottle.updated_at)
                                     .where(LoginThrottle.key == key)).one()
        wait = max(((_aware(r.next_at) - now).total_seconds() for r in rows.values()), default=0)
        if wait > 0:
            raise Throttled(max(1, int(wait + 0.999)))
        for key, limit in wanted:
            row = rows[key]
            failures = (0 if now - _aware(row.updated_at) > WINDOW else row.failures) + 1
            conn.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(
                failures=failures, next_at=now + limit.delay(failures), updated_at=now))
        if secrets.randbelow(200) == 0:  # now and then, forget keys idle for a day
            conn.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - timedelta(days=1)))


def succeeded(engine: Engine, login: str, address: str) -> None:
    """The password was right: the account's counts go, and this attempt no longer counts for the address."""
    login = storable(login)
    with engine.begin() as conn:
        conn.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([f"compte:{login}", f"paire:{login}|{address}"])))
        conn.execute(update(LoginThrottle).where(LoginThrottle.key == f"adresse:{address}", LoginThrottle.failures > 0)
                     .values(failures=LoginThrottle.failures - 1))


class WrongPassword(Exception):
    pass


def check_password(engine: Engine, login: str, password: str, address: str, command: str,
                   stored_hash: str | None, disabled: bool = False) -> None:
    """The one guarded password check of every sign-in form (API and stand-in providers): admitted
    by the throttle, then checked at constant cost; each outcome audited. Raises Throttled or
    WrongPassword; returns when the password is right."""
    try:
        admit(engine, login, address)
    except Throttled:
        audit_event(engine, login, command, "trop_de_tentatives", detail={"address": address})
        raise
    ok = verify_password(password, stored_hash) if stored_hash else (verify_unknown() or False)
    if not ok or disabled:
        audit_event(engine, login, command, "identifiants_invalides", detail={"address": address})
        raise WrongPassword
    succeeded(engine, login, address)
    audit_event(engine, login, command, "ok", detail={"address": address})
