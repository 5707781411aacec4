"""Commands on EPS conventions: create and update, with the identifiers and amounts checked."""

from __future__ import annotations

import copy
import re
from datetime import date

from aude_desktop.conventions import workflow
from aude_desktop.conventions.authority import RoutingError, competent_authorities
from aude_desktop.conventions.rulesets import ruleset_in_force
from aude_desktop.conventions.states import ConventionState, Regime
from aude_desktop.conventions.thresholds import ConventionInputError, classify
from aude_desktop.conventions.typology import CATEGORIES, DON_PURPOSES, NATURES, OBJECTS
from aude_desktop.domain.commands import Actor, CommandRejected, command, instructing_authority
from aude_desktop.domain.fields import date_field, text_field
from aude_desktop.domain.workflows import TransitionRefused
from aude_desktop.rules.identifiers import ine_warning, rpps_error, siren_error, siret_error
from aude_desktop.rules.reference import regions

AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
QUANTITY = re.compile(r"^\d{1,5}(\.\d{1,2})?$")
BENEFICIARY_TEXT = ("last_name", "first_name", "quality", "profession", "order_number", "school", "name", "object", "address")
UPDATABLE = ("company", "object", "urgent", "octroi_on", "period_start", "period_end", "beneficiaries", "avantages", "assigned_to")
MAX_LINES = 500


def _amount(value, label: str) -> str:
    if not isinstance(value, str) or not AMOUNT.match(value.strip()):
        raise CommandRejected(
            "montant_invalide",
            f"{label} : montant invalide « {value} ». Saisissez des euros positifs avec au plus deux "
            "décimales, par exemple 1250.50.",
        )
    return _two_decimals(value.strip())


def _two_decimals(text: str) -> str:
    whole, _, cents = text.partition(".")
    return f"{int(whole)}.{(cents + '00')[:2]}"


def _quantity(value, label: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not QUANTITY.match(value):
        raise CommandRejected("quantite_invalide", f"{label} : nombre positif attendu, « {value} » reçu.")
    return value


def _count(value, label: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10000:
        raise CommandRejected("quantite_invalide", f"{label} : nombre entier positif attendu.")
    return value


def _company(value) -> dict:
    if not isinstance(value, dict):
        raise CommandRejected("type_invalide", "Entreprise : objet attendu.")
    siret = text_field(value.get("siret"), "SIRET", limit=20)
    siren = text_field(value.get("siren"), "SIREN", limit=12)
    if siret:
        siret = re.sub(r"\s", "", siret)
        if problem := siret_error(siret):
            raise CommandRejected("siret_invalide", problem)
        siren = siren or siret[:9]
    if not siren:
        raise CommandRejected("champ_requis", "Entreprise : SIREN ou SIRET obligatoire.")
    siren = re.sub(r"\s", "", siren)
    if problem := siren_error(siren):
        raise CommandRejected("siren_invalide", problem)
    if siret and siret[:9] != siren:
        raise CommandRejected("siret_invalide", "Le SIRET ne commence pas par le SIREN de l'entreprise.")
    return {
        "name": text_field(value.get("name"), "Raison sociale", required=True, limit=300),
        "siren": siren,
        "siret": siret,
        "address": text_field(value.get("address"), "Adresse de l'entreprise"),
    }


def _beneficiary(value, warnings: list[str]) -> dict:
    if not isinstance(value, dict):
        raise CommandRejected("type_invalide", "Bénéficiaire : objet attendu.")
    category = value.get("category")
    if category not in CATEGORIES:
        raise CommandRejected("categorie_invalide", f"Catégorie de bénéficiaire inconnue : « {category} ».")
    b = {"id": text_field(value.get("id"), "Identifiant du bénéficiaire", required=True, limit=36), "category": category}
    b.update({k: text_field(value.get(k), f"Bénéficiaire — {k}", limit=300) for k in BENEFICIARY_TEXT})
    rpps = text_field(value.get("rpps"), "RPPS", limit=14)
    if rpps and (problem := rpps_error(rpps)):
        raise CommandRejected("rpps_invalide", problem)
    b["rpps"] = rpps
    ine = text_field(value.get("ine"), "INE", limit=11)
    if ine and (warning := ine_warning(ine)):
        warnings.append(f"{b.get('first_name') or ''} {b.get('last_name') or ''} : {warning}".strip())
    b["ine"] = ine
    if value.get("pharmacist_section"):
        b["pharmacist_section"] = text_field(value.get("pharmacist_section"), "Section", limit=1)
    if category == "professionnel" and not (rpps or b["order_number"]):
        raise CommandRejected("identifiant_requis", "Professionnel : numéro RPPS ou, à défaut, numéro d'inscription à l'ordre obligatoire.")
    if category in ("association",) and not b["name"]:
        raise CommandRejected("champ_requis", "Association : dénomination obligatoire.")
    return b


def _avantage(value, beneficiary_ids: set[str], period: tuple[date | None, date | None]) -> dict:
    if not isinstance(value, dict):
        raise CommandRejected("type_invalide", "Avantage : objet attendu.")
    nature = value.get("nature")
    if nature not in NATURES:
        raise CommandRejected("nature_invalide", f"Nature d'avantage inconnue : « {nature} ».")
    beneficiary = value.get("beneficiary_id")
    if beneficiary is not None and beneficiary not in beneficiary_ids:
        raise CommandRejected("beneficiaire_inconnu", f"L'avantage désigne un bénéficiaire absent de la convention : « {beneficiary} ».")
    day = date_field(value.get("date"), "Date de l'avantage")
    start, end = period
    if day and ((start and date.fromisoformat(day) < start) or (end and date.fromisoformat(day) > end)):
        raise CommandRejected(
            "date_hors_periode",
            f"L'avantage du {date.fromisoformat(day):%d/%m/%Y} est en dehors de la période de la convention : corrigez sa date ou la période.",
        )
    avantage = {
        "id": text_field(value.get("id"), "Identifiant de l'avantage", required=True, limit=36),
        "beneficiary_id": beneficiary,
        "nature": nature,
        "amount": _amount(value.get("amount"), NATURES[nature]),
        "hours": _quantity(value.get("hours"), "Heures"),
        "half_days": _quantity(value.get("half_days"), "Demi-journées"),
        "nights": _count(value.get("nights"), "Nuitées"),
        "meals": _count(value.get("meals"), "Repas"),
        "collations": _count(value.get("collations"), "Collations"),
        "date": day,
        "description": text_field(value.get("description"), "Description"),
    }
    if nature == "dons_liberalites":
        avantage["purpose"] = _purpose(nature, value.get("purpose"))
    return avantage


def _purpose(nature: str, value) -> str | None:
    if nature != "dons_liberalites":
        return None
    if value not in DON_PURPOSES:
        raise CommandRejected(
            "destination_requise",
            "Dons et libéralités : précisez ce qu'ils financent — " + ", ".join(DON_PURPOSES.values()).lower() + ".",
        )
    return value


def normalise(p: dict) -> dict:
    """Check and normalise the convention-level fields shared by create and update."""
    if p.get("object") not in OBJECTS:
        raise CommandRejected("objet_invalide", f"Objet de convention inconnu : « {p.get('object')} ».")
    start = date_field(p.get("period_start"), "Début de la période")
    end = date_field(p.get("period_end"), "Fin de la période")
    if start and end and end < start:
        raise CommandRejected("date_incoherente", "La fin de la période précède son début.")
    for key in ("beneficiaries", "avantages"):
        if not isinstance(p.get(key) or [], list) or len(p.get(key) or []) > MAX_LINES:
            raise CommandRejected("type_invalide", f"{key} : liste attendue ({MAX_LINES} au plus).")
    warnings: list[str] = []
    beneficiaries = [_beneficiary(b, warnings) for b in p.get("beneficiaries") or []]
    if not beneficiaries:
        raise CommandRejected("champ_requis", "La convention doit désigner au moins un bénéficiaire.")
    ids = {b["id"] for b in beneficiaries}
    if len(ids) != len(beneficiaries):
        raise CommandRejected("doublon", "Deux bénéficiaires portent le même identifiant.")
    period = (date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
    avantages = [_avantage(a, ids, period) for a in p.get("avantages") or []]
    signing_region = p.get("signing_region")
    if signing_region is not None and signing_region not in regions():
        raise CommandRejected("region_inconnue", f"Région de signature inconnue : « {signing_region} ».")
    result = {
        "company": _company(p.get("company")),
        "object": p["object"],
        "urgent": bool(p.get("urgent", False)),
        "octroi_on": date_field(p.get("octroi_on"), "Date d'octroi"),
        "period_start": start,
        "period_end": end,
        "signing_region": signing_region,
        "beneficiaries": beneficiaries,
        "avantages": avantages,
        "assigned_to": text_field(p.get("assigned_to"), "Agent", limit=80),
    }
    if warnings:
        result["warnings"] = warnings
    return result


def route(p: dict) -> list[str]:
    try:
        return competent_authorities(p["beneficiaries"], p.get("signing_region"))
    except RoutingError as exc:
        raise CommandRejected("autorite_incompetente", str(exc)) from None


def regime_of(body: dict, rulesets: tuple[dict, ...], filed_on: str) -> str:
    """The regime follows from the thresholds in force on the filing date, whatever the filer
    believed: the same answer for a convention typed by an agent and one filed by a company."""
    try:
        return classify(body, ruleset_in_force(rulesets, date.fromisoformat(filed_on))).regime
    except ConventionInputError as exc:
        raise CommandRejected("convention_illisible", str(exc)) from None


@command("convention.create", "convention", mode="create", rulesets=True)
def create_convention(_current, args: dict, actor: Actor, rulesets: tuple[dict, ...] = ()) -> dict:
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "La convention à créer est absente (« payload »).")
    body = normalise(p)
    authorities = route(body)
    authority = p.get("authority") or authorities[0]
    if authority not in authorities:
        raise CommandRejected(
            "autorite_incompetente",
            f"Cette convention relève de : {', '.join(authorities)} — pas de {authority}.",
        )
    mine = instructing_authority(actor)
    if mine is not None and authority != mine:
        raise CommandRejected("hors_perimetre", "Cette convention relève d'une autre autorité que la vôtre.")
    filed_on = date_field(p.get("filed_on"), "Date de dépôt", required=True)
    if p.get("regime") not in (None, *(r.value for r in Regime)):
        raise CommandRejected("regime_invalide", f"Régime inconnu : « {p.get('regime')} ».")
    regime = regime_of(body, rulesets, filed_on)
    return {
        "reference": text_field(p.get("reference"), "Référence", required=True, limit=40),
        "authority": authority,
        "source": "eps",
        "read_only": False,
        **body,
        "regime": regime,
        "state": ConventionState.RECUE.value,
        "filed_on": filed_on,
        "decision": None,
        "routing": authorities if len(authorities) > 1 else None,
        "events": [{"on": filed_on, "kind": "receipt", "note": None}],
    }


@command("convention.update", "convention")
def update_convention(current: dict, args: dict, actor: Actor) -> dict:
    if current.get("read_only"):
        raise CommandRejected(
            "lecture_seule",
            "Convention importée du Conseil national de l'ordre des médecins : elle est en lecture seule.",
        )
    mine = instructing_authority(actor)
    if mine is not None and current["authority"] != mine:
        raise CommandRejected("hors_perimetre", "Cette convention relève d'une autre autorité que la vôtre.")
    fields = args.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise CommandRejected("arguments_invalides", "Aucune modification transmise (« fields »).")
    forbidden = sorted(set(fields) - set(UPDATABLE))
    if forbidden:
        raise CommandRejected("champ_non_modifiable", f"Champ(s) non modifiable(s) : {', '.join(forbidden)}.")
    merged = {**copy.deepcopy(current), **fields}
    body = normalise(merged)
    p = copy.deepcopy(current)
    p.pop("warnings", None)
    p.update(body)
    return p


def _register_transition(name: str) -> None:
    def run(current: dict, args: dict, actor: Actor) -> dict:
        mine = instructing_authority(actor)
        if actor.role == "dgos" or (mine is not None and current["authority"] != mine):
            raise CommandRejected("hors_perimetre", "Cette convention relève d'une autre autorité que la vôtre.")
        try:
            return workflow.apply(name, workflow.with_receipt(current), args)
        except TransitionRefused as exc:
            raise CommandRejected(exc.code, exc.message) from None

    command(name, "convention")(run)


for _name in workflow.TRANSITIONS:
    _register_transition(_name)
