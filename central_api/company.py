"""The company channel: a company (or the consulting firm it mandated) reads its filings, their
state, regime, legal date and the letters issued to it, answers an incomplete-file notice and files
a modified convention after a refusal.

The company's answers run the very domain commands an instructor would record
(`convention.receive_pieces`, `convention.receive_modified`, `convention.update`): the clock
restarts the same way, each command is audited under the filer's name, and the new version reaches
the instructor's queue as « nouveau » through the ordinary change feed.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Response
from sqlalchemy import Connection, Engine, insert, select, update

from aude_desktop import catalog
from aude_desktop.conventions import workflow
from aude_desktop.conventions.states import REGIME_LABELS, STATE_LABELS
from aude_desktop.domain.commands import Actor, CommandRejected
from central_api import security
from central_api.db import ApiKey, Attachment, Mandate, Record
from central_api.errors import ApiProblem
from central_api.scope import company_visible
from central_api.service import (
    allocate_cursors,
    audit_append,
    company_of,
    dumps,
    set_attachment_refs,
)

# What a company may change on its own filing (never its SIREN, nor the instructor's assignment).
COMPANY_FIELDS = ("object", "urgent", "octroi_on", "period_start", "period_end", "beneficiaries", "avantages")
NOT_FOUND = "Dépôt introuvable ou hors de votre périmètre (vos dépôts et ceux de vos mandants)."


@dataclass(frozen=True)
class Filer:
    """Who holds the API key: a company, or a consulting firm acting under mandates."""

    siren: str
    name: str

    @property
    def login(self) -> str:
        return f"entreprise:{self.siren}"


def today() -> date:
    return datetime.now(UTC).date()


def filer_from_key(engine: Engine, x_api_key: str | None) -> Filer:
    if not x_api_key:
        raise ApiProblem(401, "cle_requise", "Clé d'API de l'entreprise requise (en-tête X-API-Key).")
    with engine.connect() as conn:
        key = conn.execute(select(ApiKey.__table__).where(ApiKey.key_hash == security.token_digest(x_api_key))).first()
    if key is None or key.disabled:
        raise ApiProblem(401, "cle_invalide", "Clé d'API inconnue ou désactivée.")
    return Filer(key.siren, key.company)


def mandants(conn: Connection, filer: Filer, on: date) -> dict[str, str]:
    """SIREN → name of the companies this filer may act for today (mandates in force)."""
    rows = conn.execute(select(Mandate.client_siren, Mandate.client_name).where(
        Mandate.mandataire_siren == filer.siren, Mandate.revoked.is_(False),
        Mandate.valid_from <= on, Mandate.valid_until >= on))
    return {siren: name for siren, name in rows}


def sirens(conn: Connection, filer: Filer) -> list[str]:
    return [filer.siren, *mandants(conn, filer, today())]


def acting_for(engine: Engine, filer: Filer, siren: str) -> dict:
    """The `filed_by` of a filing for `siren`; refused in French without a mandate in force."""
    if siren == filer.siren:
        return {"siren": filer.siren, "name": filer.name, "mandataire": False}
    with engine.connect() as conn:
        if siren not in mandants(conn, filer, today()):
            raise ApiProblem(403, "entreprise_differente",
                             f"Cette clé d'API n'est pas celle de l'entreprise signataire (SIREN {siren}) et aucun "
                             "mandat en cours ne vous autorise à agir pour elle : faites enregistrer le mandat "
                             "(aude-central apikeys mandate add).")
    return {"siren": filer.siren, "name": filer.name, "mandataire": True}


def store_filed_files(conn: Connection, files: Path, filed: list[tuple[str, str, str, bytes]], uploader: str) -> list[dict]:
    """Files joined by a company (already checked by `_filed_attachments`) written once by hash."""
    listed = []
    for sha, name, label, data in filed:
        if not (files / sha).exists():
            (files / sha).write_bytes(data)
        if conn.execute(select(Attachment.sha256).where(Attachment.sha256 == sha)).first() is None:
            conn.execute(insert(Attachment).values(sha256=sha, size=len(data), complete=True, uploaded_by=uploader))
        listed.append({"sha256": sha, "filename": name, "label": label, "size": len(data)})
    return listed


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiProblem(400, "identifiant_invalide", f"{what} : identifiant invalide (UUID attendu).") from None


# -- reading --------------------------------------------------------------------------------------


def _letter(row) -> dict:
    from aude_desktop.letters.templates import templates

    p = json.loads(row.payload)
    procedure, _, kind = p["kind"].partition(".")
    known = templates(procedure) if procedure in ("aude", "eps") else {}
    return {"id": row.id, "kind": p["kind"], "title": known[kind].title if kind in known else p["kind"],
            "reference": p["reference"], "issued_on": p["issued_on"], "replaces_id": p.get("replaces_id"),
            "pdf": f"/api/v1/company/letters/{row.id}/pdf"}


def summary(record_id: str, version: int, cursor: int, p: dict, letters: list[dict], on: date) -> dict:
    """What a company reads about one of its filings."""
    try:
        legal = workflow.clock(p, on)
        legal_date = {"date": legal.next_date.isoformat() if legal.next_date else None, "label": legal.next_label,
                      "status": legal.status_label, "flags": list(legal.flags)}
    except (KeyError, ValueError, TypeError):  # ClockInputError is a ValueError
        legal_date = {"date": None, "label": "Échéance non calculable", "status": "", "flags": []}
    missing = next((e.get("note") for e in reversed(p.get("events") or []) if e.get("kind") == "incomplete"), None)
    regime, state = p.get("regime"), p.get("state")
    return {
        "id": record_id, "version": version, "cursor": cursor, "reference": p.get("reference"),
        "authority": p.get("authority"), "company": {"siren": p["company"].get("siren"), "name": p["company"].get("name")},
        "regime": regime, "regime_label": REGIME_LABELS.get(regime, regime),
        "state": state, "state_label": STATE_LABELS.get(state, state),
        "filed_on": p.get("filed_on"), "filed_by": p.get("filed_by"), "legal_date": legal_date,
        "missing": missing if state == "incomplete" else None,
        "decision": p.get("decision"), "recommandations": p.get("recommandations") or [],
        "events": p.get("events") or [], "answers": p.get("company_answers") or [], "letters": letters,
    }


def _letters_of(conn: Connection, allowed: list[str], convention_ids: set[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {cid: [] for cid in convention_ids}
    rows = conn.execute(select(Record.id, Record.payload).where(
        Record.kind == "letter", company_visible(allowed), Record.deleted.is_(False)).order_by(Record.cursor))
    for row in rows:
        cid = json.loads(row.payload).get("convention_id")
        if cid in out:
            out[cid].append(_letter(row))
    return out


def feed(engine: Engine, filer: Filer, since: int, limit: int) -> dict:
    """Filings changed after `since` (a filing changes with its letters), oldest change first."""
    with engine.connect() as conn:
        allowed = sirens(conn, filer)
        rows = conn.execute(
            select(Record.kind, Record.id, Record.cursor, Record.payload)
            .where(company_visible(allowed), Record.cursor > since,
                   Record.deleted.is_(False))
            .order_by(Record.cursor).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        ids: list[str] = []
        for r in rows:
            cid = r.id if r.kind == "convention" else json.loads(r.payload).get("convention_id")
            if cid and cid not in ids:
                ids.append(cid)
        conventions = {r.id: r for r in conn.execute(select(Record.id, Record.version, Record.cursor, Record.payload).where(
            Record.kind == "convention", Record.id.in_(ids), company_visible(allowed), Record.deleted.is_(False)))}
        letters = _letters_of(conn, allowed, set(conventions))
    on = today()
    filings = [summary(cid, conventions[cid].version, conventions[cid].cursor, json.loads(conventions[cid].payload),
                       letters[cid], on) for cid in ids if cid in conventions]
    next_cursor = rows[-1].cursor if rows else since
    return {"filings": filings, "next": next_cursor, "more": more}


def one(engine: Engine, filer: Filer, record_id: str) -> dict:
    with engine.connect() as conn:
        allowed = sirens(conn, filer)
        row = conn.execute(select(Record.version, Record.cursor, Record.payload).where(
            Record.kind == "convention", Record.id == record_id, company_visible(allowed),
            Record.deleted.is_(False))).first()
        if row is None:
            raise ApiProblem(404, "introuvable", NOT_FOUND)
        letters = _letters_of(conn, allowed, {record_id})[record_id]
    return summary(record_id, row.version, row.cursor, json.loads(row.payload), letters, today())


def letter_pdf(engine: Engine, files: Path, filer: Filer, letter_id: str) -> bytes:
    with engine.connect() as conn:
        row = conn.execute(select(Record.payload).where(
            Record.kind == "letter", Record.id == letter_id, company_visible(sirens(conn, filer)),
            Record.deleted.is_(False))).first()
    path = files / json.loads(row.payload)["sha256"] if row else None
    if path is None or not path.exists():
        raise ApiProblem(404, "courrier_introuvable",
                         "Courrier introuvable, hors de votre périmètre, ou PDF pas encore transmis par l'autorité.")
    return path.read_bytes()


# -- answering ------------------------------------------------------------------------------------


def answer(engine: Engine, files: Path, filer: Filer, record_id: str, steps: list[tuple[str, dict]],
           filed: list[tuple[str, str, str, bytes]], what: str, note: str | None, check=None) -> dict:
    """Run the domain `steps` on a filing of the filer (or of a mandant), as one new version."""
    on = today()
    actor = Actor(login=filer.login, role="entreprise")
    with engine.begin() as conn:
        allocate_cursors(conn, 0)  # the writer lock first, as every mutation
        allowed = sirens(conn, filer)
        row = conn.execute(select(Record.__table__).where(
            Record.kind == "convention", Record.id == record_id, company_visible(allowed),
            Record.deleted.is_(False))).first()
        if row is None:
            raise ApiProblem(404, "introuvable", NOT_FOUND)
        payload = json.loads(row.payload)
        if check is not None:
            check(payload, on)
        try:
            for name, args in steps:
                payload = catalog.execute(name, payload, {**args, "id": record_id}, actor)
        except CommandRejected as exc:
            raise ApiProblem(409 if exc.code == "transition_interdite" else 422,
                             exc.code, exc.message) from None
        listed = store_filed_files(conn, files, filed, filer.login)
        payload["attachments"] = [*(payload.get("attachments") or []), *listed]
        payload.setdefault("company_answers", []).append({
            "on": on.isoformat(), "kind": what, "note": note, "files": [f["filename"] for f in listed],
            "by": {"siren": filer.siren, "name": filer.name, "mandataire": filer.siren != payload["company"]["siren"]}})
        cursor = allocate_cursors(conn)
        conn.execute(update(Record).where(Record.kind == "convention", Record.id == record_id).values(
            version=row.version + 1, cursor=cursor, company=company_of(conn, "convention", payload), payload=dumps(payload)))
        set_attachment_refs(conn, "convention", record_id, payload)
        for name, args in steps:
            audit_append(conn, filer.login, name, "convention", record_id, args)
    return one(engine, filer, record_id)


def _modified_in_time(payload: dict, on: date) -> None:
    """The company files its modified convention within the fifteen days the legal clock gives."""
    if payload.get("state") != "refusee":
        return  # the transition refuses it in French
    legal = workflow.clock(payload, on)
    if legal.next_date is not None and on > legal.next_date:
        raise ApiProblem(422, "delai_expire",
                         f"Le délai de quinze jours pour déposer une convention modifiée a expiré le "
                         f"{legal.next_date:%d/%m/%Y} : déposez une nouvelle convention.")


def install(app: FastAPI, engine: Engine, files: Path) -> None:
    """The company channel's endpoints (X-API-Key, like the filing endpoint)."""
    from central_api.app import _filed_attachments

    router = APIRouter(prefix="/api/v1/company", tags=["canal des entreprises"])

    @router.get("/filings")
    def filings(x_api_key: Annotated[str | None, Header()] = None,
                since: Annotated[int, Query(ge=0, le=2**62)] = 0,
                limit: Annotated[int, Query(ge=1, le=500)] = 100):
        """Your filings (and your mandants') changed after the cursor `since`: poll with `next`."""
        return feed(engine, filer_from_key(engine, x_api_key), since, limit)

    @router.get("/filings/{filing_id}")
    def filing(filing_id: str, x_api_key: Annotated[str | None, Header()] = None):
        return one(engine, filer_from_key(engine, x_api_key), _uuid(filing_id, "Dépôt"))

    @router.get("/letters/{letter_id}/pdf")
    def letter(letter_id: str, x_api_key: Annotated[str | None, Header()] = None):
        pdf = letter_pdf(engine, files, filer_from_key(engine, x_api_key), _uuid(letter_id, "Courrier"))
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{letter_id}.pdf"'})

    @router.post("/filings/{filing_id}/pieces")
    def pieces(filing_id: str, body: dict[str, Any], x_api_key: Annotated[str | None, Header()] = None):
        """Answer to a dossier incomplet: files and/or corrected fields; the two months run again."""
        filer = filer_from_key(engine, x_api_key)
        record_id = _uuid(filing_id, "Dépôt")
        _only(body, {"fields", "attachments", "note"})
        filed = _filed_attachments(body.get("attachments"))
        fields = _company_fields(body["fields"], "Champs corrigés") if body.get("fields") is not None else None
        if not filed and not fields:
            raise ApiProblem(422, "reponse_vide", "Joignez les pièces manquantes ou les champs corrigés.")
        steps = [("convention.update", {"fields": fields})] if fields else []
        steps.append(("convention.receive_pieces", {"on": today().isoformat()}))
        return answer(engine, files, filer, record_id, steps, filed, "pieces", _note(body), None)

    @router.post("/filings/{filing_id}/modified")
    def modified(filing_id: str, body: dict[str, Any], x_api_key: Annotated[str | None, Header()] = None):
        """The modified convention after a refusal, within fifteen days; decided within fifteen days."""
        filer = filer_from_key(engine, x_api_key)
        record_id = _uuid(filing_id, "Dépôt")
        _only(body, {"convention", "attachments", "note"})
        convention = _company_fields(body.get("convention"), "Convention modifiée")
        if not convention:
            raise ApiProblem(422, "convention_requise", "Joignez la convention modifiée (« convention »).")
        filed = _filed_attachments(body.get("attachments"))
        steps = [("convention.update", {"fields": convention}),
                 ("convention.receive_modified", {"on": today().isoformat()})]
        return answer(engine, files, filer, record_id, steps, filed, "modified", _note(body), _modified_in_time)

    @router.get("/mandates")
    def mandates(x_api_key: Annotated[str | None, Header()] = None):
        """The companies this key may act for today."""
        filer = filer_from_key(engine, x_api_key)
        with engine.connect() as conn:
            current = mandants(conn, filer, today())
        return {"siren": filer.siren, "name": filer.name,
                "mandants": [{"siren": s, "name": n} for s, n in sorted(current.items())]}

    app.include_router(router)


def _company_fields(fields, label: str) -> dict:
    if not isinstance(fields, dict):
        raise ApiProblem(422, "type_invalide", f"{label} : objet attendu.")
    forbidden = sorted(set(fields) - set(COMPANY_FIELDS))
    if forbidden:
        raise ApiProblem(422, "champ_non_modifiable",
                         f"{label} : champ(s) que l'entreprise ne peut pas modifier : {', '.join(forbidden)} "
                         f"(modifiables : {', '.join(COMPANY_FIELDS)}).")
    return fields


def _only(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiProblem(422, "champ_inconnu", f"Champ(s) inconnu(s) : {', '.join(unknown)} (attendus : {', '.join(sorted(allowed))}).")


def _note(body: dict) -> str | None:
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise ApiProblem(422, "note_invalide", "Note : texte de 2000 caractères au plus.")
    return note

