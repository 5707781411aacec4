"""Body size limit, enforced before any parsing (a JSON bomb never reaches the application), and
NUL characters refused in every request but file uploads: PostgreSQL cannot store them in text, and
no legitimate identifier, command or form carries one (found by schemathesis on /auth/token)."""

from __future__ import annotations

import json

JSON_LIMIT = 2 * 1024 * 1024
ATTACHMENT_LIMIT = 64 * 1024 * 1024


class BodyLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        binary = scope["path"].startswith("/api/v1/attachments/")
        limit = ATTACHMENT_LIMIT if binary else JSON_LIMIT
        if not binary and _has_nul(scope.get("query_string") or b"") or _has_nul(scope["path"].encode("utf-8", "replace")):
            return await _refuse(send, 422, "requete_invalide", "Requête invalide : caractère nul (U+0000) interdit.")
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _too_large(send, limit)
        if not binary:
            # JSON and forms (2 MiB at most) are read whole and checked before the application sees
            # them: an exception raised while FastAPI reads a body would become its own 400.
            body = b""
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return await self.app(scope, _replay(b"", receive, message), send)
                body += message.get("body", b"")
                if len(body) > limit:
                    return await _too_large(send, limit)
                if not message.get("more_body"):
                    break
            if _has_nul(body):
                return await _refuse(send, 422, "requete_invalide", "Requête invalide : caractère nul (U+0000) interdit.")
            return await self.app(scope, _replay(body, receive), send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _too_large(send, limit)


def _replay(body: bytes, receive, first: dict | None = None):
    """A receive() that hands the application the body already read, then the real channel."""
    pending = [first or {"type": "http.request", "body": body, "more_body": False}]

    async def replayed():
        return pending.pop() if pending else await receive()

    return replayed


class _TooLarge(Exception):
    pass


def _has_nul(data: bytes) -> bool:
    """A raw NUL, its JSON escape or its URL encoding."""
    lowered = data.lower()
    return b"\x00" in data or b"\\u0000" in lowered or b"%00" in lowered


async def _too_large(send, limit: int) -> None:
    await _refuse(send, 413, "trop_volumineux", f"Requête trop volumineuse : {limit // (1024 * 1024)} Mio au plus.")


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
