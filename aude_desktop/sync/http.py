"""HTTP transport to the central API: proxy and CA bundle settings, French errors, no crash on garbage.

Every failure becomes an `ApiError` subclass whose `str()` is a French sentence for the user and
whose `retryable` says whether the sync engine may try again later.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters

from aude_desktop import __version__
from aude_desktop.settings import Settings, insecure_url

TIMEOUT = (5, 60)  # connect, read (seconds)


# What OpenSSL says when the other end answers in plain HTTP to a TLS handshake.
_PLAIN_HTTP_ANSWER = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|record layer failure|packet length too long|"
                                r"http request|unknown protocol", re.IGNORECASE)


class InsecureAddress(requests.exceptions.InvalidURL):
    """A plain-http request to another machine than this one: refused before anything is sent."""


class _LoopbackOnlyHttp(requests.adapters.HTTPAdapter):
    """Every http:// request of the session goes through here (redirects and file transfers too)."""

    def send(self, request, *args, **kwargs):
        problem = insecure_url(request.url)
        if problem:
            raise InsecureAddress(problem)
        return super().send(request, *args, **kwargs)


class ApiError(RuntimeError):
    retryable = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class NetworkError(ApiError):
    retryable = True


class ServerError(ApiError):
    """5xx, or a body that is not the JSON the protocol promises (proxy error page, truncated…)."""

    retryable = True


class AuthenticationError(ApiError):
    pass


class RequestRefused(ApiError):
    """A 4xx with the server's own French message."""


@dataclass
class Transport:
    base_url: str
    session: requests.Session

    @classmethod
    def from_settings(cls, settings: Settings) -> Transport:
        session = requests.Session()
        session.headers["User-Agent"] = f"aude-desktop/{__version__}"
        session.trust_env = False  # only the proxy the user configured, never a stray environment one
        session.mount("http://", _LoopbackOnlyHttp())
        if settings.http_proxy:
            session.proxies = {"http": settings.http_proxy, "https": settings.http_proxy}
        if settings.ca_bundle:
            session.verify = settings.ca_bundle
        return cls(settings.server_url.rstrip("/"), session)

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs) -> Any:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self.session.request(
                method, self.base_url + path, headers=headers, timeout=TIMEOUT, **kwargs
            )
        except InsecureAddress as exc:
            raise ApiError(str(exc)) from exc
        except requests.exceptions.SSLError as exc:
            if _PLAIN_HTTP_ANSWER.search(str(exc)):
                raise NetworkError(
                    "Le serveur a répondu sans chiffrement (HTTP simple) à une adresse https:// : vérifiez "
                    "l'adresse et le port du serveur (https:// attendu d'un serveur configuré en TLS)."
                ) from exc
            raise NetworkError(
                "La connexion sécurisée au serveur a échoué (certificat non reconnu). Vérifiez le "
                "fichier de certificats dans les paramètres."
            ) from exc
        except requests.exceptions.ProxyError as exc:
            raise NetworkError("Le proxy configuré ne répond pas ou refuse la connexion.") from exc
        except requests.exceptions.Timeout as exc:
            raise NetworkError("Le serveur ne répond pas (délai dépassé). Nouvel essai plus tard.") from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(
                "Serveur injoignable : vérifiez votre connexion réseau. Votre travail reste "
                "enregistré sur ce poste."
            ) from exc
        return _decode(response)


def _decode(response: requests.Response) -> Any:
    status = response.status_code
    try:
        text = _utf8_text(response)
        body = response.json() if text is None else loads_in_pieces(text)
    except (ValueError, json.JSONDecodeError):
        body = None
    if status >= 500:
        raise ServerError(
            f"Le serveur a rencontré une erreur (code {status}). Nouvel essai plus tard ; rien n'est perdu.",
            status=status,
        )
    if body is None or not isinstance(body, dict | list):
        raise ServerError(
            "Réponse illisible du serveur (ce n'est pas la réponse attendue : page d'erreur d'un "
            "proxy ou réponse tronquée). Nouvel essai plus tard ; rien n'est perdu.",
            status=status,
        )
    if status >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(message, str):
            message = f"Le serveur a refusé la demande (code {status})."
        error = AuthenticationError if status == 401 else RequestRefused
        raise error(message, status=status, code=code if isinstance(code, str) else None)
    return body


# -- decoding a large body without holding the GIL for long ------------------------------------
# A change page is megabytes of JSON. json.loads decodes it in one C call that holds the GIL for
# 100-250 ms, and the window's thread waits as long for its next event (bench_responsiveness (a)).
# The same values, decoded in pieces of a few microseconds each: the GIL changes hands in between.

_PIECE = 1 << 20  # bytes of UTF-8 decoded per call
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_BLANK = frozenset(" \t\n\r")


def _utf8_text(response: requests.Response) -> str | None:
    """The body as `response.text` gives it, decoded a megabyte at a time; None when it is not UTF-8
    (then `response.json()` guesses the encoding as before)."""
    if (response.encoding or "").lower().replace("_", "-") not in ("utf-8", "utf8"):
        return None
    content = response.content
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    parts = [decoder.decode(content[start:start + _PIECE]) for start in range(0, len(content), _PIECE)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def loads_in_pieces(text: str) -> Any:
    """`json.loads(text)`, the same result and the same errors (ValueError), but a top-level object's
    arrays are decoded item by item, and anything else in one piece."""
    end = _SPACE.match(text).end()
    if not text.startswith("{", end):
        return json.loads(text)
    result: dict = {}
    end = _SPACE.match(text, end + 1).end()
    if text.startswith("}", end):
        return _finished(text, {}, end + 1)
    while True:
        if not text.startswith('"', end):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, end)
        key, end = json.decoder.scanstring(text, end + 1)
        end = _SPACE.match(text, end).end()
        if not text.startswith(":", end):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, end)
        end = _SPACE.match(text, end + 1).end()
        if text.startswith("[", end):
            result[key], end = _array(text, end + 1)
        else:
            result[key], end = _DECODER.raw_decode(text, end)
        end = _SPACE.match(text, end).end()
        if text.startswith("}", end):
            return _finished(text, result, end + 1)
        if not text.startswith(",", end):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, end)
        end = _SPACE.match(text, end + 1).end()


def _array(text: str, end: int) -> tuple[list, int]:
    items: list = []
    end = _SPACE.match(text, end).end()
    if text.startswith("]", end):
        return items, end + 1
    decode, blank = _DECODER.raw_decode, _BLANK
    while True:
        item, end = decode(text, end)
        items.append(item)
        if text[end:end + 1] in blank:
            end = _SPACE.match(text, end).end()
        following = text[end:end + 1]
        if following == ",":
            end += 1
            if text[end:end + 1] in blank:
                end = _SPACE.match(text, end).end()
        elif following == "]":
            return items, end + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, end)


def _finished(text: str, value: dict, end: int) -> dict:
    if _SPACE.match(text, end).end() != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value
