"""Characters no id or name may hold, and that output shows as visible escapes.

C0 and C1 controls (ESC starts terminal commands, a newline forges a row),
DEL, bidirectional marks, embeddings, overrides and isolates (they reorder
what a reader sees), zero-width and invisible operators, line and paragraph
separators and the byte-order mark; and the invisible characters no name or id
needs (Unicode's default-ignorable code points that are neither a joiner real names
use nor a selector or mark that is part of a letter): the soft hyphen, word joiner,
invisible operators and deprecated format characters (U+2060-U+206F), the shorthand
and musical format controls, the unassigned default-ignorables, and the tag
characters outside emoji flags (U+E0000-U+E001F). Every one of them fails
str.isprintable() (tests/test_models.py checks all code points), which is what lets
`text_problem` and the fast loader pass printable text without the regex.

The default-ignorables a real name may hold stay allowed: ZWNJ U+200C and ZWJ U+200D
(Persian, Indic scripts), the Mongolian variation selectors and vowel separator,
variation selectors (emoji, CJK ideographic variants in Japanese names), the Hangul
fillers, U+034F and U+17B4-U+17B5. `identity_key` ignores them, so two names that
differ only by them are one person.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e001f"
    "\U000e0080-\U000e00ff\U000e01f0-\U000e0fff]"
)
#: Unicode's default-ignorable code points (DerivedCoreProperties.txt, Unicode 15) with
#: whitespace: what `identity_key` leaves out.
_IGNORABLE = re.compile(
    "[\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+"
)
#: Of UNSAFE, the controls, bidi marks and separators (the rest are only invisible).
_CONTROL_OR_BIDI = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


#: The most characters one piece of text may hold where it enters a caseload (an id, a
#: name, a login, a district, a note, a value of an MTSS import). A data-hygiene setting,
#: not a legal number: a case note is a few sentences, and a full typed page is about
#: 3,000 characters; 4,000 leaves room for that page while a pasted document, a whole
#: file in a cell or a runaway script stays out of tables, CSV cells and the audit log.
MAX_TEXT = 4000
#: What a note may hold that a name may not: its own line breaks and tabs.
_NOTE_BREAKS = re.compile("[\n\t]")


def identity_key(text: str) -> str:
    """What makes two names (or ids) the same to a reader: Unicode NFC, case folded,
    default-ignorable characters left out, runs of whitespace as one space, none at the
    ends. "Rhea Tallowby", "rhea  tallowby" and "Rhea Tallowby" with a zero-width joiner
    at the end have one key.

    Each caseworker's key is stored (caseworkers.name_key, revision 0016) and looked up
    by index: a change to this rule needs a revision that computes the keys again."""
    folded = unicodedata.normalize("NFC", _IGNORABLE.sub("", text)).casefold()
    return _SPACES.sub(" ", folded).strip()


def code_point(char: str) -> str:
    """How a message names one character: its code point, e.g. "U+200D"."""
    return f"U+{ord(char):04X}"


def invisible(text: str) -> str | None:
    """The first default-ignorable character in `text` (its `code_point`), or None: what an id
    may not hold although a name may (a joiner, a variation selector, a filler)."""
    match = _IGNORABLE.search(text)
    return code_point(match.group()[0]) if match else None


def first_unsafe(text: str) -> str | None:
    """The first control, bidi or invisible character in `text` (its `code_point`), or None."""
    match = UNSAFE.search(text)
    return code_point(match.group()) if match else None


def text_problem(text: str, *, note: bool = False) -> tuple[str, str] | None:
    """What is wrong with text entering the caseload and how to fix it, or None: the one
    check every way in applies (case files, CSV rows, options, staff, MTSS imports).

    A control, bidi or invisible character (a `note` may also break lines and hold tabs), or
    more than MAX_TEXT characters.
    """
    if text.isprintable() and len(text) <= MAX_TEXT:
        return None  # no control, format or separator character at all (UNSAFE is of those)
    found = first_unsafe(_NOTE_BREAKS.sub("", text) if note else text)
    if found is not None:
        kind = "control or bidi" if _CONTROL_OR_BIDI.match(chr(int(found[2:], 16))) else "invisible"
        return f"contains the {kind} character {found}", (
            "remove it: a note may break lines, and holds no other control character"
            if note
            else "remove it: every field but a note is plain text on one line"
        )
    if len(text) > MAX_TEXT:
        return (
            f"is {len(text):,} characters long",
            f"shorten it to at most {MAX_TEXT:,} characters",
        )
    return None


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every UNSAFE character (control, bidi, invisible) shown as a visible
    escape (``\\x1b``, ``\\n``, ``\\u202e``): the one rule of everything eirules writes
    for people, terminals (cli/output.py `safe`), CSV cells (`csv_cell`) and HTML
    (`html_text`), whatever the text came from (a stored old caseload, a plugin)."""
    if text.isprintable():
        return text  # nothing UNSAFE is printable (the module's docstring)
    return UNSAFE.sub(_visible, text)


#: What a page may show as written where a value holds it: a line break (HTML reads it as
#: a space, a `white-space: pre-line` note as a break). Every other UNSAFE character is
#: shown as a visible escape, a tab as a space.
_PAGE_UNSAFE = re.compile(UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))


def _page_visible(match: re.Match) -> str:
    return " " if match.group() == "\t" else _visible(match)


def page_text(text: str) -> str:
    """`text` for an HTML or SVG page, not yet escaped for markup: as `visible`, but a line
    break is kept and a tab is a space (both only white space on a page)."""
    if text.isprintable():
        return text
    return _PAGE_UNSAFE.sub(_page_visible, text)


def html_text(value: Any, *, quote: bool = True) -> str:
    """A value as HTML text: `page_text` (no control or bidi character is written) and
    markup escaped (`html.escape`). The one escaper of every HTML and SVG page eirules
    writes (the indicator report, the plan and MTSS pages, their charts): None is empty."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return html.escape(page_text(text), quote=quote)


def an(word: str) -> str:
    """The indefinite article for `word` as written ("an" before a vowel letter)."""
    return "an" if word[:1].lower() in "aeiou" else "a"
