"""The workspace façade: the one path by which the GUI and the CLI change this machine's data.

A command (local effect + outbox entry), a sync (push, pull, then the daily backup and the retention
purge), a letter or a batch of letters: each entry point here is what both front ends call, so
`aude-cli sync` leaves the same backup and purges the same closed files as the window's sync.
Qt-free; the GUI runs these calls on its serial worker (ui/serial_worker.py), never on its own thread.
Heavy modules (ReportLab, the sync engine) are imported when first used: the first window does not
need them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.store.database import LocalStore


@dataclass
class Workspace:
    """`profile` None or `housekeeping` False (the throw-away demo profile): a sync takes no backup and
    purges nothing."""

    store: LocalStore
    profile: Profile | None = None
    housekeeping: bool = True

    # -- commands -------------------------------------------------------------------------------

    def run(self, actor: Actor, name: str, args: dict) -> str:
        """Apply `name` locally and queue it for the server; the entity id. Raises CommandRejected."""
        from aude_desktop.sync.local import run_command

        return run_command(self.store, actor, name, args)

    # -- sync -----------------------------------------------------------------------------------

    def sync(self, auth, *, retention_months: int, full: bool = False, on_progress: Callable | None = None,
             today: date | None = None):
        """Push and pull (or a full resync), then what follows a successful sync: one backup a day and
        the purge of closed files older than `retention_months`; the purge's report joins the notices.
        `on_progress(SyncProgress)`. Raises ApiError (French) when the server cannot be reached."""
        from aude_desktop.sync.engine import SyncEngine, sharing_the_process

        with sharing_the_process():
            engine = SyncEngine(self.store, auth, on_progress=on_progress)
            report = engine.full_resync() if full else engine.run()
            if self.housekeeping and self.profile is not None:
                report.notices.extend(self.after_sync(retention_months, today or date.today()))
        return report

    def after_sync(self, retention_months: int, today: date) -> list[str]:
        from aude_desktop import retention
        from aude_desktop.store import backups

        backups.backup_daily(self.store, self.profile)  # what a corrupted file would be restored from
        purge = retention.purge_closed(self.store, today, retention_months)
        return [purge.summary()] if purge.total else []

    # -- letters --------------------------------------------------------------------------------

    def check_sender(self, actor: Actor, settings) -> None:
        """The letterhead and case officer are complete, or LetterNotApplicable naming what is missing."""
        from aude_desktop.letters import register

        register.sender_for(self.store, actor, settings)

    def issue_letter(self, actor: Actor, settings, procedure: str, kind: str, record_id: str, today: date, *,
                     replaces: str | None = None, confirm_late: bool = False):
        """One letter issued and registered (or the registered one again); see letters/register.issue."""
        from aude_desktop.letters import register

        return register.issue(self.store, actor, settings, procedure, kind, record_id, today, replaces=replaces,
                              confirm_late=confirm_late)

    def issue_letters(self, actor: Actor, settings, procedure: str, kind: str, ids: list[str], today: date,
                      on_progress: Callable[[int, int], bool] | None = None, *, confirm_late: bool = False):
        """The same letter for each record of a selection: a per-item report, cancellable."""
        from aude_desktop.letters.batch import issue_many

        return issue_many(self.store, actor, settings, procedure, kind, ids, today, on_progress=on_progress,
                          confirm_late=confirm_late)

    def notify_letter(self, actor: Actor, letter_id: str, notified_on: date, mode: str) -> str:
        from aude_desktop.letters import register

        return register.notify(self.store, actor, letter_id, notified_on, mode)
