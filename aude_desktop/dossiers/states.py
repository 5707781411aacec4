"""Dossier states of the AUDE procedure (aude.md §5-6), with their French labels.

The guarded transitions between them arrive with the AUDE workflow; this list is the shared
vocabulary of the store, the server, the demo data and the UI.
"""

from __future__ import annotations

from enum import StrEnum


class DossierState(StrEnum):
    RECU = "recu"  # registered, acknowledgement not yet sent
    INCOMPLET = "incomplet"  # missing pièces requested: the decision clock is suspended
    COMPLET = "complet"  # complete: the 4-month decision clock runs
    EN_COMMISSION = "en_commission"  # on the agenda of a CRAE session
    AVIS_RENDU = "avis_rendu"  # the commission (or, for ASS, the DEASS establishment) gave its opinion
    MESURES_COMPENSATION = "mesures_compensation"  # decision imposing épreuve and/or stage
    AUTORISE = "autorise"
    REFUSE = "refuse"
    IRRECEVABLE = "irrecevable"
    CLOS = "clos"
    HORS_CHAMP = "hors_champ"  # closed without a decision: automatic recognition, the applicant goes to the order


# Where the 4-month decision clock runs: past its date, silence has become an implicit decision.
DECISION_CLOCK_RUNS = (DossierState.COMPLET.value, DossierState.EN_COMMISSION.value, DossierState.AVIS_RENDU.value)
# A dossier may change region (the competent one was wrong) until it is scheduled or decided.
MOVABLE_STATES = (DossierState.RECU.value, DossierState.INCOMPLET.value, DossierState.COMPLET.value)

STATE_LABELS: dict[DossierState, str] = {
    DossierState.RECU: "Reçu",
    DossierState.INCOMPLET: "En attente de pièces",
    DossierState.COMPLET: "Complet — en instruction",
    DossierState.EN_COMMISSION: "Inscrit en commission",
    DossierState.AVIS_RENDU: "Avis rendu",
    DossierState.MESURES_COMPENSATION: "Mesures de compensation",
    DossierState.AUTORISE: "Autorisation délivrée",
    DossierState.REFUSE: "Refusé",
    DossierState.IRRECEVABLE: "Irrecevable",
    DossierState.CLOS: "Clos",
    DossierState.HORS_CHAMP: "Hors champ — reconnaissance automatique",
}

OPEN_STATES = frozenset(
    {
        DossierState.RECU,
        DossierState.INCOMPLET,
        DossierState.COMPLET,
        DossierState.EN_COMMISSION,
        DossierState.AVIS_RENDU,
        DossierState.MESURES_COMPENSATION,
    }
)


class Situation(StrEnum):
    """The applicant's legal situation (aude.md §3)."""

    UE_REGLEMENTE = "ue_reglemente"  # 1. title from a Member State regulating the profession
    UE_NON_REGLEMENTE = "ue_non_reglemente"  # 2. + 2 years of practice in the last 10
    TIERS_RECONNU = "tiers_reconnu"  # 3. third-country title recognised by a Member State + 3 years
    RESSORTISSANT_TIERS_TITRE_UE = "ressortissant_tiers_titre_ue"  # CSP L.4381-4 (quota, uncertain)
    HORS_UE = "hors_ue"  # purely non-EU title: irrecevable


SITUATION_LABELS: dict[Situation, str] = {
    Situation.UE_REGLEMENTE: "Titre d'un État membre qui réglemente la profession",
    Situation.UE_NON_REGLEMENTE: "Titre d'un État membre ne réglementant pas la profession + 2 ans d'exercice",
    Situation.TIERS_RECONNU: "Titre d'un pays tiers reconnu par un État membre + 3 ans d'exercice",
    Situation.RESSORTISSANT_TIERS_TITRE_UE: "Ressortissant d'un pays tiers titulaire d'un titre de l'UE (L.4381-4)",
    Situation.HORS_UE: "Titre obtenu hors de l'Union européenne uniquement",
}
