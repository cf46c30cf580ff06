"""A copy of the federal baseline in --rulesets-dir keeps the federal floors (QA: a copy of
`us` with the 45-day timeline of 34 CFR 303.310(a) set to 400 days validated, and `check`
showed a late IFSP meeting as on time); `rulesets new` never writes a ruleset that
extends itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.rulesets.registry import builtin_folder

ROOT = Path(__file__).resolve().parent.parent
MO = ROOT / "examples" / "mo-0001.json"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _copy_of_us(tmp_path: Path, days: int) -> Path:
    folder = tmp_path / "mine" / "us"
    shutil.copytree(builtin_folder() / "us", folder, ignore=shutil.ignore_patterns("tests"))
    part_c = folder / "part_c.toml"
    text = part_c.read_text()
    old = 'start = ["referral_received"], length = 45,'
    assert text.count(old) == 1
    part_c.write_text(text.replace(old, f'start = ["referral_received"], length = {days},'))
    return tmp_path / "mine"


def test_a_copy_of_us_that_loosens_the_45_day_timeline_is_refused(tmp_path):
    """34 CFR 303.310(a): the initial IFSP meeting within 45 days of the referral."""
    mine = _copy_of_us(tmp_path, 400)
    result = run("--rulesets-dir", mine, "rulesets", "validate", "us")
    assert result.exit_code == 2
    assert f"{mine / 'us' / 'part_c.toml'}:" in result.output
    assert (
        "found 400 calendar_days, which loosens the federal floor: 34 CFR 303.310(a) "
        "requires at most 45 calendar_days" in result.output
    )
    checked = run("--rulesets-dir", mine, "check", MO, "--ruleset", "us", "--as-of", "2026-02-01")
    assert checked.exit_code != 0
    assert "loosens its federal floors" in checked.output


def test_a_copy_of_us_that_tightens_it_is_used(tmp_path):
    """A state may tighten a floor: 30 days from MO-0001's referral of 2026-01-05."""
    mine = _copy_of_us(tmp_path, 30)
    assert run("--rulesets-dir", mine, "rulesets", "validate", "us").exit_code == 0
    result = run(
        "--rulesets-dir", mine, "check", MO, "--ruleset", "us", "--as-of", "2026-02-01",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    clocks = {c["id"]: c for c in json.loads(result.output)["clocks"]}
    assert clocks["initial_ifsp_meeting"]["due"] == "2026-02-04"


def test_rulesets_new_refuses_an_id_that_would_extend_itself(tmp_path):
    for rid, parent in (("us", "us"), ("us", "us-mo"), ("us-mo", "us-mo")):
        result = run("rulesets", "new", rid, "--extends", parent, "--dir", tmp_path)
        assert result.exit_code == 2, result.output
        assert f'Error: a new ruleset "{rid}" cannot extend "{parent}"' in result.output
        assert f'e.g. "{parent}-local"' in result.output
    assert not any(tmp_path.iterdir())
