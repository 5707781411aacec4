"""Renders the shell's windows and dialogs to PNG files, for the docs and for review.

`python -m aude_desktop.ui.gallery DIR` (offscreen, throw-away profiles removed at exit): the
windows and dialogs on local fictitious data here, the views that need the demo server in
gallery_demo.py.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from aude_desktop.letters.samples import sample_settings
from aude_desktop.paths import Profile
from aude_desktop.scratch import exit_on_signals, scratch_dir
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import NO_KEYRING_MESSAGE, database_key
from aude_desktop.ui.dialogs import AboutDialog, LoginDialog, PassphraseDialog, SettingsDialog
from aude_desktop.ui.errors import error_box
from aude_desktop.ui.i18n import install_french
from aude_desktop.ui.main_window import MainWindow
from aude_desktop.ui.serial_worker import lookup_worker, serial_worker
from aude_desktop.ui.style import install_style


def build(root: Path) -> dict[str, QWidget]:
    """Every window and dialog worth looking at, on fictitious data (profiles under `root`): the
    screenshots and the accessibility and language tests walk the same set."""
    app = QApplication.instance() or QApplication([])
    install_french(app)
    install_style(app)
    profile = Profile.isolated(root).ensure()
    store = open_store(profile, database_key(profile, passphrase="galerie de captures"))
    window = MainWindow(store, Settings(), profile)
    window.resize(1280, 800)
    settings = SettingsDialog(replace(sample_settings(), http_proxy="http://proxy.exemple.gouv.fr:3128"), profile.settings_path)
    settings.server.setText("serveur-sans-schema")
    settings.accept()  # shows the inline French error
    login = LoginDialog("https://aude.exemple.gouv.fr", "agent.occ")
    login.accept()
    locked = MainWindow(store, Settings(), profile)
    locked.resize(1280, 800)
    locked.lock()
    from aude_desktop.ui.gallery_lps import lps_shots

    shots = {**_dossier_shots(profile), **_convention_shots(profile), **lps_shots(profile), **{
        "main-window.png": window,
        "settings-dialog.png": settings,
        "login-dialog.png": login,
        "inactivity-lock.png": locked,
        "passphrase-dialog.png": PassphraseDialog(NO_KEYRING_MESSAGE, first_run=True),
        "about-dialog.png": AboutDialog(),
        "error-dialog.png": error_box("Traceback (most recent call last):\n  …\nRuntimeError: exemple", profile.log_dir),
    }}
    for worker in (serial_worker(), lookup_worker()):  # figures and letters computed off the GUI thread, shown
        worker.wait()
    return shots


def render(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    written = []
    widgets = build(scratch_dir("aude-gallery-"))
    for name, widget in widgets.items():
        widget.show()
        app.processEvents()
        path = folder / name
        widget.grab().save(str(path))
        written.append(path)
        widget.hide()
    # Qt deletes the windows (children with their parents) before Python drops its wrappers in
    # whatever order: left to the garbage collector, a dialog and its parent crashed the process.
    for widget in widgets.values():
        widget.deleteLater()
    app.processEvents()
    return written


def _dossier_shots(profile: Profile) -> dict:
    """The Dossiers space on fictitious demo dossiers of one region, as an agent sees it."""
    import json
    from datetime import date

    from sqlalchemy import select

    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.casework.views.bulk_dialogs import ReportDialog
    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers import bulk
    from aude_desktop.dossiers.models import Dossier
    from aude_desktop.dossiers.views.space import DossiersSpace
    from aude_desktop.store.models import UnseenChange
    from aude_desktop.sync import materialize
    from central_api.demo_data import generate_records

    today = date.today()
    agent_profile = Profile.isolated(profile.data_dir.parent / "agent").ensure()
    store = open_store(agent_profile, database_key(agent_profile, passphrase="galerie de captures"))
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(6000, 0, seed=7, today=today)
               if r.kind in ("dossier", "piece") and r.region == "OCC"]
    with store.session() as s:
        materialize.materialize(s, records)
        s.add_all([UnseenChange(entity_id=i, entity_kind="dossier") for k, i, _v, _p in records[:40:7] if k == "dossier"])
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    actor = Actor("agent.occ", "agent_dreets", "OCC")
    space = DossiersSpace(store, lambda: actor, "agent.occ", today)
    space.resize(1280, 800)
    dossier = DossiersSpace(store, lambda: actor, "agent.occ", today)
    dossier.resize(1280, 800)
    with store.session() as s:
        rich = s.scalars(select(Dossier.id).where(Dossier.state == "avis_rendu").order_by(Dossier.reference)).first()
        fresh = s.scalars(select(Dossier.id).where(Dossier.state == "recu").order_by(Dossier.reference).limit(8)).all()
    dossier.open_dossier(rich)
    dossier.dossier.tabs.setCurrentIndex(2)
    decide = dossier.dossier.open_action("dossier.decide")
    decide.widgets["kind"].setCurrentIndex(decide.widgets["kind"].findData("mesures_compensation"))
    decide.widgets["motifs"].setPlainText("La formation suivie ne comprend pas d’enseignement de pédiatrie.")
    decide.widgets["subjects"].setPlainText("Pédiatrie\nSoins en santé mentale")
    report = ReportDialog(bulk.acknowledge(store, actor, list(fresh) + [rich], today))
    letters = DossiersSpace(store, lambda: actor, "agent.occ", today, settings=sample_settings)
    letters.resize(1280, 800)
    letters.open_dossier(fresh[0])
    letters.dossier.tabs.setCurrentIndex(4)
    # a demo dossier may be past its month: the gallery shows the letter, the confirmation has its own test
    letters.dossier.issue_letter("accuse_reception", confirm_late=True)
    serial_worker().wait()  # issued on the worker; the preview opens when it is registered
    preview = letters.dossier.letter_preview
    preview.resize(760, 900)
    return {"dossier-queue.png": space, "first-screen.png": _first_screen(store, space, today),
            "dossier-view.png": dossier, "decision-dialog.png": decide,
            "bulk-report.png": report, "dossier-letters.png": letters, "letter-preview.png": preview,
            **_clock_shots(store, actor, today, letters.dossier.letter_lines[0]),
            "new-dossier.png": _new_dossier(store, actor, today, fresh[1]),
            "split-scan.png": _split_scan(store, actor, letters.dossier, profile.data_dir.parent),
            **_routes_shots(profile, today)}


def _first_screen(store, space, today) -> QWidget:
    """The first screen of the next start, from the page this agent's window would keep."""
    from aude_desktop import APP_NAME
    from aude_desktop.casework.first_page import capture
    from aude_desktop.dossiers import queue
    from aude_desktop.ui.first_screen import FirstScreen

    payload = capture(store, queue, queue.QueueFilter(), "agent.occ", today, space.queue.look())
    return FirstScreen(payload, APP_NAME, today)


def _routes_shots(profile: Profile, today) -> dict:
    """Automatic recognition proposed at intake and on a file; the avis of an accès partiel (docs/GUIDE.md),
    in an Île-de-France agent's profile (every accès partiel is filed there)."""
    import copy
    from datetime import timedelta

    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
    from aude_desktop.dossiers.views.space import DossiersSpace
    from aude_desktop.letters.samples import DOSSIER
    from aude_desktop.sync import materialize

    idf = Profile.isolated(profile.data_dir.parent / "idf").ensure()
    store = open_store(idf, database_key(idf, passphrase="galerie de captures"))

    def day(n: int) -> str:  # demo dates relative to today
        return (today - timedelta(days=n)).isoformat()

    listed = copy.deepcopy(DOSSIER) | {"avis": None, "region": "IDF", "state": "recu", "received_on": day(6), "acknowledged_on": None,
                                       "reference": "AUDE-2026-IDF-000101", "clock_events": [{"on": day(6), "kind": "receipt", "note": None}]}
    listed["diploma"] = {"title": "Bachelier infirmier responsable de soins généraux", "country": "BE", "obtained_on": "2014-06-27"}
    partial = copy.deepcopy(DOSSIER) | {
        "avis": None, "region": "IDF", "state": "complet", "acces_partiel": True, "reference": "AUDE-2026-IDF-000102", "received_on": day(40),
        "acknowledged_on": day(35), "complete_on": day(35), "diploma": {"title": "Pflegeassistenz", "country": "DE"},
        "clock_events": [{"on": day(40), "kind": "receipt", "note": None}, {"on": day(35), "kind": "acknowledged", "note": None},
                         {"on": day(35), "kind": "complete", "note": None}, {"on": day(30), "kind": "avis_requested", "note": "ordre"},
                         {"on": day(8), "kind": "avis_given", "note": "commission"}],
        "avis_partiel": [{"body": "ordre", "requested_on": day(30), "given_on": None, "opinion": None, "note": None},
                         {"body": "commission", "requested_on": None, "given_on": day(8), "opinion": "favorable",
                          "note": "Soins d'hygiène et de confort seulement"}]}
    ids = ("9a11e000-0000-4000-8000-000000000101", "9a11e000-0000-4000-8000-000000000102")
    with store.session() as s:
        materialize.materialize(s, [("dossier", ids[0], 1, listed), ("dossier", ids[1], 1, partial)])
    remember_user(store, UserInfo("agent.idf", "Agent Île-de-France", "agent_dreets", "IDF"))
    actor = Actor("agent.idf", "agent_dreets", "IDF")
    shots = {}
    for name, record, tab in (("dossier-hors-champ.png", ids[0], 0), ("dossier-acces-partiel.png", ids[1], 3)):
        space = DossiersSpace(store, lambda: actor, "agent.idf", today)
        space.resize(1280, 800)
        space.open_dossier(record)
        space.dossier.tabs.setCurrentIndex(tab)
        shots[name] = space
    intake = NewDossierDialog(store, actor, today)
    for key, text in {"last_name": "JANSSENS", "first_names": "Lotte", "birth_date": "14/02/1991", "nationality": "belge",
                      "postal_code": "75011", "city": "Paris", "diploma_title": "Bachelier infirmier responsable de soins généraux",
                      "diploma_country": "Belgique", "diploma_obtained_on": "27/06/2014"}.items():
        intake.widgets[key].setText(text)
    intake.widgets["profession"].setCurrentIndex(intake.widgets["profession"].findData("infirmier"))
    return {**shots, "new-dossier-hors-champ.png": intake}


def _clock_shots(store, actor, today, line) -> dict:
    """The épreuve sessions of the region and the notification date of a letter (docs/GUIDE.md)."""
    from dataclasses import replace
    from datetime import date, timedelta

    from aude_desktop.dossiers.views.epreuve_dialogs import EpreuveSessionsDialog
    from aude_desktop.letters.templates import templates
    from aude_desktop.letters.views.notification_dialog import NotificationDialog
    from aude_desktop.sync.local import run_command

    for days, hour, places in ((45, "09:30", 24), (120, "14:00", 12)):
        run_command(store, actor, "epreuve.create", {"payload": {
            "profession": "infirmier", "region": "OCC", "session_on": (date.today() + timedelta(days=days)).isoformat(),
            "starts_at": hour, "address": "DREETS Occitanie, 5 esplanade Compans-Caffarelli, 31000 Toulouse", "capacity": places,
            "bring": "une pièce d'identité en cours de validité et la présente convocation"}})
    sessions = EpreuveSessionsDialog(store, actor, today)
    sessions.resize(1060, 340)
    decision = replace(line, title=templates("aude")["decision_mesures"].title, decision=True)  # shown, never accepted
    return {"epreuve-sessions.png": sessions, "notification-dialog.png": NotificationDialog(store, actor, decision, today)}


def _new_dossier(store, actor, today, existing_id: str) -> QWidget:
    """The Nouveau dossier window, typed in for an applicant who already has a dossier here."""
    from aude_desktop.dossiers.models import Applicant
    from aude_desktop.dossiers.views.new_dossier import NewDossierDialog

    with store.session() as s:
        a = s.query(Applicant).filter(Applicant.dossier_id == existing_id).one()
        typed = {"last_name": a.last_name.upper(), "first_names": a.first_names, "birth_date": f"{a.birth_date:%d/%m/%Y}",
                 "nationality": "portugaise", "postal_code": "31000", "city": "Toulouse", "email": "demandeur@exemple.fr",
                 "diploma_title": "Licenciatura em Enfermagem", "diploma_country": "Portugal", "diploma_issuing_body": "Universidade de Lisboa"}
    dialog = NewDossierDialog(store, actor, today)
    for key, text in typed.items():
        dialog.widgets[key].setText(text)
    dialog.widgets["profession"].setCurrentIndex(dialog.widgets["profession"].findData("infirmier"))
    for i in range(3):
        dialog.pieces.item(i).setCheckState(Qt.CheckState.Checked)
    dialog.check_duplicates()
    return dialog


def _split_scan(store, actor, view, root: Path) -> QWidget:
    """« Découper un PDF… » on a five-page paper application, pages typed in for three pièces."""
    from aude_desktop.dossiers.sample_scan import sample_scan
    from aude_desktop.dossiers.views.split_dialog import SplitScanDialog

    scan = root / "courrier-recu-le-12-novembre.pdf"
    scan.write_bytes(sample_scan(5))
    dialog = SplitScanDialog(store, actor, view.detail.id, view.detail.checklist, scan, 5)
    for code, pages in (("a", "1-2"), ("b", "3"), ("c", "5")):
        dialog.fields[code].setText(pages)
    return dialog


def _convention_shots(profile: Profile) -> dict:
    """The Conventions space of the nurses' order on fictitious demo conventions."""
    import json
    from datetime import date

    from sqlalchemy import select

    from aude_desktop.conventions.models import Convention
    from aude_desktop.conventions.views.space import ConventionsSpace
    from aude_desktop.domain.commands import Actor
    from aude_desktop.sync import materialize
    from central_api.demo_data import generate_records

    today = date.today()
    order_profile = Profile.isolated(profile.data_dir.parent / "ordre").ensure()
    store = open_store(order_profile, database_key(order_profile, passphrase="galerie de captures"))
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(0, 8000, seed=7, today=today)
               if r.kind == "convention" and r.authority == "ORDRE-INF"]
    with store.session() as s:
        materialize.materialize(s, records)
        target = s.scalars(select(Convention.id).where(Convention.regime == "autorisation", Convention.state == "en_instruction")
                           .order_by(Convention.reference)).first()
    actor = Actor("ordre.inf", "ordre", None, "ORDRE-INF")
    space = ConventionsSpace(store, lambda: actor, today)
    space.resize(1280, 800)
    view = ConventionsSpace(store, lambda: actor, today)
    view.resize(1280, 800)
    view.open_convention(target)
    return {"convention-queue.png": space, "convention-view.png": view}


def main(argv: list[str]) -> int:
    """`python -m aude_desktop.ui.gallery [DIR] [--no-demo] [--no-national]`: every image of
    docs/screenshots; --no-demo skips those that need the demo server, --no-national the
    national-scale ones (minutes)."""
    from aude_desktop.argparse_fr import french_parser

    parser = french_parser(prog="python -m aude_desktop.ui.gallery", description="Captures d’écran de la documentation.")
    parser.add_argument("folder", nargs="?", default="docs/screenshots", help="dossier des captures (défaut : docs/screenshots)")
    parser.add_argument("--no-demo", action="store_true", help="sans les captures qui demandent le serveur de démonstration")
    parser.add_argument("--no-national", action="store_true", help="sans les captures à l’échelle nationale (plusieurs minutes)")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    for path in render(folder):
        print(path, flush=True)
    if not args.no_demo:
        from aude_desktop.ui.gallery_demo import render_demo

        for path in render_demo(folder, national=not args.no_national, report=lambda m: print(m, file=sys.stderr, flush=True)):
            print(path, flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    exit_on_signals()  # the throw-away profiles go on Ctrl+C too
    raise SystemExit(main(sys.argv[1:]))
