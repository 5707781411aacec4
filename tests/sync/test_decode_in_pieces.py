"""A change page is decoded record by record (the window's thread gets the GIL in between): the
result and the refusals are json.loads's, whatever the server sends."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aude_desktop.store.writer_process import pieces
from aude_desktop.sync.http import loads_in_pieces

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                      max_leaves=12)
pages = st.dictionaries(st.text(max_size=8), values | st.lists(values, max_size=6), max_size=5)
spacing = st.sampled_from([None, 0, 2])


def _outcome(decode, text: str):
    try:
        return "value", decode(text)
    except ValueError:  # json.JSONDecodeError is one
        return "refused", None


@given(pages, spacing, st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]))
def test_valid_pages_decode_to_the_same_values(page, indent, separators):
    text = json.dumps(page, indent=indent, separators=separators, ensure_ascii=False)
    assert loads_in_pieces(text) == json.loads(text)
    assert loads_in_pieces(f" \n{text}\r\n ") == json.loads(text)


@settings(max_examples=300)
@given(pages, st.data())
def test_damaged_pages_are_refused_exactly_when_json_refuses_them(page, data):
    """Cut, doubled or altered bytes (a truncated answer, a proxy's page): refused as json.loads
    refuses, never a different value."""
    text = json.dumps(page)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    damaged = text[:start] + data.draw(st.sampled_from(["", ",", "]", "}", "[", "{", '"', " x", "1"])) + text[end:]
    assert _outcome(loads_in_pieces, damaged) == _outcome(json.loads, damaged)


def test_other_documents_and_edge_cases():
    for text in ['[1, 2]', '"texte"', "3", "null", "{}", "{ }", '{"a": []}', '{"a": [ ]}', '{"a": 1, "a": 2}',
                 '{"changes": [{"id": "é\\u00e9"}], "next": 3, "more": false}']:
        assert loads_in_pieces(text) == json.loads(text), text
    for text in ["", "{", '{"a"}', '{"a": [1,]}', '{"a": [1 2]}', '{"a": 1} x', "{a: 1}", '{"a": [1]', "\ufeff{}",
                 '{"a": 1 "b": 2}', '{"a": [1,', '{"a": [']:
        assert _outcome(loads_in_pieces, text) == ("refused", None), text


@given(st.lists(st.lists(st.integers(), max_size=9), max_size=5), st.integers(1, 6))
def test_a_plan_in_pieces_runs_the_same_rows_in_the_same_order(row_counts, size):
    statements = [(f"INSERT {n}", [(n, row) for row in rows]) for n, rows in enumerate(row_counts)]
    sent = list(pieces(statements, size))
    assert all(piece and sum(len(rows) for _sql, rows in piece) <= size for piece in sent)
    assert [(sql, row) for piece in sent for sql, rows in piece for row in rows] == \
        [(sql, row) for sql, rows in statements for row in rows]
