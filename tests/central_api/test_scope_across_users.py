"""Issue 17: one definition of who sees what (aude_desktop/domain/scope.py), across users on the real
server on 127.0.0.1: user A writes, users B of other regions, authorities and roles pull the change
feed and read each record — they see it exactly when the definition says so, and the client's own
decision on the payloads they pulled agrees. Also the annotation bugs the four copies hid."""

from __future__ import annotations

import uuid

from aude_desktop.domain import scope
from aude_desktop.domain.commands import Actor
from aude_desktop.sync.scope import KEEP, child_verdict, in_scope
from tests.central_api.conftest import new_dossier
from tests.central_api.test_move_region import _move

READERS = ("agent.occ", "agent.idf", "ordre.inf", "ordre.mk", "ars.occ", "dgos")


def _actor(client) -> Actor:
    me = client.get("/api/v1/me").json()
    return Actor(me["login"], me["role"], me["region"], me["authority"])


def _feed(client) -> dict[str, dict]:
    """The last word of the feed on each record."""
    return {c["id"]: c for c in client.pull_all(limit=10000)}


def _written_by_agent_and_order(occ, order) -> dict[str, tuple[str, dict]]:
    """A dossier of Occitanie with a pièce, a letter and its agent's note; a letter and a note of the
    nurses' order on one of its conventions. id → (kind, payload)."""
    ids = {name: str(uuid.uuid4()) for name in ("dossier", "piece", "letter", "note", "c_letter", "c_note")}
    made = {
        ids["dossier"]: ("dossier", new_dossier("OCC")),
        ids["piece"]: ("piece", {"dossier_id": ids["dossier"], "code": "b", "label": "Identité", "status": "manquant"}),
        ids["letter"]: ("letter", {"kind": "aude.accuse_reception", "reference": f"L-{uuid.uuid4().hex[:8]}",
                                   "sha256": occ.upload(b"%PDF accuse " + uuid.uuid4().bytes), "issued_on": "2026-11-20",
                                   "dossier_id": ids["dossier"]}),
        ids["note"]: ("annotation", {"dossier_id": ids["dossier"], "text": "À rappeler", "updated_at": "2026-11-20T10:00:00+00:00"}),
    }
    results = occ.send(
        occ.mutation("dossier.create", {"id": ids["dossier"], "payload": made[ids["dossier"]][1]}),
        occ.mutation("piece.upsert", {"id": ids["piece"], "payload": made[ids["piece"]][1]}),
        occ.mutation("letter.register", {"id": ids["letter"], "payload": made[ids["letter"]][1]}),
        occ.mutation("annotation.save", {"id": ids["note"], "payload": made[ids["note"]][1]}),
    )
    assert [r["status"] for r in results] == ["applied"] * 4, results
    convention = next(c for c in order.pull_all(limit=10000) if c["kind"] == "convention" and not c["deleted"]
                      and not c["payload"].get("read_only"))
    made[ids["c_letter"]] = ("letter", {"kind": "eps.accuse_reception", "reference": f"L-{uuid.uuid4().hex[:8]}",
                                        "sha256": order.upload(b"%PDF eps " + uuid.uuid4().bytes),
                                        "issued_on": "2026-11-20", "convention_id": convention["id"]})
    made[ids["c_note"]] = ("annotation", {"convention_id": convention["id"], "text": "Montant à vérifier",
                                          "updated_at": "2026-11-20T10:00:00+00:00"})
    results = order.send(order.mutation("letter.register", {"id": ids["c_letter"], "payload": made[ids["c_letter"]][1]}),
                         order.mutation("annotation.save", {"id": ids["c_note"], "payload": made[ids["c_note"]][1]}))
    assert [r["status"] for r in results] == ["applied"] * 2, results
    made[convention["id"]] = ("convention", convention["payload"])
    return made


def test_what_one_user_writes_others_see_exactly_as_the_definition_says(server, login):
    occ, order = login("agent.occ"), login("ordre.inf")
    made = _written_by_agent_and_order(occ, order)
    dossier_id = next(i for i, (kind, _p) in made.items() if kind == "dossier")
    convention_id = next(i for i, (kind, _p) in made.items() if kind == "convention")
    seen_by = {}
    for reader in READERS:
        client = login(reader)
        actor, feed = _actor(client), _feed(client)
        held = {(c["kind"], c["id"]) for c in feed.values() if not c["deleted"] and in_scope(actor, c["kind"], c["payload"])}
        seen = set()
        for record_id, (kind, _payload) in made.items():
            read = client.get(f"/api/v1/records/{kind}/{record_id}")
            assert read.status_code in (200, 404), read.text
            assert (read.status_code == 200) is (record_id in feed), (reader, kind)
            if record_id in feed:
                seen.add(record_id)
                # The client's decision on what it pulled: kept, its parent (if any) held as well.
                change = feed[record_id]
                assert in_scope(actor, kind, change["payload"]), (reader, kind)
                assert child_verdict(actor, kind, change["payload"], lambda k, i, h=held: (k, i) in h or None) == KEEP
        seen_by[reader] = {made[i][0] + ("@" + ("D" if i == dossier_id or made[i][1].get("dossier_id") else "C")) for i in seen}
    # By hand, from the table of docs/PROTOCOL.md (not from the code under test).
    assert seen_by["agent.occ"] == {"dossier@D", "piece@D", "letter@D", "annotation@D"}
    assert seen_by["agent.idf"] == set()
    assert seen_by["ordre.inf"] == {"convention@C", "letter@C", "annotation@C"}
    assert seen_by["ordre.mk"] == set() and seen_by["ars.occ"] == set()
    assert seen_by["dgos"] == {"dossier@D", "piece@D", "letter@D", "convention@C", "letter@C"}  # no one's notes
    assert made[convention_id][1]["authority"] == "ORDRE-INF"


def test_a_note_on_a_record_outside_ones_scope_is_refused(server, login):
    """Bug: the server stored a note on any record id (only its author was kept), which the author's
    own client then dropped as out of scope, and the server kept serving."""
    occ, idf = login("agent.occ"), login("agent.idf")
    foreign = str(uuid.uuid4())
    assert idf.send(idf.mutation("dossier.create", {"id": foreign, "payload": new_dossier("IDF")}))[0]["status"] == "applied"
    note = {"text": "curieux", "updated_at": "2026-11-20T10:00:00+00:00"}
    away, absent, convention = occ.send(
        occ.mutation("annotation.save", {"id": str(uuid.uuid4()), "payload": note | {"dossier_id": foreign}}),
        occ.mutation("annotation.save", {"id": str(uuid.uuid4()), "payload": note | {"dossier_id": str(uuid.uuid4())}}),
        occ.mutation("annotation.save", {"id": str(uuid.uuid4()), "payload": note | {"convention_id": str(uuid.uuid4())}}),
    )
    assert away["status"] == "rejected" and away["code"] == "hors_perimetre", away
    assert absent["status"] == "rejected" and absent["code"] == "introuvable", absent
    assert "introuvable" in absent["message"] and convention["code"] == "introuvable", convention


def test_a_note_follows_its_dossier_to_another_region(server, login):
    """Bug: after a move, the server kept serving the author a note on a dossier they no longer see
    (their client dropped it); it now follows the dossier, out of every feed but its author's
    within the dossier's scope."""
    occ, idf = login("agent.occ"), login("agent.idf")
    dossier_id, note_id = str(uuid.uuid4()), str(uuid.uuid4())
    results = occ.send(
        occ.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier("OCC")}),
        occ.mutation("annotation.save", {"id": note_id, "payload": {"dossier_id": dossier_id, "text": "à suivre",
                                                                     "updated_at": "2026-11-20T10:00:00+00:00"}}))
    assert [r["status"] for r in results] == ["applied"] * 2, results
    assert occ.get(f"/api/v1/records/annotation/{note_id}").status_code == 200
    assert _move(occ, dossier_id, base_version=1)["status"] == "applied"
    for client in (occ, idf):
        assert client.get(f"/api/v1/records/annotation/{note_id}").status_code == 404
        assert note_id not in {c["id"] for c in client.pull_all(limit=10000) if not c["deleted"]}
    # The old region's feed names the dossier's tombstone, never the private note's.
    occ_feed = _feed(occ)
    assert occ_feed[dossier_id]["deleted"] and note_id not in occ_feed
    assert _move(idf, dossier_id, base_version=2, region="OCC", reason="Retour en Occitanie")["status"] == "applied"
    assert occ.get(f"/api/v1/records/annotation/{note_id}").status_code == 200  # back with its dossier
    assert note_id in _feed(occ)


def test_the_definition_names_every_kind_the_server_and_client_store():
    from aude_desktop.catalog import load as _load_domains
    from aude_desktop.domain.commands import COMMANDS
    from aude_desktop.sync.materialize import MAIN_MODELS

    _load_domains()
    assert {spec.kind for spec in COMMANDS.values()} <= set(scope.KINDS)
    assert set(MAIN_MODELS) == set(scope.KINDS)
