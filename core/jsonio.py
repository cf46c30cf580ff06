"""The one JSON reader: every case file, caseload import and standard input goes through it.

Python's `json` module accepts things a case file must not hold and fails on
others with a traceback; this reader turns each into an `InputError` naming the
line and what to do:

- a UTF-8 byte-order mark (Windows editors write one) is accepted and dropped;
- bytes that are not UTF-8 are refused with their offset;
- a lone UTF-16 surrogate (``"\\ud800"``) is refused: it cannot be stored or printed;
- nesting deeper than `MAX_DEPTH` is refused (no case file needs more than a few levels);
- an integer longer than `MAX_DIGITS` digits is refused (no field needs one; Python
  itself refuses past 4,300 digits);
- a key given twice in one object is refused: which value was meant cannot be guessed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import InputError, Problem

#: Deepest nesting of objects and arrays accepted (a case file uses about six levels).
MAX_DEPTH = 64
#: Longest integer accepted, in digits (a date or a score needs a handful).
MAX_DIGITS = 30

_SURROGATE = re.compile("[\ud800-\udfff]")
_OPENERS = re.compile(r"[\[{]")
_LONE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class _Refused(ValueError):
    """Raised inside the parser's hooks; carries the problem found."""

    def __init__(self, what: str, fix: str, needle: str | None = None):
        super().__init__(what)
        self.what = what
        self.fix = fix
        self.needle = needle


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(
                    f"the key {json.dumps(key)} appears twice in one object",
                    "keep one of them: which value is meant cannot be guessed",
                    json.dumps(key),
                )
            seen.add(key)
    return result


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused(
            f"a number with {len(text.lstrip('-'))} digits",
            f"no field takes a number of more than {MAX_DIGITS} digits",
            text[: MAX_DIGITS + 1],
        )
    return int(text)


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number", "write a number or null", name)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)


def _line_col(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _where(text: str, needle: str | None) -> str:
    if needle:
        index = text.find(needle)
        if index >= 0:
            return _line_col(text, index)
    return "$"


def _too_deep(text: str) -> int | None:
    """The index of the first bracket nested deeper than MAX_DEPTH, else None (strings skipped)."""
    if len(_OPENERS.findall(text)) <= MAX_DEPTH:
        return None  # cannot be that deep: the usual case costs one C-speed scan
    depth, in_string, escaped = 0, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif char in "]}":
            depth -= 1
    return None


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def decode_text(data: bytes, *, source: str) -> str:
    """UTF-8 bytes (a BOM allowed) to text, or InputError naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not UTF-8 text",
            [
                Problem(
                    f"byte {exc.start}",
                    f"0x{data[exc.start]:02x} is not UTF-8",
                    "save it as UTF-8",
                )
            ],
        ) from None


def parse_json(text: str | bytes, *, source: str = "input") -> Any:
    """Parse JSON text or UTF-8 bytes, or raise InputError saying where and what is wrong."""
    if isinstance(text, bytes):
        text = decode_text(text, source=source)
    text = text.removeprefix("\ufeff")
    message = f"{source} is not valid JSON"
    deep = _too_deep(text)
    if deep is not None:
        raise InputError(
            message,
            [
                Problem(
                    _line_col(text, deep),
                    f"nested more than {MAX_DEPTH} levels deep",
                    "a case file needs a few levels; check the file was exported correctly",
                )
            ],
        )
    try:
        value = _DECODER.decode(text)
    except _Refused as exc:
        raise InputError(message, [Problem(_where(text, exc.needle), exc.what, exc.fix)]) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            message, [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)]
        ) from None
    except (ValueError, RecursionError) as exc:  # defensive: the checks above should catch these
        raise InputError(message, [Problem("$", str(exc) or exc.__class__.__name__)]) from None
    if ("\\u" in text or _SURROGATE.search(text)) and _has_surrogate(value):
        match = _LONE_ESCAPE.search(text) or _SURROGATE.search(text)
        raise InputError(
            message,
            [
                Problem(
                    _line_col(text, match.start()) if match else "$",
                    "a lone UTF-16 surrogate (\\ud800 to \\udfff) is not a character",
                    "remove it or write the character it was meant to be",
                )
            ],
        )
    return value


def read_json(path: str | Path) -> Any:
    """Read and parse a JSON file; InputError for a missing, unreadable or invalid file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", [Problem("", "check the path")]) from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder", [Problem("", "give a file")]) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_json(data, source=str(path))
