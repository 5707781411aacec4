"""`aude-cli dossiers create`, `pieces attach`, `conventions list` and references after --dossier,
against the real reference server (in-process main(), a real encrypted profile)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from aude_desktop import cli
from aude_desktop.dossiers.models import Dossier, Piece
from tests.support.live_server import server_fixture

server = server_fixture(40, 60, 6)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUEST = {
    "civility": "M", "last_name": "Kowalski", "first_names": "Jan Piotr", "birth_date": "14/02/1988",
    "nationality": "polonaise", "postal_code": "31000", "city": "Toulouse", "email": "jan.kowalski@example.org",
    "profession": "masseur_kinesitherapeute", "situation": "ue_reglemente", "diploma_title": "Magister fizjoterapii",
    "diploma_country": "Pologne", "received_on": date.today().isoformat(), "region": "OCC", "pieces_received": ["a", "b"],
}


@pytest.fixture
def agent(tmp_path, server, monkeypatch):
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", "phrase de passe des essais")
    monkeypatch.setenv("AUDE_PASSWORD", "demo-agent-occ")
    profile = str(tmp_path / "p")

    def run(*args: str) -> int:
        return cli.main(["--profile", profile, *args])

    assert run("login", "--server", server.url, "--user", "agent.occ") == 0
    assert run("sync") == 0
    return run, tmp_path


def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


def _local(tmp_path, reference: str):
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            d = s.query(Dossier).filter(Dossier.reference == reference).one_or_none()
            return (d.id, {p.code: p.filename for p in s.query(Piece).filter(Piece.dossier_id == d.id)}) if d else (None, {})
    finally:
        store.close()


def test_create_attach_sync_and_letter_by_reference(agent, capsys):
    run, tmp_path = agent
    capsys.readouterr()
    assert run("dossiers", "create", _write(tmp_path, "demande.json", REQUEST)) == 0
    out = capsys.readouterr()
    provisional = out.out.strip()
    assert provisional.startswith("PROV-") and "référence provisoire" in out.err
    assert run("pieces", "attach", "--dossier", provisional, "--piece", "c", _write(tmp_path, "diplome.pdf", PDF)) == 0
    dossier_id, files = _local(tmp_path, provisional)
    assert files == {"a": None, "b": None, "c": "diplome.pdf"}
    assert run("sync") == 0
    capsys.readouterr()
    assert run("dossiers", "list", "--search", "Kowalski", "--json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["id"] == dossier_id and re.fullmatch(rf"AUDE-{date.today().year}-OCC-\d{{6}}", row["reference"])
    assert row["next_due_on"]  # the AR is due from the receipt date
    assert row["nos"] == "TRE_G15 70"  # masseur-kinésithérapeute: the profession's ANS code (resources/rules/professions.json)
    # the same dossier by its definitive reference and by its id
    assert run("pieces", "attach", "--dossier", row["reference"], "--piece", "f", _write(tmp_path, "casier.pdf", PDF + b"f")) == 0
    assert run("pieces", "attach", "--dossier", dossier_id, "--piece", "g", _write(tmp_path, "programme.pdf", PDF + b"g")) == 0
    assert set(_local(tmp_path, row["reference"])[1]) == {"a", "b", "c", "f", "g"}
    # letters find the dossier by its reference too (refused here for its step, not as unknown)
    assert run("settings", "letters", "--service", "Pôle autorisations d'exercice", "--address", "5 esplanade Compans-Caffarelli ; 31000 Toulouse",
               "--phone", "05 62 89 81 00", "--email", "dreets-occ@exemple.gouv.fr", "--hours", "du lundi au vendredi, de 9 h à 12 h",
               "--officer-quality", "Gestionnaire", "--signatory", "Claire MARTIN", "--quality", "Directrice régionale adjointe") == 0
    capsys.readouterr()
    assert run("letters", "render", "--kind", "accuse_reception", "--dossier", row["reference"], "--out", str(tmp_path / "ar.pdf")) == 1
    err = capsys.readouterr().err
    assert f"{dossier_id} : refusé" in err and "ne correspond pas à l'état" in err


@pytest.mark.parametrize(("change", "words"), [
    ({"received_on": "2099-01-01"}, "dans le futur"),
    ({"last_name": ""}, "Nom de naissance : champ obligatoire"),
    ({"profession": "sorcier"}, "profession non couverte"),
    ({"email": "sans-arobase"}, "Courriel"),
    ({"surnom": "x"}, "champ inconnu"),
])
def test_create_refuses_bad_input_in_french_and_writes_nothing(agent, capsys, change, words):
    run, tmp_path = agent
    capsys.readouterr()
    assert run("dossiers", "create", _write(tmp_path, "mauvais.json", {**REQUEST, **change, "last_name": change.get("last_name", "Nowak")})) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert run("dossiers", "list", "--search", "Nowak", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_attach_refusals(agent, capsys):
    run, tmp_path = agent
    assert run("dossiers", "create", _write(tmp_path, "demande.json", {**REQUEST, "last_name": "Zielinski"})) == 0
    reference = capsys.readouterr().out.strip()
    cases = [
        (["--piece", "c", _write(tmp_path, "programme.pdf", b"MZ\x90\x00rest")], "ni un PDF"),  # .exe renamed .pdf
        (["--piece", "c", _write(tmp_path, "vide.pdf", b"")], "vide (0 octet)"),
        (["--piece", "c", "--piece", "b", _write(tmp_path, "un.pdf", PDF)], "un fichier par --piece"),
        (["--piece", "z", _write(tmp_path, "deux.pdf", PDF)], "Code de pièce inconnu"),
    ]
    for extra, words in cases:
        assert run("pieces", "attach", "--dossier", reference, *extra) == 2
        assert words in capsys.readouterr().err
    assert run("pieces", "attach", "--dossier", "AUDE-1999-OCC-000001", "--piece", "c", _write(tmp_path, "x.pdf", PDF)) == 2
    assert "aucun(e) dossier" in capsys.readouterr().err
    assert _local(tmp_path, reference)[1] == {"a": None, "b": None}


def test_conventions_list_mirrors_dossiers_list(tmp_path, server, monkeypatch, capsys):
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", "phrase de passe des essais")
    monkeypatch.setenv("AUDE_PASSWORD", "demo-ars-occ")

    def run(*args: str) -> int:
        return cli.main(["--profile", str(tmp_path / "ars"), *args])

    assert run("login", "--server", server.url, "--user", "ars.occ") == 0 and run("sync") == 0
    capsys.readouterr()
    assert run("conventions", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {"id", "reference", "company", "regime", "state", "next_due_on"} <= set(rows[0])
    assert run("conventions", "list", "--regime", "declaration", "--limit", "3") == 0
    out = capsys.readouterr()
    assert len(out.out.splitlines()) <= 3 and "convention(s) sur" in out.err
    assert run("conventions", "list", "--state", "perdue") == 2


def _client(tmp_path, server, name: str, login: str, password: str):
    """Another laptop: its own profile, signed in and synced."""
    import os

    profile = str(tmp_path / name)

    def run(*args: str) -> int:
        os.environ["AUDE_PASSWORD"] = password
        return cli.main(["--profile", profile, *args])

    assert run("login", "--server", server.url, "--user", login) == 0
    assert run("sync") == 0
    return profile


def _pieces_read_back(profile_dir, reference: str) -> dict[str, list[str]] | None:
    """The text of each page of each pièce's file, as another client holds it (None: dossier not seen)."""
    import io

    from pypdf import PdfReader

    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.sync import attachments

    profile = Profile.isolated(profile_dir)
    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            d = s.query(Dossier).filter(Dossier.reference == reference).one_or_none()
            if d is None:
                return None
            shas = {p.code: p.sha256 for p in s.query(Piece).filter(Piece.dossier_id == d.id) if p.sha256}
        return {code: [page.extract_text().strip() for page in PdfReader(io.BytesIO(attachments.read(store, sha))).pages]
                for code, sha in shas.items()}
    finally:
        store.close()


def test_a_multi_page_scan_split_onto_pieces_reaches_another_client(agent, server, capsys, monkeypatch):
    from aude_desktop.dossiers.sample_scan import sample_scan as scanned_pdf

    run, tmp_path = agent
    assert run("dossiers", "create", _write(tmp_path, "demande.json", {**REQUEST, "last_name": "Wisniewska"})) == 0
    provisional = capsys.readouterr().out.strip()
    scan = _write(tmp_path, "courrier-recu.pdf", scanned_pdf(5))
    assert run("pieces", "split", "--dossier", provisional, "--piece", "c=1-2", "--piece", "d=4,5", scan) == 0
    out = capsys.readouterr()
    assert "2 pièce(s) reçue(s)" in out.out and "Pièce d : pages 4-5." in out.err
    assert run("sync") == 0
    capsys.readouterr()
    assert run("dossiers", "list", "--search", "Wisniewska", "--json") == 0
    [row] = json.loads(capsys.readouterr().out)
    laptop = _client(tmp_path, server, "second-poste", "agent.occ", "demo-agent-occ")
    held = _pieces_read_back(laptop, row["reference"])
    assert held == {"c": ["Page 1", "Page 2"], "d": ["Page 4", "Page 5"]}
    other_region = _client(tmp_path, server, "poste-idf", "agent.idf", "demo-agent-idf")
    assert _pieces_read_back(other_region, row["reference"]) is None


def test_split_refusals_write_nothing(agent, capsys):
    from aude_desktop.dossiers.sample_scan import sample_scan as scanned_pdf

    run, tmp_path = agent
    assert run("dossiers", "create", _write(tmp_path, "demande.json", {**REQUEST, "last_name": "Lewandowska"})) == 0
    reference = capsys.readouterr().out.strip()
    scan = _write(tmp_path, "scan.pdf", scanned_pdf(3))
    cases = [
        (["--piece", "c=1-2", "--piece", "d=2", scan], "La page 2 est attribuée aux pièces c et d"),
        (["--piece", "c=1-9", scan], "le document a 3 page(s)"),
        (["--piece", "c", scan], "écrivez CODE=PAGES"),
        (["--piece", "c=1", "--piece", "c=2", scan], "indiquée deux fois"),
        (["--piece", "c=1", scan, scan], "un seul PDF"),
        (["--piece", "c=1", _write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)], "seul un PDF"),
        (["--piece", "c=1", str(tmp_path / "absent.pdf")], "introuvable"),
    ]
    for extra, words in cases:
        assert run("pieces", "split", "--dossier", reference, *extra) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
    assert _local(tmp_path, reference)[1] == {"a": None, "b": None}


def test_create_proposes_hors_champ_for_a_listed_nurse_title(agent, capsys):
    run, tmp_path = agent
    nurse = {**REQUEST, "last_name": "Janssens", "first_names": "Lotte", "profession": "infirmier", "diploma_country": "Belgique",
             "diploma_title": "Bachelier infirmier responsable de soins généraux", "diploma_obtained_on": "30/06/2016"}
    capsys.readouterr()
    assert run("dossiers", "create", _write(tmp_path, "listed.json", nurse)) == 0
    out = capsys.readouterr()
    assert "Proposition : Hors champ — reconnaissance automatique" in out.err and "point 5.2.2" in out.err
    assert _local(tmp_path, out.out.strip())[0] is not None  # registered: the agent closes it from the dossier
    kine = {**REQUEST, "last_name": "Wiśniewska", "first_names": "Anna", "civility": "F"}
    assert run("dossiers", "create", _write(tmp_path, "kine.json", kine)) == 0
    assert "Proposition" not in capsys.readouterr().err  # a physiotherapist: general system, no proposal
