"""The libre prestation de services route on a real encrypted store: the declaration registered from the
form's values (same identity and region rules as an autorisation), its own guarded steps, silence making
the service possible, the RPPS facts, its queue, and supervision counting it apart."""

from __future__ import annotations

from datetime import date

import pytest

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import filing, intake, lps
from aude_desktop.dossiers import queue as aude_queue
from aude_desktop.dossiers.detail import load
from aude_desktop.supervision.export import describe
from aude_desktop.supervision.overview import compute
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier

TODAY = date(2026, 11, 26)
AGENT = Actor("agent.occ", "agent_dreets", "OCC")


def declaration(**changes) -> dict:
    values = dict(route="lps", civility="M", last_name="Müller", first_names="Jürgen", birth_date="1985-06-01",
                  nationality="allemande", profession="ergotherapeute", diploma_title="Staatlich anerkannter Ergotherapeut",
                  diploma_country="Allemagne", received_on="2026-10-11", region="OCC", establishment_state="Allemagne",
                  service_start="2027-01-04", service_end="2027-01-29", service_place="Clinique du Parc, Montpellier",
                  service_postal_code="34000", service_nature="Remplacement", pieces_received=["a", "b", "c"])
    values.update(changes)
    return values


def register(store, values: dict) -> str:
    dossier_id, payload, codes = filing.build(values, TODAY, agent_region="OCC")
    with store.session() as s:
        intake.register(s, AGENT, dossier_id, payload, codes)
    return dossier_id


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"establishment_state": ""}, "establishment_state", "champ obligatoire"),
    ({"service_end": "2026-12-01"}, "service_end", "précède son début"),
    ({"situation": "ue_reglemente"}, "situation", "sans objet"),
    ({"route": "autre"}, "route", "procédure inconnue"),
    ({"region": "BRE"}, "region_reason", "Occitanie"),  # the service is in Hérault
    ({"pieces_received": ["h"]}, "pieces_received", "non prévue"),
])
def test_bad_declarations_are_refused_naming_the_field(changes, field, words):
    with pytest.raises(intake.IntakeRefused) as refused:
        filing.build(declaration(**changes), TODAY, agent_region="OCC")
    assert refused.value.field == field and words in refused.value.message


def test_lps_fields_on_an_autorisation_request_are_refused():
    values = {k: v for k, v in declaration().items() if k != "route"} | {"situation": "ue_reglemente"}
    with pytest.raises(intake.IntakeRefused, match="libre prestation"):
        filing.build(values, TODAY)


def test_partial_access_declarations_go_to_the_region_the_rules_name():
    _id, payload, _codes = filing.build(declaration(acces_partiel=True, region="IDF"), TODAY, agent_region="IDF")
    assert payload["region"] == "IDF"
    with pytest.raises(intake.IntakeRefused, match="Île-de-France"):
        filing.build(declaration(acces_partiel=True), TODAY, agent_region="OCC")


def test_a_declaration_is_registered_with_its_pieces_clock_and_steps(store):
    dossier_id = register(store, declaration())
    with store.session() as s:
        detail = load(s, dossier_id, AGENT.login, TODAY)
        p = dump_dossier(s, dossier_id)
    assert p["route"] == "lps" and p["state"] == "lps_recue" and p["lps"]["establishment_state"] == "Allemagne"
    assert detail.state_label == "Déclaration LPS reçue"
    assert [(line.code, line.status) for line in detail.checklist][:4] == [("a", "recu"), ("b", "recu"), ("c", "recu"), ("d", None)]
    # 11 October + 1 month = 11 November (Armistice): Thursday 12 November; today the silence has run.
    assert detail.clock.next_date == date(2026, 11, 12) and "silence" in detail.clock.next_label
    assert "lps.start_verification" in detail.actions and "dossier.acknowledge" not in detail.actions
    assert "Clinique du Parc" in detail.decision
    assert lps.registration_facts(p, TODAY) == {"decision_kind": "lps", "decision_date": "2026-11-12"}


def test_steps_are_guarded_and_the_autorisation_steps_refused(store):
    dossier_id = register(store, declaration(received_on="2026-11-20"))
    with pytest.raises(CommandRejected, match="autorisation d'exercice"):
        run_command(store, AGENT, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-21"})
    with pytest.raises(CommandRejected, match="pas expiré"):
        run_command(store, AGENT, "lps.record_silence", {"id": dossier_id, "on": "2026-11-26"})
    with pytest.raises(CommandRejected, match="n'est possible que pour une déclaration"):
        run_command(store, AGENT, "lps.impose_epreuve", {"id": dossier_id, "on": "2026-11-22"})
    run_command(store, AGENT, "lps.start_verification", {"id": dossier_id, "on": "2026-11-21"})
    with pytest.raises(CommandRejected, match="motivée"):
        run_command(store, AGENT, "lps.impose_epreuve", {"id": dossier_id, "on": "2026-11-24", "subjects": ["Pédiatrie"]})
    run_command(store, AGENT, "lps.impose_epreuve", {"id": dossier_id, "on": "2026-11-24", "subjects": ["Pédiatrie"],
                                                     "motifs": "Absence d'enseignement de pédiatrie."})
    with store.session() as s:
        p = dump_dossier(s, dossier_id)
    assert p["state"] == "lps_epreuve" and lps.registration_facts(p, TODAY) is None
    # 24 November 2026 + 1 month = Thursday 24 December 2026.
    assert lps.clock(p, TODAY).next_date == date(2026, 12, 24)
    run_command(store, AGENT, "lps.record_epreuve", {"id": dossier_id, "on": "2026-12-10", "passed": True})
    with store.session() as s:
        p = dump_dossier(s, dossier_id)
    assert p["state"] == "lps_prestation_possible"
    assert lps.registration_facts(p, TODAY) == {"decision_kind": "lps", "decision_date": "2026-12-10"}


def test_nurses_are_not_checked_before_the_first_service(store):
    dossier_id = register(store, declaration(profession="infirmier", diploma_title="Krankenpfleger"))
    with store.session() as s:
        assert "lps.start_verification" not in load(s, dossier_id, AGENT.login, TODAY).actions
    with pytest.raises(CommandRejected, match="reconnaissance automatique"):
        run_command(store, AGENT, "lps.start_verification", {"id": dossier_id, "on": "2026-10-12"})


def test_silence_is_recorded_at_its_legal_date_and_lps_steps_refuse_autorisation_requests(store):
    dossier_id = register(store, declaration())
    run_command(store, AGENT, "lps.record_silence", {"id": dossier_id, "on": "2026-11-26"})
    with store.session() as s:
        p = dump_dossier(s, dossier_id)
    assert p["lps"]["outcome"] == {"kind": "silence", "on": "2026-11-12"}
    other = register(store, {k: v for k, v in declaration().items() if k not in intake.LPS_LABELS and k != "route"}
                     | {"situation": "ue_reglemente", "postal_code": "34000", "last_name": "Autre"})
    with pytest.raises(CommandRejected, match="libre prestation"):
        run_command(store, AGENT, "lps.inform", {"id": other, "on": "2026-11-26", "kind": "sans_verification"})
    with pytest.raises(CommandRejected, match="autre région"):
        run_command(store, Actor("agent.bre", "agent_dreets", "BRE"), "lps.close", {"id": dossier_id, "on": "2026-11-26"})


def test_queue_and_supervision_count_declarations_apart(store):
    register(store, declaration())
    register(store, {k: v for k, v in declaration().items() if k not in intake.LPS_LABELS and k != "route"}
             | {"situation": "ue_reglemente", "postal_code": "34000", "last_name": "Autre"})
    with store.session() as s:
        assert aude_queue.count(s, aude_queue.QueueFilter(route="lps"), TODAY) == 1
        rows = aude_queue.page(s, aude_queue.QueueFilter(route="lps"), TODAY)
        figures = compute(s, TODAY)
    assert rows[0].state == "Déclaration LPS reçue" and rows[0].deadline_status == "overdue"
    assert figures.aude_by_region["OCC"].total == 1 and figures.lps_by_region["OCC"].total == 1
    assert figures.lps_by_region["OCC"].open == 1 and figures.lps_by_region["OCC"].implicit == 1  # silence has run
    assert figures.as_json()["lps"]["by_profession"]["ergotherapeute"]["total"] == 1
    assert describe(aude_queue.QueueFilter(route="lps")) == "procédure : Déclaration préalable (LPS)"  # an export's first row


def test_a_test_cannot_be_imposed_once_silence_made_the_service_possible(store):
    dossier_id = register(store, declaration())  # received 11 October: the month ran out on 12 November
    run_command(store, AGENT, "lps.start_verification", {"id": dossier_id, "on": "2026-10-12"})
    with pytest.raises(CommandRejected, match="expiré le 12 novembre 2026"):
        run_command(store, AGENT, "lps.impose_epreuve", {"id": dossier_id, "on": "2026-11-13", "subjects": ["Pédiatrie"],
                                                         "motifs": "Différence substantielle."})
    # A difficulty notified within the first month gives a second one (until Friday 11 December 2026).
    run_command(store, AGENT, "lps.notify_delay", {"id": dossier_id, "on": "2026-11-05", "reason": "Attestation illisible"})
    run_command(store, AGENT, "lps.impose_epreuve", {"id": dossier_id, "on": "2026-11-13", "subjects": ["Pédiatrie"],
                                                     "motifs": "Différence substantielle."})
    with pytest.raises(CommandRejected, match="une seule fois|n'est possible que"):
        run_command(store, AGENT, "lps.notify_delay", {"id": dossier_id, "on": "2026-11-14", "reason": "Encore"})


def test_a_declaration_sent_to_the_wrong_region_moves_before_any_check(store):
    dossier_id = register(store, declaration())
    with store.session() as s:
        assert "dossier.move_region" in load(s, dossier_id, AGENT.login, TODAY).actions
    run_command(store, AGENT, "dossier.move_region", {"id": dossier_id, "region": "NAQ", "reason": "Prestation à Bordeaux"})
    with store.session() as s:
        assert dump_dossier(s, dossier_id)["region"] == "NAQ"
    other = register(store, declaration(last_name="Schmidt"))
    run_command(store, AGENT, "lps.start_verification", {"id": other, "on": "2026-10-12"})
    with pytest.raises(CommandRejected, match="changer de région"):
        run_command(store, AGENT, "dossier.move_region", {"id": other, "region": "NAQ", "reason": "Bordeaux"})
