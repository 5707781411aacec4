"""EPS instruction steps on the client (and through the same commands on the server): guards,
French refusals, the clock they feed (tacit authorisation, modified convention, urgency)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from aude_desktop.catalog import execute
from aude_desktop.conventions import workflow
from aude_desktop.domain.commands import Actor, CommandRejected

ORDER = Actor("ordre.inf", "ordre", None, "ORDRE-INF")
BASE = {
    "reference": "EPS-2026-0000001", "authority": "ORDRE-INF", "source": "eps", "read_only": False,
    "regime": "autorisation", "state": "recue", "urgent": False, "filed_on": "2026-01-05",
    "octroi_on": "2026-06-01", "decision": None, "beneficiaries": [], "avantages": [], "object": "formation",
}


C1, C2, C3 = (f"00000000-0000-4000-8000-0000000000c{n}" for n in range(1, 4))  # record ids are UUIDs


def run(name: str, p: dict, **args) -> dict:
    return execute(name, p, {"id": C1, **args}, ORDER)


def test_autorisation_path_incomplete_then_decision_and_its_clock():
    p = run("convention.start_instruction", BASE, on="2026-01-06")
    p = run("convention.declare_incomplete", p, on="2026-01-20", missing="Programme de la manifestation")
    assert workflow.clock(p, date(2026, 2, 1)).status == "suspended"
    p = run("convention.receive_pieces", p, on="2026-02-10")
    clock = workflow.clock(p, date(2026, 2, 11))
    assert clock.next_date == date(2026, 4, 10) and "Autorisation tacite le 10 avril 2026" in clock.next_label
    with pytest.raises(CommandRejected, match="doit être motivé"):
        run("convention.decide", p, kind="refus", on="2026-03-01")
    refused = run("convention.decide", p, kind="refus", on="2026-03-01", motifs="Rémunération disproportionnée.")
    assert refused["state"] == "refusee"
    assert workflow.clock(refused, date(2026, 3, 2)).status == "notification"  # the fifteen days run from the delivery
    notified = {**refused, "events": [*refused["events"], {"on": "2026-03-04", "kind": "notified", "note": "", "letter": "eps.refus"}]}
    assert workflow.clock(notified, date(2026, 3, 5)).next_label.startswith("Convention modifiée recevable jusqu'au 19 mars 2026")
    modified = run("convention.receive_modified", refused, on="2026-03-10")
    assert workflow.clock(modified, date(2026, 3, 11)).next_date == date(2026, 3, 25)  # 15 days to decide


def test_tacit_authorisation_only_once_the_period_has_passed():
    p = run("convention.start_instruction", BASE, on="2026-01-06")
    with pytest.raises(CommandRejected, match="n'est pas expiré"):
        run("convention.record_tacit", p, on="2026-03-05")
    tacit = run("convention.record_tacit", p, on="2026-03-06")
    assert tacit["state"] == "autorisee_tacitement" and tacit["events"][-1] == {"on": "2026-03-05", "kind": "tacit_authorisation", "note": None}


def test_urgency_three_weeks_unless_found_not_justified():
    urgent = dict(BASE, urgent=True)
    assert workflow.clock(urgent, date(2026, 1, 6)).next_date == date(2026, 1, 26)
    ordinary = run("convention.urgency_not_justified", urgent, on="2026-01-08")
    assert ordinary["state"] == "urgence_non_justifiee" and "convention.decide" in workflow.available(ordinary)
    assert ordinary["urgent"] is False and workflow.clock(ordinary, date(2026, 1, 9)).next_date == date(2026, 3, 5)
    with pytest.raises(CommandRejected, match="pas été déposée en urgence"):
        run("convention.urgency_not_justified", BASE, on="2026-01-08")
    reasoned = run("convention.urgency_not_justified", urgent, on="2026-01-08", motifs="  La manifestation a lieu en juin.  ")
    assert reasoned["events"][-1] == {"on": "2026-01-08", "kind": "urgency_refused", "note": "La manifestation a lieu en juin."}
    with pytest.raises(CommandRejected):  # text only: the letter prints it
        run("convention.urgency_not_justified", urgent, on="2026-01-08", motifs=["liste"])


def test_declaration_path_recommandations_and_guards():
    declaration = dict(BASE, regime="declaration")
    with pytest.raises(CommandRejected, match="qu'à une demande d'autorisation"):
        run("convention.decide", declaration, kind="autorisation", on="2026-01-10")
    p = run("convention.register", declaration, on="2026-01-06")
    with pytest.raises(CommandRejected, match="Rédigez les recommandations"):
        run("convention.recommend", p, on="2026-01-07", text=" ")
    p = run("convention.recommend", p, on="2026-01-07", text="Préciser le programme horaire de l'intervention.")
    assert p["state"] == "recommandations" and p["recommandations"][0]["text"].startswith("Préciser")
    with pytest.raises(CommandRejected, match="Action impossible"):
        run("convention.register", p, on="2026-01-08")


def test_the_instructor_decides_an_indetermined_regime_with_a_reason():
    p = dict(BASE, regime="indetermine")
    with pytest.raises(CommandRejected, match="Indiquez pourquoi"):
        run("convention.set_regime", p, regime="declaration", on="2026-01-06")
    p = run("convention.set_regime", p, regime="declaration", on="2026-01-06", reason="Hébergement étudiant modeste.")
    assert p["regime"] == "declaration" and workflow.available(p) == ["convention.register"]


def test_read_only_cnom_and_other_authorities_are_refused():
    cnom = dict(BASE, read_only=True, authority="CNOM")
    assert workflow.available(cnom) == []
    with pytest.raises(CommandRejected, match="autre autorité"):
        run("convention.start_instruction", cnom, on="2026-01-06")
    mine = copy.deepcopy(BASE)
    with pytest.raises(CommandRejected, match="autre autorité"):
        execute("convention.start_instruction", mine, {"id": C1, "on": "2026-01-06"}, Actor("ars.occ", "ars", "OCC"))
    with pytest.raises(CommandRejected, match="ne peut pas précéder"):
        run("convention.start_instruction", mine, on="2025-12-31")


def test_bulk_recommandations_report_per_convention(store):
    from sqlalchemy import select

    from aude_desktop.conventions import bulk
    from aude_desktop.conventions.models import Convention
    from aude_desktop.store.models import OutboxEntry
    from aude_desktop.sync.materialize import materialize

    declaration = dict(BASE, regime="declaration", state="enregistree", company={"name": "Élan"})
    with store.session() as s:
        materialize(s, [("convention", C1, 1, dict(declaration, reference="EPS-1")),
                        ("convention", C2, 1, dict(BASE, reference="EPS-2", company={"name": "Élan"})),
                        ("convention", C3, 1, dict(declaration, reference="EPS-3", authority="ORDRE-MK"))])
    report = bulk.recommend(store, ORDER, [C1, C2, C3], date(2026, 1, 20), "Préciser les montants unitaires.")
    assert [(i.reference, i.ok) for i in report.items] == [("EPS-1", True), ("EPS-2", False), ("EPS-3", False)]
    assert "Action impossible" in report.items[1].message and "autre autorité" in report.items[2].message
    with store.session() as s:
        assert s.get(Convention, C1).state == "recommandations"
        assert s.scalars(select(OutboxEntry.entity_id)).all() == [C1]
