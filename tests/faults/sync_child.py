"""A client process that syncs once; the fault tests kill it with SIGKILL at random moments."""

import os
import sys

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport

profile_dir, server_url = sys.argv[1], sys.argv[2]
profile = Profile.isolated(profile_dir)
store = open_store(profile, database_key(profile, passphrase=os.environ["AUDE_DB_PASSPHRASE"]))
auth = AuthSession(Transport.from_settings(Settings(server_url=server_url)), "agent.occ", tokens=MemoryTokens())
auth.sign_in("demo-agent-occ")
print("signed-in", flush=True)
SyncEngine(store, auth, page_size=5, apply_batch=10, on_progress=lambda _p: print("progress", flush=True)).run()
print("done", flush=True)
