"""A real reference server on 127.0.0.1 for the API tests: SQLite always, PostgreSQL when present."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests

from central_api.accounts import add_user
from central_api.seed import seed
from tests.support.live_server import free_port, start

SMALL = {"dossiers": 300, "conventions": 400}
AUDIT_KEY = bytes(range(32))  # PostgreSQL has no file beside it for the key: the tests give one
TODAY = date(2026, 11, 23)


def _postgres_url(tmp: Path) -> tuple[str, callable]:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (initdb refuses root: run it as `nobody`)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *sorted(str(p) for p in Path("/usr/lib/postgresql").glob("*/bin"))])
    initdb, pg_ctl = shutil.which("initdb", path=search), shutil.which("pg_ctl", path=search)
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed: PostgreSQL variant not run")
    data = tmp / "pgdata"
    data.mkdir(parents=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        os.chmod(tmp, 0o777)
        shutil.chown(data, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    port = free_port()
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "aude", "--auth=trust", "-E", "UTF8", "--no-locale"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(data / "log"), "-w", "-o",
                    f"-p {port} -h 127.0.0.1 -k {data}", "start"], check=True, capture_output=True)

    def stop():
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)

    url = f"postgresql+psycopg://aude@127.0.0.1:{port}/postgres"
    return url, stop


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request):
    tmp = Path(tempfile.mkdtemp(prefix="aude-api-"))
    stop_db = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'central.db'}"
    else:
        url, stop_db = _postgres_url(tmp)
    # The stand-in identity providers are a test aid: these tests opt in (test_oidc.py uses them).
    live = start(url, files_dir=tmp / "files", oidc_standin=True, audit_key=AUDIT_KEY)
    seed(live.engine, seed_value=7, today=TODAY, **SMALL)
    add_user(live.engine, "throttle.test", "mot-de-passe-long", "dgos")
    yield live
    live.stop()
    if stop_db:
        stop_db()
    shutil.rmtree(tmp, ignore_errors=True)


class Client:
    """A signed-in user talking to the live server."""

    def __init__(self, server, login: str, password: str):
        self.server = server
        answer = requests.post(f"{server.url}/api/v1/auth/token", json={"login": login, "password": password}, timeout=10)
        assert answer.status_code == 200, answer.text
        self.tokens = answer.json()
        self.headers = {"Authorization": f"Bearer {self.tokens['access_token']}"}
        self.client_id = f"test-{uuid.uuid4()}"
        self.seq = 0

    def get(self, path: str, **kwargs):
        return requests.get(self.server.url + path, headers=self.headers, timeout=30, **kwargs)

    def post(self, path: str, **kwargs):
        return requests.post(self.server.url + path, headers=self.headers, timeout=30, **kwargs)

    def upload(self, data: bytes) -> str:
        """PUT a file whole (possession: a mutation may then name its hash); returns the hash."""
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        answer = requests.put(f"{self.server.url}/api/v1/attachments/{sha}", data=data, headers=self.headers, timeout=30)
        assert answer.status_code in (200, 201), answer.text
        return sha

    def pull_all(self, limit: int = 500) -> list[dict]:
        since, out = 0, []
        while True:
            page = self.get("/api/v1/changes", params={"since": since, "limit": limit}).json()
            out += page["changes"]
            since = page["next"]
            if not page["more"]:
                return out

    def mutation(self, name: str, args: dict, base_version: int | None = None) -> dict:
        self.seq += 1
        return {"id": str(uuid.uuid4()), "seq": self.seq, "name": name, "args": args, "base_version": base_version}

    def send(self, *mutations: dict) -> list[dict]:
        answer = self.post("/api/v1/mutations", json={"client_id": self.client_id, "mutations": list(mutations)})
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]


@pytest.fixture
def login(server):
    def make(login: str, password: str | None = None) -> Client:
        from central_api.demo_data import demo_users

        if password is None:
            password = next(u.password for u in demo_users() if u.login == login)
        return Client(server, login, password)

    return make


def new_dossier(region: str = "OCC", profession: str = "infirmier", **extra) -> dict:
    return {
        "reference": f"AUDE-T-{uuid.uuid4().hex[:10]}", "profession": profession, "region": region,
        "situation": "ue_reglemente", "received_on": "2026-11-02",
        "applicant": {"last_name": "Nguyễn", "first_names": "Élodie Bérénice"},
        "diploma": {"title": "Bachelier infirmier", "country": "Belgique"}, **extra,
    }


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
