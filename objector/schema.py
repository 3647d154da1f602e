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
# Brazil's LGPD, a US state law's consumer requests, or a voluntary request.
Family = Literal["gdpr", "consent", "lgpd", "us-state", "voluntary"]


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


class Period(Sourced):
    """A stretch of LinkedIn's generative-AI training policy for one region."""

    start: dt.date
    training: bool
    claimed_basis: Basis | None = None
    event: str

    @model_validator(mode="after")
    def _basis_only_when_training(self) -> Period:
        if not self.training and self.claimed_basis is not None:
            raise ValueError("a period without training cannot claim a legal basis")
        if self.training and self.claimed_basis is None:
            raise ValueError("a training period must say which basis LinkedIn claims")
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
    """LinkedIn's own statement of the basis it claims, with the policy's date."""

    document: str
    effective: dt.date
    url: str
    text: str


class LinkedInRecord(Frozen):
    """Everything objector knows about LinkedIn (fact sheet section A)."""

    name: str
    entities: dict[str, Entity]
    channels: dict[str, Channel]
    regions: dict[str, Region]
    scope: ProcessingScope
    quotes: dict[str, PolicyQuote]

    @model_validator(mode="after")
    def _references_resolve(self) -> LinkedInRecord:
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

    @model_validator(mode="after")
    def _cited_or_voluntary(self) -> Demand:
        if self.voluntary == (self.citation is not None):
            raise ValueError("a demand has a citation, or is voluntary, not both")
        return self


class Deadline(Sourced):
    """The response period and the rule it comes from."""

    months: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    rule: str
    # The provision the letter cites for the deadline; None when no law sets one.
    citation: str | None = None
    statutory: bool = True

    @model_validator(mode="after")
    def _one_unit(self) -> Deadline:
        if (self.months is None) == (self.days is None):
            raise ValueError("a deadline has either months or days")
        return self


class Escalation(Sourced):
    """What happens next if LinkedIn does not comply."""

    complaint: str
    citation: str | None = None
    court_citation: str | None = None
    statutory: bool = True


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
    notes: tuple[str, ...] = ()
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
        if not self.statutory:
            for did, demand in self.demands.items():
                if not demand.voluntary:
                    raise ValueError(f"demand {did!r}: a non-statutory regime cites no law")
        return self


class Reason(Frozen):
    """A well-written example of 'grounds relating to my particular situation'."""

    title: str
    text: str = Field(min_length=40)


class Subdivisions(Frozen):
    """Valid state / province codes per country, for input validation."""

    names: dict[str, dict[str, str]]
