"""Generated hostile commands against the real server (hypothesis): whatever the name, arguments and
payload, the server answers each one with applied, rejected (with a code and a French message) or
conflict — never a 500, never a crash — and the audit chain stays intact."""

from __future__ import annotations

import os
import uuid
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aude_desktop import catalog
from central_api.service import audit_verify

EXAMPLES = int(os.environ.get("AUDE_HOSTILE_EXAMPLES", "120"))
NAMES = sorted(catalog.registered())

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=30) | st.sampled_from(["2026-11-05", "2026-02-30", "OCC", "IDF", "infirmier", "recu",
                                                     "autorisation", "CNOM", "‮ⁿ", "😀" * 10, "x" * 5000]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                      max_leaves=25)
keys = st.sampled_from(["reference", "region", "profession", "situation", "state", "on", "text", "amount", "dossier_id",
                        "convention_id", "authority", "avantages", "beneficiaries", "applicant", "diploma", "received_on",
                        "motif", "decision", "kind", "sha256", "session_id", "assigned_to", "company", "regime"])
payloads = st.dictionaries(keys, values, max_size=8)
KNOWN_IDS: list[str] = []  # real records of both users' scopes, filled before the run
args = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.uuids().map(str), st.text(max_size=40), st.integers(),
                    st.integers(min_value=0, max_value=10**6).map(lambda i: KNOWN_IDS[i % len(KNOWN_IDS)])),
    "payload": payloads | values, "on": values, "motif": values, "text": values, "to": values, "session_id": values,
})
mutations = st.fixed_dictionaries({"name": st.sampled_from(NAMES) | st.text(min_size=1, max_size=60), "args": args})


def _check(client, batch, seen: Counter) -> None:
    body = [client.mutation(m["name"], m["args"]) for m in batch]
    answer = client.post("/api/v1/mutations", json={"client_id": f"hostile-{uuid.uuid4()}", "mutations": body})
    assert answer.status_code in (200, 422), answer.text  # 422: the batch's own shape (e.g. JSON numbers too big)
    if answer.status_code == 422:
        assert answer.json()["message"].startswith("Requête invalide")
        return
    results = answer.json()["results"]
    assert len(results) == len(body)
    for result in results:
        seen[result.get("code") or result["status"]] += 1
        assert result["status"] in ("applied", "rejected", "conflict"), result
        if result["status"] == "rejected":
            assert result["code"] and isinstance(result["message"], str) and len(result["message"]) > 10, result


def test_generated_commands_never_break_the_server(server, login):
    agent, order = login("agent.occ"), login("ordre.inf")
    KNOWN_IDS[:] = [c["id"] for client in (agent, order) for c in client.pull_all()[:40]]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(mutations, min_size=1, max_size=3), st.booleans())
    def run(batch, as_order):
        _check(order if as_order else agent, batch, seen)

    seen: Counter = Counter()
    run()
    print(f"\nanswers by code: {dict(seen)}")
    assert len(seen) >= 4, seen  # the generator reached several distinct refusals, not one early check
    _, broken_at, explanation = audit_verify(server.engine)
    assert broken_at is None, explanation
