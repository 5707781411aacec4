"""Users and companies' API keys (used by the CLI, the seed and the tests)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from aude_desktop.rules.reference import authorities, regions
from central_api.db import ApiKey, User
from central_api.security import hash_password, token_digest

ROLES = ("agent_dreets", "ordre", "ars", "dgos")


class AccountError(ValueError):
    pass


def check_scope(role: str, region: str | None, authority: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu « {role} » : {', '.join(ROLES)}.")
    if role in ("agent_dreets", "ars") and region not in regions():
        raise AccountError(f"Le rôle {role} demande une région valide (--region), par exemple OCC.")
    if role == "ordre" and (authority not in authorities() or authorities()[authority].kind != "ordre"):
        raise AccountError("Le rôle ordre demande une autorité ordinale valide (--authority), par exemple ORDRE-INF.")


def add_user(engine: Engine, login: str, password: str, role: str, *, region: str | None = None,
             authority: str | None = None, display_name: str | None = None, password_hash: str | None = None) -> None:
    check_scope(role, region, authority)
    if len(password) < 8 and password_hash is None:
        raise AccountError("Le mot de passe doit comporter au moins 8 caractères.")
    with engine.begin() as conn:
        if conn.execute(select(User.login).where(User.login == login)).first():
            raise AccountError(f"L'utilisateur « {login} » existe déjà.")
        conn.execute(insert(User).values(
            login=login, display_name=display_name or login, role=role,
            region=region if role in ("agent_dreets", "ars") else None,
            authority=authority if role == "ordre" else None,
            password_hash=password_hash or hash_password(password), disabled=False, created_at=datetime.now(UTC)))


def set_disabled(engine: Engine, login: str, disabled: bool = True) -> None:
    with engine.begin() as conn:
        if conn.execute(update(User).where(User.login == login).values(disabled=disabled)).rowcount == 0:
            raise AccountError(f"Utilisateur inconnu : « {login} ».")


def list_users(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(User.__table__).order_by(User.login)))


def add_api_key(engine: Engine, company: str, siren: str) -> str:
    """Returns the new key, shown once; only its hash is stored."""
    key = "aude_" + secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(insert(ApiKey).values(key_hash=token_digest(key), company=company, siren=siren, disabled=False))
    return key
