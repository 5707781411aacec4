"""Every named command, registered: importing this module imports each procedure's commands.

The registry (`domain.commands`) imports none of them, so the procedures can import it without an
import cycle; whoever runs, lists or checks commands by name (the local run, the sync engine, the
server) imports this catalog first. A procedure that adds a module of commands adds it here
(tests/test_layering.py checks that every module registering a command is listed).
"""

from __future__ import annotations

from aude_desktop.conventions import commands as conventions  # noqa: F401
from aude_desktop.domain.commands import COMMANDS
from aude_desktop.dossiers import commands as dossiers  # noqa: F401
from aude_desktop.dossiers import epreuves  # noqa: F401
from aude_desktop.letters import notification  # noqa: F401

__all__ = ["COMMANDS"]
