"""docs/case-managers.md is a tested script (issue 10: docs that work in order).

Its ```console blocks are run top to bottom, the way a new user follows the page:
in an empty folder holding `examples/`, a fresh home (no caseload anywhere, no
$EIRULES_DB), each `$ ` line through bash (no pipefail: a pipe's status is its last
command's, as in a user's shell), an `export` carried to the lines after it. Every output line the page shows must appear in that order in what the
command printed (standard output, then standard error), `...` standing for
anything; the exit status must be 0, or the one a `# ... exit status N` comment
on the command says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "case-managers.md"
FENCE = re.compile(r"^```console\n(.*?)^```$", re.M | re.S)
EXIT = re.compile(r"#.*exit status (\d+)\s*$")


def steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines the page shows for it), in page order."""
    found: list[tuple[str, list[str]]] = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
            else:
                raise AssertionError(f"output before any command in a console block: {line!r}")
    return found


def matches(shown: str, line: str) -> bool:
    """One shown line against one printed line: `...` is any text, the rest exact."""
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, line.rstrip()) is not None


def missing_lines(shown: list[str], printed: list[str]) -> list[str]:
    """The shown lines not found, in order, among the printed ones (blank ones too)."""
    position = 0
    for n, want in enumerate(shown):
        if want == "...":
            continue
        while position < len(printed) and not matches(want, printed[position]):
            position += 1
        if position == len(printed):
            return shown[n:]
        position += 1
    return []


def test_the_page_has_a_session_to_follow():
    found = steps(DOC.read_text())
    commands = [c.split()[1] for c, _ in found if c.startswith("eirules ")]
    assert len(found) >= 15
    for name in ("demo", "db", "cases", "due", "overdue", "evaluate", "audit"):
        assert name in commands


def test_the_matcher_can_fail():
    assert matches("Imported: ... new", "Imported: 3 new")
    assert not matches("Imported: 3 new", "Imported: 4 new")
    assert missing_lines(["a", "...", "c"], ["a", "b", "c"]) == []
    assert missing_lines(["c", "a"], ["a", "b", "c"]) == ["a"]


@pytest.fixture
def new_user(tmp_path):
    """An empty folder holding the examples, and an environment with no caseload in it."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EIRULES_", "XDG_")) and k != "COLUMNS"
    }
    env.update(HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    return tmp_path, env


def test_docs_case_managers_runs_top_to_bottom_as_written(new_user):
    """Every command of the page, in order, from a fresh caseload: exit status and lines."""
    folder, env = new_user
    for command, shown in steps(DOC.read_text()):
        if command.startswith("export "):
            name, _, value = command[len("export ") :].partition("=")
            result = subprocess.run(
                ["bash", "-c", f'printf %s "{value}"'], cwd=folder, env=env,
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            env[name] = result.stdout
            continue
        result = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=env,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        expected = EXIT.search(command)
        code = int(expected.group(1)) if expected else 0
        printed = result.stdout.splitlines() + result.stderr.splitlines()
        assert result.returncode == code, (command, result.stdout[-2000:], result.stderr)
        lost = missing_lines(shown, printed)
        assert not lost, f"$ {command}\nnot printed: {lost[0]!r}\nprinted:\n" + "\n".join(
            printed[:40]
        )
