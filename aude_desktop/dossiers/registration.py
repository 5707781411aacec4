"""« Transmis pour enregistrement le … »: the server records, on the dossier, that its decision went
to the order or ARS that registers the professional (aude-central rpps export).

The mark travels like any change: a command applied by the server through the mutation path, so it
reaches every client in the change feed. Only the server's export runs it (SYSTEM_ROLE): an agent
who posts it is refused, and so is the same command run locally by a client.
"""

from __future__ import annotations

import copy
from datetime import date

from aude_desktop.domain.commands import Actor, CommandRejected, command
from aude_desktop.domain.fields import date_field, text_field
from aude_desktop.rules.reference import authorities

SYSTEM_ROLE = "systeme"  # never a role of an account (accounts.ROLES): only the server acts with it
MARK_COMMAND = "dossier.mark_registration_sent"


def system_actor(login: str = "systeme:rpps") -> Actor:
    return Actor(login=login, role=SYSTEM_ROLE)


@command(MARK_COMMAND, "dossier")
def mark_registration_sent(current: dict, args: dict, actor: Actor) -> dict:
    if actor.role != SYSTEM_ROLE:
        raise CommandRejected("commande_reservee", "Seule la transmission du serveur (aude-central rpps export) "
                                                   "peut marquer un dossier comme transmis pour enregistrement.")
    on = date_field(args.get("on"), "Date de transmission", required=True)
    body = text_field(args.get("body"), "Destinataire", required=True, limit=20)
    if body not in authorities():
        raise CommandRejected("destinataire_inconnu", f"Destinataire inconnu : « {body} ».")
    p = copy.deepcopy(current)
    p["registration_sent"] = {"on": on, "body": body}
    return p


def registration_sent_line(payload: dict) -> str | None:
    """« Transmis pour enregistrement le 26/11/2026 (Conseil national de l'ordre des infirmiers) », or None."""
    sent = payload.get("registration_sent")
    if not isinstance(sent, dict) or not sent.get("on"):
        return None
    try:
        day = date.fromisoformat(sent["on"])
    except (TypeError, ValueError):
        return None
    body = authorities().get(sent.get("body") or "")
    return f"Transmis pour enregistrement le {day:%d/%m/%Y}" + (f" ({body.label})" if body else "")
