"""Entry for several uvicorn workers: each process builds the app from AUDE_CENTRAL_DB."""

import os

from central_api.app import create_app


def create_from_env():
    return create_app(os.environ["AUDE_CENTRAL_DB"], oidc_standin=os.environ.get("AUDE_CENTRAL_OIDC_STANDIN") == "1")
