"""Signed-in session: the refresh token lives only in the OS keyring, the access token only in memory.

The keyring entry is named per server and user (`refresh-token:<server>|<login>`), so one machine
can hold sessions on a test and a production server without mixing them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aude_desktop.auth import secrets
from aude_desktop.sync.http import AuthenticationError, Transport

REFRESH_MARGIN_S = 60  # refresh a little before expiry so a long request never starts with a dead token


class NotSignedIn(AuthenticationError):
    pass


class KeyringTokens:
    """Refresh tokens in the OS keyring: the only place they are ever persisted."""

    def get(self, name: str) -> str | None:
        return secrets.get_secret(name)

    def set(self, name: str, value: str) -> None:
        secrets.set_secret(name, value)

    def delete(self, name: str) -> None:
        secrets.delete_secret(name)


class MemoryTokens:
    """For the embedded demo (fictitious data, throw-away local server): tokens die with the process."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> None:
        self._values.pop(name, None)


def refresh_entry(server_url: str, login: str) -> str:
    return f"refresh-token:{server_url.rstrip('/')}|{login}"


@dataclass
class UserInfo:
    login: str
    display_name: str
    role: str
    region: str | None = None
    authority: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> UserInfo:
        return cls(
            login=str(data["login"]),
            display_name=str(data.get("display_name") or data["login"]),
            role=str(data["role"]),
            region=data.get("region"),
            authority=data.get("authority"),
        )


@dataclass
class AuthSession:
    transport: Transport
    login: str
    user: UserInfo | None = None
    tokens: KeyringTokens | MemoryTokens = field(default_factory=KeyringTokens)
    _access_token: str | None = field(default=None, repr=False)
    _expires_at: float = 0.0

    @property
    def server_url(self) -> str:
        return self.transport.base_url

    def _store(self, answer: dict) -> None:
        self._access_token = answer["access_token"]
        self._expires_at = time.monotonic() + float(answer.get("expires_in", 300))
        self.tokens.set(refresh_entry(self.server_url, self.login), answer["refresh_token"])
        if isinstance(answer.get("user"), dict):
            self.user = UserInfo.from_json(answer["user"])

    def adopt(self, answer: dict) -> UserInfo:
        """Tokens obtained another way (single sign-on): the login is the one the server mapped."""
        user = answer.get("user") if isinstance(answer, dict) else None
        if not isinstance(user, dict) or not isinstance(user.get("login"), str) or "refresh_token" not in answer:
            raise AuthenticationError("Réponse de connexion illisible du serveur.")
        self.login = user["login"]
        self._store(answer)
        return self.user

    def sign_in(self, password: str) -> UserInfo:
        answer = self.transport.request(
            "POST", "/api/v1/auth/token", json={"login": self.login, "password": password}
        )
        self._store(answer)
        return self.user

    def access_token(self) -> str:
        if self._access_token and time.monotonic() < self._expires_at - REFRESH_MARGIN_S:
            return self._access_token
        refresh_token = self.tokens.get(refresh_entry(self.server_url, self.login))
        if not refresh_token:
            raise NotSignedIn("Session expirée ou absente : connectez-vous.")
        try:
            answer = self.transport.request(
                "POST", "/api/v1/auth/refresh", json={"refresh_token": refresh_token}
            )
        except AuthenticationError:
            self.tokens.delete(refresh_entry(self.server_url, self.login))
            raise NotSignedIn("Votre session a expiré : connectez-vous à nouveau.") from None
        self._store(answer)
        return self._access_token

    def has_saved_session(self) -> bool:
        return self.tokens.get(refresh_entry(self.server_url, self.login)) is not None

    def sign_out(self) -> None:
        """Revoke on the server when reachable, and always wipe the local secrets."""
        refresh_token = self.tokens.get(refresh_entry(self.server_url, self.login))
        try:
            if refresh_token:
                self.transport.request("POST", "/api/v1/auth/revoke", json={"refresh_token": refresh_token})
        except Exception:  # noqa: BLE001 — signing out offline must still wipe the local secrets
            pass
        finally:
            self.tokens.delete(refresh_entry(self.server_url, self.login))
            self._access_token = None
            self._expires_at = 0.0
