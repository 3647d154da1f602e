"""Pydantic models for the data files under ``objector/data`` (what a valid fact looks like)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Confidence = Literal["P", "S", "S+", "UNCONFIRMED", "ANALYSIS"]
Basis = Literal["legitimate-interests", "none-stated"]
LetterKind = Literal["objection", "erasure", "consent-withdrawal", "opt-out"]
LETTER_KINDS: tuple[LetterKind, ...] = ("objection", "erasure", "consent-withdrawal", "opt-out")
# How a regime's letters argue: GDPR-style objection, consent-based withdrawal,
# Brazil's LGPD, a US state law's consumer requests, a voluntary request, or a
# law elsewhere in the world whose letter cites the rights it grants and asks the
# rest as requests resting on LinkedIn's own worldwide promises (issue 11).
Family = Literal["gdpr", "consent", "lgpd", "us-state", "voluntary", "world"]


class Frozen(BaseModel):
    """Base for every data model: immutable, and a typo in a data file is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen):
    """A fact that names where it comes from.

    ``confirmed`` is False when the fact sheet marks it UNCONFIRMED; such facts are
    shown to the user as unconfirmed, never asserted silently.
    """

    sources: tuple[str, ...] = Field(min_length=1)
    confirmed: bool = True
    note: str | None = None


class Source(Frozen):
    """One entry of the source key table (fact sheet section G)."""

    title: str
    url: str | None = None
    confidence: Confidence
    archived: str | None = None


class Entity(Sourced):
    """A LinkedIn legal entity that acts as controller for some region."""

    name: str
    attention: str = "Data Protection Officer"
    address: tuple[str, ...] = Field(min_length=2)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    governing_law: str


class Channel(Sourced):
    """One route to LinkedIn: a setting, a web form, post or e-mail."""

    kind: Literal["setting", "form", "post", "email"]
    name: str
    url: str | None = None
    email: str | None = None
    purpose: str
    # Characters we keep a form's free text under. LinkedIn does not publish its
    # forms' limits, so this is our safe budget and ``limit_note`` says so.
    text_budget: int | None = None
    limit_note: str | None = None
    # Post: working days a letter usually takes to arrive, so a how-to can say
    # when the answer to a posted letter is due (time runs from receipt).
    delivery_days: int | None = Field(default=None, ge=1)


class Period(Sourced):
    """A stretch of LinkedIn's generative-AI training policy for one region."""

    start: dt.date
    training: bool
    claimed_basis: Basis | None = None
    event: str
    # LinkedIn announced, before this period started, when and on which basis it
    # would start (or restart) training: letters written in between object before
    # that date, which keeps all existing data out.
    announced_start: dt.date | None = None
    announced_basis: Basis | None = None

    @model_validator(mode="after")
    def _basis_only_when_training(self) -> Period:
        if not self.training and self.claimed_basis is not None:
            raise ValueError("a period without training cannot claim a legal basis")
        if self.training and self.claimed_basis is None:
            raise ValueError("a training period must say which basis LinkedIn claims")
        if (self.announced_start is None) != (self.announced_basis is None):
            raise ValueError("an announcement names both the start date and the basis")
        if self.announced_start is not None and (self.training or self.announced_start <= self.start):
            raise ValueError("an announced start lies after a period without training")
        return self


class Region(Frozen):
    """A LinkedIn region: who the controller is and the training timeline there."""

    name: str
    controller: str
    periods: tuple[Period, ...] = Field(min_length=1)
    extra_processing: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _periods_in_order(self) -> Region:
        starts = [p.start for p in self.periods]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("periods must be in strictly increasing date order")
        return self


class ProcessingScope(Sourced):
    """What LinkedIn says goes into content-generating AI training."""

    included: tuple[str, ...]
    excluded: tuple[str, ...]


class PolicyQuote(Sourced):
    """LinkedIn's own statement of the basis it claims, in one version of a policy.

    A letter quotes the version in force on its date, never a later one.
    """

    document: str
    effective: dt.date
    url: str
    text: str


class Promises(Sourced):
    """LinkedIn's own worldwide commitments in its privacy policy: the sections
    where members may ask it to stop, limit or delete, and may object where it
    relies on legitimate interests. Letters where objector cites no law rest on them."""

    document: str
    effective: dt.date
    stop: str
    object: str


class LinkedInRecord(Frozen):
    """Everything objector knows about LinkedIn (fact sheet section A)."""

    name: str
    entities: dict[str, Entity]
    channels: dict[str, Channel]
    regions: dict[str, Region]
    scope: ProcessingScope
    # Each series (e.g. the ERPN's training row) lists its versions in date order.
    quotes: dict[str, tuple[PolicyQuote, ...]]
    promises: Promises | None = None

    def quote(self, series: str, on: dt.date) -> PolicyQuote | None:
        """The version of a quoted statement in force on ``on`` (None before the first)."""
        current = None
        for q in self.quotes[series]:
            if q.effective <= on:
                current = q
        return current

    @model_validator(mode="after")
    def _references_resolve(self) -> LinkedInRecord:
        for series, versions in self.quotes.items():
            dates = [q.effective for q in versions]
            if not versions or dates != sorted(set(dates)):
                raise ValueError(f"quotes {series}: versions must be in strictly increasing date order")
        for rid, region in self.regions.items():
            if region.controller not in self.entities:
                raise ValueError(f"region {rid}: unknown controller {region.controller!r}")
        return self


class Authority(Sourced):
    """A regulator a person can complain to.

    ``countries`` / ``subdivisions`` say where it is the local authority for a
    resident (e.g. a German Land's authority for ``DE`` + ``BY``).
    """

    name: str
    short: str
    url: str
    complaint_url: str | None = None
    address: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    countries: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    # The regulator's own name in a letter language (locale or language code ->
    # name), used in letters of that language instead of ``name``.
    names: dict[str, str] = {}

    def name_in(self, locale: str) -> str:
        """The authority's name as a letter in ``locale`` gives it."""
        return self.names.get(locale) or self.names.get(locale.split("_")[0]) or self.name


class Demand(Sourced):
    """One thing a letter asks for, and the provision that grants it.

    A ``voluntary`` demand asks for something no law grants (for example that a US
    company stop first-party AI training); it has no citation and the letter says so.
    """

    citation: str | None = None
    also: tuple[str, ...] = ()
    voluntary: bool = False
    # An Art. 21(1)-style objection is only effective with grounds relating to the
    # person's particular situation, so the letter asks for them.
    needs_grounds: bool = False
    # Demands that exist only from a date (e.g. UK DPA 2018 s.164A from 2026-06-19).
    start: dt.date | None = None
    # A period the provision sets for this request, in business days (CCPA: confirm
    # receipt within 10, act on opt-out and limit requests within 15), printed by
    # the letter so the number comes from the data, not from a translated sentence.
    days: int | None = Field(default=None, ge=1)
    # An argument cited as an aid to interpretation, not as binding law (the EU
    # GDPR's recitals in a UK letter): the letter writes "cf." before it.
    persuasive: bool = False
    # A provision cited as a notice before it applies (India's DPDP Act s. 7(a),
    # from 2027-05-13): the letter names the date, so it never claims a right that
    # does not exist yet on the letter's date.
    applies_from: dt.date | None = None

    @model_validator(mode="after")
    def _cited_or_voluntary(self) -> Demand:
        if self.voluntary == (self.citation is not None):
            raise ValueError("a demand has a citation, or is voluntary, not both")
        return self


Weekday = Literal["Sat", "Sun"]


class Roll(Sourced):
    """Which days are working days for a period, and whether a period that ends on
    another day ends instead on the next working day (with the rule that says so)."""

    moves: bool
    citation: str | None = None
    # Public holidays come from the ``holidays`` package only: a country code with
    # an optional subdivision ("IE", "GB-ENG", "US-CA"), and its categories.
    holidays: str | None = Field(default=None, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    categories: tuple[str, ...] = ("public",)
    # Canada and Hong Kong count Sunday as a holiday but not Saturday.
    weekend: tuple[Weekday, ...] = ("Sat", "Sun")


class Term(Sourced):
    """One response period: its length in one unit, the rule it comes from, and
    the requests for which the law itself sets it (review M-5)."""

    months: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    business_days: int | None = Field(default=None, ge=1)
    rule: str
    # The provision the letter cites for the deadline; None when no law sets one.
    citation: str | None = None
    statutory: bool = True
    # The demands (ids) the law sets this period for, when it covers only some of
    # them (PIPEDA s. 8(3): access only); None = every demand it applies to.
    statutory_for: tuple[str, ...] | None = None
    # Provisions cited with ``citation`` from a date on (the UK's Art. 12A, the
    # "applicable time period", from 2026-02-05): date -> further citations.
    also_from: dict[dt.date, tuple[str, ...]] = Field(default_factory=dict)
    # A further period the controller may take with notice, in the same unit.
    extension: int | None = Field(default=None, ge=1)
    # Days the controller has to decide an appeal (US state laws).
    appeal_days: int | None = Field(default=None, ge=1)
    # A group's own demands; the main period covers every demand of no group.
    demands: tuple[str, ...] = ()
    roll: Roll | None = None

    def citations_on(self, day: dt.date) -> tuple[str, ...]:
        """The provisions the period is cited to for a letter received on ``day``:
        ``citation``, then every provision of ``also_from`` in force by then."""
        if self.citation is None:
            return ()
        return (self.citation, *(c for since, cites in sorted(self.also_from.items()) if since <= day
                                 for c in cites))

    def citation_on(self, day: dt.date) -> str | None:
        """:meth:`citations_on` as one citation text, joined with "; " (None without one)."""
        return "; ".join(self.citations_on(day)) or None

    @model_validator(mode="after")
    def _one_unit(self) -> Term:
        if sum(x is not None for x in (self.months, self.days, self.business_days)) != 1:
            raise ValueError("a deadline has either months or days (or business days)")
        if not self.statutory and (self.citation is not None or self.statutory_for is not None):
            raise ValueError("a deadline no law sets cites no law")
        if self.also_from and self.citation is None:
            raise ValueError("also_from adds to a citation; give the citation first")
        return self


class Deadline(Term):
    """The response period and the rule it comes from, with the periods of its own
    for some groups of demands (CCPA: 15 business days for opt-outs and limits)."""

    groups: dict[str, Term] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _groups_named(self) -> Deadline:
        if self.demands:
            raise ValueError("the main deadline covers every demand of no group; it lists none")
        for gid, g in self.groups.items():
            if gid == "main" or not g.demands or g.citation is None:
                raise ValueError(f"deadline group {gid!r}: names its demands and the law that sets it")
        return self


class Consumer(Sourced):
    """Whom a US state law protects. The Virginia-model laws leave out of "consumer"
    anyone acting in a commercial or employment context (``excludes_commercial``),
    LinkedIn's obvious defence on a professional network, so the letter says the
    member acts in a personal capacity (review M-9); ``citation`` is the definition.
    ``terms`` names the law's vocabulary: the CCPA's "business" and "personal
    information", or the Virginia model's "controller" and "personal data"."""

    citation: str | None = None
    excludes_commercial: bool = False
    terms: Literal["business", "controller"] = "controller"


class OptOutSignal(Sourced):
    """A state law's duty to honour a universal opt-out signal such as Global Privacy
    Control, from ``start``; the how-to then tells the member to turn it on (m-19)."""

    start: dt.date
    citation: str | None = None


class Escalation(Sourced):
    """What happens next if LinkedIn does not comply."""

    complaint: str
    citation: str | None = None
    court_citation: str | None = None
    statutory: bool = True
    # A "report" (Swiss FADP Art. 49) asks the regulator to look into the matter;
    # it is not a complaint the regulator must decide.
    report: bool = False
    # A second regulator for the GDPR demands of a letter that cites the GDPR
    # beside a national law (Switzerland: the DPC, GDPR Art. 77), with its citation.
    gdpr_authority: str | None = None
    gdpr_citation: str | None = None
    gdpr_court_citation: str | None = None


class LanguageRule(Sourced):
    """A law that requires requests in one language (Turkey: KVKK applications in
    Turkish, Tebliğ Art. 4): a letter in another language gets a warning."""

    locale: str = Field(pattern=r"^[a-z]{2,3}$")
    citation: str
    # Where the law also requires the applicant's identity number (Turkey: T.C.
    # identity number, or nationality and passport number), the provision: the
    # letter leaves a line to fill in by hand, since objector never asks for or
    # keeps identity numbers.
    identity_citation: str | None = None


class Regime(Frozen):
    """One legal regime: where it applies, what it lets a person demand, and how."""

    id: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$|^none$")
    name: str
    law: str
    short_law: str
    family: Family
    countries: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    in_force: dt.date | None = None
    region: str
    # The default regulator; a local one for the person's country or state (GDPR
    # Art. 77: habitual residence) takes precedence where the data has one.
    authority: str | None = None
    deadline: Deadline
    escalation: Escalation
    statutory: bool = True
    demands: dict[str, Demand]
    kinds: dict[LetterKind, tuple[str, ...]]
    auto_training: tuple[LetterKind, ...]
    auto_not_training: tuple[LetterKind, ...]
    channels: tuple[str, ...]
    # Supporting citations a letter's arguments use (not demands), e.g. the
    # reasonable-expectations recital for an objection without personal grounds.
    arguments: dict[str, Demand] = Field(default_factory=dict)
    consumer: Consumer | None = None
    opt_out_signal: OptOutSignal | None = None
    notes: tuple[str, ...] = ()
    # Steps for the how-to sheet beyond the channels (e.g. attach the PCPD's
    # access form in Hong Kong).
    howto_notes: tuple[str, ...] = ()
    # What the law calls the company the letter is addressed to: a GDPR
    # "controller", a PIPEDA "organization", a Quebec "enterprise", a PDPO "data user".
    addressee: Literal["controller", "organization", "enterprise", "data-user"] = "controller"
    language: LanguageRule | None = None
    # The country's own word for a request's heading in a letter language shared
    # by several countries (locale -> catalog heading -> the country's term): one
    # Latin American Spanish catalog says "Supresión", Mexico's ARCO rights say
    # "Cancelación".
    headings: dict[str, dict[str, str]] = Field(default_factory=dict)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Regime:
        for kind, demand_ids in self.kinds.items():
            for d in demand_ids:
                if d not in self.demands:
                    raise ValueError(f"kind {kind}: unknown demand {d!r}")
        for kind in (*self.auto_training, *self.auto_not_training):
            if kind not in self.kinds:
                raise ValueError(f"auto letter uses kind {kind!r} that the regime lacks")
        dl = self.deadline
        named = [*(dl.statutory_for or ())]
        for g in dl.groups.values():
            named += [*g.demands, *(g.statutory_for or ())]
        for did in named:
            if did not in self.demands:
                raise ValueError(f"deadline: unknown demand {did!r}")
        if not self.statutory:
            for did, demand in self.demands.items():
                if not demand.voluntary:
                    raise ValueError(f"demand {did!r}: a non-statutory regime cites no law")
        return self


class Reason(Frozen):
    """A well-written example of 'grounds relating to my particular situation'."""

    title: str
    text: str = Field(min_length=40)
    # The grounds reveal special categories of data (GDPR Art. 9(1)): the letter
    # then adds that no Art. 9(2) exception covers the training.
    sensitive: bool = False


class Subdivisions(Frozen):
    """Valid state / province codes per country, for input validation."""

    names: dict[str, dict[str, str]]
