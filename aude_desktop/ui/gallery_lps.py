"""The screenshots of the libre prestation de services route (docs/GUIDE.md), on fictitious declarations
of one region: the Nouveau dossier window with « Déclaration préalable (LPS) », a declaration and its legal
date, the « Déclarations LPS » queue, and the LPS tab of the supervision. Part of `make screenshot`."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QWidget

from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key

DECLARATIONS = (  # last name, first names, profession, days since receipt, Member State, place of service
    ("VAN DEN BROECK", "Liesbeth", "orthophoniste", 3, "Belgique", "Cabinet de la Citadelle, 31000 Toulouse"),
    ("MÜLLER", "Jürgen", "ergotherapeute", 60, "Allemagne", "Clinique du Parc, 34000 Montpellier"),
    ("KOWALSKA", "Agnieszka", "masseur_kinesitherapeute", 12, "Pologne", "Centre de rééducation, 31000 Toulouse"),
)


def _values(last: str, first: str, profession: str, days: int, state: str, place: str, today: date) -> dict:
    return {"route": "lps", "civility": "F" if first in ("Liesbeth", "Agnieszka") else "M", "last_name": last,
            "first_names": first, "birth_date": "12/04/1986", "nationality": state, "profession": profession,
            "diploma_title": "Titre de formation", "diploma_country": state, "received_on": f"{today - timedelta(days=days):%d/%m/%Y}",
            "region": "OCC", "establishment_state": state, "service_start": f"{today + timedelta(days=30):%d/%m/%Y}",
            "service_place": place, "service_postal_code": place.split(", ")[1][:5], "pieces_received": ["a", "b", "c"]}


def lps_shots(profile: Profile) -> dict[str, QWidget]:
    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers import filing, intake
    from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
    from aude_desktop.dossiers.views.space import DossiersSpace
    from aude_desktop.supervision.views.overview_view import OverviewView

    today = date.today()
    lps_profile = Profile.isolated(profile.data_dir.parent / "lps").ensure()
    store = open_store(lps_profile, database_key(lps_profile, passphrase="galerie de captures"))
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    actor = Actor("agent.occ", "agent_dreets", "OCC")
    ids = []
    for row in DECLARATIONS:
        dossier_id, payload, codes = filing.build(_values(*row, today), today, agent_region="OCC")
        with store.session() as s:
            ids.append(intake.register(s, actor, dossier_id, payload, codes))
    new = NewDossierDialog(store, actor, today)
    new.widgets["route"].setCurrentIndex(new.widgets["route"].findData("lps"))
    for key, text in _values("DE VRIES", "Anouk", "ergotherapeute", 0, "Pays-Bas", "Centre de soins, 31000 Toulouse", today).items():
        widget = new.widgets.get(key)
        if widget is not None and hasattr(widget, "setText"):
            widget.setText(text)
    new.widgets["profession"].setCurrentIndex(new.widgets["profession"].findData("ergotherapeute"))
    view = DossiersSpace(store, lambda: actor, "agent.occ", today)
    view.resize(1280, 800)
    view.open_dossier(ids[0])
    view.dossier.tabs.setCurrentIndex(2)
    queue = DossiersSpace(store, lambda: actor, "agent.occ", today)
    queue.resize(1280, 800)
    queue.queue.saved_box.setCurrentIndex(queue.queue.saved_box.findText("Déclarations LPS"))
    supervision = OverviewView(store, today)
    supervision.resize(1280, 800)
    supervision.tabs.setCurrentWidget(supervision.lps)
    return {"lps-new-declaration.png": new, "lps-declaration-view.png": view, "lps-queue.png": queue,
            "lps-supervision.png": supervision}
