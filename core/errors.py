"""Errors eirules raises for bad input, bad rulesets and storage problems."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from datetime import date

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with an input: where it is, what was found, how to fix it."""

    where: str
    what: str
    fix: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f"; {self.fix}"
        return one_line(text)


def one_line(text: str) -> str:
    """A message line with any line break from data shown as \\n: it cannot forge a line."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


class EirulesError(Exception):
    """Base class for every error eirules raises on purpose."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.problems:
            return one_line(self.message)
        lines = [one_line(self.message)]
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)


def error_to_dict(exc: EirulesError) -> dict:
    """An error as JSON, as the CLI and the HTTP API give it: message, kind, problems."""
    return {
        "error": exc.message,
        "kind": exc.__class__.__name__,
        "problems": [{"where": p.where, "what": p.what, "fix": p.fix} for p in exc.problems],
    }


class InputError(EirulesError):
    """A case file, CSV row or command argument is not valid."""


class RulesetError(EirulesError):
    """A ruleset file is not valid, or a ruleset or parameter cannot be found."""


class UnknownRuleset(RulesetError):
    """A ruleset id no ruleset folder has: a typo or a ruleset not installed, given by
    whoever asked (an option, a case file's "ruleset", an `extends`), so bad input."""

    exit_code = 2


class StorageError(EirulesError):
    """The caseload database cannot be opened, read or written."""


class PluginError(EirulesError):
    """A plugin returned something the engine cannot use."""


class ValueProblem(ValueError):
    """A value in an input is wrong: what was found and, when known, what was expected.

    Raised by model validators and converter hooks; the converter adds the
    JSON path. `field` names the attribute when an object-level check blames one.
    """

    def __init__(self, what: str, fix: str | None = None, *, field: str | None = None):
        self.what = what
        self.fix = fix
        self.field = field
        super().__init__(f"{what}; {fix}" if fix else what)


def show_value(value: object, limit: int = 60) -> str:
    """A value as the user wrote it (JSON where possible), cut short when long."""
    try:
        text = json.dumps(value, allow_nan=True, default=repr)
    except (ValueError, TypeError, RecursionError):
        # Ints past Python's digit limit, deep nesting: describe rather than print.
        text = "a very large number" if isinstance(value, int) else f"a {type(value).__name__}"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def show_toml(value: object, limit: int = 60) -> str:
    """A value as a ruleset author writes it in TOML (a string in double quotes, a date
    as 2026-07-01, true/false, arrays and inline tables), cut short when long."""
    text = _toml(value, depth=0)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _toml(value: object, depth: int) -> str:
    if depth > 8:
        return "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: escapes controls and non-ASCII
    if isinstance(value, date):  # a date, or a date-time (a datetime is a date)
        return value.isoformat()
    if isinstance(value, int | float):
        return show_value(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {_toml(v, depth + 1)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return show_value(value)


def _key(key: object) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return 'did you mean "x"?' for the closest choice (every tied one), or None."""
    choices = list(choices)
    folded = {str(c).casefold().replace("-", "_").replace(" ", "_"): c for c in choices}
    same = folded.get(str(word).casefold().replace("-", "_").replace(" ", "_"))
    if same is not None and same != word:  # "Birth Date", "birth-date", "BIRTH_DATE"
        return f'did you mean "{same}"?'
    # Every choice as close as the closest, not just one: difflib breaks a tie by
    # taking the later string, so "SYN-C-002" got only "SYN-C-0102" and never the
    # equally close (and likelier) "SYN-C-0002". Up to three, in their own order.
    matches = difflib.get_close_matches(str(word), choices, n=3, cutoff=0.6)
    if not matches:
        return None
    score = difflib.SequenceMatcher(None, str(word), matches[0]).ratio()
    tied = sorted(
        m for m in matches if difflib.SequenceMatcher(None, str(word), m).ratio() == score
    )
    return "did you mean " + " or ".join(f'"{m}"' for m in tied) + "?"
