"""Instructing dossiers on this machine: the dossier snapshot, action forms, commission sessions and
bulk actions with partial failure — through the real encrypted store and the shared commands."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from aude_desktop.casework import forms as casework_forms
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import bulk, commission, detail, forms, queue
from aude_desktop.dossiers.models import Dossier
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier, materialize

TODAY = date(2026, 11, 23)
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
D1, D2, D3, D4 = (f"00000000-0000-4000-8000-0000000000d{n}" for n in range(1, 5))  # record ids are UUIDs


def payload(reference: str, state: str = "recu", **extra) -> dict:
    p = {
        "reference": reference, "profession": "infirmier", "specialty": None, "region": "OCC",
        "acces_partiel": False, "situation": "ue_non_reglemente", "state": state, "assigned_to": None,
        "received_on": "2026-11-02", "acknowledged_on": None, "complete_on": None, "decision": None,
        "closed_on": None,
        "applicant": {"last_name": "Nguyễn", "first_names": "Élodie"},
        "diploma": {"title": "Bachelier infirmier", "country": "Belgique"},
        "experiences": [],
        "clock_events": [{"on": "2026-11-02", "kind": "receipt", "note": None}],
    }
    p.update(extra)
    return p


def seed(store, *records):
    with store.session() as s:
        materialize(s, [("dossier", rid, 1, p) for rid, p in records])


def test_detail_shows_the_checklist_of_the_situation_the_clock_and_the_actions(store):
    seed(store, (D1, payload("AUDE-1")))
    run_command(store, AGENT, "piece.upsert", {"payload": {"dossier_id": D1, "code": "b", "label": "Pièce d'identité",
                                                          "status": "recu", "received_on": "2026-11-02"}})
    with store.session() as s:
        d = detail.load(s, D1, AGENT.login, TODAY)
    codes = [line.code for line in d.checklist]
    assert codes == list("abcdefgh")  # h: 2 years of practice for this situation; no i
    assert [line.status_label for line in d.checklist][:2] == ["Non reçue", "Reçue"]
    assert d.clock.next_date == date(2026, 12, 2)  # acknowledgement within 1 month of receipt
    assert "dossier.acknowledge" in d.actions and "dossier.close" not in d.actions
    assert d.milestones[0].label == "Réception du dossier"


def test_action_forms_turn_french_input_into_command_arguments_and_refuse_bad_input():
    form = forms.FORMS["dossier.record_epreuve"]
    assert casework_forms.to_args(form, {"marks": "12,5 ; 9", "on": date(2026, 11, 20)}) == {"marks": ["12.5", "9"], "on": "2026-11-20"}
    with pytest.raises(CommandRejected, match="n’est pas une note"):
        casework_forms.to_args(form, {"marks": "douze", "on": date(2026, 11, 20)})
    with pytest.raises(CommandRejected, match="obligatoire"):
        casework_forms.to_args(forms.FORMS["dossier.request_pieces"], {"on": date(2026, 11, 20), "reason": "  "})
    assert all(casework_forms.motif_templates()[k] for k in ("refus", "irrecevabilite", "mesures_compensation"))


def test_a_decision_with_measures_survives_the_local_store_and_the_choice_follows(store):
    record = payload("AUDE-1", state="avis_rendu", avis={"kind": "mesures_compensation", "on": "2026-11-10", "motifs": ""},
                     clock_events=[{"on": "2026-11-02", "kind": "receipt", "note": None},
                                   {"on": "2026-11-03", "kind": "acknowledged", "note": None},
                                   {"on": "2026-11-03", "kind": "complete", "note": None},
                                   {"on": "2026-11-10", "kind": "avis", "note": "mesures_compensation"}])
    record["applicant"].update(sex="F", birth_date="1990-04-12")  # the decision letter agrees with the civilité
    seed(store, (D1, record))
    run_command(store, AGENT, "dossier.decide", {"id": D1, **casework_forms.to_args(forms.FORMS["dossier.decide"], {
        "kind": "mesures_compensation", "on": date(2026, 11, 12), "motifs": "Différences en pédiatrie.",
        "measure_kind": "au_choix", "subjects": "Pédiatrie\nChirurgie", "required_level": "3", "held_level": "2"})})
    with store.session() as s:
        measures = dump_dossier(s, D1)["decision"]["measures"]
    assert measures["subjects"] == ["Pédiatrie", "Chirurgie"] and measures["required_level"] == 3
    run_command(store, AGENT, "dossier.choose_measure", {"id": D1, "choice": "epreuve", "on": "2026-11-20"})
    with store.session() as s:
        d = detail.load(s, D1, AGENT.login, TODAY)
    assert "choix du demandeur : épreuve" in d.decision
    assert d.clock.next_label.startswith("Notification à saisir")  # six months from the delivery, not the decision
    from aude_desktop.letters import register
    from aude_desktop.letters.samples import sample_settings
    from aude_desktop.store.models import User

    with store.session() as s:  # letters name the signed-in case officer
        s.add(User(login=AGENT.login, display_name="Julien PETIT", role="agent_dreets", region="OCC"))
    letter = register.issue(store, AGENT, sample_settings(), "aude", "decision_mesures", D1, date(2026, 11, 13))
    register.notify(store, AGENT, letter.letter_id, date(2026, 11, 14), "lrar")
    with store.session() as s:
        d = detail.load(s, D1, AGENT.login, TODAY)
    assert d.clock.next_label.startswith("Épreuve d’aptitude à passer au plus tard le 14 mai 2027")


def test_bulk_acknowledgements_report_per_dossier_and_queue_only_what_succeeded(store):
    seed(store, (D1, payload("AUDE-1")), (D2, payload("AUDE-2", state="clos")), (D3, payload("AUDE-3")))
    seen = []
    report = bulk.acknowledge(store, AGENT, [D1, D2, D3, "absent"], date(2026, 11, 20),
                              on_progress=lambda done, total: seen.append((done, total)) or True)
    assert [(i.reference, i.ok) for i in report.items] == [("AUDE-1", True), ("AUDE-2", False), ("AUDE-3", True), ("absent", False)]
    assert "Action impossible" in report.items[1].message and "Introuvable" in report.items[3].message
    assert report.summary() == "Accusés de réception : 2 réussi(s), 2 refusé(s)."
    assert seen[-1] == (4, 4)
    with store.session() as s:
        queued = s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.name == "dossier.acknowledge")).all()
        assert sorted(queued) == [D1, D3]
        d1 = dump_dossier(s, D1)
        assert d1["state"] == "incomplet"  # nothing but pièce b was received: the others are listed
        assert "g) Programme détaillé" in d1["clock_events"][-1]["note"]
        assert s.get(Dossier, D2).state == "clos"  # untouched


def test_bulk_can_be_cancelled_and_keeps_what_was_done(store):
    seed(store, *[(f"00000000-0000-4000-8000-0000000000d{i}", payload(f"AUDE-{i}")) for i in range(5)])
    report = bulk.assign(store, AGENT, [f"00000000-0000-4000-8000-0000000000d{i}" for i in range(5)], "agent.occ", on_progress=lambda done, _t: done < 2)
    assert report.cancelled and report.succeeded == 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Dossier).where(Dossier.assigned_to == "agent.occ")) == 2


def test_commission_session_agenda_and_the_avis_of_the_whole_session(store):
    complete = dict(state="complet", complete_on="2026-11-03", acknowledged_on="2026-11-03",
                    clock_events=[{"on": "2026-11-02", "kind": "receipt", "note": None},
                                  {"on": "2026-11-03", "kind": "acknowledged", "note": None},
                                  {"on": "2026-11-03", "kind": "complete", "note": None}])
    ass = copy.deepcopy(payload("AUDE-ASS", **complete))
    ass["profession"] = "assistant_service_social"
    seed(store, (D1, payload("AUDE-1", **complete)), (D2, payload("AUDE-2", **complete)), (D3, payload("AUDE-3")), (D4, ass))
    with pytest.raises(CommandRejected, match="ne passe pas en commission"):
        run_command(store, AGENT, "commission.create", {"payload": {"profession": "assistant_service_social", "region": "OCC", "session_on": "2026-12-10"}})
    with pytest.raises(CommandRejected, match="autre région"):
        run_command(store, AGENT, "commission.create", {"payload": {"profession": "infirmier", "region": "IDF", "session_on": "2026-12-10"}})
    session_id = run_command(store, AGENT, "commission.create",
                             {"payload": {"profession": "infirmier", "region": "OCC", "session_on": "2026-12-10", "place": "Toulouse"}})
    with store.session() as s:
        assert commission.upcoming_choices(s, "infirmier", TODAY) == [(session_id, "10 décembre 2026 · Infirmier (soins généraux) — Toulouse")]
    report = bulk.schedule(store, AGENT, [D1, D2, D3, D4], session_id)
    assert [i.ok for i in report.items] == [True, True, False, False]
    assert "autre profession" not in report.items[3].message and "profession" in report.items[3].message
    with store.session() as s:
        assert commission.agenda(s, session_id) == [D1, D2]
        assert queue.count(s, queue.QueueFilter(session_id=session_id), TODAY) == 2
    report = bulk.record_session_avis(store, AGENT, {D1: ("favorable", ""), D2: ("inconnu", "")}, date(2026, 12, 10))
    assert [i.ok for i in report.items] == [True, False] and "Avis inconnu" in report.items[1].message
    with store.session() as s:
        assert s.get(Dossier, D1).state == "avis_rendu" and s.get(Dossier, D2).state == "en_commission"


def test_requests_for_pieces_are_listed_with_their_resolution(store):
    events = [{"on": "2026-11-02", "kind": "receipt", "note": None},
              {"on": "2026-11-03", "kind": "acknowledged", "note": None},
              {"on": "2026-11-03", "kind": "pieces_requested", "note": "g) Programme détaillé"},
              {"on": "2026-11-10", "kind": "pieces_received", "note": None},
              {"on": "2026-11-10", "kind": "complete", "note": None},
              {"on": "2026-11-12", "kind": "pieces_requested", "note": "f) Attestation de moins d'un an"}]
    seed(store, (D1, payload("AUDE-1", state="incomplet", clock_events=events)))
    with store.session() as s:
        d = detail.load(s, D1, AGENT.login, TODAY)
    assert d.piece_requests == [(date(2026, 11, 3), "g) Programme détaillé", date(2026, 11, 10)),
                                (date(2026, 11, 12), "f) Attestation de moins d'un an", None)]
    assert d.clock.status == "suspended"
