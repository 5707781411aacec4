"""Sign-in sessions and refresh token families (issue 16, item 8).

A sign-in opens a session; its access tokens carry the session id and each request checks the
session row (joined to the user row the request reads anyway: no extra round trip), so logging
out ends the access token at once, on every worker. Refresh tokens rotate: each use spends the
token and issues the next one of the same family (session). A spent token that comes back means
two parties hold it — the legitimate client and a thief — so the whole family is revoked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, insert, select, update

from central_api import security
from central_api.audit import audit_event
from central_api.db import RefreshToken, SignInSession, User
from central_api.errors import ApiProblem

EXPIRED = "Session expirée ou révoquée : connectez-vous à nouveau."


@dataclass(frozen=True)
class Refreshed:
    user: object
    session_id: str


def open_session(engine: Engine, login: str) -> str:
    session_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(insert(SignInSession).values(id=session_id, login=login, created_at=datetime.now(UTC)))
    return session_id


def issue_refresh(engine: Engine, login: str, session_id: str) -> str:
    token, digest = security.new_refresh_token()
    with engine.begin() as conn:
        conn.execute(insert(RefreshToken).values(
            token_hash=digest, login=login, revoked=False, session_id=session_id,
            expires_at=datetime.now(UTC) + timedelta(seconds=security.REFRESH_TTL_S)))
    return token


def _revoke_family(engine: Engine, session_id: str | None, token_hash: str) -> None:
    """Close the session: its access tokens and every refresh token of the family die with it (both
    are checked against the session row). Its own transaction, one row: lock orders cannot cross
    (100 parallel replays on PostgreSQL deadlocked when this also locked the family's tokens)."""
    with engine.begin() as conn:
        if session_id:
            conn.execute(update(SignInSession).where(SignInSession.id == session_id, SignInSession.revoked_at.is_(None))
                         .values(revoked_at=datetime.now(UTC)))
        else:
            conn.execute(update(RefreshToken).where(RefreshToken.token_hash == token_hash).values(revoked=True))


def consume_refresh(engine: Engine, token: str) -> Refreshed:
    """The user and session to issue the next tokens for; or 401. A spent token's reuse revokes
    its family (audited) and answers 401."""
    digest = security.token_digest(token)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        # Claim first (the UPDATE takes the lock): of two parallel uses, one claims, the other sees a reuse.
        claimed = conn.execute(update(RefreshToken).where(
            RefreshToken.token_hash == digest, RefreshToken.revoked.is_(False), RefreshToken.spent_at.is_(None))
            .values(spent_at=now)).rowcount
        stored = conn.execute(select(RefreshToken.__table__).where(RefreshToken.token_hash == digest)).first()
        if stored is None:
            raise ApiProblem(401, "session_expiree", EXPIRED)
        if not claimed:
            outcome = ("reuse", stored) if stored.spent_at is not None else ("revoked", stored)
        else:
            expires = stored.expires_at if stored.expires_at.tzinfo else stored.expires_at.replace(tzinfo=UTC)
            session = None
            if stored.session_id:
                session = conn.execute(select(SignInSession.revoked_at).where(SignInSession.id == stored.session_id)).first()
            if expires < now or (stored.session_id and (session is None or session.revoked_at is not None)):
                outcome = ("revoked", stored)
            else:
                session_id = stored.session_id
                if session_id is None:  # a token from before sessions: it opens one
                    session_id = str(uuid.uuid4())
                    conn.execute(insert(SignInSession).values(id=session_id, login=stored.login, created_at=now))
                user = conn.execute(select(User.__table__).where(User.login == stored.login)).one()
                outcome = ("ok", Refreshed(user, session_id))
    kind, value = outcome
    if kind == "reuse":
        _revoke_family(engine, value.session_id, digest)
        audit_event(engine, value.login, "auth.refresh", "jeton_reutilise", kind="session", record_id=value.session_id or "")
        raise ApiProblem(401, "session_revoquee", "Jeton de renouvellement déjà utilisé : par sécurité, cette session est "
                                                  "fermée sur tous les postes. Connectez-vous à nouveau.")
    if kind == "revoked":
        raise ApiProblem(401, "session_expiree", EXPIRED)
    if value.user.disabled:
        raise ApiProblem(401, "compte_inactif", "Compte désactivé.")
    return value


def revoke(engine: Engine, token: str) -> tuple[str, str] | None:
    """Logout: the token's whole session (access tokens included). (login, session id) or None."""
    digest = security.token_digest(token)
    with engine.begin() as conn:
        conn.execute(update(RefreshToken).where(RefreshToken.token_hash == digest).values(revoked=True))
        stored = conn.execute(select(RefreshToken.login, RefreshToken.session_id)
                              .where(RefreshToken.token_hash == digest)).first()
    if stored is None:
        return None
    _revoke_family(engine, stored.session_id, digest)
    return stored.login, stored.session_id or ""


def signed_in_user(engine: Engine, login: str, session_id: str):
    """The user row of a live session, or None (revoked, unknown, another user's session)."""
    with engine.connect() as conn:
        return conn.execute(
            select(User.__table__).join(SignInSession, and_(SignInSession.login == User.login))
            .where(SignInSession.id == session_id, User.login == login, SignInSession.revoked_at.is_(None))
        ).first()
