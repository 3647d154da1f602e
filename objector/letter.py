"""Compose a letter: pick the demands, check the grounds, render the words in a locale."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from babel.lists import format_list
from jinja2 import Environment

from .bidi import for_locale
from .citations import law_name, localise
from .data import Dataset, dataset
from .deadlines import Due, period_words
from .decision import Decision, decide
from .errors import GroundsRequired, InputError
from .i18n import country_name, formatting_locale, long_date, resolve_letter_locale, translations
from .memo import ByIdentity
from .person import Person, clean_paragraph
from .schema import LETTER_KINDS, Demand, Entity, LetterKind
from .templating import environment

KINDS_AND_AUTO: tuple[str, ...] = ("auto", *LETTER_KINDS)


@dataclass(frozen=True)
class Block:
    """One block of a letter body: a paragraph, a numbered item or a bullet item."""

    kind: Literal["p", "ol", "ul"]
    text: str


@dataclass(frozen=True)
class Letter:
    """A finished letter in one language, ready for any output format."""

    person: Person
    decision: Decision
    kind: str
    kinds: tuple[LetterKind, ...]
    locale: str
    date: dt.date
    due: dt.date
    reference: str
    subject: str
    body: str
    form_text: str
    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    date_text: str
    due_text: str
    grounds: str | None
    grounds_source: str | None
    notes: tuple[str, ...] = field(default=())
    # Every period of the letter, the main one (``due``) first; counted from the
    # letter's date, the day LinkedIn receives a letter sent by form or e-mail.
    dues: tuple[Due, ...] = field(default=())

    @property
    def demand_ids(self) -> tuple[str, ...]:
        return tuple(did for did, _ in self.decision.demands(self.kinds))

    @property
    def citations(self) -> tuple[str, ...]:
        return self.decision.citations(self.kinds)

    def blocks(self) -> tuple[Block, ...]:
        """The body split into paragraphs and list items (for HTML and PDF)."""
        out: list[Block] = []
        for text in self.body.strip().split("\n\n"):
            m = re.match(r"^\d+\.\s+(.*)$", text)
            if m:
                out.append(Block("ol", m.group(1)))
            elif text.startswith("- "):
                out.append(Block("ul", text[2:]))
            else:
                out.append(Block("p", text))
        return tuple(out)

    def heading_lines(self) -> tuple[str, ...]:
        """Date and reference lines as they appear above the subject."""
        t = translations(self.locale)
        return (self.date_text, t.gettext("Reference: %(ref)s") % {"ref": self.reference})

    def sender_block(self) -> tuple[str, ...]:
        """The sender's lines as printed: international post gets the sender's country
        under the address, so a reply from abroad can reach them (probe m13)."""
        person = self.person
        if not person.address or person.country == self.decision.controller.country:
            return self.sender
        country = _postal_upper(country_name(person.country, self.locale), self.locale)
        return (person.name, *person.address, country, person.email)

    def text(self) -> str:
        """The whole letter as plain text (sender, recipient, date, subject, body)."""
        t = translations(self.locale)
        parts = [
            "\n".join(self.sender_block()),
            "\n".join(self.recipient),
            "\n".join(self.heading_lines()),
            t.gettext("Subject: %(subject)s") % {"subject": self.subject},
            self.body.strip(),
        ]
        return for_locale("\n\n".join(parts), self.locale) + "\n"


# References are a keyed hash of the letter's identity: the key separates them
# from any other hash of the same personal data (a bare SHA-256 of a name and an
# address could be matched against other data sets). It is fixed, not secret, so
# every machine gives the same input the same reference.
_REFERENCE_KEY = b"objector/reference/v2"
# Crockford's base32: no I, L, O or U, so a reference read aloud or typed is unambiguous.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 20 characters = 100 bits: among 10 million letters of one date, the chance that
# any two share a reference is about 4e-17.
_REFERENCE_CHARS = 20


def _identity_digest(person: Person, kinds: tuple[str, ...], day: dt.date, locale: str,
                     extra: tuple[str, ...]) -> bytes:
    # The e-mail address is compared case-insensitively with an IDNA domain, so
    # ANNA@EXAMPLE.ORG after anna@example.org is the same member (one letter).
    parts = [person.name, person.email_key, person.country, person.state or "",
             ",".join(kinds), day.isoformat(), locale, *extra]
    key = "\x1f".join(f"{len(p)}:{p}" for p in parts)  # length-prefixed: no two inputs join alike
    return hashlib.blake2b(key.encode("utf-8"), key=_REFERENCE_KEY, digest_size=32).digest()


def reference_for(person: Person, kinds: tuple[str, ...], day: dt.date, locale: str,
                  extra: tuple[str, ...] = ()) -> str:
    """A stable, unique reference: the same person, letter and date give the same one.

    ``OBJ-YYYYMMDD-`` and five groups of four Crockford base32 characters (100
    bits of a keyed BLAKE2b hash). ``extra`` holds everything else that changes
    the letter's words (grounds, address, profile URL, a campaign's paragraphs),
    so a corrected row is a new letter with a new reference, never a stale one reused.
    """
    digest = _identity_digest(person, kinds, day, locale, extra)
    bits = int.from_bytes(digest, "big") >> (len(digest) * 8 - 5 * _REFERENCE_CHARS)
    chars = "".join(_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(_REFERENCE_CHARS)))
    groups = "-".join(chars[i:i + 4] for i in range(0, _REFERENCE_CHARS, 4))
    return f"OBJ-{day:%Y%m%d}-{groups}"


def fingerprint_for(letter: Letter) -> str:
    """The full identity hash of ``letter`` (64 hex digits), to store beside it and
    compare: a folder whose stored fingerprint differs from a new letter's, under
    the same reference, holds a different letter (a collision), not this one.

    It covers who (name, normalised e-mail, place, address, profile URL), what
    (kinds, grounds, language) and when; a campaign's paragraphs, the same for
    every row of a run, are not part of a Letter and so not of the fingerprint.
    """
    p = letter.person
    extra = (letter.grounds_source or "", letter.grounds or "", *p.address, p.profile_url or "")
    return _identity_digest(p, letter.kinds, letter.date, letter.locale, ("fingerprint", *extra)).hex()


def _grounds(decision: Decision, kinds: tuple[LetterKind, ...], reason: str | None,
             reason_preset: str | None, allow_no_grounds: bool, data: Dataset,
             locale: str) -> tuple[bool, str | None, str | None, list[str]]:
    notes: list[str] = []
    needs = any(d.needs_grounds for _, d in decision.demands(kinds))
    parts: list[str] = []
    source: list[str] = []
    if reason_preset:
        preset = data.reasons.get(reason_preset)
        if preset is None:
            raise InputError("reason_preset", f"unknown preset {reason_preset!r} "
                             f"(see 'objector reasons': {', '.join(data.reasons)})")
        parts.append(translations(locale).pgettext("reason", preset.text))
        source.append(f"preset:{reason_preset}")
    if reason:
        text = clean_paragraph(reason, "reason")
        if text:
            parts.append(text)
            source.append("reason")
    if not needs:
        if parts:
            notes.append("The grounds given are not used: this letter makes no Art. 21(1) objection.")
        return False, None, None, notes
    if not parts:
        if not allow_no_grounds:
            cite = next(d.citation for _, d in decision.demands(kinds) if d.needs_grounds)
            raise GroundsRequired(
                f"reason: an objection under {cite} needs grounds relating to your particular situation: "
                "give --reason TEXT or --reason-preset NAME (see 'objector reasons'), "
                "or pass --no-grounds to write it without personal grounds")
        return True, None, "waived", notes
    return True, " ".join(parts), "+".join(source), notes


def compose(
    person: Person,
    kind: str = "auto",
    *,
    on: dt.date | None = None,
    locale: str | None = None,
    reason: str | None = None,
    reason_preset: str | None = None,
    allow_no_grounds: bool = False,
    data: Dataset | None = None,
    extra_paragraphs: Callable[[Decision, str], list[str]] | None = None,
    templates: Callable[[str], Environment] | None = None,
    allow_incomplete: bool = False,
) -> Letter:
    """Write the letter for ``person``: the decision for their place on date ``on``
    (default today, also the letter's date), in ``locale`` (default English).

    ``kind`` is ``auto`` (what the decision recommends, as one letter) or one of
    ``objection``, ``erasure``, ``consent-withdrawal``, ``opt-out``. An Art. 21(1)
    objection needs ``reason`` and/or ``reason_preset`` unless ``allow_no_grounds``.
    ``extra_paragraphs(decision, locale)`` returns finished paragraphs to add before
    the deadline (a campaign's words); ``templates(locale)`` supplies another
    template environment (a campaign's templates over the built-in ones).
    ``allow_incomplete`` accepts a partly translated ``locale`` for a preview; its
    missing entries stay English, and the letter's notes say so.
    Raises InputError (bad field), GroundsRequired.
    """
    data = data or dataset()
    day = on or dt.date.today()
    loc, locale_note = resolve_letter_locale(locale, person.country, person.state,
                                             allow_incomplete=allow_incomplete)
    decision = decide(person.country, person.state, day, data)
    if kind not in KINDS_AND_AUTO:
        raise InputError("kind", f"unknown letter kind {kind!r} (one of {', '.join(KINDS_AND_AUTO)})")
    kinds: tuple[LetterKind, ...]
    if kind == "auto":
        kinds = decision.recommended
    elif kind in decision.letters:
        kinds = tuple(k for k in decision.letters if k == kind)
    elif (why := decision.kind_unfit(kind)) is not None:
        raise InputError("kind", f"a {kind} letter does not fit {decision.regime.id} on {day.isoformat()}: {why} "
                         f"(fitting: {', '.join(decision.letters)})")
    else:
        article = "an" if kind[0] in "aeiou" else "a"
        raise InputError("kind", f"{article} {kind} letter does not fit {decision.regime.id} "
                         f"(fitting: {', '.join(decision.letters)})")
    needs, grounds, grounds_source, notes = _grounds(
        decision, kinds, reason, reason_preset, allow_no_grounds, data, loc)
    if locale_note:
        notes.insert(0, locale_note)
    rule = decision.regime.language
    if rule is not None and loc.split("_")[0] != rule.locale:
        # Turkey: the KVKK communiqué requires applications in Turkish (issue 11).
        notes.insert(0, f"{decision.regime.short_law} requires requests in {rule.locale!r} ({rule.citation}); "
                        f"LinkedIn may refuse a letter in {loc!r}.")
    extras = extra_paragraphs(decision, loc) if extra_paragraphs else []
    env = templates(loc) if templates else environment(loc)  # campaign templates, or ours
    # Grounds that reveal special categories of data (GDPR Art. 9) add an argument
    # no balancing test can defeat; only where the letter makes an objection.
    sensitive = bool(needs and reason_preset and data.reasons[reason_preset].sensitive
                     and "sensitive" in decision.regime.arguments)
    return _render(person, decision, kind, kinds, loc, day, needs, grounds, grounds_source,
                   tuple(notes), data, extras, env, sensitive)


def _render(person: Person, decision: Decision, kind: str, kinds: tuple[LetterKind, ...],
            loc: str, day: dt.date, needs_grounds: bool, grounds: str | None,
            grounds_source: str | None, notes: tuple[str, ...], data: Dataset,
            extras: list[str], env: Environment, sensitive: bool = False) -> Letter:
    t = translations(loc)
    regime = decision.regime
    # Time runs from receipt: the letter names the date on which an answer is due
    # if LinkedIn receives it on the letter's date (form or e-mail), and its periods
    # as the law counts them (review M-4, M-5, M-11).
    dues = decision.dues(day, kinds)
    due = dues[0].date
    date_text = long_date(day, loc, person.country)
    due_text = long_date(due, loc, person.country)
    reference = reference_for(person, kinds, day, loc,
                              (grounds or "", *person.address, person.profile_url or "", *extras))
    demands = decision.demands(kinds)
    region = regime.region
    # The notice quoted is the version in force on the letter's date (review m-22).
    quote_key = ("erpn" if region in ("designated", "uk") and decision.claimed_basis == "legitimate-interests"
                 else "global")
    quote = data.linkedin.quote(quote_key, day) or data.linkedin.quotes[quote_key][0]
    def cite(text: str | None) -> str | None:
        return localise(text, loc) if text else text

    # Where every authority of the country is a regional one (Germany's Länder)
    # and no state was given, the letter names the authority generically rather
    # than sending a resident to the lead authority abroad (review m-24).
    authority_name = decision.authority.name_in(loc) if decision.authority else None
    if decision.state is None and decision.country in _regional_countries(data):
        authority_name = (t.gettext("data protection authority of the German Land where I live")
                          if decision.country == "DE" else
                          t.gettext("data protection authority of the region where I live"))
    esc = regime.escalation
    gdpr_authority = data.authorities.get(esc.gdpr_authority) if esc.gdpr_authority else None
    trained = decision.trained_before
    li_promises = data.linkedin.promises
    # A law-based letter elsewhere in the world that also asks for what no law
    # grants (Australia: erasure) rests those requests on LinkedIn's promises too.
    requests = tuple(did for did, d in demands if d.voluntary)
    rests_on_promises = regime.family == "voluntary" or (regime.family == "world" and bool(requests))
    promises = ({"document": li_promises.document, "stop": li_promises.stop, "object": li_promises.object,
                 "effective": long_date(li_promises.effective, loc, person.country)}
                if li_promises and rests_on_promises and li_promises.effective <= day else None)

    object_cite = cite(next((d.citation for _, d in demands if d.needs_grounds), None))
    args = {k: cite(v.citation) or "" for k, v in regime.arguments.items()}
    for k, v in regime.arguments.items():
        if v.persuasive and args[k]:
            args[k] = t.pgettext("citation", "cf. %(citation)s") % {"citation": args[k]}
    # Person-specific values enter the templates as sentinels and are put in
    # afterwards, so letters of the same shape (law, language, date, kinds) share
    # one rendering: a batch renders each shape once, not once per person.
    personal = {
        _S_NAME: person.name,
        _S_EMAIL: person.email,
        _S_URL: person.profile_url or "",
        _S_GROUNDS: grounds or "",
        _S_REF: reference,
    }
    demand_ids = tuple(did for did, _ in demands)
    demand_context: list[dict[str, Any]] = [
        {"id": did, "cite": cite(d.citation), "also": [localise(a, loc) for a in d.also], "days": d.days,
         "applies_from": long_date(d.applies_from, loc, person.country) if d.applies_from else None}
        for did, d in demands]
    context = {
        "person": {"name": _S_NAME, "email": _S_EMAIL},
        "profile_url": _S_URL if person.profile_url else None,
        "controller": decision.controller.name,
        "family": regime.family,
        "short_law": law_name(regime.short_law, loc),
        "state_name": data.subdivisions.get(person.country, {}).get(person.state or "", ""),
        "training_active": decision.training_active,
        "basis": decision.claimed_basis,
        "period_start": long_date(decision.period.start, loc, person.country) if decision.period else "",
        "announced_start": (long_date(decision.announced_start, loc, person.country)
                            if decision.announced_start else None),
        "announced_on": (long_date(decision.period.start, loc, person.country)
                         if decision.period and decision.announced_start else None),
        "sensitive": sensitive,
        "quote": {"document": quote.document, "text": quote.text,
                  "effective": long_date(quote.effective, loc, person.country)},
        "scope": [t.pgettext("scope", item) for item in data.linkedin.scope.included],
        "demands": demand_context,
        # The requests of a law-based letter that no provision grants, by number,
        # so the letter says honestly which they are (issue 11).
        "request_items": (request_numbers(demand_ids, requests, loc, person.country)
                          if regime.family == "world" and requests else None),
        "request_count": len(requests),
        # Whom a US state law protects and in which terms (review M-9, m-18).
        "consumer": ({"cite": cite(regime.consumer.citation), "terms": regime.consumer.terms,
                      "excludes_commercial": regime.consumer.excludes_commercial}
                     if regime.consumer else None),
        "args": {"expectations": "", "burden": "", **args},
        "needs_grounds": needs_grounds,
        "grounds": _S_GROUNDS if grounds else None,
        "object_cite": object_cite,
        "due": due_text,
        "period": period_words(t, dues[0].unit, dues[0].length),
        "deadline_statutory": dues[0].statutory,
        "deadline_cite": cite(dues[0].citation),
        # The requests (by number) the law sets the period for, when it sets it
        # only for some of them (PIPEDA s. 8(3): access); None otherwise.
        "deadline_items": (request_numbers(demand_ids, dues[0].statutory_demands, loc, person.country)
                           if dues[0].statutory_demands and not dues[0].statutory else None),
        "deadline_items_count": len(dues[0].statutory_demands),
        "due_groups": [
            {"numbers": request_numbers(demand_ids, g.demands, loc, person.country), "count": len(g.demands),
             "period": period_words(t, g.unit, g.length), "cite": cite(g.citation),
             "due": long_date(g.date, loc, person.country)}
            for g in dues[1:]
        ],
        "identity_cite": cite(regime.language.identity_citation) if regime.language else None,
        "escalation_statutory": regime.escalation.statutory,
        "escalation_cite": cite(regime.escalation.citation),
        "court_cite": cite(regime.escalation.court_citation),
        "authority": authority_name,
        "escalation_report": regime.escalation.report,
        "addressee": regime.addressee,
        "gdpr_authority": gdpr_authority.name_in(loc) if gdpr_authority else None,
        "gdpr_cite": cite(regime.escalation.gdpr_citation),
        "gdpr_court_cite": cite(regime.escalation.gdpr_court_citation),
        # Translators: LinkedIn's label for the setting in your language's LinkedIn
        # interface, with the English label in brackets; keep the English alone if
        # LinkedIn's interface does not translate it.
        "setting": t.pgettext("setting", "Data for Generative AI Improvement"),
        "announced_basis": decision.effective_basis if decision.announced_start else None,
        "trained_from": long_date(trained[0], loc, person.country) if trained else None,
        "trained_until": long_date(trained[1], loc, person.country) if trained else None,
        "promises": promises,
        "closing": "us" if person.country == "US" else "eu",
        "reference": _S_REF,
        "extra_paragraphs": [" ".join(p.split()) for p in extras],
        "kinds_demands": [did for did, _ in demands],
        # With no cited demand to lead with, the law's own name stands in for it.
        "lead": (localise(lead, loc) if (lead := _lead_citation(demands, regime.short_law)) != regime.short_law
                 else law_name(regime.short_law, loc)),
        "prohibit_cite": cite(next((d.citation for did, d in demands if did == "prohibit"), None)),
        "has": {did: True for did, _ in demands} | {k: False for k in ("object", "restrict", "erase")
                                                     if k not in {did for did, _ in demands}},
    }
    # Campaign templates may transform values, so only our own shapes are shared.
    shareable = env is environment(loc)
    shape = _shape_key(context) if shareable else None
    key = (id(env), shape) if shape is not None else None
    shaped = _SHAPES.get(key) if key is not None else None
    if shaped is None:
        shaped = (
            _segments(_tidy(env.get_template("letter/body.txt.jinja").render(context))),
            _segments(squash(env.get_template("letter/subject.txt.jinja").render(context))),
            _segments(_tidy(env.get_template("letter/form.txt.jinja").render(context), "\n").strip()),
        )
        if key is not None:
            if len(_SHAPES) >= _MAX_SHAPES:
                _SHAPES.pop(next(iter(_SHAPES)))
            _SHAPES[key] = shaped
    # Spaces collapsed, as in a line.
    values = {sentinel: " ".join(value.split()) for sentinel, value in personal.items()}
    # Right-to-left letters isolate their Latin runs (citations, references,
    # addresses) so each prints whole and in order; a no-op for other languages.
    body, subject, form_text = (for_locale(_join(parts, values), loc) for parts in shaped)
    body = country_headings(body, regime.headings.get(loc, {}))
    # LinkedIn's forms take short texts: where a language's wording (or a long name)
    # runs over the budget, the last clauses are left to the full letter, so the form
    # text always fits and still claims nothing the letter does not (review M-1).
    budget = min((ch.text_budget for _, ch in decision.channels if ch.text_budget), default=None)
    kept = list(demand_context)
    while budget is not None and len(form_text) > budget and len(kept) > 1:
        kept.pop()
        form_text = for_locale(_join(_segments(_tidy(env.get_template("letter/form.txt.jinja").render(
            {**context, "demands": kept}), "\n").strip()), values), loc)
    sender = (person.name, *person.address, person.email)
    recipient = postal_recipient(decision.controller, person.country, loc)
    return Letter(
        person=person, decision=decision, kind=kind, kinds=kinds, locale=loc, date=day, due=due,
        reference=reference, subject=subject, body=body, form_text=form_text, sender=sender,
        recipient=recipient, date_text=date_text, due_text=due_text, grounds=grounds,
        grounds_source=grounds_source, notes=notes, dues=dues,
    )


def country_headings(body: str, terms: Mapping[str, str]) -> str:
    """``body`` with each numbered request's heading ("3. Supresión.") in the
    country's own term where the regime gives one ("3. Cancelación.")."""
    if not terms:
        return body
    pattern = re.compile(r"^(\d+\. )(" + "|".join(map(re.escape, terms)) + r")\.", re.M)
    return pattern.sub(lambda m: f"{m[1]}{terms[m[2]]}.", body)


def postal_recipient(controller: Entity, sender_country: str, loc: str) -> tuple[str, ...]:
    """The controller's postal address block, for the DPO, as a letter in ``loc`` prints it.

    The last address line is the country: written in capitals in the letter's
    language for international post, left out for domestic post.
    """
    country_line = (() if sender_country == controller.country
                    else (_postal_upper(country_name(controller.country, loc), loc),))
    return (controller.name, translations(loc).gettext("c/o Data Protection Officer"),
            *controller.address[:-1], *country_line)


def request_numbers(demand_ids: tuple[str, ...], ids: tuple[str, ...], loc: str, country: str) -> str:
    """The numbers of the letter's requests ``ids`` as a list ("2 and 3"); a run of
    three or more consecutive numbers is written as a range ("2–8")."""
    picked = [i for i, did in enumerate(demand_ids, 1) if did in ids]
    runs: list[list[int]] = []
    for i in picked:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    numbers = [f"{r[0]}–{r[-1]}" if len(r) >= 3 else str(n) for r in runs for n in (r if len(r) < 3 else r[:1])]
    return str(format_list(numbers, locale=formatting_locale(loc, country)))


# Sentinels for person data in templates: control characters never pass input
# validation, so they cannot occur in real values.
_S_NAME, _S_EMAIL, _S_URL, _S_GROUNDS, _S_REF = (f"\x00{n}\x00" for n in "NEUGR")
_SENTINEL = re.compile("(\x00[NEUGR]\x00)")
_SHAPES: dict[tuple[int, bytes], tuple[tuple[str, ...], ...]] = {}
_MAX_SHAPES = 512


def _regional_countries(data: Dataset) -> frozenset[str]:
    """Countries with an authority per region (Germany's Länder), once per dataset."""
    return _REGIONAL.get(data, None, lambda: frozenset(
        c for a in data.authorities.values() if a.subdivisions for c in a.countries))


_REGIONAL: ByIdentity[frozenset[str]] = ByIdentity(4)


def _shape_key(context: dict[str, Any]) -> bytes | None:
    """The template context as bytes: equal bytes, equal contexts (plain data only), so
    one rendering serves every letter of that shape; None (not shared) if it holds
    something else. Pickling is about six times faster than ``repr`` here, and a
    text batch makes one key per letter."""
    try:
        return pickle.dumps(context, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def _segments(text: str) -> tuple[str, ...]:
    """A rendered text split at its sentinels: text, sentinel, text, ... (sentinels at odd places)."""
    return tuple(_SENTINEL.split(text))


def _join(parts: tuple[str, ...], values: Mapping[str, str]) -> str:
    """The text with the person's values in place of the sentinels."""
    if len(parts) == 1:
        return parts[0]
    out = list(parts)
    for i in range(1, len(out), 2):
        out[i] = values[out[i]]
    return "".join(out)


def _postal_upper(text: str, locale: str) -> str:
    """Capitals for an address's country line; Greek capitals drop their accents,
    Turkish keeps the dotted capital İ, and Georgian, which writes no capitals in
    addresses (its Mtavruli capitals are missing from most fonts), stays as it is."""
    language = locale.split("_")[0]
    if language == "ka":
        return text
    if language in ("tr", "az"):
        text = text.replace("i", "İ")
    if locale.startswith("el"):
        text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return text.upper()


# The demand a subject line names, in order of preference.
_LEAD_DEMANDS = ("object", "withdraw", "withdraw-consent", "oppose", "revoke", "delete")


def _lead_citation(demands: tuple[tuple[str, Demand], ...], fallback: str) -> str:
    by_id = dict(demands)
    for did in _LEAD_DEMANDS:
        if did in by_id and by_id[did].citation:
            return by_id[did].citation or fallback
    return fallback


_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def squash(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces stay, since French
    typography puts them before ':' and inside '« »' (a plain split() would drop them)."""
    return _ASCII_SPACE.sub(" ", text).strip()


def _tidy(text: str, separator: str = "\n\n") -> str:
    """Every non-empty template line is one block (``trans trimmed`` makes each
    paragraph one line); blocks are joined by a blank line, spaces collapsed."""
    lines = (squash(line) for line in text.splitlines())
    return separator.join(line for line in lines if line) + "\n"
