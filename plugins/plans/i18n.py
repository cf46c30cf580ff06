"""Family-facing words in English and Spanish, kept as gettext catalogues (Babel).

The catalogues are `locale/<lang>/plans.po` beside this file. A message id is a
short key (`report.title`); each catalogue gives the sentence, with `{name}`
placeholders filled by `str.format`. Dates are written the way each language
writes them (Babel's CLDR data: "December 1, 2026", "1 de diciembre de 2026").
A test checks that every key the code uses has a non-empty entry in every language.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "es")
LOCALE_DIR = Path(__file__).parent / "locale"


class UnknownLanguage(ValueError):
    pass


@cache
def catalogue(lang: str) -> dict[str, str]:
    """{key: text} for one language, read from its .po file."""
    from babel.messages.pofile import read_po

    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    with open(LOCALE_DIR / lang / "plans.po", "rb") as f:
        cat = read_po(f, locale=lang)
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str)}


def t(lang: str, key: str, **values) -> str:
    """The sentence for `key` in `lang`, with its placeholders filled."""
    text = catalogue(lang).get(key)
    if not text:
        raise KeyError(f"no {lang} text for {key!r} in {LOCALE_DIR / lang / 'plans.po'}")
    return text.format(**values) if values else text


def long_date(d: date, lang: str) -> str:
    from babel.dates import format_date

    return format_date(d, format="long", locale=lang)


def short_date(d: date, lang: str) -> str:
    from babel.dates import format_date

    return format_date(d, format="short", locale=lang)


def number(x: float, lang: str, digits: int = 1) -> str:
    """A number as the language writes it (0.8 in English, 0,8 in Spanish), rounded."""
    from babel.numbers import format_decimal

    return format_decimal(round(x, digits), locale=lang)
