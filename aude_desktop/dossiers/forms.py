"""The form of each AUDE workflow step: which fields the agent fills, in French (Qt-free; what a
form is and how its input becomes command arguments: casework/forms.py)."""

from __future__ import annotations

from aude_desktop.casework.forms import Field, Form
from aude_desktop.dossiers.detail import AVIS_LABELS, DECISION_LABELS
from aude_desktop.rules.reference import regions

MEASURE_LABELS = {
    "epreuve": "Épreuve d’aptitude",
    "stage": "Stage d’adaptation",
    "au_choix": "Au choix du demandeur (2 mois pour choisir)",
    "epreuve_et_stage": "Épreuve et stage",
}


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
    # The libre prestation de services declarations (dossiers/lps.py).
    Form("lps.request_pieces", "Demande de pièces (LPS)", "Enregistrer la demande", (
        Field("on", "Date de la demande", "date"),
        Field("missing", "Pièces demandées (une par ligne)", "lines", help="Le délai d’un mois est suspendu jusqu’à leur réception."),
    )),
    Form("lps.receive_pieces", "Réception des pièces (LPS)", "Déclaration complète", (
        Field("on", "Date de réception de la dernière pièce", "date", help="Le délai d’un mois repart de cette date."),
    )),
    Form("lps.notify_delay", "Difficulté notifiée au prestataire", "Enregistrer", (
        Field("on", "Date de la notification", "date", help="Dans le premier mois : un second mois est ouvert, une seule fois."),
        Field("reason", "Difficulté et délai annoncé", "multiline"),
    )),
    Form("lps.start_verification", "Vérification des qualifications", "Commencer la vérification", (
        Field("on", "Date", "date", help="La réponse reste due dans le mois de la déclaration complète."),
    )),
    Form("lps.inform", "Information du prestataire", "Enregistrer l’information", (
        Field("kind", "Information", "choice", (("sans_verification", "Pas de vérification préalable"),
                                                ("qualifications_conformes", "Qualifications conformes"))),
        Field("on", "Date de l’information", "date"),
    )),
    Form("lps.impose_epreuve", "Décision imposant une épreuve d’aptitude", "Enregistrer la décision", (
        Field("on", "Date de la décision", "date", help="L’épreuve doit permettre la prestation dans le mois qui suit."),
        Field("subjects", "Matières (une par ligne)", "lines"),
        Field("motifs", "Motifs de droit et de fait", "multiline", help="Différence substantielle et son effet sur la santé (CRPA L.211-2)."),
    )),
    Form("lps.record_epreuve", "Résultat de l’épreuve d’aptitude (LPS)", "Enregistrer le résultat", (
        Field("on", "Date de l’épreuve", "date"),
        Field("passed", "Épreuve réussie", "bool", required=False),
    )),
    Form("lps.record_silence", "Silence de l’administration", "Constater", (
        Field("on", "Date du constat", "date", help="Après l’expiration du délai : la prestation peut être effectuée depuis ce jour."),
    )),
    Form("lps.renew", "Renouvellement annuel de la déclaration", "Enregistrer le renouvellement", (
        Field("on", "Date du renouvellement", "date"),
        Field("service_start", "Début de la prestation", "date"),
        Field("service_end", "Fin de la prestation", "date", required=False),
        Field("service_place", "Lieu de la prestation", "text"),
        Field("service_nature", "Nature de la prestation", "text", required=False),
    )),
    Form("lps.close", "Clôture de la déclaration", "Clore", (Field("on", "Date de clôture", "date"),)),
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
