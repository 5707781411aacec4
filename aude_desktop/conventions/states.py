"""Convention states and regimes of the EPS procedure (eps.md §5-6), with their French labels."""

from __future__ import annotations

from enum import StrEnum


class Regime(StrEnum):
    DECLARATION = "declaration"
    AUTORISATION = "autorisation"
    INDETERMINE = "indetermine"  # an uncertain threshold cell was needed: an instructor decides


REGIME_LABELS = {
    Regime.DECLARATION: "Déclaration",
    Regime.AUTORISATION: "Demande d'autorisation",
    Regime.INDETERMINE: "Régime à déterminer",
}


class ConventionState(StrEnum):
    RECUE = "recue"
    ENREGISTREE = "enregistree"  # déclaration registered
    RECOMMANDATIONS = "recommandations"  # déclaration with recommandations issued
    INCOMPLETE = "incomplete"  # incomplete notice sent: the 2-month clock restarts on receipt
    EN_INSTRUCTION = "en_instruction"
    AUTORISEE = "autorisee"
    AUTORISEE_TACITEMENT = "autorisee_tacitement"
    REFUSEE = "refusee"
    MODIFIEE_RECUE = "modifiee_recue"  # modified convention filed within 15 days of a refusal
    URGENCE_NON_JUSTIFIEE = "urgence_non_justifiee"
    CLOSE = "close"


STATE_LABELS = {
    ConventionState.RECUE: "Reçue",
    ConventionState.ENREGISTREE: "Enregistrée",
    ConventionState.RECOMMANDATIONS: "Recommandations émises",
    ConventionState.INCOMPLETE: "Dossier incomplet",
    ConventionState.EN_INSTRUCTION: "En instruction",
    ConventionState.AUTORISEE: "Autorisée",
    ConventionState.AUTORISEE_TACITEMENT: "Autorisée tacitement",
    ConventionState.REFUSEE: "Refusée",
    ConventionState.MODIFIEE_RECUE: "Convention modifiée reçue",
    ConventionState.URGENCE_NON_JUSTIFIEE: "Urgence non justifiée",
    ConventionState.CLOSE: "Close",
}

OPEN_STATES = frozenset(
    {
        ConventionState.RECUE,
        ConventionState.INCOMPLETE,
        ConventionState.EN_INSTRUCTION,
        ConventionState.MODIFIEE_RECUE,
        ConventionState.URGENCE_NON_JUSTIFIEE,
    }
)
# Decided or closed: past the retention period the file may leave the laptop. A registered
# déclaration (enregistree, recommandations) is neither open nor closed until it is closed.
CLOSED_STATES = (ConventionState.AUTORISEE.value, ConventionState.AUTORISEE_TACITEMENT.value,
                 ConventionState.REFUSEE.value, ConventionState.CLOSE.value)
