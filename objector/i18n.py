"""Letter languages: gettext catalogs compiled in memory, and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache, lru_cache
from io import BytesIO

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.support import Translations

from .errors import LocaleError
from .resources import locales_dir

LETTERS_DOMAIN = "letters"
SOURCE_LOCALE = "en"


@cache
def available_letter_locales() -> tuple[str, ...]:
    """Letter locales whose catalogs are complete and error-free, plus the source (English)."""
    from .catalogs import catalog_locales, check

    complete = {loc for loc in catalog_locales() if check(loc).complete}
    return tuple(sorted(complete | {SOURCE_LOCALE}))


@cache
def _country_languages() -> dict[str, tuple[str, ...]]:
    import tomllib

    from .resources import data_dir

    raw = tomllib.loads((data_dir() / "languages.toml").read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in raw.items()}


def country_locales(country: str, state: str | None = None) -> tuple[str, ...]:
    """The letter languages of a country (or Canadian province), default first."""
    table = _country_languages()
    return table.get(f"{country}-{state}") or table.get(country) or table["*"]


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
    from .catalogs import parsed

    catalog = parsed(po_path, locale)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=domain)


def is_letter_locale(code: str) -> bool:
    """The source language, or a locale whose catalogs are complete (checks only that one)."""
    if code == SOURCE_LOCALE:
        return True
    from .catalogs import is_complete

    return (locales_dir() / code / "LC_MESSAGES").is_dir() and is_complete(code)


def resolve_letter_locale(requested: str | None, country: str | None = None,
                          state: str | None = None) -> tuple[str, str | None]:
    """The letter locale and, when it is not simply what was asked for, why.

    ``requested`` wins if it is available (an unknown or incomplete locale is an
    error). Otherwise the country's languages are tried in order, then English;
    a fallback or a choice among several languages is said out loud, never silent.
    """
    if requested is not None:
        code = requested.strip().replace("-", "_")
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise LocaleError("locale", f"unknown locale {requested!r}") from None
        if not is_letter_locale(code):
            raise LocaleError("locale", f"no complete letter catalog for {requested!r} "
                              f"(available: {', '.join(available_letter_locales())}; see 'objector locales')")
        return code, None
    if country is None:
        return SOURCE_LOCALE, None
    wanted = country_locales(country, state)
    for code in wanted:
        if is_letter_locale(code):
            if len(wanted) > 1:
                return code, (f"letter language {code}; also possible for {country}: "
                              f"{', '.join(w for w in wanted if w != code)} (choose with --locale)")
            return code, None
    fallback = next((c for c in ("en_GB", SOURCE_LOCALE) if is_letter_locale(c)), SOURCE_LOCALE)
    return fallback, (f"letter language {fallback}: no complete catalog yet for "
                      f"{', '.join(wanted)} (see 'objector locales')")


def formatting_locale(letter_locale: str, country: str) -> str:
    """The Babel locale for dates: English letters use the person's country's English."""
    if letter_locale == SOURCE_LOCALE:
        return "en_US" if country == "US" else "en_GB"
    return letter_locale


@lru_cache(maxsize=4096)
def long_date(day: dt.date, letter_locale: str, country: str) -> str:
    """A date as written in a letter (``25 November 2026`` / ``November 25, 2026``)."""
    return str(format_date(day, "long", locale=formatting_locale(letter_locale, country)))


def country_name(code: str, letter_locale: str) -> str:
    """The country's name in the letter language."""
    loc = Locale.parse("en" if letter_locale == SOURCE_LOCALE else letter_locale)
    return str(loc.territories.get(code, code))


def ui_locale(requested: str | None = None) -> str:
    """The interface language: ``requested``, else ``OBJECTOR_LOCALE``, ``LC_ALL``,
    ``LC_MESSAGES`` or ``LANG`` from the environment, else English. Only complete
    locales are used; an unknown or incomplete ``requested`` one is an error."""
    import os

    if requested:
        code = requested.strip().replace("-", "_")
        if not is_letter_locale(code):
            raise LocaleError("locale", f"no complete catalog for {requested!r} "
                              f"(available: {', '.join(available_letter_locales())})")
        return code
    for var in ("OBJECTOR_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").split(".")[0].split("@")[0]
        if not value or value in ("C", "POSIX"):
            continue
        for code in (value, value.split("_")[0]):
            if is_letter_locale(code):
                return code
        break
    return SOURCE_LOCALE


def locale_display_name(code: str) -> str:
    """The locale's name in English, e.g. ``Portuguese (Brazil)``."""
    try:
        return str(Locale.parse(code).get_display_name("en"))
    except (ValueError, UnknownLocaleError):
        return code
