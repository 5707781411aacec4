"""The real reference server on 127.0.0.1, in a background thread of the test process."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
import uvicorn

from aude_desktop.demo import free_port


@dataclass
class LiveServer:
    url: str
    app: object
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def engine(self):
        return self.app.state.engine

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.engine.dispose()


def start(db_url: str, **kwargs) -> LiveServer:
    from central_api.app import create_app

    app = create_app(db_url, **kwargs)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/api/v1/meta", timeout=1).ok:
                return LiveServer(url, app, server, thread)
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("the reference server did not start")


@contextmanager
def seeded_server(folder: Path, dossiers: int, conventions: int, seed_value: int, **kwargs):
    """A live server on a SQLite file in `folder`, filled with deterministic demo data."""
    from central_api.seed import seed

    live = start(f"sqlite:///{folder / 'c.db'}", **kwargs)
    try:
        seed(live.engine, dossiers=dossiers, conventions=conventions, seed_value=seed_value, today=date(2026, 11, 23))
        yield live
    finally:
        live.stop()


def server_fixture(dossiers: int, conventions: int, seed_value: int):
    """A module-scoped `server` fixture: one seeded live server for the tests of a module."""
    import pytest

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        with seeded_server(tmp_path_factory.mktemp("central"), dossiers, conventions, seed_value) as live:
            yield live

    return server


def signed_in(server, login: str = "agent.occ", password: str = "demo-agent-occ"):
    """An AuthSession of a demo user on `server`, tokens in memory."""
    from aude_desktop.auth.session import AuthSession, MemoryTokens
    from aude_desktop.settings import Settings
    from aude_desktop.sync.http import Transport

    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), login, tokens=MemoryTokens())
    auth.sign_in(password)
    return auth
