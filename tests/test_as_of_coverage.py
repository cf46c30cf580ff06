"""An as-of date the ruleset does not cover is bad input; one before birth is a warning.

Issue 10 (second QA review): `--as-of 1990-01-01` stopped with "ruleset ... has no value
in force" and exit 1 (HTTP 500), as if the ruleset were broken. One mechanism now:
`Ruleset.param` raises `DateNotCovered` (an InputError: exit 2, HTTP 422) for a date
before a parameter's first value, and the engine says when it is the as-of date. The
federal baseline `us` has its first value on 2000-01-01 (`clocks.due_soon_days`) and
the 2011 Part C regulations' age limit from 2011-10-28 (34 CFR 303.21(a), effective
2011-10-28), so every parameter has a value from 2011-10-28.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.engine import Engine
from eirules.core.errors import InputError, RulesetError
from eirules.core.rulesets import DateNotCovered

EXAMPLES = Path(__file__).parent.parent / "examples"
MO = str(EXAMPLES / "mo-0001.json")  # born 2024-11-02, ruleset us-mo


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def test_check_as_of_1990_is_a_usage_error_naming_the_dates_covered():
    result = CliRunner().invoke(cli, ["check", MO, "--as-of", "1990-01-01"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        'Error: --as-of 1990-01-01 is before the dates ruleset "us-mo" covers',
        "  --as-of: ruleset us-mo has values from 2000-01-01 to 2199-12-31 (for every "
        'parameter from 2011-10-28); "clocks.due_soon_days" has none before 2000-01-01; '
        "give a later date (every parameter has a value from 2011-10-28), or a ruleset "
        "with values for earlier dates (the case file's `ruleset`, or check --ruleset; "
        "more with --rulesets-dir)",
    ]


def test_check_as_of_2005_names_the_2011_part_c_age_limit():
    """34 CFR 303.21(a) as the 2011 regulations say it: the ruleset has it from 2011-10-28."""
    result = CliRunner().invoke(cli, ["check", MO, "--as-of", "2005-01-01", "--format", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert error["kind"] == "DateNotCovered"
    assert '"part_c.age_limit_years" has none before 2011-10-28' in error["problems"][0]["what"]
    assert error["problems"][0]["where"] == "--as-of"


def test_the_error_is_input_and_still_a_ruleset_error_for_callers_that_catch_that():
    engine = Engine(entry_points=False)
    with pytest.raises(DateNotCovered) as caught:
        engine.evaluate(engine.load_case(MO), None, date(1990, 1, 1))
    assert isinstance(caught.value, InputError) and isinstance(caught.value, RulesetError)
    assert caught.value.as_of == date(1990, 1, 1) and caught.value.first == date(2000, 1, 1)


def test_a_date_before_a_parameters_first_value_is_named_by_the_ruleset(engine):
    """Read directly (a rule reading a value on a case's date): the problem names that date
    and the dates the ruleset covers; the engine turns it into an as-of problem only when
    the as-of date itself is too early."""
    ruleset = engine.rulesets.get("us")
    assert ruleset.coverage == (date(2000, 1, 1), date(2011, 10, 28))
    with pytest.raises(DateNotCovered) as caught:
        ruleset.param("part_c.age_limit_years", date(2009, 3, 2))
    assert caught.value.as_of is None
    assert str(caught.value).splitlines() == [
        'ruleset "us" has no value of "part_c.age_limit_years" before 2011-10-28, so it '
        "cannot decide for 2009-03-02, a date of the case",
        "  2009-03-02: ruleset us has values from 2000-01-01 to 2199-12-31 (for every "
        'parameter from 2011-10-28); "part_c.age_limit_years" has none before 2011-10-28; '
        "correct the date in the case file if it is wrong, or use a ruleset with values for "
        "earlier dates (the case file's `ruleset`, or check --ruleset; more with "
        "--rulesets-dir)",
    ]
    assert ruleset.param("part_c.age_limit_years", date(2011, 10, 28)).value == 3


def test_evaluate_and_due_as_of_1990_refuse_and_write_nothing(run, tmp_path):
    run("cases", "import", MO)
    before = run("audit", "log", "--format", "json").output
    for args in (("evaluate", "--all"), ("evaluate", "--case", "MO-0001"), ("due",), ("overdue",)):
        result = run(*args, "--as-of", "1990-01-01", code=2)
        assert result.output.startswith(
            'Error: --as-of 1990-01-01 is before the dates ruleset "us-mo" covers'
        )
    assert run("audit", "log", "--format", "json").output == before
    shown = json.loads(run("cases", "show", "MO-0001", "--format", "json").output)
    assert len(shown["determinations"]) == 1  # the import's own, as of today


def test_evaluate_case_names_the_option_it_was_given_in(run):
    """Finding 4: `evaluate --case NOPE` named its problem "ID:" (the placeholder of
    `cases show ID`); it names the option the id was typed in."""
    result = run("evaluate", "--case", "NOPE", code=2)
    assert result.output.splitlines() == [
        'Error: no case "NOPE" in the caseload',
        "  --case: not found; list cases with: eirules cases list",
    ]
    assert run("cases", "show", "NOPE", code=2).output.splitlines()[1].startswith("  ID: not found")


def test_as_of_before_birth_warns_and_says_so_in_the_json():
    """MO-0001 is born 2024-11-02: as of 2024-01-01 nothing can be owed; check answers (exit
    0), warns on stderr, and the determination carries the warning as a finding."""
    result = CliRunner().invoke(cli, ["check", MO, "--as-of", "2024-01-01", "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: the as-of date 2024-01-01 is before the child's birth on 2024-11-02: "
        "nothing is owed yet; check the --as-of date and the birth date\n"
    )
    findings = json.loads(result.stdout)["findings"]
    assert findings[0]["rule"] == "as_of.before_birth" and findings[0]["outcome"] == "warning"
    assert findings[0]["inputs"] == {"as_of": "2024-01-01", "birth_date": "2024-11-02"}
    on_birthday = CliRunner().invoke(cli, ["check", MO, "--as-of", "2024-11-02"])
    assert on_birthday.stderr == "" and "as_of.before_birth" not in on_birthday.stdout


@settings(deadline=None, max_examples=25)
@given(as_of=st.dates(min_value=date(1900, 1, 1), max_value=date(2027, 12, 31)))
def test_check_never_calls_an_as_of_date_a_ruleset_fault(as_of):
    """Any as-of date in the one date bound: answered (0) or refused as input (2), never 1."""
    for name in ("mo-0001.json", "pb-initial-evaluation.json", "pc-transition.json"):
        result = CliRunner().invoke(
            cli, ["check", str(EXAMPLES / name), "--as-of", as_of.isoformat()]
        )
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
