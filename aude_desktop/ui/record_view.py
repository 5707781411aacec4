"""What the dossier view and the convention view share: the header (back, title, summary, legal
clock), the buttons of the steps the record allows, the step dialogs and running their command."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.casework.views.action_dialog import ActionDialog
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.settings import Settings
from aude_desktop.ui.serial_worker import french_message, serial_worker
from aude_desktop.ui.widgets import fill_table, readonly_table, selectable_label
from aude_desktop.workspace import Workspace


class RecordView(QWidget):
    """`actor()` returns who acts (None when nobody ever signed in here: steps then say so).
    Subclasses set `forms` (command → Form), `editors` (roles that may act) and fill `tabs`."""

    back = Signal()
    changed = Signal(str)  # a command was applied to this record

    forms: dict = {}
    editors: tuple[str, ...] = ()
    noun = "dossiers"
    procedure = "aude"

    def __init__(self, store, actor, today: date | None, *, name: str, accessible: str, back_to: str, settings=None,
                 parent=None):
        super().__init__(parent)
        self.settings = settings or Settings  # a callable: the settings as they are when a letter is issued
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.store, self.actor = store, actor
        self.today = today or date.today()
        self.detail = None
        self.letter_preview = None  # the latest letter issued from this view, once registered
        self.back_button = QPushButton("← Retour à la file")
        self.back_button.setAccessibleName(back_to)
        self.back_button.setToolTip("Retour à la file (Échap)")
        self.back_button.clicked.connect(self.back.emit)
        self.title = selectable_label(name=f"{name}Title", accessible="Titre de la fiche")
        self.summary = selectable_label(name=f"{name}Summary", accessible="Résumé de la fiche")
        self.clock_label = selectable_label(name="clockLabel", accessible="Échéance légale")
        self.clock_label.setAccessibleName("Prochaine échéance légale")
        self.clock_label.setContentsMargins(8, 6, 8, 6)
        self.actions_row = QHBoxLayout()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(f"Volets : {accessible.lower()}")
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back.emit)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        self.header = QVBoxLayout(self)
        self.header.setContentsMargins(16, 12, 16, 12)
        self.header.addLayout(top)
        self.header.addWidget(self.summary)
        self.header.addWidget(self.clock_label)

    def finish_layout(self, *extra: QWidget) -> None:
        """Widgets between the clock and the step buttons (the regime explanation…), then the tabs."""
        for widget in extra:
            self.header.addWidget(widget)
        self.header.addLayout(self.actions_row)
        self.header.addWidget(self.tabs, 1)

    def render_actions(self, available: list[str], read_only: bool = False) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        actor = self.actor()
        if actor is None or actor.role not in self.editors or read_only:
            return  # read-only profiles get no step at all (the server would refuse them anyway)
        for name in available:
            if name in self.forms:
                title = self.forms[name].title
                button = QPushButton(title + "…")
                button.setObjectName(f"action_{name}")
                button.setAccessibleName(title)
                button.clicked.connect(lambda _=False, n=name: self.open_action(n))
                self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def action_options(self, name: str) -> dict:
        """Defaults and choices of a step's dialog (`defaults`, `sessions`)."""
        return {}

    def prepare_args(self, name: str, args: dict) -> dict:
        return args

    def open_action(self, name: str) -> ActionDialog:
        record_id = self.detail.id
        dialog = ActionDialog(self.forms[name], self.command(name), today=self.today, parent=self,
                              **self.action_options(name))
        dialog.accepted.connect(lambda: self.changed.emit(record_id))
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def command(self, name: str):
        """The step `name` on this record as work for the serial worker: who acts and which record are
        read here, on the GUI thread; the work itself touches no widget."""
        actor, record_id, workspace = self.actor(), self.detail.id, Workspace(self.store)

        def work(args: dict) -> str:
            if actor is None:
                raise CommandRejected("non_connecte", f"Connectez-vous une première fois sur ce poste pour instruire des {self.noun}.")
            return workspace.run(actor, name, self.prepare_args(name, dict(args, id=record_id)))

        return work

    def reload(self) -> None:
        raise NotImplementedError

    def open_stored_file(self, sha256: str, filename: str, state: QLabel) -> None:
        """A scan or joined file, opened in the system viewer from a private copy; `state` says why not."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from aude_desktop.sync import attachments

        path = attachments.export_for_viewing(self.store, sha256, filename)
        if path is None:
            state.setText("Le fichier n’est pas encore sur ce poste : synchronisez pour le recevoir.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- letters --------------------------------------------------------------------------------

    def build_letters_tab(self) -> QWidget:
        tab = QWidget()
        self.letters_table = readonly_table(("Référence", "Courrier", "Émis le", "Statut", "Notification"), "Courriers enregistrés")
        self.letters_table.cellActivated.connect(lambda row, _c: self.show_letter(row))
        self.issue_button = QPushButton("Émettre un courrier…")
        self.issue_button.setAccessibleName("Émettre un courrier")
        self.issue_menu = QMenu(self.issue_button)
        self.issue_menu.aboutToShow.connect(self._fill_issue_menu)
        self.issue_button.setMenu(self.issue_menu)
        show = QPushButton("Afficher le courrier")
        show.setAccessibleName("Afficher le courrier sélectionné")
        show.clicked.connect(lambda: self.show_letter(self.letters_table.currentRow()))
        self.correct_button = QPushButton("Émettre un courrier rectificatif")
        self.correct_button.setAccessibleName("Émettre un courrier rectificatif du courrier sélectionné")
        self.correct_button.clicked.connect(lambda: self.correct_letter(self.letters_table.currentRow()))
        self.notify_button = QPushButton("Saisir la notification…")
        self.notify_button.setObjectName("notifyLetterButton")
        self.notify_button.setAccessibleName("Saisir la date de notification du courrier sélectionné")
        self.notify_button.setToolTip("Date de distribution de la lettre recommandée ou de lecture de la notification électronique")
        self.notify_button.clicked.connect(lambda: self.notify_letter(self.letters_table.currentRow()))
        row = QHBoxLayout()
        for button in (self.issue_button, show, self.correct_button, self.notify_button):
            row.addWidget(button)
        row.addStretch(1)
        column = QVBoxLayout(tab)
        column.addWidget(self.letters_table, 1)
        column.addLayout(row)
        return tab

    def render_letters(self) -> None:
        from aude_desktop.letters import register

        self.letter_lines = register.letters_of(self.store, self.procedure, self.detail.id)
        fill_table(self.letters_table, [(x.reference, x.title, format_date_fr(x.issued_on), x.status, x.notification or "—")
                                        for x in self.letter_lines] or [("", "Aucun courrier émis.", "", "", "")])
        actor = self.actor()
        editable = actor is not None and actor.role in self.editors and not getattr(self.detail, "read_only", False)
        self.issue_button.setVisible(editable)
        self.correct_button.setVisible(editable)
        self.notify_button.setVisible(editable and any(x.decision for x in self.letter_lines))

    def _fill_issue_menu(self) -> None:
        from aude_desktop.letters import compose
        from aude_desktop.letters.templates import templates

        self.issue_menu.clear()
        for kind in compose.applicable(self.procedure, self.detail.payload):
            self.issue_menu.addAction(templates(self.procedure)[kind].title, lambda k=kind: self.issue_letter(k))
        if self.issue_menu.isEmpty():
            self.issue_menu.addAction("Aucun courrier à cette étape").setEnabled(False)

    def issue_letter(self, kind: str, replaces: str | None = None, confirm_late: bool = False):
        """Issued on the serial worker; the preview (`letter_preview`) opens when it is registered.
        Past its legal window, the agent is asked first (`confirm_late_issue`)."""
        actor = self.actor()
        if actor is None:
            return None
        record_id, settings, workspace = self.detail.id, self.settings(), Workspace(self.store)
        procedure, today = self.procedure, self.today
        self.letter_preview = None

        def issued(letter) -> None:
            from aude_desktop.letters.views.preview import LetterPreview

            note = ("Ce courrier a déjà été émis : voici le courrier enregistré, inchangé. Pour le corriger, émettez un "
                    "courrier rectificatif." if letter.reissued else "Courrier émis et enregistré ; il sera transmis au serveur.")
            if letter.warning:
                note += "\n" + letter.warning
            self.changed.emit(record_id)
            if self.detail is not None and self.detail.id == record_id:
                self.render_letters()
            self.letter_preview = LetterPreview(letter.pdf, letter.reference, note, self)
            self.letter_preview.open()

        def refused(exc: BaseException) -> None:
            from aude_desktop.letters.register import LateIssueUnconfirmed

            if isinstance(exc, LateIssueUnconfirmed):
                self.confirm_late_issue(exc, lambda: self.issue_letter(kind, replaces, confirm_late=True))
            else:
                QMessageBox.warning(self, "Courrier impossible", french_message(exc))

        return serial_worker().submit(
            lambda _progress: workspace.issue_letter(actor, settings, procedure, kind, record_id, today,
                                                     replaces=replaces, confirm_late=confirm_late),
            done=issued, failed=refused, owner=self)

    def confirm_late_issue(self, late, issue_anyway) -> QMessageBox:
        """The legal window has passed: say what it changes in law; `issue_anyway()` runs only if
        the agent confirms. Window-modal, not blocking: the answer arrives through `finished`."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Courrier hors délai", "Ce courrier est émis après son délai légal.",
                          parent=self)
        box.setInformativeText(f"{late.late.message}\n\nÉmettre le courrier quand même ?")
        box.setAccessibleName("Courrier hors délai : confirmation")
        emit = box.addButton("Émettre quand même", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Ne pas émettre", QMessageBox.ButtonRole.RejectRole)
        emit.setAccessibleName("Émettre le courrier hors délai quand même")
        keep.setAccessibleName("Ne pas émettre le courrier")
        box.setDefaultButton(keep)  # Entrée must not issue a late letter by accident
        box.finished.connect(lambda _r: issue_anyway() if box.clickedButton() is emit else None)
        self.late_box = box
        box.open()
        return box

    def notify_letter(self, row: int):
        from aude_desktop.letters.views.notification_dialog import NotificationDialog

        lines = getattr(self, "letter_lines", [])
        actor = self.actor()
        if not 0 <= row < len(lines) or actor is None:
            QMessageBox.information(self, "Notification", "Sélectionnez d’abord une décision dans la liste des courriers.")
            return None
        if not lines[row].decision:
            QMessageBox.information(self, "Notification", "Seule la notification d’une décision est enregistrée.")
            return None
        dialog = NotificationDialog(self.store, actor, lines[row], self.today, self)
        dialog.accepted.connect(lambda: (self.changed.emit(self.detail.id), self.reload()))
        dialog.open()
        return dialog

    def show_letter(self, row: int):
        from aude_desktop.letters.views.preview import LetterPreview
        from aude_desktop.sync import attachments

        lines = getattr(self, "letter_lines", [])
        if not 0 <= row < len(lines):
            return None
        pdf = attachments.read(self.store, lines[row].sha256)
        if pdf is None:
            QMessageBox.information(self, "Courrier", "Le PDF de ce courrier n’est pas encore sur ce poste : synchronisez.")
            return None
        preview = LetterPreview(pdf, lines[row].reference, f"Courrier enregistré — {lines[row].status}.", self)
        preview.open()
        return preview

    def correct_letter(self, row: int, confirm_late: bool = False):
        lines = getattr(self, "letter_lines", [])
        if not 0 <= row < len(lines):
            return None
        from aude_desktop.store.models import Letter

        with self.store.session() as s:
            kind = s.get(Letter, lines[row].letter_id).kind.partition(".")[2]
        return self.issue_letter(kind, replaces=lines[row].letter_id, confirm_late=confirm_late)
