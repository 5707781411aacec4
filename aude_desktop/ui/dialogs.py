"""Small dialogs of the shell: sign-in, settings, passphrase, about. All text in French."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aude_desktop import APP_NAME, __version__
from aude_desktop.casework.views.dialogs import (
    ValidatingDialog,
    dialog_buttons,
    form_row,
)
from aude_desktop.settings import Settings, SettingsError


class LoginDialog(ValidatingDialog):
    def __init__(self, server_url: str, last_user: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle("Connexion au serveur")
        self.setAccessibleName("Connexion au serveur")
        form = QFormLayout()
        self.server = form_row(form, "&Serveur :", QLineEdit(server_url), "Adresse du serveur")
        self.user = form_row(form, "&Identifiant :", QLineEdit(last_user), "Identifiant")
        self.password = form_row(form, "&Mot de passe :", QLineEdit(), "Mot de passe")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.provider: str | None = None  # set when the user chose single sign-on instead
        sso = QHBoxLayout()
        for key, label in (("proconnect", "Se connecter avec Pro&Connect"), ("prosante-connect", "Se connecter avec ProSanté Conn&ect")):
            button = QPushButton(label)
            button.setObjectName(f"sso_{key}")
            button.setAccessibleName(label.replace("&", ""))
            button.setToolTip("Connexion dans votre navigateur, sans saisir de mot de passe ici")
            button.clicked.connect(lambda _=False, k=key: self._single_sign_on(k))
            sso.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Se connecter"))
        layout.addWidget(QLabel("ou, avec votre compte de l’État ou de professionnel de santé :"))
        layout.addLayout(sso)
        (self.password if last_user else self.user).setFocus()
        self.setMinimumWidth(440)

    def _single_sign_on(self, provider: str) -> None:
        if not self.server.text().strip().startswith(("http://", "https://")):
            self.show_error("L’adresse du serveur doit commencer par http:// ou https://.")
            return
        self.provider = provider
        QDialog.accept(self)

    def check(self) -> str | None:
        if not self.server.text().strip().startswith(("http://", "https://")):
            return "L’adresse du serveur doit commencer par http:// ou https://."
        if not self.user.text().strip():
            return "Saisissez votre identifiant."
        if not self.password.text():
            return "Saisissez votre mot de passe."
        return None

    def values(self) -> tuple[str, str, str]:
        return self.server.text().strip(), self.user.text().strip(), self.password.text()


LETTER_SETTINGS = (
    ("service_name", "Servic&e :"),
    ("service_address", "Adresse p&ostale :"),
    ("service_phone", "Téléphone :"),
    ("service_email", "Courriel :"),
    ("service_hours", "Horaires d’ouverture :"),
    ("officer_position", "Votre qualité :"),
    ("officer_phone", "Votre ligne directe :"),
    ("officer_email", "Votre courriel :"),
    ("signatory_first_name", "Prénom du si&gnataire :"),
    ("signatory_last_name", "&Nom du signataire :"),
    ("signatory_position", "&Qualité du signataire :"),
    ("signature_delegation", "Signature par :"),
    ("recours_court", "Juridiction (si autre) :"),
    ("signature_image", "&Image de la signature (PNG) :"),
)


class SettingsDialog(ValidatingDialog):
    def __init__(self, settings: Settings, settings_path: Path, parent=None):
        super().__init__(parent)
        self.settings_path = settings_path
        self.original = settings
        self.saved: Settings | None = None
        self.setWindowTitle("Paramètres")
        self.setAccessibleName("Paramètres")
        form = QFormLayout()
        self.server = form_row(form, "Adresse du &serveur :", QLineEdit(settings.server_url), "Adresse du serveur")
        self.proxy = form_row(form, "&Proxy HTTP :", QLineEdit(settings.http_proxy), "Proxy HTTP")
        self.proxy.setPlaceholderText("http://proxy.exemple.gouv.fr:3128 (facultatif)")
        ca_row = QWidget()
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.ca_bundle = QLineEdit(settings.ca_bundle)
        self.ca_bundle.setPlaceholderText("Certificats du système (par défaut)")
        self.ca_bundle.setAccessibleName("Fichier de certificats")
        browse = QPushButton("Pa&rcourir…")
        browse.setAccessibleName("Choisir le fichier de certificats")
        browse.clicked.connect(self._browse)
        row.addWidget(self.ca_bundle, 1)
        row.addWidget(browse)
        caption = QLabel("&Certificats (CA) :")
        caption.setBuddy(self.ca_bundle)
        form.addRow(caption, ca_row)
        self.auto_sync = form_row(form, "Synchronisation &automatique :", QSpinBox(), "Intervalle de synchronisation automatique en minutes")
        self.auto_sync.setRange(1, 240)
        self.auto_sync.setSuffix(" min")
        self.auto_sync.setValue(settings.auto_sync_minutes)
        self.lock = form_row(form, "&Verrouillage après inactivité :", QSpinBox(), "Délai de verrouillage en minutes")
        self.lock.setRange(1, 480)
        self.lock.setSuffix(" min")
        self.lock.setValue(settings.inactivity_lock_minutes)
        self.retention = form_row(form, "Conservation des dossiers c&los :", QSpinBox(),
                                "Durée de conservation sur ce poste des dossiers clos, en mois")
        self.retention.setRange(1, 120)
        self.retention.setSuffix(" mois")
        self.retention.setToolTip("Au-delà, les dossiers et conventions clos sont retirés de ce poste ; ils restent sur le serveur.")
        self.retention.setValue(settings.retention_months)
        letters = QFormLayout()
        self.letter_fields = {
            key: form_row(letters, label, QLineEdit(getattr(settings, key)), label.replace("&", "").rstrip(" :"))
            for key, label in LETTER_SETTINGS
        }
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Courriers</b> — service, agent chargé du dossier (vous) et signataire "
                                "(CRPA L.111-2, R.112-5, L.212-1)"))
        layout.addLayout(letters)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Enregistrer"))
        self.letter_fields["signature_delegation"].setToolTip("« délégation » ou « subdélégation »")
        self.letter_fields["recours_court"].setToolTip(
            "Laisser vide : la juridiction des règles (resources/rules/courts.json). À remplir si le service en retient une autre.")
        self.letter_fields["service_address"].setToolTip("« ; » sépare les lignes de l’adresse")
        self.setMinimumWidth(640)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Fichier de certificats", "", "Certificats (*.pem *.crt);;Tous les fichiers (*)")
        if path:
            self.ca_bundle.setText(path)

    def edited(self) -> Settings:
        return replace(
            self.original,
            server_url=self.server.text().strip(),
            http_proxy=self.proxy.text().strip(),
            ca_bundle=self.ca_bundle.text().strip(),
            auto_sync_minutes=self.auto_sync.value(),
            inactivity_lock_minutes=self.lock.value(),
            retention_months=self.retention.value(),
            **{key: field.text().strip() for key, field in self.letter_fields.items()},
        )

    def check(self) -> str | None:
        candidate = self.edited()
        try:
            candidate.save(self.settings_path)
        except SettingsError as exc:
            return str(exc)
        except OSError as exc:
            return f"Impossible d’enregistrer les paramètres : {exc.strerror}."
        self.saved = candidate
        return None


class PassphraseDialog(ValidatingDialog):
    """Asked at each launch where no secure keyring exists; twice on the first run."""

    def __init__(self, explanation: str, first_run: bool, parent=None):
        super().__init__(parent)
        self.first_run = first_run
        self.setWindowTitle("Phrase de passe de la base locale")
        self.setAccessibleName("Phrase de passe de la base locale")
        text = QLabel(explanation)
        text.setWordWrap(True)
        form = QFormLayout()
        self.passphrase = form_row(form, "&Phrase de passe :", QLineEdit(), "Phrase de passe")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = None
        if first_run:
            self.confirm = form_row(form, "&Confirmation :", QLineEdit(), "Confirmation de la phrase de passe")
            self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Ouvrir"))
        self.setMinimumWidth(520)

    def check(self) -> str | None:
        if not self.passphrase.text():
            return "Saisissez la phrase de passe."
        if self.confirm is not None and self.confirm.text() != self.passphrase.text():
            return "Les deux saisies ne correspondent pas."
        return None

    def value(self) -> str:
        return self.passphrase.text()


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"À propos d’{APP_NAME}")
        self.setAccessibleName(f"À propos d’{APP_NAME}")
        title = QLabel(f"<h2>{APP_NAME}</h2>")
        version = QLabel(f"Version {__version__}")
        version.setObjectName("versionLabel")
        text = QLabel(
            "Instruction des autorisations d’exercice (AUDE) et des conventions d’avantages (EPS), "
            "supervision nationale (DGOS). Fonctionne hors ligne ; les données personnelles du poste "
            "sont chiffrées."
        )
        text.setWordWrap(True)
        for label in (title, version, text):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (title, version, text, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)
