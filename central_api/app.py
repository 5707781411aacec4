"""The reference central API (FastAPI). `create_app(db_url)` is what `aude-central serve` runs.

No `from __future__ import annotations` here: FastAPI must see the real dependency objects
in the endpoint signatures, some of which are closures of create_app.
"""


import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, delete, func, insert, null, select, true
from sqlalchemy.exc import IntegrityError

from aude_desktop import __version__
from aude_desktop.domain.commands import Actor, CommandRejected, is_record_id
from central_api import audit, company, errors, oidc, reference_api, security, sessions, throttle
from central_api import files as file_rules
from central_api.audit import audit_event
from central_api.db import (
    Attachment,
    PartialUpload,
    Record,
    ScopeExit,
    ServerSecret,
    User,
    make_engine,
)
from central_api.duplicates import national_matches
from central_api.errors import ApiProblem
from central_api.limits import ATTACHMENT_LIMIT, BodyLimit
from central_api.migrate import upgrade
from central_api.scope import exits_visible, visible
from central_api.service import (
    ClientIdTaken,
    allocate_cursors,
    apply_batch,
    current_cursor,
    insert_system_record,
    next_filing_reference,
    published_rulesets,
)

PROTOCOL_VERSION = 1
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Every value of a change page is encoded (the C encoder: the feed's throughput depends on it);
# only the payload, which the server serialised itself (service.dumps), is spliced as stored.
_text = json.encoder.encode_basestring


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


def create_app(db_url: str, *, files_dir: str | Path | None = None, secret: bytes | None = None,
               oidc_standin: bool = False, audit_key: bytes | None = None) -> FastAPI:
    """`oidc_standin`: serve the stand-in ProConnect / ProSanté Connect providers (demo and tests
    only: they take AUDE passwords). `audit_key`: else found as audit.py says (env, key file)."""
    engine = make_engine(db_url)
    upgrade(engine)
    audit.open_log(engine, db_url, audit_key)
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
    app.state.files = files
    errors.install(app)
    app.add_middleware(BodyLimit)

    # -- identity -------------------------------------------------------------------------------

    def current_actor(authorization: Annotated[str | None, Header()] = None) -> Actor:
        if not authorization or not authorization.startswith("Bearer "):
            raise ApiProblem(401, "authentification_requise", "Authentification requise : connectez-vous.")
        try:
            login, session_id = security.read_access_claims(secret, authorization.removeprefix("Bearer ").strip())
        except security.TokenInvalid as exc:
            raise ApiProblem(401, "jeton_invalide", str(exc)) from None
        if session_id is None:  # issued before sessions existed: the client refreshes and gets one
            raise ApiProblem(401, "jeton_invalide", "Jeton d'accès d'une version précédente : la session va être renouvelée.")
        u = sessions.signed_in_user(engine, login, session_id)
        if u is None:
            raise ApiProblem(401, "session_revoquee", "Session fermée (déconnexion ou révocation) : connectez-vous à nouveau.")
        if u.disabled:
            raise ApiProblem(401, "compte_inactif", "Compte inconnu ou désactivé.")
        return Actor(login=u.login, role=u.role, region=u.region, authority=u.authority)

    def _tokens(login: str, user, session_id: str | None = None) -> dict:
        session_id = session_id or sessions.open_session(engine, login)
        access, ttl = security.make_access_token(secret, login, session_id=session_id)
        refresh = sessions.issue_refresh(engine, login, session_id)
        return {
            "access_token": access, "token_type": "bearer", "expires_in": ttl, "refresh_token": refresh,
            "user": {"login": user.login, "display_name": user.display_name, "role": user.role,
                     "region": user.region, "authority": user.authority},
        }

    # Single sign-on (ProConnect, ProSanté Connect): ID tokens signed with a key of their own.
    oidc.install(app, engine, hashlib.sha256(secret + b"|oidc-id-token").digest(), _tokens, standin=oidc_standin)
    reference_api.install(app)  # GET /api/v1/reference/professions (NOS codes)

    @app.post("/api/v1/auth/token", tags=["authentification"])
    def login(body: LoginBody, request: Request):
        with engine.connect() as conn:
            user = conn.execute(select(User.__table__).where(User.login == body.login)).first()
        try:
            throttle.check_password(engine, body.login, body.password, client_address(request), "auth.login",
                                    user.password_hash if user else None, disabled=bool(user and user.disabled))
        except throttle.Throttled as exc:
            raise ApiProblem(429, "trop_de_tentatives", exc.message, headers={"Retry-After": str(exc.retry_after)}) from None
        except throttle.WrongPassword:
            raise ApiProblem(401, "identifiants_invalides", "Identifiant ou mot de passe incorrect.") from None
        return _tokens(user.login, user)

    @app.post("/api/v1/auth/refresh", tags=["authentification"])
    def refresh(body: RefreshBody):
        done = sessions.consume_refresh(engine, body.refresh_token)  # rotation: the old refresh token dies here
        return _tokens(done.user.login, done.user, done.session_id)

    @app.post("/api/v1/auth/revoke", tags=["authentification"])
    def revoke(body: RefreshBody):
        closed = sessions.revoke(engine, body.refresh_token)
        if closed:
            audit_event(engine, closed[0], "auth.logout", "ok", kind="session", record_id=closed[1])
        return {"revoked": True}

    @app.get("/api/v1/audit/head", tags=["synchronisation"])
    def audit_head(actor: Annotated[Actor, Depends(current_actor)],
                   known: Annotated[int | None, Query(ge=0, le=2**62)] = None):
        """The audit log's head; with `known`, the hash the entry of that number has now (fork check)."""
        with engine.connect() as conn:
            return audit.head(conn, known)

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
            exits = _exits(conn, actor, since, top, limit)
        if exits:  # records that left this scope: tombstones, merged in cursor order
            rows = sorted([*rows, *exits], key=lambda r: r.cursor)[: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = rows[-1].cursor if more else top
        # Payloads are stored as JSON text: splice them in rather than parse and re-serialise.
        parts = [
            f'{{"kind":{_text(r.kind)},"id":{_text(r.id)},"version":{int(r.version)},"cursor":{int(r.cursor)},'
            f'"deleted":{"true" if r.deleted else "false"},"payload":{"null" if r.deleted else r.payload}}}'
            for r in rows
        ]
        body = f'{{"changes":[{",".join(parts)}],"next":{int(next_cursor)},"more":{"true" if more else "false"}}}'
        return Response(body, media_type="application/json")

    def _exits(conn, actor: Actor, since: int, top: int, limit: int) -> list:
        condition = exits_visible(actor)
        if condition is None:
            return []
        return conn.execute(
            select(ScopeExit.kind, ScopeExit.record_id.label("id"), ScopeExit.version, ScopeExit.cursor,
                   true().label("deleted"), null().label("payload"))
            .where(ScopeExit.cursor > since, ScopeExit.cursor <= top, condition)
            .order_by(ScopeExit.cursor).limit(limit + 1)
        ).all()

    @app.post("/api/v1/mutations", tags=["synchronisation"])
    def mutations(batch: MutationBatch, actor: Annotated[Actor, Depends(current_actor)]):
        if actor.role == "dgos":
            raise ApiProblem(403, "lecture_seule",
                             "Le profil DGOS est en lecture seule : aucune modification n'est acceptée.")
        items = [m.model_dump(mode="json") for m in batch.mutations]
        try:
            return {"results": apply_batch(engine, actor, batch.client_id, items)}
        except ClientIdTaken:
            raise ApiProblem(403, "client_id_etranger",
                             "Cet identifiant de poste (client_id) appartient à un autre compte : rien n'a été appliqué. "
                             "Chaque installation garde le sien.") from None

    @app.get("/api/v1/records/{kind}/{record_id}", tags=["synchronisation"])
    def record(kind: str, record_id: str, actor: Annotated[Actor, Depends(current_actor)]):
        """One record as the server holds it (a client discarding local work restores from it)."""
        if not is_record_id(record_id):  # the same answer as an absent record
            raise ApiProblem(404, "introuvable", "Enregistrement introuvable sur le serveur ou hors de votre périmètre.")
        with engine.connect() as conn:
            row = conn.execute(
                select(Record.kind, Record.id, Record.version, Record.deleted, Record.payload)
                .where(Record.kind == kind, Record.id == record_id, visible(actor))
            ).first()
        if row is None:
            raise ApiProblem(404, "introuvable", "Enregistrement introuvable sur le serveur ou hors de votre périmètre.")
        body = (f'{{"kind":{_text(row.kind)},"id":{_text(row.id)},"version":{int(row.version)},'
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
        with engine.begin() as conn:
            file_rules.purge_stale(conn, files)
            complete = done.exists() and file_rules.holds(conn, actor, sha256)
            have = _own_upload(conn, actor, sha256)[1]
        if complete:  # only to someone who holds it or sees a record naming it
            return Response(headers={"Upload-Offset": str(done.stat().st_size), "Upload-Complete": "1",
                                     "Content-Length": str(done.stat().st_size)})
        return Response(status_code=200 if have else 404, headers={"Upload-Offset": str(have), "Upload-Complete": "0"})

    def _own_upload(conn, actor: Actor, sha256: str) -> tuple[PartialUpload | None, int]:
        """The caller's own upload under way (row, bytes received); another user's never counts."""
        part = conn.execute(select(PartialUpload.__table__).where(
            PartialUpload.login == actor.login, PartialUpload.sha256 == sha256)).first()
        path = file_rules.partial_path(files, actor.login, sha256)
        return part, (path.stat().st_size if part is not None and path.exists() else 0)

    @app.put("/api/v1/attachments/{sha256}", tags=["pièces jointes"])
    async def upload(sha256: str, request: Request, actor: Annotated[Actor, Depends(current_actor)],
                     content_range: Annotated[str | None, Header()] = None):
        _check_hash(sha256)
        if actor.role == "dgos":
            raise ApiProblem(403, "lecture_seule", "Le profil DGOS est en lecture seule.")
        done = files / sha256
        with engine.begin() as conn:
            file_rules.purge_stale(conn, files)
            if done.exists() and file_rules.holds(conn, actor, sha256):
                return {"sha256": sha256, "complete": True, "size": done.stat().st_size}
            part, have = _own_upload(conn, actor, sha256)
        start, end, total = _content_range(content_range)
        if part is not None and total != part.total:
            raise ApiProblem(409, "decalage", f"Taille annoncée différente de celle du début de l'envoi ({part.total} octets).",
                             headers={"Upload-Offset": str(have)})
        if start != have:
            raise ApiProblem(409, "decalage", f"Reprise au mauvais endroit : le serveur a déjà {have} octets.",
                             headers={"Upload-Offset": str(have)})
        data = await request.body()
        if total is None:
            total = len(data)
        elif len(data) != end - start + 1:
            raise ApiProblem(400, "plage_invalide", "Le corps ne correspond pas à la plage annoncée (Content-Range).")
        if not data or total > ATTACHMENT_LIMIT or have + len(data) > total:
            raise ApiProblem(413, "trop_volumineux", "Fichier vide ou plus grand que sa taille annoncée ou que 64 Mio.")
        path = file_rules.partial_path(files, actor.login, sha256)
        with open(path, "ab" if part is not None else "wb") as handle:
            handle.write(data)
        size = have + len(data)
        if size < total:
            if part is None:
                try:
                    with engine.begin() as conn:
                        conn.execute(insert(PartialUpload).values(login=actor.login, sha256=sha256, total=total,
                                                                  started_at=datetime.now(UTC)))
                except IntegrityError:  # the same user started the same file twice at once
                    path.unlink(missing_ok=True)
                    raise ApiProblem(409, "decalage", "Cet envoi a déjà commencé ailleurs : reprenez-le.",
                                     headers={"Upload-Offset": "0"}) from None
            return {"sha256": sha256, "complete": False, "size": size}
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        with engine.begin() as conn:
            conn.execute(delete(PartialUpload).where(PartialUpload.login == actor.login, PartialUpload.sha256 == sha256))
            if digest.hexdigest() != sha256:
                path.unlink(missing_ok=True)
                raise ApiProblem(422, "empreinte_differente",
                                 "Le fichier reçu ne correspond pas à son empreinte SHA-256 : il a été écarté, renvoyez-le.")
            if done.exists():
                path.unlink()  # the same bytes are already kept: this user now holds them too
            else:
                os.replace(path, done)
            if conn.execute(select(Attachment.sha256).where(Attachment.sha256 == sha256)).first() is None:
                conn.execute(insert(Attachment).values(sha256=sha256, size=size, complete=True, uploaded_by=actor.login))
            file_rules.add_holder(conn, actor.login, sha256)
        return {"sha256": sha256, "complete": True, "size": size}

    @app.get("/api/v1/attachments/{sha256}", tags=["pièces jointes"])
    def download(sha256: str, actor: Annotated[Actor, Depends(current_actor)],
                 range_: Annotated[str | None, Header(alias="Range")] = None):
        _check_hash(sha256)
        done = files / sha256
        with engine.connect() as conn:
            allowed = file_rules.may_download(conn, actor, sha256)
        if not done.exists() or not allowed:
            audit_event(engine, actor.login, "attachment.download", "introuvable", kind="attachment", record_id=sha256)
            # Same answer for « absent » and « not yours »: a hash reveals nothing about others' files.
            raise ApiProblem(404, "piece_jointe_introuvable", "Pièce jointe introuvable sur le serveur ou hors de votre périmètre.")
        audit_event(engine, actor.login, "attachment.download", "ok", kind="attachment", record_id=sha256,
                    detail={"range": range_})
        size = done.stat().st_size
        if range_ is None:
            return FileResponse(done, media_type="application/octet-stream")
        match = re.fullmatch(r"bytes=(\d{1,19})-(\d{0,19})", range_.strip())
        start, last = (int(match.group(1)), int(match.group(2) or size - 1)) if match else (size, 0)
        end = min(last, size - 1)
        if start >= size or last < start:  # unreadable, reversed or past the end
            raise ApiProblem(416, "plage_invalide", "Plage d'octets demandée invalide.",
                             headers={"Content-Range": f"bytes */{size}"})
        with open(done, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start + 1)
        return Response(data, status_code=206, media_type="application/octet-stream",
                        headers={"Content-Range": f"bytes {start}-{end}/{size}"})

    # -- company filing -------------------------------------------------------------------------

    @app.post("/api/v1/filings/conventions", tags=["dépôt des entreprises"])
    def file_convention(payload: dict[str, Any], x_api_key: Annotated[str | None, Header()] = None):
        from aude_desktop.conventions.commands import normalise, route

        key = company.filer_from_key(engine, x_api_key)
        try:
            body = normalise(payload)
            authorities = route(body)
        except CommandRejected as exc:
            raise ApiProblem(422, exc.code, exc.message) from None
        filed_by = company.acting_for(engine, key, body["company"]["siren"])
        from aude_desktop.conventions.commands import regime_of

        filed_files = _filed_attachments(payload.get("attachments"))
        filed_on = datetime.now(UTC).date().isoformat()
        try:  # the thresholds in force on the filing date, found as convention.create finds them
            with engine.connect() as conn:
                regime = regime_of(body, published_rulesets(conn), filed_on)
        except CommandRejected as exc:
            raise ApiProblem(422, exc.code, exc.message) from None
        created = []
        with engine.begin() as conn:
            allocate_cursors(conn, 0)  # the writer lock first: the reference sequence is taken in order
            listed = company.store_filed_files(conn, files, filed_files, f"entreprise:{key.siren}")
            for authority in authorities:
                record_id = str(uuid.uuid4())
                try:
                    reference = next_filing_reference(conn, datetime.now(UTC).year)
                except CommandRejected as exc:
                    raise ApiProblem(503, exc.code, exc.message) from None
                record = {"reference": reference, "authority": authority, "source": "eps", "read_only": False, **body,
                          "regime": regime, "state": "recue", "filed_on": filed_on,
                          "decision": None, "routing": authorities if len(authorities) > 1 else None,
                          "events": [{"on": filed_on, "kind": "receipt", "note": None}], "attachments": listed,
                          "filed_by": filed_by}
                insert_system_record(conn, "convention", record_id, record, authority=authority,
                                     login=f"entreprise:{key.siren}", command="filing.convention")
                created.append({"id": record_id, "reference": reference, "authority": authority, "regime": regime})
        return {"created": created}

    company.install(app, engine, files)  # the company channel: read filings and letters, answer
    return app


MAX_FILED_FILES, MAX_FILED_SIZE = 20, 16 * 1024 * 1024


def _content_range(value: str | None) -> tuple[int, int | None, int | None]:
    """(start, end, total) of `Content-Range: bytes start-end/total`; no header: the whole file at once."""
    if not value:
        return 0, None, None
    match = re.fullmatch(r"bytes (\d{1,19})-(\d{1,19})/(\d{1,19})", value.strip())
    if not match:
        raise ApiProblem(400, "plage_invalide", "En-tête Content-Range invalide (attendu : bytes début-fin/total).")
    start, end, total = (int(g) for g in match.groups())
    if end < start or end >= total:
        raise ApiProblem(416, "plage_invalide", "Plage d'octets envoyée invalide (fin avant le début ou au-delà du total).")
    if total > ATTACHMENT_LIMIT:
        raise ApiProblem(413, "trop_volumineux", "Fichier trop volumineux : 64 Mio au plus.")
    return start, end, total


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


def client_address(request: Request) -> str:
    """The caller's address (behind a reverse proxy on this host, uvicorn takes it from X-Forwarded-For)."""
    return request.client.host if request.client else "inconnue"


def _load_secret(engine) -> bytes:
    with engine.begin() as conn:
        value = conn.execute(select(ServerSecret.value).where(ServerSecret.name == "token")).scalar()
        if value is None:
            value = secrets.token_bytes(32)
            conn.execute(insert(ServerSecret).values(name="token", value=value))
    return value


