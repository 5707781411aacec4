"""The form of each EPS instruction step (drawn by the shared action dialog)."""

from __future__ import annotations

from aude_desktop.casework.forms import Field, Form

FORMS: dict[str, Form] = {f.command: f for f in (
    Form("convention.set_regime", "Fixer le régime", "Fixer le régime", (
        Field("regime", "Régime", "choice", (("declaration", "Déclaration"), ("autorisation", "Demande d’autorisation"))),
        Field("on", "Date", "date"),
        Field("reason", "Pourquoi (seuil incertain)", "multiline"),
    )),
    Form("convention.register", "Enregistrer la déclaration", "Enregistrer", (Field("on", "Date d’enregistrement", "date"),)),
    Form("convention.recommend", "Recommandations", "Émettre les recommandations", (
        Field("on", "Date", "date"),
        Field("text", "Recommandations (définition des avantages, montants, contenu)", "multiline"),
    )),
    Form("convention.start_instruction", "Accuser réception de la demande", "Accuser réception", (Field("on", "Date", "date"),)),
    Form("convention.declare_incomplete", "Dossier incomplet", "Notifier l’incomplétude", (
        Field("on", "Date de l’avis", "date", help="Dans le mois suivant la réception, il fait repartir les deux mois à la réception des éléments."),
        Field("missing", "Éléments manquants", "multiline"),
    )),
    Form("convention.receive_pieces", "Éléments reçus", "Enregistrer la réception", (Field("on", "Date de réception", "date"),)),
    Form("convention.decide", "Décision", "Enregistrer la décision", (
        Field("kind", "Décision", "choice", (("autorisation", "Autorisation"), ("refus", "Refus motivé"))),
        Field("on", "Date de la décision", "date"),
        Field("motifs", "Motifs de droit et de fait", "multiline", required=False, templates="eps_refus",
              help="Obligatoires pour un refus (CRPA L.211-2) ; l’entreprise peut déposer une convention modifiée sous 15 jours."),
    )),
    Form("convention.urgency_not_justified", "Urgence non justifiée", "Notifier", (
        Field("on", "Date de la notification", "date"),
        Field("motifs", "Pourquoi l’urgence n’est pas justifiée", "multiline", required=False,
              help="Repris dans le courrier « Urgence non justifiée » (CRPA L.211-5)."),
    )),
    Form("convention.receive_modified", "Convention modifiée reçue", "Enregistrer", (Field("on", "Date de réception", "date"),)),
    Form("convention.record_tacit", "Constater l’autorisation tacite", "Constater", (Field("on", "Date du constat", "date"),)),
    Form("convention.close", "Clôturer", "Clôturer", (Field("on", "Date de clôture", "date"),)),
)}
ACTION_LABELS = {name: form.title for name, form in FORMS.items()}
