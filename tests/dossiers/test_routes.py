"""The other routes of a request (issue 20): automatic recognition screening (« hors champ ») and the
accès partiel with the opinions of the commission and of the order — rules, refusals in French, clocks
with dates checked by hand."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from aude_desktop.dossiers import partial_access, screening
from aude_desktop.dossiers.workflow import TransitionRefused, apply, available
from aude_desktop.rules.deadlines import aude_clock

RECEIVED = [{"on": "2026-03-02", "kind": "receipt", "note": None}]
NURSE = {
    "reference": "AUDE-2026-OCC-000001", "profession": "infirmier", "specialty": None, "region": "OCC", "state": "recu",
    "situation": "ue_reglemente", "acces_partiel": False, "received_on": "2026-03-02", "acknowledged_on": None,
    "complete_on": None, "closed_on": None, "decision": None, "clock_events": RECEIVED,
    "diploma": {"title": "Bachelier infirmier responsable de soins généraux", "country": "Belgique", "obtained_on": "2015-06-30"},
}


def nurse(**changes) -> dict:
    p = copy.deepcopy(NURSE)
    diploma = changes.pop("diploma", {})
    p.update(changes)
    p["diploma"].update(diploma)
    return p


@pytest.mark.parametrize(("changes", "basis"), [
    ({}, "liste"),
    ({"diploma": {"country": "BE"}}, "liste"),  # the ISO code or the French name
    ({"diploma": {"country": "Roumanie", "obtained_on": "2009-12-31"}}, "droits_acquis"),  # reference 1 Jan. 2007 + 3 years
    ({"diploma": {"country": "Roumanie", "obtained_on": "2010-01-01"}}, "liste"),
    ({"diploma": {"country": "Espagne", "obtained_on": "1988-06-30"}}, "droits_acquis"),  # training begun before 1 Jan. 1986
    ({"diploma": {"country": "Suisse", "obtained_on": "2020-06-30"}}, "liste"),
    ({"diploma": {"country": "Canada"}}, None),  # not a Member State
    ({"diploma": {"country": "Royaume-Uni"}}, None),  # left the Union: not in the table
    ({"diploma": {"obtained_on": None}}, None),  # the date decides: no proposal without it
    ({"profession": "masseur_kinesitherapeute"}, None),  # general system, not automatic recognition
    ({"specialty": "IBODE"}, None),  # a speciality is not the general-care title
    ({"situation": "tiers_reconnu"}, None),  # third-country title recognised by a Member State
])
def test_screening_reads_the_annex_v_table(changes, basis):
    found = screening.screen_payload(nurse(**changes))
    assert (found.basis if found else None) == basis


def test_uncertain_cells_are_said_in_the_proposal():
    swiss = screening.screen_payload(nurse(diploma={"country": "CH", "obtained_on": "2020-06-30"}))
    assert swiss.reference_date == date(2002, 6, 1) and "reference_date" in swiss.uncertain
    assert "Données à vérifier : intitulés des titres, date de référence." in swiss.message
    belgian = screening.screen_payload(nurse())
    assert "annexe V, point 5.2.2" in belgian.message and "29 juin 1979" in belgian.message


def test_close_out_of_scope_stops_every_clock():
    p = nurse()
    assert "dossier.close_out_of_scope" in available(p)
    closed = apply("dossier.close_out_of_scope", p, {"on": "2026-03-10"})
    assert closed["state"] == "hors_champ" and closed["closed_on"] == "2026-03-10"
    assert closed["out_of_scope"] == {"reason": "reconnaissance_automatique", "basis": "liste", "country": "BE",
                                      "reference_date": "1979-06-29", "order": "ORDRE-INF", "on": "2026-03-10", "note": ""}
    clock = aude_clock(closed["clock_events"], "infirmier", "OCC", date(2026, 11, 26))
    assert clock.next_date is None and clock.next_label == "Dossier clos"  # no acknowledgement due, no implicit decision
    assert available(closed) == []


def test_close_out_of_scope_refusals_in_french():
    with pytest.raises(TransitionRefused, match="n'est pas établie") as refused:
        apply("dossier.close_out_of_scope", nurse(diploma={"country": "Canada"}), {"on": "2026-03-10"})
    assert refused.value.code == "hors_champ_non_etabli"
    with pytest.raises(TransitionRefused, match="droits acquis"):
        apply("dossier.close_out_of_scope", nurse(diploma={"country": "ES", "obtained_on": "1988-06-30"}), {"on": "2026-03-10"})
    assert apply("dossier.close_out_of_scope", nurse(diploma={"country": "ES", "obtained_on": "1988-06-30"}),
                 {"on": "2026-03-10", "acquired_rights_checked": True})["out_of_scope"]["basis"] == "droits_acquis"
    with pytest.raises(TransitionRefused, match="ne peut pas précéder"):
        apply("dossier.close_out_of_scope", nurse(), {"on": "2026-03-01"})
    with pytest.raises(TransitionRefused, match="accès partiel"):
        apply("dossier.close_out_of_scope", nurse(acces_partiel=True, region="IDF"), {"on": "2026-03-10"})
    decided = nurse(state="avis_rendu")
    with pytest.raises(TransitionRefused, match="Action impossible"):
        apply("dossier.close_out_of_scope", decided, {"on": "2026-03-10"})


def partial(profession: str = "infirmier") -> dict:
    p = nurse(acces_partiel=True, region="IDF", profession=profession, diploma={"country": "DE"})
    return apply("dossier.acknowledge", p, {"on": "2026-03-10"})


ACCESS = {"kind": "acces_partiel", "on": "2026-06-01", "activities": ["Soins d'hygiène et de confort"],
          "title": "Pflegeassistent (accès partiel)"}


def test_partial_access_needs_the_commission_and_the_order():
    p = partial()
    assert {"dossier.request_avis_partiel", "dossier.record_avis_partiel"} <= set(available(p))
    with pytest.raises(TransitionRefused) as refused:
        apply("dossier.decide", p, ACCESS)
    assert refused.value.code == "avis_requis"
    assert refused.value.message == ("L'accès partiel ne peut être décidé qu'après l'avis de la commission d'autorisation "
                                     "d'exercice et l'avis du conseil national de l'ordre des infirmiers : avis manquant de la "
                                     "commission d'autorisation d'exercice et du conseil national de l'ordre des infirmiers.")
    with pytest.raises(TransitionRefused, match="Demandez d'abord l'avis du conseil national de l'ordre des infirmiers"):
        apply("dossier.record_avis_partiel", p, {"body": "ordre", "on": "2026-04-01", "opinion": "favorable"})
    with pytest.raises(TransitionRefused, match="enregistrez l'avis de chaque organe"):
        apply("dossier.record_avis", apply("dossier.schedule_commission", p, {"session_on": "2026-04-01"}),
              {"kind": "favorable", "on": "2026-04-01"})
    p = apply("dossier.request_avis_partiel", p, {"body": "ordre", "on": "2026-03-12"})
    with pytest.raises(TransitionRefused, match="déjà été demandé le 12 mars 2026"):
        apply("dossier.request_avis_partiel", p, {"body": "ordre", "on": "2026-03-13"})
    p = apply("dossier.record_avis_partiel", p, {"body": "commission", "on": "2026-04-02", "opinion": "favorable"})
    assert p["state"] == "complet"  # the order has not spoken yet
    with pytest.raises(TransitionRefused, match="déjà été rendu le 2 avril 2026"):
        apply("dossier.request_avis_partiel", p, {"body": "commission", "on": "2026-04-03"})
    with pytest.raises(TransitionRefused, match="déjà été enregistré"):
        apply("dossier.record_avis_partiel", p, {"body": "commission", "on": "2026-04-03", "opinion": "defavorable"})
    with pytest.raises(TransitionRefused, match="avis manquant du conseil national de l'ordre des infirmiers"):
        apply("dossier.decide", p, ACCESS)
    with pytest.raises(TransitionRefused, match="ne peut pas précéder"):
        apply("dossier.record_avis_partiel", p, {"body": "ordre", "on": "2026-03-11", "opinion": "favorable"})
    p = apply("dossier.record_avis_partiel", p, {"body": "ordre", "on": "2026-04-20", "opinion": "favorable", "note": "Soins de base"})
    assert p["state"] == "avis_rendu" and p["avis"] == {"kind": "favorable", "on": "2026-04-20", "motifs": "Soins de base"}
    for args, words in (({**ACCESS, "activities": []}, "Nommez les activités"), ({**ACCESS, "title": " "}, "titre professionnel"),
                        ({**ACCESS, "kind": "autorisation"}, "accès partiel, le refus ou l'irrecevabilité"),
                        ({**ACCESS, "on": "2026-04-19"}, "ne peut pas précéder")):
        with pytest.raises(TransitionRefused, match=words):
            apply("dossier.decide", p, args)
    decided = apply("dossier.decide", p, ACCESS)
    assert decided["state"] == "autorise"
    assert decided["decision"] == {"kind": "acces_partiel", "decided_on": "2026-06-01", "motifs": "",
                                   "activities": ["Soins d'hygiène et de confort"], "title": "Pflegeassistent (accès partiel)"}
    with pytest.raises(TransitionRefused, match="demande d'accès partiel"):
        apply("dossier.decide", dict(decided, acces_partiel=False, state="avis_rendu"), ACCESS)


def test_a_profession_without_order_needs_the_commission_only_and_says_it_is_uncertain():
    p = partial("ergotherapeute")
    assert partial_access.bodies_for("ergotherapeute").bodies == ("commission",)
    with pytest.raises(TransitionRefused, match="organe non prévu"):
        apply("dossier.request_avis_partiel", p, {"body": "ordre", "on": "2026-03-12"})
    p = apply("dossier.record_avis_partiel", p, {"body": "commission", "on": "2026-04-02", "opinion": "defavorable"})
    assert p["state"] == "avis_rendu" and p["avis"]["kind"] == "defavorable"
    assert "à vérifier" in partial_access.summary(p)[-1]


@pytest.mark.parametrize(("requested", "due"), [
    # 2 months from the request (rules data, uncertain), extended past weekends and holidays (OCC → IDF calendar: national)
    ("2026-11-27", date(2027, 1, 27)),  # Friday 27 Nov. 2026 → Wednesday 27 Jan. 2027
    ("2026-11-30", date(2027, 2, 1)),  # → Saturday 30 Jan. 2027 → Monday 1 Feb.
    ("2026-12-31", date(2027, 3, 1)),  # no 31 Feb.: last day, Sunday 28 Feb. 2027 → Monday 1 Mar.
    ("2027-03-08", date(2027, 5, 10)),  # → Saturday 8 May 2027 (also a holiday) → Sunday 9 → Monday 10 May
])
def test_the_order_opinion_is_expected_two_months_after_the_request(requested, due):
    p = apply("dossier.request_avis_partiel", partial(), {"body": "ordre", "on": requested})
    [pending] = partial_access.avis_deadlines(p)
    assert (pending.body, pending.requested_on, pending.due, pending.uncertain) == ("ordre", date.fromisoformat(requested), due, True)
    assert any("à vérifier" in line for line in partial_access.summary(p))
