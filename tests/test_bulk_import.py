"""Issue 15: importing a state's caseload from one large file without reading it whole.

JSON Lines files are read line by line and large JSON arrays record by record
(core/jsonio.py `iter_records`), through the same decoder and checks as every
other JSON the engine reads, so what is imported and every message are the same.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from helpers import caseload_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.core import importing, jsonio
from eirules.core.errors import InputError

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def _documents() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((EXAMPLES / "caseload").glob("*.json"))
    ]


def _cases(run) -> list[dict]:
    return json.loads(run("cases", "list", "--as-of", "2026-03-02", "--format", "json").output)


def test_json_lines_import_stores_what_the_folder_import_stores(run, tmp_path, monkeypatch):
    docs = _documents()
    (tmp_path / "state.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8"
    )
    result = run("cases", "import", tmp_path / "state.jsonl")
    assert result.exit_code == 0, result.output
    from_lines = _cases(run)
    assert len(from_lines) == len(docs) == 240
    second = tmp_path / "folder"
    second.mkdir()
    monkeypatch.setenv("EIRULES_DB", str(second / "caseload.db"))
    run("db", "init")
    run("cases", "import", EXAMPLES / "caseload")
    assert [(c["case_id"], c["status"]) for c in _cases(run)] == [
        (c["case_id"], c["status"]) for c in from_lines
    ]


def test_a_large_json_array_is_read_record_by_record(run, tmp_path, monkeypatch):
    """Above STREAM_BYTES a .json file is streamed: same cases as the whole-file read."""
    monkeypatch.setattr(importing, "STREAM_BYTES", 0)
    monkeypatch.setattr(jsonio, "READ_SIZE", 4096)
    docs = _documents()
    (tmp_path / "state.json").write_text(json.dumps(docs, indent=2), encoding="utf-8")
    result = run("cases", "import", tmp_path / "state.json")
    assert result.exit_code == 0, result.output
    assert sorted(c["case_id"] for c in _cases(run)) == sorted(d["id"] for d in docs)


def test_a_bad_line_stops_the_import_and_is_named(run, tmp_path):
    docs = _documents()[:3]
    lines = [json.dumps(d) for d in docs]
    lines[1] = lines[1][:-1] + ', "id": "dup"}'  # a key given twice
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("cases", "import", tmp_path / "bad.jsonl", code=2)
    # The wording of a .json file's refusal ("not valid JSON: ..."), for a line.
    assert result.output.splitlines()[1] == (
        f'  {tmp_path / "bad.jsonl"}, line 2, column 30: not valid JSON: the key "id" appears'
        " twice in one object; keep one of them: which value is meant cannot be guessed"
    )
    assert "Traceback" not in result.output
    assert _cases(run) == []  # all or nothing
    run("cases", "import", "--skip-invalid", tmp_path / "bad.jsonl", code=2)
    assert sorted(c["case_id"] for c in _cases(run)) == sorted([docs[0]["id"], docs[2]["id"]])


def test_a_broken_array_keeps_nothing(run, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "STREAM_BYTES", 0)
    text = json.dumps(_documents()[:3])
    (tmp_path / "cut.json").write_text(text[: len(text) // 2], encoding="utf-8")
    result = run("cases", "import", tmp_path / "cut.json", code=2)
    assert "not valid JSON" in result.output and "Traceback" not in result.output
    assert _cases(run) == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@settings(deadline=None)
@given(
    st.lists(_json, max_size=6), st.integers(1, 40), st.sampled_from([None, 1, 2]), st.booleans()
)
def test_any_array_read_in_any_window_equals_json_loads(
    tmp_path_factory, items, size, indent, ascii_
):
    path = tmp_path_factory.mktemp("arr") / "a.json"
    path.write_text(json.dumps(items, indent=indent, ensure_ascii=ascii_), encoding="utf-8")
    saved = jsonio.READ_SIZE
    jsonio.READ_SIZE = size
    try:
        got = list(jsonio.iter_records(path))
    finally:
        jsonio.READ_SIZE = saved
    assert [v for _, _, v in got] == items
    assert [n for n, _, _ in got] == list(range(1, len(items) + 1))


@settings(deadline=None)
@given(st.binary(max_size=200), st.integers(1, 16))
def test_any_bytes_give_records_or_an_input_error(tmp_path_factory, data, size):
    """Never a crash: every broken file is an InputError, raised or yielded."""
    path = tmp_path_factory.mktemp("bytes") / "x.json"
    path.write_bytes(b"[" + data)
    saved = jsonio.READ_SIZE
    jsonio.READ_SIZE = size
    try:
        with contextlib.suppress(InputError):  # raised for the whole file: also fine
            for _, _, value in jsonio.iter_records(path):
                assert not isinstance(value, Exception) or isinstance(value, InputError)
    finally:
        jsonio.READ_SIZE = saved
