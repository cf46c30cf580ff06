"""Characters no id or name may hold, and that output shows as visible escapes.

C0 and C1 controls (ESC starts terminal commands, a newline forges a row),
DEL, bidirectional marks, embeddings, overrides and isolates (they reorder
what a reader sees), zero-width and invisible operators, line and paragraph
separators and the byte-order mark.
"""

from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


#: The most characters one piece of text may hold where it enters a caseload (an id, a
#: name, a login, a district, a note, a value of an MTSS import). A data-hygiene setting,
#: not a legal number: a case note is a few sentences, and a full typed page is about
#: 3,000 characters; 4,000 leaves room for that page while a pasted document, a whole
#: file in a cell or a runaway script stays out of tables, CSV cells and the audit log.
MAX_TEXT = 4000
#: What a note may hold that a name may not: its own line breaks and tabs.
_NOTE_BREAKS = re.compile("[\n\t]")


def first_unsafe(text: str) -> str | None:
    """The first control or bidi character in `text`, as U+XXXX, or None."""
    match = UNSAFE.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def text_problem(text: str, *, note: bool = False) -> tuple[str, str] | None:
    """What is wrong with text entering the caseload and how to fix it, or None: the one
    check every way in applies (case files, CSV rows, options, staff, MTSS imports).

    A control or bidi character (a `note` may also break lines and hold tabs), or
    more than MAX_TEXT characters.
    """
    if text.isprintable() and len(text) <= MAX_TEXT:
        return None  # no control, format or separator character at all (UNSAFE is of those)
    found = first_unsafe(_NOTE_BREAKS.sub("", text) if note else text)
    if found is not None:
        return f"contains the control or bidi character {found}", (
            "remove it: a note may break lines, and holds no other control character"
            if note
            else "remove it: ids and names are plain text on one line"
        )
    if len(text) > MAX_TEXT:
        return (
            f"is {len(text):,} characters long",
            f"shorten it to at most {MAX_TEXT:,} characters",
        )
    return None


def an(word: str) -> str:
    """The indefinite article for `word` as written ("an" before a vowel letter)."""
    return "an" if word[:1].lower() in "aeiou" else "a"
