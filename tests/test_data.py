"""The data files under objector/data: they load, validate and agree with each other."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from email_validator import validate_email

from objector.data import Dataset, load
from objector.errors import DataError
from objector.schema import Regime

DATA = Path(__file__).resolve().parent.parent / "objector" / "data"
REGIME_FILES = sorted((DATA / "regimes").glob("*.toml"))

EU_27 = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}
EEA_NOT_EU = {"IS", "LI", "NO"}
LANDER = {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load()


def test_load_succeeds(ds: Dataset) -> None:
    assert set(ds.regimes) == {p.stem for p in REGIME_FILES}
    assert "none" in ds.regimes
    assert set(ds.linkedin.regions) == {"designated", "uk", "canada", "hongkong", "rest"}
    assert ds.sources and ds.authorities and ds.reasons


def test_load_of_an_unchanged_copy_succeeds(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "data")
    copy = load(tmp_path / "data")
    assert set(copy.regimes) == set(load().regimes)


@pytest.mark.parametrize("path", REGIME_FILES, ids=[p.stem for p in REGIME_FILES])
def test_every_regime_file_validates(path: Path) -> None:
    regime = Regime.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    assert regime.id == path.stem


# --- a broken copy of the data is refused ---------------------------------------------

# (file, text to replace (must occur exactly once), replacement, part of the error)
BREAKAGES = [
    pytest.param("linkedin.toml", 'sources = ["ICO-2024"]\n', 'sources = ["NO-SUCH-SOURCE"]\n',
                 "unknown source key 'NO-SUCH-SOURCE'", id="bogus-source-key-linkedin-period"),
    pytest.param("regimes/br-lgpd.toml", '[demands.oppose]\ncitation = "LGPD Art. 18 §2"\nsources = ["LGPD-18"]',
                 '[demands.oppose]\ncitation = "LGPD Art. 18 §2"\nsources = ["LGPD-99"]',
                 "unknown source key 'LGPD-99'", id="bogus-source-key-demand"),
    pytest.param("regimes/hk-pdpo.toml", 'sources = ["HKLII-19", "PCPD-GUIDE-26", "PCPD-2024"]',
                 'sources = ["HKLII-19", "NOPE"]', "regime hk-pdpo: unknown source key 'NOPE'",
                 id="bogus-source-key-regime"),
    pytest.param("authorities/other.toml", 'sources = ["PCPD-2024", "PCPD-GUIDE-26"]',
                 'sources = ["PCPD-2042"]', "unknown source key 'PCPD-2042'", id="bogus-source-key-authority"),
    pytest.param("regimes/eu-gdpr.toml", '"post-ireland", "deletion-form"]',
                 '"post-ireland", "deletion-form", "carrier-pigeon"]',
                 "unknown channel 'carrier-pigeon'", id="unknown-channel"),
    pytest.param("regimes/eu-gdpr.toml", 'authority = "ie-dpc"', 'authority = "ie-nobody"',
                 "unknown authority 'ie-nobody'", id="unknown-authority"),
    pytest.param("linkedin.toml",
                 'claimed_basis = "none-stated"\n'
                 'event = "LinkedIn\'s policy allows AI training with a default-on setting."',
                 'event = "LinkedIn\'s policy allows AI training with a default-on setting."',
                 "a training period must say which basis", id="training-period-without-basis"),
    pytest.param("linkedin.toml", "start = 2024-09-18\ntraining = false\n",
                 'start = 2024-09-18\ntraining = false\nclaimed_basis = "none-stated"\n',
                 "a period without training cannot claim a legal basis", id="basis-without-training"),
    pytest.param("linkedin.toml", "start = 2024-09-20\n", "start = 2024-09-01\n",
                 "periods must be in strictly increasing date order", id="periods-out-of-order"),
    pytest.param("linkedin.toml", 'name = "Hong Kong"\ncontroller = "corporation"',
                 'name = "Hong Kong"\ncontroller = "hk-limited"', "unknown controller 'hk-limited'",
                 id="unknown-controller"),
    pytest.param("regimes/eu-gdpr.toml", "[demands.free]\n", "[demands.free]\nvoluntary = true\n",
                 "a demand has a citation, or is voluntary, not both", id="demand-cited-and-voluntary"),
    pytest.param("regimes/none.toml", "[demands.delete]\nvoluntary = true\n", "[demands.delete]\n",
                 "a demand has a citation, or is voluntary, not both", id="demand-neither-cited-nor-voluntary"),
    pytest.param("regimes/none.toml", "[demands.delete]\nvoluntary = true\n",
                 '[demands.delete]\ncitation = "Invented Act s. 1"\n',
                 "a non-statutory regime cites no law", id="non-statutory-regime-cites-law"),
    pytest.param("regimes/eu-gdpr.toml", "erasure = [\"object\", \"erase\", \"notify\", \"free\"]",
                 "erasure = [\"object\", \"erase\", \"notify\", \"free\", \"smite\"]",
                 "unknown demand 'smite'", id="kind-with-unknown-demand"),
    pytest.param("regimes/eu-gdpr.toml", 'auto_not_training = ["objection"]', 'auto_not_training = ["opt-out"]',
                 "auto letter uses kind 'opt-out'", id="auto-kind-the-regime-lacks"),
    pytest.param("regimes/eu-gdpr.toml", "months = 1\n", "months = 1\ndays = 30\n",
                 "a deadline has either months or days", id="deadline-months-and-days"),
    pytest.param("regimes/eu-gdpr.toml", 'short_law = "GDPR"\n', 'short_law = "GDPR"\nshortlaw = "GDPR"\n',
                 "shortlaw", id="typo-field"),
    pytest.param("regimes/hk-pdpo.toml", 'region = "hongkong"', 'region = "atlantis"',
                 "unknown LinkedIn region 'atlantis'", id="unknown-region"),
    pytest.param("regimes/hk-pdpo.toml", 'id = "hk-pdpo"', 'id = "hk-other"',
                 "differs from the file name", id="id-not-file-name"),
    pytest.param("regimes/us-ok.toml", 'subdivisions = ["OK"]', 'subdivisions = ["OX"]',
                 "unknown subdivision US-OX", id="unknown-subdivision"),
    pytest.param("regimes/ch-fadp.toml", 'countries = ["CH"]', 'countries = ["FR"]',
                 "both claim FR-*", id="two-regimes-claim-a-country"),
    pytest.param("authorities/other.toml", "[hk-pcpd]\n", "[ie-dpc]\n",
                 "ie-dpc is defined twice", id="authority-defined-twice"),
    pytest.param("sources.toml", 'confidence = "ANALYSIS"', 'confidence = "PROBABLY"',
                 "sources.toml", id="bad-confidence"),
    pytest.param("subdivisions.toml", 'BY = "Bayern"\n', "BY = \n", "subdivisions.toml", id="invalid-toml"),
]


@pytest.mark.parametrize(("rel", "old", "new", "message"), BREAKAGES)
def test_broken_copy_raises_data_error(tmp_path: Path, rel: str, old: str, new: str, message: str) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: the text to break must occur once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(message)):
        load(root)


def test_missing_fallback_regime_raises_data_error(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    (root / "regimes" / "none.toml").unlink()
    with pytest.raises(DataError, match="fallback regime 'none'"):
        load(root)


def test_missing_file_raises_data_error(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    (root / "sources.toml").unlink()
    with pytest.raises(DataError, match=re.escape("sources.toml")):
        load(root)


# --- regulators -----------------------------------------------------------------------


# Parts of EU member states with ISO codes of their own, where the GDPR applies.
EU_TERRITORIES = {"GF", "GP", "MF", "MQ", "RE", "YT", "AX", "IC", "EA"}


def test_eu_regime_countries_are_eu_and_eea(ds: Dataset) -> None:
    assert set(ds.regimes["eu-gdpr"].countries) == EU_27 | EEA_NOT_EU | EU_TERRITORIES
    assert len(ds.regimes["eu-gdpr"].countries) == 39


@pytest.mark.parametrize("country", sorted((EU_27 | EEA_NOT_EU) - {"DE"}))
def test_every_eu_eea_country_has_exactly_one_local_authority(ds: Dataset, country: str) -> None:
    found = [k for k, a in ds.authorities.items() if country in a.countries and not a.subdivisions]
    assert len(found) == 1, found
    regional = [k for k, a in ds.authorities.items() if country in a.countries and a.subdivisions]
    assert regional == []


def test_germany_has_one_authority_per_land_and_none_nationwide(ds: Dataset) -> None:
    assert set(ds.subdivisions["DE"]) == LANDER
    nationwide = [k for k, a in ds.authorities.items() if "DE" in a.countries and not a.subdivisions]
    assert nationwide == []
    for land in LANDER:
        found = [k for k, a in ds.authorities.items() if "DE" in a.countries and land in a.subdivisions]
        assert len(found) == 1, (land, found)


def test_no_place_has_two_local_authorities(ds: Dataset) -> None:
    seen: dict[tuple[str, str], str] = {}
    for key, a in ds.authorities.items():
        for country in a.countries:
            for sub in a.subdivisions or ("*",):
                assert (country, sub) not in seen, (key, seen.get((country, sub)))
                seen[(country, sub)] = key


def test_authority_subdivisions_are_known_codes(ds: Dataset) -> None:
    for key, a in ds.authorities.items():
        for country in a.countries:
            for sub in a.subdivisions:
                assert sub in ds.subdivisions.get(country, {}), (key, country, sub)


def test_regime_authority_matches_where_the_regime_applies(ds: Dataset) -> None:
    for rid, regime in ds.regimes.items():
        if regime.authority is None:
            assert rid == "none"
            continue
        a = ds.authorities[regime.authority]
        if rid == "eu-gdpr":
            assert a.short == "DPC"  # the lead authority for LinkedIn Ireland
        elif rid == "us-none":
            assert a.short == "FTC"
        else:
            assert a.countries == regime.countries, rid
            assert a.subdivisions == regime.subdivisions, rid


def _authority_urls() -> list[tuple[str, str]]:
    return [(f"{k}.{f}", getattr(a, f)) for k, a in load().authorities.items()
            for f in ("url", "complaint_url") if getattr(a, f)]


@pytest.mark.parametrize(("where", "url"), _authority_urls())
def test_authority_urls(where: str, url: str) -> None:
    assert url.startswith(("https://", "http://")), where
    parts = urlsplit(url)
    assert parts.hostname and "." in parts.hostname, where
    assert not re.search(r"\s", url), where


def _emails() -> list[tuple[str, str]]:
    ds = load()
    out = [(f"authority {k}", a.email) for k, a in ds.authorities.items() if a.email]
    out += [(f"channel {k}", c.email) for k, c in ds.linkedin.channels.items() if c.email]
    return out


def test_there_are_e_mails_to_check() -> None:
    assert len(_emails()) >= 30


@pytest.mark.parametrize(("where", "email"), _emails())
def test_emails_validate_offline(where: str, email: str) -> None:
    result = validate_email(email, check_deliverability=False)
    assert result.normalized == email, where


# --- LinkedIn's record ----------------------------------------------------------------


def test_channel_urls_are_linkedin(ds: Dataset) -> None:
    for key, ch in ds.linkedin.channels.items():
        if ch.kind in ("setting", "form"):
            assert ch.url is not None, key
        if ch.url is not None:
            assert ch.url.startswith("https://www.linkedin.com/"), key
            assert not re.search(r"\s", ch.url), key
        if ch.kind == "post":
            assert ch.url is None and ch.email is None, key


def test_form_channels_have_a_text_budget(ds: Dataset) -> None:
    for key, ch in ds.linkedin.channels.items():
        if ch.kind == "form":
            assert ch.text_budget is not None and ch.text_budget > 0, key
            assert ch.limit_note, key


COUNTRY_LINES = {"IE": {"Ireland"}, "US": {"USA", "United States", "United States of America"}}


def test_every_controller_address_has_a_country_line(ds: Dataset) -> None:
    for key, entity in ds.linkedin.entities.items():
        assert entity.country in COUNTRY_LINES, key
        assert entity.address[-1] in COUNTRY_LINES[entity.country], key
        assert all(line.strip() == line and line for line in entity.address), key


def test_every_region_training_period_claims_a_basis(ds: Dataset) -> None:
    for rid, region in ds.linkedin.regions.items():
        for p in region.periods:
            assert (p.claimed_basis is not None) is p.training, (rid, p.start)


# --- regimes --------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGIME_FILES, ids=[p.stem for p in REGIME_FILES])
def test_regime_channels(ds: Dataset, path: Path) -> None:
    regime = ds.regimes[path.stem]
    assert regime.channels[0] == "genai-setting"
    assert len(set(regime.channels)) == len(regime.channels)
    posts = [c for c in regime.channels if ds.linkedin.channels[c].kind == "post"]
    assert len(posts) == 1
    controller = ds.linkedin.regions[regime.region].controller
    assert posts[0] == f"post-{controller}"


@pytest.mark.parametrize("path", REGIME_FILES, ids=[p.stem for p in REGIME_FILES])
def test_regime_demands_cited_or_voluntary(ds: Dataset, path: Path) -> None:
    regime = ds.regimes[path.stem]
    if regime.statutory:
        # Every letter kind of a law-based regime cites at least one provision. The
        # only voluntary request allowed beside them is "stop first-party AI training",
        # which no US state law grants; a law elsewhere in the world that gives no
        # right to erasure or to stop sharing with affiliates asks them as requests
        # on LinkedIn's promises (issue 11), and may set no period at all.
        for kind, demand_ids in regime.kinds.items():
            assert any(regime.demands[d].citation for d in demand_ids), (kind, demand_ids)
        voluntary = {did for did, d in regime.demands.items() if d.voluntary}
        if regime.family == "world":
            assert voluntary <= {"stop-training", "delete", "no-affiliate-sharing"}
        else:
            assert voluntary <= {"stop-training"}
            assert regime.deadline.statutory
        if regime.family not in ("us-state", "world"):
            assert voluntary == set()
        # India before 2027-05-13: the Board hears nothing until the rights apply.
        assert regime.escalation.statutory or regime.id == "in-dpdp-pre"
    else:
        assert all(d.voluntary and d.citation is None and not d.also for d in regime.demands.values())
        assert regime.deadline.citation is None and not regime.deadline.statutory
        assert regime.escalation.citation is None and regime.escalation.court_citation is None
        assert not regime.escalation.statutory
        assert regime.family == "voluntary"


@pytest.mark.parametrize("path", REGIME_FILES, ids=[p.stem for p in REGIME_FILES])
def test_every_demand_is_used_by_a_letter_kind(ds: Dataset, path: Path) -> None:
    regime = ds.regimes[path.stem]
    used = {d for ids in regime.kinds.values() for d in ids}
    assert set(regime.demands) == used


def test_us_state_regimes_are_per_state(ds: Dataset) -> None:
    for rid, regime in ds.regimes.items():
        if rid.startswith("us-") and rid != "us-none":
            assert regime.family == "us-state", rid
            assert regime.countries == ("US",), rid
            assert regime.subdivisions == (rid.removeprefix("us-").upper(),), rid
            assert regime.in_force is not None, rid


def test_source_urls(ds: Dataset) -> None:
    for key, source in ds.sources.items():
        if source.url is not None:
            assert source.url.startswith(("https://", "http://")), key
            assert not re.search(r"\s", source.url), key
