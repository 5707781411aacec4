"""HTTP transport to the central API: proxy and CA bundle settings, French errors, no crash on garbage.

Every failure becomes an `ApiError` subclass whose `str()` is a French sentence for the user and
whose `retryable` says whether the sync engine may try again later.
"""

from __future__ import annotations

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
        body = response.json()
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
