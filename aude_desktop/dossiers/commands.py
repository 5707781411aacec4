"""Commands on AUDE records: create/update a dossier, assign it, its pièces, and every workflow step.

The workflow transitions of dossiers/workflow.py are registered here as commands, so the client
and the server run exactly the same guarded state machine.
"""

from __future__ import annotations

import copy
from datetime import date

from aude_desktop.domain.commands import Actor, CommandRejected, command
from aude_desktop.domain.fields import date_field, object_fields, text_field
from aude_desktop.dossiers import workflow
from aude_desktop.dossiers.states import LPS_MOVABLE, MOVABLE_STATES, DossierState, Situation
from aude_desktop.rules.pieces import piece_codes, unknown_code
from aude_desktop.rules.reference import acces_partiel_region, professions, regions

APPLICANT_FIELDS = (
    "last_name", "first_names", "usage_name", "birth_date", "birth_place", "birth_country", "nationality", "sex",
    "email", "phone", "address", "postal_code", "city", "country",
)
DIPLOMA_FIELDS = ("title", "country", "obtained_on", "issuing_body", "recognised_on")
INTAKE_FIELDS = ("channel", "region_reason", "duplicate_reason", "ds_number")
EXPERIENCE_FIELDS = ("nature", "place", "country", "start", "end")
UPDATABLE = ("applicant", "diploma", "experiences", "specialty", "situation")
PIECE_STATUSES = ("recu", "manquant", "non_conforme", "traduction_requise")


def check_competent_region(profession_code: str, region_code: str, acces_partiel: bool) -> None:
    """aude.md §2: centralised professions and accès partiel are filed in one region."""
    profession = professions().get(profession_code)
    if profession is None:
        raise CommandRejected("profession_inconnue", f"Profession non couverte par la procédure : « {profession_code} ».")
    if region_code not in regions():
        raise CommandRejected("region_inconnue", f"Région inconnue : « {region_code} ».")
    label = regions()[region_code].label
    if acces_partiel:
        expected = acces_partiel_region()
        if region_code != expected:
            raise CommandRejected(
                "region_incompetente",
                f"Les demandes d'accès partiel relèvent du préfet de la région {regions()[expected].label}, "
                f"pas de la région {label} : transmettez le dossier à la DRIEETS.",
            )
        return
    if profession.competent_region and region_code != profession.competent_region:
        expected = regions()[profession.competent_region].label
        raise CommandRejected(
            "region_incompetente",
            f"La profession « {profession.label} » est instruite pour toute la France par la DREETS "
            f"{expected}, pas par la région {label} : transmettez-lui le dossier.",
        )
    if profession.deass_exam_centres and region_code not in profession.deass_exam_centres:
        raise CommandRejected(
            "region_incompetente",
            f"La région {label} n'est pas centre d'examen du DEASS (paramétrage, à vérifier) : "
            "orientez le dossier vers une DREETS centre d'examen.",
        )


def _applicant(value) -> dict:
    applicant = object_fields(value, "Demandeur", APPLICANT_FIELDS, ("birth_date",), required=("last_name", "first_names"))
    if applicant["usage_name"] is None:
        # Absent rather than null: payloads written before the usage name existed read back the same.
        del applicant["usage_name"]
    return applicant


def _situation(value) -> str:
    try:
        return Situation(value).value
    except ValueError:
        raise CommandRejected("situation_invalide", f"Situation du demandeur inconnue : « {value} ».") from None


def _experiences(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > 100:
        raise CommandRejected("type_invalide", "Expériences : liste attendue (100 au plus).")
    return [object_fields(v, "Expérience", EXPERIENCE_FIELDS, ("start", "end")) for v in value]


def _require_region(actor: Actor, region: str) -> None:
    if actor.role == "agent_dreets" and actor.region != region:
        raise CommandRejected("hors_perimetre", "Ce dossier relève d'une autre région que la vôtre.")


def new_record(p: dict, actor: Actor, *, situation, state: str, diploma_label: str = "Diplôme", experiences=None) -> dict:
    """The payload of a new dossier, an autorisation request or an LPS declaration alike: the same checks
    (competent region, the caller's region, receipt date) and the same fields."""
    reference = text_field(p.get("reference"), "Référence", required=True, limit=40)
    profession = text_field(p.get("profession"), "Profession", required=True, limit=60)
    region = text_field(p.get("region"), "Région", required=True, limit=3)
    acces_partiel = bool(p.get("acces_partiel", False))
    check_competent_region(profession, region, acces_partiel)
    _require_region(actor, region)
    received_on = date_field(p.get("received_on"), "Date de réception", required=True)
    from aude_desktop.dossiers.intake_rules import check_received_on

    check_received_on(date.fromisoformat(received_on), date.today())
    created = {
        "reference": reference,
        "profession": profession,
        "specialty": text_field(p.get("specialty"), "Spécialité", limit=120),
        "region": region,
        "acces_partiel": acces_partiel,
        "situation": situation(p) if callable(situation) else situation,
        "state": state,
        "assigned_to": text_field(p.get("assigned_to"), "Agent", limit=80),
        "received_on": received_on,
        "acknowledged_on": None,
        "complete_on": None,
        "decision": None,
        "closed_on": None,
        "applicant": _applicant(p.get("applicant") or {}),
        "diploma": object_fields(p.get("diploma") or {}, diploma_label, DIPLOMA_FIELDS, ("obtained_on", "recognised_on"),
                                 required=("title", "country")),
        "experiences": experiences(p) if callable(experiences) else [],
        "clock_events": [{"on": received_on, "kind": "receipt", "note": None}],
    }
    if p.get("intake") is not None:  # how it arrived and the agent's reasons (Nouveau dossier window)
        created["intake"] = object_fields(p["intake"], "Enregistrement", INTAKE_FIELDS, ())
    return created


@command("dossier.create", "dossier", mode="create")
def create_dossier(_current, args: dict, actor: Actor) -> dict:
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "Le dossier à créer est absent (« payload »).")
    return new_record(p, actor, situation=lambda p: _situation(p.get("situation")), state=DossierState.RECU.value,
                      experiences=lambda p: _experiences(p.get("experiences") or []))


@command("dossier.update", "dossier")
def update_dossier(current: dict, args: dict, actor: Actor) -> dict:
    fields = args.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise CommandRejected("arguments_invalides", "Aucune modification transmise (« fields »).")
    forbidden = sorted(set(fields) - set(UPDATABLE))
    if forbidden:
        raise CommandRejected(
            "champ_non_modifiable",
            f"Champ(s) non modifiable(s) par cette commande : {', '.join(forbidden)}. "
            "L'état et les dates changent par les étapes de l'instruction.",
        )
    _require_region(actor, current["region"])
    p = copy.deepcopy(current)
    if "applicant" in fields:
        merged = {**p.get("applicant", {}), **(fields["applicant"] or {})}
        p["applicant"] = _applicant(merged)
    if "diploma" in fields:
        merged = {**(p.get("diploma") or {}), **(fields["diploma"] or {})}
        p["diploma"] = object_fields(merged, "Diplôme", DIPLOMA_FIELDS, ("obtained_on", "recognised_on"), required=("title", "country"))
    if "experiences" in fields:
        p["experiences"] = _experiences(fields["experiences"])
    if "specialty" in fields:
        p["specialty"] = text_field(fields["specialty"], "Spécialité", limit=120)
    if "situation" in fields:
        p["situation"] = _situation(fields["situation"])
    return p


@command("dossier.assign", "dossier")
def assign(current: dict, args: dict, actor: Actor) -> dict:
    _require_region(actor, current["region"])
    p = copy.deepcopy(current)
    p["assigned_to"] = text_field(args.get("assigned_to"), "Agent", limit=80)
    return p


@command("dossier.move_region", "dossier")
def move_region(current: dict, args: dict, actor: Actor) -> dict:
    """The competent region was wrong: the dossier goes, with its pièces and letters, to the region
    that must instruct it (an agent of its current region decides, with a reason). The server then
    removes it from the old region's copies (a tombstone in their change feed)."""
    _require_region(actor, current["region"])
    target = text_field(args.get("region"), "Région de destination", required=True, limit=3)
    reason = text_field(args.get("reason"), "Motif du transfert", required=True, limit=2000)
    if target == current["region"]:
        raise CommandRejected("region_identique", "Le dossier relève déjà de cette région.")
    if current.get("state") not in MOVABLE_STATES + LPS_MOVABLE:
        raise CommandRejected(
            "transfert_impossible",
            "Seul un dossier reçu, incomplet ou complet (ni inscrit en commission ni décidé) peut changer de région.",
        )
    check_competent_region(current["profession"], target, bool(current.get("acces_partiel")))
    p = copy.deepcopy(current)
    p["region"] = target
    p["assigned_to"] = None  # the new region's service assigns it
    transfer = {"from": current["region"], "to": target, "on": date.today().isoformat(), "by": actor.login, "reason": reason}
    p["transfers"] = [*(current.get("transfers") or []), transfer]
    return p


def _register_transition(name: str) -> None:
    def run(current: dict, args: dict, actor: Actor) -> dict:
        _require_region(actor, current["region"])
        if current.get("route", "autorisation") != "autorisation":  # an LPS declaration has its own steps (dossiers/lps.py)
            raise CommandRejected("route_incompatible", "Cette étape concerne les demandes d'autorisation d'exercice ; "
                                                        "cette déclaration suit la procédure de libre prestation de services.")
        try:
            return workflow.apply(name, current, args)
        except workflow.TransitionRefused as exc:
            raise CommandRejected(exc.code, exc.message) from None

    command(name, "dossier")(run)


for _name in workflow.TRANSITIONS:
    _register_transition(_name)


@command("piece.upsert", "piece", mode="upsert")
def upsert_piece(current: dict | None, args: dict, actor: Actor) -> dict:
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "La pièce est absente (« payload »).")
    code = p.get("code")
    if code not in piece_codes():
        raise CommandRejected("piece_inconnue", unknown_code(code))
    status = p.get("status")
    if status not in PIECE_STATUSES:
        raise CommandRejected("statut_invalide", "Statut de pièce : reçue, manquante, non conforme ou traduction requise.")
    dossier_id = text_field(p.get("dossier_id"), "Dossier", required=True, limit=36)
    if current is not None and current.get("dossier_id") != dossier_id:
        raise CommandRejected("arguments_invalides", "Une pièce ne change pas de dossier.")
    return {
        "dossier_id": dossier_id,
        "code": code,
        "label": text_field(p.get("label"), "Libellé", required=True, limit=300),
        "status": status,
        "received_on": date_field(p.get("received_on"), "Date de réception de la pièce"),
        "sha256": text_field(p.get("sha256"), "Empreinte", limit=64),
        "filename": text_field(p.get("filename"), "Nom de fichier", limit=300),
        "note": text_field(p.get("note"), "Note"),
    }


@command("annotation.save", "annotation", mode="upsert")
def save_annotation(current: dict | None, args: dict, actor: Actor) -> dict:
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "L'annotation est absente (« payload »).")
    if current is not None and current.get("author") != actor.login:
        raise CommandRejected("hors_perimetre", "Une annotation privée n'est modifiable que par son auteur.")
    dossier_id, convention_id = p.get("dossier_id"), p.get("convention_id")
    if bool(dossier_id) == bool(convention_id):
        raise CommandRejected("arguments_invalides", "Une annotation porte sur un dossier ou sur une convention.")
    return {
        "dossier_id": text_field(dossier_id, "Dossier", limit=36),
        "convention_id": text_field(convention_id, "Convention", limit=36),
        "author": actor.login,
        "text": text_field(p.get("text"), "Annotation", limit=20000) or "",
        "updated_at": text_field(p.get("updated_at"), "Horodatage", limit=40),
    }


@command("commission.create", "commission_session", mode="create")
def create_commission_session(_current, args: dict, actor: Actor) -> dict:
    """A session of the regional commission (CRAE) for one profession; its agenda is the dossiers
    scheduled on it (dossier.schedule_commission with this session's id)."""
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "La séance à créer est absente (« payload »).")
    profession = text_field(p.get("profession"), "Profession", required=True, limit=60)
    spec = professions().get(profession)
    if spec is None:
        raise CommandRejected("profession_inconnue", f"Profession non couverte par la procédure : « {profession} ».")
    if not spec.has_commission:
        raise CommandRejected("sans_commission", f"La profession « {spec.label} » ne passe pas en commission.")
    region = text_field(p.get("region"), "Région", required=True, limit=3)
    if region not in regions():
        raise CommandRejected("region_inconnue", f"Région inconnue : « {region} ».")
    _require_region(actor, region)
    return {
        "profession": profession,
        "region": region,
        "session_on": date_field(p.get("session_on"), "Date de la séance", required=True),
        "place": text_field(p.get("place"), "Lieu", limit=300),
    }


LETTER_PROCEDURES = ("aude", "eps")


@command("letter.register", "letter", mode="create")
def register_letter(_current, args: dict, actor: Actor) -> dict:
    """A letter as issued: its reference, the SHA-256 of its PDF (synced as an attachment) and the
    record it belongs to. Registered once; a correction is a new letter that names the one it replaces."""
    from aude_desktop.letters.templates import templates

    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "Le courrier à enregistrer est absent (« payload »).")
    procedure, _, kind = str(p.get("kind") or "").partition(".")
    if procedure not in LETTER_PROCEDURES or kind not in templates(procedure):
        raise CommandRejected("courrier_inconnu", f"Type de courrier inconnu : « {p.get('kind')} ».")
    sha = text_field(p.get("sha256"), "Empreinte", required=True, limit=64)
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise CommandRejected("empreinte_invalide", "L'empreinte du courrier doit être un SHA-256 hexadécimal.")
    dossier_id, convention_id = p.get("dossier_id"), p.get("convention_id")
    if bool(dossier_id) == bool(convention_id) or (procedure == "aude") != bool(dossier_id):
        raise CommandRejected("arguments_invalides", "Un courrier AUDE porte sur un dossier, un courrier EPS sur une convention.")
    return {
        "kind": f"{procedure}.{kind}",
        "reference": text_field(p.get("reference"), "Référence", required=True, limit=60),
        "dossier_id": dossier_id,
        "convention_id": convention_id,
        "sha256": sha,
        "issued_on": date_field(p.get("issued_on"), "Date du courrier", required=True),
        "issued_by": actor.login,
        "replaces_id": text_field(p.get("replaces_id"), "Courrier remplacé", limit=36),
    }
