"""Registering a libre prestation de services declaration from what the agent typed (the Nouveau dossier
window with « Déclaration préalable (LPS) », or `aude-cli dossiers create` with `"route": "lps"`): the
same identity, region and duplicate checks as an autorisation request, then the service planned."""

from __future__ import annotations

import uuid
from datetime import date

from aude_desktop.dossiers import intake
from aude_desktop.dossiers.intake import _date, _text
from aude_desktop.dossiers.intake_rules import IntakeRefused
from aude_desktop.dossiers.lps import ROUTE, checklist_items
from aude_desktop.rules.reference import professions

REQUIRED = ("civility", "last_name", "first_names", "birth_date", "nationality", "profession", "diploma_title",
            "diploma_country", "received_on", "region", "establishment_state", "service_start", "service_place")
NOT_FOR_LPS = ("situation",)  # the provider is established in a Member State: no situation 1/2/3 to choose


def build_declaration(values: dict, today: date, *, dossier_id: str | None = None, duplicates=(),
                      agent_region: str | None = None) -> tuple[str, dict, list[str]]:
    """(id, `lps.declare` payload, pièce codes received); IntakeRefused names the field."""
    if values.get("route") != ROUTE:
        raise IntakeRefused("route", f"procédure inconnue « {values.get('route')} » (autorisation ou lps).", "route_invalide")
    for key in NOT_FOR_LPS:
        if values.get(key) not in (None, ""):
            raise IntakeRefused(key, "sans objet pour une déclaration de libre prestation de services.", "champ_inconnu")
    for key in REQUIRED:
        if values.get(key) in (None, "") or (isinstance(values.get(key), str) and not values[key].strip()):
            raise IntakeRefused(key, "champ obligatoire.", "champ_requis")
    applicant, _birth = intake.applicant_fields(values, today)
    profession = _text(values, "profession", 60)
    if profession not in professions():
        raise IntakeRefused("profession", f"profession non couverte : « {profession} ».", "profession_inconnue")
    received = _date(values, "received_on")
    intake.check_received_on(received, today)
    start, end = _date(values, "service_start"), _date(values, "service_end")
    if end and end < start:
        raise IntakeRefused("service_end", "la fin de la prestation précède son début.", "date_incoherente")
    acces_partiel = values.get("acces_partiel") in (True, "oui", "true", 1)
    region, region_reason, duplicate_reason = intake.region_and_reasons(
        values, profession, acces_partiel, agent_region, list(duplicates), values.get("service_postal_code") or "-")
    received_codes = _pieces(values.get("pieces_received"))
    dossier_id = dossier_id or str(uuid.uuid4())
    payload = {
        "route": ROUTE,
        "reference": intake.provisional_reference(dossier_id),
        "profession": profession,
        "specialty": _text(values, "specialty", 120),
        "region": region,
        "acces_partiel": acces_partiel,
        "received_on": received.isoformat(),
        "applicant": applicant,
        "diploma": {"title": _text(values, "diploma_title", 300), "country": _text(values, "diploma_country", 100),
                    "issuing_body": _text(values, "diploma_issuing_body", 300)},
        "intake": {"channel": "papier", "region_reason": region_reason, "duplicate_reason": duplicate_reason},
        "lps": {
            "establishment_state": _text(values, "establishment_state", 100),
            "service": {"start": start.isoformat(), "end": end.isoformat() if end else None,
                        "place": _text(values, "service_place", 300), "nature": _text(values, "service_nature", 300)},
            "insurance": _text(values, "insurance", 300),
        },
    }
    return dossier_id, payload, received_codes


def _pieces(value) -> list[str]:
    if value in (None, ""):
        return []
    allowed = [item["code"] for item in checklist_items()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IntakeRefused("pieces_received", "liste de codes de pièces attendue (ex. [\"a\", \"b\"]).", "type_invalide")
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise IntakeRefused("pieces_received", f"pièce(s) {', '.join(wrong)} non prévue(s) pour une déclaration LPS "
                                               f"(possibles : {', '.join(allowed)}).", "piece_inconnue")
    return sorted(set(value))
