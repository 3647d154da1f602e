"""Golden letters per (regime, kind), grounds handling and letter invariants."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re

import pytest
from conftest import DAY, GOLDEN, check_golden, person_for

from objector import GroundsRequired, InputError, Person, dataset, decide
from objector import compose as compose_any
from objector.letter import reference_for

REGIMES = sorted(dataset().regimes)

# These tests read English letters; other locales have tests of their own.
compose = functools.partial(compose_any, locale="en")


def _cases() -> list[tuple[str, str]]:
    cases = []
    for rid in REGIMES:
        regime = dataset().regimes[rid]
        person = person_for(rid)
        day = max(DAY, regime.in_force or DAY)
        letters = decide(person.country, person.state, day).letters
        cases += [(rid, kind) for kind in ("auto", *letters)]
    return cases


CASES = _cases()


@pytest.mark.parametrize(("regime_id", "kind"), CASES)
def test_golden_letter(regime_id: str, kind: str, update_golden: bool) -> None:
    regime = dataset().regimes[regime_id]
    person = person_for(regime_id)
    day = max(DAY, regime.in_force or DAY)
    letter = compose(person, kind, on=day, reason_preset="old-content")
    assert letter.decision.regime.id == regime_id
    check_golden(GOLDEN / regime_id / f"{kind}.txt", letter.text(), update_golden)


@pytest.mark.parametrize(("regime_id", "kind"), CASES)
def test_every_demand_and_citation_appears(regime_id: str, kind: str) -> None:
    regime = dataset().regimes[regime_id]
    day = max(DAY, regime.in_force or DAY)
    letter = compose(person_for(regime_id), kind, on=day, reason_preset="old-content")
    demands = letter.decision.demands(letter.kinds)
    assert demands, "a letter without demands"
    numbered = [b for b in letter.blocks() if b.kind == "ol"]
    assert len(numbered) == len(demands)
    for (_, demand), block in zip(demands, numbered, strict=True):
        if demand.citation:
            assert demand.citation in block.text
        else:
            assert demand.voluntary
    # Every citation in the body comes from the data (no invented law): strip the
    # known citations from the text; no citation-like fragment may be left.
    known = set(letter.citations) | {c.citation for c in regime.arguments.values() if c.citation}
    leftover = letter.body
    for k in sorted(known, key=len, reverse=True):
        leftover = leftover.replace(k, "")
    assert not re.search(r"Art\. ?\d|§ ?\d|\bs\. \d|Principle \d|Recital \d|DPP \d", leftover)


@pytest.mark.parametrize(("regime_id", "kind"), CASES)
def test_form_text_fits_the_budget(regime_id: str, kind: str) -> None:
    regime = dataset().regimes[regime_id]
    day = max(DAY, regime.in_force or DAY)
    letter = compose(person_for(regime_id), kind, on=day, reason_preset="old-content")
    budgets = [ch.text_budget for _, ch in letter.decision.channels if ch.text_budget]
    assert budgets
    assert len(letter.form_text) <= min(budgets)
    assert letter.reference in letter.form_text


def test_pre_emptive_objection_before_training() -> None:
    person = person_for("eu-gdpr")
    before = compose(person, on=dt.date(2025, 11, 2), reason_preset="old-content")
    after = compose(person, on=dt.date(2025, 11, 3), reason_preset="old-content")
    assert before.kinds == ("objection",)
    assert after.kinds == ("objection", "erasure")
    # Between the announcement and the start, the letter names the start date and
    # objects before it (review M-6).
    assert "you announced that from 3 November 2025" in before.body
    assert "I object before that date" in before.body
    assert "rely on legitimate interests" in after.body
    earlier = compose(person, on=dt.date(2025, 9, 17), reason_preset="old-content")
    assert "you do not use my personal data for AI training on the date of this letter" in earlier.body


def test_uk_letter_covers_microsoft_sharing() -> None:
    letter = compose(person_for("uk-gdpr"), on=DAY, reason_preset="old-content")
    assert "Microsoft's own AI training" in letter.body
    assert "164A" not in letter.body
    # Before the notice listed the Microsoft sharing, the letter does not say it does.
    early = compose(person_for("uk-gdpr"), on=dt.date(2025, 10, 1), reason_preset="old-content")
    assert "Microsoft" not in early.body


def test_swiss_letter_expressly_prohibits() -> None:
    letter = compose(person_for("ch-fadp"), on=DAY, reason_preset="old-content")
    assert "I expressly prohibit you" in letter.body
    assert "FADP Art. 30(2)(b)" in letter.body and "GDPR Art. 21(1)" in letter.body


def test_us_letter_is_honest_about_ai_training() -> None:
    for rid in ("us-ca", "us-va", "us-none"):
        body = compose(person_for(rid), on=DAY).body
        assert "Data for Generative AI Improvement" in body
    # The request stands beside the statutory arguments, without conceding that no
    # law applies (review M-8).
    assert "No US law" not in compose(person_for("us-ca"), on=DAY).body


def test_not_covered_cites_no_law() -> None:
    letter = compose(person_for("none"), on=DAY)
    assert not letter.decision.covered
    assert letter.citations == ()
    assert not re.search(r"Art\.|§|Section|s\. \d", letter.body)


def test_objection_requires_grounds_unless_waived() -> None:
    person = person_for("eu-gdpr")
    with pytest.raises(GroundsRequired, match=r"GDPR Art\. 21\(1\)"):
        compose(person, on=DAY)
    waived = compose(person, on=DAY, allow_no_grounds=True)
    assert waived.grounds_source == "waived"
    assert "could not reasonably expect such use" in waived.body and "GDPR Recital 69" in waived.body
    own = compose(person, on=DAY, reason="I am a freelance translator.\nMy posts are samples of my work.")
    assert "My particular situation (GDPR Art. 21(1)): I am a freelance translator. My posts are samples" in own.body
    both = compose(person, on=DAY, reason="I also teach.", reason_preset="creative-work")
    assert both.grounds_source == "preset:creative-work+reason"
    assert both.body.index("I write the posts") < both.body.index("I also teach.")


def test_consent_regimes_need_no_grounds() -> None:
    letter = compose(person_for("ca-pipeda"), on=DAY)
    assert letter.grounds is None and letter.kinds == ("consent-withdrawal",)


def test_grounds_given_where_unused_are_noted() -> None:
    letter = compose(person_for("us-ca"), on=DAY, reason="My reasons.")
    assert letter.notes and "not used" in letter.notes[0]
    assert "My reasons." not in letter.body


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "opt-out"}, "kind"),
    ({"kind": "nonsense"}, "kind"),
    ({"reason_preset": "no-such-preset"}, "reason_preset"),
    ({"locale": "xx"}, "locale"),
    ({"locale": "mn"}, "locale"),  # a language with no catalog
    ({"reason": "bad\x00text"}, "reason"),
])
def test_bad_letter_options(kwargs: dict[str, str], field: str) -> None:
    kind = kwargs.pop("kind", "auto")
    with pytest.raises(InputError) as info:
        compose(person_for("eu-gdpr"), kind, on=DAY, allow_no_grounds=True, **kwargs)
    assert info.value.field == field


def test_reference_is_stable_and_unique() -> None:
    a = person_for("eu-gdpr")
    b = dataclasses.replace(a, email="other@example.org")
    ref = reference_for(a, ("objection",), DAY, "en")
    assert ref == reference_for(a, ("objection",), DAY, "en")
    assert re.fullmatch(r"OBJ-20261125(-[0-9A-HJKMNP-TV-Z]{4}){5}", ref)
    assert ref != reference_for(b, ("objection",), DAY, "en")
    assert ref != reference_for(a, ("erasure",), DAY, "en")
    assert ref != reference_for(a, ("objection",), DAY + dt.timedelta(days=1), "en")


def test_due_date_and_dates_are_localised() -> None:
    us = compose(person_for("us-ca"), on=dt.date(2026, 1, 31))
    eu = compose(person_for("eu-gdpr"), on=dt.date(2026, 1, 31), allow_no_grounds=True)
    assert us.due == dt.date(2026, 3, 17) and "March 17, 2026" in us.body
    # One month ends on Saturday 28 February, so on Monday 2 March (Reg. 1182/71 Art. 3(4)).
    assert eu.due == dt.date(2026, 3, 2) and "2 March 2026" in eu.body
    assert eu.date_text == "31 January 2026" and us.date_text == "January 31, 2026"


def test_domestic_post_has_no_country_line() -> None:
    us = compose(person_for("us-ca"), on=DAY)
    de = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    assert us.recipient[-1] == "Sunnyvale, CA 94085"
    assert de.recipient[-1] == "IRELAND"


def test_person_data_is_never_evaluated_as_template() -> None:
    person = Person.create("{{ 7*7 }} {% raw %}", "alex@example.org", "FR")
    letter = compose(person, on=DAY, reason="{{ config }} {%- if 1 %}x{% endif %}")
    assert "{{ 7*7 }} {% raw %}" in letter.body
    assert "{{ config }} {%- if 1 %}x{% endif %}" in letter.body
    assert "49" not in letter.body


@pytest.mark.parametrize(("locale", "name", "line"), [
    ("tr", "Amerika Birleşik Devletleri", "AMERİKA BİRLEŞİK DEVLETLERİ"),
    ("ka", "ამერიკის შეერთებული შტატები", "ამერიკის შეერთებული შტატები"),
    ("el", "Ηνωμένες Πολιτείες", "ΗΝΩΜΕΝΕΣ ΠΟΛΙΤΕΙΕΣ"),
    ("de", "Vereinigte Staaten", "VEREINIGTE STAATEN"),
])
def test_country_line_capitals_follow_the_language(locale: str, name: str, line: str) -> None:
    from objector.letter import _postal_upper

    assert _postal_upper(name, locale) == line


def test_text_letter_names_the_senders_country_on_international_post() -> None:
    abroad = compose(person_for("eu-gdpr"), on=DAY, reason_preset="old-content")  # Berlin to Dublin
    assert abroad.text().splitlines()[:5] == ["Alex Example", "1 Sample Street", "Sample Town", "GERMANY",
                                              "alex@example.org"]
    home = compose(person_for("us-ca"), on=DAY)  # California to Sunnyvale
    assert "UNITED STATES" not in home.text().split("\n\n")[0]
