"""The form of each workflow step: which fields the agent fills, in French, and how they become
command arguments (Qt-free; the dialog only draws these fields and shows the refusals).

Conversion errors are refused with a French message naming the field; the workflow then checks the
meaning (dates in order, marks within 0–20, motifs required…), on this machine and on the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from aude_desktop.dossiers.detail import AVIS_LABELS, DECISION_LABELS
from aude_desktop.paths import resources_dir
from aude_desktop.rules.reference import regions
from aude_desktop.sync.commands import CommandRejected

MEASURE_LABELS = {
    "epreuve": "Épreuve d’aptitude",
    "stage": "Stage d’adaptation",
    "au_choix": "Au choix du demandeur (2 mois pour choisir)",
    "epreuve_et_stage": "Épreuve et stage",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # date, text, multiline, lines, choice, marks, int, bool, session
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    help: str = ""
    templates: str = ""  # key of resources/rules/motifs.json offered as ready-made motifs


@dataclass(frozen=True)
class Form:
    command: str
    title: str
    button: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


def _choices(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(labels.items())


ON = Field("on", "Date", "date")
FORMS: dict[str, Form] = {f.command: f for f in (
    Form("dossier.acknowledge", "Accusé de réception", "Enregistrer l’accusé de réception", (
        Field("on", "Date de l’accusé", "date"),
        Field("missing", "Pièces manquantes (une par ligne)", "lines", required=False,
              help="Laissez vide si le dossier est complet : le délai de 4 mois part de cette date."),
    )),
    Form("dossier.request_pieces", "Demande de pièces complémentaires", "Enregistrer la demande", (
        Field("on", "Date de la demande", "date"),
        Field("reason", "Pièces demandées et motif", "multiline", help="La demande suspend le délai de décision."),
    )),
    Form("dossier.receive_pieces", "Réception des pièces", "Dossier complet", (
        Field("on", "Date de réception de la dernière pièce", "date", help="Le délai de 4 mois repart de cette date."),
    )),
    Form("dossier.schedule_commission", "Inscription en commission", "Inscrire", (
        Field("session_id", "Séance", "session"),
    )),
    Form("dossier.record_avis", "Avis de la commission", "Enregistrer l’avis", (
        Field("kind", "Avis", "choice", _choices(AVIS_LABELS)),
        Field("on", "Date de l’avis", "date"),
        Field("motifs", "Motifs", "multiline", required=False),
    )),
    Form("dossier.propose_decision", "Proposition de décision (ASS)", "Enregistrer la proposition", (
        Field("kind", "Proposition", "choice", _choices(DECISION_LABELS)),
        Field("on", "Date de la proposition", "date"),
        Field("motifs", "Motifs", "multiline", required=False),
    )),
    Form("dossier.decide", "Décision", "Enregistrer la décision", (
        Field("kind", "Décision", "choice", _choices(DECISION_LABELS)),
        Field("on", "Date de la décision", "date"),
        Field("motifs", "Motifs de droit et de fait", "multiline", required=False, templates="by_kind",
              help="Obligatoires pour un refus, une irrecevabilité ou des mesures (CRPA L.211-2)."),
        Field("measure_kind", "Mesure de compensation", "choice", _choices(MEASURE_LABELS), required=False),
        Field("subjects", "Matières (une par ligne)", "lines", required=False),
        Field("required_level", "Niveau requis (1 à 5)", "int", required=False),
        Field("held_level", "Niveau détenu (1 à 5)", "int", required=False),
        Field("stage_months", "Durée du stage (mois)", "int", required=False),
        Field("differences", "Différences substantielles", "multiline", required=False),
        Field("activities", "Accès partiel : activités autorisées (une par ligne)", "lines", required=False),
        Field("title", "Accès partiel : titre professionnel à utiliser", "text", required=False),
    )),
    Form("dossier.choose_measure", "Choix du demandeur", "Enregistrer le choix", (
        Field("choice", "Mesure choisie", "choice", (("epreuve", "Épreuve d’aptitude"), ("stage", "Stage d’adaptation"))),
        Field("on", "Date du choix", "date"),
    )),
    Form("dossier.record_epreuve", "Résultat de l’épreuve d’aptitude", "Enregistrer les notes", (
        Field("marks", "Notes sur 20 (séparées par « ; »)", "marks", help="Ex. : 12,5 ; 9 ; 14"),
        Field("on", "Date de l’épreuve", "date"),
    )),
    Form("dossier.record_stage", "Fin du stage d’adaptation", "Enregistrer", (
        Field("on", "Date de fin du stage", "date"),
        Field("validated", "Stage validé", "bool", required=False),
    )),
    Form("dossier.close", "Clôture du dossier", "Clore le dossier", (Field("on", "Date de clôture", "date"),)),
    Form("dossier.move_region", "Transfert à une autre région", "Transférer le dossier", (
        Field("region", "Région compétente", "choice", tuple((code, r.label) for code, r in regions().items())),
        Field("reason", "Motif du transfert", "multiline",
              help="Le dossier, ses pièces et ses courriers quittent votre région à la prochaine synchronisation."),
    )),
)}
BODY_CHOICES = (("commission", "Commission d’autorisation d’exercice"), ("ordre", "Conseil national de l’ordre"))
FORMS.update({f.command: f for f in (  # the other routes (issue 20): automatic recognition, accès partiel
    Form("dossier.close_out_of_scope", "Hors champ — reconnaissance automatique", "Clore hors champ", (
        Field("on", "Date de clôture", "date", help="Le dossier est clos sans décision : le demandeur s’inscrit auprès de l’ordre."),
        Field("acquired_rights_checked", "Attestation de droits acquis vérifiée", "bool", required=False),
        Field("note", "Observation", "multiline", required=False),
    )),
    Form("dossier.request_avis_partiel", "Demande d’avis (accès partiel)", "Enregistrer la demande", (
        Field("body", "Organe consulté", "choice", BODY_CHOICES),
        Field("on", "Date de la demande", "date"),
    )),
    Form("dossier.record_avis_partiel", "Avis (accès partiel)", "Enregistrer l’avis", (
        Field("body", "Organe", "choice", BODY_CHOICES),
        Field("opinion", "Avis", "choice", (("favorable", "Favorable"), ("defavorable", "Défavorable"))),
        Field("on", "Date de l’avis", "date"),
        Field("note", "Observations", "multiline", required=False),
    )),
)})
ACTION_LABELS = {name: form.title for name, form in FORMS.items()}


@cache
def motif_templates() -> dict[str, list[str]]:
    raw = json.loads((resources_dir() / "rules" / "motifs.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if isinstance(v, list)}


def to_args(form: Form, values: dict) -> dict:
    """Typed command arguments from what the agent entered; a French refusal names the field."""
    args: dict = {}
    for f in form.fields:
        value = values.get(f.key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []) and f.kind != "bool":
            if f.required:
                raise CommandRejected("champ_requis", f"« {f.label} » est obligatoire.")
            continue
        args[f.key] = _convert(f, value)
    return args


def _convert(f: Field, value):
    if f.kind == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise CommandRejected("date_invalide", f"« {f.label} » : date invalide.") from None
    if f.kind == "lines":
        items = value if isinstance(value, list) else str(value).splitlines()
        return [line.strip() for line in items if line.strip()]
    if f.kind == "marks":
        return [_decimal(part, f.label) for part in str(value).replace("\n", ";").split(";") if part.strip()]
    if f.kind == "int":
        try:
            return int(str(value))
        except ValueError:
            raise CommandRejected("nombre_invalide", f"« {f.label} » : nombre entier attendu.") from None
    if f.kind == "bool":
        return bool(value)
    return value


def _decimal(text: str, label: str) -> str:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise CommandRejected("note_invalide", f"« {label} » : « {text.strip()} » n’est pas une note.") from None
    return str(number)
