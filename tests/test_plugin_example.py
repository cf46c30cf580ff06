"""The complete plugin of docs/plugins.md, built and installed into a fresh virtualenv.

The files are taken from the doc as written (each block's first line names its
path), installed with pip into a new virtualenv that sees this eirules, and run:
`eirules check` must show the plugin's clock and its Part C criterion as the doc
says, and `rulesets validate` must catch a clock stopping on an unregistered event.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
SECTION = DOC.split("## A complete plugin, file by file", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)


def _files() -> dict[str, str]:
    """Path -> content for every block whose first line is `# <path>`."""
    files = {}
    packaging = DOC.split("## Packaging", 1)[1].split("\n## ", 1)[0]
    for _, body in _blocks(packaging) + _blocks(SECTION):
        first = body.splitlines()[0]
        match = re.fullmatch(r"# (\S+)(?: of your plugin)?", first)
        if match:
            files[match.group(1)] = body
    return files


def test_the_doc_gives_every_file_of_the_plugin():
    assert sorted(_files()) == [
        "eirules_home_visits/__init__.py",
        "eirules_home_visits/rulesets/home-visits/home_visits.toml",
        "eirules_home_visits/rulesets/home-visits/part_c.toml",
        "eirules_home_visits/rulesets/home-visits/ruleset.toml",
        "pyproject.toml",
    ]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The doc's plugin pip-installed (a real wheel build) into a fresh virtualenv."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "src"
    for name, body in _files().items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The new environment sees this eirules, its dependencies and pip, setuptools and
    # wheel through a .pth file, so nothing is downloaded; pip builds the plugin's wheel
    # from the doc's files and installs it into the new environment.
    # addsitedir (not a bare path) so that .pth files there run too (an editable install).
    (Path(site) / "eirules-under-test.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n", encoding="utf-8"
    )
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "EIRULES_DISABLE_PLUGIN_AUTOLOAD"}
    env.pop("EIRULES_DB", None)
    case = root / "hv-0001.json"
    example = next(body for lang, body in _blocks(SECTION) if lang == "json")
    case.write_text(example, encoding="utf-8")
    return python, env, case, source


def _eirules(installed, *args):
    python, env, _, _ = installed
    return subprocess.run(
        [str(python), "-c", "from eirules.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=python.parent,
    )


def test_the_installed_plugin_is_listed(installed):
    result = _eirules(installed, "plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    plugin = next(p for p in json.loads(result.stdout) if p["name"] == "home_visits")
    assert plugin["package"] == "eirules-home-visits" and plugin["version"] == "1.0.0"
    assert plugin["hooks"] == [
        "clocks_for",
        "eligibility_criteria",
        "register_event_types",
        "register_rulesets",
    ]


def test_check_shows_the_plugins_clock_and_part_c_criterion_as_the_doc_says(installed):
    """10 calendar days from the request on 2026-01-06: due 2026-01-16 (Agency policy 2)."""
    _, _, case, _ = installed
    result = _eirules(installed, "check", str(case), "--as-of", "2026-01-12")
    assert result.returncode == 0, result.stderr
    shown = next(body for lang, body in _blocks(SECTION) if lang == "text")
    for line in shown.splitlines()[1:]:
        if line.strip() and line.strip() != "...":
            assert line in result.stdout, f"{line!r} not in:\n{result.stdout}"
    data = json.loads(
        _eirules(installed, "check", str(case), "--as-of", "2026-01-12", "--format", "json").stdout
    )
    [part_c] = [e for e in data["eligibility"] if e["program"] == "part_c"]
    assert part_c["outcome"] == "eligible" and part_c["basis"] == ["home_visit_need"]
    clock = next(c for c in data["clocks"] if c["id"] == "home_visit_follow_up")
    assert (clock["start"], clock["due"], clock["status"]) == (
        "2026-01-06",
        "2026-01-16",
        "due_soon",
    )


def test_without_the_criterion_part_c_is_not_decided_by_it(installed):
    """A need not on the agency's list: the criterion is not met, Part C stays undecided."""
    _, _, case, _ = installed
    other = case.with_name("hv-0002.json")
    other.write_text(case.read_text().replace("feeding support", "sleep"), encoding="utf-8")
    data = json.loads(
        _eirules(installed, "check", str(other), "--as-of", "2026-01-12", "--format", "json").stdout
    )
    [part_c] = [e for e in data["eligibility"] if e["program"] == "part_c"]
    assert part_c["outcome"] == "needs_information"


def test_validate_catches_a_clock_stopping_on_an_unregistered_event(installed, tmp_path):
    _, _, _, source = installed
    folder = tmp_path / "home-visits"
    folder.mkdir()
    rulesets = source / "eirules_home_visits" / "rulesets" / "home-visits"
    (folder / "ruleset.toml").write_text((rulesets / "ruleset.toml").read_text())
    (folder / "home_visits.toml").write_text(
        (rulesets / "home_visits.toml").read_text().replace('"home_visit_made"', '"home_visit_mad"')
    )
    result = _eirules(installed, "rulesets", "validate", str(folder))
    assert result.returncode == 2, result.stdout + result.stderr
    assert '"home_visit_mad" is not a registered event type; did you mean "home_visit_made"?' in (
        result.stdout + result.stderr
    )


def test_a_missing_ruleset_folder_is_an_error_not_silence(installed, tmp_path):
    """A plugin installed without its TOML files (package-data forgotten)."""
    python, env, case, source = installed
    broken = tmp_path / "broken"
    (broken / "eirules_home_visits").mkdir(parents=True)
    (broken / "pyproject.toml").write_text(
        (source / "pyproject.toml").read_text().replace("eirules-home-visits", "eirules-hv-broken")
    )
    (broken / "eirules_home_visits" / "__init__.py").write_text(
        (source / "eirules_home_visits" / "__init__.py").read_text()
    )
    target = tmp_path / "site"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(broken),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = subprocess.run(
        [str(python), "-c", "from eirules.cli import main; main()", "check", str(case)],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(target)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("Error: a plugin's ruleset folder is missing")
    assert 'plugin "home_visits" registered this ruleset folder, but it does not exist' in (
        result.stderr
    )


if __name__ == "__main__":  # .ci/run installs the doc's plugin beside eirules this way
    target = Path(sys.argv[1])
    for name, body in _files().items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(body, encoding="utf-8")
    print(f"wrote the plugin of docs/plugins.md to {target}")


def test_the_clock_variant_shortens_the_part_c_timeline(installed):
    """34 CFR 303.310(a) sets at most 45 days; Agency policy 5 sets 30: referral 2026-01-05,
    meeting due 2026-02-04, and the built-in's start and stop events are kept."""
    _, _, case, _ = installed
    data = json.loads(
        _eirules(installed, "check", str(case), "--as-of", "2026-01-12", "--format", "json").stdout
    )
    clock = next(c for c in data["clocks"] if c["id"] == "initial_ifsp_meeting")
    assert (clock["start"], clock["due"], clock["citation"]) == (
        "2026-01-05",
        "2026-02-04",
        "Agency policy 5",
    )


def test_validate_refuses_a_variant_that_moves_the_start_of_the_federal_timeline(
    installed, tmp_path
):
    """303.310(a) counts the 45 days from the receipt of the referral: no other start."""
    _, _, _, source = installed
    folder = tmp_path / "home-visits"
    folder.mkdir()
    rulesets = source / "eirules_home_visits" / "rulesets" / "home-visits"
    for name in ("ruleset.toml", "home_visits.toml"):
        (folder / name).write_text((rulesets / name).read_text())
    (folder / "part_c.toml").write_text(
        (rulesets / "part_c.toml")
        .read_text()
        .replace("{ length = 30 }", '{ length = 30, start = ["home_visit_requested"] }')
    )
    result = _eirules(installed, "rulesets", "validate", str(folder))
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "changes what starts this clock" in said and "34 CFR 303.310(a)" in said
