"""The rest of the world (issue 11): a regime per country, decided on the dates
around each in-force date, with its letter kinds, citations, deadline arithmetic
and regulator. The table is the specification; every row comes from the sourced
sheets in ../shared/reference/world-apac.md and world-amea.md."""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from conftest import person_for

from objector import compose, dataset, decide
from objector.i18n import available_letter_locales

DAY = dt.date(2026, 12, 4)

# regime: (country, in force, letters, recommended, regulator short name)
WORLD = {
    "in-dpdp-pre": ("IN", dt.date(2023, 8, 11), ("opt-out",), ("opt-out",), "DPB"),
    "in-dpdp": ("IN", dt.date(2027, 5, 13), ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "DPB"),
    "au-privacy": ("AU", None, ("objection", "erasure"), ("objection",), "OAIC"),
    "jp-appi": ("JP", None, ("objection", "erasure"), ("objection",), "PPC"),
    "sg-pdpa": ("SG", None, ("consent-withdrawal",), ("consent-withdrawal",), "PDPC"),
    "kr-pipa": ("KR", None, ("objection", "erasure"), ("objection",), "PIPC"),
    "ph-dpa": ("PH", None, ("objection", "erasure"), ("objection",), "NPC"),
    "id-pdp": ("ID", dt.date(2022, 10, 17), ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "Komdigi"),
    "vn-pdp": ("VN", dt.date(2026, 1, 1), ("objection", "erasure"), ("objection",), "A05"),
    "th-pdpa": ("TH", dt.date(2022, 6, 1), ("objection", "erasure"), ("objection",), "PDPC"),
    "mx-lfpdppp": ("MX", dt.date(2025, 3, 21), ("objection", "erasure", "consent-withdrawal"), ("objection",),
                   "SABG"),
    "tr-kvkk": ("TR", None, ("erasure",), ("erasure",), "KVKK"),
    "za-popia": ("ZA", dt.date(2020, 7, 1), ("objection", "erasure", "consent-withdrawal"), ("objection",),
                 "Information Regulator"),
    "co-habeas": ("CO", None, ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "SIC"),
    "ng-ndpa": ("NG", dt.date(2023, 6, 12), ("objection", "erasure"), ("objection",), "NDPC"),
    "sa-pdpl": ("SA", dt.date(2023, 9, 14), ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "SDAIA"),
    "ke-dpa": ("KE", None, ("objection", "erasure"), ("objection",), "ODPC"),
    "nz-privacy": ("NZ", dt.date(2020, 12, 1), ("objection", "erasure"), ("objection",), "OPC"),
    "my-pdpa": ("MY", dt.date(2013, 11, 15), ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "JPDP"),
    "ar-pdp": ("AR", None, ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "AAIP"),
    "cl-pdp": ("CL", dt.date(2026, 12, 1), ("objection", "erasure", "consent-withdrawal"), ("objection",),
               "Agencia"),
    "ae-pdpl": ("AE", dt.date(2022, 1, 2), ("erasure", "consent-withdrawal"), ("consent-withdrawal",),
                "UAE Data Office"),
    "il-ppl": ("IL", None, ("erasure", "consent-withdrawal"), ("consent-withdrawal",), "PPA"),
    "ua-pdp": ("UA", dt.date(2011, 1, 1), ("objection", "erasure", "consent-withdrawal"), ("objection",),
               "Ombudsman"),
    "pe-lpdp": ("PE", dt.date(2025, 3, 31), ("objection", "erasure", "consent-withdrawal"), ("objection",), "ANPD"),
}


def _day(rid: str) -> dt.date:
    start = WORLD[rid][1]
    return max(DAY, start) if start else DAY


@functools.cache
def _letter(rid: str, kind: str = "auto"):  # type: ignore[no-untyped-def]
    return compose(person_for(rid), kind, on=_day(rid), locale="en")


def test_table_covers_every_world_regime() -> None:
    assert set(WORLD) == {rid for rid, r in dataset().regimes.items() if r.family == "world"}


@pytest.mark.parametrize("rid", sorted(WORLD))
def test_decision_around_the_in_force_date(rid: str) -> None:
    country, start, letters, recommended, _ = WORLD[rid]
    d = decide(country, None, _day(rid))
    assert d.regime.id == rid
    assert d.letters == letters and d.recommended == recommended
    assert d.controller.name == "LinkedIn Corporation"
    if start is not None:
        assert decide(country, None, start).regime.id == rid
        before = decide(country, None, start - dt.timedelta(days=1))
        assert before.regime.id != rid
        assert any(f"only from {start.isoformat()}" in s.text for s in before.steps)


@pytest.mark.parametrize(
    ("country", "day", "regime"),
    [
        ("IN", "2023-08-10", "none"),
        ("IN", "2023-08-11", "in-dpdp-pre"),
        ("IN", "2027-05-12", "in-dpdp-pre"),
        ("IN", "2027-05-13", "in-dpdp"),
        ("VN", "2025-12-31", "none"),
        ("VN", "2026-01-01", "vn-pdp"),
        ("MX", "2025-03-20", "none"),
        ("MX", "2025-03-21", "mx-lfpdppp"),
        # Chile's new law from 2026-12-01; before it objector cites no Chilean law.
        ("CL", "2026-11-30", "none"),
        ("CL", "2026-12-01", "cl-pdp"),
        ("NZ", "2020-11-30", "none"),
        ("NZ", "2026-04-30", "nz-privacy"),
        ("NZ", "2026-05-01", "nz-privacy"),  # IPP 3A gives no right this letter uses
        # Malaysia: the 2025 phases of the Amendment Act change none of the rights used.
        ("MY", "2024-12-31", "my-pdpa"),
        ("MY", "2025-04-01", "my-pdpa"),
        ("MY", "2025-06-01", "my-pdpa"),
        ("AE", "2022-01-01", "none"),
        ("AE", "2022-01-02", "ae-pdpl"),
        ("UA", "2010-12-31", "none"),
        ("UA", "2011-01-01", "ua-pdp"),
        ("PK", "2026-12-04", "none"),
        ("EG", "2026-12-04", "none"),
    ],
)
def test_phase_ins(country: str, day: str, regime: str) -> None:
    assert decide(country, None, dt.date.fromisoformat(day)).regime.id == regime


@pytest.mark.parametrize("rid", sorted(WORLD))
def test_regulator(rid: str) -> None:
    country, *_, short = WORLD[rid]
    d = decide(country, None, _day(rid))
    assert d.authority is not None and d.authority.short == short
    assert d.authority.note, "the regulator's prerequisites are stated"
    assert d.authority.name in _letter(rid).body or not d.regime.escalation.statutory


@pytest.mark.parametrize(
    ("country", "short", "day"),
    [("EG", "PDPC", DAY), ("MA", "CNDP", DAY), ("RS", "Poverenik", DAY), ("PK", None, DAY),
     # Peru before its new Regulation reached foreign companies.
     ("PE", "ANPD", dt.date(2025, 3, 30))],
)
def test_uncovered_countries_name_their_regulator(country: str, short: str | None, day: dt.date) -> None:
    d = decide(country, None, day)
    assert d.regime.id == "none"
    assert (d.authority.short if d.authority else None) == short


# regime: citations every auto letter cites, in order
CITATIONS = {
    "in-dpdp-pre": ("DPDP Act 2023 s. 7(a)",),
    "in-dpdp": ("DPDP Act 2023 s. 6(4)", "DPDP Act 2023 s. 6(6)", "DPDP Act 2023 s. 8(7)(a)",
                "DPDP Act 2023 s. 12", "DPDP Act 2023 s. 11", "DPDP Rules 2025 r. 14"),
    "au-privacy": ("Privacy Act 1988 (Cth) Sch. 1, APP 6", "Privacy Act 1988 (Cth) Sch. 1, APP 12"),
    "jp-appi": ("APPI Art. 35(5)", "APPI Art. 18(1)", "APPI Art. 33", "APPI Art. 39"),
    "sg-pdpa": ("PDPA s. 16(1)", "PDPA s. 16(4)", "PDPA s. 21"),
    "kr-pipa": ("PIPA Art. 37(1)", "PIPA Art. 37(3)", "PIPA Art. 36", "PIPA Art. 35"),
    "ph-dpa": ("Data Privacy Act IRR s. 34(b)", "Data Privacy Act IRR s. 34(e)", "NPC Advisory 2021-01"),
    "id-pdp": ("UU PDP Art. 9", "UU PDP Art. 40", "UU PDP Art. 43", "UU PDP Art. 7"),
    "vn-pdp": ("Law No. 91/2025/QH15 Art. 4(1)", "Law No. 91/2025/QH15 Art. 14", "Decree No. 356/2025/ND-CP"),
    "th-pdpa": ("PDPA (Thailand) s. 32", "PDPA (Thailand) s. 33", "PDPA (Thailand) s. 19"),
    "mx-lfpdppp": ("LFPDPPP Art. 26, I", "LFPDPPP Art. 11", "LFPDPPP Art. 7", "LFPDPPP Art. 24",
                   "LFPDPPP Art. 40"),
    "tr-kvkk": ("KVKK Art. 11(1)(e)", "KVKK Art. 7", "KVKK Art. 11(1)(f)", "KVKK Art. 13", "KVKK Art. 14"),
    "za-popia": ("POPIA s. 11(3)(a)", "POPIA s. 11(4)", "POPIA s. 11(2)(b)", "POPIA s. 24(1)", "POPIA s. 23"),
    "co-habeas": ("Ley 1581 de 2012 Art. 8(e)", "Ley 1581 de 2012 Art. 15"),
    "ng-ndpa": ("NDPA s. 36(1)", "NDPA s. 35(1)", "NDPA s. 34"),
    "sa-pdpl": ("PDPL (Saudi Arabia) Art. 5(2)", "PDPL Implementing Regulation Art. 8",
                "PDPL Implementing Regulation Art. 3(1)(a)"),
    "ke-dpa": ("Data Protection Act (Kenya) s. 26(c)", "Data Protection Act (Kenya) s. 40"),
    "nz-privacy": ("Privacy Act 2020 (NZ), IPP 10", "Privacy Act 2020 (NZ), IPP 6"),
    "my-pdpa": ("PDPA (Malaysia) s. 38", "PDPA (Malaysia) s. 30", "PDPA (Malaysia) s. 31"),
    "ar-pdp": ("Ley 25.326 Art. 5", "Ley 25.326 Art. 16", "Ley 25.326 Art. 14"),
    "cl-pdp": ("Ley 19.628 Art. 8(a)", "Ley 19.628 Art. 8(c)", "Ley 19.628 Art. 8 ter", "Ley 19.628 Art. 7",
               "Ley 19.628 Art. 12", "Ley 19.628 Art. 5", "Ley 19.628 Art. 11"),
    "ae-pdpl": ("PDPL (UAE) Art. 6(2)", "PDPL (UAE) Art. 17(3)", "PDPL (UAE) Art. 5", "PDPL (UAE) Art. 15",
                "PDPL (UAE) Art. 13"),
    "il-ppl": ("Protection of Privacy Law (Israel) s. 1", "Protection of Privacy Law (Israel) s. 2(9)",
               "Protection of Privacy Law (Israel) s. 13"),
    "ua-pdp": ("Law No. 2297-VI Art. 8(2)(5)", "Law No. 2297-VI Art. 8(2)(6)", "Law No. 2297-VI Art. 8(2)(11)",
               "Law No. 2297-VI Art. 8(2)(4)", "Law No. 2297-VI Art. 8(2)(8)"),
}


@pytest.mark.parametrize("rid", sorted(CITATIONS))
def test_citations(rid: str) -> None:
    letter = _letter(rid)
    for c in CITATIONS[rid]:
        assert c in letter.citations, c
        assert c in letter.body, c


@pytest.mark.parametrize("rid", sorted(WORLD))
def test_every_letter_covers_microsoft_sharing(rid: str) -> None:
    letter = _letter(rid)
    assert "no-affiliate-sharing" in letter.demand_ids or "future-notice" in letter.demand_ids
    assert "Microsoft" in letter.body and "Microsoft" in letter.form_text


@pytest.mark.parametrize("rid", sorted(WORLD))
def test_requests_are_named_as_requests(rid: str) -> None:
    letter = _letter(rid)
    voluntary = [did for did, d in letter.decision.demands(letter.kinds) if d.voluntary]
    said = "not based on a provision of law" in letter.body
    assert said == bool(voluntary)
    # Requests rest on LinkedIn's own promises, quoted when in force on the date.
    assert ("I rely on these commitments" in letter.body) == bool(voluntary)


def test_india_before_2027_claims_no_right() -> None:
    letter = compose(person_for("in-dpdp-pre"), on=DAY, locale="en")
    assert "DPDP Act 2023 s. 7(a) applies from 13 May 2027" in letter.body
    assert letter.citations == ("DPDP Act 2023 s. 7(a)",)
    assert "I will consider reporting the matter" in letter.body
    after = compose(person_for("in-dpdp"), on=dt.date(2027, 5, 13), locale="en")
    assert "applies from" not in after.body
    assert "not based on a provision of law" not in after.body
    assert "within 90 days of receipt (DPDP Rules 2025 r. 14)" in after.body


# regime, received, group, due: each law's counting (business days skip that
# country's public holidays; calendar periods do not roll where no rule is known).
DUES = [
    ("mx-lfpdppp", "2026-12-04", "main", "2027-01-05"),  # 20 business days; 25 Dec, 1 Jan skipped
    ("co-habeas", "2026-12-04", "main", "2026-12-29"),  # 15 business days; 8 and 25 Dec skipped
    ("ph-dpa", "2026-12-04", "main", "2027-01-25"),  # 30 working days; 8, 24, 25, 30, 31 Dec, 1 Jan skipped
    ("kr-pipa", "2026-12-04", "main", "2026-12-14"),  # 10 days
    ("id-pdp", "2026-12-04", "main", "2026-12-07"),  # 3 x 24 hours
    ("tr-kvkk", "2026-12-04", "main", "2027-01-03"),  # 30 days, Sunday: no roll rule known
    ("in-dpdp", "2027-05-13", "main", "2027-08-11"),  # 90 days
    ("th-pdpa", "2026-12-04", "erasure", "2027-03-04"),  # 90 days for erasure
    ("ke-dpa", "2026-12-04", "main", "2026-12-11"),  # 7 days
    ("sa-pdpl", "2026-12-04", "main", "2027-01-03"),  # 30 days
    ("nz-privacy", "2026-12-04", "main", "2027-01-03"),  # 30 days asked (the OPC's wait), not statutory
    ("my-pdpa", "2026-12-04", "main", "2026-12-25"),  # 21 days (s. 31), calendar: no roll
    ("ar-pdp", "2026-12-04", "main", "2026-12-14"),  # 10 calendar days (Art. 14)
    ("ar-pdp", "2026-12-04", "supresion", "2026-12-15"),  # 5 business days; 7 (bridge) and 8 Dec skipped
    ("cl-pdp", "2026-12-04", "main", "2027-01-03"),  # 30 calendar days (Art. 11)
    ("cl-pdp", "2026-12-04", "bloqueo", "2026-12-09"),  # 2 business days; 8 Dec skipped
    ("cl-pdp", "2026-12-24", "bloqueo", "2026-12-29"),  # 25 Dec and the weekend skipped
    ("ae-pdpl", "2026-12-04", "main", "2027-01-03"),  # 30 days asked, none set
    ("il-ppl", "2026-12-04", "main", "2027-01-03"),  # 30 days asked, unconfirmed
    ("ua-pdp", "2026-12-04", "main", "2027-01-03"),  # 30 calendar days (Art. 8(2)(4))
]


@pytest.mark.parametrize(("rid", "received", "group", "due"), DUES)
def test_deadline_arithmetic(rid: str, received: str, group: str, due: str) -> None:
    country = WORLD[rid][0]
    d = decide(country, None, dt.date.fromisoformat(received))
    assert d.regime.id == rid
    assert d.due(dt.date.fromisoformat(received), group) == dt.date.fromisoformat(due)


def test_statutory_periods_only_where_a_law_sets_them() -> None:
    for rid in ("au-privacy", "za-popia", "ng-ndpa", "jp-appi", "in-dpdp-pre", "nz-privacy", "ae-pdpl", "il-ppl"):
        assert not decide(WORLD[rid][0], None, _day(rid)).dues()[0].statutory, rid
    letter = _letter("tr-kvkk")
    assert "within 30 days of receipt (KVKK Art. 13)" in letter.body
    # Periods the law sets for one request only (access) are said to be so.
    for rid in ("my-pdpa", "ar-pdp", "ua-pdp"):
        main = decide(WORLD[rid][0], None, _day(rid)).dues(kinds=WORLD[rid][3])[0]
        assert main.statutory_demands == ("inform",) and not main.statutory, rid
    assert "within 10 days of receipt (Ley 25.326 Art. 14)" in _letter("ar-pdp").body
    assert "within 5 business days of receipt (Ley 25.326 Art. 16)" in _letter("ar-pdp").body


def test_turkish_applications_warn_in_another_language() -> None:
    letter = _letter("tr-kvkk")
    assert any("requires requests in 'tr'" in n for n in letter.notes)
    assert not any("requires requests" in n for n in _letter("za-popia").notes)


def test_philippine_letter_is_the_written_notice() -> None:
    d = decide("PH", None, DAY)
    assert any("written notice" in n for n in d.regime.notes)
    assert d.authority is not None and "15 calendar days" in (d.authority.note or "")


def test_unconfirmed_facts_are_shown() -> None:
    notes = decide("MX", None, DAY).unconfirmed()
    assert any("business days" in n for n in notes)
    assert any("Art. 24" in n for n in notes)


# Countries without a statutory right to object or to erase: the letter asks, says
# so, and still names the regulator.
@pytest.mark.parametrize(("rid", "requests"), [
    ("nz-privacy", ("no-affiliate-sharing", "delete")),
    ("il-ppl", ("delete",)),
    ("my-pdpa", ("delete",)),
    ("ar-pdp", ("no-affiliate-sharing",)),
])
def test_requests_where_no_right_exists(rid: str, requests: tuple[str, ...]) -> None:
    letter = _letter(rid)
    voluntary = tuple(did for did, d in letter.decision.demands(letter.kinds) if d.voluntary)
    assert voluntary == requests
    assert "not based on a provision of law" in letter.body
    assert letter.decision.authority is not None
    assert letter.decision.authority.name in letter.body


def test_chile_before_its_new_law_claims_no_right() -> None:
    before = compose(person_for("cl-pdp"), on=dt.date(2026, 11, 30), locale="en")
    assert before.decision.regime.id == "none"
    assert before.citations == ()
    assert any("only from 2026-12-01" in s.text for s in before.decision.steps)
    after = compose(person_for("cl-pdp"), on=dt.date(2026, 12, 1), locale="en")
    assert "Ley 19.628 Art. 8(a)" in after.body


def test_new_regimes_show_their_unconfirmed_facts() -> None:
    assert any("structured summary" in n for n in decide("CL", None, DAY).unconfirmed())
    assert any("IPP 10" in n for n in decide("NZ", None, DAY).unconfirmed())
    assert any("Art. 15" in n for n in decide("AE", None, DAY).unconfirmed())
    assert any("Decreto 1558/2001" in n for n in decide("AR", None, DAY).unconfirmed())
    assert any("Amendment 13" in n for n in decide("IL", None, DAY).unconfirmed())
    assert any("holidays" in n for n in decide("AR", None, DAY).unconfirmed())


def test_regulator_prerequisites_are_in_the_how_to() -> None:
    assert any("30 days" in n for n in decide("NZ", None, DAY).regime.howto_notes)
    assert any("intimación fehaciente" in n for n in decide("AR", None, DAY).regime.howto_notes)
    assert any("30 business days" in n for n in decide("CL", None, DAY).regime.howto_notes)
    assert any("reasons" in n for n in decide("UA", None, DAY).regime.howto_notes)
    assert any("s. 2(2)" in n for n in decide("MY", None, DAY).regime.notes)


@pytest.mark.parametrize(("authority", "locale", "expected"), [
    ("tr-kvkk", "tr", "Kişisel Verileri Koruma Kurumu"),
    ("tr-kvkk", "en_GB", "Personal Data Protection Authority (Kişisel Verileri Koruma Kurumu)"),
    ("ma-cndp", "fr_CA", "Commission nationale de contrôle de la protection des données à caractère personnel"),
    ("jp-ppc", "ja", "個人情報保護委員会"),
    ("jp-ppc", "en", "Personal Information Protection Commission (Japan)"),
])
def test_a_regulator_is_named_in_the_letter_language_where_the_data_has_its_name(
        authority: str, locale: str, expected: str) -> None:
    assert dataset().authorities[authority].name_in(locale) == expected


def test_regulator_names_are_keyed_by_letter_languages() -> None:
    from babel import Locale

    for key, authority in dataset().authorities.items():
        for code in authority.names:
            assert str(Locale.parse(code)) == code, (key, code)


def test_the_turkish_letter_names_the_board_in_turkish_only() -> None:
    text = compose(person_for("tr-kvkk"), on=DAY, locale="tr").text()
    assert "Kişisel Verileri Koruma Kurumu" in text
    assert "Personal Data Protection Authority" not in text


@pytest.mark.parametrize("rid", [r for r, reg in dataset().regimes.items() if reg.headings])
def test_country_terms_replace_the_shared_catalogs_headings(rid: str) -> None:
    """Mexico's "Cancelación" where Latin American Spanish says "Supresión": every term the
    data gives appears as a request heading, and the catalog's own word no longer does."""
    regime = dataset().regimes[rid]
    for loc, terms in regime.headings.items():
        if loc not in available_letter_locales():
            continue
        seen: set[str] = set()
        for kind in regime.kinds:
            body = compose(person_for(rid), kind, on=_day(rid), locale=loc, allow_no_grounds=True).body
            seen.update(re.findall(r"^\d+\. ([^.]+)\.", body, re.M))
        for catalog_word, country_word in terms.items():
            assert country_word in seen, (loc, country_word, seen)
            assert catalog_word not in seen, (loc, catalog_word)


@pytest.mark.parametrize("kind", sorted(dataset().regimes["tr-kvkk"].kinds))
def test_a_turkish_application_leaves_a_line_for_the_identity_number(kind: str) -> None:
    """The Communiqué requires the T.C. identity number (or nationality and passport
    number): the letter leaves a line to fill in, and objector never asks for one."""
    letter = compose(person_for("tr-kvkk"), kind, on=DAY, locale="en", allow_no_grounds=True)
    assert "my Turkish identity number (for a foreign national, my nationality and passport number) is ___" \
        in letter.body
    assert "Communiqué on Applications to the Controller" in letter.body


@pytest.mark.parametrize("rid", ["mx-lfpdppp", "jp-appi", "sa-pdpl", "pe-lpdp"])
def test_other_letters_ask_for_no_identity_number(rid: str) -> None:
    assert "identity number" not in compose(person_for(rid), on=_day(rid), locale="en",
                                            allow_no_grounds=True).body
