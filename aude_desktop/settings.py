"""User settings (server URL, proxy, CA bundle…), a JSON file in the profile's config folder.

Never a secret here: tokens and keys live only in the OS keyring (auth/secrets.py).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SERVER_URL = "http://127.0.0.1:8765"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PLAIN_HTTP_REFUSED = (
    "Connexion non chiffrée refusée : l'adresse du serveur doit commencer par https://. "
    "http:// n'est accepté que pour un serveur sur ce poste (127.0.0.1 ou localhost)."
)


def insecure_url(url: str) -> str | None:
    """The French refusal for a plain-http address off this machine (tokens and personal data would
    cross the network in clear), else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "Adresse du serveur illisible."
    if parts.scheme.lower() == "http" and (host or "").lower() not in LOOPBACK_HOSTS:
        return PLAIN_HTTP_REFUSED
    return None


class SettingsError(ValueError):
    """A setting the user typed is not acceptable; the message is French and says how to fix it."""


@dataclass
class Settings:
    server_url: str = DEFAULT_SERVER_URL
    http_proxy: str = ""
    ca_bundle: str = ""
    last_user: str = ""
    auto_sync_minutes: int = 5
    inactivity_lock_minutes: int = 15
    retention_months: int = 24  # closed files older than this leave the laptop (they stay on the server)
    # Letters (per service): the sender block (CRPA L.111-2, R.112-5) and who signs (CRPA L.212-1).
    # letters/sender.py refuses to issue a letter while one of the required ones is empty.
    service_name: str = ""
    service_contact: str = ""  # before 2026-11: the service's e-mail; read as service_email when that is empty
    service_address: str = ""  # postal address; « ; » or a new line separates its lines
    service_phone: str = ""
    service_email: str = ""
    service_hours: str = ""
    officer_position: str = ""  # the case officer's qualité; the name comes from the signed-in account
    officer_phone: str = ""  # direct line (optional: the service's otherwise)
    officer_email: str = ""
    signatory_first_name: str = ""
    signatory_last_name: str = ""
    signatory_position: str = ""
    signature_delegation: str = "délégation"  # or « subdélégation » (letters.md: per service)
    recours_court: str = ""  # the service's reading of the competent court, replacing rules/courts.json
    signature_image: str = ""  # PNG or JPEG of the signature, printed above the name (optional)

    def validate(self) -> None:
        if not self.server_url.startswith(("http://", "https://")):
            raise SettingsError("L'adresse du serveur doit commencer par https:// (ou http:// pour ce poste seulement).")
        if insecure_url(self.server_url):
            raise SettingsError(insecure_url(self.server_url))
        if self.http_proxy and not self.http_proxy.startswith(("http://", "https://", "socks5://")):
            raise SettingsError("Le proxy doit être une adresse http://, https:// ou socks5://.")
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise SettingsError(f"Le fichier de certificats « {self.ca_bundle} » est introuvable.")
        if not 1 <= int(self.auto_sync_minutes) <= 240:
            raise SettingsError("La synchronisation automatique doit avoir lieu toutes les 1 à 240 minutes.")
        if self.signature_delegation not in ("délégation", "subdélégation"):
            raise SettingsError("La signature est « par délégation » ou « par subdélégation ».")
        for name in ("service_email", "officer_email"):
            value = getattr(self, name)
            if value and ("@" not in value or " " in value.strip()):
                raise SettingsError(f"Adresse électronique invalide : « {value} ».")
        if self.signature_image and not Path(self.signature_image).is_file():
            raise SettingsError(f"L'image de signature « {self.signature_image} » est introuvable.")
        if not 1 <= int(self.inactivity_lock_minutes) <= 480:
            raise SettingsError("Le verrouillage d'inactivité doit être compris entre 1 et 480 minutes.")
        if not 1 <= int(self.retention_months) <= 120:
            raise SettingsError("La conservation des dossiers clos doit être comprise entre 1 et 120 mois.")

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            # A damaged settings file must not stop the app; the defaults are safe.
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        self.validate()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write-then-rename so a crash never leaves half a settings file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
