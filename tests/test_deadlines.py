"""Deadlines counted as the law counts them: from receipt, month ends, weekends, holidays, groups."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re

import pytest
from conftest import person_for

from objector import compose as compose_any
from objector import render
from objector.data import dataset
from objector.deadlines import add_months, add_working_days, due, dues, is_working_day, roll_of
from objector.decision import decide
from objector.schema import Deadline

compose = functools.partial(compose_any, locale="en", allow_no_grounds=True)
D = dt.date.fromisoformat


# (country, state, received, group, due, rolled_from): review M-4/M-11 and after-sending §1.4.
@pytest.mark.parametrize(
    ("country", "state", "received", "group", "expected", "rolled_from"),
    [
        ("DE", None, "2025-10-01", "main", "2025-11-03", "2025-11-01"),  # Saturday
        ("DE", None, "2026-12-02", "main", "2027-01-04", "2027-01-02"),  # Saturday
        ("DE", None, "2027-01-31", "main", "2027-03-01", "2027-02-28"),  # no 31 Feb, then Sunday
        ("DE", None, "2026-03-31", "main", "2026-04-30", None),  # shorter month, a Thursday
        ("FR", None, "2026-11-25", "main", "2026-12-28", "2026-12-25"),  # Christmas, St Stephen's, Sunday
        ("FR", None, "2026-12-01", "main", "2027-01-04", "2027-01-01"),  # New Year's Day
        ("DE", None, "2027-02-17", "main", "2027-03-18", "2027-03-17"),  # St Patrick's Day (Irish holiday)
        ("CH", None, "2026-12-02", "main", "2027-01-04", "2027-01-02"),
        ("GB", None, "2026-11-25", "main", "2026-12-29", "2026-12-25"),  # England: Boxing Day observed 28th
        ("CA", None, "2026-12-04", "main", "2027-01-04", "2027-01-03"),  # Sunday is a holiday
        ("CA", None, "2026-12-02", "main", "2027-01-02", "2027-01-01"),  # Saturday is not
        ("CA", "QC", "2026-05-25", "main", "2026-06-25", "2026-06-24"),  # Fête nationale
        ("BR", None, "2026-12-04", "main", "2026-12-21", "2026-12-19"),  # 15 days, Saturday
        ("HK", None, "2026-11-24", "main", "2027-01-04", "2027-01-03"),  # 40 days, Sunday
        ("HK", None, "2026-12-04", "main", "2027-01-13", None),
        ("US", "CA", "2026-12-04", "main", "2027-01-18", None),  # 45 days; no roll-over in the sources
        ("US", "CA", "2026-12-04", "opt-out", "2026-12-28", None),  # 15 business days, Christmas skipped
        ("US", "VA", "2026-12-04", "main", "2027-01-18", None),
        ("US", "IA", "2026-12-04", "main", "2027-03-04", None),  # 90 days
        ("PK", None, "2026-12-04", "main", "2027-01-03", None),  # no law, no roll-over
    ],
)
def test_due_dates(country: str, state: str | None, received: str, group: str, expected: str,
                   rolled_from: str | None) -> None:
    regime = decide(country, state, D(received)).regime
    d = due(regime, D(received), group)
    assert d.date == D(expected)
    assert d.rolled_from == (D(rolled_from) if rolled_from else None)
    assert d.received == D(received) and d.group == group


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [("2027-01-31", 1, "2027-02-28"), ("2028-01-31", 1, "2028-02-29"), ("2026-03-31", 1, "2026-04-30"),
     ("2026-12-15", 1, "2027-01-15"), ("2026-12-02", 3, "2027-03-02"), ("2026-08-31", 6, "2027-02-28")],
)
def test_month_arithmetic(day: str, months: int, expected: str) -> None:
    assert add_months(D(day), months) == D(expected)


def test_business_days_skip_weekends_and_california_holidays() -> None:
    roll = roll_of(dataset().regimes["us-ca"], "opt-out")
    assert not is_working_day(D("2026-12-25"), roll) and not is_working_day(D("2026-12-26"), roll)
    assert add_working_days(D("2026-12-04"), 15, roll) == D("2026-12-28")
    assert add_working_days(D("2026-12-04"), 14, None) == D("2026-12-24")


_RECEIPTS = [D("2026-12-01") + dt.timedelta(days=i) for i in range(0, 62, 3)] + [D("2027-01-31"), D("2028-02-29")]


@pytest.mark.parametrize("rid", sorted(dataset().regimes))
def test_every_regime_counts_from_receipt_and_rolls_only_as_its_rule_says(rid: str) -> None:
    regime = dataset().regimes[rid]
    for received in _RECEIPTS:
        for d in dues(regime, received):
            roll = roll_of(regime, d.group)
            assert d.date > received
            if d.rolled_from is not None:
                assert roll is not None and roll.moves
                assert not is_working_day(d.rolled_from, roll) and is_working_day(d.date, roll)
                assert all(not is_working_day(d.rolled_from + dt.timedelta(days=i), roll)
                           for i in range((d.date - d.rolled_from).days))
            elif roll is not None and roll.moves:
                assert is_working_day(d.date, roll)
            if not regime.deadline.statutory:
                assert not d.statutory and not d.statutory_demands


# The letter, the how-to, the .ics and explain --json name the same dates.
@pytest.mark.parametrize(("rid", "day"), [("eu-gdpr", "2025-10-01"), ("eu-gdpr", "2026-12-02"),
                                          ("uk-gdpr", "2026-11-25"), ("ca-pipeda", "2026-12-04"),
                                          ("br-lgpd", "2026-12-04"), ("hk-pdpo", "2026-11-24"),
                                          ("none", "2026-12-04")])
def test_letter_howto_ics_and_json_agree(rid: str, day: str) -> None:
    letter = compose(person_for(rid), on=D(day))
    expected = due(letter.decision.regime, D(day)).date
    assert letter.due == expected and letter.dues[0].date == expected
    assert letter.due_text in letter.body
    assert f"is due by {letter.due_text}." in render(letter, "howto").decode()
    assert f"DTSTART;VALUE=DATE:{expected:%Y%m%d}" in render(letter, "ics").decode().split("\r\n")
    record = decide(letter.person.country, letter.person.state, D(day)).to_json()["deadline"]
    assert record["due"] == expected.isoformat() == record["periods"][0]["due"]
    assert record["received"] == day


def test_ccpa_opt_out_and_limit_have_their_own_date() -> None:
    regime = dataset().regimes["us-ca"]
    main, opt_out = dues(regime, D("2026-12-04"), ["delete", "opt-out-sale-sharing", "limit-sensitive"])
    assert (main.date, opt_out.date) == (D("2027-01-18"), D("2026-12-28"))
    assert opt_out.unit == "business-days" and opt_out.length == 15 and opt_out.statutory
    record = decide("US", "CA", D("2026-12-04")).to_json()["deadline"]
    assert [p["due"] for p in record["periods"]] == ["2027-01-18", "2026-12-28"]
    assert record["periods"][1]["business_days"] == 15


def test_ccpa_letter_gives_both_dates_and_ics_has_an_event_each() -> None:
    letter = compose(person_for("us-ca"), on=D("2026-12-04"), kind="opt-out")
    assert [d.date for d in letter.dues] == [D("2027-01-18"), D("2026-12-28")]
    assert "January 18, 2027" in letter.body and "December 28, 2026" in letter.body
    assert "within 15 business days of receipt" in letter.body
    ics = render(letter, "ics").decode().split("\r\n")
    assert "DTSTART;VALUE=DATE:20270118" in ics and "DTSTART;VALUE=DATE:20261228" in ics
    assert ics.count("BEGIN:VEVENT") == 2
    assert "December 28, 2026" in render(letter, "howto").decode()


@pytest.mark.parametrize("rid", sorted(dataset().regimes))
def test_no_deadline_is_labelled_statutory_beyond_what_the_law_covers(rid: str) -> None:
    letter = compose(person_for(rid), on=D("2026-12-04"))
    main = letter.dues[0]
    howto = render(letter, "howto").decode()
    if not main.statutory:
        assert "at the latest within" not in letter.body
        assert "This is the deadline the law sets" not in howto
    if main.statutory_demands and not main.statutory:
        assert "for your other requests it is the date your letter asks for" in howto
        assert "and my other requests within the same period" in letter.body
    if not main.statutory_demands and main.citation:
        assert f"({main.citation})" not in howto.split("\n\n")[1]


@pytest.mark.parametrize(("rid", "statutory_for"), [("ca-pipeda", ("inform",)), ("ca-qc", ("inform",)),
                                                    ("hk-pdpo", ("inform",)), ("br-lgpd", ("confirm-access",))])
def test_access_only_periods_are_statutory_for_access_only(rid: str, statutory_for: tuple[str, ...]) -> None:
    regime = dataset().regimes[rid]
    d = due(regime, D("2026-12-04"))
    assert not d.statutory and d.statutory_demands == statutory_for


def test_posted_letter_gets_the_later_date() -> None:
    letter = compose(person_for("eu-gdpr"), on=D("2026-12-04"))
    howto = render(letter, "howto").decode()
    # 5 Irish working days to arrive (11 Dec), then one month: Monday 11 January 2027.
    assert "takes up to 5 working days to arrive; the answer to it is then due by 11 January 2027" in howto
    assert "the day you send it through a form or by e-mail" in howto


def test_explain_json_has_receipt_roll_and_periods() -> None:
    record = json.loads(json.dumps(decide("DE", None, D("2026-12-02")).to_json()))["deadline"]
    assert record["months"] == 1 and record["unit"] == "months"
    assert (record["received"], record["due"], record["rolled_from"]) == ("2026-12-02", "2027-01-04", "2027-01-02")
    assert record["statutory"] is True and len(record["periods"]) == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [({"days": 15, "rule": "r", "sources": ["GDPR"], "groups": {"x": {"days": 5, "rule": "r", "sources": ["GDPR"]}}},
      "names its demands"),
     ({"days": 15, "business_days": 3, "rule": "r", "sources": ["GDPR"]}, "either months or days"),
     ({"days": 15, "rule": "r", "sources": ["GDPR"], "statutory": False, "citation": "X"}, "cites no law")],
)
def test_deadline_schema_rejects(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Deadline.model_validate(table)


def test_howto_names_the_separate_periods_by_request_number() -> None:
    from conftest import DAY, person_for

    from objector import compose
    from objector.output.howto import render_howto

    howto = render_howto(compose(person_for("us-ca"), on=DAY, locale="en"))
    assert "built-in method" not in howto
    assert re.search(r"For your requests \d+ and \d+ the law sets a separate deadline", howto)


@pytest.mark.parametrize(("day", "cited"), [
    (dt.date(2026, 2, 4), "(UK GDPR Art. 12(3))"),
    # The Data (Use and Access) Act's Art. 12A, in force 2026-02-05 (review m-7).
    (dt.date(2026, 2, 5), "(UK GDPR Art. 12(3); UK GDPR Art. 12A)"),
    (dt.date(2026, 12, 4), "(UK GDPR Art. 12(3); UK GDPR Art. 12A)"),
])
def test_a_uk_letter_cites_the_applicable_time_period_from_its_date(day: dt.date, cited: str) -> None:
    letter = compose_any(person_for("uk-gdpr"), on=day, locale="en", allow_no_grounds=True)
    assert cited in letter.body
    assert ("UK GDPR Art. 12A" in letter.citations) == (day >= dt.date(2026, 2, 5))
