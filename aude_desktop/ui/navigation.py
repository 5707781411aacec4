"""The four spaces and the list that moves between them: the main window's, and the first screen's
(ui/first_screen.py) that stands in for it while the application loads."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSplitter, QWidget


@dataclass(frozen=True)
class Space:
    key: str
    title: str
    heading: str
    description: str


SPACES = (
    Space("dossiers", "Dossiers (AUDE)", "Autorisations d’exercice",
          "Les dossiers de votre région, leurs pièces, l’échéance légale de chacun, la commission et les décisions."),
    Space("conventions", "Conventions (EPS)", "Conventions d’avantages",
          "Les conventions de votre autorité, leur régime (déclaration ou autorisation) et leurs délais."),
    Space("supervision", "Supervision (DGOS)", "Supervision nationale",
          "Files d’attente, échéances et volumes de toutes les régions et autorités, en lecture seule."),
    Space("sync", "Synchronisation", "Synchronisation",
          "Modifications en attente d’envoi, refus du serveur, conflits à arbitrer."),
)

# The menu bar's titles, so the first screen's bar matches the window's.
FILE_MENU, VIEW_MENU, SYNC_MENU, HELP_MENU = MENUS = ("&Fichier", "&Affichage", "&Synchronisation", "&Aide")


def navigation_list() -> QListWidget:
    navigation = QListWidget()
    navigation.setObjectName("navigation")
    navigation.setAccessibleName("Navigation entre les espaces")
    navigation.setMaximumWidth(260)
    navigation.setMinimumWidth(200)  # the spaces' names stay readable whatever the page needs
    # A little larger than the system font, whatever size the user chose (never a fixed size).
    larger = navigation.font()
    larger.setPointSizeF(larger.pointSizeF() * 1.15)
    navigation.setFont(larger)
    navigation.setStyleSheet("QListWidget#navigation::item { padding: 0.6em 0.8em; }")
    for index, space in enumerate(SPACES, start=1):
        item = QListWidgetItem(space.title)
        item.setToolTip(f"{space.heading} (Ctrl+{index})")
        item.setData(Qt.ItemDataRole.UserRole, space.key)
        navigation.addItem(item)
    return navigation


def beside_navigation(navigation: QListWidget, content: QWidget) -> QSplitter:
    """The navigation on the left, the space's page taking the rest."""
    splitter = QSplitter()
    splitter.addWidget(navigation)
    splitter.addWidget(content)
    splitter.setStretchFactor(1, 1)
    splitter.setCollapsible(0, False)
    splitter.setSizes([220, 1060])
    return splitter
