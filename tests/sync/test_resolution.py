"""Rejets and Conflits: a person resubmits, discards, or chooses field by field. Nothing is automatic."""

from __future__ import annotations

from sqlalchemy import select

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync import resolution
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from tests.support.live_server import server_fixture
from tests.sync.test_engine import AGENT, _client, make_conflict

server = server_fixture(200, 20, 8)


def test_conflict_resolved_field_by_field_with_merged_text(tmp_path, server):
    store, auth, target, seq = make_conflict(tmp_path, server)
    diffs = {d.path: d for d in resolution.conflict_fields(store, seq)}
    assert set(diffs) == {"specialty", "applicant.city"}
    assert (diffs["specialty"].mine, diffs["specialty"].server) == ("Pédiatrie", "Urgences adultes")
    assert diffs["specialty"].free_text and not diffs["applicant.city"].free_text
    merged = diffs["specialty"].merged()
    assert "Pédiatrie" in merged and "Urgences adultes" in merged
    resolution.resolve_conflict(store, AGENT, seq, {"specialty": merged, "applicant.city": "Rodez"})
    assert resolution.problems(store) == []
    report = SyncEngine(store, auth).run()
    assert report.applied == 1 and report.conflicts == 0
    with server.engine.connect() as conn:
        payload = conn.exec_driver_sql("SELECT payload FROM records WHERE id = ?", (target,)).scalar()
    assert '"city":"Rodez"' in payload and "Urgences adultes" in payload and "Pédiatrie" in payload


def test_keeping_only_the_server_values_queues_nothing(tmp_path, server):
    store, auth, target, seq = make_conflict(tmp_path, server)
    assert resolution.resolve_conflict(store, AGENT, seq, {"specialty": "Urgences adultes", "applicant.city": "Albi"}) is None
    with store.session() as s:
        assert s.get(Dossier, target).specialty == "Urgences adultes"
        assert {e.status for e in s.scalars(select(OutboxEntry))} <= {"applied", "discarded"}


def refused_assignment(tmp_path, server):
    """A read-only supervisor's assignment, refused by the server. Returns (store, auth, id, original agent)."""
    store, auth = _client(tmp_path, server.url, "dgos", "demo-dgos")
    SyncEngine(store, auth).run()
    with store.session() as s:
        dossier = s.scalar(select(Dossier).limit(1))
        target, original = dossier.id, dossier.assigned_to
    run_command(store, Actor("dgos", "dgos"), "dossier.assign", {"id": target, "assigned_to": "quelqu.un"})
    SyncEngine(store, auth).run()
    return store, auth, target, original


def test_rejected_command_resubmitted_then_discarded_restores_the_server_state(tmp_path, server):
    store, auth, target, original = refused_assignment(tmp_path, server)
    [problem] = resolution.problems(store)
    assert problem.status == "rejected" and "lecture seule" in problem.reason and problem.label == "Attribution"
    resolution.resubmit(store, problem.seq)
    assert store.status().pending == 1
    SyncEngine(store, auth).run()
    assert resolution.problems(store)[0].status == "rejected"  # still refused: kept, not dropped
    with store.session() as s:
        assert s.get(Dossier, target).assigned_to == "quelqu.un"  # the local change is still shown
    resolution.discard(store, problem.seq, resolution.fetcher(auth, store))
    assert resolution.problems(store) == []
    with store.session() as s:
        assert s.get(Dossier, target).assigned_to == original
