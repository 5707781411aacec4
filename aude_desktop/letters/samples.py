"""Fictitious records, one in the right state for each letter: the letters' gallery (docs/letters)
and the tests use them. No real person: names are made up and accented on purpose."""

from __future__ import annotations

import copy

EVENTS = [{"on": "2026-05-04", "kind": "receipt", "note": None}, {"on": "2026-05-12", "kind": "acknowledged", "note": None},
          {"on": "2026-05-12", "kind": "pieces_requested",
           "note": "f) Attestation d'absence de sanction de moins d'un an, g) Programme détaillé de la formation"},
          {"on": "2026-06-02", "kind": "pieces_requested", "note": "c) Traduction du titre de formation par un traducteur agréé"}]
DOSSIER = {
    "reference": "AUDE-2026-OCC-000042", "profession": "infirmier", "specialty": None, "region": "OCC",
    "acces_partiel": False, "situation": "ue_reglemente", "state": "incomplet", "assigned_to": None,
    "received_on": "2026-05-04", "acknowledged_on": "2026-05-12", "complete_on": None, "closed_on": None,
    "applicant": {"last_name": "Nguyễn", "first_names": "Élodie Bérénice", "sex": "F", "birth_date": "1990-04-12",
                  "address": "3 rue Haute", "postal_code": "31000", "city": "Toulouse", "country": "France"},
    "diploma": {"title": "Bachelier infirmier responsable de soins généraux", "country": "Belgique"},
    "avis": {"kind": "favorable", "on": "2026-09-01", "motifs": ""},
    "experiences": [], "clock_events": EVENTS, "decision": None,
}
MEASURES = {"kind": "mesures_compensation", "decided_on": "2026-09-10",
            "motifs": "La formation suivie ne comporte ni enseignement de pédiatrie ni enseignement de santé mentale, matières "
                      "dont la connaissance est essentielle à l'exercice de la profession d'infirmier en France (code de la santé "
                      "publique, art. L.4311-4 ; directive 2005/36/CE, art. 14).",
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
    "decision_refus": ("refuse", {"kind": "refus", "decided_on": "2026-09-10", "motifs":
                       "Les différences substantielles constatées en pédiatrie et en santé mentale ne sont couvertes ni par "
                       "l'expérience professionnelle ni par la formation continue du demandeur, qui n'a pas validé le stage "
                       "d'adaptation imposé (code de la santé publique, art. L.4311-4)."}),
    "decision_irrecevabilite": ("irrecevable", {"kind": "irrecevabilite", "decided_on": "2026-06-01", "motifs":
                                "L'intéressée ne justifie pas de deux années d'exercice à temps plein au cours des dix dernières "
                                "années dans un État membre qui ne réglemente pas la profession."}),
    "attestation_ass": ("autorise", {"kind": "autorisation", "decided_on": "2026-09-10", "motifs": ""}),
    "information_hors_champ": ("hors_champ", None),
    "demande_avis_partiel": ("complet", None),
    "decision_acces_partiel": ("autorise", {"kind": "acces_partiel", "decided_on": "2026-09-10", "motifs": "",
                                            "activities": ["Soins d'hygiène et de confort", "Surveillance des paramètres vitaux"],
                                            "title": "Verpleegkundige — accès partiel (soins de base)"}),
}
# A libre prestation de services declaration (route « lps »), in the state of each of its letters.
DECLARATION = {
    "route": "lps", "reference": "LPS-2026-OCC-000007", "profession": "ergotherapeute", "specialty": None, "region": "OCC",
    "acces_partiel": False, "situation": "lps_etabli_ue", "state": "lps_recue", "assigned_to": None,
    "received_on": "2026-10-20", "acknowledged_on": None, "complete_on": None, "closed_on": None, "decision": None,
    "applicant": {"last_name": "Nguyễn", "first_names": "Élodie Bérénice", "sex": "F", "birth_date": "1990-04-12",
                  "address": "Lange Gasthuisstraat 12", "postal_code": "2000", "city": "Anvers", "country": "Belgique"},
    "diploma": {"title": "Bachelier en ergothérapie", "country": "Belgique"}, "experiences": [],
    "clock_events": [{"on": "2026-10-20", "kind": "receipt", "note": None}],
    "lps": {"establishment_state": "Belgique", "insurance": "Ethias, contrat RC 45.123",
            "service": {"start": "2027-01-04", "end": "2027-01-29", "place": "Clinique du Parc, 34000 Montpellier", "nature": "Remplacement"},
            "outcome": None, "renewals": []},
}
LPS_EPREUVE = {"decided_on": "2026-11-10", "subjects": ["Rééducation en pédiatrie", "Santé mentale"],
               "motifs": "La formation suivie ne comporte aucun enseignement de rééducation en pédiatrie ni de santé mentale, "
                         "alors que la prestation déclarée s'adresse à des enfants hospitalisés."}
LPS_STATES = {  # kind -> (state, clock events after the receipt, what the declaration holds beyond DECLARATION["lps"])
    "lps_accuse_reception": ("lps_incomplete", [("2026-10-22", "pieces_requested",
                             "c) Attestation d'établissement de moins de trois mois\nf) Attestation d'assurance professionnelle")], {}),
    "lps_decision_epreuve": ("lps_epreuve", [("2026-10-22", "verification", None), ("2026-11-10", "epreuve_imposed", None)],
                             {"epreuve": LPS_EPREUVE}),
    "lps_prestation_possible": ("lps_prestation_possible", [("2026-11-20", "silence", None)],
                                {"outcome": {"kind": "silence", "on": "2026-11-20"}}),
    "lps_refus": ("lps_refusee", [("2026-10-22", "verification", None), ("2026-11-10", "epreuve_imposed", None),
                                  ("2026-11-16", "epreuve_failed", None)],
                  {"epreuve": {**LPS_EPREUVE, "on": "2026-11-16", "passed": False}}),
}


def lps_payload(kind: str, applicant: str = "F-BE") -> dict:
    p = copy.deepcopy(DECLARATION)
    state, events, held = LPS_STATES[kind]
    p["state"] = state
    p["clock_events"] += [{"on": on, "kind": k, "note": note} for on, k, note in events]
    p["lps"].update(copy.deepcopy(held))
    who, country = APPLICANTS[applicant]
    p["applicant"].update(who)
    p["lps"]["establishment_state"] = p["diploma"]["country"] = country
    return p


# The routes of issue 20: a request out of scope (automatic recognition) and an accès partiel (region IDF).
OUT_OF_SCOPE = {"reason": "reconnaissance_automatique", "basis": "liste", "country": "BE", "reference_date": "1979-06-29",
                "order": "ORDRE-INF", "on": "2026-05-20", "note": None}
AVIS_PARTIEL = [{"body": "commission", "requested_on": None, "given_on": "2026-07-02", "opinion": "favorable", "note": None},
                {"body": "ordre", "requested_on": "2026-06-01", "given_on": "2026-07-20", "opinion": "favorable", "note": None}]
CONVENTION = {
    "reference": "EPS-2026-0000123", "authority": "ORDRE-INF", "source": "eps", "read_only": False, "regime": "autorisation",
    "state": "refusee", "urgent": False, "filed_on": "2026-10-01", "octroi_on": "2027-01-10", "object": "conseil_expertise",
    "company": {"name": "Laboratoires Élan", "siret": "73282932000074", "address": "12 quai Perrache, Lyon"},
    "beneficiaries": [], "avantages": [],
    "decision": {"kind": "refus", "decided_on": "2026-11-02", "motifs": "Rémunération disproportionnée : 3 200 € pour une "
                 "demi-journée de conseil, au-delà de toute rémunération raisonnable du service rendu (code de la santé publique, "
                 "art. L.1453-7)."},
    "events": [{"on": "2026-10-01", "kind": "receipt", "note": None}, {"on": "2026-10-03", "kind": "acknowledged", "note": None},
               {"on": "2026-11-02", "kind": "decision", "note": "refus"}],
    "recommandations": [{"on": "2026-10-05", "text": "Préciser le programme horaire."},
                        {"on": "2026-10-05", "text": "Ramener l'hébergement à une nuit par manifestation."}],
}
EPS_STATES = {"accuse_reception": "recue", "incomplet": "incomplete", "autorisation": "autorisee", "refus": "refusee",
              "recommandations": "recommandations", "urgence_non_justifiee": "urgence_non_justifiee",
              "attestation_tacite": "autorisee_tacitement"}

# The same letters for other applicants: each civilité, countries that take « au » and « aux ».
APPLICANTS = {
    "F-BE": ({"last_name": "Nguyễn", "first_names": "Élodie Bérénice", "sex": "F"}, "Belgique"),
    "M-CA": ({"last_name": "Tremblay", "first_names": "Jérôme", "sex": "M"}, "Canada"),
    "M-US": ({"last_name": "O'Brien", "first_names": "Sean", "sex": "M"}, "US"),
    "F-NL": ({"last_name": "de Vries", "first_names": "Anouk", "sex": "F"}, "Pays-Bas"),
}


def aude_payload(kind: str, applicant: str = "F-BE") -> dict:
    if kind in LPS_STATES:
        return lps_payload(kind, applicant)
    p = copy.deepcopy(DOSSIER)
    p["state"], p["decision"] = copy.deepcopy(AUDE_STATES[kind])
    who, country = APPLICANTS[applicant]
    p["applicant"].update(who)
    p["diploma"]["country"] = country
    if kind == "attestation_ass":
        p["profession"] = "assistant_service_social"
        p["diploma"]["title"] = "Bachelier assistant social"
    if kind == "information_hors_champ":
        p.update(out_of_scope=copy.deepcopy(OUT_OF_SCOPE), closed_on="2026-05-20")
    if kind in ("demande_avis_partiel", "decision_acces_partiel"):
        p.update(acces_partiel=True, region="IDF", reference="AUDE-2026-IDF-000007", avis_partiel=copy.deepcopy(AVIS_PARTIEL))
        if kind == "demande_avis_partiel":  # the commission has spoken; the order's opinion is asked on 1 June 2026
            p["avis_partiel"][1].update(given_on=None, opinion=None)
            p["clock_events"] = [*EVENTS[:2], {"on": "2026-05-12", "kind": "complete", "note": None}]
    if kind == "convocation_epreuve":  # the decision was delivered on 15 September 2026, the épreuve chosen
        p["clock_events"] = [*EVENTS, {"on": "2026-09-10", "kind": "decision", "note": "mesures_compensation"},
                             {"on": "2026-09-15", "kind": "notified", "note": "", "letter": "aude.decision_mesures"}]
        p["epreuve_session"] = copy.deepcopy(SESSION)
    return p


def eps_payload(kind: str) -> dict:
    p = copy.deepcopy(CONVENTION) | {"state": EPS_STATES[kind]}
    receipt = [{"on": "2026-10-01", "kind": "receipt", "note": None}]
    if kind in ("accuse_reception", "urgence_non_justifiee"):
        p.update(decision=None, events=receipt + ([{"on": "2026-10-05", "kind": "urgency_refused",
                                                   "note": "La manifestation a lieu le 10 janvier 2027 : le délai ordinaire "
                                                           "de deux mois permet une décision avant cette date."}]
                                                  if kind == "urgence_non_justifiee" else []))
    if kind == "autorisation":
        p.update(decision={"kind": "autorisation", "decided_on": "2026-11-02", "motifs": ""},
                 events=receipt + [{"on": "2026-11-02", "kind": "decision", "note": "autorisation"}])
    if kind == "recommandations":
        p.update(regime="declaration", decision=None,
                 events=receipt + [{"on": "2026-10-03", "kind": "registered", "note": None},
                                   {"on": "2026-10-05", "kind": "recommandations", "note": None}])
    if kind == "incomplet":
        p["events"] = p["events"][:1] + [{"on": "2026-10-10", "kind": "incomplete",
                                          "note": "Programme de la manifestation\nJustificatif du montant des honoraires"}]
    if kind == "attestation_tacite":  # no decision within the two months
        p.update(filed_on="2026-09-01", decision=None,
                 events=[{"on": "2026-09-01", "kind": "receipt", "note": None}, {"on": "2026-09-03", "kind": "acknowledged", "note": None}])
    return p


def sample_settings(procedure: str = "aude"):
    """Letter settings of a fictitious service (gallery, demo, tests, bench): every required one is set."""
    from aude_desktop.settings import Settings

    if procedure == "eps":
        return Settings(service_name="Service des conventions d'avantages", service_address="228 rue du Faubourg Saint-Martin ; 75010 Paris",
                        service_phone="01 53 89 32 00", service_email="conventions@exemple-ordre.fr",
                        service_hours="du lundi au vendredi, de 9 h à 17 h", officer_position="Juriste instructeur",
                        officer_phone="01 53 89 32 17", officer_email="instruction.eps@exemple-ordre.fr",
                        signatory_first_name="Paul", signatory_last_name="LEROY", signatory_position="Secrétaire général")
    return Settings(service_name="Pôle autorisations d'exercice", service_address="5 esplanade Compans-Caffarelli ; 31000 Toulouse",
                    service_phone="05 62 89 81 00", service_email="dreets-occ.autorisations@exemple.gouv.fr",
                    service_hours="du lundi au vendredi, de 9 h à 12 h et de 14 h à 16 h 30",
                    officer_position="Gestionnaire des autorisations d'exercice", officer_phone="05 62 89 81 42",
                    officer_email="julien.petit@exemple.gouv.fr", signatory_first_name="Claire", signatory_last_name="MARTIN",
                    signatory_position="Directrice régionale adjointe")


OFFICERS = {"aude": "Julien PETIT", "eps": "Sarah BENALI"}


def sample_sender(procedure: str = "aude"):
    from aude_desktop.letters.sender import require

    return require(sample_settings(procedure), OFFICERS[procedure])


def with_demo_letterhead(settings, role: str | None):
    """The demo issues letters out of the box: the letter settings left empty take the fictitious service's."""
    from dataclasses import fields, replace

    from aude_desktop.letters.sender import REQUIRED

    sample = sample_settings("aude" if role in (None, "agent_dreets", "dgos") else "eps")
    keys = {key for key, _label, _option in REQUIRED} | {"service_email", "officer_phone", "officer_email"}
    return replace(settings, **{f.name: getattr(sample, f.name) for f in fields(settings)
                                if f.name in keys and not str(getattr(settings, f.name)).strip()})
