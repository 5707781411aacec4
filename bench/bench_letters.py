"""Letters: one letter, a batch of 1,000 issued and registered, and the ratio to a plain one-paragraph
ReportLab document of the same page count (the practical floor)."""

from __future__ import annotations

import io
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.domain.commands import Actor
from aude_desktop.letters import compose
from aude_desktop.letters.batch import issue_many
from aude_desktop.letters.samples import aude_payload, sample_sender, sample_settings
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records
from tests.support.memory_keyring import install as install_memory_keyring

TODAY = date(2026, 11, 23)
SIGNATORY = compose.Signatory("Claire", "MARTIN", "Directrice régionale adjointe")


def _plain(pages: int) -> bytes:
    buffer = io.BytesIO()
    story = []
    for page in range(pages):
        story.append(Paragraph("Courrier de référence : un seul paragraphe.", getSampleStyleSheet()["Normal"]))
        if page < pages - 1:
            story.append(PageBreak())
    SimpleDocTemplate(buffer).build(story)
    return buffer.getvalue()


def _received_dossiers(count: int) -> list[tuple]:
    """`count` dossiers after receipt: the demo's open ones, copied under new ids and references when
    the demo (mostly closed files, as a real service) has fewer."""
    import uuid

    found = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(20000, 0, seed=3, today=TODAY)
             if r.kind == "dossier" and r.payload["state"] in ("incomplet", "complet", "en_commission", "avis_rendu")]
    records = []
    for n in range(count):
        kind, _id, version, payload = found[n % len(found)]
        copy = json.loads(json.dumps(payload)) | {"reference": f"{payload['reference']}-{n:04d}"}
        records.append((kind, str(uuid.uuid4()), version, copy))
    return records


def run():
    install_memory_keyring()
    payload = aude_payload("decision_mesures")
    timings = []
    for i in range(30):
        started = time.perf_counter()
        pdf = compose.render("aude", "decision_mesures", payload, reference=f"B-{i}", issued_on=TODAY, signatory=SIGNATORY,
                             sender=sample_sender())
        timings.append(time.perf_counter() - started)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    plain = []
    for _ in range(30):
        started = time.perf_counter()
        _plain(pages)
        plain.append(time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        store = open_store(profile, database_key(profile))
        records = _received_dossiers(1000)
        with store.session() as s:
            materialize.materialize(s, records)
        actor = Actor("agent", "agent_dreets", None)
        remember_user(store, UserInfo("agent", "Julien PETIT", "agent_dreets", None))
        started = time.perf_counter()
        # past-window ARs are confirmed, as an agent would for a backlog: the bench measures issuing
        report = issue_many(store, actor, sample_settings(), "aude", "accuse_reception", [r[1] for r in records], TODAY,
                            confirm_late=True)
        batch = time.perf_counter() - started
        store.close()
    one, floor = statistics.median(timings), statistics.median(plain)
    return [
        (f"one letter (décision de mesures, {pages} pages)", f"{one * 1000:.0f} ms", "<= 100 ms"),
        (f"batch: {report.succeeded:,} accusés de réception issued and registered", f"{batch:.1f} s", "<= 60 s"),
        (f"plain one-paragraph ReportLab document, {pages} pages (floor)", f"{floor * 1000:.1f} ms", "-"),
        ("letter time / floor time", f"{one / floor:.1f}x", "-"),
    ]
