"""Canada (PIPEDA), Quebec, Hong Kong and Brazil letters (issue 7; review M-12, M-13,
M-14, M-17, m-13, m-15, m-16, m-17): every rule holds for every letter kind of
these regimes, on every date around a change in LinkedIn's record."""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from conftest import DAY, person_for

from objector import compose, dataset, decide
from objector.letter import Letter

REGIMES = ("ca-pipeda", "ca-qc", "hk-pdpo", "br-lgpd")


def _dates() -> list[dt.date]:
    data = dataset()
    days = {DAY, dt.date(2026, 12, 4)}
    for rid in ("canada", "hongkong", "rest"):
        days.update(p.start for p in data.linkedin.regions[rid].periods)
    for rid in REGIMES:
        days.update(d.start for d in data.regimes[rid].demands.values() if d.start)
    return sorted({d + dt.timedelta(days=off) for d in days for off in (-1, 0)})


def _cases() -> list[tuple[str, dt.date, str]]:
    cases = []
    for rid in REGIMES:
        person = person_for(rid)
        for day in _dates():
            d = decide(person.country, person.state, day)
            assert d.regime.id == rid
            cases += [(rid, day, kind) for kind in ("auto", *d.letters)]
    return cases


CASES = _cases()


@functools.cache
def _letter(rid: str, day: dt.date, kind: str) -> Letter:
    return compose(person_for(rid), kind, on=day, locale="en")


def _ids(case: tuple[str, dt.date, str]) -> str:
    return f"{case[0]}-{case[1]}-{case[2]}"


def _items(letter: Letter) -> list[str]:
    return [b.text for b in letter.blocks() if b.kind == "ol"]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_each_demand_prints_its_own_citations(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    items = _items(letter)
    demands = letter.decision.demands(letter.kinds)
    assert len(items) == len(demands)
    for text, (did, d) in zip(items, demands, strict=True):
        assert d.citation is not None
        cites = re.findall(r"\(((?:LGPD|PIPEDA|PDPO|Quebec Private Sector Act) [^()]*(?:\([^()]*\)[^()]*)*)\)", text)
        printed = [c for group in cites for c in re.split(r"; |, (?=(?:LGPD|PIPEDA|PDPO|Quebec))", group)]
        # The demand's own provisions appear, each once, and no other provision of
        # the same law slips in (the LGPD opposition also prints its arguments).
        own = [d.citation, *d.also]
        args = [a.citation for a in letter.decision.regime.arguments.values() if a.citation]
        assert sorted(c for c in printed if c in own) == sorted(own), (did, text)
        assert all(c in own or c in args for c in printed), (did, printed)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_discredited_citations_or_wording(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    text = letter.body + letter.form_text
    assert "s. 8.3" not in text  # deemed consent: works for LinkedIn (M-12)
    assert "s. 28.1" not in text  # cessation of dissemination does not reach affiliates (M-13)
    assert "4.5.3" not in text  # "should" is only a recommendation (m-15, PIPEDA s. 5(2))
    assert "my country" not in text  # Hong Kong is not a country (m-13)
    assert "Quebec Private Sector Act does not" not in text
    assert not re.search(r"(?<!the )\b(PDPO|PIPEDA|LGPD|Quebec Private Sector Act) does not provide", text)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "ca-qc"], ids=_ids)
def test_quebec_cites_the_right_sections(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    demands = dict(letter.decision.demands(letter.kinds))
    withdraw = demands["withdraw-consent"]
    assert (withdraw.citation, *withdraw.also) == ("Quebec Private Sector Act s. 8 para. 1(4)",
                                                  "Quebec Private Sector Act s. 12", "Quebec Private Sector Act s. 14")
    assert demands["destroy"].citation == "Quebec Private Sector Act s. 23"
    if "no-communication" in demands:
        assert demands["no-communication"].citation == "Quebec Private Sector Act s. 13"
        assert "Microsoft" in next(t for t in _items(letter) if t.startswith("Communication to third persons."))
    if "consent-withdrawal" in letter.kinds and letter.date >= dt.date(2023, 9, 22):
        item = next(t for t in _items(letter) if t.startswith("Privacy by default."))
        assert "Quebec Private Sector Act s. 9.1" in item
        assert "is on by default" in item and "Set it to off" in item and "never validly consented" in item
    if letter.decision.training_active and letter.decision.claimed_basis == "legitimate-interests":
        assert "consent must be express (Quebec Private Sector Act s. 12)" in letter.body


def test_quebec_sources_are_the_official_text() -> None:
    regime = dataset().regimes["ca-qc"]
    for did in ("withdraw-consent", "privacy-default", "cease", "no-communication", "destroy", "inform"):
        demand = regime.demands[did]
        assert demand.confirmed and "QC-P39-1" in demand.sources, did
    assert dataset().sources["QC-P39-1"].confidence == "P"
    assert regime.demands["privacy-default"].start == dt.date(2023, 9, 22)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "ca-pipeda"], ids=_ids)
def test_pipeda_relies_on_obligations_not_recommendations(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    demands = dict(letter.decision.demands(letter.kinds))
    assert demands["destroy"].citation == "PIPEDA Sch. 1, Principle 4.5"
    if "cease" in demands:
        assert (demands["cease"].citation, *demands["cease"].also) == (
            "PIPEDA Sch. 1, Principle 4.2.4", "PIPEDA Sch. 1, Principle 4.5", "PIPEDA s. 5(3)")
    if letter.decision.training_active and letter.decision.claimed_basis == "legitimate-interests":
        assert "given before the use (PIPEDA Sch. 1, Principle 4.2.4)" in letter.body
        assert "appropriate in the circumstances (PIPEDA s. 5(3))" in letter.body


@pytest.mark.parametrize("rid", ["ca-pipeda", "ca-qc", "hk-pdpo"])
def test_basis_paragraph_names_no_country_and_reads_for_every_law(rid: str) -> None:
    letter = compose(person_for(rid), on=dt.date(2026, 12, 4), locale="en")
    basis = next(b.text for b in letter.blocks() if b.text.startswith("Since "))
    assert "members where I live" in basis
    assert "The law that applies to me has no such basis" in basis
    cite = dataset().regimes[rid].arguments["new-purpose"].citation
    assert f"given before the use ({cite})" in basis


def test_hong_kong_how_to_note_on_the_access_form() -> None:
    regime = dataset().regimes["hk-pdpo"]
    note = next(n for n in regime.howto_notes if "OPS003" in n)
    assert "s. 20(3)(e)" in note and "40 days" in note and "19(1)" in note and "21" in note
    assert "PCPD-ELAWBOOK" in regime.demands["inform"].sources


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "br-lgpd"], ids=_ids)
def test_brazil_states_the_breach_and_access_rights(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    items = _items(letter)
    demands = dict(letter.decision.demands(letter.kinds))
    if "oppose" in demands:
        oppose = next(t for t in items if t.startswith("Opposition."))
        for cite in ("LGPD Art. 10, II", "LGPD Art. 10 §2", "LGPD Art. 6, I, II, III, VI", "LGPD Art. 11",
                     "ANPD Despacho Decisório 20/2024/PR/ANPD"):
            assert f"({cite})" in oppose, cite
        # The breach comes before the opposition it justifies (Art. 18 §2).
        assert oppose.index("breaches") < oppose.index("I oppose")
        assert oppose.endswith("(LGPD Art. 18 §2).")
    access = next(t for t in items if t.startswith("Information."))
    for cite in ("LGPD Art. 18, I", "LGPD Art. 18, II", "LGPD Art. 18, VII"):
        assert f"({cite})" in access
    assert "free of charge (LGPD Art. 18 §5)" in letter.body
    precedent = letter.decision.regime.arguments["precedent"]
    assert not precedent.confirmed and precedent.note and "20/2024" in precedent.note


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_destruction_is_scoped_to_training_datasets(case: tuple[str, dt.date, str]) -> None:
    letter = _letter(*case)
    for text in _items(letter):
        if text.startswith(("Destruction.", "Elimination.")):
            assert "copied into, or derived for, datasets used to train" in text
            assert not re.search(r"\b(account|profile|connections)\b", text)


def test_letters_use_the_law_s_own_word_for_the_addressee() -> None:
    from conftest import DAY, person_for

    from objector import compose

    words = {"ca-pipeda": "as the organization responsible for my personal information",
             "ca-qc": "as the enterprise that holds my personal information",
             "hk-pdpo": "as the data user that controls my personal data",
             "br-lgpd": "as the controller of my personal data"}
    for rid, phrase in words.items():
        letter = compose(person_for(rid), on=DAY, locale="en", reason_preset="old-content")
        assert phrase in letter.body, rid


def test_hong_kong_how_to_says_to_attach_the_access_form() -> None:
    from conftest import DAY, person_for

    from objector import compose
    from objector.output.howto import render_howto

    howto = render_howto(compose(person_for("hk-pdpo"), on=DAY, locale="en"))
    assert "Data Access Request Form (OPS003)" in howto
