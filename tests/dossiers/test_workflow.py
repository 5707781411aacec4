"""The AUDE state machine: every transition allowed or refused from every state, dates guarded."""

from __future__ import annotations

import copy

import pytest

from aude_desktop.dossiers import workflow
from aude_desktop.dossiers.states import DossierState
from aude_desktop.dossiers.workflow import TRANSITIONS, TransitionRefused, apply, available

S = DossierState

BASE = {
    "reference": "AUDE-2026-OCC-000001", "profession": "infirmier", "region": "OCC", "state": "recu",
    "received_on": "2026-03-02", "acknowledged_on": None, "complete_on": None, "closed_on": None,
    "decision": None, "clock_events": [{"on": "2026-03-02", "kind": "receipt", "note": None}],
}

# Valid arguments for each transition, used to walk a dossier through its life.
ARGS = {
    "dossier.acknowledge": {"on": "2026-03-10"},
    "dossier.request_pieces": {"on": "2026-03-20", "reason": "Pièce g : programme de formation"},
    "dossier.receive_pieces": {"on": "2026-04-01"},
    "dossier.schedule_commission": {"on": "2026-05-01", "session_on": "2026-05-15", "session_id": "s1"},
    "dossier.record_avis": {"on": "2026-05-15", "kind": "mesures_compensation", "motifs": "Pédiatrie"},
    "dossier.propose_decision": {"on": "2026-05-20", "kind": "autorisation"},
    "dossier.decide": {"on": "2026-06-01", "kind": "mesures_compensation", "motifs": "Différences substantielles",
                       "measure_kind": "au_choix", "subjects": ["Pédiatrie"]},
    "dossier.choose_measure": {"on": "2026-06-20", "choice": "epreuve"},
    "dossier.record_epreuve": {"on": "2026-09-01", "marks": ["12", "7"]},  # one mark below 8: failed
    "dossier.record_stage": {"on": "2026-12-01", "validated": True},
    "dossier.close": {"on": "2026-12-15"},
    "dossier.close_out_of_scope": {"on": "2026-03-12"},
    "dossier.request_avis_partiel": {"on": "2026-03-12", "body": "ordre"},
    "dossier.record_avis_partiel": {"on": "2026-04-12", "body": "commission", "opinion": "favorable"},
}
LISTED = {"situation": "ue_reglemente", "diploma": {"title": "Bachelier infirmier", "country": "BE", "obtained_on": "2015-06-30"}}


def dossier_in(state: DossierState) -> dict:
    """A realistic dossier in `state`, built by walking the real transitions."""
    p = copy.deepcopy(BASE)
    path = {
        S.RECU: [],
        S.COMPLET: ["dossier.acknowledge"],
        S.INCOMPLET: ["dossier.acknowledge", "dossier.request_pieces"],
        S.EN_COMMISSION: ["dossier.acknowledge", "dossier.schedule_commission"],
        S.AVIS_RENDU: ["dossier.acknowledge", "dossier.schedule_commission", "dossier.record_avis"],
        S.MESURES_COMPENSATION: ["dossier.acknowledge", "dossier.schedule_commission", "dossier.record_avis", "dossier.decide"],
        S.AUTORISE: ["dossier.acknowledge", "dossier.schedule_commission", "dossier.record_avis", "dossier.decide", "dossier.record_stage"],
        S.REFUSE: ["dossier.acknowledge", "dossier.schedule_commission", "dossier.record_avis", "dossier.decide", "dossier.record_epreuve"],
        S.IRRECEVABLE: [],
        S.CLOS: ["dossier.acknowledge", "dossier.schedule_commission", "dossier.record_avis", "dossier.decide", "dossier.record_stage", "dossier.close"],
        S.HORS_CHAMP: ["dossier.close_out_of_scope"],
    }[state]
    if state is S.HORS_CHAMP:
        p.update(copy.deepcopy(LISTED))
    for name in path:
        p = apply(name, p, ARGS[name])
    if state is S.IRRECEVABLE:
        p = apply("dossier.decide", p, {"on": "2026-03-05", "kind": "irrecevabilite", "motifs": "Titre hors UE"})
    assert p["state"] == state
    return p


ALL = [(state, name) for state in S for name in TRANSITIONS]


@pytest.mark.parametrize(("state", "name"), ALL, ids=[f"{s.value}-{n}" for s, n in ALL])
def test_every_transition_from_every_state(state, name):
    payload = dossier_in(state)
    allowed_states, _ = TRANSITIONS[name]
    before = copy.deepcopy(payload)
    if state in allowed_states and workflow.APPLIES[name](payload):
        assert name in available(payload)
    elif state in allowed_states:  # not for this profession: not offered, and refused in French
        assert name not in available(payload)
        with pytest.raises(TransitionRefused) as excinfo:
            apply(name, payload, ARGS[name])
        assert excinfo.value.code in ("reserve_ass", "sans_commission", "hors_champ_non_etabli", "reserve_acces_partiel")
    else:
        assert name not in available(payload)
        with pytest.raises(TransitionRefused) as excinfo:
            apply(name, payload, ARGS[name])
        assert excinfo.value.code == "transition_interdite"
        assert "Action impossible" in excinfo.value.message
    assert payload == before  # the caller's payload is never modified


def test_full_life_with_epreuve_passed():
    p = dossier_in(S.MESURES_COMPENSATION)
    p = apply("dossier.choose_measure", p, ARGS["dossier.choose_measure"])
    p = apply("dossier.record_epreuve", p, {"on": "2026-09-01", "marks": ["12", "10"]})
    assert p["state"] == S.AUTORISE and p["epreuve"]["passed"] and p["epreuve"]["average"] == "11.00"
    p = apply("dossier.close", p, ARGS["dossier.close"])
    assert p["state"] == S.CLOS
    kinds = [e["kind"] for e in p["clock_events"]]
    assert kinds == ["receipt", "acknowledged", "complete", "commission", "avis", "decision", "measure_chosen", "epreuve_passed", "closed"]


@pytest.mark.parametrize(
    ("marks", "passed"),
    [(["10", "10"], True), (["9.99", "10"], False), (["12", "7.99"], False), (["20", "8"], True)],
)
def test_epreuve_pass_rule(marks, passed):
    p = apply("dossier.record_epreuve", dossier_in(S.MESURES_COMPENSATION), {"on": "2026-09-01", "marks": marks})
    assert p["epreuve"]["passed"] is passed


@pytest.mark.parametrize("mark", ["-1", "20.5", "abc", "NaN"])
def test_mark_outside_scale_is_refused(mark):
    with pytest.raises(TransitionRefused) as excinfo:
        apply("dossier.record_epreuve", dossier_in(S.MESURES_COMPENSATION), {"on": "2026-09-01", "marks": [mark]})
    assert excinfo.value.code == "note_invalide"
    assert "0 et 20" in excinfo.value.message


def test_repeated_pieces_requests_each_restart_completeness():
    p = dossier_in(S.COMPLET)
    for request, receipt in [("2026-03-20", "2026-04-01"), ("2026-04-10", "2026-05-02")]:
        p = apply("dossier.request_pieces", p, {"on": request, "reason": "pièce f"})
        p = apply("dossier.receive_pieces", p, {"on": receipt})
        assert p["complete_on"] == receipt


@pytest.mark.parametrize(
    ("state", "name", "args", "code", "words"),
    [
        (S.RECU, "dossier.acknowledge", {"on": "2026-03-01"}, "date_incoherente", "ne peut pas précéder"),
        (S.RECU, "dossier.acknowledge", {"on": "31/03/2026"}, "date_invalide", "AAAA-MM-JJ"),
        (S.INCOMPLET, "dossier.receive_pieces", {"on": "2026-03-19"}, "date_incoherente", "leur demande"),
        (S.COMPLET, "dossier.request_pieces", {"on": "2026-03-20", "reason": " "}, "motif_requis", "pièces demandées"),
        (S.EN_COMMISSION, "dossier.record_avis", {"on": "2026-05-14", "kind": "favorable"}, "date_incoherente", "séance"),
        (S.EN_COMMISSION, "dossier.record_avis", {"on": "2026-05-15", "kind": "bof"}, "avis_invalide", "Avis inconnu"),
        (S.AVIS_RENDU, "dossier.decide", {"on": "2026-05-14", "kind": "autorisation"}, "date_incoherente", "l'avis"),
        (S.AVIS_RENDU, "dossier.decide", {"on": "2026-06-01", "kind": "refus", "motifs": ""}, "motifs_requis", "L.211-2"),
        (S.AVIS_RENDU, "dossier.decide", {"on": "2026-06-01", "kind": "mesures_compensation", "motifs": "x", "measure_kind": "epreuve"}, "matieres_requises", "matières"),
        (S.COMPLET, "dossier.decide", {"on": "2026-06-01", "kind": "autorisation"}, "avis_requis", "avant l'avis"),
        (S.COMPLET, "dossier.record_avis", {"on": "2026-06-01", "kind": "favorable"}, "commission_requise", "séance"),
    ],
)
def test_bad_input_is_refused_in_french(state, name, args, code, words):
    payload = dossier_in(state)
    with pytest.raises(TransitionRefused) as excinfo:
        apply(name, payload, args)
    assert excinfo.value.code == code
    assert words in excinfo.value.message


def test_ass_has_no_commission_but_a_technical_opinion():
    p = copy.deepcopy(BASE) | {"profession": "assistant_service_social"}
    p = apply("dossier.acknowledge", p, {"on": "2026-03-10"})
    with pytest.raises(TransitionRefused) as excinfo:
        apply("dossier.schedule_commission", p, ARGS["dossier.schedule_commission"])
    assert excinfo.value.code == "sans_commission"
    assert "dossier.schedule_commission" not in available(p)
    p = apply("dossier.record_avis", p, {"on": "2026-04-01", "kind": "favorable"})
    assert "dossier.propose_decision" in available(p)
    with pytest.raises(TransitionRefused, match="ne peut pas précéder"):
        apply("dossier.propose_decision", p, {"on": "2026-03-20", "kind": "autorisation"})
    p = apply("dossier.propose_decision", p, {"on": "2026-04-05", "kind": "autorisation", "motifs": "Avis favorable de l'IRTS"})
    assert p["proposition"] == {"kind": "autorisation", "on": "2026-04-05", "motifs": "Avis favorable de l'IRTS"}
    p = apply("dossier.decide", p, {"on": "2026-04-15", "kind": "autorisation"})
    assert p["state"] == S.AUTORISE


def test_unknown_transition():
    with pytest.raises(TransitionRefused) as excinfo:
        apply("dossier.teleport", dossier_in(S.RECU), {})
    assert excinfo.value.code == "transition_inconnue"


def test_registry_names_are_the_documented_commands():
    assert set(workflow.TRANSITIONS) == set(ARGS)
