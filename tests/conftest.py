"""Shared fixtures: sample people, fixed dates, and the --update-golden option."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from objector import Person

GOLDEN = Path(__file__).parent / "golden"
DAY = dt.date(2026, 11, 25)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file (or write it with --update-golden)."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"missing golden file {path.relative_to(GOLDEN.parent)}; run pytest --update-golden")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


# One sample person per place; states where the law needs one.
PLACES = {
    "eu-gdpr": ("DE", "BE"),
    "uk-gdpr": ("GB", None),
    "ch-fadp": ("CH", None),
    "ca-pipeda": ("CA", "ON"),
    "ca-qc": ("CA", "QC"),
    "hk-pdpo": ("HK", None),
    "br-lgpd": ("BR", None),
    "us-none": ("US", "NY"),
    # Pakistan has no data protection law (world-apac §13): still the fallback.
    "none": ("PK", None),
    # The rest of the world (issue 11): one sample country per regime.
    "in-dpdp-pre": ("IN", None),
    "in-dpdp": ("IN", None),
    "au-privacy": ("AU", None),
    "jp-appi": ("JP", None),
    "sg-pdpa": ("SG", None),
    "kr-pipa": ("KR", None),
    "ph-dpa": ("PH", None),
    "id-pdp": ("ID", None),
    "my-pdpa": ("MY", None),
    "nz-privacy": ("NZ", None),
    "vn-pdp": ("VN", None),
    "th-pdpa": ("TH", None),
    "mx-lfpdppp": ("MX", None),
    "tr-kvkk": ("TR", None),
    "za-popia": ("ZA", None),
    "ar-pdp": ("AR", None),
    "co-habeas": ("CO", None),
    "ng-ndpa": ("NG", None),
    "cl-pdp": ("CL", None),
    "ae-pdpl": ("AE", None),
    "sa-pdpl": ("SA", None),
    "ke-dpa": ("KE", None),
    "il-ppl": ("IL", None),
    "ua-pdp": ("UA", None),
    "pe-lpdp": ("PE", None),
}


def person_for(regime_id: str) -> Person:
    if regime_id in PLACES:
        country, state = PLACES[regime_id]
    else:
        country, state = "US", regime_id.split("-")[1].upper()
    return Person.create("Alex Example", "alex@example.org", country, state,
                         ["1 Sample Street", "Sample Town"], "https://www.linkedin.com/in/alex-example")


@pytest.fixture
def anna() -> Person:
    return Person.create("Anna Müller", "anna.mueller@example.org", "DE", "BY",
                         "Hauptstraße 1|80331 München", "https://www.linkedin.com/in/anna-mueller")
