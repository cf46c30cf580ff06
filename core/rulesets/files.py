"""One ruleset TOML file read for checking: each problem with its file, line and key path."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeGuard

import attrs

from ..errors import InputError, Problem, did_you_mean
from ..input_files import read_input, read_text
from ..text import text_problem


@attrs.frozen
class RulesetProblem(Problem):
    """A Problem in a ruleset file, with its parts kept apart for programs (JSON output)."""

    file: str = ""
    line: int | None = None
    key: str = ""


# Line numbers ------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEYPART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER_RE = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_KEY_RE = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_KEYPART)


def _split_dotted(raw: str) -> list[str]:
    parts = []
    for match in _PART_RE.finditer(raw):
        part = match.group(0)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def _strip_strings(text: str) -> str:
    return re.sub(_QUOTED, '""', text).split("#", 1)[0]


def _in_arrays(parts: list[str], counters: dict[str, int]) -> str:
    """A header's path with the index of each enclosing array of tables: a[1].b for [a.b]."""
    path = ""
    for i, part in enumerate(parts):
        path = f"{path}.{part}" if path else part
        if path in counters and i < len(parts) - 1:
            path = f"{path}[{counters[path]}]"
    return path


def line_index(text: str) -> dict[str, int]:
    """Map each key path written in a TOML text to its line (best effort, never fails).

    Paths look like the ones in problems: ``parameters.a.b.values[1].citation``.
    """
    index: dict[str, int] = {}
    counters: dict[str, int] = {}
    current = ""
    multiline: str | None = None
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if multiline:
            if multiline in line:
                multiline = None
            continue
        if depth > 0:
            cleaned = _strip_strings(line)
            depth += cleaned.count("[") - cleaned.count("]")
            continue
        header = _HEADER_RE.match(line)
        if header:
            path = _in_arrays(_split_dotted(header.group(2)), counters)
            if header.group(1) == "[[":
                i = counters.get(path, -1) + 1
                counters[path] = i
                current = f"{path}[{i}]"
            else:
                current = path
            index.setdefault(current, number)
            continue
        key = _KEY_RE.match(line)
        if not key:
            continue
        name = ".".join(_split_dotted(key.group(1)))
        index.setdefault(f"{current}.{name}" if current else name, number)
        rest = line[key.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) == 1:
                multiline = quote
        if multiline is None and rest.strip().startswith("["):
            cleaned = _strip_strings(rest)
            depth = max(cleaned.count("[") - cleaned.count("]"), 0)
    return index


def find_line(index: dict[str, int], keypath: str) -> int | None:
    """The line of a key path, of the first thing written under it, or of its nearest ancestor."""
    if keypath in index:
        return index[keypath]
    below = [n for k, n in index.items() if k.startswith((keypath + ".", keypath + "["))]
    if below:
        return min(below)
    path = keypath
    while path:
        if path in index:
            return index[path]
        if path.endswith("]") and "[" in path:
            path = path[: path.rindex("[")]
        elif "." in path:
            path = path.rsplit(".", 1)[0]
        else:
            break
    return None


#: What a ruleset folder holds, as a refusal of something else names it.
TOML_FILE = "a TOML file"
#: What a refusal of a ruleset file over `input_files.MAX_INPUT_BYTES` says to do.
SIZE_FIX = (
    "a ruleset's TOML file is a few kilobytes (the largest shipped one is under 50 KB): "
    "check that this is the file meant"
)


def read_toml_bytes(path: Path) -> bytes:
    """The bytes of a file of a ruleset folder, read by the one opener of input files
    (core/input_files.py): a device, a named pipe, a socket or a folder is refused
    without being read, and so is a file over 32 MiB (InputError)."""
    return read_input(path, expected=TOML_FILE, fix=SIZE_FIX, found_in=f"the folder {path.parent}")


def read_toml_text(path: Path) -> str:
    """`read_toml_bytes` as text, line ends as `Path.read_text` reads them (InputError,
    UnicodeDecodeError)."""
    return read_text(path, expected=TOML_FILE, fix=SIZE_FIX, found_in=f"the folder {path.parent}")


#: The keys of a ruleset file whose text may break lines: a description, a value's note.
NOTE_KEYS = ("description", "note")
_PLAIN_FIX = "remove it: all but a description or a note is plain text on one line"


class _FileReader:
    """Collects problems for one TOML file, each with its line where it can be found."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        self.data: dict = {}
        self.index: dict[str, int] = {}
        self.text = ""
        try:
            self.text = read_toml_text(path)
        except InputError as exc:
            first = exc.problems[0] if exc.problems else None
            if first is not None and first.where == str(path):  # not a file, too large
                self.add("", first.what, first.fix)
            else:  # gone, or not readable by this account
                what = exc.message.removeprefix(f"{path}: ")
                self.add("", what, "check the path and the file's permissions")
            return
        except UnicodeDecodeError as exc:
            self.add("", f"cannot read the file ({exc})", "save it as UTF-8 text")
            return
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            self.add(
                "",
                f"not valid TOML: {exc}",
                "fix the syntax at that line",
                line=int(match.group(1)) if match else None,
            )
            return
        except (ValueError, RecursionError) as exc:  # tomllib may raise these on odd input
            self.add("", f"not valid TOML: {exc}", "fix the syntax")
            return
        self.index = line_index(self.text)
        self._check_text(self.data, "")

    def _check_text(self, value: Any, keypath: str) -> None:
        """The one text check (core/text.py `text_problem`) of every key and string of the
        file: a citation, a label, a reason, an id, a choice. Only a `description` or a
        `note` may break lines (TOML's multi-line strings); nothing may hold another
        control, bidi or invisible character, which would reach every determination,
        listing and report that quotes it."""
        if isinstance(value, str):
            note = keypath.rpartition(".")[2] in NOTE_KEYS
            if (found := text_problem(value, note=note)) is not None:
                self.add(keypath, found[0], found[1] if note else _PLAIN_FIX)
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{keypath}.{key}" if keypath else str(key)
                if (found := text_problem(str(key))) is not None:
                    self.add(path, f"the key {found[0]}", _PLAIN_FIX)
                self._check_text(item, path)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._check_text(item, f"{keypath}[{i}]")

    def line(self, keypath: str) -> int | None:
        return find_line(self.index, keypath) if keypath else None

    def add(self, keypath: str, what: str, fix: str | None = None, line: int | None = None):
        line = line if line is not None else self.line(keypath)
        where = str(self.path) + (f":{line}" if line else "")
        if keypath:
            where += f": {keypath}"
        self.problems.append(
            RulesetProblem(where, what, fix, file=str(self.path), line=line, key=keypath)
        )


def _expected(choices: Iterable[str]) -> str:
    return "expected one of: " + ", ".join(str(c) for c in choices)


def _hint(found: Any, choices: Iterable[str]) -> str:
    """'did you mean "x"?' when a choice is close, else the list of choices."""
    choices = tuple(choices)
    return did_you_mean(str(found), choices) or _expected(choices)


def _check_keys(reader: _FileReader, table: dict, allowed: Iterable[str], keypath: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            reader.add(
                f"{keypath}.{key}" if keypath else key, f'unknown key "{key}"', _hint(key, allowed)
            )


def _kind(value: Any) -> str:
    """A TOML word for the type of a value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, date):
        return "a date-time" if hasattr(value, "hour") else "a date"
    return type(value).__name__


def _is_date(value: Any) -> TypeGuard[date]:
    return isinstance(value, date) and not hasattr(value, "hour")
