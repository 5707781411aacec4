"""Single sign-on: a minimal OpenID Connect provider, and the AUDE API's exchange of an ID token.

ProConnect (State agents) and ProSanté Connect (health professionals working in the orders) are
external identity providers that cannot run here; this module stands in for them in the demo and
the tests — and only there: `serve --demo` or `serve --oidc-standin` (its sign-in form takes AUDE
passwords, so a production server must not offer it) — with the real protocol — authorization code with PKCE (RFC 7636, S256 only), loopback
redirect for native apps (RFC 8252), single-use codes valid 60 s, ID tokens with iss/aud/exp/nonce —
so the desktop's client code is the one that will talk to the real providers.

The AUDE API then accepts an ID token from a configured provider (`POST /api/v1/auth/oidc`) and
maps its (provider, subject) to an AUDE account, as an administrator set it (`aude-central oidc link`).
ID tokens are signed HS256 with the server's secret because the provider and the API are the same
process here; with the real providers the API checks their published keys (docs/ADMIN.md).
"""

import hashlib
import hmac
import html
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from central_api import security, throttle
from central_api.audit import audit_event
from central_api.db import OidcAccount, OidcCode, OidcIdentity, UsedIdToken, User
from central_api.errors import ApiProblem
from central_api.security import b64url, unb64url

PROVIDERS = {"proconnect": "ProConnect", "prosante-connect": "ProSanté Connect"}
CLIENT_ID = "aude-desktop"
CODE_TTL = timedelta(seconds=60)
ID_TOKEN_TTL_S = 300


def issuer(base_url: str, provider: str) -> str:
    return f"{base_url.rstrip('/')}/oidc/{provider}"


def sign_jwt(secret: bytes, claims: dict) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signature = b64url(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


def verify_jwt(secret: bytes, token: str) -> dict:
    try:
        header, body, signature = token.split(".")
        expected = b64url(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
        if json.loads(unb64url(header)).get("alg") != "HS256" or not hmac.compare_digest(signature, expected):
            raise ValueError("signature")
        claims = json.loads(unb64url(body))
    except (ValueError, TypeError, AttributeError):
        raise ApiProblem(401, "jeton_oidc_invalide", "Jeton d'identité invalide : reprenez la connexion.") from None
    if not isinstance(claims, dict):
        raise ApiProblem(401, "jeton_oidc_invalide", "Jeton d'identité invalide : reprenez la connexion.")
    return claims


def s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _loopback(redirect_uri: str) -> bool:
    """RFC 8252 §7.3: a native app receives the code on the loopback interface, any port."""
    try:
        parts = urlsplit(redirect_uri)
        port = parts.port  # ValueError for a port out of range or not a number (was a 500)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1") and port is not None


def _form(params: dict, error: str = "", status: int = 401) -> HTMLResponse:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
                     for k, v in params.items() if k not in ("username", "password"))
    name = html.escape(PROVIDERS[params["provider"]])
    message = f'<p role="alert" style="color:#b00020">{html.escape(error)}</p>' if error else ""
    page = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{name} — connexion</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>{name}</h1><p>Fournisseur d'identité de démonstration pour AUDE Desktop.</p>{message}
<form method="post"><label>Identifiant <input name="username" autocomplete="username" required autofocus></label><br>
<label>Mot de passe <input name="password" type="password" autocomplete="current-password" required></label><br>
{hidden}<button type="submit">Se connecter</button></form></body></html>"""
    return HTMLResponse(page, status_code=status if error else 200)


def _token_error(code: str, message: str) -> Response:
    # RFC 6749 §5.2 fields, plus the French message every AUDE client shows.
    body = {"error": code, "error_description": message, "code": code, "message": message}
    return Response(json.dumps(body, ensure_ascii=False), status_code=400, media_type="application/json")


def install(app: FastAPI, engine, secret: bytes, make_tokens, *, standin: bool = False) -> None:
    """The ID-token exchange always; the stand-in providers' endpoints only with `standin`."""
    def provider_of(provider: str) -> str:
        if provider not in PROVIDERS:
            raise ApiProblem(404, "fournisseur_inconnu", "Fournisseur d'identité inconnu.")
        return provider

    _install_exchange(app, engine, secret, make_tokens, configured=standin)
    if standin:
        _install_standin(app, engine, secret, provider_of)


def _install_standin(app: FastAPI, engine, secret: bytes, provider_of) -> None:
    from central_api.app import client_address

    @app.get("/oidc/{provider}/.well-known/openid-configuration", tags=["authentification"])
    def configuration(provider: str, request: Request):
        base = issuer(str(request.base_url), provider_of(provider))
        return {"issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
                "code_challenge_methods_supported": ["S256"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["HS256"], "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["none"]}

    def _checked(provider: str, params: dict) -> dict:
        provider_of(provider)
        problems = []
        if params.get("response_type") != "code":
            problems.append("response_type doit valoir « code »")
        if params.get("client_id") != CLIENT_ID:
            problems.append("client inconnu")
        if not _loopback(params.get("redirect_uri", "")):
            problems.append("l'adresse de retour doit être http://127.0.0.1:PORT/… (RFC 8252)")
        if params.get("code_challenge_method") != "S256" or not 43 <= len(params.get("code_challenge", "")) <= 128:
            problems.append("PKCE S256 obligatoire")
        if "openid" not in params.get("scope", "").split():
            problems.append("la portée doit inclure « openid »")
        if not params.get("state"):
            problems.append("« state » manquant")
        if not 16 <= len(params.get("nonce", "")) <= 200:  # binds the ID token to this request: no replay
            problems.append("« nonce » obligatoire (16 à 200 caractères)")
        if problems:
            raise ApiProblem(400, "demande_invalide", "Demande de connexion invalide : " + " ; ".join(problems) + ".")
        return {k: params[k] for k in ("client_id", "redirect_uri", "code_challenge", "state", "nonce", "scope",
                                       "response_type", "code_challenge_method") if k in params} | {"provider": provider}

    @app.get("/oidc/{provider}/authorize", tags=["authentification"], response_class=HTMLResponse)
    def authorize_page(provider: str, request: Request):
        return _form(_checked(provider, dict(request.query_params)))

    @app.post("/oidc/{provider}/authorize", tags=["authentification"], response_class=HTMLResponse)
    async def authorize(provider: str, request: Request):
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        params = _checked(provider, form)
        with engine.connect() as conn:
            account = conn.execute(select(OidcAccount.__table__).where(
                OidcAccount.provider == provider, OidcAccount.subject == form.get("username", ""))).first()
        try:  # the same guard as /api/v1/auth/token: counted before the check, audited
            throttle.check_password(engine, f"{provider}:{form.get('username', '')}"[:80], form.get("password", ""),
                                    client_address(request), "oidc.authorize", account.password_hash if account else None)
        except throttle.Throttled as exc:
            page = _form(params, exc.message, status=429)
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        except throttle.WrongPassword:
            return _form(params, "Identifiant ou mot de passe incorrect.")
        code = secrets.token_urlsafe(32)
        with engine.begin() as conn:
            conn.execute(insert(OidcCode).values(
                code_hash=security.token_digest(code), provider=provider, subject=account.subject,
                client_id=params["client_id"], redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"], nonce=params.get("nonce"),
                expires_at=datetime.now(UTC) + CODE_TTL, used=False))
        separator = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(params["redirect_uri"] + separator + urlencode({"code": code, "state": params["state"]}),
                                status_code=302)

    @app.post("/oidc/{provider}/token", tags=["authentification"])
    async def token(provider: str, request: Request):
        provider_of(provider)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type", "Seul le code d'autorisation est accepté.")
        digest = security.token_digest(form.get("code", ""))
        with engine.begin() as conn:
            row = conn.execute(select(OidcCode.__table__).where(OidcCode.code_hash == digest,
                                                                OidcCode.provider == provider)).first()
            if row is None or row.used:
                return _token_error("invalid_grant", "Code de connexion inconnu ou déjà utilisé : reprenez la connexion.")
            conn.execute(update(OidcCode).where(OidcCode.code_hash == digest).values(used=True))  # single use
            expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
            if expires < datetime.now(UTC):
                return _token_error("invalid_grant", "Code de connexion expiré : reprenez la connexion.")
            if form.get("client_id") != row.client_id or form.get("redirect_uri") != row.redirect_uri:
                return _token_error("invalid_grant", "Le code ne correspond pas à ce client ou à cette adresse de retour.")
            if not hmac.compare_digest(s256(form.get("code_verifier", "")), row.code_challenge):
                return _token_error("invalid_grant", "Vérification PKCE en échec : reprenez la connexion.")
            account = conn.execute(select(OidcAccount.__table__).where(
                OidcAccount.provider == provider, OidcAccount.subject == row.subject)).one()
        now = int(time.time())
        claims = {"iss": issuer(str(request.base_url), provider), "sub": account.subject, "aud": row.client_id,
                  "iat": now, "exp": now + ID_TOKEN_TTL_S, "email": account.email,
                  "given_name": account.given_name, "family_name": account.family_name}
        if row.nonce:
            claims["nonce"] = row.nonce
        return {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": ID_TOKEN_TTL_S,
                "id_token": sign_jwt(secret, claims)}


def _install_exchange(app: FastAPI, engine, secret: bytes, make_tokens, *, configured: bool) -> None:
    @app.post("/api/v1/auth/oidc", tags=["authentification"])
    def exchange(body: dict, request: Request):
        """An ID token from a configured provider → AUDE tokens for the account mapped to it."""
        provider = body.get("provider") if isinstance(body, dict) else None
        if provider not in PROVIDERS or not isinstance(body.get("id_token"), str):
            raise ApiProblem(422, "requete_invalide", "Requête invalide : « provider » et « id_token » attendus.")
        if not configured:
            raise ApiProblem(404, "fournisseur_non_configure",
                             f"Connexion {PROVIDERS[provider]} non configurée sur ce serveur : connectez-vous avec "
                             "votre identifiant AUDE.")
        claims = verify_jwt(secret, body["id_token"])
        if claims.get("iss") != issuer(str(request.base_url), provider) or claims.get("aud") != CLIENT_ID:
            raise ApiProblem(401, "jeton_oidc_invalide", "Jeton d'identité d'un autre émetteur ou destinataire.")
        if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
            raise ApiProblem(401, "jeton_oidc_expire", "Jeton d'identité expiré : reprenez la connexion.")
        if not isinstance(claims.get("nonce"), str):
            raise ApiProblem(401, "jeton_oidc_invalide", "Jeton d'identité sans « nonce » : reprenez la connexion.")
        _spend(engine, body["id_token"], claims["exp"])
        with engine.connect() as conn:
            login = conn.execute(select(OidcIdentity.login).where(
                OidcIdentity.provider == provider, OidcIdentity.subject == str(claims.get("sub")))).scalar()
            user = conn.execute(select(User.__table__).where(User.login == login)).first() if login else None
        if user is None:
            audit_event(engine, f"{provider}:{claims.get('sub')}", "auth.oidc", "identite_non_rattachee",
                        kind="provider", record_id=provider)
            raise ApiProblem(403, "identite_non_rattachee",
                             f"Cette identité {PROVIDERS[provider]} n'est rattachée à aucun compte AUDE : demandez à "
                             "votre administrateur de la rattacher (aude-central oidc link).")
        if user.disabled:
            raise ApiProblem(401, "compte_inactif", "Compte inconnu ou désactivé.")
        audit_event(engine, user.login, "auth.oidc", "ok", kind="provider", record_id=provider)
        return make_tokens(user.login, user)


def _spend(engine, id_token: str, exp: int) -> None:
    """Each ID token is exchanged once: a copy (log, proxy, browser history) opens no second session."""
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(insert(UsedIdToken).values(token_hash=security.token_digest(id_token),
                                                    expires_at=datetime.fromtimestamp(min(exp, time.time() + 86400), UTC)))
    except IntegrityError:
        raise ApiProblem(401, "jeton_oidc_rejoue", "Jeton d'identité déjà utilisé : reprenez la connexion.") from None
    if secrets.randbelow(100) == 0:  # forget spent tokens once they have expired anyway
        with engine.begin() as conn:
            conn.execute(delete(UsedIdToken).where(UsedIdToken.expires_at < now))


def add_account(engine, provider: str, subject: str, password: str, email: str, given_name: str, family_name: str,
                *, login: str | None = None, password_hash: str | None = None) -> None:
    """An account of the stand-in provider (demo, tests); with `login`, also mapped to that AUDE user."""
    with engine.begin() as conn:
        conn.execute(insert(OidcAccount).values(provider=provider, subject=subject, email=email, given_name=given_name,
                                                family_name=family_name,
                                                password_hash=password_hash or security.hash_password(password)))
    if login:
        link(engine, provider, subject, login)


def link(engine, provider: str, subject: str, login: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"Fournisseur inconnu : {provider} ({', '.join(PROVIDERS)}).")
    with engine.begin() as conn:
        if conn.execute(select(User.login).where(User.login == login)).first() is None:
            raise ValueError(f"Compte AUDE inconnu : {login}.")
        conn.execute(OidcIdentity.__table__.delete().where(OidcIdentity.provider == provider, OidcIdentity.subject == subject))
        conn.execute(insert(OidcIdentity).values(provider=provider, subject=subject, login=login))
