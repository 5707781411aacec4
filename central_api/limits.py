"""Body size limit, enforced before any parsing (a JSON bomb never reaches the application), and
text no database can store refused in every request but file uploads, before the application sees
it: the U+0000 character (PostgreSQL cannot store it; found by schemathesis on /auth/token) and lone
UTF-16 surrogates (neither SQLite nor PostgreSQL can encode them: a 500 on every retry), as JSON
nested deeper than any command (900 levels reset the connection). Only the characters themselves
are refused — a password `100%00` or the typed text `\u0000` are ordinary text."""

from __future__ import annotations

import json

JSON_LIMIT = 2 * 1024 * 1024
ATTACHMENT_LIMIT = 64 * 1024 * 1024
# A company filing carries its files in base64 (16 MiB each, app.MAX_FILED_SIZE): its body may hold
# a few of them; each file's own limit is checked by the endpoint.
FILING_LIMIT = 64 * 1024 * 1024
MAX_DEPTH = 64  # the deepest command or filing nests about 8 levels

NUL = ("requete_invalide", "Requête invalide : caractère nul (U+0000) interdit.")
SURROGATE = ("texte_invalide", "Requête invalide : un texte contient un caractère isolé de paire de substitution "
             "UTF-16 (\\ud800 à \\udfff), qu'aucun texte ne peut contenir. Corrigez le texte puis renvoyez.")
TOO_DEEP = ("json_trop_imbrique", f"Requête invalide : JSON imbriqué sur plus de {MAX_DEPTH} niveaux.")


class BodyLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        binary = scope["path"].startswith("/api/v1/attachments/")
        limit = ATTACHMENT_LIMIT if binary else FILING_LIMIT if scope["path"].startswith("/api/v1/filings/") else JSON_LIMIT
        query = (scope.get("query_string") or b"").lower()
        if "\x00" in scope["path"] or not binary and (b"\x00" in query or b"%00" in query):
            return await _refuse(send, 422, *NUL)
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
            problem = _text_problem(body, form=b"form" in headers.get(b"content-type", b""))
            if problem:
                return await _refuse(send, 422, *problem)
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


def _text_problem(body: bytes, *, form: bool) -> tuple[str, str] | None:
    """What makes this body unstorable, or None. A form's NUL is `%00`; a JSON body is decoded (the
    only exact way to tell `\\u0000` from the escaped text `\\\\u0000`) and its strings and keys
    walked; a body that is not JSON is left to the endpoint's own refusal."""
    if b"\x00" in body:
        return NUL
    if form:
        return NUL if b"%00" in body.lower() else None
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except RecursionError:
        return TOO_DEEP
    except ValueError:
        return None
    return _walk(value)


def _walk(value) -> tuple[str, str] | None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                return problem
        elif depth >= MAX_DEPTH and isinstance(item, (dict, list)):
            return TOO_DEEP
        elif isinstance(item, dict):
            for key, inner in item.items():
                problem = _bad_text(key)
                if problem:
                    return problem
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
    return None


def _bad_text(text: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE
    return None


async def _too_large(send, limit: int) -> None:
    await _refuse(send, 413, "trop_volumineux", f"Requête trop volumineuse : {limit // (1024 * 1024)} Mio au plus.")


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
