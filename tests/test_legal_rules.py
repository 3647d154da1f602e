"""Rules from the December 2026 legal review, enforced for every regime, kind and policy date.

Each test walks every regime, every letter kind that fits, and the dates around
every change in LinkedIn's record and in the law (period starts, quote versions,
demands that start on a date, laws coming into force), so a rule holds for the
whole model, not for the example the review happened to use.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from conftest import DAY, person_for

from objector import InputError, dataset, decide
from objector import compose as compose_any
from objector.output.howto import render_howto

compose = functools.partial(compose_any, locale="en", reason_preset="old-content")


def _dates() -> list[dt.date]:
    data = dataset()
    days = {DAY}
    for region in data.linkedin.regions.values():
        days.update(p.start for p in region.periods)
    for versions in data.linkedin.quotes.values():
        days.update(q.effective for q in versions)
    for regime in data.regimes.values():
        if regime.in_force:
            days.add(regime.in_force)
        days.update(d.start for d in regime.demands.values() if d.start)
    return sorted({d + dt.timedelta(days=off) for d in days for off in (-1, 0)})


DATES = _dates()


def _cases() -> list[tuple[str, dt.date, str]]:
    cases = []
    for rid, regime in sorted(dataset().regimes.items()):
        person = person_for(rid)
        for day in DATES:
            if regime.in_force and day < regime.in_force:
                continue
            d = decide(person.country, person.state, day)
            if d.regime.id != rid:
                continue
            cases += [(rid, day, kind) for kind in ("auto", *d.letters)]
    return cases


CASES = _cases()


@functools.cache
def _letter(rid: str, day: dt.date, kind: str):  # type: ignore[no-untyped-def]
    return compose(person_for(rid), kind, on=day)


def _ids(case: tuple[str, dt.date, str]) -> str:
    return f"{case[0]}-{case[1]}-{case[2]}"


def test_cases_cover_every_regime() -> None:
    assert {rid for rid, _, _ in CASES} == set(dataset().regimes)


# --- C-1: deletion is scoped to AI training; never a request to close the account ------

DELETION_HEADINGS = ("Deletion.", "Erasure.", "Destruction.", "Elimination.")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_deletion_is_scoped_to_ai_training(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    for block in letter.blocks():
        if block.kind == "ol" and block.text.startswith(DELETION_HEADINGS):
            assert re.search(r"\b(AI|generative|train)", block.text), block.text
    assert ("This letter is not a request to delete my account, profile, connections or content, "
            "or to end our contract, and you must not treat it as one") in letter.body
    assert "Delete the personal information you have collected from me" not in letter.body


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_form_text_never_goes_to_the_deletion_form(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    howto = render_howto(letter)
    assert "none is a request to delete my account" in letter.form_text
    if any(cid == "deletion-form" for cid, _ in letter.decision.channels):
        block = howto[howto.index("(TS-DDF)"):]
        block = block[:block.index("\n\n", block.index("\n\n") + 2)]
        assert "Do not use this form for your letter" in block
        assert "paste the text below" not in block.replace("do not paste the text below", "")


# --- M-1: the form text claims nothing the letter does not -----------------------------

# A verb in the form text, and the demands of the letter that grant it.
FORM_VERBS = {
    r"\bI (also )?object\b": {"object", "object-microsoft"},
    r"\bRestrict\b": {"restrict"},
    r"\bErase\b": {"erase", "erase-consent"},
    r"\bwithdraw\b": {"withdraw", "withdraw-consent"},
    r"\bDelete\b": {"delete"},
    r"\bDestroy\b": {"destroy"},
    r"\bprohibit\b": {"prohibit"},
    r"\boppose\b": {"oppose"},
    r"\brevoke\b": {"revoke"},
    r"\bEliminate\b": {"eliminate"},
    r"\bDo not sell\b": {"opt-out-sale", "opt-out-sale-sharing", "opt-out-sharing"},
    r"\bI do not consent\b": {"withdraw-consent", "no-secondary-use", "sensitive-consent"},
}


def _all_citations() -> set[str]:
    out: set[str] = set()
    for regime in dataset().regimes.values():
        for d in (*regime.demands.values(), *regime.arguments.values()):
            out.update(c for c in (d.citation, *d.also) if c)
        out.update(c for c in (regime.deadline.citation, regime.escalation.citation) if c)
    return out


ALL_CITATIONS = sorted(_all_citations(), key=len, reverse=True)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_form_text_claims_nothing_the_letter_does_not(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    demands = dict(letter.decision.demands(letter.kinds))
    form = letter.form_text
    for pattern, granted in FORM_VERBS.items():
        if re.search(pattern, form):
            assert granted & set(demands), (pattern, form)
    # Every citation in the form text is the citation of one of the letter's demands.
    demand_cites = {c for d in demands.values() for c in (d.citation, *d.also) if c}
    rest = form
    for c in ALL_CITATIONS:
        if c in rest:
            assert c in demand_cites, (c, form)
            rest = rest.replace(c, "")


# --- M-2: kinds fit the basis LinkedIn claims on that date ------------------------------

@pytest.mark.parametrize("rid", sorted(dataset().regimes))
@pytest.mark.parametrize("day", DATES, ids=str)
def test_consent_withdrawal_never_stands_alone_under_legitimate_interests(rid: str, day: dt.date) -> None:
    person = person_for(rid)
    d = decide(person.country, person.state, day)
    if d.regime.id != rid or "consent-withdrawal" not in d.regime.kinds:
        return
    unfit = d.regime.family == "gdpr" and d.effective_basis == "legitimate-interests"
    assert ("consent-withdrawal" in d.letters) is not unfit
    if unfit:
        with pytest.raises(InputError, match=r"^kind: .*legitimate interests"):
            compose(person, "consent-withdrawal", on=day)


# --- M-3 and m-3: erasure of training copies does not invoke Art. 17(2) ------------------

@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_article_17_2_and_erasure_has_its_alternative(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    assert "17(2)" not in letter.body
    assert "made my profile and posts public" not in letter.body
    for block in letter.blocks():
        if block.kind == "ol" and block.text.startswith("Erasure. As a consequence of my objection"):
            assert "Art. 17(1)(c)" in block.text and "Art. 17(1)(d)" in block.text


# --- M-6 and m-22: what the letter says about LinkedIn's notice fits the letter's date ----

@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_quoted_notice_was_in_force_on_the_letter_date(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    day = case[1]
    for m in re.finditer(r"Your (European Regional Privacy Notice|Privacy Policy) \(effective ([^)]+)\)", letter.body):
        effective = dt.datetime.strptime(m[2], "%d %B %Y" if m[2][0].isdigit() else "%B %d, %Y").date()
        assert effective <= day, m[0]
    announced = letter.decision.announced_start
    if announced is not None:
        assert "you announced that from" in letter.body
    if "Microsoft" in letter.body and letter.decision.regime.id == "uk-gdpr":
        assert day >= dt.date(2025, 11, 3)


# --- M-7: Switzerland reports to the FDPIC and complains to the DPC ---------------------

def test_swiss_letter_names_the_dpc_for_the_gdpr_demands() -> None:
    for day in (d for d in DATES if d >= dt.date(2025, 11, 3)):
        letter = compose(person_for("ch-fadp"), on=day)
        assert "report the matter to the Federal Data Protection and Information Commissioner (FADP Art. 49)" \
            in letter.body
        assert "lodge a complaint with the Irish Data Protection Commission (GDPR Art. 77)" in letter.body
        assert "(FADP Art. 32; GDPR Art. 79)" in letter.body


# --- M-15: no letter says that no law protects the sender -------------------------------

@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_admission_that_no_law_applies(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    assert "not aware of a law" not in letter.body
    assert "No US law" not in letter.body
    if letter.decision.regime.family == "voluntary":
        assert "Without prejudice to my rights under the law that applies where I live" in letter.body


# --- M-16: sensitive grounds bring Art. 9 -----------------------------------------------

@pytest.mark.parametrize("rid", [r for r, g in sorted(dataset().regimes.items()) if g.family == "gdpr"])
def test_sensitive_grounds_cite_article_9(rid: str) -> None:
    letter = compose_any(person_for(rid), on=DAY, locale="en", reason_preset="sensitive-groups")
    law = "UK GDPR" if rid == "uk-gdpr" else "GDPR"
    assert f"special categories of personal data ({law} Art. 9(1))" in letter.body
    assert f"({law} Art. 17(1)(d))" in letter.body
    plain = compose(person_for(rid), on=DAY)
    assert "Art. 9(1)" not in plain.body


# --- m-2 and m-1: extension and refusal rules; information cited to Art. 12(3) ----------

@pytest.mark.parametrize("case", [c for c in CASES if dataset().regimes[c[0]].family == "gdpr"], ids=_ids)
def test_gdpr_letters_state_extension_and_refusal_rules(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    assert "Any extension of this period must be notified to me, with reasons, within one month" in letter.body
    for block in letter.blocks():
        if block.kind == "ol" and block.text.startswith("Information."):
            assert "Art. 12(3)" in block.text and "Art. 15(1)(b)" in block.text
            assert "for which models" not in block.text


# --- m-5 and m-6: scope and recipients as LinkedIn's notice states them ------------------

@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_scope_and_recipients_follow_the_notice(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    assert "feedback I give" not in letter.body
    if letter.decision.regime.id != "uk-gdpr":
        for block in letter.blocks():
            if block.kind == "ol" and block.text.startswith("Recipients."):
                assert "Microsoft" not in block.text


# --- m-24: a German resident without a Land is sent to their Land's authority ----------

def test_germany_without_state_names_the_land_authority_generically() -> None:
    person = person_for("eu-gdpr")
    from objector import Person

    de = Person.create("Alex Example", "alex@example.org", "DE", None)
    letter = compose(de, on=DAY)
    assert "the data protection authority of the German Land where I live (GDPR Art. 77)" in letter.body
    assert "Irish Data Protection Commission" not in letter.body.split("If you do not reply in time")[1]
    assert person.country  # the table person is unaffected


# --- m-7 and m-14: interpretive aids marked; the FADP's own words ----------------------

def test_uk_letters_cite_eu_recitals_as_interpretive_aids() -> None:
    letter = compose_any(person_for("uk-gdpr"), on=DAY, locale="en", allow_no_grounds=True)
    assert "(cf. GDPR Recital 47)" in letter.body and "(cf. GDPR Recital 69)" in letter.body
    eu = compose_any(person_for("eu-gdpr"), on=DAY, locale="en", allow_no_grounds=True)
    assert "(GDPR Recital 47)" in eu.body and "cf." not in eu.body


def test_swiss_prohibition_uses_the_fadp_term_privacy() -> None:
    letter = compose(person_for("ch-fadp"), on=DAY)
    assert "a violation of my privacy (FADP Art. 30(2)(b))" in letter.body
    assert "personality" not in letter.body


@pytest.mark.parametrize("kind", ["opt-out", "objection"])
def test_kind_errors_read_as_english(kind: str) -> None:
    person = person_for("eu-gdpr") if kind == "opt-out" else person_for("us-tx")
    article = "an" if kind[0] in "aeiou" else "a"
    with pytest.raises(InputError, match=rf"^kind: {article} {kind} letter does not fit"):
        compose(person, kind, on=DAY)


# --- M-1: the form text fits LinkedIn's form in every language -------------------------

@pytest.mark.parametrize("locale", sorted(__import__("objector.i18n", fromlist=["x"]).available_letter_locales()))
def test_form_text_fits_the_budget_in_every_language(locale: str) -> None:
    for rid in sorted(dataset().regimes):
        person = person_for(rid)
        d = decide(person.country, person.state, DAY)
        if d.regime.id != rid:
            continue
        letter = compose_any(person, on=DAY, locale=locale, reason_preset="old-content")
        budgets = [ch.text_budget for _, ch in d.channels if ch.text_budget]
        assert len(letter.form_text) <= min(budgets), (rid, len(letter.form_text))
        assert letter.reference in letter.form_text
