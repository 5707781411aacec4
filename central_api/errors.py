"""Every refusal is a JSON body {"code", "message"} with a French message; never a bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("central_api")


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def problem(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


VALIDATION_WORDS = {
    "missing": "champ obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "string_type": "texte attendu",
    "dict_type": "objet JSON attendu",
    "model_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "bool_type": "booléen attendu",
    "bool_parsing": "booléen attendu",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "string_too_long": "texte trop long",
    "string_too_short": "texte vide",
    "too_long": "trop d'éléments",
    "json_invalid": "JSON invalide",
    "json_type": "JSON invalide",
    "extra_forbidden": "champ inconnu",
}

HTTP_MESSAGES = {
    404: ("introuvable", "Adresse inconnue sur ce serveur."),
    405: ("methode_interdite", "Méthode HTTP non autorisée pour cette adresse."),
}


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header"))
    words = VALIDATION_WORDS.get(error.get("type", ""), "valeur invalide")
    return f"{where} : {words}" if where else words


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(_request: Request, exc: ApiProblem):
        return problem(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        details = "; ".join(_describe(e) for e in exc.errors()[:5])
        return problem(422, "requete_invalide", f"Requête invalide — {details}.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code, message = HTTP_MESSAGES.get(exc.status_code, ("erreur_http", f"Requête refusée (code {exc.status_code})."))
        return problem(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unexpected server error")
        return problem(500, "erreur_interne", "Erreur interne du serveur ; rien n'a été modifié.")
