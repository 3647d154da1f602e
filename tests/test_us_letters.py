"""US letters a privacy lawyer would sign (legal review 2026-12: C-1, M-8 to M-11, m-18 to m-20,
m-23): checked for every US state regime and every letter kind it offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from objector.data import load
from objector.letter import Letter, compose
from objector.output.howto import render_howto
from objector.schema import Regime
from tests.conftest import person_for

DATA = load()
# A date on which every state law in the data is in force (Vermont: 2028-01-01).
LATE = dt.date(2028, 1, 1)
US_STATES = sorted(rid for rid, r in DATA.regimes.items() if r.family == "us-state")
VOLUNTARY = ("us-none", "none")
SCOPED = "copied into, or derived for, datasets used to train, fine-tune or evaluate generative AI models"


def _cases(regime_ids: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(rid, kind) for rid in regime_ids for kind in ("auto", *DATA.regimes[rid].kinds)]


def _letter(rid: str, kind: str, on: dt.date = LATE) -> Letter:
    letter = compose(person_for(rid), kind, on=on, locale="en")
    assert letter.decision.regime.id == rid
    return letter


def _items(letter: Letter) -> list[str]:
    """The numbered demand paragraphs of the body, in order."""
    return [b.text for b in letter.blocks() if b.kind == "ol"]


@pytest.mark.parametrize(("rid", "kind"), _cases([*US_STATES, *VOLUNTARY]))
def test_deletion_is_scoped_to_ai_training(rid: str, kind: str) -> None:
    # C-1: a request to delete "the personal information you have collected from me"
    # reaches the whole account; every US and voluntary letter asks only for the
    # copies made for AI training.
    letter = _letter(rid, kind)
    assert "you have collected from me" not in letter.body
    delete = [t for did, t in zip(letter.demand_ids, _items(letter), strict=True) if did == "delete"]
    for text in delete:
        assert SCOPED in text
        assert "service providers or contractors" in text or "processors" in text
    assert "not a request to delete my account" in letter.body


@pytest.mark.parametrize(("rid", "kind"), _cases(US_STATES))
def test_no_concession_and_no_legal_basis_sentence(rid: str, kind: str) -> None:
    # M-8 and m-18: no "No US law ..." admission, and no GDPR-style "legal basis".
    body = _letter(rid, kind).body
    assert "No US law" not in body
    assert "legal basis" not in body
    assert 'switching off the setting "Data for Generative AI Improvement"' in body


@pytest.mark.parametrize(("rid", "kind"), _cases(US_STATES))
def test_every_demand_cites_its_own_section(rid: str, kind: str) -> None:
    # M-10: each demand is tied to the provision that grants it, never to the chapter.
    letter = _letter(rid, kind)
    regime = letter.decision.regime
    demands = dict(regime.demands)
    allowed = {c for d in (*regime.demands.values(), *regime.arguments.values())
               for c in (d.citation, *d.also) if c}
    for did, text in zip(letter.demand_ids, _items(letter), strict=True):
        demand = demands[did]
        printed = re.findall(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text)
        # Any bracketed part with a number in it is a citation.
        cited = [part.strip() for group in printed for part in group.split(";") if re.search(r"\d", part)]
        if demand.voluntary:
            assert cited == [], (did, text)
            continue
        assert demand.citation in cited, (did, text)
        assert set(cited) <= allowed, (did, cited)
        assert "et seq." not in text and " ch. " not in text, (did, text)


@pytest.mark.parametrize("rid", US_STATES)
def test_consumer_capacity_sentence_follows_the_definition(rid: str) -> None:
    # M-9: where "consumer" excludes a commercial or employment context, the member
    # says they keep the account in a personal capacity; the CCPA has no such exclusion.
    regime: Regime = DATA.regimes[rid]
    body = _letter(rid, "auto").body
    says = "in my personal capacity" in body
    assert regime.consumer is not None
    assert says is regime.consumer.excludes_commercial
    if says and regime.consumer.citation:
        assert f"household context ({regime.consumer.citation})" in body
    assert (rid == "us-ca") is (not says)


@pytest.mark.parametrize("rid", US_STATES)
def test_gpc_step_where_the_state_requires_the_signal(rid: str) -> None:
    # m-19: the how-to tells members to turn on GPC where the law makes LinkedIn honour it.
    regime = DATA.regimes[rid]
    signal = regime.opt_out_signal
    howto = render_howto(_letter(rid, "auto"))
    assert ("Global Privacy Control" in howto) is (signal is not None and signal.start <= LATE)
    if signal is not None and signal.citation:
        assert signal.citation in howto
    if signal is not None and signal.start > regime.in_force:  # type: ignore[operator]
        before = render_howto(_letter(rid, "auto", signal.start - dt.timedelta(days=1)))
        assert "Global Privacy Control" not in before


@pytest.mark.parametrize("rid", [*US_STATES, "us-none"])
def test_us_howto_says_certified_mail(rid: str) -> None:
    # m-23: how to post comes from the channel, which names certified mail for US senders.
    assert "certified mail, return receipt requested" in render_howto(_letter(rid, "auto"))


@pytest.mark.parametrize(("state", "start"), [
    ("OK", dt.date(2027, 1, 1)), ("LA", dt.date(2027, 1, 1)),
    ("AL", dt.date(2027, 5, 1)), ("VT", dt.date(2028, 1, 1)),
])
def test_2026_enactments_apply_from_their_day(state: str, start: dt.date) -> None:
    rid = f"us-{state.lower()}"
    assert DATA.regimes[rid].in_force == start
    person = person_for(rid)
    before = compose(person, "auto", on=start - dt.timedelta(days=1), locale="en")
    assert before.decision.regime.id == "us-none"
    assert DATA.regimes[rid].short_law not in before.body
    after = compose(person, "auto", on=start, locale="en")
    assert after.decision.regime.id == rid
    assert f"as a consumer under the {DATA.regimes[rid].short_law}" in after.body


def test_california_opt_out_requests_get_their_own_date_and_no_verification() -> None:
    # M-11: opt-out and limit requests run on 15 business days and need no verification.
    letter = _letter("us-ca", "auto")
    assert "My opt-out and limit requests do not require verification of my identity (11 CCR §7026" in letter.body
    groups = [g for g in letter.dues if set(g.demands) >= {"opt-out-sale-sharing", "limit-sensitive"}]
    assert groups and groups[0].date < letter.due
    assert "(Cal. Civ. Code §1798.121)" in letter.body and "sensitive personal information" in letter.body
    assert "Confirm within 10 business days that you have received this letter (11 CCR §7021)" in letter.body


@pytest.mark.parametrize("rid", US_STATES)
def test_statutory_arguments_come_from_the_data(rid: str) -> None:
    # M-8 and m-20: the purpose-limitation, sensitive-data, right-to-know and
    # non-retaliation demands appear exactly where the state's data has them.
    regime = DATA.regimes[rid]
    body = _letter(rid, "auto").body
    for did, words in (("no-secondary-use", "neither reasonably necessary for nor compatible with"),
                       ("sensitive-consent", "can reveal sensitive data"),
                       ("non-retaliation", "Do not discriminate or retaliate"),
                       ("list-third-parties", "specific third parties")):
        assert (words in body) is (did in regime.demands), (rid, did)
