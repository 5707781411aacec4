"""What a person decides about refused commands and conflicts (the Rejets and Conflits views).

Nothing here is automatic: a refused command stays until the user resubmits or discards it; a
conflict stays until the user has chosen, field by field, between their value and the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from aude_desktop.domain.commands import Actor
from aude_desktop.store.database import LocalStore
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync import materialize
from aude_desktop.sync.local import apply_command

FREE_TEXT = {"specialty", "motifs", "note", "text", "description", "address", "reason"}

COMMAND_LABELS = {
    "dossier.create": "Création de dossier",
    "dossier.update": "Modification de dossier",
    "dossier.assign": "Attribution",
    "lps.declare": "Déclaration préalable (LPS)",
    "piece.upsert": "Pièce",
    "annotation.save": "Annotation",
    "convention.create": "Création de convention",
    "convention.update": "Modification de convention",
}


FIELD_LABELS = {
    "specialty": "Spécialité", "situation": "Situation du demandeur", "assigned_to": "Agent chargé",
    "object": "Objet", "urgent": "Urgence", "octroi_on": "Date d'octroi", "period_start": "Début de période",
    "period_end": "Fin de période", "company": "Entreprise", "beneficiaries": "Bénéficiaires",
    "avantages": "Avantages", "experiences": "Expériences",
    "applicant": "Demandeur", "diploma": "Diplôme",
    "last_name": "nom", "first_names": "prénoms", "birth_date": "date de naissance", "birth_place": "lieu de naissance",
    "birth_country": "pays de naissance", "nationality": "nationalité", "sex": "sexe", "email": "courriel",
    "phone": "téléphone", "address": "adresse", "postal_code": "code postal", "city": "ville", "country": "pays",
    "title": "intitulé", "obtained_on": "date d'obtention", "issuing_body": "organisme", "recognised_on": "date de reconnaissance",
}


def field_label(path: str) -> str:
    """« Demandeur — ville » for applicant.city: people read labels, not identifiers."""
    top, _, sub = path.partition(".")
    label = FIELD_LABELS.get(top, top)
    return f"{label} — {FIELD_LABELS.get(sub, sub)}" if sub else label


def command_label(name: str) -> str:
    return COMMAND_LABELS.get(name, name.split(".", 1)[-1].replace("_", " ").capitalize())


@dataclass(frozen=True)
class Problem:
    seq: int
    name: str
    label: str
    entity_kind: str
    entity_id: str
    status: str  # rejected | conflict
    reason: str
    created_at: datetime
    record: str  # the reference people know the record by


def problems(store: LocalStore) -> list[Problem]:
    with store.session() as s:
        rows = s.scalars(
            select(OutboxEntry).where(OutboxEntry.status.in_(("rejected", "conflict"))).order_by(OutboxEntry.seq)
        ).all()
        return [
            Problem(e.seq, e.name, command_label(e.name), e.entity_kind, e.entity_id, e.status,
                    e.reason_message or "", e.created_at, _reference(s, e.entity_kind, e.entity_id))
            for e in rows
        ]


def _reference(session, kind: str, entity_id: str) -> str:
    model = materialize.MAIN_MODELS.get(kind)
    row = session.get(model, entity_id) if model is not None else None
    return getattr(row, "reference", None) or entity_id[:8]


def resubmit(store: LocalStore, seq: int) -> None:
    """Send a refused command again as it is (e.g. once the missing right has been granted)."""
    with store.session() as s:
        s.execute(
            update(OutboxEntry).where(OutboxEntry.seq == seq, OutboxEntry.status == "rejected")
            .values(status="pending", reason_code=None, reason_message=None, resolved_at=None)
        )


def _restore_in(s, server_record: dict | None, kind: str, entity_id: str) -> None:
    """Put the server's version of the record back in the local tables (or remove a local-only one)."""
    if server_record is None or server_record.get("deleted"):
        materialize.materialize(s, [(kind, entity_id, 0, None)])
    else:
        materialize.materialize(s, [(kind, entity_id, server_record["version"], server_record["payload"])])


def _settle(s, seq: int) -> None:
    s.execute(update(OutboxEntry).where(OutboxEntry.seq == seq).values(status="discarded", resolved_at=datetime.now(UTC)))


def discard(store: LocalStore, seq: int, fetch) -> None:
    """Give up a refused or conflicting command, explicitly; the record returns to the server's state.

    `fetch(kind, id)` returns the server's record or None (404): it is called outside any transaction.
    """
    discard_with(store, seq, server_version(store, seq, fetch))


def server_version(store: LocalStore, seq: int, fetch) -> dict | None:
    """The server's record that giving up command `seq` returns to: the one kept with a conflict, or
    asked of the server (`fetch`, a network call: the GUI makes it off the serial worker)."""
    with store.session() as s:
        entry = s.get(OutboxEntry, seq)
        kind, entity_id, status = entry.entity_kind, entry.entity_id, entry.status
        server_record = entry.server_record if status == "conflict" else None
    return server_record if server_record is not None else fetch(kind, entity_id)


def discard_with(store: LocalStore, seq: int, server_record: dict | None) -> None:
    """The write of `discard`, in one transaction: the command given up, the server's version back."""
    with store.session() as s:
        entry = s.get(OutboxEntry, seq)
        _settle(s, seq)
        _restore_in(s, server_record, entry.entity_kind, entry.entity_id)


@dataclass(frozen=True)
class FieldDiff:
    path: str  # "specialty", "applicant.last_name"
    mine: Any
    server: Any
    free_text: bool

    def merged(self) -> str:
        """A starting point for free text: both versions, without repeating one inside the other."""
        mine, server = str(self.mine or ""), str(self.server or "")
        if mine in server:
            return server
        if server in mine:
            return mine
        return f"{server}\n— version locale :\n{mine}"


def conflict_fields(store: LocalStore, seq: int) -> list[FieldDiff]:
    with store.session() as s:
        entry = s.get(OutboxEntry, seq)
        fields = dict(entry.args.get("fields") or {})
        server_payload = (entry.server_record or {}).get("payload") or {}
    diffs = []
    for key, mine in fields.items():
        server = server_payload.get(key)
        if isinstance(mine, dict) and isinstance(server, dict):
            for sub, value in mine.items():
                if value != server.get(sub):
                    diffs.append(FieldDiff(f"{key}.{sub}", value, server.get(sub), sub in FREE_TEXT))
        elif mine != server:
            diffs.append(FieldDiff(key, mine, server, key in FREE_TEXT and isinstance(mine, str | None)))
    return diffs


def resolve_conflict(store: LocalStore, actor: Actor, seq: int, chosen: dict[str, Any]) -> str | None:
    """Apply the person's choice: start from the server's record, then queue one update carrying the
    values they kept. Returns the new entity id, or None when they kept the server's values only.
    One transaction: refused (CommandRejected), the conflict stays as it was, to be decided again."""
    with store.session() as s:
        entry = s.get(OutboxEntry, seq)
        name, kind, entity_id = entry.name, entry.entity_kind, entry.entity_id
        server_record = entry.server_record
        _settle(s, seq)
        _restore_in(s, server_record, kind, entity_id)
        server_payload = (server_record or {}).get("payload") or {}
        fields: dict[str, Any] = {}
        for path, value in chosen.items():
            top, _, sub = path.partition(".")
            if sub:
                current = fields.setdefault(top, dict(server_payload.get(top) or {}))
                current[sub] = value
            else:
                fields[top] = value
        changed = {k: v for k, v in fields.items() if v != server_payload.get(k)}
        if not changed:
            return None
        return apply_command(s, actor, name, {"id": entity_id, "fields": changed})


def retry_on_server_version(store: LocalStore, actor: Actor, seq: int) -> str:
    """For a conflicting step that is not a field edit (a workflow step): start again from the
    server's record and queue the same step. Raises CommandRejected if it no longer applies; then,
    one transaction, nothing has changed here."""
    with store.session() as s:
        entry = s.get(OutboxEntry, seq)
        name, kind, entity_id, args = entry.name, entry.entity_kind, entry.entity_id, dict(entry.args)
        _restore_in(s, entry.server_record, kind, entity_id)
        _settle(s, seq)
        return apply_command(s, actor, name, args)


def fetcher(auth, store: LocalStore):
    """`fetch(kind, id)` for `discard`, through the signed-in session (None when the server has none)."""
    from aude_desktop.sync.http import RequestRefused, ServerError
    from aude_desktop.sync.pull_scope import PullScope

    def fetch(kind: str, entity_id: str) -> dict | None:
        try:
            record = auth.transport.request("GET", f"/api/v1/records/{kind}/{entity_id}", token=auth.access_token())
        except RequestRefused as exc:
            if exc.status == 404:
                return None
            raise
        if isinstance(record, dict) and (record.get("kind"), record.get("id")) != (kind, entity_id):
            raise ServerError("Le serveur a renvoyé un autre enregistrement que celui demandé : rien n'a été restauré.")
        user = auth.user
        scope = PullScope(Actor(user.login, user.role, user.region, user.authority) if user else None)
        with store.session() as s:
            trusted = scope.trusted(s, kind, entity_id, record)
        return record if trusted else None  # outside the user's scope (moved away): not kept here

    return fetch
