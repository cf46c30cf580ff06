"""Issue 11: fuzzing suites that stay. Hostile input never crashes and never half-writes.

Raw bytes and JSON text into `cases import` and `check`, CSV rows, ruleset
folders and every CLI option that takes a value. Each example must end with exit
0, 1 or 2, no traceback and no "bug in eirules" message, and, when refused,
leave the caseload and the working folder exactly as they were.

The example budget is CI-sized; a nightly run raises it with
EIRULES_FUZZ_EXAMPLES (e.g. EIRULES_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.importing import CSV_COLUMNS

#: Examples per property; EIRULES_FUZZ_EXAMPLES raises it for a nightly run.
FUZZ_EXAMPLES = int(os.environ.get("EIRULES_FUZZ_EXAMPLES", "30"))
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Per option of every command (there are about fifty): a fifth of the budget, at least 4.
per_option = settings(fuzz, max_examples=max(4, FUZZ_EXAMPLES // 5))

EXAMPLES = Path(__file__).parent.parent / "examples"
CASE = json.loads((EXAMPLES / "mo-0001.json").read_text())


# A caseload, a working folder, and what "nothing written" means -------------------------------


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A working folder with a small evaluated caseload (module-wide: examples share it)."""
    root = tmp_path_factory.mktemp("fuzz")
    runner = CliRunner()
    env = _env(root)
    for args in (
        ["db", "init"],
        ["cases", "import", str(EXAMPLES / "mo-0001.json"), str(EXAMPLES / "csv" / "cases.csv")],
        ["evaluate", "--all", "--as-of", "2026-03-02"],
    ):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return root


def _env(root: Path) -> dict[str, str]:
    return {
        "EIRULES_DB": str(root / "caseload.db"),
        "EIRULES_USER": "fuzzer",
        "EIRULES_MTSS_DIR": str(root / "no-mtss-here"),
        "EIRULES_JOBS": "1",
    }


#: The record of access logs every read of a child's record, refused or not (issue 14).
NOT_WRITES = ("access_log",)


def snapshot(root: Path) -> tuple:
    """Every table's row count, the audit head, and the files in the working folder."""
    conn = sqlite3.connect(root / "caseload.db")
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if r[0] not in NOT_WRITES
        ]
        counts = tuple(
            (t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables
        )
        head = conn.execute("SELECT last_hash FROM audit_head").fetchone()
    finally:
        conn.close()
    files = tuple(sorted(p.name for p in root.iterdir() if not p.name.startswith("caseload.db")))
    return counts, head, files


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(old)


def invoke_safely(root: Path, args: list[str], input: bytes | None = None):
    """Run eirules; assert the contract; return the result."""
    before = snapshot(root)
    with inside(root):
        result = CliRunner().invoke(cli, args, env=_env(root), input=input)
    shown = f"eirules {args!r}\n{result.output}"
    assert result.exit_code in (0, 1, 2), shown
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(shown) from result.exception
    assert "Traceback" not in result.output, shown
    assert "this is a bug in eirules" not in result.output, shown
    # `evaluate` stores the cases it could evaluate and exits 1 naming the others
    # (docs/case-managers.md): a partial success, not a refusal.
    partial = "evaluate" in args and result.exit_code == 1 and " not evaluated: " in result.output
    if result.exit_code != 0 and not partial:
        assert snapshot(root) == before, f"refused but wrote something: {shown}"
    return result


# Raw bytes and JSON text into cases import and check --------------------------------------------


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mangled_json_text(draw) -> str:
    """A case file with one value replaced, one key added, or its text cut or spliced."""
    doc = json.loads(json.dumps(CASE))
    how = draw(st.sampled_from(["replace", "add", "cut", "splice", "any"]))
    if how == "any":
        return json.dumps(draw(json_values))
    if how == "replace":
        key = draw(st.sampled_from(sorted(doc)))
        doc[key] = draw(json_values)
    elif how == "add":
        doc[draw(st.text(max_size=10))] = draw(json_values)
    text = json.dumps(doc)
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if how == "splice":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.text(max_size=10)) + text[at:]
    return text


@fuzz
@given(
    content=st.binary(max_size=300)
    | mangled_json_text().map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_fuzz_bytes_and_json_into_import_and_check(home, content):
    path = home / "fuzz-input.json"
    path.write_bytes(content)
    try:
        invoke_safely(home, ["check", path.name, "--as-of", "2026-03-02"])
        invoke_safely(home, ["check", "-", "--as-of", "2026-03-02"], input=content)
        imported = invoke_safely(home, ["cases", "import", path.name])
    finally:
        path.unlink()
    assert imported.exit_code in (0, 2)


# CSV rows ----------------------------------------------------------------------------------------

cell = st.text(max_size=12) | st.sampled_from(
    ["2026-01-05", "referral_received", "part_c", "31", "²"]
)


@fuzz
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=len(CSV_COLUMNS)), min_size=1, max_size=4))
def test_fuzz_csv_rows_into_import(home, rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(row)
    path = home / "fuzz-rows.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        invoke_safely(home, ["cases", "import", path.name])
    finally:
        path.unlink()


# Ruleset folders ---------------------------------------------------------------------------------

HEADER = (
    '[ruleset]\nid = "us-fz"\ntitle = "Fuzz"\njurisdiction = "US-FZ"\nextends = "us"\n'
    'version = "t"\n'
)
PARAMS = (
    "[[parameters.part_c.eligibility.delay_criteria.values]]\neffective = 2011-10-28\n"
    'value = [{ measure = "percent_delay", at_least = 25, domains = 1 }]\ncitation = "x"\n'
)


@fuzz
@given(
    header=st.sampled_from([HEADER]) | st.text(max_size=80),
    params=st.sampled_from([PARAMS]) | st.text(max_size=80),
    at=st.integers(0, len(PARAMS)),
    splice=st.text(max_size=8),
)
def test_fuzz_ruleset_folders_into_validate_and_check(home, header, params, at, splice):
    folder = home / "fuzz-rulesets" / "us-fz"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.toml").write_text(header, encoding="utf-8")
    (folder / "part_c.toml").write_text(params[:at] + splice + params[at:], encoding="utf-8")
    try:
        invoke_safely(home, ["rulesets", "validate", str(folder)])
        invoke_safely(
            home,
            ["--rulesets-dir", str(folder.parent), "check", str(EXAMPLES / "mo-0001.json"),
             "--ruleset", "us-fz", "--as-of", "2026-03-02"],
        )  # fmt: skip
    finally:
        for file in folder.iterdir():
            file.unlink()


# Every CLI option that takes a value -------------------------------------------------------------

#: A valid invocation of each command the fuzz may run; commands that start a server,
#: build the 240-child demo, or write outside the caseload and the working folder
#: (files in another program's folder, the staff list) are tested elsewhere.
BASE = {
    ("audit", "access"): ["--case", "MO-0001"],
    ("audit", "anchor"): [],
    ("audit", "log"): [],
    ("audit", "verify"): [],
    ("calendars", "list"): [],
    ("calendars", "show"): ["x"],
    ("cases", "add-event"): ["MO-0001", "service_started", "2026-02-20"],
    ("cases", "assign"): ["MO-0001", "Rhea Tallowby"],
    ("cases", "export"): ["MO-0001"],
    ("cases", "import"): [str(EXAMPLES / "mo-0001.json")],
    ("cases", "list"): [],
    ("cases", "show"): ["MO-0001"],
    ("check",): [str(EXAMPLES / "mo-0001.json")],
    ("db", "upgrade"): [],
    ("due",): [],
    ("evaluate",): ["--all"],
    ("groups", "suggest"): [],
    ("indicators",): [],
    ("mtss", "screening"): [],
    ("overdue",): [],
    ("plugins",): [],
    ("programs", "report"): [],
    ("progress",): ["ELM-005", "--no-graph"],
    ("rulesets", "diff"): ["us", "us-mo"],
    ("rulesets", "list"): [],
    ("rulesets", "show"): ["us"],
    ("rulesets", "test"): ["us"],
    ("rulesets", "validate"): ["us"],
}
#: Options that name a file or folder: fuzzed with plain names inside the working folder only
#: (a fuzzer running as root must not create files anywhere on the machine).
PATH_TYPES = (click.Path, click.File)


EXCLUDED = {("serve",), ("demo",), ("db", "init"), ("mtss", "import"), ("calendars", "import")}
EXCLUDED |= {("rulesets", "new")} | {("staff", n) for n in ("add", "list", "remove", "whoami")}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        elif command is not None:
            yield (*prefix, name), command


def _options() -> list[tuple[tuple[str, ...], str, bool]]:
    """Every value-taking option of every command but the excluded ones.

    A command not in BASE (added later) is run with "x" for each required argument:
    its options are still parsed and checked, so it joins the fuzz.
    """
    found = []
    for path, command in _commands(cli):
        if path in EXCLUDED:
            continue
        if path not in BASE:
            BASE[path] = [
                "x" for p in command.params if isinstance(p, click.Argument) and p.required
            ]
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.name != "help":
                found.append((path, param.opts[-1], isinstance(param.type, PATH_TYPES)))
    found.append(((), "--rulesets-dir", True))
    return found


OPTIONS = _options()
plain_name = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\x00"),
    min_size=1,
    max_size=12,
).filter(lambda s: not s.startswith((".", "-")))
option_value = (
    st.text(max_size=30)
    | st.integers().map(str)
    | st.sampled_from(
        [
            "",
            "0",
            "-1",
            "9223372036854775808",
            "999999999999999999999",
            "3000000d",
            "1e400",
            "nan",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "20260302",
            "2026-W10-1",
            "%",
            "_",
            "../../x",
            "\x1b[2J",
            "[/bold]",
            "\u202e",
            "MO-0001",
            "all",
            "part_c",
        ]
    )  # fmt: skip
)


def test_every_command_with_an_option_is_fuzzed():
    """A new command or option joins the fuzz: every command but the excluded ones."""
    assert {path for path, _ in _commands(cli)} - EXCLUDED == set(BASE)


@pytest.mark.parametrize(
    "path, option, is_path", OPTIONS, ids=[f"{' '.join(p)} {o}" for p, o, _ in OPTIONS]
)
@per_option
@given(data=st.data())
def test_fuzz_every_option_that_takes_a_value(home, path, option, is_path, data):
    value = data.draw(plain_name if is_path else option_value, label=option)
    args = [option, value, *path] if not path else [*path, *BASE[path], option, value]
    if not path:  # a root option: run a cheap command under it
        args = [option, value, "rulesets", "list"]
    invoke_safely(home, args)
