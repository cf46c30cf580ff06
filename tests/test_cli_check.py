"""`eirules check` and the library call behind it: one case, one determination."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules import __version__
from eirules.cli import cli
from eirules.cli.render import render_determination
from eirules.core.convert import determination_to_dict
from eirules.core.decisions import Clock, Determination, Eligibility, Finding, Referral
from eirules.core.engine import Engine

EXAMPLES = Path(__file__).parent.parent / "examples"
MO = EXAMPLES / "mo-0001.json"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# The library call ------------------------------------------------------------------------


def test_top_level_names_for_library_users():
    from eirules import evaluate, hookimpl, load_case

    case = load_case(MO)
    det = evaluate(case, "us", date(2026, 2, 1))
    assert callable(hookimpl)
    assert det.case == "MO-0001" and det.ruleset == "us" and det.as_of == date(2026, 2, 1)
    assert det.clock("initial_ifsp_meeting").due == date(2026, 2, 19)


def test_evaluate_as_of_defaults_to_today(engine):
    det = engine.evaluate(engine.load_case(MO), "us")
    assert det.as_of == date.today()


def test_evaluate_uses_the_case_files_ruleset_unless_told_otherwise(engine):
    case = engine.load_case(MO)
    assert engine.evaluate(case, None, date(2026, 2, 1)).ruleset == case.ruleset
    assert engine.evaluate(case, "us-mo", date(2026, 2, 1)).ruleset == "us-mo"


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: p.name)
def test_same_inputs_ruleset_version_and_date_give_the_same_output(path):
    """Two fresh engines, events in another order in the file: byte-identical JSON."""
    data = json.loads(path.read_text())
    first = Engine(entry_points=False)
    det = first.evaluate(first.case_from_dict(data), None, date(2026, 2, 1))
    shuffled = dict(
        data, events=random.Random(7).sample(data.get("events", []), k=len(data.get("events", [])))
    )
    second = Engine(entry_points=False)
    again = second.evaluate(second.case_from_dict(shuffled), None, date(2026, 2, 1))
    assert det.ruleset_version == again.ruleset_version
    assert json.dumps(determination_to_dict(det)) == json.dumps(determination_to_dict(again))


@settings(max_examples=25)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_evaluating_twice_on_any_date_gives_the_same_determination(engine, as_of):
    case = engine.load_case(MO)
    assert engine.evaluate(case, "us-mo", as_of) == engine.evaluate(case, "us-mo", as_of)


# The command --------------------------------------------------------------------------


def test_check_json_has_the_stable_keys_in_a_stable_order():
    result = run("check", str(MO), "--as-of", "2026-02-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == [
        "case",
        "ruleset",
        "ruleset_version",
        "as_of",
        "engine",
        "eligibility",
        "clocks",
        "referrals",
        "findings",
        "episodes",
        "history",
    ]
    for clock in data["clocks"]:
        assert list(clock) == [
            "id",
            "program",
            "label",
            "subject",
            "start",
            "opens",
            "due",
            "met_on",
            "closed_on",
            "status",
            "excused_by",
            "reason",
            "citation",
            "missing",
            "episode",
        ]
    for eligibility in data["eligibility"]:
        assert list(eligibility) == ["program", "outcome", "basis", "citation", "missing", "reason"]
    assert data["referrals"]
    for referral in data["referrals"]:
        assert list(referral) == [
            "id",
            "program",
            "referrer",
            "to",
            "reason",
            "citation",
            "by",
            "status",
            "closed_on",
        ]
    for finding in data["findings"]:
        assert set(finding) == {
            "rule",
            "outcome",
            "reason",
            "citation",
            "program",
            "inputs",
            "parameters",
        }
    assert data["engine"].startswith("eirules ")


def test_check_as_of_defaults_to_today():
    result = run("check", str(MO), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["as_of"] == date.today().isoformat()


def test_check_ruleset_option_overrides_the_case_file():
    result = run(
        "check", str(MO), "--as-of", "2026-02-01", "--ruleset", "us-mo", "--format", "json"
    )
    assert json.loads(result.output)["ruleset"] == "us-mo"


def test_check_text_says_what_is_due_next_with_date_and_citation():
    """Referral 2026-01-05 + 45 days (34 CFR 303.310(a)) = 2026-02-19: 18 days after 2026-02-01."""
    result = run("check", str(MO), "--as-of", "2026-02-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(
        rf"Case MO-0001  \(ruleset us-mo 2026\.1\S*, as of 2026-02-01, eirules {__version__}\)",
        lines[0],
    ), lines[0]
    assert lines[1] == "Child born 2024-11-02, 31 weeks' gestation"
    assert (
        "Next due: Initial IFSP meeting by 2026-02-19, 18 days left (part_c)  [34 CFR 303.310]"
        in lines
    )
    assert all(len(line) <= 100 for line in lines)


def test_check_bad_as_of_is_a_usage_error():
    result = run("check", str(MO), "--as-of", "2026-02-30")
    assert result.exit_code == 2
    assert "'2026-02-30' is not a date (YYYY-MM-DD)" in result.output


def test_check_missing_file_exits_2_with_one_error_line(tmp_path):
    result = run("check", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'nope.json'}: no such file\n  check the path\n"


def test_check_invalid_json_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "X",\n "child": }')
    result = run("check", str(bad))
    assert result.exit_code == 2
    assert (
        result.output == f"Error: {bad} is not valid JSON\n  line 2, column 11: Expecting value\n"
    )


def test_check_bad_file_prints_every_problem_and_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads(MO.read_text())
    data["child"]["birth_date"] = "2024-13-02"
    data["events"][2]["type"] = "referal_received"
    bad.write_text(json.dumps(data))
    result = run("check", str(bad))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {bad} is not valid\n"
        '  events[2].type: "referal_received" is not a known event type; '
        'did you mean "referral_received"?\n'
        "  child.birth_date: the value is not a date (YYYY-MM-DD)\n"
    )


def test_check_unknown_ruleset_is_bad_input_with_a_suggestion(tmp_path):
    """An unknown --ruleset is a bad option (exit 2, docs/cli.md), named as the option."""
    result = run("check", str(MO), "--ruleset", "us-moo", "--as-of", "2026-02-01")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == 'Error: no ruleset "us-moo"'
    assert lines[1].startswith(
        '  --ruleset: "us-moo" is not a ruleset id here; did you mean "us-mo"?'
    )


def test_check_unknown_ruleset_in_the_case_file_names_the_field(tmp_path):
    """A case file whose "ruleset" no folder has (a look-alike hyphen, U+2010) is a bad
    file: exit 2, the case and the field named, never "a problem in the rules" (exit 1)."""
    data = json.loads(MO.read_text())
    data["ruleset"] = "us\u2010mo"
    bad = tmp_path / "k3.json"
    bad.write_text(json.dumps(data))
    result = run("check", str(bad), "--as-of", "2026-02-01")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == 'Error: no ruleset "us\u2010mo" (case MO-0001 names it in its "ruleset")'
    assert lines[1].startswith(
        '  ruleset: "us\\u2010mo" is not a ruleset id here; did you mean "us-mo"?'
    )


def test_check_help_has_an_example():
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "eirules check examples/mo-0001.json --as-of 2026-02-01" in result.output


# The text renderer, on a determination built by hand -------------------------------------------


def test_render_reads_well_for_a_case_manager():
    det = Determination(
        case="ADA-7",
        ruleset="us-xx",
        ruleset_version="2026.1",
        as_of=date(2026, 3, 1),
        engine="eirules 9.9.9",
        eligibility=[
            Eligibility(
                program="part_c",
                outcome="needs_information",
                citation="34 CFR 303.21",
                missing=("an evaluation in the cognitive domain",),
            )
        ],
        clocks=[
            Clock(
                id="initial_ifsp_meeting",
                program="part_c",
                start=date(2026, 1, 5),
                due=date(2026, 2, 19),
                status="overdue",
                citation="34 CFR 303.310",
                label="Initial IFSP meeting",
            ),
            Clock(
                id="transition_conference",
                program="part_c",
                start=date(2026, 1, 5),
                opens=date(2026, 4, 1),
                due=date(2026, 6, 30),
                status="pending",
                citation="34 CFR 303.209(c)",
            ),
            Clock(
                id="service_start",
                program="part_c",
                start=date(2026, 1, 5),
                due=date(2026, 2, 4),
                met_on=date(2026, 2, 10),
                status="late_excused",
                excused_by="exceptional_family_circumstances",
                citation="34 CFR 303.342(e)",
                subject="speech therapy",
                reason="late, excused by a documented family delay",
            ),
        ],
        referrals=[
            Referral(
                id="to_part_b",
                program="part_c",
                referrer="the lead agency",
                to="the LEA",
                reason="the toddler may be eligible for Part B",
                citation="34 CFR 303.209(b)",
                by=date(2026, 5, 1),
            )
        ],
        findings=[
            Finding(
                rule="part_c.ifsp",
                outcome="overdue",
                reason="No meeting yet.",
                citation="34 CFR 303.310",
            )
        ],
    )
    assert render_determination(det) == "\n".join(
        [
            "Case ADA-7  (ruleset us-xx 2026.1, as of 2026-03-01, eirules 9.9.9)",
            "",
            "Next due: Initial IFSP meeting by 2026-02-19, 10 days overdue (part_c)  [34 CFR 303.310]",
            "",
            "Eligibility",
            "  part_c: needs information  [34 CFR 303.21]",
            "    missing: an evaluation in the cognitive domain",
            "",
            "Clocks",
            "  OVERDUE        Initial IFSP meeting (part_c): by 2026-02-19, 10 days overdue  [34 CFR 303.310]",
            "  pending        transition conference (part_c): between 2026-04-01 and 2026-06-30, opens in 31",
            "                 days, 121 days left  [34 CFR 303.209(c)]",
            "  late, excused  service start [speech therapy] (part_c): by 2026-02-04, met 2026-02-10  [34 CFR",
            "                 303.342(e)]",
            "                 late, excused by a documented family delay",
            "",
            "Referrals",
            "  the lead agency -> the LEA by 2026-05-01, 61 days left (to make)  [34 CFR 303.209(b)]",
            "    the toddler may be eligible for Part B",
            "",
            "Findings",
            "  part_c.ifsp: overdue  [34 CFR 303.310]",
            "    No meeting yet.",
        ]
    )


# Install layout ----------------------------------------------------------------------------


def test_installed_package_is_eirules_and_nothing_installs_a_bare_core_or_cli(tmp_path):
    """From another directory, only `eirules.*` is importable: no bare `core`, `cli`, ..."""
    import subprocess
    import sys

    code = (
        "import importlib.util as u, json\n"
        "names = ['core', 'cli', 'api', 'plugins', 'rulesets', 'eirules.core', 'eirules.cli',"
        " 'eirules.plugins', 'eirules.rulesets']\n"
        "print(json.dumps({n: u.find_spec(n) is not None for n in names}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == {
        "core": False,
        "cli": False,
        "api": False,
        "plugins": False,
        "rulesets": False,
        "eirules.core": True,
        "eirules.cli": True,
        "eirules.plugins": True,
        "eirules.rulesets": True,
    }


def test_every_python_folder_is_packaged_under_eirules():
    """A new subpackage missing from pyproject.toml works editable but not after `pip install .`."""
    import tomllib

    root = Path(__file__).parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages, package_dir = set(config["packages"]), config["package-dir"]
    assert all(p == "eirules" or p.startswith("eirules.") for p in packages)
    top = {"api": "eirules", "core": "eirules.core", "cli": "eirules.cli"}
    top |= {"plugins": "eirules.plugins", "rulesets": "eirules.rulesets"}
    for folder, name in top.items():
        assert package_dir[name] == folder
        for init in (root / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(root / folder).parts
            if "data" in parts or "tests" in parts:
                continue
            package = ".".join((name, *parts))
            assert package in packages, f"{package} ({init.parent}) is not in pyproject packages"


def test_evaluate_accepts_a_case_file_dict_and_an_iso_date(engine):
    from datetime import datetime

    data = json.loads(MO.read_text())
    by_dict = engine.evaluate(data, "us", "2026-02-01")
    assert by_dict == engine.evaluate(engine.load_case(MO), "us", date(2026, 2, 1))
    assert engine.evaluate(data, "us", datetime(2026, 2, 1, 23, 59)) == by_dict


@pytest.mark.parametrize(
    "case, as_of, message",
    [
        ("MO-0001", "2026-02-01", 'case: "MO-0001" is not a Case or a case-file dict'),
        (None, "2026-02-01", "case: null is not a Case or a case-file dict"),
        ("ok", "2026-02-30", 'as_of: "2026-02-30" is not a date (YYYY-MM-DD)'),
        ("ok", 20260201, "as_of: 20260201 is not a date (YYYY-MM-DD)"),
    ],
)
def test_evaluate_with_the_wrong_arguments_is_an_input_error(engine, case, as_of, message):
    from eirules.core.errors import InputError

    if case == "ok":
        case = engine.load_case(MO)
    with pytest.raises(InputError) as info:
        engine.evaluate(case, "us", as_of)
    assert [str(p) for p in info.value.problems] == [message]


def test_check_reads_a_case_file_from_stdin():
    result = CliRunner().invoke(
        cli, ["check", "-", "--as-of", "2026-02-01", "--format", "json"], input=MO.read_text()
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["case"] == "MO-0001"


def test_check_bad_stdin_names_stdin():
    result = CliRunner().invoke(cli, ["check", "-"], input='{"id": 1}')
    assert result.exit_code == 2
    assert result.output.startswith("Error: stdin is not valid\n  id: 1 is not a string\n")


def test_check_json_format_also_writes_the_problems_as_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "X", "child": {"birth_date": "2024-13-02"}}')
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(bad), "--format", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": f"{bad} is not valid",
        "kind": "InputError",
        "problems": [
            {
                "where": "child.birth_date",
                "what": "the value is not a date (YYYY-MM-DD)",
                "fix": None,
            }
        ],
    }
    assert result.stderr.startswith(f"Error: {bad} is not valid\n")


def test_check_text_wraps_to_an_80_column_terminal(monkeypatch):
    """On an 80-column terminal ($COLUMNS=80) the wrapped reasons fit it (the README example,
    34 CFR 303.21(a)(2)); piped with no $COLUMNS they keep the 100-column width."""
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run("check", str(MO), "--as-of", "2026-02-01").output
    wrapped = [line for line in narrow.splitlines() if line.startswith("    ")]
    assert wrapped and max(len(line) for line in wrapped) <= 80
    assert "conditions with a high probability of delay" in " ".join(narrow.split())
    monkeypatch.delenv("COLUMNS")
    wide = run("check", str(MO), "--as-of", "2026-02-01").output
    assert max(len(line) for line in wide.splitlines()) > 80
    assert " ".join(wide.split()) == " ".join(narrow.split())  # the same words, only rewrapped


def test_check_shows_the_clocks_of_earlier_episodes(tmp_path, monkeypatch):
    """34 CFR 303.310: a first referral (2025-09-01) found not eligible on 2025-11-05 ended
    its 45-day timeline late (due 2025-10-16); a second referral began a new episode. The
    first timeline is on the record and counted by indicator C7, so `check` shows it under
    its episode (it was in the JSON `history` only)."""
    monkeypatch.setenv("COLUMNS", "100")
    doc = {
        "schema": "eirules/case@1",
        "id": "QA-NE",
        "ruleset": "us",
        "child": {"birth_date": "2025-01-10", "name": "Vic Fictional"},
        "events": [
            {"type": "referral_received", "date": "2025-09-01"},
            {"type": "consent_for_evaluation", "date": "2025-09-03"},
            {"type": "evaluation_completed", "date": "2025-10-30"},
            {"type": "eligibility_determined", "date": "2025-11-05", "outcome": "not_eligible"},
            {"type": "referral_received", "date": "2026-03-02"},
            {"type": "eligibility_determined", "date": "2026-03-20", "outcome": "eligible",
             "category": "developmental_delay"},
            {"type": "ifsp_meeting_held", "date": "2026-04-20"},
        ],
        "evaluations": [
            {"date": "2026-03-18", "scores": [{"domain": "communication", "percent_delay": 40}]}
        ],
    }  # fmt: skip
    path = tmp_path / "ne.json"
    path.write_text(json.dumps(doc))
    result = run("check", str(path), "--as-of", "2026-05-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("Earlier episodes")
    assert lines[at + 1] == (
        "  part_c.1 from 2025-09-01 (referral received) to 2025-11-05 (eligibility determined)"
    )
    assert lines[at + 2] == (
        "    met late       Initial IFSP meeting (part_c): by 2025-10-16, met 2025-11-05  "
        "[34 CFR 303.310]"
    )
    assert lines.index("Clocks") < at < lines.index("Referrals")
