"""The only door to the OS keyring: database keys and refresh tokens live there and nowhere else.

A keyring that would store secrets in plaintext (keyrings.alt) or that does not exist (headless
Linux without Secret Service: keyring's `fail` backend) counts as *no secure keyring*; callers then
ask the user for a passphrase instead of silently writing a secret to disk.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

log = logging.getLogger(__name__)

SERVICE = "aude-desktop"

_INSECURE_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class KeyringError(RuntimeError):
    """The keyring exists but refused the operation (locked, denied, D-Bus error…)."""


def _backends() -> list:
    backend = keyring.get_keyring()
    inner = getattr(backend, "backends", None)  # the chainer wraps several
    return list(inner) if inner is not None else [backend]


def secure_keyring_available() -> bool:
    usable = [
        b
        for b in _backends()
        if not type(b).__module__.startswith(_INSECURE_MODULE_PREFIXES)
    ]
    return bool(usable)


def keyring_description() -> str:
    return ", ".join(f"{type(b).__module__}.{type(b).__name__}" for b in _backends())


def get_secret(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise KeyringError(
            "Le trousseau du système n'a pas pu être lu (verrouillé ou inaccessible). "
            "Déverrouillez-le puis relancez l'application."
        ) from exc


def set_secret(name: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise KeyringError(
            "Le trousseau du système a refusé d'enregistrer le secret. "
            "Déverrouillez-le puis recommencez."
        ) from exc


def delete_secret(name: str) -> None:
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass  # already absent: deleting is idempotent
    except keyring.errors.KeyringError as exc:
        raise KeyringError("Le trousseau du système a refusé de supprimer le secret.") from exc
