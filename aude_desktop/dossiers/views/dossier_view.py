"""One dossier: identity, pièces with their scans, milestones and the legal clock, commission and
decision, letters, and the agent's private annotation (saved as it is typed).

The annotation and the scans are written on the serial worker, like the steps: the view stays live,
a refusal is said under the editor or the pièces and nothing typed is lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.dossiers import commission, detail, forms
from aude_desktop.dossiers.intake_rules import reference_label
from aude_desktop.frtext import rich_text
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.ui.record_view import RecordView
from aude_desktop.ui.serial_worker import french_message, serial_worker
from aude_desktop.ui.widgets import fill_table, readonly_table, selectable_label, show_clock
from aude_desktop.workspace import Workspace

AUTOSAVE_MS = 800


class DossierView(RecordView):
    forms = forms.FORMS
    editors = ("agent_dreets",)
    noun = "dossiers"

    def __init__(self, store, actor, today: date | None = None, settings=None, parent=None):
        super().__init__(store, actor, today, name="dossierView", accessible="Dossier",
                         back_to="Retour à la file des dossiers", settings=settings, parent=parent)
        self._build_tabs()
        self.finish_layout()
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_annotation)
        self.annotation_job = None  # the latest save handed to the serial worker
        self._annotation_text: str | None = None  # what that save writes
        self._after_save: list[Callable[[], None]] = []  # what waits for it (leaving the dossier)
        self.scan_job = None  # the latest file being joined

    # -- tabs -----------------------------------------------------------------------------------

    def _build_tabs(self) -> None:
        identity = QWidget()
        self.identity_form = QFormLayout()
        self.diploma_form = QFormLayout()
        self.experiences = selectable_label(name="experiences", accessible="Expérience professionnelle")
        box = QHBoxLayout()
        for caption, form in (("<b>Demandeur</b>", self.identity_form), ("<b>Diplôme principal</b>", self.diploma_form)):
            column = QVBoxLayout()
            column.addWidget(QLabel(caption))
            column.addLayout(form)
            column.addStretch(1)
            box.addLayout(column, 1)
        outer = QVBoxLayout(identity)
        outer.addLayout(box)
        outer.addWidget(QLabel("<b>Expérience professionnelle</b>"))
        outer.addWidget(self.experiences)
        outer.addStretch(1)
        self.tabs.addTab(identity, "&Identité et diplôme")

        pieces = QWidget()
        self.pieces_table = readonly_table(("Pièce", "Libellé", "Statut", "Reçue le", "Traduction", "Fichier"), "Pièces du dossier")
        self.pieces_table.cellActivated.connect(self.open_scan)
        self.open_scan_button = QPushButton("Ouvrir le fichier")
        self.open_scan_button.setAccessibleName("Ouvrir le fichier de la pièce")
        self.open_scan_button.clicked.connect(lambda: self.open_scan(self.pieces_table.currentRow(), 0))
        self.attach_button = QPushButton("&Joindre…")
        self.attach_button.setAccessibleName("Joindre un fichier numérisé à la pièce sélectionnée")
        self.attach_button.setToolTip("PDF, JPEG ou PNG, 20 Mo au plus ; vous pouvez aussi déposer le fichier sur la ligne de la pièce")
        self.attach_button.clicked.connect(self.choose_scan)
        self.split_button = QPushButton("Déc&ouper un PDF…")
        self.split_button.setAccessibleName("Découper un PDF de plusieurs pages sur plusieurs pièces")
        self.split_button.setToolTip("Un courrier numérisé d’un seul tenant : chaque pièce reçoit ses pages")
        self.split_button.clicked.connect(self.choose_scan_to_split)
        self.scan_state = selectable_label(name="scanState", accessible="Résultat du dernier fichier joint")
        self.pieces_table.viewport().setAcceptDrops(True)
        self.pieces_table.viewport().installEventFilter(self)
        self.requests_table = readonly_table(("Demandée le", "Pièces demandées et motif", "Reçue le"), "Demandes de pièces")
        column = QVBoxLayout(pieces)
        column.addWidget(self.pieces_table, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_scan_button)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.split_button)
        buttons.addWidget(self.scan_state, 1)
        column.addLayout(buttons)
        column.addWidget(QLabel("<b>Demandes de pièces</b> (chacune suspend le délai de décision)"))
        column.addWidget(self.requests_table, 1)
        self.tabs.addTab(pieces, "&Pièces")

        timeline = QWidget()
        self.milestones = readonly_table(("Date", "Jalon", "Précision"), "Jalons du dossier")
        self.history = QListWidget()
        self.history.setWordWrap(True)  # a long legal source reads on several lines, not past the edge
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setAccessibleName("Calcul de l’échéance légale")
        column = QVBoxLayout(timeline)
        column.addWidget(QLabel("<b>Jalons</b>"))
        column.addWidget(self.milestones, 2)
        column.addWidget(QLabel("<b>Comment l’échéance est calculée</b>"))
        column.addWidget(self.history, 1)
        self.tabs.addTab(timeline, "&Chronologie et délais")

        decision = QWidget()
        self.avis_label = selectable_label(name="avisLabel", accessible="Avis", plain=True)
        self.decision_label = selectable_label(name="decisionLabel", accessible="Décision", plain=True)
        self.partial_caption = QLabel("<b>Accès partiel — avis de la commission et de l’ordre</b>")
        self.partial_label = selectable_label(name="avisPartielLabel", accessible="Avis (accès partiel)", plain=True)
        column = QVBoxLayout(decision)
        column.addWidget(self.partial_caption)
        column.addWidget(self.partial_label)
        for caption, label in (("<b>Avis</b>", self.avis_label), ("<b>Décision</b>", self.decision_label)):
            column.addWidget(QLabel(caption))
            column.addWidget(label)
        column.addStretch(1)
        self.tabs.addTab(decision, "Commission et &décision")

        self.tabs.addTab(self.build_letters_tab(), "Co&urriers")

        notes = QWidget()
        self.annotation = QPlainTextEdit()
        self.annotation.setObjectName("annotation")
        self.annotation.setAccessibleName("Annotation privée")
        self.annotation.setPlaceholderText("Vos notes sur ce dossier, visibles de vous seul ; enregistrées au fil de la frappe.")
        self.annotation.textChanged.connect(self._annotation_edited)
        self.annotation_state = selectable_label(name="annotationState", accessible="État de l’annotation")
        column = QVBoxLayout(notes)
        column.addWidget(self.annotation, 1)
        column.addWidget(self.annotation_state)
        self.tabs.addTab(notes, "A&nnotations")

    # -- loading --------------------------------------------------------------------------------

    def show_dossier(self, dossier_id: str) -> bool:
        """Shown now; False when it is not on this machine. To go to another dossier, `leave` first:
        it waits for the annotation typed here to be saved."""
        actor = self.actor()
        previous, typed = self.detail, self.annotation.toPlainText()
        self.save_annotation()
        with self.store.session() as s:
            loaded = detail.load(s, dossier_id, actor.login if actor else "", self.today)
        if loaded is None:
            return False
        self.detail = loaded
        # Reloading the same dossier while its annotation is being saved: the editor keeps the text
        # typed (the store may not hold it yet), and the save's id is kept for the next save.
        keep = previous is not None and previous.id == loaded.id and (typed != previous.annotation or self.annotation_saving)
        if keep:
            loaded.annotation_id = loaded.annotation_id or previous.annotation_id
            loaded.annotation = previous.annotation
        self._render(keep_annotation=keep)
        return True

    def leave(self, then: Callable[[], None]) -> None:
        """`then()` once the annotation typed here is saved: at once when nothing is to be saved,
        after the serial worker's answer otherwise, never when it was refused (the text stays in the
        editor, the reason under it)."""
        self.save_annotation()
        if self.annotation_saving:
            self._after_save.append(then)
        else:
            then()

    def reload(self) -> None:
        if self.detail is not None:
            self.show_dossier(self.detail.id)

    def _render(self, keep_annotation: bool = False) -> None:
        d = self.detail
        name = dict(d.applicant)
        # Rich text: every value that came with the record (an online application's name…) is escaped.
        heading = f"{reference_label(d.reference)} — {name.get('Nom', '').upper()} {name.get('Prénoms', '')}"
        self.title.setText(f"<h2>{rich_text(heading)}</h2>")
        assigned = f" · suivi par {d.assigned_to}" if d.assigned_to else " · non attribué"
        unsent = f" · {d.unsent} modification(s) non encore envoyée(s)" if d.unsent else ""
        line = f"{d.profession_label} · {d.region_label} · reçu le {format_date_fr(d.received_on)}{assigned}{unsent}"
        proposal = f"<br><span style='color:#8a4b00'>{rich_text(d.proposal)}</span>" if d.proposal else ""
        self.summary.setText(f"<b>{rich_text(d.state_label)}</b> · {rich_text(line)}<br>{rich_text(d.situation_label)}{proposal}")
        self._render_clock()
        self._render_actions()
        clear_form(self.identity_form)
        clear_form(self.diploma_form)
        for form, pairs in ((self.identity_form, d.applicant), (self.diploma_form, d.diploma)):
            for label, value in pairs:
                form.addRow(label + " :", selectable_label(value))
        self.experiences.setText("\n".join(d.experiences) or "Aucune expérience déclarée.")
        fill_table(self.pieces_table, [
            (line.code, line.label, line.status_label, format_date_fr(line.received_on) if line.received_on else "",
             "requise" if line.status == "traduction_requise" else ("à vérifier" if line.translation_required else ""),
             line.filename or "")
            for line in d.checklist
        ])
        fill_table(self.milestones, [(format_date_fr(m.on), m.label, m.note) for m in d.milestones])
        fill_table(self.requests_table, [(format_date_fr(sent), what, format_date_fr(done) if done else "en attente")
                                         for sent, what, done in d.piece_requests] or [("", "Aucune demande de pièces.", "")])
        self.history.clear()
        self.history.addItems(list(d.clock.history) if d.clock else [d.clock_error])
        self.avis_label.setText(d.avis)
        self.partial_label.setText("\n".join(d.avis_partiel))
        self.partial_caption.setVisible(bool(d.avis_partiel))
        self.partial_label.setVisible(bool(d.avis_partiel))
        self.decision_label.setText(d.decision)
        self.render_letters()
        if keep_annotation:
            return
        self.annotation.blockSignals(True)
        self.annotation.setPlainText(d.annotation)
        self.annotation.blockSignals(False)
        self.annotation_state.setText("")

    def _render_clock(self) -> None:
        show_clock(self.clock_label, self.detail.clock, self.detail.clock_error)

    def _render_actions(self) -> None:
        self.render_actions(self.detail.actions)
        self.attach_button.setVisible(self._may_attach())
        self.split_button.setVisible(self._may_attach())
        self.scan_state.setText("")

    def action_options(self, name: str) -> dict:
        if name == "dossier.acknowledge":  # the checklist's missing pièces, proposed
            return {"defaults": {"missing": [f"{line.code}) {line.label}" for line in self.detail.checklist
                                             if line.status != "recu" and line.code != "d"]}}
        if name == "dossier.schedule_commission":
            with self.store.session() as s:
                return {"sessions": commission.upcoming_choices(s, self.detail.profession, self.today)}
        return {}

    def prepare_args(self, name: str, args: dict) -> dict:
        if name == "dossier.schedule_commission":
            with self.store.session() as s:
                args.update(commission.session_args(s, args.get("session_id")))
        return args

    def open_scan(self, row: int, _column: int) -> None:
        if self.detail is None or not (0 <= row < len(self.detail.checklist)):
            return
        line = self.detail.checklist[row]
        if not line.sha256:
            self.annotation_state.setText(f"La pièce {line.code} n’a pas de fichier numérisé.")
            return
        self.open_stored_file(line.sha256, line.filename or f"piece-{line.code}.pdf", self.annotation_state)

    # -- scans ----------------------------------------------------------------------------------

    def _may_attach(self) -> bool:
        actor = self.actor()
        return self.detail is not None and actor is not None and actor.role in self.editors and self.detail.is_open

    def choose_scan(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        row = self.pieces_table.currentRow()
        if not self._may_attach() or not 0 <= row < len(self.detail.checklist):
            self.scan_state.setText("Sélectionnez d’abord la pièce dans la liste.")
            return
        path, _ = QFileDialog.getOpenFileName(self, "Joindre un fichier numérisé", "",
                                              "Fichiers numérisés (*.pdf *.jpg *.jpeg *.png);;Tous les fichiers (*)")
        if path:
            self.attach_scans(row, [path])

    def choose_scan_to_split(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if not self._may_attach():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Découper un PDF sur plusieurs pièces", "", "PDF (*.pdf);;Tous les fichiers (*)")
        if path:
            self.split_scan(path)

    def split_scan(self, path: str) -> bool:
        """The split dialog for this file; False when the file cannot be split (said in the view) or the agent cancels."""
        from aude_desktop.dossiers import scan_split
        from aude_desktop.dossiers.views.split_dialog import SplitScanDialog

        try:
            count = scan_split.page_count(Path(path))
        except CommandRejected as exc:
            self.scan_state.setText(exc.message)
            return False
        dialog = SplitScanDialog(self.store, self.actor(), self.detail.id, self.detail.checklist, Path(path), count, self)
        self.split_dialog = dialog  # reachable by tests and screenshots while open
        if not dialog.exec():
            return False
        self.reload()
        self.changed.emit(self.detail.id)
        codes = ", ".join(part.code for part in dialog.parts)
        self.scan_state.setText(f"Pièces {codes} reçues depuis « {Path(path).name} » : envoi à la prochaine synchronisation.")
        return True

    def attach_scans(self, row: int, paths: list[str]):
        """One file per pièce, read, checked and kept on the serial worker: a refusal (type, size,
        empty file) is shown and nothing is written. The job, or None when refused at once."""
        from aude_desktop.dossiers import scans

        if not self._may_attach() or not 0 <= row < len(self.detail.checklist):
            return None
        if self.attaching:
            self.scan_state.setText("Un fichier est en cours d’enregistrement : attendez qu’il soit joint.")
            return None
        code = self.detail.checklist[row].code
        if len(paths) != 1:
            self.scan_state.setText(f"Déposez un seul fichier sur la pièce {code} (un fichier par pièce).")
            return None
        store, actor, dossier_id, path = self.store, self.actor(), self.detail.id, paths[0]

        def joined(_piece_id) -> None:
            self._scan_buttons(True)
            self.changed.emit(dossier_id)
            if self.detail is not None and self.detail.id == dossier_id:
                self.reload()
                self.scan_state.setText(f"Fichier joint à la pièce {code} : il sera envoyé à la prochaine synchronisation.")

        def refused(exc: BaseException) -> None:
            self._scan_buttons(True)
            self.scan_state.setText(french_message(exc))

        self._scan_buttons(False)
        self.scan_state.setText(f"Enregistrement du fichier de la pièce {code}…")
        self.scan_job = serial_worker().submit(lambda _progress: scans.attach(store, actor, dossier_id, code, path),
                                               done=joined, failed=refused, owner=self)
        return self.scan_job

    @property
    def attaching(self) -> bool:
        return self.scan_job is not None and not self.scan_job.finished

    def _scan_buttons(self, enabled: bool) -> None:
        self.attach_button.setEnabled(enabled)
        self.split_button.setEnabled(enabled)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt)
        from PySide6.QtCore import QEvent

        if watched is self.pieces_table.viewport() and event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls() and self._may_attach() and not self.attaching:
                event.acceptProposedAction()
                return True
        if watched is self.pieces_table.viewport() and event.type() == QEvent.Type.Drop:
            paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
            self.attach_scans(self.pieces_table.rowAt(event.position().toPoint().y()), paths)
            event.acceptProposedAction()
            return True
        return super().eventFilter(watched, event)

    # -- annotation -----------------------------------------------------------------------------

    def _annotation_edited(self) -> None:
        self.annotation_state.setText("Modification en cours…")
        self.autosave.start()

    @property
    def annotation_saving(self) -> bool:
        return self.annotation_job is not None and not self.annotation_job.finished

    def save_annotation(self):
        """Handed to the serial worker, which writes it to the encrypted store (and queues it for the
        server) in one transaction; saves follow each other in the order typed. The job, or None
        when there is nothing to save. A refusal is said under the editor, which keeps the text."""
        self.autosave.stop()
        d = self.detail
        text = self.annotation.toPlainText()
        if d is None or text == (self._annotation_text if self.annotation_saving else d.annotation):
            return None
        actor = self.actor()
        if actor is None:
            self.annotation_state.setText("Connectez-vous une première fois sur ce poste pour enregistrer des annotations.")
            return None
        # The id is chosen here: a second save queued before the first is written updates the same annotation.
        d.annotation_id = d.annotation_id or str(uuid.uuid4())
        args = {"id": d.annotation_id,
                "payload": {"dossier_id": d.id, "text": text, "updated_at": datetime.now(UTC).isoformat()}}
        store, dossier_id = self.store, d.id
        self._annotation_text = text
        job = serial_worker().submit(
            lambda _progress: Workspace(store).run(actor, "annotation.save", args),
            done=lambda _id: self._annotation_saved(dossier_id, text, job),
            failed=lambda exc: self._annotation_refused(dossier_id, exc, job), owner=self)
        self.annotation_job = job
        self.annotation_state.setText("Enregistrement de l’annotation…")
        return job

    def _annotation_saved(self, dossier_id: str, text: str, job) -> None:
        if self.detail is not None and self.detail.id == dossier_id:
            self.detail.annotation = text
            if job is self.annotation_job:
                self.annotation_state.setText("Annotation enregistrée sur ce poste.")
        if job is self.annotation_job:
            then, self._after_save = self._after_save, []
            for step in then:
                step()

    def _annotation_refused(self, dossier_id: str, exc: BaseException, job) -> None:
        if job is not self.annotation_job:
            return  # a later save, already queued, carries the whole text
        self._after_save = []  # leaving waits: the text would be lost from the screen
        message = f"⚠ Annotation NON enregistrée : {french_message(exc)}"
        if self.detail is not None and self.detail.id == dossier_id:
            self.annotation_state.setText(message)
        else:  # already on another dossier (the window was closing): say it where it is seen
            QMessageBox.warning(self, "Annotation non enregistrée", message)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.save_annotation()
        super().hideEvent(event)


def clear_form(form: QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)
