"""Named domain commands, pure and shared: the client applies them offline, the server re-checks them.

A command is `fn(current payload or None, args, actor) -> new payload`, raising CommandRejected
with a reason code and a French message. The server adds what only it can check (rights, scope,
versions); the rules of the domain live here, once. Adding a command is one decorated function.

This module imports none of the procedures: each procedure's module registers its commands when it
is imported, and `aude_desktop.catalog` imports them all — whoever runs a command imports the catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aude_desktop.domain.scope import instructing_authority  # noqa: F401 (re-exported: scope is defined there)


class CommandRejected(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    login: str
    role: str  # agent_dreets, ordre, ars, dgos
    region: str | None = None
    authority: str | None = None


CommandFn = Callable[..., dict]
# (kind, id) of another record a command reads (never writes), e.g. the letter a notification is
# about: the server loads it within the caller's scope, the client from its copy.
RelatedFn = Callable[[dict], tuple[str, str] | None]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    kind: str  # the record kind it writes
    mode: str  # "create": must not exist yet; "update": must exist; "upsert": either
    fn: CommandFn
    related: RelatedFn | None = None  # then fn(current, args, actor, related payload or None)
    # Reads the published rulesets (payloads): then fn(..., rulesets=...). Both sides pass the ones
    # they hold, and conventions/rulesets.ruleset_in_force decides which is in force.
    rulesets: bool = False


COMMANDS: dict[str, CommandSpec] = {}


def command(name: str, kind: str, *, mode: str = "update", related: RelatedFn | None = None, rulesets: bool = False):
    if mode not in ("create", "update", "upsert"):
        raise ValueError(mode)

    def register(fn: CommandFn) -> CommandFn:
        if name in COMMANDS:
            raise RuntimeError(f"command {name} registered twice")
        COMMANDS[name] = CommandSpec(name, kind, mode, fn, related, rulesets)
        return fn

    return register


def spec(name: str) -> CommandSpec:
    try:
        return COMMANDS[name]
    except KeyError:
        raise CommandRejected("commande_inconnue", f"Commande inconnue : « {name} ».") from None


def is_record_id(value: Any) -> bool:
    """A record id is a UUID in its canonical text form (36 lowercase characters): nothing else can
    reach a page of the change feed, a file name or a log line."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def check_record_id(value: Any) -> str:
    if not is_record_id(value):
        raise CommandRejected("identifiant_invalide",
                              "Identifiant d'enregistrement invalide (« id ») : un UUID en minuscules est attendu.")
    return value


def related_key(name: str, args: Any) -> tuple[str, str] | None:
    """The (kind, id) of the record this command reads besides its own, if any."""
    command_spec = spec(name)
    if command_spec.related is None or not isinstance(args, dict):
        return None
    return command_spec.related(args)


def execute(name: str, current: dict | None, args: Any, actor: Actor, related: dict | None = None,
            rulesets: tuple[dict, ...] = ()) -> dict:
    """Run a command after the checks common to all: argument shape, existence. `related`: the
    payload of the record named by `related_key` (None when absent or out of the caller's scope);
    `rulesets`: the published rulesets the caller holds (only read by commands that ask for them).
    The record id is checked too."""
    command_spec = spec(name)
    if not isinstance(args, dict):
        raise CommandRejected("arguments_invalides", "Les arguments de la commande doivent être un objet JSON.")
    check_record_id(args.get("id"))
    if command_spec.mode == "create" and current is not None:
        raise CommandRejected("existe_deja", "Cet enregistrement existe déjà : il ne peut pas être créé une seconde fois.")
    if command_spec.mode == "update" and current is None:
        raise CommandRejected("introuvable", "Enregistrement introuvable : il a peut-être été supprimé.")
    extra = {"rulesets": tuple(rulesets)} if command_spec.rulesets else {}
    if command_spec.related is not None:
        return command_spec.fn(current, args, actor, related, **extra)
    return command_spec.fn(current, args, actor, **extra)

