"""No output option replaces a file the command reads (cli/output_options.py, `OutputPath`).

QA: `EIRULES_DB=cc.db eirules overdue --format csv --out cc.db` replaced the SQLite caseload
with a CSV listing ("file is not a database" afterwards), and the same with every output
option: `due --out`, `indicators --out`, `cases export -o`, `audit log --out`, the
rejects file of `cases import`, `plans report CASE --out CASE`, `meetings notice`.
A child's records held for the agency (34 CFR 300.623, 303.415: safeguards of
personally identifiable information) were lost by a typo. Now every such target is
refused (exit 2, one `Error:` line naming the option, nothing written, the file
byte-identical) when it is the same file as the caseload, one of its -wal, -shm and
-journal files, or a file the command reads, however it is spelt (a hard link, `../`).

The commands are found by walking the click tree, so a new command with an output
option fails here until it has a recipe below.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.cli.output_options import InputPath, OutputPath, note_database

EXAMPLES = Path(__file__).parent.parent / "examples"
CASE = EXAMPLES / "plans" / "pc-ifsp-outcomes.json"
REFUSED = "writing there would replace it"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def _label(param: click.Parameter) -> str:
    return max(param.opts, key=len) if isinstance(param, click.Option) else param.name


def output_options() -> list[tuple[tuple[str, ...], str]]:
    """Every (command, option) pair of the command tree whose option names a file to write."""
    return [
        (path, _label(param))
        for path, command in _commands(cli)
        for param in command.params
        if isinstance(param.type, OutputPath)
    ]


#: Parameters naming a path that are neither a file read nor a file written, and why.
NOT_READ_NOR_WRITTEN = {
    (("db", "init"), "path"): "the caseload to create: checked by core/store/new_file.py",
    (("demo",), "--db"): "the demo caseload it builds; the command writes no other file",
    (("progress",), "--out"): "a folder of graphs named <student>-<series>; no file of it is read",
    (("rulesets", "new"), "--dir"): "the folder to create a ruleset in",
}


def test_every_path_parameter_is_a_file_read_a_file_written_or_explained():
    """So a new option naming a file cannot bypass the check: it is an InputPath (noted as
    read), an OutputPath (checked against what is read), the --db option (noted as read by
    its callback), or listed above with the reason it is neither."""
    unexplained = []
    for path, command in _commands(cli):
        for param in command.params:
            if not isinstance(param.type, click.Path):
                continue
            if isinstance(param.type, InputPath | OutputPath) or param.callback is note_database:
                continue
            if (path, _label(param)) not in NOT_READ_NOR_WRITTEN:
                unexplained.append((" ".join(path), _label(param)))
    assert unexplained == []


#: How to run each command with an output option: its other arguments, and the file it reads
#: (besides the caseload): "case", "csv", "student" (an MTSS student's file) or None.
RECIPES: dict[tuple[str, ...], tuple[list[str], str | None]] = {
    ("audit", "access"): (["--case", "SYN-C-0001"], None),
    ("audit", "anchor"): ([], None),
    ("audit", "log"): ([], None),
    ("cases", "destroy"): (["SYN-C-0001", "--reason", "test", "--yes"], None),
    ("cases", "export"): (["SYN-C-0001"], None),
    ("cases", "import"): (["{csv}", "--skip-invalid"], "csv"),
    ("cases", "list"): ([], None),
    ("due",): ([], None),
    ("overdue",): ([], None),
    ("indicators",): (["--year", "2025-26"], None),
    ("meetings", "notice"): (["{case}", "ifsp-review-2026-04"], "case"),
    ("plans", "report"): (["{case}", "--as-of", "2026-02-01"], "case"),
    ("mtss", "meeting"): (["--dir", "{school}", "--date", "2026-03-06"], "student"),
    ("mtss", "packet"): (["ELM-001", "--dir", "{school}"], "student"),
    ("programs", "report"): (["--dir", "{school}"], "student"),
}


def test_every_command_with_an_output_option_has_a_recipe():
    assert sorted({path for path, _ in output_options()} - set(RECIPES)) == []


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A caseload (EIRULES_DB) held open in WAL mode, so its -wal and -shm files exist,
    a case file, a CSV and a copy of the bundled MTSS school, all in tmp_path/data."""
    from eirules.plugins.mtss import datadir

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("EIRULES_DB", str(data / "caseload.db"))
    monkeypatch.setenv("EIRULES_CHROMIUM", "/nonexistent/chromium")  # --pdf: never started
    assert CliRunner().invoke(cli, ["db", "init"]).exit_code == 0
    shutil.copy(CASE, data / "case.json")
    (data / "cases.csv").write_text("id,program\n")
    shutil.copytree(datadir.bundled_dir(), data / "school")
    holder = sqlite3.connect(data / "caseload.db")
    holder.execute("CREATE TABLE IF NOT EXISTS held (x)")  # a write makes the -wal file
    holder.execute("BEGIN")
    holder.execute("INSERT INTO held VALUES (1)")
    assert (data / "caseload.db-wal").exists() and (data / "caseload.db-shm").exists()
    yield data
    holder.rollback()
    holder.close()


def _input_of(data: Path, kind: str | None) -> Path:
    return {
        None: data / "caseload.db",
        "case": data / "case.json",
        "csv": data / "cases.csv",
        "student": data / "school" / "students" / "ELM-001.json",
    }[kind]


def _args(data: Path, path: tuple[str, ...], option: str, target: str) -> list[str]:
    """The command line writing `option` to `target`; any other required output to a
    harmless file of its own."""
    rest, _ = RECIPES[path]
    args = [*path, *(a.format(csv=data / "cases.csv", case=data / "case.json",
                              school=data / "school") for a in rest)]  # fmt: skip
    command = dict(_commands(cli))[path]
    for param in command.params:
        if param.required and isinstance(param.type, OutputPath) and _label(param) != option:
            args += [_label(param), str(data.parent / f"other{_label(param).strip('-')}.html")]
    return [*args, option, target]


def _refused(data: Path, path, option: str, target: str, real: Path) -> None:
    before = real.read_bytes()
    inode = os.stat(real).st_ino
    result = CliRunner().invoke(cli, _args(data, path, option, target))
    assert result.exit_code == 2, (path, option, target, result.output)
    assert result.output.startswith(f"Error: {target} is "), result.output
    assert REFUSED in result.output and f"\n  {option}: it is the same file as " in result.output
    assert real.read_bytes() == before and os.stat(real).st_ino == inode
    assert not [p for p in real.parent.iterdir() if p.name.startswith(f".{Path(target).name}.")]


@pytest.mark.parametrize(("path", "option"), output_options(), ids=lambda x: " ".join(x) if
                         isinstance(x, tuple) else x)  # fmt: skip
def test_an_output_onto_the_caseload_its_wal_or_an_input_is_refused_untouched(
    place, monkeypatch, path, option
):
    """Onto the caseload itself, onto its -wal file, onto a hard link to the file the
    command reads (the caseload when it reads no other), and onto that file by a ../ path."""
    data = place
    db = data / "caseload.db"
    _refused(data, path, option, str(db), db)
    _refused(data, path, option, str(data / "caseload.db-wal"), data / "caseload.db-wal")
    read = _input_of(data, RECIPES[path][1])
    link = data.parent / f"link-{read.name}"
    if not link.exists():
        os.link(read, link)
    _refused(data, path, option, str(link), read)
    (data / "sub").mkdir(exist_ok=True)
    monkeypatch.chdir(data / "sub")
    _refused(data, path, option, os.path.join("..", os.path.relpath(read, data)), read)


def test_the_order_of_the_arguments_does_not_matter(place):
    """The output given before the case file it would replace is refused as well."""
    case = place / "case.json"
    before = case.read_bytes()
    result = CliRunner().invoke(cli, ["plans", "report", "--out", str(case), str(case)])
    assert result.exit_code == 2 and REFUSED in result.output
    assert case.read_bytes() == before


def test_the_default_rejects_file_is_refused_when_it_is_being_imported(place):
    """`cases import caseload-rejects.jsonl --skip-invalid` (importing the fixed rejects
    back) would have written the new rejects over the file being read."""
    rejects = place / "caseload-rejects.jsonl"
    rejects.write_text('{"id": 1}\n')
    result = CliRunner().invoke(cli, ["cases", "import", str(rejects), "--skip-invalid"])
    assert result.exit_code == 2 and REFUSED in result.output, result.output
    assert "  --rejects: it is the same file as " in result.output
    assert rejects.read_text() == '{"id": 1}\n'


def test_a_file_of_an_imported_folder_is_refused_any_other_file_is_written(place, tmp_path):
    """A folder is read for its .json, .jsonl and .csv files (core/importing.files_in):
    one of them is refused as the rejects file, a note beside them is not read."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.json").write_text('{"id": 1}\n')
    (folder / "notes.txt").write_text("kept aside\n")
    db = ["--db", str(tmp_path / "own.db")]  # not the one `place` holds a write lock on
    assert CliRunner().invoke(cli, ["db", "init", str(tmp_path / "own.db")]).exit_code == 0
    args = ["cases", "import", str(folder), "--skip-invalid", *db, "--rejects"]
    result = CliRunner().invoke(cli, [*args, str(folder / "bad.json")])
    assert result.exit_code == 2 and "a file this command reads (in PATHS)" in result.output
    assert (folder / "bad.json").read_text() == '{"id": 1}\n'
    result = CliRunner().invoke(cli, [*args, str(folder / "notes.txt")])
    assert result.exit_code == 2 and "Rejected 1 record" in result.output, result.output
    assert (folder / "notes.txt").read_text().startswith("{")


def test_the_default_caseload_and_a_db_option_are_protected_too(place, tmp_path, monkeypatch):
    """--db given on the command line, and with neither --db nor $EIRULES_DB the default
    caseload under $XDG_DATA_HOME."""
    other = tmp_path / "other.db"
    CliRunner().invoke(cli, ["db", "init", str(other)])
    before = other.read_bytes()
    result = CliRunner().invoke(cli, ["due", "--db", str(other), "--out", str(other)])
    assert result.exit_code == 2 and "the caseload database (--db" in result.output
    assert other.read_bytes() == before
    monkeypatch.delenv("EIRULES_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = tmp_path / "xdg" / "eirules" / "caseload.db"
    assert CliRunner().invoke(cli, ["db", "init"]).exit_code == 0 and default.exists()
    before = default.read_bytes()
    result = CliRunner().invoke(cli, ["overdue", "--format", "csv", "--out", str(default)])
    assert result.exit_code == 2 and REFUSED in result.output
    assert default.read_bytes() == before


# `-` and folders -----------------------------------------------------------------------


def test_dash_is_the_standard_output_where_the_command_prints_there(place, tmp_path, monkeypatch):
    """QA: `--out -` made a file named "-". Where the output goes to the standard output
    without the option (the listings, `cases export -o`), `-` means that."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["due", "--format", "csv", "--out", "-"])
    assert result.exit_code == 0 and result.output.startswith("kind,due,days_left,")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    "args",
    [["plans", "report", "{case}", "--out", "-"], ["meetings", "notice", "{case}", "x", "--out",
     "-"], ["cases", "import", "{case}", "--skip-invalid", "--rejects", "-"]],
)  # fmt: skip
def test_dash_is_refused_where_the_command_has_no_standard_output(
    place, tmp_path, monkeypatch, args
):
    monkeypatch.chdir(tmp_path)
    option = args[-2]
    result = CliRunner().invoke(cli, [a.format(case=place / "case.json") for a in args])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {option} -: this command does not write {option} to the standard output\n"
        f'  {option}: "-" would be a file named "-"; give a file name (./- for a file named -)\n'
    )
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("path", "option"), output_options(), ids=lambda x: " ".join(x) if
                         isinstance(x, tuple) else x)  # fmt: skip
def test_a_folder_as_output_is_the_one_error_style_not_a_usage_error(place, tmp_path, path, option):
    """QA: `--out SOMEDIR` gave click's "Usage: ... Invalid value" unlike every other refusal."""
    folder = tmp_path / "somedir"
    folder.mkdir(exist_ok=True)
    result = CliRunner().invoke(cli, _args(place, path, option, str(folder)))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {folder} is a folder, not a file eirules can write\n"
        f"  {option}: {folder} is a folder; give a file name\n"
    )


# Any spelling of the same file ---------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(st.sampled_from([".", "sub/..", "sub/./..", "sub//..", ""]), max_size=4),
    name=st.sampled_from(["caseload.db", "caseload.db-wal", "caseload.db-shm", "case.json"]),
    absolute=st.booleans(),
    out_first=st.booleans(),
)
def test_any_spelling_of_a_file_read_is_refused(
    place, monkeypatch, parts, name, absolute, out_first
):
    """However the path is written (./, sub/.., doubled slashes, absolute or relative) and
    wherever --out stands on the command line, the caseload, its companions and the case
    file stay as they were."""
    data = place
    (data / "sub").mkdir(exist_ok=True)
    monkeypatch.chdir(data)
    spelt = "/".join([*parts, name])
    target = f"{data}/{spelt}" if absolute else f"./{spelt}"
    real = data / name
    before = real.read_bytes()
    case, out = [str(data / "case.json")], ["--out", target]
    args = ["plans", "report", *(out + case if out_first else case + out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and REFUSED in result.output, result.output
    assert real.read_bytes() == before


def _commands_with_two_outputs() -> list[tuple[tuple[str, ...], tuple[str, str]]]:
    by_command: dict[tuple[str, ...], list[str]] = {}
    for path, option in output_options():
        by_command.setdefault(path, []).append(option)
    return [(path, tuple(options[:2])) for path, options in by_command.items() if len(options) > 1]


@pytest.mark.parametrize(("path", "options"), _commands_with_two_outputs(),
                         ids=lambda x: " ".join(x))  # fmt: skip
def test_two_outputs_of_one_command_naming_one_file_are_refused(place, tmp_path, path, options):
    """QA: `--html x --pdf x` wrote the page, then the PDF over it: only the last one
    written was left. Two outputs naming one file (by its name, a ../ spelling or a hard
    link) are refused before any work is done, and the file is left as it was."""
    first, second = options
    target = tmp_path / "same.out"
    target.write_text("kept\n")
    os.link(target, tmp_path / "link.out")
    (tmp_path / "sub").mkdir()
    for other in (
        str(target),
        str(tmp_path / "link.out"),
        str(tmp_path / "sub" / ".." / "same.out"),
    ):
        args = _args(place, path, first, str(target))
        args += [second, other]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "one of the two outputs would replace the other" in result.output, result.output
        assert f"\n  {second}: the same file as " in result.output, result.output
        assert target.read_text() == "kept\n"
