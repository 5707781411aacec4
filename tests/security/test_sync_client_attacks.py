"""Issue 16 seen from the desktop client (items 1, 2, 4, 11): ids checked before anything is queued,
every command on an existing record sent with its base version, answers matched by mutation id, and a
record the laptop cannot store skipped and named while the rest of the feed is stored — against the
real server on 127.0.0.1 and against a hostile one."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry, SkippedRecord
from aude_desktop.store.state import get_state
from aude_desktop.sync.engine import CURSOR_KEY, SyncEngine
from aude_desktop.sync.http import ServerError
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.dossiers.test_instruction import payload
from tests.support.live_server import server_fixture, signed_in
from tests.sync.test_hostile_server import ECHO, Answers, _serving

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
server = server_fixture(60, 10, 16)


@pytest.mark.parametrize("bad", ['y"', 'x","deleted":true,"kind":"dossier', "D1", "AAAAAAAA-0000-4000-8000-000000000001", 7])
def test_a_command_with_an_id_that_is_not_a_uuid_is_refused_before_anything_is_queued(store, bad):
    with pytest.raises(CommandRejected) as refused:
        run_command(store, AGENT, "dossier.create", {"id": bad, "payload": new_dossier()})
    assert refused.value.code == "identifiant_invalide" and "UUID" in refused.value.message
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Dossier)) == 0


def test_commands_queued_one_after_the_other_are_all_sent_with_their_base_version(server, store):
    """Three commands on one record before a sync: each reaches the server with the version it was
    made on (the server refuses any without, `base_version_requise`)."""
    auth = signed_in(server)
    record_id = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    SyncEngine(store, auth).run()
    for who in ("agent.occ", "agent.autre", "agent.occ"):
        run_command(store, AGENT, "dossier.assign", {"id": record_id, "assigned_to": who})
    report = SyncEngine(store, auth).run()
    assert (report.applied, report.rejected, report.conflicts) == (3, 0, 0), report
    with store.session() as s:
        assert s.get(Dossier, record_id).version == 4
    # the server holds the last one; a colleague reads it back
    colleague = signed_in(server)
    assert colleague.transport.request("GET", f"/api/v1/records/dossier/{record_id}",
                                       token=colleague.access_token())["payload"]["assigned_to"] == "agent.occ"


def test_a_reference_taken_meanwhile_is_refused_and_the_colleagues_record_is_skipped_by_name(server, store, tmp_path):
    """Two agents give one reference offline. The second to sync is refused (`reference_existante`,
    kept for them to see); their laptop cannot hold the colleague's dossier next to its own, so it
    skips that one record, names it, and stores the rest of the feed."""
    reference = f"AUDE-T-{uuid.uuid4().hex[:8]}"
    mine = run_command(store, AGENT, "dossier.create", {"payload": new_dossier(reference=reference)})
    other_profile = Profile.isolated(tmp_path / "collegue")
    other = open_store(other_profile, database_key(other_profile))
    theirs = run_command(other, AGENT, "dossier.create", {"payload": new_dossier(reference=reference)})
    SyncEngine(other, signed_in(server)).run()
    other.close()

    auth = signed_in(server)
    report = SyncEngine(store, auth).run()
    assert report.rejected == 1 and report.skipped == [f"dossier {reference} (id {theirs})"], report
    assert any(reference in w and "impossible à enregistrer" in w for w in report.warnings), report.warnings
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.entity_id == mine)).one()
        assert (entry.status, entry.reason_code) == ("rejected", "reference_existante")
        assert s.get(SkippedRecord, ("dossier", theirs)).label.startswith("dossier " + reference)
        local = s.scalar(select(func.count()).select_from(Dossier))
    # the rest of the region is here: all the server's dossiers but theirs, and mine (refused) beside them
    assert local == auth.transport.request("GET", "/api/v1/stats", token=auth.access_token())["counts"]["dossier"]
    with store.session() as s:
        cursor = int(get_state(s, CURSOR_KEY))
    assert cursor > 0


def _page(*changes: dict, next_cursor: int = 3) -> str:
    return json.dumps({"changes": list(changes), "next": next_cursor, "more": False})


def _dossier(record_id: str, reference: str) -> dict:
    return {"kind": "dossier", "id": record_id, "version": 1, "deleted": False, "payload": payload(reference)}


@pytest.mark.parametrize("writer_after", [0, None], ids=["writer-process", "this-process"])
def test_a_page_with_a_record_the_laptop_cannot_store_is_stored_without_it(tmp_path, writer_after):
    """A hostile (or buggy) server sends two dossiers with one reference: the first sync of a new
    profile stores the rest, names the record it skipped, and moves on; it is stored once fixed."""
    profile = Profile.isolated(tmp_path / "new")
    store = open_store(profile, database_key(profile))
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    Answers.changes = _page(_dossier(a, "AUDE-OCC-1"), _dossier(b, "AUDE-OCC-1"), _dossier(c, "AUDE-OCC-2"))
    Answers.mutations, Answers.stats = ECHO, '{"counts": {}, "versions": {}}'
    with _serving() as auth:
        report = SyncEngine(store, auth, bulk_writer_after=writer_after, sleep=lambda _s: None).run()
        assert report.skipped == [f"dossier AUDE-OCC-1 (id {b})"], report
        with store.session() as s:
            assert set(s.scalars(select(Dossier.id))) == {a, c}
            assert get_state(s, CURSOR_KEY) == "3"
            assert s.scalar(select(func.count()).select_from(SkippedRecord)) == 1
        # the server corrects the reference: the record arrives and leaves the skipped list
        Answers.changes = _page(_dossier(b, "AUDE-OCC-3") | {"version": 2}, next_cursor=4)
        SyncEngine(store, auth, sleep=lambda _s: None).run()
    with store.session() as s:
        assert set(s.scalars(select(Dossier.id))) == {a, b, c}
        assert s.scalar(select(func.count()).select_from(SkippedRecord)) == 0
    store.close()


def test_an_answer_naming_another_mutation_is_not_taken_for_this_one(store):
    """A server (or an attacker who took this laptop's seq) answers « applied » for the right seq but
    another mutation id: the command stays pending, and the sync says the server handled nothing."""
    run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    Answers.changes, Answers.stats = _page(next_cursor=0), '{"counts": {}, "versions": {}}'
    Answers.mutations = json.dumps({"results": [{"id": str(uuid.uuid4()), "seq": 1, "status": "applied", "version": 1}]})
    with _serving() as auth, pytest.raises(ServerError, match="aucune des modifications"):
        SyncEngine(store, auth, sleep=lambda _s: None).run()
    with store.session() as s:
        assert s.scalars(select(OutboxEntry.status)).all() == ["pending"]
