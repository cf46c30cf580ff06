"""Issue 11: bad input gets a clear error, exit 2, nothing half-written; privacy by default.

The same rules on every way in (add-event, import, check), numeric option bounds,
ruleset hardening, exact program matching, paths from data kept inside their
folder, and a caseload and rejects file only their owner can read. Each test
failed on the code before its fix.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file

from eirules.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def count(tmp_path: Path, table: str = "cases") -> int:
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# The same rules on every way in ------------------------------------------------------------

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
REFERRAL = {"type": "referral_received", "date": "2026-01-05"}


@pytest.mark.parametrize(
    "events, enrolments, where, what",
    [
        (
            [REFERRAL, {"type": "ifsp_meeting_held", "date": TOMORROW}],
            None,
            "events[1].date",
            f"{TOMORROW} is in the future",
        ),
        (
            [{"type": "referral_received", "date": "2024-11-01"}],
            None,
            "events",
            "referral_received on 2024-11-01 is before the child's birth; check the date",
        ),
        ([REFERRAL, dict(REFERRAL)], None, "events[1]", "an exact copy of events[0]"),
        (
            [],
            None,
            "child.birth_date",
            f"the date of birth is in the future (today is {date.today().isoformat()});"
            " check the year",
        ),
        ([REFERRAL], [{"program": "part_x"}], "enrolments[0].program", '"part_x" is not a known'),
    ],
    ids=["future-dated", "before-birth", "exact-duplicate", "born-later", "unknown-program"],
)
def test_import_and_check_refuse_what_add_event_refuses(
    run, tmp_path, events, enrolments, where, what
):
    """add-event refused future-dated, pre-birth and duplicate events; import and check took them."""
    more = {"enrolments": enrolments} if enrolments else {}
    if where == "child.birth_date":  # QA: 2199 was taken, with only a warning from check
        more["child"] = {"birth_date": "2199-03-01", "name": "Ada Fictional"}
    path = write_case_file(tmp_path / "c.json", "T-0001", events=events, **more)
    imported = run("cases", "import", path, code=2)
    assert f"record 1 (T-0001), {where}: {what}" in imported.output
    assert count(tmp_path) == 0
    checked = invoke("check", path, "--as-of", "2026-02-01")
    assert checked.exit_code == 2
    assert f"  {where}: {what}" in checked.output
    assert "2199-03-01" not in imported.output + checked.output  # a birth date is personal


def test_csv_gestational_age_takes_ascii_digits_only(run, tmp_path):
    """ "²" crashed import (int("²")); "٣١" was read as 31."""
    path = tmp_path / "c.csv"
    path.write_text(
        "case_id,birth_date,gestational_age_weeks,event_type,event_date\n"
        "C-1,2025-01-01,²,referral_received,2026-01-05\n"
        "C-2,2025-01-01,٣١,referral_received,2026-01-05\n",
        encoding="utf-8",
    )
    result = run("cases", "import", path, code=2)
    assert f'{path}, row 2, gestational_age_weeks: "\\u00b2" is not a whole number' in result.output
    assert f'{path}, row 3, gestational_age_weeks: "\\u0663\\u0661" is not a whole number' in (
        result.output
    )
    assert count(tmp_path) == 0


def test_a_csv_row_with_event_details_but_no_event_is_refused(run, tmp_path):
    """A row without event_type and event_date dropped its other event columns silently."""
    path = tmp_path / "c.csv"
    path.write_text(
        "case_id,birth_date,event_type,event_date,event_reason\n"
        "C-1,2025-01-01,referral_received,2026-01-05,\n"
        "C-1,,,,exceptional_family_circumstances\n",
        encoding="utf-8",
    )
    result = run("cases", "import", path, code=2)
    assert (
        f"{path}, rows 2-3, row 3, event_reason: given, but the row has no event_type and "
        "event_date" in result.output
    )


def test_add_event_keeps_the_birth_date_out_of_its_message(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    result = run("cases", "add-event", "T-0001", "referral_received", "2024-11-01", code=2)
    assert "DATE: 2024-11-01 is before the child's birth; check the date" in result.output
    assert "2024-11-02" not in result.output


def test_a_caseworker_name_with_control_characters_is_refused(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    result = run("cases", "assign", "T-0001", "Rhea\x1b[2J", code=2)
    assert "CASEWORKER: contains the control or bidi character U+001B" in result.output
    assert count(tmp_path, "assignments") == 0


# Numeric option bounds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["due", "--within", "3000000d"], "'3000000d' is too long (at most 109572 days, or all)"),
        (
            ["due", "--within", "99999999999999999999w"],
            "'99999999999999999999...' is too long (at most 109572 days, or all)",
        ),
        (["due", "--within", "99999999d"], "'99999999d' is too long (at most 109572 days, or all)"),
        (["due", "--within", "١٤d"], "is not a period"),
        (
            ["cases", "show", "T-0001", "--determination", "9223372036854775808"],
            "9223372036854775808 is not in the range 1<=x<=2147483647",
        ),
        (
            ["audit", "log", "--last", "999999999999999999999"],
            "999999999999999999999 is not in the range 1<=x<=2147483647",
        ),
    ],
)
def test_numeric_options_out_of_bounds_are_usage_errors(run, tmp_path, args, message):
    """These overflowed, or were reported as a damaged database."""
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    result = run(*args, code=2)
    assert message in result.output
    assert "damaged" not in result.output and "Traceback" not in result.output


# LIKE ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["due"], ["overdue"], ["cases", "list"]], ids=lambda c: " ".join(c)
)
@pytest.mark.parametrize("name", ["", " ", "\t"])
def test_an_empty_caseworker_name_is_refused_not_read_as_everyone(run, tmp_path, command, name):
    """QA: `due --caseworker ""` listed every case (an empty name was taken as no filter)."""
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    result = run(*command, "--caseworker", name, code=2)
    assert (
        f"Invalid value for '--caseworker': {name!r} is not a caseworker's name: give one"
        " (eirules caseworkers list shows them), --unassigned for the cases no one holds,"
        " or leave --caseworker out for every case"
    ) in result.output
    assert "T-0001" not in result.output


@pytest.mark.parametrize("program", ["%", "_art_c", "PART_C", "part"])
def test_cases_list_program_matches_exactly(run, tmp_path, program):
    """`--program %` listed every case: LIKE wildcards in the value."""
    path = write_case_file(
        tmp_path / "c.json", "T-0001", enrolments=[{"program": "part_c", "start": "2026-01-05"}]
    )
    run("cases", "import", path)
    assert (
        run("cases", "list", "--program", "part_c")
        .output.splitlines()[-1]
        .startswith("1 case as of ")
    )
    # Not a program at all: a usage error, never every case (nor a silent "No cases match").
    refused = run("cases", "list", "--program", program, code=2)
    assert f'"{program}" is not a program' in refused.output
    assert "T-0001" not in refused.output


# Rulesets ------------------------------------------------------------------------------------


def _ruleset(tmp_path: Path, rid: str, criteria: str, **files: str) -> Path:
    folder = tmp_path / rid.strip()
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        f'[ruleset]\nid = "{rid}"\ntitle = "T"\njurisdiction = "US-ZZ"\nextends = "us"\n'
        'version = "t"\n' + files.pop("calendar", "")
    )
    (folder / "part_c.toml").write_text(
        "[[parameters.part_c.eligibility.delay_criteria.values]]\neffective = 2011-10-28\n"
        f'value = [{criteria}]\ncitation = "fictional"\n'
    )
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    "area, message",
    [
        ("comunication", 'found "comunication"; expected a domain or subdomain; did you mean'),
        ("communication.expresive", '"expresive" is not a subdomain of communication'),
        ("comunication.expressive", '"comunication" is not a domain; did you mean "communication"'),
    ],
)
def test_criteria_naming_an_unknown_domain_or_subdomain_are_refused(tmp_path, area, message):
    """A misspelt domain validated and turned an eligible child into a not-eligible one."""
    criteria = f'{{ measure = "percent_delay", at_least = 25, domains = 1, in = ["{area}"] }}'
    folder = _ruleset(tmp_path, "us-zz", criteria)
    result = invoke("rulesets", "validate", folder)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_known_subdomains_in_criteria_validate(tmp_path):
    criteria = (
        '{ measure = "percent_delay", at_least = 33, domains = 1, '
        'in = ["communication.expressive", "expressive", "physical.gross_motor"] }'
    )
    result = invoke("rulesets", "validate", _ruleset(tmp_path, "us-zz", criteria))
    assert result.exit_code == 0, result.output


def test_a_ruleset_id_ending_in_a_newline_is_refused(tmp_path):
    criteria = '{ measure = "percent_delay", at_least = 25, domains = 1 }'
    folder = _ruleset(tmp_path, "us-zz\\n", criteria)
    result = invoke("rulesets", "validate", folder)
    assert result.exit_code == 2, result.output
    # Refused by the one text check of every string of a ruleset file (core/rulesets/files.py).
    assert "ruleset.id: contains the control or bidi character U+000A" in result.output


@pytest.mark.parametrize("title", ["two\nlines", "tab\tand \x1b escape"])
def test_rulesets_new_refuses_a_title_with_a_control_character(tmp_path, title):
    """A title is one line of plain text, as every string of a ruleset file: refused before
    anything is written, rather than written and then refused by `rulesets validate`."""
    made = invoke("rulesets", "new", "us-zz", "--dir", tmp_path, "--title", title)
    assert made.exit_code == 2 and "contains the control or bidi character U+" in made.output
    assert not (tmp_path / "us-zz").exists()


@pytest.mark.parametrize("title", ['A "quoted" title', "back\\slash"])
def test_rulesets_new_writes_any_title_as_valid_toml(tmp_path, title):
    """`rulesets new --title 'A "quoted" title'` wrote a ruleset that failed validation."""
    made = invoke("rulesets", "new", "us-zz", "--dir", tmp_path, "--title", title)
    assert made.exit_code == 0, made.output
    import tomllib

    header = tomllib.loads((tmp_path / "us-zz" / "ruleset.toml").read_text())
    assert header["ruleset"]["title"] == title
    assert invoke("rulesets", "validate", tmp_path / "us-zz").exit_code == 0


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.toml", "sub/../../outside.toml"])
def test_school_calendar_outside_the_ruleset_folder_is_refused(tmp_path, name):
    """`school_calendar` in a ruleset could name any file on the machine."""
    (tmp_path / "outside.toml").write_text('name = "x"\nterms = []\n')
    criteria = '{ measure = "percent_delay", at_least = 25, domains = 1 }'
    folder = _ruleset(
        tmp_path, "us-zz", criteria, calendar=f'\n[calendar]\nschool_calendar = "{name}"\n'
    )
    result = invoke("rulesets", "validate", folder)
    assert result.exit_code == 2, result.output
    assert "is outside the ruleset folder" in result.output


# Paths from data -----------------------------------------------------------------------------


def test_a_student_id_cannot_write_graphs_outside_out(tmp_path):
    """A student id `../../x` made `progress` write graphs outside --out."""
    pytest.importorskip("matplotlib")
    school = tmp_path / "school"
    shutil.copytree(EXAMPLES / "mtss" / "elm-street", school)
    student = school / "students" / "ELM-005.json"
    data = json.loads(student.read_text())
    data["id"] = "../../x"
    student.write_text(json.dumps(data))
    out = tmp_path / "a" / "b" / "graphs"
    result = invoke("progress", "../../x", "--dir", school, "--as-of", "2026-06-05", "--out", out)
    assert result.exit_code == 2, result.output
    assert "cannot name the graph file" in result.output
    assert not list(tmp_path.glob("**/x-*"))


# Privacy by default --------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_caseload_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    """The caseload was created 0644 in a 0755 folder: any local user could read every child."""
    monkeypatch.setenv("EIRULES_USER", "tester")
    db = tmp_path / "private" / "caseload.db"
    assert invoke("db", "init", db).exit_code == 0
    assert invoke("cases", "import", EXAMPLES / "mo-0001.json", "--db", db).exit_code == 0
    assert _mode(db.parent) == 0o700
    assert _mode(db) == 0o600
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            assert _mode(side) == 0o600, suffix


def test_rejects_file_is_private_beside_the_caseload_and_holds_the_records(run, tmp_path):
    good = write_case_file(tmp_path / "good.json", "T-0001")
    bad = write_case_file(tmp_path / "bad.json", "T-0002", colour="red")
    result = run("cases", "import", good, bad, "--skip-invalid", code=2)
    rejects = tmp_path / "caseload-rejects.jsonl"
    assert f"reasons in {rejects}" in result.output
    assert _mode(rejects) == 0o600
    line = json.loads(rejects.read_text())
    assert line["data"]["id"] == "T-0002"


def test_a_csv_row_with_more_fields_than_columns_keeps_its_fields_in_the_rejects(run, tmp_path):
    """The rejects file is for mending records: a row with an unquoted comma is kept by
    column with its extra fields (its "data" was null), and the problem says how many."""
    csv_file = tmp_path / "h.csv"
    csv_file.write_text(
        "case_id,birth_date,child_name,ruleset,caseworker,event_type,event_date\n"
        "QA-1,2025-04-11,Tamsin Oakhollow,us,Rhea Tallowby,referral_received,2026-01-12\n"
        "QA-2,2025-04-11,Oakhollow, Tamsin,us,Rhea Tallowby,referral_received,2026-01-12\n",
        encoding="utf-8",
    )
    result = run("cases", "import", csv_file, "--skip-invalid", code=2)
    assert "h.csv, row 3: more fields than columns (8 fields, 7 columns)" in result.output
    (line,) = [
        json.loads(t) for t in (tmp_path / "caseload-rejects.jsonl").read_text().splitlines()
    ]
    assert line["record"] == "row 3"
    assert line["data"]["case_id"] == "QA-2"
    assert line["data"]["child_name"] == "Oakhollow"
    assert line["data"]["event_date"] == "referral_received"
    assert line["data"]["extra_fields"] == ["2026-01-12"]


def test_a_csv_problem_names_its_row_once(run, tmp_path):
    """`h.csv, row 2, caseworker: ...`, not `h.csv, row 2, row 2, caseworker: ...`."""
    csv_file = tmp_path / "h.csv"
    csv_file.write_text(
        "case_id,birth_date,child_name,ruleset,caseworker,event_type,event_date\n"
        "QA-1,2025-04-11,Tamsin Oakhollow,us,Ev\x1b[31mil,referral_received,2026-01-12\n",
        encoding="utf-8",
    )
    result = run("cases", "import", csv_file, code=2)
    assert result.output.splitlines()[1:] == [
        f"  {csv_file}, row 2, caseworker: contains the control or bidi character U+001B; "
        "remove it: every field but a note is plain text on one line"
    ]


def test_a_folder_made_for_graphs_is_owner_only_all_the_way_down(tmp_path):
    """`progress --out a/b/graphs` made a, b and graphs 0755 (the umask's default), so any
    local account could list the files named after students; every folder eirules makes
    for a child's files is now 0700 (34 CFR 300.623 safeguards)."""
    pytest.importorskip("matplotlib")
    out = tmp_path / "a" / "b" / "graphs"
    result = invoke(
        "progress", "ELM-005", "--dir", EXAMPLES / "mtss" / "elm-street",
        "--as-of", "2026-06-05", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(out.glob("*.png")), result.output
    for folder in (tmp_path / "a", tmp_path / "a" / "b", out):
        assert _mode(folder) == 0o700, folder


def test_make_private_folder_leaves_existing_folders_alone(tmp_path):
    from eirules.core.private_files import make_private_folder

    tmp_path.chmod(0o755)
    target = make_private_folder(tmp_path / "x" / "y")
    assert target.is_dir()
    assert (_mode(tmp_path), _mode(tmp_path / "x"), _mode(target)) == (0o755, 0o700, 0o700)
    assert make_private_folder(target) == target  # already there: no error, mode kept


def test_out_to_a_symbolic_link_is_refused_and_the_link_and_its_file_are_left(run, tmp_path):
    """`overdue --out FILE` with FILE a symbolic link replaced the link with a new file (and
    left the file it pointed to stale), undocumented. A child's data is not written through
    a link: refused before any work (exit 2), the link and the file it names unchanged; the
    real path works. The same for every option naming a file to write (`check_writable`)."""
    run("cases", "import", EXAMPLES / "caseload")
    real = tmp_path / "real.csv"
    real.write_text("kept\n")
    link = tmp_path / "overdue.csv"
    link.symlink_to(real)
    for args, option in (
        (["overdue", "--as-of", "2026-03-02", "--format", "csv", "--out", link], "--out"),
        (["cases", "export", "SYN-C-0001", "--output", link], "--output"),
    ):
        result = run(*args, code=2)
        assert result.output == (
            f"Error: {link} is a symbolic link; give the real path\n"
            f"  {option}: it links to {real}; give the path of the file itself\n"
        )
        assert link.is_symlink() and link.readlink() == real
        assert real.read_text() == "kept\n"
    run("overdue", "--as-of", "2026-03-02", "--format", "csv", "--out", real)
    assert real.read_text().startswith("kind,due,days_left,case_id,") and _mode(real) == 0o600
    assert link.is_symlink()


def test_write_private_refuses_a_symbolic_link_dangling_or_not(tmp_path):
    """The one writer refuses a link too, for the library and plugins that call it."""
    from eirules.core.errors import InputError
    from eirules.core.private_files import write_private

    for target in (tmp_path / "real.json", tmp_path / "missing.json"):
        link = tmp_path / f"to-{target.name}"
        link.symlink_to(target)
        with pytest.raises(InputError, match="is a symbolic link; give the real path"):
            write_private(link, '{"child": "Tamsin Oakhollow"}')
        assert link.is_symlink() and not target.exists()
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def _special_files(tmp_path) -> list[tuple[Path, str]]:
    """A named pipe, and (as root, who could otherwise replace /dev/null) a device node."""
    import stat

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    found = [(fifo, "a named pipe")]
    if os.geteuid() == 0:
        device = tmp_path / "null.csv"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
        found.append((device, "a device"))
    return found


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_out_to_a_device_or_a_named_pipe_is_refused_and_left_as_it_is(run, tmp_path):
    """QA: as root, `indicators --out /dev/full` replaced the device with a 0600 file of
    the report ("Wrote /dev/full", exit 0), and a FIFO or /dev/stdout link likewise: the
    rename put an ordinary file where the device was. Refused before any work (exit 2),
    the node untouched; the one writer refuses it too (library and plugins)."""
    import stat

    from eirules.core.errors import InputError
    from eirules.core.private_files import write_private

    run("cases", "import", EXAMPLES / "caseload")
    for node, kind in _special_files(tmp_path):
        before = os.lstat(node)
        result = run("overdue", "--as-of", "2026-03-02", "--format", "csv", "--out", node,
                     code=2)  # fmt: skip
        assert result.output == (
            f"Error: {node} is {kind}, not a file eirules can write\n"
            f"  --out: {node} is {kind}; give the path of an ordinary file\n"
        )
        with pytest.raises(InputError, match=f"is {kind}, not a file eirules can write"):
            write_private(node, '{"child": "Tamsin Oakhollow"}')
        after = os.lstat(node)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) != stat.S_IFREG
        assert after.st_ino == before.st_ino
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_period_reads_its_unit_in_either_case_as_all_does():
    """QA: `--within ALL` was accepted and `14D` refused. 14D is 14 days, 2W 14 days."""
    from eirules.core.dates import parse_period

    assert [parse_period(t) for t in ("14D", "14d", "2W", " 2w ", "ALL", "All")] == [
        14,
        14,
        14,
        14,
        None,
        None,
    ]
