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

Files are opened through `input_files` (regular files only, at most
`input_files.MAX_INPUT_BYTES` a document, or a record of a file read record by record).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import input_files
from .errors import InputError, Problem
from .input_files import RECORD_FIX, megabytes, open_input, read_input, too_large

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
#: Finds where a refused record ends, so the records after it can be read.
_PLAIN = json.JSONDecoder()


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


def read_json(path: str | Path, *, expected: str = "a JSON file") -> Any:
    """Read and parse a JSON file; InputError for a missing, unreadable, invalid or
    oversized file, or one that is not a regular file (`input_files.read_input`)."""
    return parse_json(read_input(path, expected=expected), source=str(path))


#: Bytes read from a large file at a time by `iter_records`.
READ_SIZE = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


def _checked(text: str, value: Any, message: str) -> Any:
    """The checks `parse_json` makes beyond the decoder's hooks, on one record's text."""
    deep = _too_deep(text)
    if deep is not None:
        raise InputError(
            message,
            [Problem(_line_col(text, deep), f"nested more than {MAX_DEPTH} levels deep")],
        )
    if ("\\u" in text or _SURROGATE.search(text)) and _has_surrogate(value):
        raise InputError(
            message,
            [Problem("$", "a lone UTF-16 surrogate (\\ud800 to \\udfff) is not a character")],
        )
    return value


def iter_records(path: Path, *, source: str | None = None):
    """The records of a large JSON file one at a time, never the whole file in memory.

    A JSON array (`[{...}, {...}]`) is read `READ_SIZE` bytes at a time and each
    element decoded as soon as it is whole; JSON Lines (`.jsonl`, `.ndjson`: one
    document a line) line by line; any other document is one record. Yields
    `(number, line, value)`, or `(number, line, InputError)` for an element that
    is not valid JSON (the same checks and messages as `parse_json`); an array
    that is broken between elements ends with an InputError, as its remaining
    records cannot be found.
    """
    source = source or str(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _json_lines(path, source)
        return
    with open_input(path, expected="a caseload file") as handle:
        head = handle.read(READ_SIZE)
        text = decode_text(head[: len(head) - _partial_utf8(head)], source=source)
        carry = head[len(head) - _partial_utf8(head) :]
        text = text.removeprefix("\ufeff")
        start = _SPACE.match(text).end()
        if not text[start : start + 1] == "[":
            rest = handle.read(max(0, input_files.MAX_INPUT_BYTES + 1 - len(head)))
            if len(head) + len(rest) > input_files.MAX_INPUT_BYTES:
                yield 1, 1, too_large(source, where="", fix=RECORD_FIX)
                return
            yield 1, 1, _one(head + rest, source)
            return
        yield from _array(handle, text, start + 1, carry, source)


def _partial_utf8(data: bytes) -> int:
    """How many bytes at the end of `data` begin a UTF-8 character not yet complete."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte (or ASCII)
            need = 1 if byte < 0x80 else 2 if byte >> 5 == 6 else 3 if byte >> 4 == 14 else 4
            return back if need > back else 0
    return 0


def _one(data: bytes, source: str) -> Any:
    try:
        return parse_json(data, source=source)
    except InputError as exc:
        return exc


def _json_lines(path: Path, source: str):
    with open_input(path, expected="a caseload file") as handle:
        line_number = 0
        while raw := handle.readline(input_files.MAX_INPUT_BYTES + 1):
            line_number += 1
            if len(raw) > input_files.MAX_INPUT_BYTES and not raw.endswith(b"\n"):
                while (rest := handle.readline(READ_SIZE)) and not rest.endswith(b"\n"):
                    pass  # the rest of the line, dropped unread
                yield (
                    line_number,
                    line_number,
                    too_large(f"{source}, line {line_number}", where="", fix=RECORD_FIX),
                )
                continue
            if line_number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:  # without its line break: a place in it is "line 1, column N", on this line
                value = parse_json(raw.rstrip(b"\r\n"), source=f"{source}, line {line_number}")
            except InputError as exc:
                yield line_number, line_number, exc
                continue
            yield line_number, line_number, value


def _array(handle, text: str, pos: int, carry: bytes, source: str):
    """The elements of an array whose text so far is `text`, reading on from `handle`."""
    message = f"{source} is not valid JSON"
    # line: the line of index `counted` of the window; col_base: characters of that
    # line dropped with the text before the window.
    state = {"text": text, "carry": carry, "eof": False, "line": 1, "counted": 0, "col_base": 0}

    def more() -> bool:
        """Read the next piece into the window (dropping what was read); False at the end."""
        if state["eof"]:
            return False
        data = state["carry"] + handle.read(READ_SIZE)
        if len(data) == len(state["carry"]):
            state["eof"] = True
            if data:
                state["text"] += decode_text(data, source=source)  # a character cut short
                state["carry"] = b""
                return True
            return False
        cut = _partial_utf8(data)
        state["carry"] = data[len(data) - cut :] if cut else b""
        state["text"] += decode_text(data[: len(data) - cut], source=source)
        return True

    def line_at(index: int) -> int:
        state["line"] += state["text"].count("\n", state["counted"], index)
        state["counted"] = index
        return state["line"]

    def line_col(index: int) -> str:
        line = line_at(index)
        text = state["text"]
        start = text.rfind("\n", 0, index) + 1
        base = state["col_base"] if start == 0 else 0
        return f"line {line}, column {base + index - start + 1}"

    def skip(index: int) -> int:
        """The first non-space index from `index`, reading on when the window ends."""
        while True:
            index = _SPACE.match(state["text"], index).end()
            if index < len(state["text"]) or not more():
                return index

    def trim(index: int) -> int:
        """Drop the window's text before `index` once it is large; the index in the new text."""
        if index < READ_SIZE:
            return index
        line_at(index)
        dropped = state["text"][:index]
        newline = dropped.rfind("\n")
        state["col_base"] = (
            state["col_base"] + len(dropped) if newline < 0 else len(dropped) - newline - 1
        )
        state["text"] = state["text"][index:]
        state["counted"] = 0
        return 0

    number = 0
    while True:
        pos = skip(trim(pos))
        text = state["text"]
        if pos >= len(text):
            raise InputError(message, [Problem(line_col(pos), "the array is not closed with ]")])
        if text[pos] == "]":
            end = skip(pos + 1)
            if end < len(state["text"]):
                raise InputError(
                    message, [Problem(line_col(end), "text after the end of the array")]
                )
            return
        if number:
            if text[pos] != ",":
                raise InputError(
                    message, [Problem(line_col(pos), "expected , or ] between records")]
                )
            pos = skip(pos + 1)
        number += 1
        line = line_at(pos)
        while True:
            text = state["text"]
            try:
                value, end = _DECODER.raw_decode(text, pos)
            except _Refused as exc:
                # A duplicate key, a huge number, NaN: the record is refused, and its end
                # found by the plain decoder, so the records after it are still read.
                value = InputError(
                    message, [Problem(f"record {number}, line {line}", exc.what, exc.fix)]
                )
                try:
                    _, end = _PLAIN.raw_decode(text, pos)
                except json.JSONDecodeError:
                    if more():
                        continue
                    raise InputError(
                        message, [Problem(f"line {line}", "the array is not closed")]
                    ) from None
            except json.JSONDecodeError as exc:
                if len(text) - pos > input_files.MAX_INPUT_BYTES:
                    raise InputError(
                        message,
                        [
                            Problem(
                                f"record {number}, line {line}",
                                f"a record larger than {megabytes(input_files.MAX_INPUT_BYTES)}",
                                RECORD_FIX,
                            )
                        ],
                    ) from None
                if more():
                    continue
                raise InputError(message, [Problem(line_col(exc.pos), exc.msg)]) from None
            except (ValueError, RecursionError) as exc:
                raise InputError(
                    message, [Problem(f"record {number}, line {line}", str(exc))]
                ) from None
            if end >= len(text) and more():
                continue  # a number cut at the end of the window: read on, decode again
            break
        if not isinstance(value, InputError):
            try:
                value = _checked(text[pos:end], value, message)
            except InputError as exc:
                value = exc
        yield number, line, value
        pos = end
