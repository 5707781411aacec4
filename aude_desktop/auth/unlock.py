"""What unlocks the window after inactivity: the password typed at sign-in or the passphrase typed
at launch, kept only as scrypt verifiers in memory (never the secret itself, never on disk)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _digest(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, **_SCRYPT)


class UnlockSecrets:
    def __init__(self) -> None:
        self._verifiers: list[tuple[bytes, bytes]] = []

    def remember(self, secret: str) -> None:
        if secret:
            salt = secrets.token_bytes(16)
            self._verifiers.append((salt, _digest(secret, salt)))

    @property
    def known(self) -> bool:
        return bool(self._verifiers)

    def matches(self, candidate: str) -> bool:
        return any(hmac.compare_digest(_digest(candidate, salt), digest) for salt, digest in self._verifiers)
