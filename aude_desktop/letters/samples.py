"""Fictitious records, one in the right state for each letter: the letters' gallery (docs/letters)
and the tests use them. No real person: names are made up and accented on purpose."""

from __future__ import annotations

import copy

EVENTS = [{"on": "2026-05-04", "kind": "receipt", "note": None}, {"on": "2026-05-12", "kind": "acknowledged", "note": None},
          {"on": "2026-05-12", "kind": "pieces_requested", "note": "g) Programme détaillé de la formation"}]
DOSSIER = {
    "reference": "AUDE-2026-OCC-000042", "profession": "infirmier", "specialty": None, "region": "OCC",
    "acces_partiel": False, "situation": "ue_reglemente", "state": "incomplet", "assigned_to": None,
    "received_on": "2026-05-04", "acknowledged_on": "2026-05-12", "complete_on": None, "closed_on": None,
    "applicant": {"last_name": "Nguyễn", "first_names": "Élodie Bérénice", "sex": "F", "birth_date": "1990-04-12",
                  "address": "3 rue Haute", "postal_code": "31000", "city": "Toulouse", "country": "France"},
    "diploma": {"title": "Bachelier infirmier responsable de soins généraux", "country": "Belgique"},
    "experiences": [], "clock_events": EVENTS, "decision": None,
}
MEASURES = {"kind": "mesures_compensation", "decided_on": "2026-09-10", "motifs": "Pas d'enseignement de pédiatrie.",
            "measures": {"kind": "au_choix", "subjects": ["Pédiatrie", "Santé mentale"], "required_level": 3, "held_level": 2,
                         "stage_months": 6, "differences": "pédiatrie (120 h), santé mentale (80 h)"}}
CHOSEN = {**MEASURES, "measures": {**MEASURES["measures"], "chosen": "epreuve", "chosen_on": "2026-10-20"}}
SESSION = {"profession": "infirmier", "region": "OCC", "session_on": "2027-01-14", "starts_at": "09:30",
           "address": "DREETS Occitanie, 5 esplanade Compans-Caffarelli, 31000 Toulouse, salle 204", "capacity": 12,
           "bring": "une pièce d'identité en cours de validité, la présente convocation et un stylo à encre noire",
           "cancelled": False, "convocations": []}
AUDE_STATES = {
    "accuse_reception": ("incomplet", None), "demande_pieces": ("incomplet", None),
    "convocation_epreuve": ("mesures_compensation", CHOSEN), "decision_mesures": ("mesures_compensation", MEASURES),
    "decision_autorisation": ("autorise", {"kind": "autorisation", "decided_on": "2026-09-10", "motifs": ""}),
    "decision_refus": ("refuse", {"kind": "refus", "decided_on": "2026-09-10", "motifs": "Différences non compensées."}),
    "decision_irrecevabilite": ("irrecevable", {"kind": "irrecevabilite", "decided_on": "2026-06-01", "motifs": "Titre hors UE."}),
    "attestation_ass": ("autorise", {"kind": "autorisation", "decided_on": "2026-09-10", "motifs": ""}),
}
CONVENTION = {
    "reference": "EPS-2026-0000123", "authority": "ORDRE-INF", "source": "eps", "read_only": False, "regime": "autorisation",
    "state": "refusee", "urgent": False, "filed_on": "2026-10-01", "octroi_on": "2027-01-10", "object": "conseil_expertise",
    "company": {"name": "Laboratoires Élan", "siret": "73282932000074", "address": "12 quai Perrache, Lyon"},
    "beneficiaries": [], "avantages": [],
    "decision": {"kind": "refus", "decided_on": "2026-11-02", "motifs": "Rémunération disproportionnée."},
    "events": [{"on": "2026-10-01", "kind": "receipt", "note": None}, {"on": "2026-10-03", "kind": "acknowledged", "note": None},
               {"on": "2026-11-02", "kind": "decision", "note": "refus"}],
    "recommandations": [{"on": "2026-10-05", "text": "Préciser le programme horaire."}],
}
EPS_STATES = {"accuse_reception": "recue", "incomplet": "incomplete", "autorisation": "autorisee", "refus": "refusee",
              "recommandations": "recommandations", "urgence_non_justifiee": "urgence_non_justifiee",
              "attestation_tacite": "autorisee_tacitement"}

def aude_payload(kind: str) -> dict:
    p = copy.deepcopy(DOSSIER)
    p["state"], p["decision"] = AUDE_STATES[kind]
    p["avis"] = {"kind": "favorable", "on": "2026-09-01", "motifs": ""}
    if kind == "attestation_ass":
        p["profession"] = "assistant_service_social"
    if kind == "convocation_epreuve":  # the decision was delivered on 15 September 2026, the épreuve chosen
        p["clock_events"] = [*EVENTS, {"on": "2026-09-10", "kind": "decision", "note": "mesures_compensation"},
                             {"on": "2026-09-15", "kind": "notified", "note": "", "letter": "aude.decision_mesures"}]
        p["epreuve_session"] = copy.deepcopy(SESSION)
    return p


def eps_payload(kind: str) -> dict:
    p = copy.deepcopy(CONVENTION) | {"state": EPS_STATES[kind]}
    receipt = [{"on": "2026-10-01", "kind": "receipt", "note": None}]
    if kind in ("accuse_reception", "urgence_non_justifiee"):
        p.update(decision=None, events=receipt + ([{"on": "2026-10-05", "kind": "urgency_refused", "note": None}]
                                                  if kind == "urgence_non_justifiee" else []))
    if kind == "autorisation":
        p.update(decision={"kind": "autorisation", "decided_on": "2026-11-02", "motifs": ""},
                 events=receipt + [{"on": "2026-11-02", "kind": "decision", "note": "autorisation"}])
    if kind == "recommandations":
        p.update(regime="declaration", decision=None,
                 events=receipt + [{"on": "2026-10-03", "kind": "registered", "note": None},
                                   {"on": "2026-10-05", "kind": "recommandations", "note": None}])
    if kind == "incomplet":
        p["events"] = p["events"][:1] + [{"on": "2026-10-10", "kind": "incomplete", "note": "Programme de la manifestation"}]
    if kind == "attestation_tacite":  # no decision within the two months
        p.update(filed_on="2026-09-01", decision=None,
                 events=[{"on": "2026-09-01", "kind": "receipt", "note": None}, {"on": "2026-09-03", "kind": "acknowledged", "note": None}])
    return p
