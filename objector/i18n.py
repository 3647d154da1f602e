"""Letter languages: gettext catalogs compiled in memory, and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from io import BytesIO

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .errors import LocaleError
from .resources import locales_dir

LETTERS_DOMAIN = "letters"
SOURCE_LOCALE = "en"


def available_letter_locales() -> tuple[str, ...]:
    """Letter locales with a catalog, plus the source language (English)."""
    root = locales_dir()
    found = {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{LETTERS_DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LOCALE}))


@cache
def translations(locale: str, domain: str = LETTERS_DOMAIN) -> gettext.NullTranslations:
    """The catalog for ``locale``, compiled from its ``.po`` on first use.

    Compiling in memory means there are no ``.mo`` files that could go stale: a
    translator's edit takes effect on the next run.
    """
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    po_path = locales_dir() / locale / "LC_MESSAGES" / f"{domain}.po"
    if not po_path.is_file():
        raise LocaleError("locale", f"no {domain} catalog for {locale!r} "
                          f"(available: {', '.join(available_letter_locales())})")
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=domain)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=domain)


def resolve_letter_locale(requested: str | None) -> str:
    """The letter locale: the one asked for if available, else English."""
    if requested is None:
        return SOURCE_LOCALE
    code = requested.strip().replace("-", "_")
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise LocaleError("locale", f"unknown locale {requested!r}") from None
    available = available_letter_locales()
    if code not in available:
        raise LocaleError("locale", f"no letter catalog for {requested!r} "
                          f"(available: {', '.join(available)})")
    return code


def formatting_locale(letter_locale: str, country: str) -> str:
    """The Babel locale for dates: English letters use the person's country's English."""
    if letter_locale == SOURCE_LOCALE:
        return "en_US" if country == "US" else "en_GB"
    return letter_locale


def long_date(day: dt.date, letter_locale: str, country: str) -> str:
    """A date as written in a letter (``25 November 2026`` / ``November 25, 2026``)."""
    return str(format_date(day, "long", locale=formatting_locale(letter_locale, country)))


def country_name(code: str, letter_locale: str) -> str:
    """The country's name in the letter language."""
    loc = Locale.parse("en" if letter_locale == SOURCE_LOCALE else letter_locale)
    return str(loc.territories.get(code, code))
