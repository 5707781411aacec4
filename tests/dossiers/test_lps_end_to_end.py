"""The LPS route end to end on the real reference server (127.0.0.1): a declaration registered with
`aude-cli dossiers create` (`"route": "lps"`), its definitive LPS reference from the server, instructed
(verification → decision imposing an aptitude test → test passed; another one answered by silence), its
letters issued with `aude-cli letters render` and read back from the PDF, every step re-checked by the
server (no rejected mutation), unseen by another region's agent, counted apart by the DGOS supervision."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from aude_desktop.auth.actor import local_actor, remember_user
from aude_desktop.dossiers import lps
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.supervision.overview import compute
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier
from central_api.demo_data import demo_users
from tests.central_api.conftest import Client
from tests.letters.test_letters import joined
from tests.support.live_server import server_fixture, signed_in
from tests.test_cli_intake import agent  # noqa: F401 — the fixture

server = server_fixture(30, 10, 20)
TODAY = date.today()


def declaration(last_name: str, received: date) -> dict:
    return {"route": "lps", "civility": "F", "last_name": last_name, "first_names": "Anouk", "birth_date": "1987-05-02",
            "nationality": "néerlandaise", "profession": "ergotherapeute", "diploma_title": "Bachelor Ergotherapie",
            "diploma_country": "Pays-Bas", "received_on": received.isoformat(), "region": "OCC",
            "establishment_state": "Pays-Bas", "service_start": (TODAY + timedelta(days=40)).isoformat(),
            "service_place": "Centre de rééducation, Toulouse", "service_postal_code": "31000", "pieces_received": ["a", "b", "c", "d"]}


@pytest.fixture
def lps_agent(agent):  # noqa: F811 — the imported fixture
    """The signed-in, synced agent of tests/test_cli_intake.py, with the letters' sender block."""
    run, tmp_path = agent
    assert run("settings", "letters", "--service", "Pôle autorisations d'exercice", "--address", "5 esplanade Compans-Caffarelli ; 31000 Toulouse",
               "--phone", "05 62 89 81 00", "--email", "dreets-occ@exemple.gouv.fr", "--hours", "du lundi au vendredi, de 9 h à 12 h",
               "--officer-quality", "Gestionnaire", "--signatory", "Claire MARTIN", "--quality", "Directrice régionale adjointe") == 0
    return run, tmp_path


def _steps(tmp_path, reference: str, *steps: tuple[str, dict]) -> dict:
    """Run workflow steps on the agent's local copy (as the dossier view does); the payload after them."""
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    try:
        actor = local_actor(store, Settings.load(profile.settings_path).last_user)
        with store.session() as s:
            dossier_id = s.query(Dossier.id).filter(Dossier.reference == reference).scalar()
        for name, args in steps:
            run_command(store, actor, name, {"id": dossier_id, **args})
        with store.session() as s:
            return dump_dossier(s, dossier_id) | {"id": dossier_id}
    finally:
        store.close()


def _create(run, tmp_path, capsys, values: dict) -> str:
    path = tmp_path / f"{values['last_name']}.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    capsys.readouterr()
    assert run("dossiers", "create", str(path)) == 0
    return capsys.readouterr().out.strip()


def _letter(run, tmp_path, capsys, kind: str, reference: str) -> str:
    out = tmp_path / f"{kind}.pdf"
    capsys.readouterr()
    assert run("letters", "render", "--kind", kind, "--dossier", reference, "--out", str(out)) == 0, capsys.readouterr().err
    return joined(out.read_bytes())


def test_lps_declarations_from_creation_to_letters_scope_and_supervision(lps_agent, server, capsys, tmp_path):
    run, tmp = lps_agent
    tested = _create(run, tmp, capsys, declaration("de Vries", TODAY - timedelta(days=5)))
    silent = _create(run, tmp, capsys, declaration("Jansen", TODAY - timedelta(days=70)))
    assert tested.startswith("PROV-") and silent.startswith("PROV-")
    assert run("sync") == 0
    capsys.readouterr()
    assert run("dossiers", "list", "--route", "lps", "--json") == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"DE VRIES Anouk", "JANSEN Anouk"}
    for row in rows.values():  # the server's own sequence for declarations
        assert re.fullmatch(r"LPS-\d{4}-OCC-\d{6}", row["reference"]), row
        assert row["state"] == "Déclaration LPS reçue"
    tested, silent = rows["DE VRIES Anouk"]["reference"], rows["JANSEN Anouk"]["reference"]

    # verification, then a decision imposing an aptitude test: the decision letter, read back
    p = _steps(tmp, tested, ("lps.start_verification", {"on": (TODAY - timedelta(days=4)).isoformat()}),
               ("lps.impose_epreuve", {"on": (TODAY - timedelta(days=2)).isoformat(), "subjects": ["Rééducation en pédiatrie"],
                                       "motifs": "Aucun enseignement de rééducation en pédiatrie dans la formation suivie."}))
    text = _letter(run, tmp, capsys, "lps_decision_epreuve", tested)
    epreuve_by = lps.clock(p, TODAY).next_date
    from aude_desktop.rules.calendar import format_date_fr

    for words in ("Décision soumettant la prestation de services à une épreuve d'aptitude", tested, "Rééducation en pédiatrie",
                  f"au plus tard le {format_date_fr(epreuve_by)}, dans le mois qui suit la présente décision",
                  "légalement établie aux Pays-Bas", "Voies et délais de recours", "Claire MARTIN"):
        assert words in text, words
    # the test passed: the service may be provided, the information letter says since when
    p = _steps(tmp, tested, ("lps.record_epreuve", {"on": TODAY.isoformat(), "passed": True}))
    assert lps.registration_facts(p) == {"decision_kind": "lps", "decision_date": TODAY.isoformat()}
    text = _letter(run, tmp, capsys, "lps_prestation_possible", tested)
    assert f"Vous avez réussi l'épreuve d'aptitude passée le {format_date_fr(TODAY)}" in text

    # the other declaration: no answer within the month, the service may be provided by silence
    q = _steps(tmp, silent, ("lps.record_silence", {"on": TODAY.isoformat()}))
    since = date.fromisoformat(q["lps"]["outcome"]["on"])
    assert q["state"] == "lps_prestation_possible" and since < TODAY
    text = _letter(run, tmp, capsys, "lps_prestation_possible", silent)
    assert "la présente lettre atteste de cette situation" in text and f"depuis le {format_date_fr(since)}" in text

    # every step and letter accepted by the server's re-check
    capsys.readouterr()
    assert run("sync") == 0
    sent = capsys.readouterr().out
    assert "refusés : 0" in sent and "envoyés : 0" not in sent, sent

    occ = Client(server, "agent.occ", "demo-agent-occ")
    by_ref = {c["payload"]["reference"]: c for c in occ.pull_all() if c["kind"] == "dossier" and not c["deleted"]}
    assert by_ref[tested]["payload"]["state"] == "lps_prestation_possible"
    assert by_ref[silent]["payload"]["lps"]["outcome"]["kind"] == "silence"
    letters = [c["payload"]["kind"] for c in occ.pull_all() if c["kind"] == "letter" and not c["deleted"]
               and c["payload"]["dossier_id"] in (by_ref[tested]["id"], by_ref[silent]["id"])]
    assert sorted(letters) == ["aude.lps_decision_epreuve", "aude.lps_prestation_possible", "aude.lps_prestation_possible"]
    # the server refuses an autorisation step on a declaration
    refused = occ.send(occ.mutation("dossier.decide", {"id": by_ref[silent]["id"], "kind": "autorisation", "on": TODAY.isoformat()},
                                    base_version=by_ref[silent]["version"]))[0]
    assert refused["status"] == "rejected" and refused["code"] == "route_incompatible"

    # another region's agent neither sees nor touches them
    idf = Client(server, "agent.idf", next(u.password for u in demo_users() if u.login == "agent.idf"))
    assert not {by_ref[tested]["id"], by_ref[silent]["id"]} & {c["id"] for c in idf.pull_all()}
    assert idf.get(f"/api/v1/records/dossier/{by_ref[tested]['id']}").status_code == 404
    attack = idf.send(idf.mutation("lps.close", {"id": by_ref[tested]["id"], "on": TODAY.isoformat()},
                                   base_version=by_ref[tested]["version"]))[0]
    assert attack["status"] == "rejected" and attack["code"] == "hors_perimetre"

    # the DGOS supervision counts the declarations apart from the autorisations
    auth = signed_in(server, "dgos", next(u.password for u in demo_users() if u.login == "dgos"))
    profile = Profile.isolated(tmp / "dgos")
    store = open_store(profile, database_key(profile))
    try:
        remember_user(store, auth.user)
        SyncEngine(store, auth).run()
        with store.session() as s:
            figures = compute(s, TODAY)
            autorisations = s.query(Dossier).filter(Dossier.region == "OCC", Dossier.state.notin_(lps.LPS_STATES)).count()
    finally:
        store.close()
    assert figures.lps_by_region["OCC"].total == 2
    assert figures.lps_by_region["OCC"].by_state == {"lps_prestation_possible": 2}
    assert figures.lps_by_profession["ergotherapeute"].total == 2
    assert figures.aude_by_region["OCC"].total == autorisations
