"""Every named command, registered: the door through which commands are run, listed or checked by name.

The registry (`domain/commands.py`) imports none of the procedures, so they can import it without an
import cycle: each procedure's module registers its commands when imported, and `load()` imports
them all — at the first command, not at start-up. A procedure that adds a module of commands adds it
to `load()` (tests/test_layering.py checks that every module registering a command is listed).
Nothing this module loads may import the code that runs commands (sync/local.py).
"""

from __future__ import annotations

from typing import Any

from aude_desktop.domain import commands as registry
from aude_desktop.domain.commands import Actor, CommandSpec


def load() -> None:
    from aude_desktop.conventions import commands as _conventions  # noqa: F401
    from aude_desktop.dossiers import commands as _dossiers  # noqa: F401
    from aude_desktop.dossiers import epreuves as _epreuves  # noqa: F401
    from aude_desktop.dossiers import lps as _lps  # noqa: F401
    from aude_desktop.dossiers import registration as _registration  # noqa: F401
    from aude_desktop.letters import notification as _notification  # noqa: F401


def registered() -> dict[str, CommandSpec]:
    load()
    return registry.COMMANDS


def spec(name: str) -> CommandSpec:
    load()
    return registry.spec(name)


def related_key(name: str, args: Any) -> tuple[str, str] | None:
    load()
    return registry.related_key(name, args)


def execute(name: str, current: dict | None, args: Any, actor: Actor, related: dict | None = None,
            rulesets: Any = ()) -> dict:
    load()
    return registry.execute(name, current, args, actor, related, rulesets)
