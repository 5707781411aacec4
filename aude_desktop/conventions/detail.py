"""Everything the convention view shows, read from the local store in one go (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aude_desktop.conventions import workflow
from aude_desktop.conventions.models import Convention
from aude_desktop.conventions.rulesets import convention_rules_date, local_in_force
from aude_desktop.conventions.states import REGIME_LABELS, STATE_LABELS, ConventionState
from aude_desktop.conventions.thresholds import (
    INDETERMINE,
    Classification,
    ConventionInputError,
    classify,
    euros,
    line_checks,
)
from aude_desktop.conventions.typology import CATEGORIES, DON_PURPOSES, NATURES, OBJECTS
from aude_desktop.frtext import rich_text
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.deadlines import Clock, ClockInputError
from aude_desktop.rules.reference import authorities
from aude_desktop.sync.materialize import dump_convention

EVENT_LABELS = {
    "receipt": "Réception", "registered": "Enregistrement", "recommandations": "Recommandations",
    "acknowledged": "Accusé de réception", "incomplete": "Avis d’incomplétude", "pieces_received": "Éléments reçus",
    "decision": "Décision", "urgency_refused": "Urgence non justifiée", "modified_received": "Convention modifiée reçue",
    "tacit_authorisation": "Autorisation tacite", "regime_set": "Régime fixé par l’instructeur", "closed": "Clôture",
}


@dataclass
class ConventionDetail:
    id: str
    reference: str
    payload: dict
    title: str
    summary: str
    regime: str
    regime_lines: list[str]
    computed_regime: str
    beneficiaries: list[tuple[str, str, str, str]]  # name, category, quality, identifier
    avantages: list[tuple[str, str, str, str, str, str]]  # beneficiary, nature, amount, quantity, date, line check
    milestones: list[tuple[str, str, str]]
    clock: Clock | None
    clock_error: str
    recommandations: list[tuple[str, str]]
    decision: str
    attachments: list[tuple[str, str, str, str, bool]]  # label, file name, size, sha256, on this machine
    actions: list[str] = field(default_factory=list)
    read_only: bool = False
    transparence: str = ""  # « déclarée sur Transparence Santé », « absente de … » once the server has compared


def _label(mapping: dict, key: str | None) -> str:
    return mapping.get(key, key or "—")  # StrEnum keys match their plain string values


def _iso(value: str | None) -> str:
    return format_date_fr(date.fromisoformat(value)) if value else "—"


def load(session: Session, convention_id: str, today: date) -> ConventionDetail | None:
    if session.get(Convention, convention_id) is None:
        return None
    p = workflow.with_receipt(dump_convention(session, convention_id))
    names = {b["id"]: (f"{(b.get('last_name') or '').upper()} {b.get('first_name') or ''}".strip() or b.get("name") or b["id"])
             for b in p.get("beneficiaries") or []}
    # The thresholds in force when the convention was filed: those the stored regime was computed with.
    rules = local_in_force(session, convention_rules_date(p) or today)
    try:
        result, checks = classify(p, rules), line_checks(p, rules)
    except ConventionInputError as exc:  # data the server should have refused: say so, show the rest
        result, checks = Classification(INDETERMINE, [f"Classement impossible : {exc}"]), {}
    try:
        clock, clock_error = workflow.clock(p, today), ""
    except (ClockInputError, KeyError, ValueError) as exc:
        clock, clock_error = None, str(exc)
    authority = authorities().get(p.get("authority"))
    regime = _label(REGIME_LABELS, p.get("regime"))
    state = _label(STATE_LABELS, p.get("state"))
    company = p.get("company") or {}
    decision = p.get("decision")
    quantities = (("hours", "h"), ("half_days", "demi-journée(s)"), ("nights", "nuit(s)"), ("meals", "repas"), ("collations", "collation(s)"))
    return ConventionDetail(
        id=convention_id,
        reference=p.get("reference") or "",
        payload=p,
        title=f"{p.get('reference')} — {company.get('name') or 'entreprise inconnue'}",
        # Rich text for the view: every value that came with the record is escaped.
        summary=(f"<b>{rich_text(state)}</b> · {rich_text(regime)}{' · <b>urgente</b>' if p.get('urgent') else ''} · "
                 f"{rich_text(authority.label if authority else str(p.get('authority')))} · déposée le {_iso(p.get('filed_on'))} · "
                 f"octroi le {_iso(p.get('octroi_on'))}<br>Objet : {rich_text(str(OBJECTS.get(p.get('object'), p.get('object'))))} · "
                 f"SIRET {rich_text(str(company.get('siret') or '—'))}" + (" · <b>import CNOM, lecture seule</b>" if p.get("read_only") else "")
                 + _routing(p.get("routing"))),
        regime=p.get("regime") or "",
        regime_lines=result.lines,
        computed_regime=_label(REGIME_LABELS, result.regime),
        beneficiaries=[(names[b["id"]], CATEGORIES.get(b.get("category"), b.get("category") or "—"), b.get("quality") or "—",
                        b.get("rpps") and f"RPPS {b['rpps']}" or b.get("order_number") and f"Ordre {b['order_number']}"
                        or b.get("ine") and f"INE {b['ine']}" or "—")
                       for b in p.get("beneficiaries") or []],
        avantages=[(names.get(a.get("beneficiary_id"), "—"),
                    NATURES.get(a.get("nature"), a.get("nature")) + (f" ({DON_PURPOSES[a['purpose']].lower()})" if a.get("purpose") in DON_PURPOSES else ""),
                    euros(_dec(a.get("amount"))), ", ".join(f"{a[k]} {u}" for k, u in quantities if a.get(k)) or "—",
                    _iso(a.get("date")), checks.get(a.get("id"), ""))
                   for a in p.get("avantages") or []],
        milestones=[(_iso(e["on"]), EVENT_LABELS.get(e["kind"], e["kind"]), e.get("note") or "") for e in p.get("events") or []],
        clock=clock,
        clock_error=clock_error,
        recommandations=[(_iso(r.get("on")), r.get("text") or "") for r in p.get("recommandations") or []],
        decision=(f"{'Autorisation' if decision['kind'] == 'autorisation' else 'Refus'} du {_iso(decision.get('decided_on'))}"
                  + (f"\nMotifs : {decision['motifs']}" if decision.get("motifs") else "")) if decision else "Aucune décision.",
        attachments=_attachments(session, p.get("attachments") or []),
        actions=workflow.available(p) if p.get("state") in ConventionState._value2member_map_ else [],
        read_only=bool(p.get("read_only")),
        transparence=_transparence(session, convention_id),
    )


def _transparence(session: Session, convention_id: str) -> str:
    from aude_desktop.conventions.models import TransparenceStatus

    status = session.get(TransparenceStatus, convention_id)
    if status is None:
        return "Pas encore comparée avec Transparence Santé (ou non attendue : convention en cours d'instruction ou refusée)."
    shown = ", ".join(status.lines[:5]) + (" …" if len(status.lines) > 5 else "")
    return status.label[:1].upper() + status.label[1:] + (f" (lignes publiées : {shown})" if shown else "") + "."


def _attachments(session: Session, listed: list[dict]) -> list[tuple[str, str, str, str, bool]]:
    from aude_desktop.store.models import AttachmentData

    held = {sha for sha in session.scalars(
        select(AttachmentData.sha256).where(AttachmentData.sha256.in_([a.get("sha256") for a in listed])))}
    return [(a.get("label") or a.get("filename") or "—", a.get("filename") or "", _size(a.get("size")), a.get("sha256") or "",
             a.get("sha256") in held) for a in listed]


def _size(value) -> str:
    size = int(value or 0)
    return f"{size / 1024:.0f} Kio".replace(".", ",") if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} Mio".replace(".", ",")


def _routing(routing: list[str] | None) -> str:
    """eps.md §2: beneficiaries of several authorities — each instructs for its own (inference, uncertain)."""
    if not routing:
        return ""
    names = rich_text(", ".join(authorities()[a].label if a in authorities() else str(a) for a in routing))
    return f"<br><b>Plusieurs autorités compétentes</b> : {names} — chacune instruit pour ses propres bénéficiaires."


def _dec(value):
    from decimal import Decimal

    return Decimal(str(value)) if value not in (None, "") else Decimal(0)

