"""The benches' local copies: the deterministic demo data written straight into an encrypted store,
as a sync would leave it (10,000 records per transaction, like the engine)."""

from __future__ import annotations

import json
from datetime import date

from aude_desktop.sync import materialize
from central_api.demo_data import generate_records


def load(store, dossiers: int, conventions: int, today: date, kinds=("dossier", "convention")) -> None:
    batch = []
    for r in generate_records(dossiers, conventions, seed=42, today=today):
        if r.kind in kinds:
            batch.append((r.kind, r.id, 1, json.loads(json.dumps(r.payload))))
        if len(batch) == 10_000:
            with store.session() as s:
                materialize.materialize(s, batch)
            batch = []
    with store.session() as s:
        materialize.materialize(s, batch)
