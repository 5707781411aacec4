"""Sign-in through OpenID Connect, as desktop apps do: authorization code with PKCE (S256) and a
loopback redirect (RFC 8252) — ProConnect for State agents, ProSanté Connect for the orders' staff.

The system browser shows the provider's page (the password never passes through this app); the
provider redirects to http://127.0.0.1:PORT/callback, where a one-shot local server receives the
code; the code and the PKCE verifier are exchanged for an ID token, whose claims are checked; the
AUDE API exchanges that ID token for its own tokens, kept in the keyring like after a password
sign-in. The ID token comes straight from the provider's token endpoint, so its issuer is checked
by the connection itself (OIDC Core §3.1.3.7, 6); the AUDE API verifies its signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from aude_desktop.sync.http import AuthenticationError, RequestRefused

PROVIDERS = {"proconnect": "ProConnect", "prosante-connect": "ProSanté Connect"}
CLIENT_ID = "aude-desktop"
WAIT_S = 300
DONE_PAGE = ("<!doctype html><html lang='fr'><meta charset='utf-8'><title>AUDE Desktop</title>"
             "<body style='font-family:sans-serif;margin:3rem'><h1>Connexion terminée</h1>"
             "<p>Vous pouvez fermer cette page et revenir dans AUDE Desktop.</p></body></html>")


class OidcError(AuthenticationError):
    """A sign-in through a provider that did not complete; the message says why, in French."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(id_token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(id_token.split(".")[1] + "=="))
    except (ValueError, IndexError, TypeError):
        raise OidcError("Jeton d'identité illisible renvoyé par le fournisseur : reprenez la connexion.") from None


class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 (random port) that receives the provider's redirect."""

    def __init__(self) -> None:
        received: dict[str, str] = {}
        arrived = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path != "/callback":
                    self.send_error(404)
                    return
                received.update({k: v[0] for k, v in parse_qs(parts.query).items()})
                body = DONE_PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                arrived.set()

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._received, self._arrived = received, arrived
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/callback"

    def wait(self, timeout: float) -> dict[str, str]:
        try:
            if not self._arrived.wait(timeout):
                raise OidcError("Connexion non terminée dans le navigateur (délai dépassé) : reprenez la connexion.")
            return dict(self._received)
        finally:
            self._server.shutdown()
            self._server.server_close()


@dataclass(frozen=True)
class Provider:
    key: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str


def discover(auth, provider: str) -> Provider:
    if provider not in PROVIDERS:
        raise OidcError(f"Fournisseur d'identité inconnu : {provider}.")
    issuer = f"{auth.server_url}/oidc/{provider}"
    try:
        config = auth.transport.request("GET", f"/oidc/{provider}/.well-known/openid-configuration")
    except RequestRefused as exc:
        if exc.status != 404:
            raise
        raise OidcError(f"La connexion {PROVIDERS[provider]} n'est pas proposée par ce serveur : connectez-vous "
                        "avec votre identifiant AUDE.") from None
    try:
        if config["issuer"] != issuer or "S256" not in config["code_challenge_methods_supported"]:
            raise OidcError(f"{PROVIDERS[provider]} : configuration inattendue (émetteur ou PKCE).")
        return Provider(provider, issuer, config["authorization_endpoint"], config["token_endpoint"])
    except (KeyError, TypeError):
        raise OidcError(f"{PROVIDERS[provider]} : configuration illisible.") from None


def _path(url: str, auth) -> str:
    """Endpoints of the configured server are called through its transport (proxy, CA bundle)."""
    if not url.startswith(auth.server_url):
        raise OidcError("Le fournisseur d'identité renvoie vers un autre serveur que celui configuré.")
    return url[len(auth.server_url):]


def sign_in(auth, provider: str, open_browser: Callable[[str], object] = webbrowser.open, timeout: float = WAIT_S):
    """Run the whole exchange; on success `auth` holds AUDE tokens (refresh token in the keyring)."""
    endpoints = discover(auth, provider)
    verifier = secrets.token_urlsafe(64)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    receiver = LoopbackReceiver()
    query = urlencode({"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": receiver.redirect_uri,
                       "scope": "openid email profile", "state": state, "nonce": nonce,
                       "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
                       "code_challenge_method": "S256"})
    open_browser(f"{endpoints.authorization_endpoint}?{query}")
    answer = receiver.wait(timeout)
    if answer.get("state") != state:
        raise OidcError("Réponse de connexion inattendue (état différent) : reprenez la connexion.")
    if "error" in answer or "code" not in answer:
        raise OidcError(f"{PROVIDERS[provider]} a refusé la connexion : {answer.get('error_description') or answer.get('error') or 'sans motif'}.")
    tokens = auth.transport.request("POST", _path(endpoints.token_endpoint, auth), data={
        "grant_type": "authorization_code", "code": answer["code"], "redirect_uri": receiver.redirect_uri,
        "client_id": CLIENT_ID, "code_verifier": verifier})
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str):
        raise OidcError(f"{PROVIDERS[provider]} n'a pas renvoyé de jeton d'identité.")
    claims = _claims(id_token)
    if claims.get("iss") != endpoints.issuer or claims.get("aud") != CLIENT_ID:
        raise OidcError("Jeton d'identité destiné à un autre client ou émis par un autre fournisseur.")
    if claims.get("nonce") != nonce:
        raise OidcError("Jeton d'identité rejoué (nonce différent) : reprenez la connexion.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        raise OidcError("Jeton d'identité expiré : vérifiez l'heure de ce poste puis reprenez la connexion.")
    auth.adopt(auth.transport.request("POST", "/api/v1/auth/oidc", json={"provider": provider, "id_token": id_token}))
    return auth.user
