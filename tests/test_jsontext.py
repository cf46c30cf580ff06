"""The JSON writers (core/jsontext.py) write exactly the text json.dumps writes.

Stored case documents are addressed by the SHA-256 of their canonical text and
the audit chain hashes its entries' text, so one byte of difference would make
every stored case look changed and every audit entry look edited.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core import jsontext

OPTIONS = {
    jsontext.canonical: {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
    jsontext.compact: {"separators": (",", ":"), "ensure_ascii": False},
    jsontext.plain: {},
}

# Every kind of JSON value, with text of any code point (lone surrogates too: json.dumps
# writes them), floats of every size and infinities and NaN, integers beyond 64 bits.
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF))
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


@pytest.mark.parametrize("write", list(OPTIONS), ids=["canonical", "compact", "plain"])
@given(value=VALUES)
def test_each_writer_gives_the_text_of_json_dumps(write, value):
    assert write(value) == json.dumps(value, **OPTIONS[write])


def test_a_determination_like_document_reads_as_json_dumps_writes_it():
    document = {
        "case": "fictional-0001",
        "as_of": "2026-03-02",
        "clocks": [{"id": "initial_ifsp_meeting", "due": "2026-02-19", "missing": ()}],
        "inputs": {"age_months": 24.55, "sd": 1e-07, "big": 1e16, "name": "Zoë “Quill”"},
    }
    assert jsontext.compact(document) == (
        '{"case":"fictional-0001","as_of":"2026-03-02","clocks":[{"id":"initial_ifsp_meeting",'
        '"due":"2026-02-19","missing":[]}],"inputs":{"age_months":24.55,"sd":1e-07,"big":1e+16,'
        '"name":"Zoë “Quill”"}}'
    )
    assert jsontext.canonical({"b": 1, "a": [2, "é"]}) == '{"a":[2,"é"],"b":1}'
    assert jsontext.plain(["é", 1]) == '["\\u00e9", 1]'


@pytest.mark.parametrize("write", list(OPTIONS), ids=["canonical", "compact", "plain"])
def test_what_json_cannot_hold_is_refused_as_json_dumps_refuses_it(write):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        write({"a": loop})
    # The guard is fresh on every call: a refused value leaves nothing behind.
    shared = ["x"]
    assert write([shared, shared]) == json.dumps([shared, shared], **OPTIONS[write])
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        write({"a": {1, 2}})
    with pytest.raises(TypeError, match="keys must be str, int, float, bool or None"):
        write({(1, 2): 3})
