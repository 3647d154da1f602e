"""The JSON API fuzzed from its own OpenAPI schema (schemathesis): no input gives a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from objector.web.app import WebConfig, create_app

app = create_app(WebConfig(workers=0, allowed_hosts=("testserver",)))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


@pytest.mark.timeout(300)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500 or response.status_code == 503, response.text
