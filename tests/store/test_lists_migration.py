"""Migrations 0012 and 0013 on an existing profile. 0012 moves the lists (experiences, clock events,
beneficiaries, avantages) from their own tables into JSON lists beside their record: a profile upgraded
in place dumps exactly the payload it held before, in the payload's order and formats; 0013 makes the
search index contentless and the profile's records are still found."""

from __future__ import annotations

from aude_desktop.paths import Profile
from aude_desktop.store import search
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.materialize import child_id, dump_convention, dump_dossier
from tests.support.old_profile import write_at_revision

# Rows as the client up to 0011 wrote them. Child ids are hashes, so id order is not payload order;
# rowid order is (each list was written whole, in order).
OLD_ROWS = [
    "INSERT INTO dossiers (id, version, reference, profession, region, acces_partiel, situation, state, received_on, "
    f"updated_at, search_rowid) VALUES ('d1', 3, 'AUDE-OLD-1', 'infirmier', 'BRE', 0, 'ue_reglemente', 'complet', "
    f"'2025-01-02', '2025-01-02 00:00:00', {search.document_rowid('dossier', 'd1')})",
    "INSERT INTO search_index (rowid, kind, entity_id, body) VALUES "
    f"({search.document_rowid('dossier', 'd1')}, 'dossier', 'd1', 'AUDE-OLD-1 Élodie Nguyễn')",
    *(f"INSERT INTO clock_events (id, dossier_id, \"on\", kind, note) VALUES ('{child_id('d1', 'clock', str(i))}', 'd1', "
      f"'{on}', '{kind}', {note})"
      for i, (on, kind, note) in enumerate([("2025-01-02", "receipt", "NULL"), ("2025-01-20", "pieces_requested", "'pièce g'"),
                                            ("2025-02-03", "pieces_received", "NULL")])),
    *(f"INSERT INTO experiences (id, dossier_id, nature, place, country, start_on, end_on) VALUES "
      f"('{child_id('d1', 'experience', str(i))}', 'd1', 'Infirmière', 'Hôpital {i}', 'Belgique', '2014-09-01', NULL)"
      for i in range(3)),
    "INSERT INTO conventions (id, version, reference, authority, source, read_only, object, regime, state, urgent, "
    "filed_on, updated_at) VALUES ('c1', 2, 'EPS-OLD-1', 'ORDRE-INF', 'eps', 0, 'hospitalite', 'autorisation', "
    "'recue', 0, '2026-10-02', '2026-10-02 00:00:00')",
    *(f"INSERT INTO beneficiaries (id, convention_id, key, category, last_name, first_name, rpps) VALUES "
      f"('{child_id('c1', 'b', key)}', 'c1', '{key}', 'professionnel', 'Lefèvre', 'Anaïs', '10003456789')"
      for key in ("b2", "b1")),
    "INSERT INTO avantages (id, convention_id, key, beneficiary_id, nature, amount, hours, half_days, nights, \"on\", "
    f"purpose) VALUES ('{child_id('c1', 'a', 'a1')}', 'c1', 'a1', '{child_id('c1', 'b', 'b1')}', 'remuneration', 1200.0, "
    "6.0, 1.5, NULL, '2026-12-15', NULL)",
    "INSERT INTO avantages (id, convention_id, key, beneficiary_id, nature, amount, nights, purpose) VALUES "
    f"('{child_id('c1', 'a', 'a0')}', 'c1', 'a0', NULL, 'don', 0.5, 2, 'recherche')",
]


def test_an_existing_profile_keeps_its_lists_in_payload_order_and_format(tmp_path):
    profile = Profile.isolated(tmp_path / "profil").ensure()
    key = database_key(profile)
    write_at_revision(profile, key, "0011", OLD_ROWS)

    store = open_store(profile, key)
    assert store.last_backup is not None  # taken before the move
    with store.session() as s:
        dossier = dump_dossier(s, "d1")
        convention = dump_convention(s, "c1")
        found = search.search(s, "dossier", "nguyen elod")
        tables = set(s.connection().exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    store.close()

    assert dossier["clock_events"] == [{"on": "2025-01-02", "kind": "receipt", "note": None},
                                       {"on": "2025-01-20", "kind": "pieces_requested", "note": "pièce g"},
                                       {"on": "2025-02-03", "kind": "pieces_received", "note": None}]
    assert [e["place"] for e in dossier["experiences"]] == ["Hôpital 0", "Hôpital 1", "Hôpital 2"]
    assert dossier["experiences"][0] == {"nature": "Infirmière", "place": "Hôpital 0", "country": "Belgique",
                                         "start": "2014-09-01", "end": None}
    assert [b["id"] for b in convention["beneficiaries"]] == ["b2", "b1"]
    assert convention["beneficiaries"][0]["rpps"] == "10003456789"
    assert convention["avantages"] == [
        {"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "1200.00", "hours": "6",
         "half_days": "1.5", "nights": None, "meals": None, "collations": None, "date": "2026-12-15", "description": None},
        {"id": "a0", "beneficiary_id": None, "nature": "don", "amount": "0.50", "hours": None, "half_days": None,
         "nights": 2, "meals": None, "collations": None, "date": None, "description": None, "purpose": "recherche"},
    ]
    assert found == ["d1"]
    assert not tables & {"clock_events", "experiences", "beneficiaries", "avantages"}
