"""The Nouveau dossier window: a paper application registered by the agent (dossiers/intake.py holds
every rule; this window draws the fields, shows the refusals inline and never clears what was typed).
The fields are checked here; the dossier and its pièces are written on the serial worker, in one
transaction, and the window closes once they are."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.casework.views.dialogs import dialog_buttons
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.dossiers import filing, intake, lps, lps_intake
from aude_desktop.rules.pieces import expected_items
from aude_desktop.rules.reference import professions, regions
from aude_desktop.ui.serial_worker import lookup_worker
from aude_desktop.ui.worker_dialog import WorkerDialog

DATE_HINT = "JJ/MM/AAAA"
TEXT_FIELDS = (
    ("last_name", ""), ("usage_name", ""), ("first_names", ""), ("birth_date", DATE_HINT), ("birth_place", ""),
    ("birth_country", ""), ("nationality", ""), ("address", ""), ("postal_code", ""), ("city", ""), ("country", "France"),
    ("email", "nom@exemple.fr"), ("phone", "+33 6 12 34 56 78"), ("specialty", ""), ("diploma_title", ""),
    ("diploma_country", ""), ("diploma_obtained_on", DATE_HINT), ("diploma_issuing_body", ""), ("received_on", DATE_HINT),
)
# A libre prestation de services declaration (route « lps ») asks for the service planned instead of a situation.
LPS_FIELDS = (
    ("establishment_state", "ex. Belgique"), ("service_start", DATE_HINT), ("service_end", DATE_HINT), ("service_place", ""),
    ("service_postal_code", "ex. 31000"), ("service_nature", "ex. remplacement"), ("insurance", ""),
)
LPS_GROUP = "Prestation envisagée (LPS)"
PROVISIONAL = ("La référence sera provisoire jusqu’à la prochaine synchronisation : "
               "le serveur attribue alors la référence définitive ({prefix}-AAAA-RÉG-nnnnnn).")
GROUPS = (
    ("Identité", ("civility", "last_name", "usage_name", "first_names", "birth_date", "birth_place", "birth_country", "nationality")),
    ("Coordonnées", ("address", "postal_code", "city", "country", "email", "phone")),
    ("Demande", ("route", "profession", "specialty", "acces_partiel", "situation")),
    ("Diplôme", ("diploma_title", "diploma_country", "diploma_obtained_on", "diploma_issuing_body")),
    ("Réception", ("received_on", "region", "region_reason")),
    (LPS_GROUP, tuple(key for key, _hint in LPS_FIELDS)),
)


class NewDossierDialog(WorkerDialog):
    """`national()` gives the signed-in session for the national duplicate index (None offline)."""

    open_existing = Signal(str)  # the agent chose to open a local duplicate instead

    def __init__(self, store, actor, today: date, national=None, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.today, self.national = store, actor, today, national
        self.setWindowTitle("Nouveau dossier")
        self.setAccessibleName("Nouveau dossier")
        self.dossier_id: str | None = None
        self.duplicates: list[intake.Duplicate] = []
        self._national_cache: dict[tuple, list[intake.Duplicate] | None] = {}
        self._looking_up: set[tuple] = set()  # national look-ups under way (off the GUI thread)
        self._accept_after_lookup = False
        self._current_key: tuple | None = None  # what the duplicate check last looked at
        self.widgets: dict[str, QWidget] = {}
        self.proposed, self._why, self._offline = None, "", False
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self.check_duplicates)
        for key in ("last_name", "usage_name", "first_names", "birth_date"):
            self.widgets[key].textChanged.connect(self._debounce.start)
        for key in ("route", "profession", "situation"):
            self.widgets[key].currentIndexChanged.connect(self._rules_changed)
        self.widgets["acces_partiel"].toggled.connect(self._rules_changed)
        for key in ("postal_code", "service_postal_code"):
            self.widgets[key].textChanged.connect(self._rules_changed)
        for key in ("diploma_country", "diploma_obtained_on", "specialty"):  # automatic recognition screening
            self.widgets[key].textChanged.connect(self._screen)
        self.widgets["region"].currentIndexChanged.connect(self._region_changed)
        self._rules_changed()

    # -- layout -----------------------------------------------------------------------------------

    def _build(self) -> None:
        for key, hint in TEXT_FIELDS + LPS_FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(hint)
            self.widgets[key] = edit
        self.widgets["received_on"].setText(f"{self.today:%d/%m/%Y}")
        civility = QComboBox()
        civility.addItem("Madame", "F")
        civility.addItem("Monsieur", "M")
        profession = QComboBox()
        for code, spec in sorted(professions().items(), key=lambda item: item[1].label):
            profession.addItem(spec.label, code)
        situation = QComboBox()
        for code, label in intake.situation_choices():
            situation.addItem(label, code)
        route = QComboBox()
        for code, label in lps.ROUTE_LABELS.items():
            route.addItem(label, code)
        self.widgets["route"] = route
        region = QComboBox()
        for code, spec in sorted(regions().items(), key=lambda item: item[1].label):
            region.addItem(spec.label, code)
        if self.actor is not None and self.actor.region:
            region.setCurrentIndex(region.findData(self.actor.region))
        self.widgets.update(civility=civility, profession=profession, situation=situation, region=region,
                            acces_partiel=QCheckBox("Demande d’accès partiel"), region_reason=QLineEdit())
        self.widgets["region_reason"].setPlaceholderText("Obligatoire si vous ne suivez pas la région proposée")

        body = QWidget()
        columns = QHBoxLayout(body)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.boxes: dict[str, QGroupBox] = {}
        self.captions: dict[str, QLabel] = {}
        for index, (title, keys) in enumerate(GROUPS):
            box = self.boxes[title] = QGroupBox(title)
            form = QFormLayout(box)
            for key in keys:
                widget = self.widgets[key]
                widget.setAccessibleName(intake.LABELS[key])
                required = key in (lps_intake.REQUIRED if title == LPS_GROUP else intake.REQUIRED)
                caption = self.captions[key] = QLabel("" if key == "acces_partiel" else intake.LABELS[key] + (" *" if required else ""))
                caption.setBuddy(widget)
                form.addRow(caption, widget)
                if key == "situation":
                    self.non_eu = QLabel(intake.NON_EU_EXPLANATION)
                    self.non_eu.setObjectName("nonEuWarning")
                    self.non_eu.setWordWrap(True)
                    self.non_eu.setStyleSheet("color: #8a4b00;")
                    self.non_eu.setAccessibleName("Situation irrecevable")
                    form.addRow(self.non_eu)
                if key == "diploma_issuing_body":
                    self.screening = QLabel()
                    self.screening.setObjectName("screeningHint")
                    self.screening.setWordWrap(True)
                    self.screening.setStyleSheet("color: #8a4b00;")
                    self.screening.setAccessibleName("Reconnaissance automatique")
                    self.screening.hide()
                    form.addRow(self.screening)
                if key == "region":
                    self.region_hint = QLabel()
                    self.region_hint.setObjectName("regionHint")
                    self.region_hint.setWordWrap(True)
                    form.addRow(self.region_hint)
            (left if index < 2 else right).addWidget(box)
        right.addWidget(self._pieces_box())
        left.addWidget(self._duplicates_box())
        left.addStretch(1)
        right.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Champs du dossier")
        scroll.setWidget(body)
        self.provisional = QLabel(PROVISIONAL.format(prefix="AUDE"))
        self.provisional.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.provisional)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Enregistrer le dossier"))
        self.resize(1100, 800)

    def _pieces_box(self) -> QGroupBox:
        box = QGroupBox("Pièces reçues avec la demande")
        layout = QVBoxLayout(box)
        self.pieces = QListWidget()
        self.pieces.setAccessibleName("Pièces reçues")
        layout.addWidget(QLabel("Cochez les pièces jointes au courrier (la liste suit la situation choisie) :"))
        layout.addWidget(self.pieces)
        return box

    def _duplicates_box(self) -> QGroupBox:
        self.duplicates_box = QGroupBox("Dossiers existants de la même personne")
        layout = QVBoxLayout(self.duplicates_box)
        self.duplicates_label = QLabel()
        self.duplicates_label.setObjectName("duplicatesLabel")
        self.duplicates_label.setWordWrap(True)
        self.duplicates_label.setAccessibleName("Doublons possibles")
        self.open_duplicate = QPushButton("Ouvrir le dossier existant")
        self.open_duplicate.setAccessibleName("Ouvrir le dossier existant")
        self.open_duplicate.clicked.connect(self._open_duplicate)
        self.duplicate_reason = QPlainTextEdit()
        self.duplicate_reason.setAccessibleName(intake.LABELS["duplicate_reason"])
        self.duplicate_reason.setPlaceholderText("Pour créer quand même un nouveau dossier, indiquez pourquoi")
        self.duplicate_reason.setMaximumHeight(60)
        self.duplicate_reason.setTabChangesFocus(True)
        self.widgets["duplicate_reason"] = self.duplicate_reason
        for widget in (self.duplicates_label, self.open_duplicate, self.duplicate_reason):
            layout.addWidget(widget)
        self.duplicates_box.hide()
        return self.duplicates_box

    # -- reactions while typing -------------------------------------------------------------------

    def is_lps(self) -> bool:
        return self.widgets["route"].currentData() == lps.ROUTE

    def _rules_changed(self, *_args) -> None:
        declaration = self.is_lps()
        situation = self.widgets["situation"].currentData()
        self.non_eu.setVisible(not declaration and bool(intake.warnings({"situation": situation})))
        for widget in (self.widgets["situation"], self.captions["situation"], self.widgets["diploma_obtained_on"],
                       self.captions["diploma_obtained_on"]):
            widget.setVisible(not declaration)
        self.boxes[LPS_GROUP].setVisible(declaration)
        self.setWindowTitle("Nouvelle déclaration préalable (LPS)" if declaration else "Nouveau dossier")
        checked = {self.pieces.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.pieces.count())
                   if self.pieces.item(i).checkState() == Qt.CheckState.Checked}
        self.pieces.clear()
        for item in (lps.checklist_items() if declaration else expected_items(situation)):
            line = QListWidgetItem(f"{item['code']}) {item['label']}" + (" (facultative)" if item.get("optional") else ""))
            line.setData(Qt.ItemDataRole.UserRole, item["code"])
            line.setFlags(line.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            line.setCheckState(Qt.CheckState.Checked if item["code"] in checked else Qt.CheckState.Unchecked)
            self.pieces.addItem(line)
        postal_code = self.widgets["service_postal_code" if declaration else "postal_code"].text() or ("-" if declaration else "")
        self.proposed, why = intake.proposed_region(self.widgets["profession"].currentData(),
                                                    self.widgets["acces_partiel"].isChecked(),
                                                    postal_code, self.actor.region if self.actor else None,
                                                    *(("Région du lieu de la prestation",) if declaration else ()))
        self.provisional.setText(PROVISIONAL.format(prefix="LPS" if declaration else "AUDE"))
        self._why = why
        self._region_changed()
        self._screen()

    def _screen(self, *_args) -> None:
        notice = intake.screening_notice(self.values())
        self.screening.setText(notice or "")
        self.screening.setVisible(bool(notice))

    def _region_changed(self, *_args) -> None:
        chosen = self.widgets["region"].currentData()
        differs = bool(self.proposed) and chosen != self.proposed
        text = f"Région proposée : {regions()[self.proposed].label}. {self._why}" if self.proposed else ""
        if differs:
            text += " Vous en choisissez une autre : indiquez le motif."
        self.region_hint.setText(text)
        self.widgets["region_reason"].setEnabled(differs or bool(self.widgets["region_reason"].text()))

    def check_duplicates(self) -> None:
        """The local check now; the national index is asked off the GUI thread (a network call) and
        the warning completed when it answers."""
        last, usage = self.widgets["last_name"].text(), self.widgets["usage_name"].text()
        first, born = self.widgets["first_names"].text(), intake.parse_date(self.widgets["birth_date"].text())
        self._current_key = None
        if born is None or not intake.name_key(last):
            self.duplicates = []
        else:
            with self.store.session() as s:
                found = intake.local_duplicates(s, last, usage, first, born)
            key = (intake.name_key(last), intake.name_key(usage), intake.name_key(first), born)
            self._current_key = key
            if key not in self._national_cache:
                self._look_up(key, last, usage, first, born)
            national = self._national_cache.get(key)
            known = {d.reference for d in found}
            self.duplicates = found + [d for d in national or [] if d.reference not in known]
            self._offline = national is None and key in self._national_cache
        self._show_duplicates()

    def national_pending(self) -> bool:
        """The national index has not answered yet for what is typed now."""
        return self._current_key in self._looking_up

    def _look_up(self, key: tuple, last, usage, first, born) -> None:
        auth = self.national() if self.national else None
        if auth is None:
            self._national_cache[key] = None  # offline: the local check still ran; the server re-checks nothing
            return
        if key in self._looking_up:
            return
        self._looking_up.add(key)
        lookup_worker().submit(lambda _progress: intake.national_duplicates(auth, last, usage, first, born),
                               done=lambda found: self._looked_up(key, found),
                               failed=lambda _exc: self._looked_up(key, None), owner=self)

    def _looked_up(self, key: tuple, found: list[intake.Duplicate] | None) -> None:
        """None: the index could not be reached (offline); the local check stands."""
        self._looking_up.discard(key)
        self._national_cache[key] = found
        if key == self._current_key:
            self.check_duplicates()
        if self._accept_after_lookup and not self.national_pending():
            self._accept_after_lookup = False
            self.accept()

    def _show_duplicates(self) -> None:
        if not self.duplicates and self.national_pending():
            self.duplicates_label.setText("Vérification dans l’index national en cours…")
            self.open_duplicate.setVisible(False)
            self.duplicates_box.show()
            return
        if not self.duplicates:
            self.duplicates_box.hide()
            return
        lines = []
        for d in self.duplicates:
            where = regions()[d.region].label if d.region in regions() else d.region
            lines.append(f"• {intake.reference_label(d.reference)} — {where}" + (f" — {d.name}" if d.name else ""))
        note = ("\n(Index national injoignable hors ligne : seuls les dossiers de ce poste sont vérifiés.)" if self._offline
                else "\n(Vérification dans l’index national en cours…)" if self.national_pending() else "")
        self.duplicates_label.setText("Cette personne a peut-être déjà un dossier :\n" + "\n".join(lines) + note)
        self.open_duplicate.setVisible(any(d.dossier_id for d in self.duplicates))
        self.duplicates_box.show()

    def _open_duplicate(self) -> None:
        local = next((d for d in self.duplicates if d.dossier_id), None)
        if local is not None:
            self.open_existing.emit(local.dossier_id)
            self.reject()

    # -- saving -----------------------------------------------------------------------------------

    def values(self) -> dict:
        declaration = self.is_lps()
        out: dict = {key: self.widgets[key].text() for key, _hint in TEXT_FIELDS + (LPS_FIELDS if declaration else ())}
        out["region_reason"] = self.widgets["region_reason"].text()
        out["duplicate_reason"] = self.duplicate_reason.toPlainText()
        for key in ("civility", "profession", "region", "route") + (() if declaration else ("situation",)):
            out[key] = self.widgets[key].currentData()
        if declaration:
            out.pop("diploma_obtained_on", None)
        out["acces_partiel"] = self.widgets["acces_partiel"].isChecked()
        out["pieces_received"] = [self.pieces.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.pieces.count())
                                  if self.pieces.item(i).checkState() == Qt.CheckState.Checked]
        return {k: v for k, v in out.items() if v not in ("", None)}

    def accept(self) -> None:
        if self.busy:
            return  # a second Entrée while the dossier is being written
        self.check_duplicates()  # what was typed last, even inside the debounce delay
        if self.national_pending():  # saved once the national index has answered (or is found unreachable)
            self._accept_after_lookup = True
            return
        super().accept()

    def prepare(self):
        """The fields checked here (a refusal focuses the field to correct); the writing for the worker."""
        try:
            dossier_id, payload, codes = filing.build(self.values(), self.today, duplicates=self.duplicates,
                                                      agent_region=self.actor.region if self.actor else None)
        except CommandRejected as exc:  # IntakeRefused names the field to correct
            widget = self.widgets.get(getattr(exc, "field", ""))
            if widget is not None:
                widget.setEnabled(True)
                widget.setFocus()
            return exc.message
        store, actor = self.store, self.actor

        def work() -> tuple[str, str]:
            with store.session() as s:  # the dossier and its pièces: all or nothing
                intake.register(s, actor, dossier_id, payload, codes)
            return dossier_id, payload["reference"]

        return work

    def applied(self, result) -> None:
        self.dossier_id, self.reference = result
