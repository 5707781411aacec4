"""The register of issued letters: unique references across agents working offline, the PDF kept
with its SHA-256 (synced as an attachment) and registered with its record (synced as a `letter`).

Issuing again shows the registered PDF — never a silently different one; a correction is a new
letter, with a new reference, that names the one it replaces.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import epreuves
from aude_desktop.dossiers.models import Piece
from aude_desktop.letters import compose, sender
from aude_desktop.rules import deadlines
from aude_desktop.rules.calendar import calendar_for_authority, calendar_for_region, format_date_fr
from aude_desktop.rules.courts import court_for
from aude_desktop.rules.deadlines import TO_NOTIFY, LateIssue
from aude_desktop.settings import Settings
from aude_desktop.store.database import LocalStore
from aude_desktop.store.models import Attachment, AttachmentData, Letter, User
from aude_desktop.store.state import get_state, set_state
from aude_desktop.sync import attachments
from aude_desktop.sync.engine import client_id
from aude_desktop.sync.local import apply_command
from aude_desktop.sync.materialize import dump_convention, dump_dossier

SEQUENCE_KEY = "letter_sequence"


@dataclass(frozen=True)
class IssuedLetter:
    letter_id: str
    reference: str
    sha256: str
    pdf: bytes
    reissued: bool  # True: the registered letter, shown again unchanged
    warning: str = ""  # for the instructor (e.g. an uncertain competent court), never printed


def signatory(settings: Settings) -> compose.Signatory:
    image = None
    if settings.signature_image:
        try:
            image = Path(settings.signature_image).read_bytes()
        except OSError:
            raise compose.LetterNotApplicable(
                f"Image de signature illisible : « {settings.signature_image} » (Fichier › Paramètres › Courriers).") from None
    return compose.Signatory(settings.signatory_first_name.strip(), settings.signatory_last_name.strip(),
                             settings.signatory_position.strip(), image)


def officer_name(store: LocalStore, login: str) -> str:
    """The case officer is the signed-in agent: the display name of their account (CRPA L.111-2)."""
    with store.session() as s:
        user = s.get(User, login) if login else None
        return (user.display_name or "").strip() if user else ""


def sender_for(store: LocalStore, actor: Actor, settings: Settings) -> sender.Sender:
    """The letterhead and case officer, or a French refusal naming each missing setting."""
    try:
        return sender.require(settings, officer_name(store, actor.login))
    except sender.SenderIncomplete as exc:
        raise compose.LetterNotApplicable(str(exc)) from None


def court_warning(procedure: str, payload: dict, settings: Settings) -> str:
    """Shown to the instructor when the court named in the recours is an *uncertain* reading."""
    key = payload.get("region") if procedure == "aude" else payload.get("authority")
    court = court_for(procedure, key, settings.recours_court)
    if not court.uncertain:
        return ""
    return (f"Juridiction compétente incertaine : « {court.name} » ({court.source}). {court.note} "
            "Le service peut fixer la sienne : Fichier › Paramètres › Courriers, ou aude-cli settings letters --court.").strip()


def next_reference(s, prefix: str, procedure: str) -> str:
    """Client id (unique per installation) + a local sequence: no two agents, even offline, ever
    produce the same reference, and no server round trip is needed. Taken inside the transaction
    that registers the letter, so a crash never leaves a reference used without its letter."""
    seq = int(get_state(s, SEQUENCE_KEY) or 0) + 1
    set_state(s, SEQUENCE_KEY, str(seq))
    return f"{procedure.upper()}-C-{prefix}-{seq:06d}"


class LateIssueUnconfirmed(compose.LetterNotApplicable):
    """The letter's legal window has passed: issuing it needs the agent's confirmation, after
    reading what it changes in law (the message)."""

    def __init__(self, late: LateIssue):
        super().__init__(f"Courrier hors délai — {late.message}")
        self.late = late


def _record(store: LocalStore, procedure: str, record_id: str) -> dict:
    with store.session() as s:
        payload = (dump_dossier if procedure == "aude" else dump_convention)(s, record_id)
        if payload is not None and procedure == "aude":  # the checklist: what the letters list as missing
            payload["pieces"] = [{"code": x.code, "label": x.label, "status": x.status}
                                 for x in s.scalars(select(Piece).where(Piece.dossier_id == record_id).order_by(Piece.code))]
            session = epreuves.session_of_dossier(s, record_id)
            if session is not None:
                payload["epreuve_session"] = session
    if payload is None:
        raise compose.LetterNotApplicable("Dossier ou convention introuvable sur ce poste.")
    return payload


def late_issue(procedure: str, kind: str, payload: dict, today: date) -> LateIssue | None:
    """Whether issuing this letter today is past its legal window (rules data « issue_windows »)."""
    received = payload.get("received_on") if procedure == "aude" else payload.get("filed_on")
    if not received:
        return None
    cal = (calendar_for_region(payload.get("region")) if procedure == "aude"
           else calendar_for_authority(payload.get("authority")))
    return deadlines.late_issue(f"{procedure}.{kind}", date.fromisoformat(received), today, cal)


def registered(store: LocalStore, procedure: str, kind: str, record_id: str) -> Letter | None:
    """The letter in force of this kind for this record: the latest one that no other replaces."""
    column = Letter.dossier_id if procedure == "aude" else Letter.convention_id
    with store.session() as s:
        letters = list(s.scalars(select(Letter).where(column == record_id, Letter.kind == f"{procedure}.{kind}")
                                 .order_by(Letter.issued_at, Letter.reference)))
        replaced = {letter.replaces_id for letter in letters}
        current = [letter for letter in letters if letter.id not in replaced]
        if current:
            s.expunge(current[-1])
            return current[-1]
    return None


def issue(store: LocalStore, actor: Actor, settings: Settings, procedure: str, kind: str, record_id: str,
          today: date, *, replaces: str | None = None, from_: sender.Sender | None = None,
          confirm_late: bool = False) -> IssuedLetter:
    """`confirm_late`: the agent has read what issuing after the legal window changes and confirms;
    without it such a letter raises LateIssueUnconfirmed (nothing is registered)."""
    payload = _record(store, procedure, record_id)
    if replaces is None:
        existing = registered(store, procedure, kind, record_id)
        if existing is not None:
            pdf = attachments.read(store, existing.sha256)
            if pdf is not None:
                return IssuedLetter(existing.id, existing.reference, existing.sha256, pdf, reissued=True)
    compose.check(procedure, kind, payload, today)  # before a reference is taken
    from_ = from_ or sender_for(store, actor, settings)
    late = late_issue(procedure, kind, payload, today)
    if late is not None and not confirm_late:
        raise LateIssueUnconfirmed(late)
    signed_by = signatory(settings)
    prefix = client_id(store).replace("-", "")[:12].upper()
    record_key = "dossier_id" if procedure == "aude" else "convention_id"
    # Reference, PDF and register entry commit together: a crash leaves all of them or none.
    with store.session() as s:
        reference = next_reference(s, prefix, procedure)
        pdf = compose.render(procedure, kind, payload, reference=reference, issued_on=today, signatory=signed_by,
                             sender=from_)
        sha = hashlib.sha256(pdf).hexdigest()
        if s.get(Attachment, sha) is None:
            s.add(Attachment(sha256=sha, size=len(pdf), filename=f"{reference}.pdf", uploaded=False, downloaded=True))
            s.add(AttachmentData(sha256=sha, data=pdf))
        letter_id = apply_command(s, actor, "letter.register", {"payload": {
            "kind": f"{procedure}.{kind}", "reference": reference, record_key: record_id, "sha256": sha,
            "issued_on": today.isoformat(), "replaces_id": replaces}})
    return IssuedLetter(letter_id, reference, sha, pdf, reissued=False, warning=court_warning(procedure, payload, settings))


@dataclass(frozen=True)
class LetterLine:
    letter_id: str
    reference: str
    title: str
    issued_on: date
    sha256: str
    status: str  # « en vigueur », « remplacé par … », « remplace … »
    notification: str = ""  # « notifié le 20 mars 2025 (LRAR) », « à saisir », or "" (not a decision)
    decision: bool = False  # a decision letter: its notification date is recorded


def letters_of(store: LocalStore, procedure: str, record_id: str) -> list[LetterLine]:
    """The register of one record, oldest first, with what replaced what."""
    from aude_desktop.letters.notification import decision_kinds, notifications
    from aude_desktop.letters.templates import templates

    column = Letter.dossier_id if procedure == "aude" else Letter.convention_id
    with store.session() as s:
        letters = list(s.scalars(select(Letter).where(column == record_id).order_by(Letter.issued_at, Letter.reference)))
        record = _record_payload(s, procedure, record_id)
    notified = notifications(record or {}, "dossier" if procedure == "aude" else "convention")
    decisions = decision_kinds()
    by_id = {letter.id: letter for letter in letters}
    replaced_by = {letter.replaces_id: letter.reference for letter in letters if letter.replaces_id}
    out = []
    for letter in letters:
        proc, _, kind = letter.kind.partition(".")
        title = templates(proc)[kind].title if kind in templates(proc) else letter.kind
        if letter.id in replaced_by:
            status = f"remplacé par {replaced_by[letter.id]}"
        elif letter.replaces_id in by_id:
            status = f"en vigueur (remplace {by_id[letter.replaces_id].reference})"
        else:
            status = "en vigueur"
        decision = letter.kind in decisions
        notice = ""
        if decision:
            n = notified.get(letter.id)
            notice = f"notifié le {format_date_fr(n.on)} ({NOTIFICATION_MODES.get(n.mode, n.mode)})" if n else TO_NOTIFY
        out.append(LetterLine(letter.id, letter.reference, title, letter.issued_at.date(), letter.sha256, status, notice, decision))
    return out


NOTIFICATION_MODES = {"lrar": "LRAR", "electronique": "électronique"}


def _record_payload(s, procedure: str, record_id: str) -> dict | None:
    return (dump_dossier if procedure == "aude" else dump_convention)(s, record_id)


def notify(store: LocalStore, actor: Actor, letter_id: str, notified_on: date, mode: str) -> str:
    """Record the notification date of a registered decision letter (a command on its record, synced)."""
    from aude_desktop.letters.notification import uuid_arg

    letter_id = uuid_arg(letter_id, "Courrier")
    with store.session() as s:
        letter = s.get(Letter, letter_id)
        if letter is None:
            raise CommandRejected("courrier_introuvable", "Courrier introuvable sur ce poste : synchronisez, puis réessayez.")
        name, record_id = (("dossier.notify_letter", letter.dossier_id) if letter.dossier_id
                           else ("convention.notify_letter", letter.convention_id))
        return apply_command(s, actor, name, {"id": record_id, "letter_id": letter_id,
                                              "notified_on": notified_on.isoformat(), "mode": mode})
