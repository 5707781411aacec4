"""One convention: parties, beneficiaries, avantages with a per-line threshold check, the computed
regime and why, the milestones and the legal clock, recommandations and decision, the steps."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.conventions import detail, forms
from aude_desktop.dossiers.views.action_dialog import ActionDialog
from aude_desktop.sync.local import run_command
from aude_desktop.ui.widgets import fill_table, readonly_table, selectable_label, show_clock


class ConventionView(QWidget):
    back = Signal()
    changed = Signal(str)

    def __init__(self, store, actor, today: date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("conventionView")
        self.setAccessibleName("Convention")
        self.store, self.actor = store, actor
        self.today = today or date.today()
        self.detail: detail.ConventionDetail | None = None
        self.back_button = QPushButton("← Retour à la file")
        self.back_button.setAccessibleName("Retour à la file des conventions")
        self.back_button.setToolTip("Retour à la file (Échap)")
        self.back_button.clicked.connect(self.back.emit)
        self.title = selectable_label(name="conventionTitle")
        self.summary = selectable_label(name="conventionSummary")
        self.clock_label = selectable_label(name="clockLabel")
        self.clock_label.setAccessibleName("Prochaine échéance légale")
        self.clock_label.setContentsMargins(8, 6, 8, 6)
        self.regime_label = selectable_label(name="regimeLabel")
        self.regime_label.setAccessibleName("Régime calculé et explication")
        self.actions_row = QHBoxLayout()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Volets de la convention")

        parties = QWidget()
        self.beneficiaries = readonly_table(("Bénéficiaire", "Catégorie", "Qualité", "Identifiant"), "Bénéficiaires")
        self.avantages = readonly_table(("Bénéficiaire", "Nature", "Montant", "Quantité", "Date", "Contrôle des seuils"), "Avantages")
        column = QVBoxLayout(parties)
        column.addWidget(QLabel("<b>Bénéficiaires</b>"))
        column.addWidget(self.beneficiaries, 1)
        column.addWidget(QLabel("<b>Avantages</b>"))
        column.addWidget(self.avantages, 2)
        self.tabs.addTab(parties, "&Parties et avantages")

        timeline = QWidget()
        self.milestones = readonly_table(("Date", "Étape", "Précision"), "Étapes de la convention")
        self.history = QListWidget()
        self.history.setAccessibleName("Calcul de l’échéance légale")
        column = QVBoxLayout(timeline)
        column.addWidget(self.milestones, 2)
        column.addWidget(QLabel("<b>Comment l’échéance est calculée</b>"))
        column.addWidget(self.history, 1)
        self.tabs.addTab(timeline, "&Chronologie et délais")

        outcome = QWidget()
        self.decision_label = selectable_label(name="decisionLabel")
        self.recommandations = readonly_table(("Date", "Recommandations"), "Recommandations émises")
        column = QVBoxLayout(outcome)
        column.addWidget(QLabel("<b>Décision</b>"))
        column.addWidget(self.decision_label)
        column.addWidget(QLabel("<b>Recommandations</b>"))
        column.addWidget(self.recommandations, 1)
        self.tabs.addTab(outcome, "&Décision et recommandations")

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back.emit)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.clock_label)
        layout.addWidget(self.regime_label)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.tabs, 1)

    def show_convention(self, convention_id: str) -> bool:
        with self.store.session() as s:
            self.detail = detail.load(s, convention_id, self.today)
        if self.detail is None:
            return False
        d = self.detail
        self.title.setText(f"<h2>{d.title}</h2>")
        self.summary.setText(d.summary)
        show_clock(self.clock_label, d.clock, d.clock_error)
        self.regime_label.setText(f"<b>Régime calculé : {d.computed_regime}</b><br>" + "<br>".join(d.regime_lines))
        fill_table(self.beneficiaries, d.beneficiaries)
        fill_table(self.avantages, d.avantages)
        fill_table(self.milestones, d.milestones)
        self.history.clear()
        self.history.addItems(list(d.clock.history) if d.clock else [d.clock_error])
        self.decision_label.setText(d.decision)
        fill_table(self.recommandations, d.recommandations or [("", "Aucune recommandation.")])
        self._render_actions()
        return True

    def reload(self) -> None:
        if self.detail is not None:
            self.show_convention(self.detail.id)

    def _render_actions(self) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        actor = self.actor()
        if actor is None or actor.role not in ("ordre", "ars") or self.detail.read_only:
            return  # read-only profiles and CNOM imports: no edit action at all
        for name in self.detail.actions:
            if name in forms.FORMS:
                button = QPushButton(forms.ACTION_LABELS[name] + "…")
                button.setObjectName(f"action_{name}")
                button.setAccessibleName(forms.ACTION_LABELS[name])
                button.clicked.connect(lambda _=False, n=name: self.open_action(n))
                self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def open_action(self, name: str) -> ActionDialog:
        dialog = ActionDialog(forms.FORMS[name], lambda args: self.run(name, args), today=self.today, parent=self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def run(self, name: str, args: dict) -> str:
        from aude_desktop.sync.commands import CommandRejected

        actor = self.actor()
        if actor is None:
            raise CommandRejected("non_connecte", "Connectez-vous une première fois sur ce poste pour instruire des conventions.")
        result = run_command(self.store, actor, name, dict(args, id=self.detail.id))
        self.changed.emit(self.detail.id)
        return result
