"""The other routes on screen (issue 20): the Nouveau dossier window and the dossier view propose
« hors champ — reconnaissance automatique »; the dossier view shows the avis of an accès partiel with
their dates and the date the order's opinion is expected. Screenshots go to the pytest folder (or
$AUDE_SHOTS) and are looked at in review."""

from __future__ import annotations

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
from aude_desktop.sync.materialize import materialize
from tests.central_api.conftest import new_dossier
from tests.support.jobs import settle
from tests.ui.test_dossier_space import TODAY, space_for
from tests.ui.test_letters_clock_views import shots
from tests.ui.test_new_dossier import applicant

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
IDF = Actor("agent.idf", "agent_dreets", "IDF")
LISTED, PARTIAL = "5c4e0000-0000-4000-8000-000000000001", "5c4e0000-0000-4000-8000-000000000002"
RECEIPT = [{"on": "2026-11-02", "kind": "receipt", "note": None}]


def test_new_dossier_window_proposes_hors_champ_from_country_and_date(qtbot, store, tmp_path):
    dialog = NewDossierDialog(store, AGENT, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    applicant(dialog, qtbot)
    assert dialog.screening.isHidden()  # no diploma date yet: the table cannot tell
    applicant(dialog, qtbot, diploma_obtained_on="30/06/2015")
    assert not dialog.screening.isHidden()
    assert "Hors champ — reconnaissance automatique" in dialog.screening.text() and "point 5.2.2" in dialog.screening.text()
    dialog.grab().save(str(shots(tmp_path) / "new_dossier_hors_champ.png"))
    applicant(dialog, qtbot, diploma_obtained_on="30/06/2015", diploma_country="Canada")
    assert dialog.screening.isHidden()
    applicant(dialog, qtbot, diploma_obtained_on="30/06/2015", acces_partiel=True)
    assert dialog.screening.isHidden()  # a partial access is never out of scope


def test_dossier_view_proposes_closure_then_shows_it(qtbot, store, tmp_path):
    listed = new_dossier(received_on="2026-11-02", clock_events=RECEIPT, state="recu",
                         diploma={"title": "Bachelier infirmier", "country": "BE", "obtained_on": "2015-06-30"})
    with store.session() as s:
        materialize(s, [("dossier", LISTED, 1, listed)])
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    space = space_for(qtbot, store)
    space.open_dossier(LISTED)
    view = space.dossier
    assert "Proposition : Hors champ — reconnaissance automatique" in view.summary.text()
    assert "dossier.close_out_of_scope" in view.detail.actions
    view.grab().save(str(shots(tmp_path) / "dossier_proposition_hors_champ.png"))
    dialog = view.open_action("dossier.close_out_of_scope")
    qtbot.addWidget(dialog)
    dialog.grab().save(str(shots(tmp_path) / "dialog_hors_champ.png"))
    dialog.accept()
    settle(qtbot)  # the step runs on the serial worker
    assert not dialog.isVisible(), dialog.error.text()
    assert view.detail.state == "hors_champ" and "Hors champ — reconnaissance automatique" in view.summary.text()
    assert "Clos hors champ le" in view.summary.text() and view.detail.actions == []
    assert view.detail.clock.next_date is None  # no acknowledgement due, no implicit decision


def test_dossier_view_shows_the_avis_of_an_acces_partiel(qtbot, store, tmp_path):
    events = [*RECEIPT, {"on": "2026-11-03", "kind": "acknowledged", "note": None}, {"on": "2026-11-03", "kind": "complete", "note": None},
              {"on": "2026-11-05", "kind": "avis_requested", "note": "ordre"}, {"on": "2026-11-20", "kind": "avis_given", "note": "commission"}]
    partial = new_dossier(region="IDF", acces_partiel=True, state="complet", acknowledged_on="2026-11-03", complete_on="2026-11-03",
                          clock_events=events, avis_partiel=[
                              {"body": "ordre", "requested_on": "2026-11-05", "given_on": None, "opinion": None, "note": None},
                              {"body": "commission", "requested_on": None, "given_on": "2026-11-20", "opinion": "favorable",
                               "note": "Soins de base seulement"}])
    with store.session() as s:
        materialize(s, [("dossier", PARTIAL, 1, partial)])
    remember_user(store, UserInfo("agent.idf", "Agent Île-de-France", "agent_dreets", "IDF"))
    space = space_for(qtbot, store, IDF)
    space.open_dossier(PARTIAL)
    view = space.dossier
    view.tabs.setCurrentIndex(3)
    text = view.partial_label.text()
    # requested Thursday 5 Nov. 2026 + 2 months = Tuesday 5 Jan. 2027 (a working day)
    assert "Avis du conseil national de l'ordre des infirmiers : demandé le 5 novembre 2026, attendu au plus tard le 5 janvier 2027 (délai à vérifier)" in text
    assert "Avis de la commission d'autorisation d'exercice : favorable, rendu le 20 novembre 2026 — Soins de base seulement" in text
    assert {"dossier.record_avis_partiel", "dossier.request_avis_partiel"} <= set(view.detail.actions)
    view.grab().save(str(shots(tmp_path) / "dossier_acces_partiel_avis.png"))
    dialog = view.open_action("dossier.decide")
    qtbot.addWidget(dialog)
    dialog.widgets["kind"].setCurrentIndex(dialog.widgets["kind"].findData("acces_partiel"))
    dialog.accept()  # before the order's opinion: refused in French, nothing written
    settle(qtbot)
    assert dialog.isVisible() and "avis manquant du conseil national de l'ordre des infirmiers" in dialog.error.text()
    dialog.grab().save(str(shots(tmp_path) / "dialog_decision_avant_avis.png"))
    dialog.reject()
    assert view.detail.state == "complet"
