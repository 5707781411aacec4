"""The LPS route in the windows: « Déclaration préalable (LPS) » in the Nouveau dossier window (the service
planned instead of a situation, the LPS pièces), the declaration's own steps in its view, the « Déclarations
LPS » queue, and the LPS tab of the supervision. Screenshots go to $AUDE_SHOTS when set."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.dossiers.views.new_dossier import LPS_GROUP, NewDossierDialog
from aude_desktop.supervision.views.overview_view import OverviewView
from aude_desktop.sync.materialize import dump_dossier
from tests.support.jobs import settle
from tests.ui.test_dossier_space import space_for
from tests.ui.test_letters_clock_views import shots
from tests.ui.test_new_dossier import check_piece, fill

TODAY = date.today()
AGENT = Actor("agent.occ", "agent_dreets", "OCC")


def declare(qtbot, store, tmp_path, received: date) -> str:
    dialog = NewDossierDialog(store, AGENT, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.boxes[LPS_GROUP].isVisible() and dialog.widgets["situation"].isVisible()
    fill(dialog, qtbot, route="lps")
    assert dialog.boxes[LPS_GROUP].isVisible() and not dialog.widgets["situation"].isVisible()
    assert dialog.windowTitle() == "Nouvelle déclaration préalable (LPS)"
    assert dialog.pieces.item(2).text().startswith("c) Attestation d'établissement légal")
    fill(dialog, qtbot, civility="F", last_name="Van den Broeck", first_names="Liesbeth", birth_date="02/05/1986",
         nationality="belge", profession="orthophoniste", diploma_title="Bachelor in de logopedie", diploma_country="Belgique",
         received_on=f"{received:%d/%m/%Y}", establishment_state="Belgique", service_start=f"{TODAY + timedelta(days=30):%d/%m/%Y}",
         service_place="Cabinet de la Citadelle, Lille", service_postal_code="59000")
    check_piece(dialog, "a")
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "Hauts-de-France" in dialog.error.text()  # the service is in Lille: another region
    fill(dialog, qtbot, region_reason="Prestation déplacée à Montpellier (courriel du 2 novembre)")
    dialog.grab().save(str(shots(tmp_path) / "lps_new_declaration.png"))
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible(), dialog.error.text()
    return dialog.dossier_id


def test_new_declaration_its_steps_and_its_queue(qtbot, store, tmp_path):
    dossier_id = declare(qtbot, store, tmp_path, TODAY - timedelta(days=3))
    with store.session() as s:
        p = dump_dossier(s, dossier_id)
    assert p["route"] == "lps" and p["lps"]["service"]["place"] == "Cabinet de la Citadelle, Lille"
    space = space_for(qtbot, store)
    space.open_dossier(dossier_id)
    assert space.dossier.findChild(type(space.bulk_button), "action_lps.start_verification") is not None
    assert space.dossier.findChild(type(space.bulk_button), "action_dossier.acknowledge") is None
    space.dossier.tabs.setCurrentIndex(2)  # the clock: one month to inform the provider
    space.grab().save(str(shots(tmp_path) / "lps_declaration_view.png"))
    dialog = space.dossier.open_action("lps.start_verification")
    dialog.widgets["on"].setDate(TODAY - timedelta(days=2))
    dialog.accept()
    settle(qtbot)
    dialog = space.dossier.open_action("lps.impose_epreuve")
    dialog.widgets["on"].setDate(TODAY - timedelta(days=1))
    dialog.widgets["subjects"].setPlainText("Troubles de la déglutition")
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "Motifs de droit et de fait » est obligatoire" in dialog.error.text()
    dialog.widgets["motifs"].setPlainText("Aucun enseignement des troubles de la déglutition.")
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible(), dialog.error.text()
    with store.session() as s:
        assert s.get(Dossier, dossier_id).state == "lps_epreuve"
    space.show_queue() if hasattr(space, "show_queue") else space.setCurrentWidget(space.queue)
    queue = space.queue
    queue.saved_box.setCurrentIndex(queue.saved_box.findText("Déclarations LPS"))
    assert queue.model.total == 1
    assert queue.model.data(queue.model.index(0, 3), Qt.ItemDataRole.DisplayRole) == "LPS — épreuve d’aptitude imposée"
    space.grab().save(str(shots(tmp_path) / "lps_queue.png"))


def test_supervision_shows_declarations_apart(qtbot, store, tmp_path):
    declare(qtbot, store, tmp_path, TODAY - timedelta(days=60))  # past the month: possible by silence
    view = OverviewView(store, TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    settle(qtbot)  # the figures are computed off the GUI thread
    assert "Libre prestation de services, comptée à part : 1 déclaration(s) en cours, dont 1" in view.summary.text().replace("<b>", "").replace("</b>", "")
    view.tabs.setCurrentWidget(view.lps)
    assert view.figures.lps_by_region["OCC"].implicit == 1 and "OCC" not in view.figures.aude_by_region
    view.grab().save(str(shots(tmp_path) / "lps_supervision.png"))
