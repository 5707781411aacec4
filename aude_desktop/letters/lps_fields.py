"""The values the LPS letters name (resources/letters/lps.json), from a declaration's payload, added to the
dossier letters' values: the Member State of establishment, the service planned, and the dates of the
declaration's clock (rules/lps.py) — never a date the clock does not give."""

from __future__ import annotations

from datetime import date

from aude_desktop.rules.calendar import calendar_for_region, format_date_fr
from aude_desktop.rules.countries import in_country
from aude_desktop.rules.deadlines import ClockInputError, compute, default_rules
from aude_desktop.rules.lps import for_profession, pending_step

NBSP = "\u00a0"
PIECE_STATUS = {"manquant": "", "non_conforme": " (pièce non conforme)",
                "traduction_requise": " (traduction par un traducteur agréé requise)"}


def _d(value: str | None) -> str:
    return format_date_fr(date.fromisoformat(value)).replace(" ", NBSP) if value else ""


def period(service: dict) -> str:
    if not service.get("start"):
        return ""
    if service.get("end"):
        return f"du {_d(service['start'])} au {_d(service['end'])}"
    return f"à compter du {_d(service['start'])}"


def _missing(p: dict) -> list[str]:
    """The pièces still awaited: those of the checklist not received, then the pending request's lines."""
    out = [f"{x.get('code')}) {x.get('label')}{PIECE_STATUS[x.get('status')]}" for x in p.get("pieces") or []
           if x.get("status") in PIECE_STATUS]
    if p.get("state") != "lps_incomplete":
        return out
    requested: list[str] = []
    for e in sorted(p.get("clock_events") or [], key=lambda e: e["on"]):
        if e["kind"] == "pieces_received":
            requested = []
        elif e["kind"] == "pieces_requested" and e.get("note"):
            requested += [line.strip() for line in e["note"].splitlines() if line.strip() and line.strip() not in requested]
    return out + requested


def lps_fields(p: dict, values: dict, lists: dict) -> tuple[dict, dict]:
    lps = p.get("lps") or {}
    service = lps.get("service") or {}
    epreuve = lps.get("epreuve") or {}
    outcome = lps.get("outcome") or {}
    rules = default_rules()
    names = for_profession(p["profession"]).delays
    cal = calendar_for_region(p["region"])
    try:
        step, _history, _suspended = pending_step(p.get("clock_events") or [], p["profession"], p["region"])
    except ClockInputError:
        step = None
    renewed = [r["on"] for r in lps.get("renewals") or []]
    anchor = date.fromisoformat(renewed[-1] if renewed else p["received_on"])
    missing = _missing(p)
    values = {**values,
              "in_establishment": in_country(lps.get("establishment_state")),
              "service_period": period(service),
              "service_place": service.get("place") or "",
              "inform_date": _d(step.due.isoformat()) if step is not None and step.kind == "inform" else "",
              "epreuve_by": _d(step.due.isoformat()) if step is not None and step.kind == "epreuve" else "",
              "renewal_date": _d(compute(rules, names["renewal"], anchor, cal).due.isoformat()),
              "outcome_date": _d(outcome.get("on")),
              "epreuve_date": _d(epreuve.get("on")),
              "epreuve_decision_date": _d(epreuve.get("decided_on")),
              "lps_article": for_profession(p["profession"]).article,
              "motifs": epreuve.get("motifs") or ""}
    kind = outcome.get("kind")
    conditions = {**lists.get("__conditions__", {}), "missing": bool(missing), "complete": not missing,
                  "lps_no_check": kind == "sans_verification", "lps_checked": kind == "qualifications_conformes",
                  "lps_test": kind == "epreuve_reussie", "lps_silence": kind == "silence"}
    return values, {**lists, "missing": missing, "subjects": list(epreuve.get("subjects") or []), "__conditions__": conditions}
