"""A client process that syncs once; the fault tests kill it with SIGKILL at random moments.

With a third argument "first", a new profile's first sync hands its writes to the writer process
after 20 records, and the child prints the writer's pid while it runs."""

import multiprocessing
import os
import sys

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport


def progress(_p) -> None:
    for child in multiprocessing.active_children():
        print("writer", child.pid, flush=True)
    print("progress", flush=True)


def main() -> None:
    profile_dir, server_url = sys.argv[1], sys.argv[2]
    profile = Profile.isolated(profile_dir)
    store = open_store(profile, database_key(profile, passphrase=os.environ["AUDE_DB_PASSPHRASE"]))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server_url)), "agent.occ", tokens=MemoryTokens())
    auth.sign_in("demo-agent-occ")
    print("signed-in", flush=True)
    if sys.argv[3:] == ["first"]:
        SyncEngine(store, auth, page_size=10, apply_batch=50, bulk_writer_after=20, on_progress=progress).run()
    else:
        SyncEngine(store, auth, page_size=5, apply_batch=10, on_progress=progress).run()
    print("done", flush=True)


if __name__ == "__main__":  # the writer process imports this module again: it must only define things
    main()
