"""The page's interface language and the views of a decision and a letter, in that language."""

from __future__ import annotations

import gettext
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader

from ..data import dataset
from ..deadlines import period_words
from ..decision import Decision
from ..i18n import SOURCE_LOCALE, available_letter_locales, country_name, formatting_locale, long_date, translations
from ..letter import Letter
from ..resources import templates_dir
from ..templating import make_environment


@cache
def ui_locales() -> tuple[str, ...]:
    """The interface languages: every complete locale (the source language included)."""
    return available_letter_locales()


def negotiate(accept_language: str | None) -> str:
    """The best interface language for an ``Accept-Language`` header (English if none fits)."""
    available = ui_locales()
    by_key = {code.casefold(): code for code in available}
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            wanted.append((-q, i, tag.strip()))
    for _q, _i, tag in sorted(wanted):
        try:
            loc = Locale.parse(tag.replace("-", "_"))
        except (ValueError, UnknownLocaleError, TypeError):
            continue
        # zh-HK is zh_Hant_HK; de-AT falls back to de; en-US is en_US.
        candidates = [str(loc), f"{loc.language}_{loc.script}" if loc.script else "", loc.language]
        for code in candidates:
            if code and code.casefold() in by_key:
                return by_key[code.casefold()]
    return SOURCE_LOCALE


def ui_locale_or_none(code: str) -> str | None:
    """``code`` if it is an interface language (any case or separator), else None."""
    key = code.replace("-", "_").casefold()
    return next((c for c in ui_locales() if c.casefold() == key), None)


def ui(locale: str) -> gettext.NullTranslations:
    return translations(locale, "objector")


@cache
def environment(locale: str) -> Environment:
    """The project's template environment (autoescaped, strict) with the interface's catalog."""
    env = make_environment(FileSystemLoader(str(templates_dir())), locale)
    env.install_gettext_translations(ui(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def language_name(code: str) -> str:
    """A language's name in itself, as a language switch shows it."""
    loc = Locale.parse(code)
    name = loc.get_display_name(loc) or code
    return str(name[:1].upper() + name[1:])


def direction(code: str) -> str:
    return str(Locale.parse(code).text_direction)


def html_lang(code: str) -> str:
    return code.replace("_", "-")


@cache
def countries(locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``locale``) of every country, sorted by name."""
    from ..decision import _KNOWN_COUNTRIES

    names = [(code, country_name(code, locale)) for code in _KNOWN_COUNTRIES]
    return tuple(sorted(names, key=lambda item: item[1].casefold()))


def subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of the states or provinces objector tells apart for ``country``."""
    return tuple(dataset().subdivisions.get(country, {}).items())


def kind_names(locale: str) -> dict[str, str]:
    _ = ui(locale).gettext
    return {
        "auto": _("What the law where you live recommends"),
        "objection": _("Objection"),
        "erasure": _("Erasure"),
        "consent-withdrawal": _("Withdrawal of consent"),
        "opt-out": _("Opt-out"),
    }


def reasons(locale: str) -> list[dict[str, str]]:
    """The example grounds: name, title (interface language) and text (letter language)."""
    title = ui(locale).pgettext
    text = translations(locale).pgettext
    return [{"name": k, "title": title("reason-title", r.title), "text": text("reason", r.text)}
            for k, r in dataset().reasons.items()]


def decision_view(d: Decision, locale: str) -> dict[str, Any]:
    """The decision in the reader's language, as ``objector explain`` words it."""
    t = ui(locale)
    _ = t.gettext
    data = translations(locale, "data").gettext
    c = d.controller
    address = (*c.address[:-1], country_name(c.country, locale))
    on = long_date(d.on, locale, d.country)
    if d.training_active and d.claimed_basis == "legitimate-interests":
        training = _("AI training on %(date)s: yes, LinkedIn claims legitimate interests") % {"date": on}
    elif d.training_active:
        training = _("AI training on %(date)s: yes, LinkedIn names no legal basis") % {"date": on}
    elif d.announced_start is not None:
        training = (_("AI training on %(date)s: not yet; LinkedIn has announced it from %(start)s "
                      "(object before then)")
                    % {"date": on, "start": long_date(d.announced_start, locale, d.country)})
    else:
        training = _("AI training on %(date)s: no (a letter now objects in advance)") % {"date": on}
    kinds = kind_names(locale)
    dues = []
    for due in d.dues():
        dues.append({"period": period_words(t, due.unit, due.length),
                     "due": long_date(due.date, locale, d.country), "rule": data(due.rule)})
    channels = [{"id": cid, "kind": ch.kind, "name": data(ch.name), "url": ch.url, "email": ch.email,
                 "purpose": data(ch.purpose)} for cid, ch in d.channels]
    return {
        "covered": d.covered,
        "law": data(d.regime.law) if d.covered else None,
        "regime_name": data(d.regime.name),
        "controller": c.name,
        "controller_address": ", ".join(address),
        "training": training,
        "letters": [kinds[k] for k in d.letters],
        "recommended": [kinds[k] for k in d.recommended],
        "dues": dues,
        "authority": ({"name": d.authority.name, "url": d.authority.complaint_url or d.authority.url}
                      if d.authority else None),
        "lead_authority": ({"name": d.lead_authority.name, "url": d.lead_authority.url}
                           if d.lead_authority else None),
        "channels": channels,
        "steps": [step.render(locale) for step in d.steps],
        "notes": [data(n) for n in d.regime.notes],
        "unconfirmed": list(d.unconfirmed(d.letters, locale=locale)),
    }


def letter_view(letter: Letter, locale: str) -> dict[str, Any]:
    """What the letter page shows besides the preview: form text and its budget, routes, due date."""
    from ..output.html import body_groups

    data = translations(locale, "data").gettext
    d = letter.decision
    fmt = formatting_locale(locale, letter.person.country)
    budget = min((ch.text_budget for _, ch in d.channels if ch.text_budget), default=None)
    channels = [{"id": cid, "kind": ch.kind, "name": data(ch.name), "url": ch.url, "email": ch.email,
                 "purpose": data(ch.purpose), "limit_note": data(ch.limit_note) if ch.limit_note else None}
                for cid, ch in d.channels]
    return {
        "letter_lang": html_lang(letter.locale),
        "letter_dir": direction(letter.locale),
        "reference": letter.reference,
        "subject": letter.subject,
        "sender": letter.sender,
        "recipient": letter.recipient,
        "date_text": letter.date_text,
        "groups": body_groups(letter),
        "form_text": letter.form_text,
        "form_length": len(letter.form_text),
        "form_length_text": format_decimal(len(letter.form_text), locale=fmt),
        "budget": budget,
        "budget_text": format_decimal(budget, locale=fmt) if budget else None,
        "over_budget": bool(budget and len(letter.form_text) > budget),
        "channels": channels,
        "due_text": long_date(letter.due, locale, letter.person.country),
        "notes": list(letter.notes),
        "unconfirmed": list(d.unconfirmed(letter.kinds, locale=locale)),
    }
