"""Characters no id or name may hold, and that output shows as visible escapes.

C0 and C1 controls (ESC starts terminal commands, a newline forges a row),
DEL, bidirectional marks, embeddings, overrides and isolates (they reorder
what a reader sees), zero-width and invisible operators, line and paragraph
separators and the byte-order mark.
"""

from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def first_unsafe(text: str) -> str | None:
    """The first control or bidi character in `text`, as U+XXXX, or None."""
    match = UNSAFE.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def an(word: str) -> str:
    """The indefinite article for `word` as written ("an" before a vowel letter)."""
    return "an" if word[:1].lower() in "aeiou" else "a"
