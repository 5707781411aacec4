"""The reference central API (FastAPI). `create_app(db_url)` is what `aude-central serve` runs.

No `from __future__ import annotations` here: FastAPI must see the real dependency objects
in the endpoint signatures, some of which are closures of create_app.
"""


import base64
import binascii
import hashlib
import os
import re
import secrets
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, insert, select, update

from aude_desktop import __version__
from aude_desktop.sync.commands import Actor, CommandRejected
from central_api import errors, oidc, security, service
from central_api.db import (
    ApiKey,
    Attachment,
    LoginFailure,
    Record,
    RefreshToken,
    ServerSecret,
    User,
    make_engine,
)
from central_api.duplicates import national_matches
from central_api.errors import ApiProblem
from central_api.limits import BodyLimit
from central_api.migrate import upgrade
from central_api.scope import visible
from central_api.service import apply_batch, current_cursor, insert_system_record

PROTOCOL_VERSION = 1
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Strict):
    login: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class RefreshBody(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class Mutation(Strict):
    id: uuid.UUID
    seq: int = Field(ge=0, le=2**62)
    name: str = Field(min_length=1, max_length=60)
    args: dict[str, Any]
    base_version: int | None = Field(default=None, ge=0, le=2**31)


class DuplicateQuery(Strict):
    last_name: str = Field(min_length=1, max_length=200)
    usage_name: str | None = Field(default=None, max_length=200)
    first_names: str | None = Field(default=None, max_length=200)
    birth_date: date


class MutationBatch(Strict):
    client_id: str = Field(min_length=1, max_length=64)
    mutations: list[Mutation] = Field(max_length=500)


def create_app(db_url: str, *, files_dir: str | Path | None = None, secret: bytes | None = None) -> FastAPI:
    engine = make_engine(db_url)
    upgrade(engine)
    secret = secret or _load_secret(engine)
    if files_dir is None:
        files_dir = (Path(db_url.removeprefix("sqlite:///")).parent / "attachments") if db_url.startswith("sqlite:///") else Path(tempfile.mkdtemp(prefix="aude-central-files-"))
    files = Path(files_dir)
    (files / "partial").mkdir(parents=True, exist_ok=True)

    app = FastAPI(
        title="AUDE — API centrale de référence",
        version=__version__,
        description="Synchronisation des postes AUDE Desktop : jetons, flux de changements, commandes.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    errors.install(app)
    app.add_middleware(BodyLimit)

    # -- identity -------------------------------------------------------------------------------

    def current_actor(authorization: Annotated[str | None, Header()] = None) -> Actor:
        if not authorization or not authorization.startswith("Bearer "):
            raise ApiProblem(401, "authentification_requise", "Authentification requise : connectez-vous.")
        try:
            login = security.read_access_token(secret, authorization.removeprefix("Bearer ").strip())
        except security.TokenInvalid as exc:
            raise ApiProblem(401, "jeton_invalide", str(exc)) from None
        with engine.connect() as conn:
            u = conn.execute(select(User.__table__).where(User.login == login)).first()
        if u is None or u.disabled:
            raise ApiProblem(401, "compte_inactif", "Compte inconnu ou désactivé.")
        return Actor(login=u.login, role=u.role, region=u.region, authority=u.authority)

    def _tokens(login: str, user) -> dict:
        access, ttl = security.make_access_token(secret, login)
        refresh, digest = security.new_refresh_token()
        with engine.begin() as conn:
            conn.execute(insert(RefreshToken).values(
                token_hash=digest, login=login, revoked=False,
                expires_at=datetime.now(UTC) + timedelta(seconds=security.REFRESH_TTL_S)))
        return {
            "access_token": access, "token_type": "bearer", "expires_in": ttl, "refresh_token": refresh,
            "user": {"login": user.login, "display_name": user.display_name, "role": user.role,
                     "region": user.region, "authority": user.authority},
        }

    # Single sign-on (ProConnect, ProSanté Connect): ID tokens signed with a key of their own.
    oidc.install(app, engine, hashlib.sha256(secret + b"|oidc-id-token").digest(), _tokens)

    @app.post("/api/v1/auth/token", tags=["authentification"])
    def login(body: LoginBody):
        since = datetime.now(UTC) - FAILURE_WINDOW
        with engine.connect() as conn:
            failures = conn.execute(
                select(func.count()).select_from(LoginFailure).where(LoginFailure.login == body.login, LoginFailure.at > since)
            ).scalar()
            user = conn.execute(select(User.__table__).where(User.login == body.login)).first()
        if failures >= MAX_FAILURES:
            raise ApiProblem(429, "trop_de_tentatives",
                             "Trop de tentatives de connexion échouées : réessayez dans 15 minutes.",
                             headers={"Retry-After": str(int(FAILURE_WINDOW.total_seconds()))})
        ok = security.verify_password(body.password, user.password_hash) if user else (security.verify_unknown() or False)
        if not ok or user.disabled:
            with engine.begin() as conn:
                conn.execute(insert(LoginFailure).values(login=body.login, at=datetime.now(UTC)))
            raise ApiProblem(401, "identifiants_invalides", "Identifiant ou mot de passe incorrect.")
        return _tokens(user.login, user)

    def _consume_refresh(token: str):
        digest = security.token_digest(token)
        with engine.begin() as conn:
            stored = conn.execute(select(RefreshToken.__table__).where(RefreshToken.token_hash == digest)).first()
            expires = stored.expires_at.replace(tzinfo=stored.expires_at.tzinfo or UTC) if stored else None
            if stored is None or stored.revoked or expires < datetime.now(UTC):
                raise ApiProblem(401, "session_expiree", "Session expirée ou révoquée : connectez-vous à nouveau.")
            conn.execute(update(RefreshToken).where(RefreshToken.token_hash == digest).values(revoked=True))
            user = conn.execute(select(User.__table__).where(User.login == stored.login)).one()
        if user.disabled:
            raise ApiProblem(401, "compte_inactif", "Compte désactivé.")
        return user

    @app.post("/api/v1/auth/refresh", tags=["authentification"])
    def refresh(body: RefreshBody):
        user = _consume_refresh(body.refresh_token)  # rotation: the old refresh token dies here
        return _tokens(user.login, user)

    @app.post("/api/v1/auth/revoke", tags=["authentification"])
    def revoke(body: RefreshBody):
        digest = security.token_digest(body.refresh_token)
        with engine.begin() as conn:
            conn.execute(update(RefreshToken).where(RefreshToken.token_hash == digest).values(revoked=True))
        return {"revoked": True}

    # -- sync -----------------------------------------------------------------------------------

    @app.get("/api/v1/meta", tags=["synchronisation"])
    def meta():
        return {"protocol_version": PROTOCOL_VERSION, "server_time": datetime.now(UTC).isoformat(),
                "server": "aude-central", "version": __version__}

    @app.get("/api/v1/me", tags=["synchronisation"])
    def me(actor: Annotated[Actor, Depends(current_actor)]):
        return {"login": actor.login, "role": actor.role, "region": actor.region, "authority": actor.authority}

    @app.get("/api/v1/changes", tags=["synchronisation"])
    def changes(
        actor: Annotated[Actor, Depends(current_actor)],
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ):
        with engine.connect() as conn:
            top = current_cursor(conn)
            if since > top:
                raise ApiProblem(400, "curseur_futur",
                                 f"Curseur {since} inconnu du serveur (le dernier est {top}) : une resynchronisation complète est nécessaire.")
            rows = conn.execute(
                select(Record.kind, Record.id, Record.version, Record.cursor, Record.deleted, Record.payload)
                .where(and_(Record.cursor > since, Record.cursor <= top, visible(actor)))
                .order_by(Record.cursor).limit(limit + 1)
            ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = rows[-1].cursor if more else top
        # Payloads are stored as JSON text: splice them in rather than parse and re-serialise.
        parts = [
            f'{{"kind":"{r.kind}","id":"{r.id}","version":{r.version},"cursor":{r.cursor},'
            f'"deleted":{"true" if r.deleted else "false"},"payload":{"null" if r.deleted else r.payload}}}'
            for r in rows
        ]
        body = f'{{"changes":[{",".join(parts)}],"next":{next_cursor},"more":{"true" if more else "false"}}}'
        return Response(body, media_type="application/json")

    @app.post("/api/v1/mutations", tags=["synchronisation"])
    def mutations(batch: MutationBatch, actor: Annotated[Actor, Depends(current_actor)]):
        if actor.role == "dgos":
            raise ApiProblem(403, "lecture_seule",
                             "Le profil DGOS est en lecture seule : aucune modification n'est acceptée.")
        items = [m.model_dump(mode="json") for m in batch.mutations]
        return {"results": apply_batch(engine, actor, batch.client_id, items)}

    @app.get("/api/v1/records/{kind}/{record_id}", tags=["synchronisation"])
    def record(kind: str, record_id: str, actor: Annotated[Actor, Depends(current_actor)]):
        """One record as the server holds it (a client discarding local work restores from it)."""
        with engine.connect() as conn:
            row = conn.execute(
                select(Record.kind, Record.id, Record.version, Record.deleted, Record.payload)
                .where(Record.kind == kind, Record.id == record_id, visible(actor))
            ).first()
        if row is None:
            raise ApiProblem(404, "introuvable", "Enregistrement introuvable sur le serveur ou hors de votre périmètre.")
        body = (f'{{"kind":"{row.kind}","id":"{row.id}","version":{row.version},'
                f'"deleted":{"true" if row.deleted else "false"},"payload":{"null" if row.deleted else row.payload}}}')
        return Response(body, media_type="application/json")

    @app.post("/api/v1/duplicates", tags=["synchronisation"])
    def duplicates(query: DuplicateQuery, actor: Annotated[Actor, Depends(current_actor)]):
        """Dossiers of the same person anywhere in France: reference and region only (POST: the name
        and birth date stay out of URLs and access logs)."""
        if actor.role != "agent_dreets":
            raise ApiProblem(403, "hors_perimetre", "La recherche de doublons est réservée aux agents des DREETS.")
        return {"matches": national_matches(engine, query.last_name, query.usage_name, query.first_names, query.birth_date)}

    @app.get("/api/v1/stats", tags=["synchronisation"])
    def stats(actor: Annotated[Actor, Depends(current_actor)]):
        """Per-kind counts of what the caller may see, to check a client's copy after a sync."""
        with engine.connect() as conn:
            rows = conn.execute(
                select(Record.kind, func.count(), func.sum(Record.version))
                .where(visible(actor), Record.deleted.is_(False)).group_by(Record.kind)
            ).all()
            top = current_cursor(conn)
        return {"counts": {kind: count for kind, count, _v in rows},
                "versions": {kind: int(total or 0) for kind, _c, total in rows}, "cursor": top}

    # -- attachments ----------------------------------------------------------------------------

    def _check_hash(sha256: str) -> str:
        if not SHA256.match(sha256):
            raise ApiProblem(400, "empreinte_invalide", "L'empreinte doit être un SHA-256 en hexadécimal minuscule (64 caractères).")
        return sha256

    @app.head("/api/v1/attachments/{sha256}", tags=["pièces jointes"])
    def attachment_state(sha256: str, actor: Annotated[Actor, Depends(current_actor)]):
        _check_hash(sha256)
        done = files / sha256
        if done.exists():
            return Response(headers={"Upload-Offset": str(done.stat().st_size), "Upload-Complete": "1",
                                     "Content-Length": str(done.stat().st_size)})
        partial = files / "partial" / sha256
        offset = partial.stat().st_size if partial.exists() else 0
        return Response(status_code=200 if offset else 404, headers={"Upload-Offset": str(offset), "Upload-Complete": "0"})

    @app.put("/api/v1/attachments/{sha256}", tags=["pièces jointes"])
    async def upload(sha256: str, request: Request, actor: Annotated[Actor, Depends(current_actor)],
                     content_range: Annotated[str | None, Header()] = None):
        _check_hash(sha256)
        if actor.role == "dgos":
            raise ApiProblem(403, "lecture_seule", "Le profil DGOS est en lecture seule.")
        done = files / sha256
        if done.exists():
            return {"sha256": sha256, "complete": True, "size": done.stat().st_size}
        partial = files / "partial" / sha256
        have = partial.stat().st_size if partial.exists() else 0
        start, total = 0, None
        if content_range:
            match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range.strip())
            if not match:
                raise ApiProblem(400, "plage_invalide", "En-tête Content-Range invalide (attendu : bytes début-fin/total).")
            start, _end, total = (int(g) for g in match.groups())
        if start != have:
            raise ApiProblem(409, "decalage", f"Reprise au mauvais endroit : le serveur a déjà {have} octets.",
                             headers={"Upload-Offset": str(have)})
        data = await request.body()
        with open(partial, "ab") as handle:
            handle.write(data)
        size = partial.stat().st_size
        if total is not None and size < total:
            return {"sha256": sha256, "complete": False, "size": size}
        digest = hashlib.sha256()
        with open(partial, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            partial.unlink()
            raise ApiProblem(422, "empreinte_differente",
                             "Le fichier reçu ne correspond pas à son empreinte SHA-256 : il a été écarté, renvoyez-le.")
        os.replace(partial, done)
        with engine.begin() as conn:
            if conn.execute(select(Attachment.sha256).where(Attachment.sha256 == sha256)).first() is None:
                conn.execute(insert(Attachment).values(sha256=sha256, size=size, complete=True, uploaded_by=actor.login))
        return {"sha256": sha256, "complete": True, "size": size}

    @app.get("/api/v1/attachments/{sha256}", tags=["pièces jointes"])
    def download(sha256: str, actor: Annotated[Actor, Depends(current_actor)],
                 range_: Annotated[str | None, Header(alias="Range")] = None):
        _check_hash(sha256)
        done = files / sha256
        with engine.connect() as conn:
            allowed = service.may_download(conn, actor, sha256)
        if not done.exists() or not allowed:
            # Same answer for « absent » and « not yours »: a hash reveals nothing about others' files.
            raise ApiProblem(404, "piece_jointe_introuvable", "Pièce jointe introuvable sur le serveur ou hors de votre périmètre.")
        data = done.read_bytes()
        if range_:
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_.strip())
            if not match or int(match.group(1)) >= len(data):
                raise ApiProblem(416, "plage_invalide", "Plage d'octets demandée invalide.")
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(data) - 1
            return Response(data[start : end + 1], status_code=206, media_type="application/octet-stream",
                            headers={"Content-Range": f"bytes {start}-{min(end, len(data) - 1)}/{len(data)}"})
        return Response(data, media_type="application/octet-stream")

    # -- company filing -------------------------------------------------------------------------

    @app.post("/api/v1/filings/conventions", tags=["dépôt des entreprises"])
    def file_convention(payload: dict[str, Any], x_api_key: Annotated[str | None, Header()] = None):
        from aude_desktop.conventions.commands import normalise, route

        if not x_api_key:
            raise ApiProblem(401, "cle_requise", "Clé d'API de l'entreprise requise (en-tête X-API-Key).")
        with engine.connect() as conn:
            key = conn.execute(select(ApiKey.__table__).where(ApiKey.key_hash == security.token_digest(x_api_key))).first()
        if key is None or key.disabled:
            raise ApiProblem(401, "cle_invalide", "Clé d'API inconnue ou désactivée.")
        try:
            body = normalise(payload)
            authorities = route(body)
        except CommandRejected as exc:
            raise ApiProblem(422, exc.code, exc.message) from None
        if body["company"]["siren"] != key.siren:
            raise ApiProblem(403, "entreprise_differente", "Cette clé d'API n'est pas celle de l'entreprise signataire.")
        from aude_desktop.conventions.thresholds import classify

        filed_files = _filed_attachments(payload.get("attachments"))
        created = []
        with engine.begin() as conn:
            listed = []
            for sha, name, label, data in filed_files:
                if not (files / sha).exists():
                    (files / sha).write_bytes(data)
                if conn.execute(select(Attachment.sha256).where(Attachment.sha256 == sha)).first() is None:
                    conn.execute(insert(Attachment).values(sha256=sha, size=len(data), complete=True,
                                                           uploaded_by=f"entreprise:{key.siren}"))
                listed.append({"sha256": sha, "filename": name, "label": label, "size": len(data)})
            filed_on = datetime.now(UTC).date().isoformat()
            for authority in authorities:
                record_id = str(uuid.uuid4())
                reference = f"EPS-{datetime.now(UTC):%Y}-{secrets.randbelow(10**7):07d}"
                # The regime follows from the thresholds in force, whatever the company declared.
                record = {"reference": reference, "authority": authority, "source": "eps", "read_only": False, **body,
                          "regime": classify(body).regime, "state": "recue", "filed_on": filed_on,
                          "decision": None, "routing": authorities if len(authorities) > 1 else None,
                          "events": [{"on": filed_on, "kind": "receipt", "note": None}], "attachments": listed}
                insert_system_record(conn, "convention", record_id, record, authority=authority,
                                     login=f"entreprise:{key.siren}", command="filing.convention")
                created.append({"id": record_id, "reference": reference, "authority": authority})
        return {"created": created}

    return app


MAX_FILED_FILES, MAX_FILED_SIZE = 20, 16 * 1024 * 1024


def _filed_attachments(value) -> list[tuple[str, str, str, bytes]]:
    """Files joined to a filing (statutes, programme…), base64 in the JSON: checked before anything is written."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or len(value) > MAX_FILED_FILES:
        raise ApiProblem(422, "pieces_jointes_invalides", f"Pièces jointes : une liste de {MAX_FILED_FILES} fichiers au plus est attendue.")
    out = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ApiProblem(422, "pieces_jointes_invalides", f"Pièce jointe n° {i} : objet attendu.")
        try:
            data = base64.b64decode(str(item.get("content_base64") or ""), validate=True)
        except (ValueError, binascii.Error):
            raise ApiProblem(422, "pieces_jointes_invalides", f"Pièce jointe n° {i} : contenu base64 illisible.") from None
        if not data or len(data) > MAX_FILED_SIZE:
            raise ApiProblem(422, "pieces_jointes_invalides", f"Pièce jointe n° {i} : vide ou plus de 16 Mio.")
        name = "".join(c for c in Path(str(item.get("filename") or f"piece-{i}")).name if c.isalnum() or c in "._- ")[:200]
        out.append((hashlib.sha256(data).hexdigest(), name or f"piece-{i}", str(item.get("label") or name)[:300], data))
    return out


def _load_secret(engine) -> bytes:
    with engine.begin() as conn:
        value = conn.execute(select(ServerSecret.value).where(ServerSecret.name == "token")).scalar()
        if value is None:
            value = secrets.token_bytes(32)
            conn.execute(insert(ServerSecret).values(name="token", value=value))
    return value


