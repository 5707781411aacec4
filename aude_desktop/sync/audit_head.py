"""The server's audit log head, recorded at each sync: a witness outside the server's database.

Someone with write access to the server's database cannot forge audit entries (they are keyed),
but could restore an older copy of the log and its signed head, erasing what came after. Every
workstation remembers the head (number, hash) it saw last; at the next sync the server tells it the
head now and the hash its remembered entry has now. A head that moved backwards, or a remembered
entry whose hash changed (a fork), is reported to the user in French and in the log (numbers and
hashes only: no personal data). The remembered head is then kept as it was, as evidence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from aude_desktop.store.database import LocalStore
from aude_desktop.sync.http import RequestRefused

log = logging.getLogger(__name__)

AUDIT_HEAD_KEY = "audit_head"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Head:
    n: int
    hash: str

    def text(self) -> str:
        return f"{self.n}:{self.hash}"

    @staticmethod
    def parse(text: str | None) -> Head | None:
        n, _, digest = (text or "").partition(":")
        return Head(int(n), digest) if n.isdigit() and HEX64.match(digest) else None


def alert_for(recorded: Head, answer: dict) -> str | None:
    """The French alert if the server's answer contradicts the head this workstation recorded."""
    n, known_hash = answer["n"], answer.get("known_hash")
    if n < recorded.n:
        return (f"Alerte sécurité : le journal d'audit du serveur a reculé (entrée {recorded.n} vue lors d'une "
                f"synchronisation précédente, il n'en compte plus que {n}). Des entrées ont pu être effacées : "
                "prévenez votre administrateur et le responsable de la sécurité.")
    if known_hash != recorded.hash:
        return (f"Alerte sécurité : le journal d'audit du serveur a divergé (l'entrée {recorded.n} n'est plus celle "
                "vue lors d'une synchronisation précédente). Il a pu être réécrit : prévenez votre administrateur "
                "et le responsable de la sécurité.")
    return None


def check(store: LocalStore, call) -> str | None:
    """Ask the head (GET /api/v1/audit/head), compare, record. Returns the alert, if any."""
    from aude_desktop.store.state import get_state, set_state
    from aude_desktop.sync.http import ServerError

    with store.session() as s:
        recorded = Head.parse(get_state(s, AUDIT_HEAD_KEY))
    try:
        answer = call("GET", "/api/v1/audit/head", params={"known": recorded.n} if recorded else None)
    except RequestRefused as exc:
        if exc.status == 404:  # a server older than this check: nothing to compare
            return None
        raise
    if not (isinstance(answer, dict) and isinstance(answer.get("n"), int) and answer["n"] >= 0
            and isinstance(answer.get("hash"), str) and HEX64.match(answer["hash"])):
        raise ServerError("Le serveur a renvoyé une tête de journal d'audit illisible.")
    alert = alert_for(recorded, answer) if recorded else None
    if alert:
        log.warning("server audit head contradicts the recorded one: recorded n=%d, server n=%d", recorded.n, answer["n"])
        return alert
    with store.session() as s:
        set_state(s, AUDIT_HEAD_KEY, Head(answer["n"], answer["hash"]).text())
    return None
