"""The jurisdiction model: (country, state, date) -> which law, which letter, which route."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale

from . import deadlines
from .data import Dataset, dataset
from .deadlines import add_months as add_months  # re-exported: the month arithmetic lives in deadlines
from .errors import InputError
from .memo import ByIdentity
from .schema import (
    LETTER_KINDS,
    Authority,
    Channel,
    Deadline,
    Demand,
    Entity,
    LetterKind,
    Period,
    Regime,
)

# People write "UK" far more often than the ISO code "GB".
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def N_(message: str) -> str:
    """Mark an interface message for extraction; it is translated when shown."""
    return message


@dataclass(frozen=True)
class Step:
    """One step of the reasoning shown by ``objector explain``, with its sources.

    The message is kept untranslated (``msgid`` with ``%(name)s`` parameters) so a
    decision stays language-neutral; ``data_params`` name the parameters that hold
    prose from the data files, translated from the ``data`` catalog when shown.
    """

    msgid: str
    params: tuple[tuple[str, str], ...] = ()
    data_params: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # (country code, state name): shown as ``%(place)s`` in the reader's language.
    place: tuple[str, str | None] | None = None

    def render(self, locale: str = "en") -> str:
        """The step as a sentence in ``locale``."""
        from .i18n import country_name, translations

        ui = translations(locale, "objector")
        data = translations(locale, "data")
        values = {k: (data.gettext(v) if k in self.data_params else v) for k, v in self.params}
        if self.place is not None:
            country, state = self.place
            name = country_name(country, locale)
            values["place"] = f"{state}, {name}" if state else name
        return ui.gettext(self.msgid) % values

    @property
    def text(self) -> str:
        """The step in English."""
        return self.render("en")


def _step(msgid: str, sources: tuple[str, ...] = (), data: tuple[str, ...] = (),
          place: tuple[str, str | None] | None = None, **params: str) -> Step:
    return Step(msgid, tuple(params.items()), data, sources, place)


# Decision.demands by regime, kinds and date: a letter asks several times, a batch for every letter.
_DEMANDS: ByIdentity[tuple[tuple[str, Demand], ...]] = ByIdentity(1024)


@dataclass(frozen=True)
class Decision:
    """Everything objector decided for one person's place and date.

    A pure value: the same (country, state, date) always gives the same Decision.
    """

    country: str
    state: str | None
    on: dt.date
    regime: Regime
    controller: Entity
    period: Period | None
    authority: Authority | None
    lead_authority: Authority | None
    channels: tuple[tuple[str, Channel], ...]
    steps: tuple[Step, ...]
    data: Dataset = field(repr=False, compare=False)

    @property
    def training_active(self) -> bool:
        """Whether LinkedIn trains content-generating models on this region's data then."""
        return self.period is not None and self.period.training

    @property
    def claimed_basis(self) -> str | None:
        """The legal basis LinkedIn claims for the training, or None when not training."""
        return self.period.claimed_basis if self.period is not None else None

    @property
    def announced_start(self) -> dt.date | None:
        """The date LinkedIn has announced it will start (or restart) training, when
        the letter's date lies between that announcement and the start."""
        return self.period.announced_start if self.period is not None else None

    @property
    def trained_before(self) -> tuple[dt.date, dt.date] | None:
        """The last stretch (start, pause) in which LinkedIn trained on this region's
        data before the letter's date, when it does not train on that date."""
        if self.period is None or self.period.training:
            return None
        periods = self.data.linkedin.regions[self.regime.region].periods
        last = None
        for before, after in itertools.pairwise(periods):
            if before.training and not after.training and after.start <= self.on:
                last = (before.start, after.start)
        return last

    @property
    def effective_basis(self) -> str | None:
        """The basis LinkedIn claims on the date, or has announced it will claim."""
        return _effective_basis(self.period)

    def kind_unfit(self, kind: str) -> str | None:
        """Why a letter kind the regime has would not work on this date (None if it works)."""
        return _kind_unfit(self.regime, self.period, kind)

    @property
    def covered(self) -> bool:
        """False when objector has no law for this place (the ``none`` regime)."""
        return self.regime.id != "none"

    @property
    def letters(self) -> tuple[LetterKind, ...]:
        """The letter kinds that fit the law and the basis LinkedIn claims, in a fixed order."""
        return tuple(k for k in LETTER_KINDS if k in self.regime.kinds and self.kind_unfit(k) is None)

    @property
    def recommended(self) -> tuple[LetterKind, ...]:
        """The kinds that ``auto`` combines into one letter."""
        r = self.regime
        return r.auto_training if self.training_active else r.auto_not_training

    @property
    def deadline(self) -> Deadline:
        return self.regime.deadline

    def due(self, sent: dt.date | None = None, group: str = "main") -> dt.date:
        """When the answer to a letter received on ``sent`` (default: the decision
        date) is due: the main period, or ``group``'s, counted as the law counts it."""
        return deadlines.due(self.regime, sent or self.on, group).date

    def dues(self, received: dt.date | None = None,
             kinds: tuple[LetterKind, ...] | None = None) -> tuple[deadlines.Due, ...]:
        """Every period of a letter of ``kinds`` received on ``received`` (default:
        the decision date), the main one first."""
        return deadlines.dues(self.regime, received or self.on, [did for did, _ in self.demands(kinds)])

    def demands(self, kinds: tuple[LetterKind, ...] | None = None) -> tuple[tuple[str, Demand], ...]:
        """The demands of a letter combining ``kinds`` (default: the recommended ones).

        Demands come in the order the regime lists them, each once, and only those
        in force on the decision date.
        """
        kinds = kinds or self.recommended
        regime, on = self.regime, self.on

        def make() -> tuple[tuple[str, Demand], ...]:
            wanted: set[str] = set()
            for kind in kinds:
                wanted.update(regime.kinds.get(kind, ()))
            return tuple((did, d) for did, d in regime.demands.items()
                         if did in wanted and (d.start is None or d.start <= on))

        return _DEMANDS.get(regime, (kinds, on), make)

    def citations(self, kinds: tuple[LetterKind, ...] | None = None) -> tuple[str, ...]:
        """Every provision a letter of ``kinds`` cites, in order, each once."""
        out: list[str] = []
        for _, d in self.demands(kinds):
            for c in (d.citation, *d.also):
                if c and c not in out:
                    out.append(c)
        esc = self.regime.escalation
        # A group's period (CCPA opt-outs) is cited when the letter makes its requests.
        wanted = {did for did, _ in self.demands(kinds)}
        groups = [g.citation for g in self.regime.deadline.groups.values() if set(g.demands) & wanted]
        # The definition of "consumer", cited where the member says they act in a
        # personal capacity (US state laws, review M-9).
        consumer = self.regime.consumer
        for c in (
            consumer.citation if consumer is not None and consumer.excludes_commercial else None,
            # The period's provisions in force on the letter's date (UK: Art. 12A).
            *self.regime.deadline.citations_on(self.on),
            *groups,
            esc.citation,
            esc.court_citation,
            esc.gdpr_citation,
            esc.gdpr_court_citation,
        ):
            if c and c not in out:
                out.append(c)
        return tuple(out)

    def unconfirmed(self, kinds: tuple[LetterKind, ...] | None = None,
                    channels: bool = True, locale: str = "en") -> tuple[str, ...]:
        """Human notes on every fact this decision uses that is not confirmed
        (with ``channels=False``, only the legal facts and addresses), in ``locale``."""
        from .i18n import translations

        data = translations(locale, "data").gettext
        unconfirmed = translations(locale, "objector").gettext(N_("unconfirmed"))
        notes: list[str] = []

        def add(label: str, fact: Any) -> None:
            if not fact.confirmed:
                notes.append(f"{label}: {data(fact.note) if fact.note else unconfirmed}")

        from .citations import localise

        for did, d in self.demands(kinds):
            add(localise(d.citation, locale) if d.citation else did, d)
        # Arguments a letter may cite (the ANPD's decision, a consumer definition):
        # shown too, even where one letter does not use them all.
        for aid, a in self.regime.arguments.items():
            add(localise(a.citation, locale) if a.citation else aid, a)
        add("deadline", self.regime.deadline)
        for gid, g in self.regime.deadline.groups.items():
            if set(g.demands) & {did for did, _ in self.demands(kinds)}:
                add(f"deadline ({gid})", g)
        for term in (self.regime.deadline, *self.regime.deadline.groups.values()):
            if term.roll is not None:
                add("deadline (weekends and holidays)", term.roll)
        add("escalation", self.regime.escalation)
        add(self.controller.name, self.controller)
        if self.authority is not None:
            add(self.authority.name_in(locale), self.authority)
        for _, ch in self.channels if channels else ():
            if ch.limit_note:
                notes.append(f"{data(ch.name)}: {data(ch.limit_note)}")
        return tuple(dict.fromkeys(notes))

    def to_json(self, locale: str = "en") -> dict[str, Any]:
        """The decision as plain JSON-ready data (``objector explain --json``); the
        reasoning sentences are in ``locale``, everything else is data."""
        r = self.regime
        periods = [_due_json(d) for d in self.dues()]
        # The main period's fields stay at the top level, as before groups existed.
        deadline: dict[str, Any] = {**periods[0], "periods": periods}
        return {
            "regime": r.id,
            "regime_name": r.name,
            "law": r.law,
            "covered": self.covered,
            "country": self.country,
            "state": self.state,
            "on": self.on.isoformat(),
            "controller": {
                "name": self.controller.name,
                "attention": self.controller.attention,
                "address": "\n".join(self.controller.address),
                "address_lines": list(self.controller.address),
            },
            "training_active": self.training_active,
            "claimed_basis": self.claimed_basis if self.training_active else None,
            "policy_event": (
                {"since": self.period.start.isoformat(), "event": self.period.event,
                 "sources": list(self.period.sources)}
                if self.period else None
            ),
            "announced": (
                {"start": self.announced_start.isoformat(), "basis": self.effective_basis}
                if self.announced_start else None
            ),
            "letters": list(self.letters),
            "recommended": list(self.recommended),
            "demands": [
                {
                    "id": did,
                    "citation": d.citation,
                    "also": list(d.also),
                    "voluntary": d.voluntary,
                    "needs_grounds": d.needs_grounds,
                    "confirmed": d.confirmed,
                    "sources": list(d.sources),
                    "kinds": [k for k in self.letters if did in r.kinds[k]],
                }
                for did, d in self.demands(self.letters)
            ],
            "citations": list(self.citations()),
            "authority": _authority_json(self.authority),
            "lead_authority": _authority_json(self.lead_authority),
            "escalation": {
                "complaint": r.escalation.complaint,
                "citation": r.escalation.citation,
                "court_citation": r.escalation.court_citation,
            },
            "deadline": deadline,
            "channels": [
                {
                    "id": cid,
                    "kind": ch.kind,
                    "name": ch.name,
                    "url": ch.url,
                    "email": ch.email,
                    "purpose": ch.purpose,
                    "text_budget": ch.text_budget,
                    **({"address": "\n".join(
                        [self.controller.name, f"c/o {self.controller.attention}",
                         *self.controller.address])} if ch.kind == "post" else {}),
                }
                for cid, ch in self.channels
            ],
            "reasoning": [{"step": s.render(locale), "sources": list(s.sources)} for s in self.steps],
            "notes": list(r.notes),
            "unconfirmed": list(self.unconfirmed(self.letters, locale=locale)),
        }


def _effective_basis(period: Period | None) -> str | None:
    if period is None:
        return None
    return period.claimed_basis if period.training else period.announced_basis


def _kind_unfit(regime: Regime, period: Period | None, kind: str) -> str | None:
    """Why ``kind`` would not work in ``period`` (None if it works): withdrawing consent
    (GDPR Art. 7(3)) stops nothing where LinkedIn claims, or has announced, legitimate
    interests; only an Art. 21(1) objection does (review M-2)."""
    if (kind == "consent-withdrawal" and regime.family == "gdpr"
            and _effective_basis(period) == "legitimate-interests"):
        return ("LinkedIn relies on legitimate interests here, not consent, so withdrawing consent "
                "alone would not stop the training; write an objection instead")
    return None


def _authority_json(a: Authority | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "name": a.name,
        "short": a.short,
        "url": a.url,
        "complaint_url": a.complaint_url,
        "address": list(a.address),
        "email": a.email,
        "confirmed": a.confirmed,
    }


def _due_json(d: deadlines.Due) -> dict[str, Any]:
    key = {"months": "months", "days": "days", "business-days": "business_days"}[d.unit]
    return {
        key: d.length, "unit": d.unit, "group": d.group, "rule": d.rule, "citation": d.citation,
        "statutory": d.statutory, "statutory_for": list(d.statutory_demands), "demands": list(d.demands),
        "received": d.received.isoformat(), "due": d.date.isoformat(),
        "rolled_from": d.rolled_from.isoformat() if d.rolled_from else None, "roll_citation": d.roll_citation,
    }


def due_date(received: dt.date, deadline: Deadline) -> dt.date:
    """When the answer to a letter received on ``received`` is due under ``deadline``'s
    main period (weekends and holidays as its roll rule says)."""
    return deadlines.end_of_period(received, deadline, deadline.roll)[0]


def parse_date(text: str, field_name: str = "date") -> dt.date:
    """An ISO date (YYYY-MM-DD); anything else is an InputError naming ``field_name``."""
    try:
        # fromisoformat alone would also take ISO week dates such as 2026-W01-1.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field_name, f"{text!r} is not a valid date (use YYYY-MM-DD)") from None
    # Deadlines are computed from the date, and no law here predates 2000.
    if not dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31):
        raise InputError(field_name, f"{text!r} is outside the years 2000 to 2999")
    return day


def _countries() -> set[str]:
    # Babel's CLDR territory names: every ISO 3166-1 alpha-2 code, no network.
    codes = {str(c) for c in Locale("en").territories}
    return {c for c in codes if len(c) == 2 and c.isalpha()} - {"ZZ", "EU", "EZ", "UN", "QO"}


_KNOWN_COUNTRIES = _countries()


def normalise_country(code: str) -> str:
    """Upper-case ISO 3166-1 alpha-2 code; ``UK`` is accepted for ``GB``."""
    c = code.strip().upper()
    c = _COUNTRY_ALIASES.get(c, c)
    if c not in _KNOWN_COUNTRIES:
        raise InputError("country", f"unknown country code {code!r} (use ISO 3166-1 alpha-2, e.g. DE, GB, US)")
    return c


def normalise_state(country: str, state: str | None, data: Dataset | None = None) -> str | None:
    """Upper-case state / province code valid for ``country`` (``US-CA`` and ``CA`` both work;
    a name such as ``Texas`` or ``Québec`` resolves to its code)."""
    from .person import resolve_state

    data = data or dataset()
    state = resolve_state(country, state) if state and state.strip() else state
    known = data.subdivisions.get(country)
    if state is None or not state.strip():
        if country == "US":
            raise InputError("state", "a US resident must give a state (e.g. --state CA): the law differs by state")
        return None
    s = state.strip().upper()
    if s.startswith(f"{country}-"):
        s = s[len(country) + 1:]
    if known is None:
        raise InputError("state", f"objector uses no state or province for {country}; leave it out")
    if s not in known:
        raise InputError("state", f"unknown state or province {state!r} for {country}")
    return s


def _regime_for(data: Dataset, country: str, state: str | None, on: dt.date) -> tuple[Regime, list[Step]]:
    steps: list[Step] = []
    specific: Regime | None = None
    general: Regime | None = None
    for regime in data.regimes.values():
        if country not in regime.countries:
            continue
        if regime.subdivisions:
            if state in regime.subdivisions:
                if regime.in_force is None or regime.in_force <= on:
                    specific = regime
                else:
                    steps.append(_step(
                        N_("%(law)s applies in %(state)s only from %(start)s, after %(date)s."),
                        regime.sources, ("law",), law=regime.law, state=state or "",
                        start=regime.in_force.isoformat(), date=on.isoformat()))
        elif regime.in_force is not None and on < regime.in_force:
            # A country's law (or a phase of it, India's DPDP rights) that is not in
            # force on the date: the letter never claims a right it did not yet give.
            steps.append(_step(
                N_("%(law)s applies in %(place)s only from %(start)s, after %(date)s."),
                regime.sources, ("law",), place=(country, None), law=regime.law,
                start=regime.in_force.isoformat(), date=on.isoformat()))
        elif general is None or (general.in_force or dt.date.min) <= (regime.in_force or dt.date.min):
            # Of a country's regimes in force, the latest to come into force applies.
            general = regime
    chosen = specific or general or data.regimes["none"]
    return chosen, steps


def _period(periods: tuple[Period, ...], on: dt.date) -> Period | None:
    current = None
    for p in periods:
        if p.start <= on:
            current = p
    return current


def _local_authority(data: Dataset, regime: Regime, country: str, state: str | None) -> Authority | None:
    by_state = by_country = None
    for a in data.authorities.values():
        if country not in a.countries:
            continue
        if a.subdivisions:
            if state in a.subdivisions:
                by_state = a
        else:
            by_country = a
    if by_state or by_country:
        return by_state or by_country
    return data.authorities.get(regime.authority) if regime.authority else None


def decide(country: str, state: str | None = None, on: dt.date | None = None,
           data: Dataset | None = None) -> Decision:
    """Decide for a place and date (see :func:`_decide`); results are cached, as a
    decision is a pure value and a batch asks the same question many times."""
    return _decide_cached(country, state, on or dt.date.today(), data or dataset())


@lru_cache(maxsize=1024)
def _decide_cached(country: str, state: str | None, on: dt.date, data: Dataset) -> Decision:
    return _decide(country, state, on, data)


def _decide(country: str, state: str | None = None, on: dt.date | None = None,
            data: Dataset | None = None) -> Decision:
    """Decide the regime, controller, training status, letters, route and regulator.

    ``country`` is an ISO 3166-1 alpha-2 code (case-insensitive); ``state`` a state
    or province code where the law depends on it (required for the US); ``on`` the
    date that matters (default today). Raises InputError for unknown codes.
    """
    data = data or dataset()
    on = on or dt.date.today()
    country = normalise_country(country)
    state = normalise_state(country, state, data)
    regime, steps = _regime_for(data, country, state, on)
    place = (country, data.subdivisions[country][state] if state else None)

    if regime.id == "none":
        steps.insert(0, _step(N_("objector does not cover the law of %(place)s yet, so it cites no law; "
                                 "LinkedIn's own routes below still work."), regime.sources, place=place))
    elif regime.statutory:
        steps.insert(0, _step(N_("A resident of %(place)s is protected by %(law)s."), regime.sources,
                              ("law",), place=place, law=regime.law))
    else:
        steps.insert(0, _step(N_("%(place)s has no comprehensive privacy law in force on %(date)s; "
                                 "the letter is a voluntary request and cites no law."), regime.sources,
                              place=place, date=on.isoformat()))

    region = data.linkedin.regions[regime.region]
    controller = data.linkedin.entities[region.controller]
    steps.append(_step(N_("For members in LinkedIn's region '%(region)s', the controller is %(controller)s."),
                       controller.sources, ("region",), region=region.name, controller=controller.name))
    period = _period(region.periods, on)
    if period is None:
        first = region.periods[0]
        steps.append(_step(N_("Before %(start)s LinkedIn's privacy policy did not mention training AI "
                              "models, so the letter objects in advance."), first.sources,
                           start=first.start.isoformat()))
    else:
        steps.append(_step(N_("Since %(start)s: %(event)s"), period.sources, ("event",),
                           start=period.start.isoformat(), event=period.event))
        if period.training and period.claimed_basis == "legitimate-interests":
            steps.append(_step(N_("On %(date)s LinkedIn trains content-generating AI models on this "
                                  "region's data and claims legitimate interests."), period.sources,
                               date=on.isoformat()))
        elif period.training:
            steps.append(_step(N_("On %(date)s LinkedIn trains content-generating AI models on this "
                                  "region's data and names no legal basis."), period.sources,
                               date=on.isoformat()))
        elif period.announced_start is not None:
            steps.append(_step(N_("On %(date)s LinkedIn does not yet train on this region's data but has "
                                  "announced that it will from %(start)s; objecting before then keeps all "
                                  "existing data out."), period.sources,
                               date=on.isoformat(), start=period.announced_start.isoformat()))
        else:
            steps.append(_step(N_("On %(date)s LinkedIn does not train on this region's data, so the "
                                  "letter objects in advance of any (re)start."), period.sources,
                               date=on.isoformat()))

    decision_kinds = regime.auto_training if period and period.training else regime.auto_not_training
    steps.append(_step(N_("Letters that fit: %(letters)s; recommended as one letter: %(recommended)s."),
                       regime.sources, letters=", ".join(
                           k for k in LETTER_KINDS if k in regime.kinds and _kind_unfit(regime, period, k) is None),
                       recommended=" + ".join(decision_kinds)))
    if any(regime.demands[did].needs_grounds for kind in decision_kinds for did in regime.kinds[kind]):
        steps.append(_step(N_("An objection under Art. 21(1) needs grounds relating to your particular "
                              "situation: give them with --reason or --reason-preset."), regime.sources))

    local = _local_authority(data, regime, country, state)
    # A lead authority exists only under the GDPR's one-stop shop (the DPC for
    # LinkedIn Ireland); elsewhere the regulator named is the only one.
    lead = data.authorities.get(regime.authority) if regime.authority and regime.family == "gdpr" else None
    if lead is not None and local is not None and lead == local:
        lead = None
    if local is not None and lead is not None:
        steps.append(_step(N_("If LinkedIn does not comply: %(complaint)s; regulator: %(authority)s "
                              "(lead authority: %(lead)s)."), local.sources, ("complaint",),
                           complaint=regime.escalation.complaint, authority=local.name, lead=lead.name))
    elif local is not None:
        steps.append(_step(N_("If LinkedIn does not comply: %(complaint)s; regulator: %(authority)s."),
                           local.sources, ("complaint",), complaint=regime.escalation.complaint,
                           authority=local.name))
    if country == "DE" and state is None:
        steps.append(_step(N_("Give your Land with --state (e.g. BY) to name your local data protection "
                              "authority.")))
    dl = regime.deadline
    steps.append(_step(N_("Deadline: %(rule)s"), dl.sources, ("rule",), rule=dl.rule))
    channels = tuple((cid, data.linkedin.channels[cid]) for cid in regime.channels)
    return Decision(
        country=country,
        state=state,
        on=on,
        regime=regime,
        controller=controller,
        period=period,
        authority=local,
        lead_authority=lead,
        channels=channels,
        steps=tuple(steps),
        data=data,
    )
