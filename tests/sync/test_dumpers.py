"""Every synced kind has its dumper, so a local command sees the current record as the server does:
the checks on it (« une pièce ne change pas de dossier », « annotation modifiable par son auteur »)
refuse offline, in French, before anything is queued."""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import func, select

from aude_desktop.domain.commands import COMMANDS, Actor, CommandRejected, spec
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import DUMPERS, MAIN_MODELS, ROW_BUILDERS, materialize
from tests.sync.test_materialize import DOSSIER

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
COLLEAGUE = Actor("agent2.occ", "agent_dreets", "OCC")
D1, D2, PIECE, NOTE = (str(uuid.uuid4()) for _ in range(4))

PAYLOADS = {
    "piece": {"dossier_id": D1, "code": "b", "label": "Pièce d'identité", "status": "recu", "received_on": "2026-11-02",
              "sha256": "a" * 64, "filename": "identite.pdf", "note": None},
    "annotation": {"dossier_id": D1, "convention_id": None, "author": "agent.occ", "text": "Rappeler l'employeur.",
                   "updated_at": "2026-11-20T09:30:00+00:00"},
    "commission_session": {"profession": "infirmier", "region": "OCC", "session_on": "2026-12-10", "place": "Toulouse"},
    "ruleset": {"kind": "eps_thresholds", "version": "2027-01-15", "effective_from": "2027-02-01", "note": "à venir"},
    "transparence": {"status": "declaree", "label": "déclarée sur Transparence Santé", "lines": ["L1", "L2"]},
    "transparence_company": {"siren": "732829320", "name": "Laboratoires Élan", "details": {"ambigues": ["x"]},
                             "conventions": 4, "filed_not_published": 1, "published_never_filed": 0,
                             "amount_differs": 2, "ambiguous": 1},
}


def test_every_synced_kind_and_every_command_kind_has_a_dumper():
    spec("dossier.create")  # loads every domain's commands
    assert set(DUMPERS) == set(ROW_BUILDERS) == set(MAIN_MODELS)
    assert {c.kind for c in COMMANDS.values()} <= set(DUMPERS)


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_the_new_dumpers_give_back_what_was_materialised(store, kind):
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, copy.deepcopy(DOSSIER)), (kind, "r-1", 3, copy.deepcopy(PAYLOADS[kind]))])
    with store.session() as s:
        assert DUMPERS[kind](s, "r-1") == PAYLOADS[kind]
        assert DUMPERS[kind](s, "absent") is None


def _outbox(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry))


def test_a_piece_does_not_change_dossier_offline(store):
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, copy.deepcopy(DOSSIER)),
                        ("dossier", D2, 1, copy.deepcopy(DOSSIER) | {"reference": "AUDE-2026-OCC-004214"}),
                        ("piece", PIECE, 1, copy.deepcopy(PAYLOADS["piece"]))])
    queued = _outbox(store)
    moved = copy.deepcopy(PAYLOADS["piece"]) | {"dossier_id": D2}
    with pytest.raises(CommandRejected) as refused:
        run_command(store, AGENT, "piece.upsert", {"id": PIECE, "payload": moved})
    assert refused.value.message == "Une pièce ne change pas de dossier."
    assert _outbox(store) == queued  # nothing queued for the server to refuse later
    run_command(store, AGENT, "piece.upsert", {"id": PIECE, "payload": PAYLOADS["piece"] | {"status": "non_conforme"}})
    assert _outbox(store) == queued + 1


def test_an_annotation_is_changed_by_its_author_only_offline(store):
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, copy.deepcopy(DOSSIER)), ("annotation", NOTE, 1, copy.deepcopy(PAYLOADS["annotation"]))])
    queued = _outbox(store)
    with pytest.raises(CommandRejected) as refused:
        run_command(store, COLLEAGUE, "annotation.save", {"id": NOTE, "payload": {"dossier_id": D1, "text": "Effacé."}})
    assert refused.value.message == "Une annotation privée n'est modifiable que par son auteur."
    assert _outbox(store) == queued
    from aude_desktop.store.models import Annotation

    with store.session() as s:
        assert s.get(Annotation, NOTE).text == "Rappeler l'employeur."
    run_command(store, AGENT, "annotation.save", {"id": NOTE, "payload": {"dossier_id": D1, "text": "Rappelé."}})
    assert _outbox(store) == queued + 1
