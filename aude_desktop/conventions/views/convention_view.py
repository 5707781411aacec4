"""One convention: parties, beneficiaries, avantages with a per-line threshold check, the computed
regime and why, the milestones and the legal clock, recommandations and decision, the steps."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.conventions import detail, forms
from aude_desktop.frtext import rich_text
from aude_desktop.ui.record_view import RecordView
from aude_desktop.ui.widgets import fill_table, readonly_table, selectable_label, show_clock


class ConventionView(RecordView):
    forms = forms.FORMS
    editors = ("ordre", "ars")
    noun = "conventions"
    procedure = "eps"

    def __init__(self, store, actor, today: date | None = None, settings=None, parent=None):
        super().__init__(store, actor, today, name="conventionView", accessible="Convention",
                         back_to="Retour à la file des conventions", settings=settings, parent=parent)
        self.regime_label = selectable_label(name="regimeLabel", accessible="Régime")
        self.regime_label.setAccessibleName("Régime calculé et explication")

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
        self.history.setWordWrap(True)  # a long legal source reads on several lines, not past the edge
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setAccessibleName("Calcul de l’échéance légale")
        column = QVBoxLayout(timeline)
        column.addWidget(self.milestones, 2)
        column.addWidget(QLabel("<b>Comment l’échéance est calculée</b>"))
        column.addWidget(self.history, 1)
        self.tabs.addTab(timeline, "&Chronologie et délais")

        outcome = QWidget()
        self.decision_label = selectable_label(name="decisionLabel", accessible="Décision", plain=True)
        self.recommandations = readonly_table(("Date", "Recommandations"), "Recommandations émises")
        column = QVBoxLayout(outcome)
        column.addWidget(QLabel("<b>Décision</b>"))
        column.addWidget(self.decision_label)
        column.addWidget(QLabel("<b>Recommandations</b>"))
        column.addWidget(self.recommandations, 1)
        self.transparence_label = selectable_label(name="transparenceLabel", accessible="Transparence Santé", plain=True)
        column.addWidget(QLabel("<b>Transparence Santé</b>"))
        column.addWidget(self.transparence_label)
        self.tabs.addTab(outcome, "&Décision et recommandations")

        files = QWidget()
        self.attachments = readonly_table(("Pièce jointe", "Fichier", "Taille", "Sur ce poste"), "Pièces jointes de la convention")
        self.attachments.cellActivated.connect(self.open_attachment)
        self.open_button = QPushButton("Ouvrir le fichier")
        self.open_button.setAccessibleName("Ouvrir la pièce jointe sélectionnée")
        self.open_button.clicked.connect(lambda: self.open_attachment(self.attachments.currentRow(), 0))
        self.attachment_state = selectable_label(name="attachmentState", accessible="Pièces jointes")
        column = QVBoxLayout(files)
        column.addWidget(self.attachments, 1)
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.attachment_state)
        self.tabs.addTab(files, "Pièces &jointes")

        self.tabs.addTab(self.build_letters_tab(), "Co&urriers")
        self.finish_layout(self.regime_label)

    def show_convention(self, convention_id: str) -> bool:
        with self.store.session() as s:
            self.detail = detail.load(s, convention_id, self.today)
        if self.detail is None:
            return False
        d = self.detail
        self.title.setText(f"<h2>{rich_text(d.title)}</h2>")
        self.summary.setText(d.summary)
        show_clock(self.clock_label, d.clock, d.clock_error)
        self.regime_label.setText(f"<b>Régime calculé : {rich_text(d.computed_regime)}</b><br>" + "<br>".join(rich_text(line) for line in d.regime_lines))
        fill_table(self.beneficiaries, d.beneficiaries)
        fill_table(self.avantages, d.avantages)
        fill_table(self.milestones, d.milestones)
        self.history.clear()
        self.history.addItems(list(d.clock.history) if d.clock else [d.clock_error])
        self.decision_label.setText(d.decision)
        self.transparence_label.setText(d.transparence)
        fill_table(self.recommandations, d.recommandations or [("", "Aucune recommandation.")])
        fill_table(self.attachments, [(label, name, size, "oui" if held else "pas encore (synchronisez)")
                                      for label, name, size, _sha, held in d.attachments] or [("Aucune pièce jointe.", "", "", "")])
        self.attachment_state.setText("")
        self.render_letters()
        self._render_actions()
        return True

    def reload(self) -> None:
        if self.detail is not None:
            self.show_convention(self.detail.id)

    def _render_actions(self) -> None:
        self.render_actions(self.detail.actions, self.detail.read_only)

    def open_attachment(self, row: int, _column: int) -> None:
        if self.detail is None or not (0 <= row < len(self.detail.attachments)):
            return
        _label, name, _size, sha, _held = self.detail.attachments[row]
        self.open_stored_file(sha, name or "piece-jointe", self.attachment_state)
