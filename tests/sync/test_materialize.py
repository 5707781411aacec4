"""Sync records ⇄ local rows: payloads survive the round trip, tombstones delete, search follows."""

from __future__ import annotations

import copy

import pytest

from aude_desktop.conventions.models import Convention
from aude_desktop.dossiers.models import Applicant, Diploma, Dossier
from aude_desktop.store import search
from aude_desktop.sync.materialize import dump_convention, dump_dossier, materialize

DOSSIER = {
    "reference": "AUDE-2026-OCC-004213", "profession": "infirmier", "specialty": None, "region": "OCC",
    "acces_partiel": False, "situation": "ue_reglemente", "state": "complet", "assigned_to": "agent.occ",
    "received_on": "2026-05-02", "acknowledged_on": "2026-05-20", "complete_on": "2026-06-11",
    "decision": None, "closed_on": None,
    "applicant": {"last_name": "Nguyễn", "first_names": "Élodie Bérénice", "birth_date": "1990-04-12",
                  "birth_place": "Hanoï", "birth_country": "Viêt Nam", "nationality": "Belgique", "sex": "F",
                  "email": "e.nguyen@example.org", "phone": "+32 470 00 00 00", "address": "3 rue Haute",
                  "postal_code": "31000", "city": "Toulouse", "country": "France"},
    "diploma": {"title": "Bachelier infirmier responsable de soins généraux", "country": "Belgique",
                "obtained_on": "2014-06-30", "issuing_body": "Haute École Léonard de Vinci", "recognised_on": None},
    "experiences": [
        {"nature": "Infirmière", "place": f"Hôpital {i}", "country": "Belgique", "start": "2014-09-01", "end": None}
        for i in range(12)
    ],
    "clock_events": [
        {"on": "2026-05-02", "kind": "receipt", "note": ""},
        {"on": "2026-05-20", "kind": "pieces_requested", "note": "pièce g manquante"},
        {"on": "2026-06-11", "kind": "pieces_received", "note": None},
        {"on": "2026-06-11", "kind": "complete", "note": None},
    ],
    "future_field": {"from": "a newer server"},
}

CONVENTION = {
    "reference": "EPS-2026-000123", "authority": "ORDRE-INF", "source": "eps", "read_only": False,
    "company": {"name": "Laboratoires Élan", "siren": "732829320", "siret": "73282932000074", "address": "Lyon"},
    "object": "conseil_expertise", "regime": "autorisation", "state": "en_instruction", "urgent": True,
    "filed_on": "2026-10-02", "octroi_on": "2026-12-15", "period_start": "2026-12-01",
    "period_end": "2027-03-31", "signing_region": "IDF", "decision": None, "assigned_to": None,
    "beneficiaries": [
        {"id": f"b{i}", "category": "professionnel", "last_name": "Lefèvre", "first_name": f"Anaïs {i}",
         "quality": "Infirmière", "profession": "infirmier", "rpps": "10003456789", "order_number": None,
         "ine": None, "school": None, "name": None, "object": None, "address": "Paris"}
        for i in range(3)
    ],
    "avantages": [
        {"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "1200.00", "hours": "6",
         "half_days": None, "nights": None, "meals": None, "collations": None, "date": "2026-12-15",
         "description": "Comité d'experts"},
        {"id": "a2", "beneficiary_id": "b0", "nature": "hospitalite", "amount": "0.50", "hours": None,
         "half_days": "1.5", "nights": 2, "meals": 3, "collations": 1, "date": None, "description": None},
    ],
}


def test_dossier_round_trip(store):
    with store.session() as s:
        materialize(s, [("dossier", "d-1", 4, copy.deepcopy(DOSSIER))])
    with store.session() as s:
        assert dump_dossier(s, "d-1") == DOSSIER
        assert s.get(Dossier, "d-1").version == 4


def test_convention_round_trip(store):
    with store.session() as s:
        materialize(s, [("convention", "c-1", 2, copy.deepcopy(CONVENTION))])
    with store.session() as s:
        assert dump_convention(s, "c-1") == CONVENTION


@pytest.mark.parametrize("foreign_keys", [True, False])  # False: as the sync writes
def test_update_replaces_children_and_tombstone_deletes(store, foreign_keys):
    changed = copy.deepcopy(DOSSIER)
    changed["experiences"] = changed["experiences"][:1]
    changed["applicant"]["last_name"] = "Martin"
    with store.session(foreign_keys=foreign_keys) as s:
        materialize(s, [("dossier", "d-1", 1, copy.deepcopy(DOSSIER)), ("convention", "c-1", 1, CONVENTION)])
        materialize(s, [("dossier", "d-1", 2, changed)])
    with store.session(foreign_keys=foreign_keys) as s:
        assert dump_dossier(s, "d-1") == changed
        assert search.search(s, "dossier", "martin") == ["d-1"]
        assert search.search(s, "dossier", "nguyen") == []
        materialize(s, [("dossier", "d-1", 3, None), ("convention", "c-1", 2, None)])
    with store.session() as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the next user
        assert s.get(Dossier, "d-1") is None
        assert s.query(Applicant).count() == s.query(Diploma).count() == 0
        assert s.query(Convention).count() == 0
        assert search.search(s, "dossier", "martin") == []


def test_unknown_kind_is_skipped(store):
    with store.session() as s:
        assert materialize(s, [("registre_futur", "x", 1, {"a": 1}), ("dossier", "d-1", 1, DOSSIER)]) == 1


def test_an_updated_dossier_keeps_its_pieces_annotations_and_letters(store):
    """Regression: INSERT OR REPLACE deleted the parent row first and ON DELETE CASCADE took the
    dossier's pièces and annotations with it (found by the national bench's count check)."""
    from aude_desktop.dossiers.models import Piece
    from aude_desktop.store.models import Annotation, Letter

    with store.session() as s:
        materialize(s, [("dossier", "d-1", 1, DOSSIER),
                        ("piece", "p-1", 1, {"dossier_id": "d-1", "code": "b", "label": "Identité", "status": "recu"}),
                        ("annotation", "n-1", 1, {"dossier_id": "d-1", "author": "agent.occ", "text": "à rappeler"})])
        s.add(Letter(id="l-1", kind="accuse_reception", reference="L-1", dossier_id="d-1", sha256="0" * 64))
    updated = copy.deepcopy(DOSSIER)
    updated["state"] = "en_commission"
    with store.session() as s:
        materialize(s, [("dossier", "d-1", 2, updated)])
    with store.session() as s:
        assert s.get(Dossier, "d-1").version == 2 and s.get(Dossier, "d-1").state == "en_commission"
        assert s.get(Piece, "p-1") is not None
        assert s.get(Annotation, "n-1").text == "à rappeler"
        assert s.get(Letter, "l-1").dossier_id == "d-1"


@pytest.mark.parametrize("kind, key, value", [
    ("dossier", "experiences", "Infirmière"),
    ("dossier", "clock_events", [{"on": "le 2 mai", "kind": "receipt"}]),
    ("dossier", "clock_events", [{"kind": "receipt"}]),
    ("convention", "avantages", [{"nature": "repas", "amount": "12.00"}]),  # no id: commands could not address it
    ("convention", "beneficiaries", [None]),
])
def test_a_list_the_client_cannot_read_is_refused_and_nothing_is_written(store, kind, key, value):
    payload = copy.deepcopy(DOSSIER if kind == "dossier" else CONVENTION)
    payload[key] = value
    with pytest.raises((TypeError, KeyError, ValueError)), store.session() as s:
        materialize(s, [(kind, "x-1", 1, payload)])
    with store.session() as s:
        assert s.query(Dossier).count() == s.query(Convention).count() == 0


def test_dumped_lists_are_copies(store):
    """Commands edit the payload they are given: that must not edit the loaded row behind the session's back."""
    with store.session() as s:
        materialize(s, [("convention", "c-1", 1, copy.deepcopy(CONVENTION))])
        dumped = dump_convention(s, "c-1")
        dumped["avantages"][0]["amount"] = "99999.00"
        assert dump_convention(s, "c-1") == CONVENTION


def test_fast_row_builders_name_every_column_of_their_table():
    """The big kinds build tuples in COLUMNS order: a column added to a model must be added there too,
    or an update would leave it stale."""
    from aude_desktop.store.models import Base
    from aude_desktop.sync.materialize import COLUMNS

    for name, columns in COLUMNS.items():
        table = set(Base.metadata.tables[name].columns.keys()) - {"rowid"}  # the lists' implicit rowid
        assert sorted(columns) == sorted(table), name
