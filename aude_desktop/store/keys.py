"""The database key: generated at first run and kept in the OS keyring, or derived from a passphrase.

Three modes, recorded (without any secret) in `keyinfo.json` beside the database:
- `keyring`: a random 256-bit key stored in the OS keyring under `database-key:<profile id>`;
- `passphrase`: no secure keyring exists; the key is derived with scrypt from a passphrase typed
  at each launch (or `AUDE_DB_PASSPHRASE` for unattended runs) and a per-profile salt;
- `demo`: fictitious demo data under an ephemeral key that lives only in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from aude_desktop.auth import secrets as keyring_secrets
from aude_desktop.paths import Profile

PASSPHRASE_ENV = "AUDE_DB_PASSPHRASE"
KEYINFO_NAME = "keyinfo.json"
MIN_PASSPHRASE_LENGTH = 10

# scrypt cost: about a tenth of a second here, so guessing a passphrase offline is slow.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


class StoreKeyError(RuntimeError):
    """Base of the key problems; `str(exc)` is a French message for the user."""


class KeyringUnavailable(StoreKeyError):
    """No secure keyring: the caller must ask for a passphrase (never a plaintext fallback)."""


class PassphraseRequired(StoreKeyError):
    """The profile is protected by a passphrase and none was given."""


class WrongPassphrase(StoreKeyError):
    pass


class KeyMissing(StoreKeyError):
    """A database exists but its key is no longer in the keyring: refuse, destroy nothing."""


NO_KEYRING_MESSAGE = (
    "Aucun trousseau sécurisé n'est disponible sur ce poste (service « Secret Service » absent). "
    "La base locale, qui contient des données personnelles, sera chiffrée avec une phrase de passe "
    "que vous saisirez à chaque lancement."
)


@dataclass(frozen=True)
class DatabaseKey:
    raw: bytes
    mode: str  # keyring | passphrase | demo

    def sqlcipher_pragma_value(self) -> str:
        # Raw-key form: SQLCipher uses the 256 bits as is, skipping its own KDF on every connection.
        return f"x'{self.raw.hex()}'"

    def __repr__(self) -> str:  # never print the key
        return f"DatabaseKey(mode={self.mode!r})"


def _keyinfo_path(profile: Profile) -> Path:
    return profile.data_dir / KEYINFO_NAME


def read_keyinfo(profile: Profile) -> dict | None:
    try:
        return json.loads(_keyinfo_path(profile).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _write_keyinfo(profile: Profile, info: dict) -> None:
    path = _keyinfo_path(profile)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def keyring_entry_name(profile_id: str) -> str:
    return f"database-key:{profile_id}"


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **_SCRYPT)


def database_key(profile: Profile, *, passphrase: str | None = None, demo: bool = False) -> DatabaseKey:
    """The key of this profile's database, creating it on first run.

    Raises KeyringUnavailable (ask for a passphrase), PassphraseRequired, KeyMissing.
    WrongPassphrase is detected when the database is opened (store/database.py).
    """
    profile.ensure()
    info = read_keyinfo(profile)
    db_exists = profile.database_path.exists()
    if demo:
        _write_keyinfo(profile, {"mode": "demo", "profile_id": str(uuid.uuid4())})
        return DatabaseKey(secrets.token_bytes(32), "demo")
    if passphrase is None:
        passphrase = os.environ.get(PASSPHRASE_ENV) or None

    if info is None:
        if db_exists:
            raise KeyMissing(
                "La base locale existe mais ses informations de chiffrement (keyinfo.json) ont "
                "disparu : elle ne peut pas être ouverte. Elle n'a pas été modifiée. Restaurez le "
                "fichier ou contactez votre support informatique."
            )
        return _first_run_key(profile, passphrase)

    mode = info.get("mode")
    if mode == "demo":
        raise KeyMissing(
            "Ce dossier contient un profil de démonstration, dont la clé éphémère a disparu avec "
            "la session précédente. Utilisez un autre dossier de profil ou relancez en mode démo."
        )
    if mode == "passphrase":
        if not passphrase:
            raise PassphraseRequired("Saisissez la phrase de passe qui protège la base locale.")
        return DatabaseKey(derive_key(passphrase, bytes.fromhex(info["salt"])), "passphrase")
    if mode == "keyring":
        if not keyring_secrets.secure_keyring_available():
            raise KeyringUnavailable(
                "Cette base est protégée par une clé conservée dans le trousseau du système, mais "
                "aucun trousseau sécurisé n'est accessible. Ouvrez votre session avec le trousseau "
                "déverrouillé puis relancez l'application. La base n'a pas été modifiée."
            )
        stored = keyring_secrets.get_secret(keyring_entry_name(info["profile_id"]))
        if stored is None:
            raise KeyMissing(
                "La clé de chiffrement de la base locale est introuvable dans le trousseau du "
                "système. Les données ne peuvent pas être ouvertes ; elles n'ont pas été modifiées "
                "ni supprimées. Restaurez la clé ou contactez votre support informatique ; une "
                "resynchronisation complète avec le serveur est possible dans un nouveau profil."
            )
        return DatabaseKey(bytes.fromhex(stored), "keyring")
    raise KeyMissing(f"Mode de chiffrement inconnu dans keyinfo.json : {mode!r}. La base n'a pas été modifiée.")


def _first_run_key(profile: Profile, passphrase: str | None) -> DatabaseKey:
    profile_id = str(uuid.uuid4())
    if keyring_secrets.secure_keyring_available() and passphrase is None:
        raw = secrets.token_bytes(32)
        keyring_secrets.set_secret(keyring_entry_name(profile_id), raw.hex())
        _write_keyinfo(profile, {"mode": "keyring", "profile_id": profile_id})
        return DatabaseKey(raw, "keyring")
    if passphrase is None:
        raise KeyringUnavailable(NO_KEYRING_MESSAGE)
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseRequired(
            f"La phrase de passe doit comporter au moins {MIN_PASSPHRASE_LENGTH} caractères."
        )
    salt = secrets.token_bytes(16)
    _write_keyinfo(profile, {"mode": "passphrase", "profile_id": profile_id, "salt": salt.hex(), "kdf": "scrypt", **{k: v for k, v in _SCRYPT.items() if k != "maxmem"}})
    return DatabaseKey(derive_key(passphrase, salt), "passphrase")


def forget_key(profile: Profile) -> None:
    """Remove the keyring entry of this profile (sign-out of a machine, tests)."""
    info = read_keyinfo(profile)
    if info and info.get("mode") == "keyring":
        keyring_secrets.delete_secret(keyring_entry_name(info["profile_id"]))
