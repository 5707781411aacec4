"""Automatic recognition screening (directive 2005/36/CE art. 21, annex V point 5.2.2; routes.md).

A nurse responsible for general care whose title is listed for its Member State (or held under acquired
rights) registers directly with the order: the request for an autorisation d'exercice is out of scope.
`screen` reads the table of resources/rules/automatic_recognition.json from profession + country +
diploma date; the intake (window and CLI), the dossier view and the `dossier.close_out_of_scope`
transition all call it, so the proposal and the guard are one rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from aude_desktop.domain.workflows import TransitionRefused, text_arg
from aude_desktop.domain.workflows import date_arg as _date
from aude_desktop.domain.workflows import not_before as _not_before
from aude_desktop.dossiers.states import DossierState
from aude_desktop.paths import resources_dir
from aude_desktop.rules.calendar import add_months, format_date_fr
from aude_desktop.rules.countries import find as find_country

S = DossierState
# Only a title of a Member State can be listed; the other situations (third-country title, L.4381-4) cannot.
EU_SITUATIONS = ("ue_reglemente", "ue_non_reglemente")
REASON = "reconnaissance_automatique"


@cache
def table() -> dict:
    return json.loads((resources_dir() / "rules" / "automatic_recognition.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Screening:
    basis: str  # "liste" (title listed, training after the reference date) or "droits_acquis"
    country: str  # ISO code
    country_name: str
    reference_date: date
    titles: tuple[str, ...]
    uncertain: tuple[str, ...]
    order: str  # authorities.json code of the order the applicant registers with
    note: str = ""

    @property
    def message(self) -> str:
        """What the dossier view and the intake show, in French."""
        since = format_date_fr(self.reference_date)
        if self.basis == "liste":
            text = (f"Hors champ — reconnaissance automatique : le titre d'infirmier responsable de soins généraux délivré "
                    f"par l'État « {self.country_name} » figure à l'annexe V, point 5.2.2, de la directive 2005/36/CE "
                    f"(formations commencées à compter du {since}). Le demandeur s'inscrit directement auprès de l'ordre.")
        else:
            text = (f"Hors champ probable — droits acquis à vérifier : titre délivré par l'État « {self.country_name} » "
                    f"avant l'issue d'une formation commencée après le {since} (directive 2005/36/CE, art. 23 et 33). "
                    "Vérifiez l'attestation de droits acquis avant de clore.")
        if self.uncertain:
            text += f" Données à vérifier : {', '.join(UNCERTAIN_WORDS.get(u, u) for u in self.uncertain)}."
        return text + (f" {self.note}" if self.note else "")

    def as_payload(self) -> dict:
        return {"reason": REASON, "basis": self.basis, "country": self.country,
                "reference_date": self.reference_date.isoformat(), "order": self.order}


UNCERTAIN_WORDS = {"titles": "intitulés des titres", "reference_date": "date de référence", "acquired_rights": "droits acquis"}


def screen(profession: str | None, specialty: str | None, situation: str | None, country: str | None,
           obtained_on: str | date | None) -> Screening | None:
    """The automatic recognition that makes this request out of scope, or None (not listed, or the
    diploma date is unknown: the proposal needs it)."""
    spec = table()["professions"].get(profession or "")
    if spec is None or situation not in EU_SITUATIONS or (specialty or "").strip():
        return None
    found = find_country(country)
    cell = spec["countries"].get(found.code) if found else None
    if cell is None or not obtained_on:
        return None
    try:
        obtained = obtained_on if isinstance(obtained_on, date) else date.fromisoformat(obtained_on)
    except ValueError:
        return None
    reference = date.fromisoformat(cell["reference_date"])
    # A training begun on or after the reference date ends at least its minimum length later (art. 31 § 3).
    listed = obtained >= add_months(reference, 12 * table()["minimum_training_years"])
    return Screening("liste" if listed else "droits_acquis", found.code, found.name, reference, tuple(cell["titles"]),
                     tuple(cell.get("uncertain", ())), spec["order"], "" if listed else cell.get("acquired_rights_note", ""))


def screen_payload(p: dict) -> Screening | None:
    diploma = p.get("diploma") or {}
    return screen(p.get("profession"), p.get("specialty"), p.get("situation"), diploma.get("country"), diploma.get("obtained_on"))


def proposes(p: dict) -> bool:
    return p.get("state") in OPEN_BEFORE_AVIS and not p.get("acces_partiel") and screen_payload(p) is not None


OPEN_BEFORE_AVIS = (S.RECU.value, S.INCOMPLET.value, S.COMPLET.value)


def close_out_of_scope(p: dict, args: dict) -> dict:
    """« Hors champ — reconnaissance automatique »: closed without a decision (no decision clock, no
    implicit decision); the information letter directs the applicant to the order."""
    found = screen_payload(p)
    if found is None:
        raise TransitionRefused(
            "hors_champ_non_etabli",
            "La reconnaissance automatique n'est pas établie pour ce dossier : elle suppose un infirmier de soins généraux "
            "(sans spécialité), un titre d'un État membre figurant à l'annexe V, point 5.2.2, et la date d'obtention du "
            "diplôme. Complétez le diplôme ou poursuivez l'instruction.")
    if p.get("acces_partiel"):
        raise TransitionRefused("hors_champ_acces_partiel", "Une demande d'accès partiel n'est pas close pour reconnaissance "
                                "automatique : elle porte sur une partie des activités de la profession.")
    day = _date(args, "on", "Date de clôture")
    _not_before(day, p["received_on"], "La clôture", "la réception du dossier")
    if found.basis == "droits_acquis" and not args.get("acquired_rights_checked"):
        raise TransitionRefused("droits_acquis_a_verifier", "Le diplôme précède la date de référence de l'annexe V : "
                                "confirmez avoir vérifié l'attestation de droits acquis avant de clore le dossier.")
    p["out_of_scope"] = {**found.as_payload(), "on": day.isoformat(), "note": text_arg(args, "note", "Observation")}
    p["state"] = S.HORS_CHAMP
    p["closed_on"] = day.isoformat()
    p.setdefault("clock_events", []).append({"on": day.isoformat(), "kind": "closed", "note": "hors_champ"})
    return p
