"""Users and companies' API keys (used by the CLI, the seed and the tests)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from sqlalchemy import Engine, insert, select, update

from aude_desktop.domain.scope import ROLES as SCOPES
from aude_desktop.rules.identifiers import siren_error
from aude_desktop.rules.reference import authorities, regions
from central_api.db import ApiKey, Mandate, User
from central_api.security import hash_password, token_digest

ROLES = tuple(SCOPES)  # the roles of the scope definition (aude_desktop/domain/scope.py)


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
    if problem := siren_error(siren):
        raise AccountError(problem)
    company, siren = " ".join(company.split()), "".join(ch for ch in siren if ch.isdigit())
    if not company.strip():
        raise AccountError("Indiquez la raison sociale de l'entreprise (--company).")
    key = "aude_" + secrets.token_urlsafe(24)
    with engine.begin() as conn:
        if conn.execute(select(ApiKey.key_hash).where(ApiKey.company == company)).first():
            raise AccountError(f"L'entreprise « {company} » a déjà une clé d'API.")
        conn.execute(insert(ApiKey).values(key_hash=token_digest(key), company=company, siren=siren, disabled=False))
    return key


def add_mandate(engine: Engine, mandataire_siren: str, client_siren: str, client_name: str,
                valid_from: date, valid_until: date) -> int:
    """A consulting firm may file and answer for `client_siren` between the two dates (included)."""
    for label, siren in (("du mandataire", mandataire_siren), ("de l'entreprise mandante", client_siren)):
        if problem := siren_error(siren):
            raise AccountError(f"SIREN {label} : {problem}")
    if mandataire_siren == client_siren:
        raise AccountError("Une entreprise n'a pas besoin de mandat pour déposer en son propre nom.")
    if valid_until < valid_from:
        raise AccountError("La fin du mandat précède son début.")
    if not client_name.strip():
        raise AccountError("Indiquez la raison sociale de l'entreprise mandante (--client-name).")
    with engine.begin() as conn:
        if conn.execute(select(ApiKey.key_hash).where(ApiKey.siren == mandataire_siren, ApiKey.disabled.is_(False))).first() is None:
            raise AccountError(f"Aucune clé d'API active pour le mandataire de SIREN {mandataire_siren} : créez-la d'abord.")
        return conn.execute(insert(Mandate).values(
            mandataire_siren=mandataire_siren, client_siren=client_siren, client_name=client_name.strip(),
            valid_from=valid_from, valid_until=valid_until, revoked=False, created_at=datetime.now(UTC),
        ).returning(Mandate.id)).scalar_one()


def list_mandates(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(Mandate.__table__).order_by(Mandate.mandataire_siren, Mandate.client_siren)))


def revoke_mandate(engine: Engine, mandate_id: int) -> None:
    with engine.begin() as conn:
        if conn.execute(update(Mandate).where(Mandate.id == mandate_id).values(revoked=True)).rowcount == 0:
            raise AccountError(f"Mandat inconnu : n° {mandate_id}.")
