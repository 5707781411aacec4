"""A client process that issues and registers letters one after the other, printing each one it
has registered; the fault test kills it with SIGKILL at random moments."""

import os
import sys
from datetime import date

from sqlalchemy import select

from aude_desktop.auth.actor import local_actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.letters import compose, register
from aude_desktop.letters.samples import sample_settings
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.materialize import dump_dossier

profile = Profile.isolated(sys.argv[1])
store = open_store(profile, database_key(profile, passphrase=os.environ["AUDE_DB_PASSPHRASE"]))
actor = local_actor(store, "agent.occ")
print("ready", flush=True)
with store.session() as s:
    ids = list(s.scalars(select(Dossier.id).order_by(Dossier.id)))
for dossier_id in ids:
    with store.session() as s:
        kinds = compose.applicable("aude", dump_dossier(s, dossier_id))
    for kind in kinds:
        try:
            issued = register.issue(store, actor, sample_settings(), "aude", kind, dossier_id, date(2026, 11, 23))
        except compose.LetterNotApplicable:
            continue
        if not issued.reissued:
            print("issued", issued.letter_id, issued.reference, issued.sha256, flush=True)
print("done", flush=True)
