"""JSON text as `json.dumps` writes it, without building an encoder on every call.

`json.dumps` with any option other than its defaults builds a `JSONEncoder`, then
a C encoder, for every call: for the small documents a case passes through many
times (an event's canonical text, an audit entry, a table row's list) that costs
more than the encoding, about 2 us of 3. Each writer here is the same C encoder
(`json.encoder.c_make_encoder`) with the same options, made with a fresh
circular-reference guard per call as `json.dumps` does, so the text is
byte-for-byte the text `json.dumps` gives, and a circular structure is refused
with the same ValueError. Without the C accelerator (another Python
implementation) each writer is `json.dumps` itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from json import encoder as _json_encoder
from typing import Any

__all__ = ["canonical", "compact", "flat_ascii", "flat_compact", "plain", "quote", "quote_ascii"]

_DEFAULT = json.JSONEncoder().default  # the TypeError json.dumps raises for other objects

#: A text as JSON quotes it with ensure_ascii off (`canonical`, `compact`, `flat_compact`):
#: the one quoting of every writer here, and of a caller that writes a small document's
#: text itself (the audit log's one-pair entries) and must match `canonical` byte for byte.
quote = _json_encoder.c_encode_basestring or _json_encoder.py_encode_basestring
#: A text as JSON quotes it with ASCII escapes (`plain`, `flat_ascii`).
quote_ascii = _json_encoder.c_encode_basestring_ascii or _json_encoder.py_encode_basestring_ascii


def _writer(*, sort_keys: bool, separators: tuple[str, str], ascii: bool) -> Callable[[Any], str]:
    make = _json_encoder.c_make_encoder
    if make is None:  # pragma: no cover - CPython always has it
        return functools.partial(
            json.dumps, sort_keys=sort_keys, separators=separators, ensure_ascii=ascii
        )
    quoted = quote_ascii if ascii else quote
    item_sep, key_sep = separators

    def write(value: Any) -> str:
        if isinstance(value, str):  # json.dumps's own shortcut for a lone string
            return quoted(value)
        return "".join(
            make({}, _DEFAULT, quoted, None, key_sep, item_sep, sort_keys, False, True)(value, 0)
        )

    return write


#: `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`: the
#: canonical text of a document (equal data, equal text, equal hash).
canonical = _writer(sort_keys=True, separators=(",", ":"), ascii=False)
#: `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`: keys in their order.
compact = _writer(sort_keys=False, separators=(",", ":"), ascii=False)
#: `json.dumps(value)`: the default spacing and ASCII escapes.
plain = _writer(sort_keys=False, separators=(", ", ": "), ascii=True)


def _flat_writer(*, ascii: bool) -> Callable[[list], str]:
    """A writer of a list of scalars (text, numbers, true/false, null) only, with ","
    between items: one C encoder made once and kept, with no circular-reference guard
    (a list of scalars cannot hold itself). What a chain or digest hashes per row."""
    make = _json_encoder.c_make_encoder
    if make is None:  # pragma: no cover - CPython always has it
        return functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=ascii)
    encode = make(
        None, _DEFAULT, quote_ascii if ascii else quote, None, ":", ",", False, False, True
    )

    def write(values: list) -> str:
        return "".join(encode(values, 0))

    return write


#: `compact` of a list of scalars only (`_flat_writer`).
flat_compact = _flat_writer(ascii=False)
#: `json.dumps(values, separators=(",", ":"))` (ASCII escapes) of a list of scalars only.
flat_ascii = _flat_writer(ascii=True)
