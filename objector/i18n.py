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
def _languages_file() -> dict[str, object]:
    import tomllib

    from .resources import data_dir

    return tomllib.loads((data_dir() / "languages.toml").read_text(encoding="utf-8"))


@cache
def _country_languages() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _languages_file().items() if isinstance(v, list)}


# CLDR's statuses for a country's (not a region's) official languages.
_OFFICIAL = ("official", "de_facto_official")


@cache
def _cldr_languages(country: str) -> tuple[str, ...]:
    """The official languages CLDR lists for ``country``, most spoken first, as letter
    locales: English outside the US is en_GB, and a country-specific catalog
    (``pt_AO``) is preferred where one exists."""
    from babel import localedata
    from babel.core import get_global

    found: list[str] = []
    for lang, info in get_global("territory_languages").get(country, {}).items():
        # Only languages Babel can format dates for can ever have a letter catalog.
        if info.get("official_status") not in _OFFICIAL or not localedata.exists(lang):
            continue
        code = "en_GB" if lang == "en" else lang
        if (locales_dir() / f"{lang}_{country}" / "LC_MESSAGES").is_dir():
            code = f"{lang}_{country}"
        if code not in found:
            found.append(code)
    return tuple(found)


def country_locales(country: str, state: str | None = None) -> tuple[str, ...]:
    """The letter languages of a country (or Canadian province), default first.

    ``objector/data/languages.toml`` decides; a country it does not list gets the
    official languages CLDR records for it, so a new catalog for such a country's
    language is used without an edit; the ``"*"`` entry is the last resort.
    """
    table = _country_languages()
    return (table.get(f"{country}-{state}") or table.get(country) or _cldr_languages(country)
            or table["*"])


def _likely_territory(locale: str) -> str | None:
    from babel.core import get_global, parse_locale

    lang, territory, script = parse_locale(locale)[:3]
    if territory:
        return territory
    likely = get_global("likely_subtags").get(f"{lang}_{script}" if script else lang, "")
    return parse_locale(likely)[1] if likely else None


def sample_place(locale: str) -> tuple[str, str | None]:
    """A place (country, state) whose people may write in ``locale``: for tests and previews.

    ``[samples]`` in languages.toml names one where a particular state matters;
    otherwise the country whose default language ``locale`` is, then one that offers
    it, preferring the locale's own (or CLDR's most likely) country; otherwise that
    country itself.
    """
    samples = _languages_file().get("samples", {})
    if isinstance(samples, dict) and isinstance(samples.get(locale), str):
        country, _, state = samples[locale].partition("-")
        return country, state or None
    home = _likely_territory(locale)
    keys = [k for k in _country_languages() if k != "*"]
    table = _country_languages()
    for candidates in ([k for k in keys if table[k][0] == locale], [k for k in keys if locale in table[k]]):
        if candidates:
            key = next((k for k in candidates if k.split("-")[0] == home), candidates[0])
            country, _, state = key.partition("-")
            return country, state or None
    if home is None:
        raise LocaleError("locale", f"no sample place for {locale!r}: add one under [samples] in "
                          "objector/data/languages.toml")
    return home, None


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
    from .catalogs import parsed, usable

    catalog = usable(parsed(po_path, locale))
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


def has_catalogs(code: str) -> bool:
    """Whether every letter domain of ``code`` has a catalog on disk, complete or not."""
    from .catalogs import DOMAINS

    return all((locales_dir() / code / "LC_MESSAGES" / f"{d}.po").is_file() for d in DOMAINS)


def _country_code_hint(code: str) -> str:
    lang = code.replace("-", "_").split("_")[0]
    if not (2 <= len(lang) <= 3 and lang.isalpha() and lang.isupper()):
        return ""
    lower = lang.lower()
    hint = f"; locale codes begin with a lowercase language code ('{lower}' is {locale_display_name(lower)})"
    if lang == "UK":
        # "UK" is what people type for the United Kingdom; as a language it is Ukrainian.
        hint += "; the United Kingdom is the country GB, and its letters are in en_GB"
    return hint


def normalise_locale(code: str) -> str:
    """The one spelling of a locale code: ``pt-br`` and ``pt_br`` are ``pt_BR``.

    A language written in capitals (``TR``, ``UK``) is refused with a hint rather
    than guessed: it is usually a country code, and ``UK`` as a language is Ukrainian.
    """
    raw = code.strip()
    hint = _country_code_hint(raw)
    if hint:
        raise LocaleError("locale", f"{code!r} is written like a country code{hint}")
    try:
        return str(Locale.parse(raw.replace("-", "_")))
    except (ValueError, UnknownLocaleError, TypeError):
        raise LocaleError("locale", f"unknown locale {code!r}") from None


def _names(codes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"{c} ({locale_display_name(c)})" for c in codes)


def _incomplete_note(code: str) -> str:
    from .catalogs import check

    st = check(code)
    return (f"letter language {code} is incomplete ({st.translated}/{st.total} translated): untranslated "
            f"or broken entries are in English; a preview, not a letter to send "
            f"(see 'objector locales check {code}')")


def resolve_letter_locale(requested: str | None, country: str | None = None,
                          state: str | None = None, *, allow_incomplete: bool = False) -> tuple[str, str | None]:
    """The letter locale and, when it is not simply what was asked for, why.

    ``requested`` wins if it is available; ``de_DE`` falls back to ``de`` when only
    that exists, and ``allow_incomplete`` accepts a partial catalog (a preview whose
    missing entries stay English). An unknown or unavailable locale is an error.
    Otherwise the country's languages are tried in order, then English; a fallback
    or a choice among several languages is said out loud, never silent.
    """
    if requested is not None:
        code = normalise_locale(requested)
        if is_letter_locale(code):
            return code, None
        if allow_incomplete and has_catalogs(code):
            return code, _incomplete_note(code)
        parsed = Locale.parse(code)
        for parent in (f"{parsed.language}_{parsed.script}" if parsed.script else None, parsed.language):
            if parent and parent != code and is_letter_locale(parent):
                return parent, f"letter language {parent}: objector has no separate catalog for {code}"
        hint = (" (add --allow-incomplete to preview it)" if has_catalogs(code) else "")
        raise LocaleError("locale", f"no complete letter catalog for {requested!r}{hint} "
                          f"(available: {', '.join(available_letter_locales())}; see 'objector locales')")
    if country is None:
        return SOURCE_LOCALE, None
    wanted = country_locales(country, state)
    ready = [c for c in wanted if is_letter_locale(c)]
    if not ready:
        fallback = next((c for c in ("en_GB", SOURCE_LOCALE) if is_letter_locale(c)), SOURCE_LOCALE)
        which = "the language" if len(wanted) == 1 else "the languages"
        return fallback, (f"letter language {fallback} ({locale_display_name(fallback)}): no complete catalog "
                          f"yet for {_names(wanted)}, {which} of {country} (see 'objector locales')")
    code = ready[0]
    parts = [f"letter language {code}"]
    preferred = [c for c in wanted[:wanted.index(code)] if c not in ready]
    if preferred:
        parts.append(f"no complete catalog yet for {_names(preferred)}")
    if len(ready) > 1:
        parts.append(f"also possible for {country}: {', '.join(c for c in ready if c != code)} "
                     "(choose with --locale)")
    return code, ("; ".join(parts) if len(parts) > 1 else None)


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
        code = normalise_locale(requested)
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
