"""The embedded demo: a reference server on 127.0.0.1 seeded with fictitious data, and its demo users.

Qt-free: the GUI (`aude-desktop --demo`) and the tests drive it. The server is a child process,
stopped when the app exits (SIGTERM and Ctrl+C included); its log folder goes with it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from aude_desktop.scratch import on_exit, scratch_dir

ROLE_LABELS = {
    "agent_dreets": "Agent de DREETS (autorisations d’exercice, Occitanie)",
    "ordre": "Agent d’un ordre professionnel (conventions, ordre des infirmiers)",
    "ars": "Agent d’ARS (conventions, ARS Occitanie)",
    "dgos": "Superviseur DGOS (lecture seule, national)",
}
DEMO_ACCOUNTS = {
    "agent_dreets": ("agent.occ", "demo-agent-occ"),
    "ordre": ("ordre.inf", "demo-ordre-inf"),
    "ars": ("ars.occ", "demo-ars-occ"),
    "dgos": ("dgos", "demo-dgos"),
}
SCALES = {"quick": (2000, 3000), "national": (61300, 150000)}


class DemoError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class EmbeddedServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    @classmethod
    def start(cls, scale: str = "quick", timeout: float = 240.0) -> EmbeddedServer:
        dossiers, conventions = SCALES[scale]
        port = free_port()
        log_path = scratch_dir("aude-demo-server-") / "server.log"
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 — kept open for the child's lifetime
        process = subprocess.Popen(
            [sys.executable, "-m", "central_api.cli", "serve", "--demo", "--port", str(port),
             "--dossiers", str(dossiers), "--conventions", str(conventions)],
            stdout=log, stderr=subprocess.STDOUT,
            # the server stops when this pipe closes: when the app ends, even killed (SIGKILL)
            stdin=subprocess.PIPE, env={**os.environ, "AUDE_DEMO_STOP_ON_EOF": "1"},
        )
        server = cls(f"http://127.0.0.1:{port}", process, log_path)
        on_exit(server.stop)  # before the folders go: the server removes its own demo database
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise DemoError(f"Le serveur de démonstration s’est arrêté au démarrage (journal : {log_path}).")
            try:
                if requests.get(server.url + "/api/v1/meta", timeout=0.5).ok:
                    return server
            except requests.RequestException:
                time.sleep(0.2)
        server.stop()
        raise DemoError("Le serveur de démonstration n’a pas démarré à temps.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the server removes its temporary database on SIGTERM
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
