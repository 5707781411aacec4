"""Letter values of the other routes of an AUDE request: the information letter of a request out of
scope (automatic recognition) and the two letters of an accès partiel (the request for an opinion,
addressed to the body consulted, and the decision naming the activities and the title)."""

from __future__ import annotations

from datetime import date

from aude_desktop.dossiers import partial_access, screening
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.reference import authorities, regions

NBSP = "\u00a0"
KINDS = {"information_hors_champ": ("hors_champ",), "demande_avis_partiel": ("complet", "en_commission"),
         "decision_acces_partiel": ("autorise", "clos")}


def _d(value: str | None) -> str:
    return format_date_fr(date.fromisoformat(value)).replace(" ", NBSP) if value else ""


def pending_request(p: dict) -> dict | None:
    """The latest request for an opinion not answered yet: the body the request letter goes to."""
    waiting = [e for e in partial_access.entries(p) if e.get("requested_on") and not e.get("given_on")]
    return max(waiting, key=lambda e: e["requested_on"]) if waiting else None


def fits(kind: str, p: dict) -> bool:
    """Beyond the state: whether this record took the route the letter belongs to."""
    decision = p.get("decision") or {}
    if kind == "information_hors_champ":
        return bool(p.get("out_of_scope"))
    if kind == "demande_avis_partiel":
        return pending_request(p) is not None
    if kind == "decision_acces_partiel":
        return decision.get("kind") == "acces_partiel"
    return True


def not_applicable(kind: str, p: dict) -> bool:
    """An existing letter that a route replaces: an accès partiel is never notified as a full autorisation."""
    return kind == "decision_autorisation" and (p.get("decision") or {}).get("kind") == "acces_partiel"


def fields(p: dict) -> tuple[dict, dict, dict]:
    """(values, lists, conditions) of these letters; empty where the record took no such route."""
    values: dict = {}
    lists: dict = {"activities": [], "avis_visas": []}
    conditions = {"acquired_rights": False, "avis_due": False}
    out = p.get("out_of_scope") or {}
    if out:
        spec = screening.table()["professions"].get(p.get("profession"), {})
        order = authorities().get(out.get("order") or spec.get("order"))
        name = order.label if order else "Le conseil national de l'ordre"
        values.update(reference_date=_d(out.get("reference_date")), order_law=spec.get("order_registration", ""),
                      order_name_cap=name[:1].upper() + name[1:] if not name.startswith("Conseil") else "Le " + name[:1].lower() + name[1:],
                      closed_on=_d(out.get("on") or p.get("closed_on")))
        conditions["acquired_rights"] = out.get("basis") == "droits_acquis"
    if partial_access.concerns(p) and p.get("profession"):
        bodies = partial_access.bodies_for(p["profession"])
        request = pending_request(p)
        body = (request or {}).get("body") or bodies.bodies[0]
        due = {d.body: d.due for d in partial_access.avis_deadlines(p)}.get(body)
        values.update(avis_law=partial_access.rules()["bodies"][body]["law"], of_avis_body=bodies.of(body),
                      of_all_bodies=_all_bodies(bodies),
                      avis_due=format_date_fr(due).replace(" ", NBSP) if due else "", partial_law=partial_access.rules()["law"])
        conditions["avis_due"] = due is not None
        lists["avis_visas"] = [f"Vu l'avis {partial_access.OPINIONS.get(e.get('opinion'), '')} {bodies.of(e['body'])} rendu le "
                               f"{_d(e['given_on'])} ;"
                               for e in partial_access.entries(p) if e.get("given_on")]
    decision = p.get("decision") or {}
    if decision.get("kind") == "acces_partiel":
        lists["activities"] = list(decision.get("activities") or [])
        values["partial_title"] = decision.get("title") or ""
    return values, lists, conditions


def _all_bodies(bodies: partial_access.Bodies) -> str:
    """« de la commission d'autorisation d'exercice et du Conseil national de l'ordre des infirmiers »."""
    return " et ".join(bodies.of(b) for b in bodies.bodies)


def addressee(p: dict) -> tuple[str, ...]:
    """The request for an opinion goes to the body consulted, not to the applicant."""
    request = pending_request(p) or {}
    bodies = partial_access.bodies_for(p["profession"])
    region = regions()[p["region"]]
    if request.get("body") == "ordre" and bodies.order in authorities():
        order = authorities()[bodies.order]
        return (order.label, order.seat)
    return ("Secrétariat de la commission d'autorisation d'exercice", f"DREETS {region.label}", region.dreets_seat)
