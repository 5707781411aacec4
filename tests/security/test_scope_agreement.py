"""Issue 17: scope was written four times (server SQL, `may_see`, `_scope_of`, client `in_scope`) with
kind lists that differed. Now one definition (aude_desktop/domain/scope.py); here, on generated
records of every kind and generated actors of every role, the client's decision (pure functions on
the payloads, children held until their parent) and the server's (the columns it stores, the real
SQL on a real SQLite server database, and `may_see`) agree on every example. The docs table is the
definition's. `AUDE_SCOPE_EXAMPLES` sets the number of examples (default 60)."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from aude_desktop.domain import scope
from aude_desktop.domain.commands import Actor
from aude_desktop.sync.scope import HOLD, KEEP, child_verdict, in_scope
from central_api.db import Base, Record, make_engine
from central_api.scope import company_visible, may_see, visible
from central_api.service import dumps, scope_columns

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("AUDE_SCOPE_EXAMPLES", "60"))
LOGINS = ("agent.a", "agent.b", "ordre.c")
REGIONS = ("OCC", "IDF")
AUTHORITIES = ("ORDRE-INF", "ORDRE-MK", "ARS-OCC", "ARS-IDF", "CNOM")
SIRENS = ("732829320", "552100554")
ROLES = (*scope.ROLES, "entreprise")  # and a role the definition does not know

actors = st.builds(Actor, login=st.sampled_from(LOGINS), role=st.sampled_from(ROLES),
                   region=st.sampled_from((*REGIONS, None)), authority=st.sampled_from((*AUTHORITIES, None)))
# Every actor that can tell two records apart, on every example (generated ones add odd mixtures).
EVERY_ACTOR = [Actor(login, role, region, authority) for login in LOGINS for role, region, authority in (
    *(("agent_dreets", r, None) for r in (*REGIONS, None)), *(("ars", r, None) for r in (*REGIONS, None)),
    *(("ordre", None, a) for a in (*AUTHORITIES, None)), ("dgos", None, None), ("entreprise", None, None))]
TOP = {
    "dossier": st.fixed_dictionaries({"region": st.sampled_from((*REGIONS, None)), "reference": st.just("")}),
    "commission_session": st.fixed_dictionaries({"region": st.sampled_from(REGIONS), "profession": st.just("infirmier")}),
    "epreuve_session": st.fixed_dictionaries({"region": st.sampled_from(REGIONS), "capacity": st.just(10)}),
    "convention": st.fixed_dictionaries({"authority": st.sampled_from(AUTHORITIES), "read_only": st.booleans(),
                                         "company": st.fixed_dictionaries({"siren": st.sampled_from(SIRENS)})}),
    "ruleset": st.fixed_dictionaries({"version": st.just("test")}),
    "transparence_company": st.fixed_dictionaries({"siren": st.sampled_from(SIRENS)}),
}
CHILDREN = [kind for kind, kind_scope in scope.KINDS.items() if kind_scope.parents]
# A child names a parent by its position among the generated records (or one never stored).
children = st.tuples(st.sampled_from(CHILDREN), st.integers(0, 11), st.sampled_from(("dossier_id", "convention_id")),
                     st.sampled_from(LOGINS), st.booleans())


def test_every_kind_is_generated():
    assert set(TOP) | set(CHILDREN) == set(scope.KINDS)


def _world(tops: list[tuple[str, dict]], kids: list[tuple]) -> list[tuple[str, str, dict, str | None]]:
    """(kind, id, payload, author): parents first, as the server needs them; children name a parent
    of the kind their key says when there is one, else an id nothing has."""
    records = [(kind, str(uuid.uuid4()), payload, None) for kind, payload in tops]
    for kind, index, key, author, missing in kids:
        keys = [k for k, _parent in scope.KINDS[kind].parents]
        key = key if key in keys else keys[0]
        parent_kind = dict(scope.KINDS[kind].parents)[key]
        parents = [r for r in records if r[0] == parent_kind]
        parent_id = str(uuid.uuid4()) if missing or not parents else parents[index % len(parents)][1]
        payload = {key: parent_id}
        if kind == "annotation":
            payload |= {"author": author, "text": "note"}
        records.append((kind, str(uuid.uuid4()), payload, author if kind == "annotation" else None))
    return records


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scope') / 'central.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _store(engine, records) -> dict[str, dict]:
    """What the server stores: the columns it derives (a child whose parent is absent is refused)."""
    stored = {}
    with engine.begin() as conn:
        conn.execute(delete(Record))
        for cursor, (kind, record_id, payload, author) in enumerate(records, start=1):
            columns = scope_columns(conn, kind, payload, author)
            if columns is None:
                continue
            conn.execute(insert(Record).values(kind=kind, id=record_id, version=1, cursor=cursor, deleted=False,
                                               payload=dumps(payload), **columns))
            stored[record_id] = columns
    return stored


def _client_keeps(actor: Actor, records) -> set[str]:
    """What a client holds after pulling all of it: the pure decision, children after their parent."""
    verdicts: dict[tuple[str, str], bool] = {}
    for kind, record_id, payload, _author in records:
        if not scope.KINDS[kind].parents:
            verdicts[(kind, record_id)] = in_scope(actor, kind, payload)
    kept = {i for (_k, i), ok in verdicts.items() if ok}
    for kind, record_id, payload, _author in records:
        if scope.KINDS[kind].parents:
            verdict = child_verdict(actor, kind, payload, lambda k, i: verdicts.get((k, i)))
            assert verdict in (KEEP, HOLD) or verdict == "drop"
            if verdict == KEEP:
                kept.add(record_id)  # HOLD: its parent never comes, dropped when the feed ends
    return kept


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(tops=st.lists(st.one_of(*(st.tuples(st.just(k), v) for k, v in TOP.items())), min_size=1, max_size=10),
       kids=st.lists(children, max_size=12), readers=st.lists(actors, max_size=3),
       sirens=st.lists(st.sampled_from(SIRENS), max_size=2))
def test_client_and_server_decide_alike(engine, tops, kids, readers, sirens):
    records = _world(tops, kids)
    stored = _store(engine, records)
    kinds = {record_id: kind for kind, record_id, *_ in records}
    for actor in [*EVERY_ACTOR, *readers]:
        with engine.connect() as conn:
            by_sql = set(conn.scalars(select(Record.id).where(visible(actor))))
        by_may_see = {i for i, c in stored.items() if may_see(actor, kinds[i], c["region"], c["authority"], c["owner"])}
        by_client = _client_keeps(actor, records) & set(stored)  # the server never sends what it refused
        assert by_sql == by_may_see == by_client, actor
        assert by_sql <= set(stored)
    with engine.connect() as conn:
        by_company = set(conn.scalars(select(Record.id).where(company_visible(sirens))))
    # By hand: a company reads its own (not read-only) filings and the letters written about them.
    payloads = {record_id: payload for _k, record_id, payload, _a in records}
    filings = {i for i in stored if kinds[i] == "convention" and not payloads[i]["read_only"]
               and payloads[i]["company"]["siren"] in sirens}
    assert by_company == filings | {i for i in stored if kinds[i] == "letter" and payloads[i].get("convention_id") in filings}


def test_an_account_without_its_scope_value_sees_only_the_rules(engine):
    """Bug: `Record.region == None` is SQL `IS NULL`: an agent account without a region received
    every convention's letters (region NULL); an ARS without one read the authority « ARS-None »."""
    convention, letter, rules = (str(uuid.uuid4()) for _ in range(3))
    records = [("convention", convention, {"authority": "ORDRE-INF", "read_only": False, "company": {"siren": SIRENS[0]}}, None),
               ("ruleset", rules, {"version": "test"}, None),
               ("letter", letter, {"convention_id": convention}, None)]
    _store(engine, records)
    for actor in (Actor("x", "agent_dreets", None), Actor("y", "ars", None), Actor("z", "ordre", None, None)):
        with engine.connect() as conn:
            assert set(conn.scalars(select(Record.id).where(visible(actor)))) == {rules}, actor
        assert _client_keeps(actor, records) == {rules}


def _doc_table(path: Path, start: str, end: str) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(re.escape(start) + r"\n(.*?)\n" + re.escape(end), text, re.S)
    assert match, f"{path.name}: the scope table markers are missing"
    return match.group(1)


def test_the_docs_table_is_the_definition():
    table = _doc_table(ROOT / "docs" / "PROTOCOL.md", "<!-- scope table: aude_desktop/domain/scope.py -->",
                       "<!-- end of scope table -->")
    assert table == scope.markdown_table(), "docs/PROTOCOL.md: paste scope.markdown_table():\n" + scope.markdown_table()


def test_the_stored_columns_follow_the_parent(engine):
    """A letter takes its convention's authority and company; a note its dossier's region and its author."""
    dossier, convention = str(uuid.uuid4()), str(uuid.uuid4())
    records = [("dossier", dossier, {"region": "OCC"}, None),
               ("convention", convention, {"authority": "ARS-IDF", "read_only": False, "company": {"siren": SIRENS[1]}}, None),
               ("letter", str(uuid.uuid4()), {"convention_id": convention}, None),
               ("annotation", str(uuid.uuid4()), {"dossier_id": dossier, "author": "agent.a"}, "agent.a")]
    stored = list(_store(engine, records).values())
    assert stored[2] == {"region": None, "authority": "ARS-IDF", "owner": None, "company": SIRENS[1]}
    assert stored[3] == {"region": "OCC", "authority": None, "owner": "agent.a", "company": None}
    assert json.loads(dumps(stored[3])) == stored[3]


def test_migration_0019_gives_existing_notes_their_records_scope(tmp_path):
    """Notes written before 0019 carry only their author: they take their dossier's region or their
    convention's authority, so their authors keep reading them (a note on nothing stays unread)."""
    from alembic import command

    from central_api.migrate import alembic_config, upgrade

    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    dossier, convention, on_dossier, on_convention, orphan = (str(uuid.uuid4()) for _ in range(5))
    rows = [("dossier", dossier, "OCC", None, None, {"region": "OCC"}),
            ("convention", convention, None, "ORDRE-INF", None, {"authority": "ORDRE-INF"}),
            ("annotation", on_dossier, None, None, "agent.occ", {"dossier_id": dossier, "author": "agent.occ"}),
            ("annotation", on_convention, None, None, "ordre.inf", {"convention_id": convention, "author": "ordre.inf"}),
            ("annotation", orphan, None, None, "agent.occ", {"dossier_id": str(uuid.uuid4()), "author": "agent.occ"})]
    with old.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0014")
        for cursor, (kind, record_id, region, authority, owner, payload) in enumerate(rows, start=1):
            conn.execute(insert(Record.__table__).values(kind=kind, id=record_id, version=1, cursor=cursor, deleted=False,
                                                         region=region, authority=authority, owner=owner, payload=dumps(payload)))
    upgrade(old)
    with old.connect() as conn:
        for login, expected in (("agent.occ", {on_dossier}), ("ordre.inf", {on_convention})):
            actor = Actor(login, "agent_dreets", "OCC") if login == "agent.occ" else Actor(login, "ordre", None, "ORDRE-INF")
            notes = set(conn.scalars(select(Record.id).where(Record.kind == "annotation", visible(actor))))
            assert notes == expected, login
    old.dispose()
