"""The jurisdiction model: decide(country, state, on) and Decision.to_json().

Expected values are written out from the legal fact sheet (sections A1, A2, A5, A7,
B, C and D), not read back from the data files, so a wrong data file fails here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from objector.data import dataset
from objector.decision import add_months, decide, due_date, parse_date
from objector.errors import InputError

REGIMES_DIR = Path(__file__).resolve().parent.parent / "objector" / "data" / "regimes"

IRELAND = "LinkedIn Ireland Unlimited Company"
CORPORATION = "LinkedIn Corporation"

# A date on which every US state law in the data is in force (Vermont: 2028-01-01)
# and LinkedIn trains in every region (all regions since 2025-11-03).
LATE = dt.date(2028, 1, 1)

# Where LinkedIn claims legitimate interests, withdrawing consent alone stops
# nothing, so it is not a fitting letter (review M-2).
GDPR_LETTERS = ("objection", "erasure")
BR_LETTERS = ("objection", "erasure", "consent-withdrawal")
CONSENT_LETTERS = ("erasure", "consent-withdrawal")
US_LETTERS = ("erasure", "opt-out")

CH_IRELAND = ("genai-setting", "objection-form", "dpo-form", "post-ireland", "deletion-form")
CH_UK = ("genai-setting", "objection-form", "dpo-form", "post-corporation", "deletion-form")
CH_CONSENT = ("genai-setting", "privacy-question-form", "dpo-form", "post-corporation", "deletion-form")
CH_US = ("genai-setting", "ads-settings", "privacy-question-form", "deletion-form", "post-corporation")
CH_NONE = ("genai-setting", "privacy-question-form", "deletion-form", "post-corporation")

# US state laws and the dates they take effect (fact sheet C1 and C2).
US_STATE_LAWS = {
    "CA": dt.date(2020, 1, 1),
    "VA": dt.date(2023, 1, 1),
    "CO": dt.date(2023, 7, 1),
    "CT": dt.date(2023, 7, 1),
    "UT": dt.date(2023, 12, 31),
    "TX": dt.date(2024, 7, 1),
    "FL": dt.date(2024, 7, 1),
    "OR": dt.date(2024, 7, 1),
    "MT": dt.date(2024, 10, 1),
    "IA": dt.date(2025, 1, 1),
    "DE": dt.date(2025, 1, 1),
    "NE": dt.date(2025, 1, 1),
    "NH": dt.date(2025, 1, 1),
    "NJ": dt.date(2025, 1, 15),
    "TN": dt.date(2025, 7, 1),
    "MN": dt.date(2025, 7, 31),
    "MD": dt.date(2025, 10, 1),
    "IN": dt.date(2026, 1, 1),
    "KY": dt.date(2026, 1, 1),
    "RI": dt.date(2026, 1, 1),
    "OK": dt.date(2027, 1, 1),
    "LA": dt.date(2027, 1, 1),
    "AL": dt.date(2027, 5, 1),
    "VT": dt.date(2028, 1, 1),
}

# (country, state, regime, controller, letters, recommended while training, deadline, channels)
REGIME_TABLE = [
    ("DE", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("FR", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("IE", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("IT", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("NL", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("PL", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("GR", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("IS", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("LI", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("NO", None, "eu-gdpr", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("GB", None, "uk-gdpr", CORPORATION, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_UK),
    ("uk", None, "uk-gdpr", CORPORATION, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_UK),
    ("CH", None, "ch-fadp", IRELAND, GDPR_LETTERS, ("objection", "erasure"), ("months", 1), CH_IRELAND),
    ("CA", "ON", "ca-pipeda", CORPORATION, CONSENT_LETTERS, ("consent-withdrawal",), ("days", 30), CH_CONSENT),
    ("CA", "BC", "ca-pipeda", CORPORATION, CONSENT_LETTERS, ("consent-withdrawal",), ("days", 30), CH_CONSENT),
    ("CA", None, "ca-pipeda", CORPORATION, CONSENT_LETTERS, ("consent-withdrawal",), ("days", 30), CH_CONSENT),
    ("CA", "QC", "ca-qc", CORPORATION, CONSENT_LETTERS, ("consent-withdrawal",), ("days", 30), CH_CONSENT),
    ("HK", None, "hk-pdpo", CORPORATION, CONSENT_LETTERS, ("consent-withdrawal",), ("days", 40), CH_CONSENT),
    ("BR", None, "br-lgpd", CORPORATION, BR_LETTERS, ("objection", "erasure"), ("days", 15), CH_CONSENT),
    *[
        ("US", st, f"us-{st.lower()}", CORPORATION, US_LETTERS, US_LETTERS,
         ("days", 90 if st == "IA" else 45), CH_US)
        for st in US_STATE_LAWS
    ],
    ("US", "NY", "us-none", CORPORATION, US_LETTERS, US_LETTERS, ("days", 45), CH_US),
    ("US", "WA", "us-none", CORPORATION, US_LETTERS, US_LETTERS, ("days", 45), CH_US),
    ("US", "DC", "us-none", CORPORATION, US_LETTERS, US_LETTERS, ("days", 45), CH_US),
    # Pakistan has no law; Egypt, Morocco and Serbia are not covered yet (issue 11).
    ("PK", None, "none", CORPORATION, ("opt-out",), ("opt-out",), ("days", 30), CH_NONE),
    ("EG", None, "none", CORPORATION, ("opt-out",), ("opt-out",), ("days", 30), CH_NONE),
    ("MA", None, "none", CORPORATION, ("opt-out",), ("opt-out",), ("days", 30), CH_NONE),
    ("RS", None, "none", CORPORATION, ("opt-out",), ("opt-out",), ("days", 30), CH_NONE),
]


def _row_id(row: tuple[object, ...]) -> str:
    return f"{row[0]}-{row[1]}" if row[1] else str(row[0])


def test_regime_table_covers_every_regime_file() -> None:
    files = {p.stem for p in REGIMES_DIR.glob("*.toml")}
    # The rest of the world's regimes depend on dates (India's phases, Chile's new
    # law): their table, with the dates around each change, is in test_world.py.
    world = {rid for rid, r in dataset().regimes.items() if r.family == "world"}
    assert files - world == {row[2] for row in REGIME_TABLE}


@pytest.mark.parametrize(
    ("country", "state", "regime", "controller", "letters", "recommended", "deadline", "channels"),
    REGIME_TABLE,
    ids=[_row_id(r) for r in REGIME_TABLE],
)
def test_regime_table(
    country: str,
    state: str | None,
    regime: str,
    controller: str,
    letters: tuple[str, ...],
    recommended: tuple[str, ...],
    deadline: tuple[str, int],
    channels: tuple[str, ...],
) -> None:
    d = decide(country, state, LATE)
    assert d.regime.id == regime
    assert d.controller.name == controller
    assert d.letters == letters
    assert d.training_active
    assert d.recommended == recommended
    j = d.to_json()
    assert j["regime"] == regime
    assert j["controller"]["name"] == controller
    assert j["letters"] == list(letters)
    assert j["recommended"] == list(recommended)
    unit, amount = deadline
    assert j["deadline"][unit] == amount
    assert [c["id"] for c in j["channels"]] == list(channels)


# Recommendations when LinkedIn is not training: GDPR-style regimes drop erasure.
@pytest.mark.parametrize(
    ("country", "state", "recommended"),
    [
        ("DE", None, ("objection",)),
        ("CH", None, ("objection",)),
        # UK data were trained on in September 2024, so erasure stays.
        ("GB", None, ("objection", "erasure")),
        ("CA", "ON", ("consent-withdrawal",)),
        ("CA", "QC", ("consent-withdrawal",)),
        ("HK", None, ("consent-withdrawal",)),
    ],
)
def test_recommended_when_not_training(country: str, state: str | None, recommended: tuple[str, ...]) -> None:
    d = decide(country, state, dt.date(2025, 6, 1))
    assert not d.training_active
    assert d.recommended == recommended


# --- LinkedIn's training timeline (fact sheet A1) -------------------------------------

LI = "legitimate-interests"
NS = "none-stated"

# (country, state, date, training_active, claimed_basis)
TIMELINE = [
    # Designated Countries (EU/EEA/CH): never trained before 2025-11-03.
    ("DE", None, "2023-01-01", False, None),
    ("DE", None, "2024-09-17", False, None),
    ("DE", None, "2024-09-18", False, None),
    ("DE", None, "2025-11-02", False, None),
    ("DE", None, "2025-11-03", True, LI),
    ("NO", None, "2025-11-02", False, None),
    ("NO", None, "2025-11-03", True, LI),
    ("CH", None, "2025-11-02", False, None),
    ("CH", None, "2025-11-03", True, LI),
    # UK: default-on with the 2024-09-18 policy, suspended 2024-09-20, resumed 2025-11-03.
    ("GB", None, "2023-01-01", False, None),
    ("GB", None, "2024-09-17", False, None),
    ("GB", None, "2024-09-18", True, NS),
    ("GB", None, "2024-09-19", True, NS),
    ("GB", None, "2024-09-20", False, None),
    ("GB", None, "2025-11-02", False, None),
    ("GB", None, "2025-11-03", True, LI),
    # Canada: paused as announced by the OPC on 2024-12-10, resumed 2025-11-03.
    ("CA", "ON", "2023-01-01", False, None),
    ("CA", "ON", "2024-09-17", False, None),
    ("CA", "ON", "2024-09-18", True, NS),
    ("CA", "ON", "2024-12-09", True, NS),
    ("CA", "ON", "2024-12-10", False, None),
    ("CA", "ON", "2025-11-02", False, None),
    ("CA", "ON", "2025-11-03", True, LI),
    ("CA", "QC", "2024-12-09", True, NS),
    ("CA", "QC", "2024-12-10", False, None),
    ("CA", "QC", "2025-11-03", True, LI),
    # Hong Kong: paused from 2024-10-11, resumed 2025-11-03.
    ("HK", None, "2023-01-01", False, None),
    ("HK", None, "2024-09-17", False, None),
    ("HK", None, "2024-09-18", True, NS),
    ("HK", None, "2024-10-10", True, NS),
    ("HK", None, "2024-10-11", False, None),
    ("HK", None, "2025-11-02", False, None),
    ("HK", None, "2025-11-03", True, LI),
    # The rest (US, Brazil, ...): default-on since 2024-09-18, no basis stated.
    ("US", "NY", "2023-01-01", False, None),
    ("US", "NY", "2024-09-17", False, None),
    ("US", "NY", "2024-09-18", True, NS),
    ("US", "NY", "2025-11-03", True, NS),
    ("US", "CA", "2024-09-17", False, None),
    ("US", "CA", "2024-09-18", True, NS),
    ("BR", None, "2023-01-01", False, None),
    ("BR", None, "2024-09-17", False, None),
    ("BR", None, "2024-09-18", True, NS),
    ("BR", None, "2026-08-01", True, NS),
    ("PK", None, "2024-09-17", False, None),
    ("PK", None, "2024-09-18", True, NS),
]


@pytest.mark.parametrize(
    ("country", "state", "on", "training", "basis"),
    TIMELINE,
    ids=[f"{_row_id(r)}-{r[2]}" for r in TIMELINE],
)
def test_timeline(country: str, state: str | None, on: str, training: bool, basis: str | None) -> None:
    d = decide(country, state, dt.date.fromisoformat(on))
    assert d.training_active is training
    assert d.claimed_basis == basis
    j = d.to_json()
    assert j["training_active"] is training
    assert j["claimed_basis"] == basis


# One place per LinkedIn region; used to walk every period boundary in the data.
REGION_PLACES = {
    "designated": ("DE", None),
    "uk": ("GB", None),
    "canada": ("CA", "ON"),
    "hongkong": ("HK", None),
    "rest": ("US", "NY"),
}


def test_region_places_cover_every_region() -> None:
    assert set(REGION_PLACES) == set(dataset().linkedin.regions)
    for region, (country, state) in REGION_PLACES.items():
        assert decide(country, state, LATE).regime.region == region


def _boundaries() -> list[tuple[str, int]]:
    regions = dataset().linkedin.regions
    return [(rid, i) for rid in REGION_PLACES for i in range(len(regions[rid].periods))]


@pytest.mark.parametrize(("region", "index"), _boundaries())
def test_every_period_starts_on_its_day(region: str, index: int) -> None:
    periods = dataset().linkedin.regions[region].periods
    period = periods[index]
    country, state = REGION_PLACES[region]
    before = decide(country, state, period.start - dt.timedelta(days=1))
    on = decide(country, state, period.start)
    assert on.period == period
    assert on.training_active is period.training
    assert on.claimed_basis == period.claimed_basis
    assert on.to_json()["policy_event"]["since"] == period.start.isoformat()
    if index == 0:
        assert before.period is None
        assert before.to_json()["policy_event"] is None
    else:
        assert before.period == periods[index - 1]
    assert before.training_active is (index > 0 and periods[index - 1].training)


def test_before_any_period_objects_in_advance() -> None:
    d = decide("DE", "BY", dt.date(2023, 1, 1))
    assert d.period is None
    assert not d.training_active
    assert d.claimed_basis is None
    assert any("did not mention training AI" in s.text for s in d.steps)


# --- US states phasing in -------------------------------------------------------------


@pytest.mark.parametrize(("state", "in_force"), sorted(US_STATE_LAWS.items()))
def test_us_state_law_applies_from_its_in_force_date(state: str, in_force: dt.date) -> None:
    before = decide("US", state, in_force - dt.timedelta(days=1))
    assert before.regime.id == "us-none"
    assert not before.regime.statutory
    assert any(f"only from {in_force.isoformat()}" in s.text for s in before.steps)
    after = decide("US", state, in_force)
    assert after.regime.id == f"us-{state.lower()}"
    assert after.regime.statutory


@pytest.mark.parametrize(
    ("state", "on", "regime"),
    [
        ("OK", "2026-12-31", "us-none"),
        ("OK", "2027-01-01", "us-ok"),
        ("LA", "2026-12-31", "us-none"),
        ("LA", "2027-01-01", "us-la"),
        ("AL", "2027-04-30", "us-none"),
        ("AL", "2027-05-01", "us-al"),
        ("IN", "2025-12-31", "us-none"),
        ("IN", "2026-01-01", "us-in"),
        ("KY", "2025-12-31", "us-none"),
        ("KY", "2026-01-01", "us-ky"),
        ("RI", "2025-12-31", "us-none"),
        ("RI", "2026-01-01", "us-ri"),
        ("NY", "2030-01-01", "us-none"),
    ],
)
def test_us_phase_in_examples(state: str, on: str, regime: str) -> None:
    assert decide("US", state, dt.date.fromisoformat(on)).regime.id == regime


# --- UK: the Microsoft sharing only from the notice that lists it ----------------------


@pytest.mark.parametrize(
    ("on", "present"),
    [("2025-10-01", False), ("2025-11-02", False), ("2025-11-03", True), ("2027-01-01", True)],
)
def test_uk_microsoft_objection_only_from_the_notice_that_lists_it(on: str, present: bool) -> None:
    d = decide("GB", None, dt.date.fromisoformat(on))
    for kind in d.letters:
        assert ("object-microsoft" in dict(d.demands((kind,)))) is (present and kind == "objection")
    # A conditional s. 164A complaint made in advance has uncertain effect (review m-8):
    # no letter makes it.
    assert all("164A" not in c for c in d.citations(d.letters))


# --- JSON shape -----------------------------------------------------------------------

SHAPE_CASES = [
    ("DE", None, "2025-01-01"),
    ("DE", "BY", "2026-08-01"),
    ("GB", None, "2024-09-19"),
    ("GB", None, "2026-08-01"),
    ("CH", None, "2026-08-01"),
    ("CA", "QC", "2025-01-01"),
    ("CA", "ON", "2026-08-01"),
    ("HK", None, "2026-08-01"),
    ("BR", None, "2026-08-01"),
    ("US", "CA", "2026-08-01"),
    ("US", "IA", "2026-08-01"),
    ("US", "NY", "2026-08-01"),
    ("US", "OK", "2026-08-01"),
    ("PK", None, "2023-01-01"),
    ("PK", None, "2026-08-01"),
]
BASES = {"legitimate-interests", "none-stated", None}
KINDS = {"objection", "erasure", "consent-withdrawal", "opt-out"}


@pytest.mark.parametrize(("country", "state", "on"), SHAPE_CASES, ids=[f"{_row_id(r)}-{r[2]}" for r in SHAPE_CASES])
def test_json_shape(country: str, state: str | None, on: str) -> None:
    d = decide(country, state, dt.date.fromisoformat(on))
    j = d.to_json()
    assert json.loads(json.dumps(j)) == j  # plain JSON data, nothing else
    assert {"regime", "controller", "training_active", "claimed_basis", "letters", "citations",
            "authority", "deadline", "channels"} <= set(j)
    assert isinstance(j["regime"], str)
    assert isinstance(j["controller"]["name"], str)
    assert isinstance(j["controller"]["address"], str)
    assert j["controller"]["address"].split("\n") == j["controller"]["address_lines"]
    assert isinstance(j["training_active"], bool)
    assert j["claimed_basis"] in BASES
    if not j["training_active"]:
        assert j["claimed_basis"] is None
    else:
        assert j["claimed_basis"] is not None
    assert j["letters"]
    assert set(j["letters"]) <= KINDS
    assert set(j["recommended"]) <= set(j["letters"])
    assert all(isinstance(c, str) and c for c in j["citations"])
    if d.regime.statutory:
        assert j["citations"]
    else:
        assert j["citations"] == []
    if j["authority"] is not None:
        assert isinstance(j["authority"]["name"], str)
        assert j["authority"]["url"].startswith(("https://", "http://"))
    units = {"months", "days"} & set(j["deadline"])
    assert len(units) == 1
    assert isinstance(j["deadline"][units.pop()], int)
    assert isinstance(j["deadline"]["rule"], str) and j["deadline"]["rule"]
    dt.date.fromisoformat(j["deadline"]["due"])
    assert j["channels"][0]["id"] == "genai-setting"
    for ch in j["channels"]:
        if ch["kind"] in ("setting", "form"):
            assert ch["url"].startswith("https://www.linkedin.com/")
        if ch["kind"] == "post":
            assert ch["address"].startswith(j["controller"]["name"] + "\n")


@pytest.mark.parametrize(
    ("country", "state", "authority"),
    [("US", "NY", "Federal Trade Commission"), ("PK", None, None), ("CN", None, None)],
)
def test_json_non_statutory_regimes(country: str, state: str | None, authority: str | None) -> None:
    j = decide(country, state, LATE).to_json()
    assert j["citations"] == []
    assert all(d["voluntary"] and d["citation"] is None for d in j["demands"])
    assert j["deadline"]["statutory"] is False
    assert j["deadline"]["citation"] is None
    assert (j["authority"] or {}).get("name") == authority


@pytest.mark.parametrize("country", ["AT", "DE", "FR", "IE", "IS", "LI", "NO"])
def test_json_deadline_eu_is_one_month(country: str) -> None:
    dl = decide(country, None, LATE).to_json()["deadline"]
    assert dl["months"] == 1
    assert "days" not in dl
    assert dl["citation"] == "GDPR Art. 12(3)"


@pytest.mark.parametrize("state", sorted(US_STATE_LAWS))
def test_json_deadline_us_states(state: str) -> None:
    dl = decide("US", state, LATE).to_json()["deadline"]
    assert dl["days"] == (90 if state == "IA" else 45)
    assert "months" not in dl


def test_json_citations_eu_objection() -> None:
    cites = decide("FR", None, LATE).to_json()["citations"]
    for c in ("GDPR Art. 21(1)", "GDPR Art. 18(1)(d)", "GDPR Art. 17(1)(c)", "GDPR Art. 12(3)", "GDPR Art. 77"):
        assert c in cites
    assert len(cites) == len(set(cites))


# --- due dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2100-01-31", 1, "2100-02-28"),
        ("2000-01-31", 1, "2000-02-29"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-01-15", 3, "2026-04-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-05-31", 12, "2027-05-31"),
        ("2026-08-21", 0, "2026-08-21"),
        ("2026-10-31", 14, "2027-12-31"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("country", "state", "sent", "due"),
    [
        ("US", "CA", "2026-01-01", "2026-02-15"),  # 45 days
        ("US", "NY", "2026-12-20", "2027-02-03"),  # 45 days, across the year
        ("US", "IA", "2026-01-01", "2026-04-01"),  # 90 days
        ("CA", "ON", "2028-02-01", "2028-03-02"),  # 30 days in a leap year
        ("HK", None, "2026-01-01", "2026-02-10"),  # 40 days
        ("BR", None, "2026-02-20", "2026-03-09"),  # 15 days: Saturday 7 March, so Monday (CC Art. 132 §1)
        ("DE", None, "2026-01-31", "2026-03-02"),  # one month, clamped to Saturday 28 Feb, so Monday
        ("GB", None, "2028-01-31", "2028-02-29"),
    ],
)
def test_due(country: str, state: str | None, sent: str, due: str) -> None:
    d = decide(country, state, LATE)
    assert d.due(dt.date.fromisoformat(sent)) == dt.date.fromisoformat(due)
    assert due_date(dt.date.fromisoformat(sent), d.deadline) == dt.date.fromisoformat(due)


def test_due_defaults_to_decision_date() -> None:
    d = decide("US", "TX", dt.date(2026, 3, 1))
    assert d.due() == dt.date(2026, 4, 15)
    assert d.to_json()["deadline"]["due"] == "2026-04-15"
    assert decide("FR", None, dt.date(2026, 1, 31)).to_json()["deadline"]["due"] == "2026-03-02"


# --- local and lead authority ---------------------------------------------------------

DPC = "Irish Data Protection Commission"


@pytest.mark.parametrize(
    ("country", "state", "authority", "lead"),
    [
        ("FR", None, "Commission nationale de l'informatique et des libertés", DPC),
        ("DE", "BY", "Bayerisches Landesamt für Datenschutzaufsicht", DPC),
        ("DE", None, DPC, None),
        ("IE", None, DPC, None),
        ("NO", None, "Datatilsynet", DPC),
        ("GB", None, "Information Commissioner's Office", None),
        ("CH", None, "Federal Data Protection and Information Commissioner", None),
        ("CA", "ON", "Office of the Privacy Commissioner of Canada", None),
        ("CA", "QC", "Commission d'accès à l'information du Québec", None),
        ("HK", None, "Office of the Privacy Commissioner for Personal Data, Hong Kong", None),
        ("BR", None, "Autoridade Nacional de Proteção de Dados", None),
        ("US", "CA", "California Privacy Protection Agency", None),
        ("US", "NY", "Federal Trade Commission", None),
        ("US", "TX", "Office of the Texas Attorney General", None),
        ("PK", None, None, None),
        # Egypt is not covered yet, but the how-to names its regulator (issue 11).
        ("EG", None, "Personal Data Protection Center (Egypt)", None),
    ],
)
def test_local_authority(country: str, state: str | None, authority: str | None, lead: str | None) -> None:
    d = decide(country, state, LATE)
    assert (d.authority.name if d.authority else None) == authority
    assert (d.lead_authority.name if d.lead_authority else None) == lead
    j = d.to_json()
    assert (j["authority"] or {}).get("name") == authority
    assert (j["lead_authority"] or {}).get("name") == lead


def test_germany_without_state_asks_for_the_land() -> None:
    steps = [s.text for s in decide("DE", None, LATE).steps]
    assert any("--state" in s for s in steps)
    assert not any("--state" in s for s in (x.text for x in decide("DE", "BY", LATE).steps))
    assert not any("--state" in s for s in (x.text for x in decide("FR", None, LATE).steps))


EU_EEA = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GR", "HU", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
]  # without DE (by Land, below) and IE (the DPC itself)


@pytest.mark.parametrize("country", EU_EEA)
def test_eu_local_authority_and_dpc_lead(country: str) -> None:
    d = decide(country, None, LATE)
    assert d.regime.id == "eu-gdpr"
    assert d.authority is not None
    assert country in d.authority.countries
    assert d.authority.short != "DPC"
    assert d.lead_authority is not None
    assert d.lead_authority.short == "DPC"


@pytest.mark.parametrize(
    "land", ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"]
)
def test_german_land_authority(land: str) -> None:
    d = decide("DE", land, LATE)
    assert d.authority is not None
    assert d.authority.subdivisions == (land,)
    assert d.lead_authority is not None
    assert d.lead_authority.short == "DPC"


def test_ireland_has_no_separate_lead() -> None:
    d = decide("IE", None, LATE)
    assert d.authority is not None and d.authority.short == "DPC"
    assert d.lead_authority is None


# --- bad input and case-insensitive codes ---------------------------------------------


@pytest.mark.parametrize(
    ("country", "state", "field"),
    [
        ("XX", None, "country"),
        ("", None, "country"),
        ("   ", None, "country"),
        ("DEU", None, "country"),
        ("D", None, "country"),
        ("EU", None, "country"),
        ("US", None, "state"),
        ("US", "", "state"),
        ("US", "  ", "state"),
        ("US", "ZZ", "state"),
        ("US", "CA-QC", "state"),
        ("US", "Californa Republic", "state"),
        ("CA", "XX", "state"),
        ("CA", "US-CA", "state"),
        ("DE", "XX", "state"),
        ("FR", "IDF", "state"),
        ("GB", "ENG", "state"),
        ("JP", "13", "state"),
    ],
)
def test_decide_bad_input(country: str, state: str | None, field: str) -> None:
    with pytest.raises(InputError) as info:
        decide(country, state, LATE)
    assert info.value.field == field


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-00-10", "tomorrow", "2026-1-5",
                                  "", "20260105", "2026/01/05", "05.01.2026", "2026-01-05T00:00",
                                  "2026-W01-1", "2026-001-1", "+2026-01-0", "2026-01-0\uff15"])
@pytest.mark.parametrize("field", ["date", "on"])
def test_parse_date_bad(text: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, field)
    assert info.value.field == field


@pytest.mark.parametrize(("text", "expected"), [("2026-02-28", dt.date(2026, 2, 28)),
                                                ("2028-02-29", dt.date(2028, 2, 29)),
                                                (" 2026-01-05 ", dt.date(2026, 1, 5))])
def test_parse_date_good(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_parse_date_default_field_is_date() -> None:
    with pytest.raises(InputError) as info:
        parse_date("tomorrow")
    assert info.value.field == "date"


@pytest.mark.parametrize(
    ("country", "state", "norm_country", "norm_state", "regime"),
    [
        ("us", "ca", "US", "CA", "us-ca"),
        ("US", "us-ca", "US", "CA", "us-ca"),
        ("us", "US-CA", "US", "CA", "us-ca"),
        ("Us", " tx ", "US", "TX", "us-tx"),
        ("ca", "qc", "CA", "QC", "ca-qc"),
        ("CA", "ca-qc", "CA", "QC", "ca-qc"),
        ("uk", None, "GB", None, "uk-gdpr"),
        ("gb", None, "GB", None, "uk-gdpr"),
        (" de ", "by", "DE", "BY", "eu-gdpr"),
        ("de", "de-by", "DE", "BY", "eu-gdpr"),
        ("el", None, "GR", None, "eu-gdpr"),
        ("fr", "", "FR", None, "eu-gdpr"),
    ],
)
def test_codes_are_case_insensitive(
    country: str, state: str | None, norm_country: str, norm_state: str | None, regime: str
) -> None:
    d = decide(country, state, LATE)
    assert (d.country, d.state, d.regime.id) == (norm_country, norm_state, regime)
    j = d.to_json()
    assert (j["country"], j["state"]) == (norm_country, norm_state)


# --- purity ---------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "state", "on"), SHAPE_CASES)
def test_decide_is_pure(country: str, state: str | None, on: str) -> None:
    day = dt.date.fromisoformat(on)
    a = decide(country, state, day)
    b = decide(country, state, day)
    assert a == b
    assert a.to_json() == b.to_json()
    assert json.dumps(a.to_json(), sort_keys=True) == json.dumps(b.to_json(), sort_keys=True)
    # A lower-case spelling of the same place decides the same thing.
    assert decide(country.lower(), state.lower() if state else state, day).to_json() == a.to_json()
