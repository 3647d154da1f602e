"""When an answer is due: a regime's response periods, counted from receipt as the law counts them."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import holidays as holidays_lib

from .memo import ByIdentity
from .schema import Channel, Regime, Roll, Term

Unit = Literal["months", "days", "business-days"]
MAIN = "main"
_WEEKDAYS = {"Sat": 5, "Sun": 6}
# Without a roll table only weekends are days off (business days, post delivery).
_WEEKENDS_ONLY = Roll(moves=False, sources=("ANALYSIS",))


@dataclass(frozen=True)
class Due:
    """One period of a letter: when the answer is due, counted from ``received``.

    ``statutory`` is True only when the law sets this period for every request of
    the letter it covers; ``statutory_demands`` are the requests the law does set
    it for (PIPEDA s. 8(3): the access request only). ``rolled_from`` is the day
    the period would have ended had it not fallen on a weekend or public holiday.
    """

    group: str
    date: dt.date
    received: dt.date
    unit: Unit
    length: int
    statutory: bool
    statutory_demands: tuple[str, ...]
    demands: tuple[str, ...]
    citation: str | None
    rule: str
    rolled_from: dt.date | None
    roll_citation: str | None


def unit_of(term: Term) -> tuple[Unit, int]:
    """A period's unit and length."""
    if term.months is not None:
        return "months", term.months
    if term.days is not None:
        return "days", term.days
    assert term.business_days is not None
    return "business-days", term.business_days


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months: the same day of the month, or the last day
    of a shorter month (31 Jan + 1 = 28/29 Feb; Reg. 1182/71 Art. 3(2)(c))."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=256)
def _holidays(code: str, categories: tuple[str, ...], year: int) -> frozenset[dt.date]:
    country, _, subdiv = code.partition("-")
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdiv or None, years=year,
                                                   categories=categories))


def is_working_day(day: dt.date, roll: Roll | None) -> bool:
    """False on the roll's weekend days and on its public holidays."""
    roll = roll or _WEEKENDS_ONLY
    if day.weekday() in {_WEEKDAYS[w] for w in roll.weekend}:
        return False
    return not (roll.holidays and day in _holidays(roll.holidays, roll.categories, day.year))


def add_working_days(day: dt.date, count: int, roll: Roll | None) -> dt.date:
    """The ``count``-th working day after ``day`` (the day itself is not counted)."""
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day, roll):
            count -= 1
    return day


def end_of_period(received: dt.date, term: Term, roll: Roll | None) -> tuple[dt.date, dt.date | None]:
    """The last day of ``term`` from ``received``, and the day it moved from (or None).

    The day of receipt is not counted: a period in days or months starts the next
    day, so it ends ``length`` days, or the same date ``length`` months, later.
    """
    unit, length = unit_of(term)
    if unit == "months":
        end = add_months(received, length)
    elif unit == "days":
        end = received + dt.timedelta(days=length)
    else:
        end = add_working_days(received, length, roll)
    if roll is not None and roll.moves and not is_working_day(end, roll):
        moved = end
        while not is_working_day(end, roll):
            end += dt.timedelta(days=1)
        return end, moved
    return end, None


def term_of(regime: Regime, group: str = MAIN) -> Term:
    """The period of ``group`` (``main``, or a key of the deadline's groups)."""
    dl = regime.deadline
    if group == MAIN:
        return dl
    try:
        return dl.groups[group]
    except KeyError:
        raise ValueError(f"regime {regime.id} has no deadline group {group!r}") from None


def roll_of(regime: Regime, group: str = MAIN) -> Roll | None:
    """A group's own roll rule, else the regime's."""
    return term_of(regime, group).roll or regime.deadline.roll


def group_of(regime: Regime, demand_id: str) -> str:
    """The period a demand's answer falls under."""
    return next((gid for gid, g in regime.deadline.groups.items() if demand_id in g.demands), MAIN)


def due(regime: Regime, received: dt.date, group: str = MAIN, demands: Iterable[str] | None = None) -> Due:
    """When the answer to ``group``'s requests is due for a letter received on ``received``.

    ``demands`` are the letter's requests (default: all the regime knows); the
    period is statutory only if the law sets it for each of them in the group. A
    voluntary request (no law grants it) is never under a statutory period.
    """
    term = term_of(regime, group)
    roll = roll_of(regime, group)
    wanted = tuple(demands) if demands is not None else tuple(regime.demands)
    covered = tuple(d for d in wanted if group_of(regime, d) == group)
    law_sets = tuple(
        d for d in covered
        if term.statutory and term.citation is not None and not regime.demands[d].voluntary
        and (term.statutory_for is None or d in term.statutory_for)
    ) if covered else ()
    end, moved = end_of_period(received, term, roll)
    unit, length = unit_of(term)
    return Due(
        group=group, date=end, received=received, unit=unit, length=length,
        statutory=bool(covered) and law_sets == covered, statutory_demands=law_sets, demands=covered,
        citation=term.citation_on(received), rule=term.rule, rolled_from=moved,
        roll_citation=roll.citation if roll is not None and roll.moves else None,
    )


def dues(regime: Regime, received: dt.date, demands: Iterable[str] | None = None) -> tuple[Due, ...]:
    """The main period, then each group's period that covers one of ``demands``."""
    wanted = tuple(demands) if demands is not None else tuple(regime.demands)

    def make() -> tuple[Due, ...]:
        out = [due(regime, received, MAIN, wanted)]
        out += [due(regime, received, gid, wanted) for gid, g in regime.deadline.groups.items()
                if set(g.demands) & set(wanted)]
        return tuple(out)

    # A batch asks this for every letter, mostly with the same few answers.
    return _DUES.get(regime, (received, wanted), make)


_DUES: ByIdentity[tuple[Due, ...]] = ByIdentity(1024)


def received_by_post(sent: dt.date, channel: Channel, country: str) -> dt.date | None:
    """The usual day a letter posted on ``sent`` reaches ``country`` (None when the
    channel is not post or gives no delivery time): its delivery working days later,
    skipping weekends and that country's public holidays."""
    if channel.kind != "post" or channel.delivery_days is None:
        return None
    return add_working_days(sent, channel.delivery_days, Roll(moves=False, holidays=country, sources=("ANALYSIS",)))


class _Plural(Protocol):
    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def period_words(t: _Plural, unit: Unit, length: int) -> str:
    """A period in words ("one month", "30 days", "15 business days") in ``t``'s language."""
    if unit == "months":
        if length == 1:
            # Translators: a period used inside sentences such as "within %(period)s of
            # receipt"; give it the grammatical form those sentences need in your language.
            return t.gettext("one month")
        return t.ngettext("%(num)d month", "%(num)d months", length) % {"num": length}
    if unit == "days":
        return t.ngettext("%(num)d day", "%(num)d days", length) % {"num": length}
    return t.ngettext("%(num)d business day", "%(num)d business days", length) % {"num": length}
