"""A new arrêté without a new release: the server publishes a thresholds file, every client
receives it through sync and classifies with it from its effective date; a file this client
cannot use is kept with its reason and the rules in force do not change."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.conventions.rulesets import local_in_force
from aude_desktop.conventions.thresholds import classify
from aude_desktop.paths import Profile, resources_dir
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import Ruleset
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport
from central_api.service import insert_system_record
from tests.support.live_server import start

ORDER_LOGIN, ORDER_PASSWORD = "ordre.inf", "demo-ordre-inf"
ONE_HOUR = {"beneficiaries": [{"id": "b1", "category": "professionnel"}],
            "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "180.00", "hours": "1"}]}


def new_arrete(tmp_path: Path, version: str, effective: str, per_hour: str) -> Path:
    raw = json.loads((resources_dir() / "rules" / "eps_thresholds.json").read_text(encoding="utf-8"))
    raw.update(version=version, effective_from=effective, text=f"arrêté du {version}")
    raw["groups"][0]["cells"]["professionnel"]["per_hour"] = per_hour
    path = tmp_path / f"seuils-{version}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_published_ruleset_reaches_the_client_and_applies_from_its_date(tmp_path):
    from central_api.seed import seed_users

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        seed_users(server.engine)
        cli = Path(sys.executable).parent / "aude-central"
        published = subprocess.run([str(cli), "rules", "publish", str(new_arrete(tmp_path, "2027-01-15", "2027-02-01", "150")),
                                    "--db", f"sqlite:///{tmp_path / 'c.db'}"], capture_output=True, text=True)
        assert published.returncode == 0, published.stderr
        broken = json.loads(new_arrete(tmp_path, "2027-06-01", "2027-06-01", "100").read_text(encoding="utf-8"))
        broken["groups"][0]["cells"]["professionnel"]["per_hour"] = "cent"
        (tmp_path / "x.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        refused = subprocess.run([str(cli), "rules", "publish", str(tmp_path / "x.json"), "--db", f"sqlite:///{tmp_path / 'c.db'}"],
                                 capture_output=True, text=True)
        assert refused.returncode == 2 and "rien n'a été publié" in refused.stderr and "montant illisible" in refused.stderr
        with server.engine.begin() as conn:  # as a newer server version might send it: this client must refuse it
            insert_system_record(conn, "ruleset", "eps-thresholds-2027-06-01", {"kind": "eps_thresholds", **broken})

        profile = Profile.isolated(tmp_path / "p")
        store = open_store(profile, database_key(profile))
        auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), ORDER_LOGIN, tokens=MemoryTokens())
        auth.sign_in(ORDER_PASSWORD)
        report = SyncEngine(store, auth).run()
        assert not report.mismatch
        with store.session() as s:
            rows = {r.rules_version: (r.valid, r.error) for r in s.scalars(select(Ruleset))}
            assert rows["2027-01-15"] == (True, None)
            assert rows["2027-06-01"][0] is False and "montant illisible" in rows["2027-06-01"][1]
            before = local_in_force(s, date(2027, 1, 31))
            after = local_in_force(s, date(2027, 7, 1))
        assert before.version == "2020-08-07" and after.version == "2027-01-15"
        assert after.groups[0].cells["professionnel"]["per_hour"] == Decimal("150")
        assert classify(ONE_HOUR, before).regime == "declaration"
        assert classify(ONE_HOUR, after).lines == ["Rémunération, indemnisation, défraiement : 180,00 €/h > 150,00 €/h — arrêté du 2027-01-15"]
        store.close()
    finally:
        server.stop()
