"""What starts and what meets a federal clock is fixed where the rule fixes it, for every
command (core/rulesets/floors._trigger_problems).

QA: a state ruleset that set the 45-day clock's `stop` to `referral_received` (34 CFR
303.310(a) counts from the referral to the initial IFSP meeting) validated, and `check`
showed the clock met on the referral day; `stop = ["consent_for_evaluation"]` was met
by a consent alone. And a ruleset that moved that clock's `start`, which `rulesets
validate` refused, was used by `check` without a word. Both are now refused when the
ruleset is loaded, by `validate` and `check` alike. Where the rule leaves the timeline
to the state (`state_choice`: the Part B initial evaluation, 300.301(c)(1)(ii)) the
events may change, as California's (Cal. Educ. Code 56344(a)) do.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.rulesets.registry import builtin_folder

IFSP = (
    '{ start = ["referral_received"], length = 45, unit = "calendar_days", stop = [%s], '
    'excused_by = ["exceptional_family_circumstances", "parent_consent_not_given"], '
    'excuse_policy = "for_the_period", on_weekend = "keep", count_start_day_as = 0 }'
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _state(tmp_path: Path, name: str, value: str) -> Path:
    folder = tmp_path / "rs" / "us-qa"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text(
        textwrap.dedent(
            """
            [ruleset]
            id = "us-qa"
            title = "QA State (fictional)"
            jurisdiction = "US-QA"
            extends = "us"
            version = "test"
            """
        )
    )
    (folder / "params.toml").write_text(
        f"[[parameters.{name}.values]]\neffective = 2020-01-01\nvalue = {value}\n"
        'citation = "QA test (fictional)"\n'
    )
    return tmp_path / "rs"


def _case(tmp_path: Path, events: list[tuple[str, str]], birth="2025-06-01") -> Path:
    path = tmp_path / "case.json"
    path.write_text(
        json.dumps(
            {
                "id": "QA-1",
                "ruleset": "us-qa",
                "child": {"birth_date": birth},
                "events": [{"type": t, "date": d} for t, d in events],
            }
        )
    )
    return path


@pytest.mark.parametrize("stop", ["referral_received", "consent_for_evaluation"])
def test_303_310_a_a_state_cannot_meet_the_45_days_with_another_event(tmp_path, stop):
    """303.310(a): the 45 days run to the initial IFSP meeting; nothing else meets them."""
    rs = _state(tmp_path, "part_c.initial_ifsp_meeting", IFSP % f'"{stop}"')
    validated = run("--rulesets-dir", rs, "rulesets", "validate", rs / "us-qa")
    assert validated.exit_code == 2
    assert (
        f'stop = ["{stop}"] changes what meets this clock (us has stop = ["ifsp_meeting_held"]), '
        "but the rule fixes it (34 CFR 303.310(a))" in validated.output
    )
    events = dict.fromkeys([("referral_received", "2026-01-09"), (stop, "2026-01-09")])
    case = _case(tmp_path, list(events))
    checked = run("--rulesets-dir", rs, "check", case, "--as-of", "2026-01-20", "--format", "json")
    assert checked.exit_code != 0
    assert '"status": "met"' not in checked.stdout
    assert "changes what meets this clock" in checked.output


def test_check_refuses_a_moved_start_as_validate_does(tmp_path):
    """303.310(a) counts from the referral: a ruleset counting from a consent is refused
    by `check` too, not only by `rulesets validate`."""
    value = (IFSP % '"ifsp_meeting_held"').replace(
        '["referral_received"]', '["consent_for_evaluation"]'
    )
    rs = _state(tmp_path, "part_c.initial_ifsp_meeting", value)
    case = _case(tmp_path, [("referral_received", "2026-01-09")])
    checked = run("--rulesets-dir", rs, "check", case, "--as-of", "2026-01-20")
    assert checked.exit_code != 0
    assert 'start = ["consent_for_evaluation"] changes what starts this clock' in checked.output


def test_the_same_events_in_another_order_or_only_a_new_length_are_accepted(tmp_path):
    """A state's shorter timeline (30 days) with the federal events is a tightening:
    referral 2026-01-09, the meeting due 2026-02-08."""
    rs = _state(tmp_path, "part_c.initial_ifsp_meeting", "{ length = 30 }")
    case = _case(tmp_path, [("referral_received", "2026-01-09")])
    checked = run("--rulesets-dir", rs, "check", case, "--as-of", "2026-01-20", "--format", "json")
    assert checked.exit_code == 0, checked.output
    [clock] = [c for c in json.loads(checked.stdout)["clocks"] if c["id"] == "initial_ifsp_meeting"]
    assert (clock["due"], clock["status"]) == ("2026-02-08", "pending")


def test_300_301_c_1_ii_a_state_timeframe_may_end_at_another_event(tmp_path):
    """state_choice: a state's initial evaluation may end at the IEP meeting (as
    Cal. Educ. Code 56344(a) does): consent 2026-01-09, 60 days, due 2026-03-10."""
    rs = _state(
        tmp_path, "part_b.initial_evaluation", '{ length = 60, stop = ["iep_meeting_held"] }'
    )
    validated = run("--rulesets-dir", rs, "rulesets", "validate", rs / "us-qa")
    assert validated.exit_code == 0, validated.output
    case = _case(tmp_path, [("consent_for_evaluation", "2026-01-09")], birth="2018-03-01")
    checked = run("--rulesets-dir", rs, "check", case, "--as-of", "2026-01-20", "--format", "json")
    [clock] = [c for c in json.loads(checked.stdout)["clocks"] if c["id"] == "initial_evaluation"]
    assert clock["due"] == "2026-03-10"


def test_a_copy_of_us_cannot_stop_the_45_days_at_the_referral(tmp_path):
    """A copy of the baseline (no parent) is held to the shipped one's events too."""
    folder = tmp_path / "mine" / "us"
    shutil.copytree(builtin_folder() / "us", folder, ignore=shutil.ignore_patterns("tests"))
    part_c = folder / "part_c.toml"
    text = part_c.read_text()
    old = 'length = 45, unit = "calendar_days", stop = ["ifsp_meeting_held"]'
    assert text.count(old) == 1
    part_c.write_text(text.replace(old, old.replace("ifsp_meeting_held", "referral_received")))
    result = run("--rulesets-dir", tmp_path / "mine", "rulesets", "validate", "us")
    assert result.exit_code == 2
    assert "changes what meets this clock" in result.output
