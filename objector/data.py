"""Load and cross-check the data files: regimes, LinkedIn's record, authorities, sources."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import DataError
from .resources import data_dir
from .schema import (
    Authority,
    LinkedInRecord,
    Reason,
    Regime,
    Source,
    Sourced,
    Subdivisions,
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Every data file, validated and cross-checked."""

    sources: Mapping[str, Source]
    linkedin: LinkedInRecord
    regimes: Mapping[str, Regime]
    authorities: Mapping[str, Authority]
    reasons: Mapping[str, Reason]
    subdivisions: Mapping[str, Mapping[str, str]]


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{path.name}: {exc}") from exc


def _model(model: type[M], raw: Any, where: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise DataError(f"{where}: {loc}: {first['msg']}") from exc


def _table(model: type[M], raw: Mapping[str, Any], where: str) -> dict[str, M]:
    return {key: _model(model, value, f"{where} [{key}]") for key, value in raw.items()}


def load(root: Path | None = None) -> Dataset:
    """Read and validate every data file under ``root`` (default: the packaged data).

    Raises DataError naming the file and field of the first problem found.
    """
    root = root or data_dir()
    sources = _table(Source, _read(root / "sources.toml"), "sources.toml")
    linkedin = _model(LinkedInRecord, _read(root / "linkedin.toml"), "linkedin.toml")
    regimes: dict[str, Regime] = {}
    for path in sorted((root / "regimes").glob("*.toml")):
        regime = _model(Regime, _read(path), f"regimes/{path.name}")
        if regime.id != path.stem:
            raise DataError(f"regimes/{path.name}: id {regime.id!r} differs from the file name")
        regimes[regime.id] = regime
    authorities: dict[str, Authority] = {}
    for path in sorted((root / "authorities").glob("*.toml")):
        for key, value in _table(Authority, _read(path), f"authorities/{path.name}").items():
            if key in authorities:
                raise DataError(f"authorities/{path.name}: {key} is defined twice")
            authorities[key] = value
    reasons = _table(Reason, _read(root / "reasons.toml"), "reasons.toml")
    subdivisions = _model(Subdivisions, _read(root / "subdivisions.toml"), "subdivisions.toml")
    dataset = Dataset(sources, linkedin, regimes, authorities, reasons, subdivisions.names)
    _cross_check(dataset)
    return dataset


def _sourced_facts(ds: Dataset) -> Iterable[tuple[str, Sourced]]:
    li = ds.linkedin
    yield "linkedin scope", li.scope
    for key, entity in li.entities.items():
        yield f"linkedin entity {key}", entity
    for key, channel in li.channels.items():
        yield f"linkedin channel {key}", channel
    for key, versions in li.quotes.items():
        for quote in versions:
            yield f"linkedin quote {key} {quote.effective}", quote
    if li.promises is not None:
        yield "linkedin promises", li.promises
    for rid, region in li.regions.items():
        for period in region.periods:
            yield f"linkedin region {rid} {period.start}", period
    for key, authority in ds.authorities.items():
        yield f"authority {key}", authority
    for rid, regime in ds.regimes.items():
        yield f"regime {rid} deadline", regime.deadline
        yield f"regime {rid} escalation", regime.escalation
        for did, demand in (*regime.demands.items(), *regime.arguments.items()):
            yield f"regime {rid} {did}", demand
        if regime.consumer is not None:
            yield f"regime {rid} consumer", regime.consumer
        if regime.opt_out_signal is not None:
            yield f"regime {rid} opt-out signal", regime.opt_out_signal
        if regime.language is not None:
            yield f"regime {rid} language", regime.language


def _cross_check(ds: Dataset) -> None:
    for where, fact in _sourced_facts(ds):
        for key in fact.sources:
            if key not in ds.sources:
                raise DataError(f"{where}: unknown source key {key!r}")
    claimed: dict[tuple[str, str], str] = {}
    for rid, regime in ds.regimes.items():
        for key in regime.sources:
            if key not in ds.sources:
                raise DataError(f"regime {rid}: unknown source key {key!r}")
        if regime.region not in ds.linkedin.regions:
            raise DataError(f"regime {rid}: unknown LinkedIn region {regime.region!r}")
        if regime.authority is not None and regime.authority not in ds.authorities:
            raise DataError(f"regime {rid}: unknown authority {regime.authority!r}")
        for channel in regime.channels:
            if channel not in ds.linkedin.channels:
                raise DataError(f"regime {rid}: unknown channel {channel!r}")
        for country in regime.countries:
            if regime.subdivisions:
                for sub in regime.subdivisions:
                    if sub not in ds.subdivisions.get(country, {}):
                        raise DataError(f"regime {rid}: unknown subdivision {country}-{sub}")
            # Two regimes may share a country only when they differ by subdivision
            # (CA: PIPEDA and Quebec) or by date (US states phasing in).
            for sub in regime.subdivisions or ("*",):
                other = claimed.get((country, sub))
                if other is not None and regime.in_force is None:
                    raise DataError(f"regimes {other} and {rid} both claim {country}-{sub}")
                claimed[(country, sub)] = rid
    if "none" not in ds.regimes:
        raise DataError("the fallback regime 'none' is missing")


@cache
def dataset() -> Dataset:
    """The packaged data, loaded once per process."""
    return load()
