"""Passwords (scrypt), signed access tokens (HMAC-SHA256), refresh tokens (random, stored hashed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
ACCESS_TTL_S = 15 * 60
REFRESH_TTL_S = 30 * 24 * 3600


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=SCRYPT["maxmem"], dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


# A constant-cost check for unknown logins, so timing does not reveal which logins exist.
_DUMMY_HASH = hash_password("aude-dummy-password")


def verify_unknown() -> None:
    verify_password("wrong", _DUMMY_HASH)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_access_token(secret: bytes, login: str, now: float | None = None, session_id: str | None = None) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    claims = {"sub": login, "exp": issued + ACCESS_TTL_S} | ({"sid": session_id} if session_id else {})
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = b64url(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}", ACCESS_TTL_S


class TokenInvalid(ValueError):
    pass


def read_access_token(secret: bytes, token: str, now: float | None = None) -> str:
    """The login of a valid token; TokenInvalid with a French message otherwise."""
    return read_access_claims(secret, token, now)[0]


def read_access_claims(secret: bytes, token: str, now: float | None = None) -> tuple[str, str | None]:
    """(login, session id) of a valid token (no session id: issued before sessions existed)."""
    try:
        body, signature = token.split(".")
        expected = b64url(hmac.new(secret, body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            raise TokenInvalid("Jeton d'accès invalide : reconnectez-vous.")
        claims = json.loads(unb64url(body))
    except (ValueError, TypeError) as exc:
        if isinstance(exc, TokenInvalid):
            raise
        raise TokenInvalid("Jeton d'accès illisible : reconnectez-vous.") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or not isinstance(claims.get("exp"), int):
        raise TokenInvalid("Jeton d'accès invalide : reconnectez-vous.")
    if claims["exp"] < (now if now is not None else time.time()):
        raise TokenInvalid("Jeton d'accès expiré : la session va être renouvelée.")
    sid = claims.get("sid")
    return claims["sub"], sid if isinstance(sid, str) else None


def new_refresh_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
