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


class LpsState(StrEnum):
    RECUE = "lps_recue"  # declared: the authority has one month to inform the provider
    INCOMPLETE = "lps_incomplete"  # pièces requested: the month is suspended
    VERIFICATION = "lps_verification"  # qualifications being checked before the first service
    EPREUVE = "lps_epreuve"  # an aptitude test imposed: within the month of that decision
    PRESTATION_POSSIBLE = "lps_prestation_possible"  # the service may be provided (renewed yearly)
    REFUSEE = "lps_refusee"  # the aptitude test was failed
    CLOSE = "lps_close"

    # (the LPS route's states: dossiers/lps.py has its transitions)


LPS_MOVABLE = (LpsState.RECUE.value, LpsState.INCOMPLETE.value)  # an LPS declaration sent to the wrong region: before any check

# Decided or closed: no legal clock runs, and past the retention period the file may leave the laptop.
CLOSED_STATES = (DossierState.AUTORISE.value, DossierState.REFUSE.value, DossierState.IRRECEVABLE.value,
                 DossierState.CLOS.value, DossierState.HORS_CHAMP.value, LpsState.REFUSEE.value, LpsState.CLOSE.value)


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
