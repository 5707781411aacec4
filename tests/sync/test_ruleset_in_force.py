"""One answer to « which EPS thresholds are in force on date D » for every caller: after a new
ruleset is published, the company filing API, `convention.create` on the client and on the server,
the convention view and `aude-cli eps classify --on` agree; a convention filed before the new
ruleset's effective date keeps the old thresholds everywhere."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.cli import main as cli
from aude_desktop.conventions import detail
from aude_desktop.conventions.models import Convention
from aude_desktop.conventions.states import REGIME_LABELS
from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport
from aude_desktop.sync.local import run_command
from central_api.accounts import add_api_key
from central_api.db import Record
from central_api.rulesets import publish
from tests.central_api.test_filing_and_import import SIREN, _professional
from tests.support.live_server import start
from tests.sync.test_rulesets import new_arrete

ORDRE = Actor("ordre.inf", "ordre", None, "ORDRE-INF")
NEW = "2026-test"


def convention(filed_on, **extra) -> dict:
    """180 € for one hour: under the shipped 200 €/h, over the new ruleset's 150 €/h."""
    day = filed_on.isoformat()
    return {"filed_on": day, "company": {"name": "Laboratoires Élan", "siren": SIREN}, "object": "conseil_expertise",
            "signing_region": "OCC", "period_start": day, "period_end": day,
            "beneficiaries": [_professional("b1", "infirmier")],
            "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "180.00",
                           "hours": "1", "date": day}], **extra}


def classify_cli(profile_dir, path, *options) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(["--profile", str(profile_dir), "eps", "classify", str(path), *options])
    return code, json.loads(out.getvalue()) if code == 0 else {}


def test_every_caller_uses_the_ruleset_in_force_on_the_convention_date(tmp_path):
    from central_api.seed import seed_users

    today = datetime.now(UTC).date()  # the server's filing date
    effective = today - timedelta(days=10)
    before = effective - timedelta(days=5)
    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        seed_users(server.engine)
        # A client offline while the new arrêté is published creates a convention with what it knows.
        profile = Profile.isolated(tmp_path / "p")
        store = open_store(profile, database_key(profile))
        auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), ORDRE.login, tokens=MemoryTokens())
        auth.sign_in("demo-ordre-inf")
        SyncEngine(store, auth).run()
        stale = run_command(store, ORDRE, "convention.create", {"id": str(uuid.uuid4()), "payload": convention(today, reference="EPS-LOCAL-0")})
        with store.session() as s:
            assert s.get(Convention, stale).regime == "declaration"
        publish(server.engine, new_arrete(tmp_path, NEW, effective.isoformat(), "150"))

        # The company filing endpoint, today: the new thresholds.
        key = add_api_key(server.engine, "Laboratoires Élan", SIREN)
        filed = requests.post(f"{server.url}/api/v1/filings/conventions", json=convention(today),
                              headers={"X-API-Key": key}, timeout=10)
        assert filed.status_code == 200, filed.text
        assert [c["regime"] for c in filed.json()["created"]] == ["autorisation"]

        # At its sync the server classifies the stale one with the ruleset in force, and the client
        # takes the server's answer; then it creates two conventions offline with the new ruleset known.
        assert not SyncEngine(store, auth).run().mismatch
        with store.session() as s:
            assert s.get(Convention, stale).regime == "autorisation"
        created = {
            day: run_command(store, ORDRE, "convention.create",
                             {"id": str(uuid.uuid4()), "payload": convention(day, reference=f"EPS-LOCAL-{day}")})
            for day in (today, before)
        }
        expected = {today: ("autorisation", f"arrêté du {NEW}"), before: ("declaration", "arrêté du 7 août 2020")}
        with store.session() as s:
            for day, cid in created.items():
                regime, text = expected[day]
                assert s.get(Convention, cid).regime == regime  # stored by the client
                shown = detail.load(s, cid, today)  # the view, opened today, cites the convention's own thresholds
                assert shown.computed_regime == REGIME_LABELS[regime]
                assert all(text in line for line in shown.regime_lines if "—" in line), shown.regime_lines
        report = SyncEngine(store, auth).run()
        assert not report.mismatch
        store.close()

        # The server ran the same command with its own copy of the rulesets: the same regimes.
        with server.engine.connect() as conn:
            for day, cid in created.items():
                payload = json.loads(conn.execute(select(Record.payload).where(Record.id == cid)).scalar_one())
                assert payload["regime"] == expected[day][0]

        # The CLI reads the profile's synced rulesets and says which version it used.
        path = tmp_path / "convention.json"
        path.write_text(json.dumps(convention(today)), encoding="utf-8")
        code, now = classify_cli(tmp_path / "p", path, "--on", today.isoformat())
        assert code == 0 and now["regime"] == "autorisation"
        assert now["ruleset"] == {"version": NEW, "text": f"arrêté du {NEW}", "effective_from": effective.isoformat(),
                                  "on": today.isoformat(), "source": "publié"}
        code, then = classify_cli(tmp_path / "p", path, "--on", before.isoformat())
        assert code == 0 and then["regime"] == "declaration"
        assert (then["ruleset"]["version"], then["ruleset"]["source"]) == ("2020-08-07", "application")
        path.write_text(json.dumps(convention(before)), encoding="utf-8")
        code, by_filing = classify_cli(tmp_path / "p", path)  # no --on: the convention's filing date
        assert code == 0 and by_filing["ruleset"]["version"] == "2020-08-07"
        # A profile that never synced only knows the shipped file, and says so.
        code, fresh = classify_cli(tmp_path / "fresh", path, "--on", today.isoformat())
        assert code == 0 and fresh["ruleset"]["source"] == "application" and fresh["regime"] == "declaration"
    finally:
        server.stop()


def test_a_bad_on_date_is_refused_in_french(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text("{}", encoding="utf-8")
    assert cli(["--profile", str(tmp_path / "p"), "eps", "classify", str(path), "--on", "26/11/2026"]) == 2
    err = capsys.readouterr().err
    assert "une date AAAA-MM-JJ est attendue" in err and "Traceback" not in err
