"""The foundation end to end: install layout, case files, the engine and `eirules check`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from eirules.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_package_is_eirules_not_bare_core(tmp_path):
    """The install provides `eirules.core`, never a bare `core` or `cli` (the brief's
    layout rule). Asked in a fresh interpreter outside the checkout, so the checkout's
    own folders on sys.path (pytest's rootdir, `python -m`'s current directory) cannot
    answer, whatever the checkout's folder is called (a clone named `eirules` too)."""
    import subprocess
    import sys
    from pathlib import Path

    import eirules.cli
    import eirules.core
    import eirules.plugins
    import eirules.rulesets

    assert eirules.core.__name__ == "eirules.core"
    checkout = Path(eirules.core.__file__).resolve().parent.parent
    probe = (
        "import importlib.util\n"
        "for name in ('core', 'cli', 'plugins', 'rulesets'):\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    print(name, spec.origin if spec is not None and spec.origin else '-')\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    for line in filter(None, found):
        name, origin = line.split(" ", 1)
        assert origin == "-" or checkout not in Path(origin).resolve().parents, (name, origin)


def test_version_option_prints_package_version():
    from eirules import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"eirules {__version__}"


def test_referral_2026_01_05_ifsp_meeting_due_2026_02_19(engine):
    """34 CFR 303.310(a): within 45 days after the referral is received; day 0 is the referral day."""
    case = engine.load_case(EXAMPLES / "mo-0001.json")
    det = engine.evaluate(case, "us", date(2026, 2, 1))
    clock = det.clock("initial_ifsp_meeting")
    assert (clock.start, clock.due, clock.status, clock.citation) == (
        date(2026, 1, 5),
        date(2026, 2, 19),
        "pending",
        "34 CFR 303.310",
    )


def test_check_json_output_is_the_documented_shape():
    result = CliRunner().invoke(
        cli, ["check", str(EXAMPLES / "mo-0001.json"), "--as-of", "2026-02-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {
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
    }
    assert data["case"] == "MO-0001" and data["as_of"] == "2026-02-01"
    clock = next(c for c in data["clocks"] if c["id"] == "initial_ifsp_meeting")
    assert clock["due"] == "2026-02-19" and clock["status"] == "pending"


def test_check_bad_file_lists_every_problem_with_its_path_and_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "id": "X",
                "child": {"birth_date": "2024-13-02"},
                "events": [
                    {"type": "referral_received", "date": "2026-01-05"},
                    {"type": "referal_received", "date": "2026-01-06"},
                ],
            }
        )
    )
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2
    assert "child.birth_date: the value is not a date (YYYY-MM-DD)" in result.output
    assert (
        'events[1].type: "referal_received" is not a known event type; did you mean "referral_received"?'
        in result.output
    )
    assert "Traceback" not in result.output


def test_check_same_inputs_give_the_same_output():
    args = ["check", str(EXAMPLES / "mo-0001.json"), "--as-of", "2026-02-01", "--format", "json"]
    first = CliRunner().invoke(cli, args).output
    second = CliRunner().invoke(cli, args).output
    assert first == second
