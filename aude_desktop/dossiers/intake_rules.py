"""The rules of a new dossier's intake that the commands themselves check: the received date, the
provisional and definitive references, and the refusal naming the field to correct.

Apart from `dossiers/intake.py` (which registers a dossier by running commands) so that the command
modules and the letters can use them without importing the module that runs commands.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from functools import cache

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.paths import resources_dir

PROVISIONAL_PREFIX = "PROV-"
DEFINITIVE = re.compile(r"^AUDE-(\d{4})-([A-Z]{3})-(\d{6})$")

# The keys of the form (and of the CLI's JSON file), with their French labels.
LABELS = {
    "civility": "Civilité", "last_name": "Nom de naissance", "usage_name": "Nom d'usage", "first_names": "Prénoms",
    "birth_date": "Date de naissance", "birth_place": "Lieu de naissance", "birth_country": "Pays de naissance",
    "nationality": "Nationalité", "address": "Adresse", "postal_code": "Code postal", "city": "Ville",
    "country": "Pays de résidence", "email": "Courriel", "phone": "Téléphone", "profession": "Profession",
    "specialty": "Spécialité", "acces_partiel": "Accès partiel", "situation": "Situation du demandeur",
    "diploma_title": "Intitulé du diplôme", "diploma_country": "Pays de délivrance du diplôme",
    "diploma_obtained_on": "Date d'obtention du diplôme", "diploma_issuing_body": "Organisme de délivrance",
    "received_on": "Date de réception", "region": "Région compétente", "region_reason": "Motif du choix de région",
    "duplicate_reason": "Motif de poursuite malgré un doublon", "pieces_received": "Pièces reçues",
    "route": "Procédure",
}
# The keys of a libre prestation de services declaration (route « lps »: dossiers/lps_intake.py).
LPS_LABELS = {
    "establishment_state": "État membre d'établissement", "service_start": "Début de la prestation",
    "service_end": "Fin de la prestation", "service_place": "Lieu de la prestation",
    "service_postal_code": "Code postal du lieu de la prestation",
    "service_nature": "Nature de la prestation", "insurance": "Assurance professionnelle",
}
LABELS.update(LPS_LABELS)


class IntakeRefused(CommandRejected):
    """A refusal that names the field to correct (`field`, a key of LABELS) so the window can focus it."""

    def __init__(self, field: str, message: str, code: str = "champ_invalide"):
        super().__init__(code, f"{LABELS.get(field, field)} : {message}")
        self.field = field


@cache
def rules() -> dict:
    return json.loads((resources_dir() / "rules" / "intake.json").read_text(encoding="utf-8"))


def procedure_since() -> date:
    return date.fromisoformat(rules()["procedure_since"])


def check_received_on(day: date, today: date) -> None:
    """One rule for the window, the CLI, the client command and the server (same function)."""
    if day > today:
        raise IntakeRefused("received_on", "la date ne peut pas être dans le futur.", "date_future")
    if day < procedure_since():
        raise IntakeRefused("received_on", f"la procédure n'existe que depuis le {procedure_since():%d/%m/%Y} : "
                                           "vérifiez l'année saisie.", "date_anterieure")


# -- references -----------------------------------------------------------------------------------


def provisional_reference(dossier_id: str) -> str:
    """Unique on this machine (taken from the record's UUID) and never mistaken for a definitive one."""
    return PROVISIONAL_PREFIX + uuid.UUID(dossier_id).hex[:12].upper()


def is_provisional(reference: str | None) -> bool:
    return bool(reference) and reference.startswith(PROVISIONAL_PREFIX)


def reference_label(reference: str) -> str:
    return f"{reference} (provisoire)" if is_provisional(reference) else reference
