"""The web page and JSON API without a browser: the journey, headers, limits, errors, the PDF pool."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import json
import logging
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from objector.web.app import WebConfig, create_app
from objector.web.pdfpool import Busy, PDFPool
from objector.web.security import CSP

BASE = "http://127.0.0.1"
ANNA = {"country": "DE", "state": "BE", "name": "Anna Muster", "email": "anna@example.org",
        "reason_preset": "creative-work", "date": "2026-11-25"}
pytestmark = pytest.mark.timeout(120)


def client(**options: Any) -> TestClient:
    return TestClient(create_app(WebConfig(workers=0, **options)), base_url=BASE)


@pytest.fixture(scope="module")
def web() -> Iterator[TestClient]:
    with client() as c:
        yield c


def cli(*argv: str) -> tuple[int, str, str]:
    from objector.cli import main

    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(""), interactive=False)
    return status, out.getvalue(), err.getvalue()


# --- the journey, JavaScript off -------------------------------------------------------------

def test_home_negotiates_the_interface_language(web: TestClient) -> None:
    for accept, expected in [("de-DE,de;q=0.9,en;q=0.5", "/de/"), ("zh-HK", "/zh_Hant_HK/"),
                             ("fr-CA,fr;q=0.8", "/fr_CA/"), ("en-US", "/en_US/"), ("tlh, xx;q=0.2", "/en/"),
                             ("", "/en/")]:
        r = web.get("/", headers={"Accept-Language": accept}, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == expected, accept
        assert "Accept-Language" in r.headers["vary"]


def test_german_journey_server_rendered(web: TestClient) -> None:
    page = web.get("/de/")
    assert page.status_code == 200
    assert '<html lang="de"' in page.text
    assert '<option value="DE">Deutschland</option>' in page.text
    state_page = web.post("/de/place", data={"country": "DE"})
    assert 'name="state"' in state_page.text and "Berlin" in state_page.text
    decision = web.post("/de/place", data={"country": "DE", "state": "BE"})
    assert decision.status_code == 200
    assert "Datenschutz-Grundverordnung" in decision.text or "DSGVO" in decision.text
    assert "LinkedIn Ireland Unlimited Company" in decision.text
    details = web.post("/de/details", data={"country": "DE", "state": "BE"})
    assert 'autocomplete="email"' in details.text and 'value="creative-work"' in details.text
    letter = web.post("/de/letter", data=ANNA)
    assert letter.status_code == 200
    assert '<article class="letter-preview" lang="de"' in letter.text
    assert "Anna Muster" in letter.text
    assert "https://www.linkedin.com/help/linkedin/ask/TS-DPRO" in letter.text
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in letter.text
    assert re.search(r"\d+ (of|von) 1[.,]000 (characters|Zeichen)", letter.text)
    assert letter.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("lang", "country", "direction"), [("ar", "SA", "rtl"), ("he", "IL", "rtl"),
                                                       ("ja", "JP", "ltr"), ("th", "TH", "ltr")])
def test_a_new_language_journey_runs_in_its_direction(web: TestClient, lang: str, country: str,
                                                      direction: str) -> None:
    """The page in Arabic or Hebrew runs right to left, and the member's letter is in the
    country's language, whose own direction the preview carries too (issue 12)."""
    page = web.get(f"/{lang}/")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}"' in page.text
    letter = web.post(f"/{lang}/letter", data={"country": country, "name": "Alex Example",
                                               "email": "alex@example.org", "no_grounds": "1",
                                               "date": "2026-12-04"})
    assert letter.status_code == 200, letter.text[:500]
    assert f'<article class="letter-preview" lang="{lang}" dir="{direction}"' in letter.text
    assert "Alex Example" in letter.text
    pdf = web.post(f"/{lang}/download", data={"country": country, "name": "Alex Example",
                                               "email": "alex@example.org", "no_grounds": "1",
                                               "date": "2026-12-04", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_downloads_match_the_command_line(web: TestClient, tmp_path: Path) -> None:
    argv = ("letter", "--name", "Anna Muster", "--email", "anna@example.org", "--country", "DE", "--state", "BE",
            "--reason-preset", "creative-work", "--date", "2026-11-25")
    for fmt in ("text", "ics", "howto", "json", "html"):
        r = web.post("/en/download", data={**ANNA, "format": fmt})
        assert r.status_code == 200, fmt
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        assert r.headers["cache-control"] == "no-store"
        status, _, _ = cli(*argv, "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"))
        assert status == 0
        assert r.content == (tmp_path / f"x.{fmt}").read_bytes(), fmt
    pdf = web.post("/en/download", data={**ANNA, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    eml = web.post("/en/download", data={**ANNA, "format": "eml"})
    message = email.message_from_bytes(eml.content, policy=email.policy.default)
    attachments = [part for part in message.iter_attachments()]
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    bundle = zipfile.ZipFile(io.BytesIO(web.post("/en/download", data={**ANNA, "format": "zip"}).content))
    names = sorted(n.split("/", 1)[1] for n in bundle.namelist())
    assert names == sorted(["letter.txt", "letter.eml", "letter.pdf", "letter.html", "letter.ics",
                            "how-to-send.txt", "letter.json"])


def test_errors_use_the_summary_and_keep_the_input(web: TestClient) -> None:
    r = web.post("/en/letter", data={"country": "DE", "state": "BE", "name": "Anna <b>", "email": "not-an-email",
                                     "address": "Musterstraße 1\nBerlin"})
    assert r.status_code == 422
    assert "<title>Error:" in r.text
    summary = r.text[r.text.index('class="error-summary"'):r.text.index("</div>", r.text.index("error-summary"))]
    assert 'href="#field-email"' in summary and "An email address must have an @-sign" in summary
    assert 'id="email-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="Anna &lt;b&gt;"' in r.text and 'value="not-an-email"' in r.text
    assert "Musterstraße 1\nBerlin</textarea>" in r.text
    grounds = web.post("/en/letter", data={"country": "FR", "name": "A", "email": "a@example.org"})
    assert grounds.status_code == 422 and 'href="#field-reason"' in grounds.text


def test_us_needs_a_state_and_uncovered_places_say_so(web: TestClient) -> None:
    r = web.post("/en/place", data={"country": "US", "state": ""})
    assert r.status_code == 422 and "Choose your state." in r.text
    tx = web.post("/en/place", data={"country": "US", "state": "TX"})
    assert "Texas Data Privacy and Security Act" in tx.text
    none = web.post("/en/place", data={"country": "AQ"})
    assert none.status_code == 200 and "Not covered yet" in none.text
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in none.text
    bad = web.post("/en/place", data={"country": "XX"})
    assert bad.status_code == 422 and "unknown country code" in bad.text


def test_language_switch_on_every_page(web: TestClient) -> None:
    assert web.get("/language?to=fr", follow_redirects=False).headers["location"] == "/fr/"
    # A page reached by POST switches by posting the same answers again.
    letter = web.post("/de/letter", data=ANNA)
    switch = letter.text[letter.text.index('<form class="lang"'):letter.text.index("</form>")]
    assert 'method="post"' in switch and 'name="email" value="anna@example.org"' in switch
    french = web.post("/de/letter", data={**ANNA, "ui": "fr"})
    assert '<html lang="fr"' in french.text
    for page in (web.get("/de/"), web.post("/de/place", data={"country": "DE", "state": "BE"}),
                 web.post("/de/details", data=ANNA), letter):
        assert 'id="lang-switch"' in page.text
        assert len(re.findall(r"<option value=\"[a-zA-Z_]+\" lang=", page.text)) >= 31


def test_personal_data_travels_only_in_post_bodies(web: TestClient) -> None:
    for page in (web.post("/en/details", data=ANNA), web.post("/en/letter", data=ANNA)):
        for form in re.findall(r"<form[^>]*>", page.text):
            assert 'method="post"' in form or 'class="lang" method="get"' in form
        assert "anna@example.org" not in "".join(re.findall(r'(?:href|action)="([^"]*)"', page.text).__iter__()
                                                   ).replace("mailto:", "")
    assert "set-cookie" not in web.post("/en/letter", data=ANNA).headers


# --- headers ----------------------------------------------------------------------------------

def test_headers_on_every_route(web: TestClient) -> None:
    responses = [
        web.get("/", follow_redirects=False), web.get("/en/"), web.get("/static/style.css"),
        web.get("/static/app.js"), web.get("/api/v1/openapi.json"), web.get("/nowhere/"),
        web.get("/healthz"), web.post("/en/place", data={"country": "DE"}),
        web.post("/en/details", data=ANNA), web.post("/en/letter", data=ANNA),
        web.post("/en/download", data={**ANNA, "format": "text"}),
        web.post("/api/v1/decision", json={"country": "DE"}),
        web.post("/api/v1/letter", json={"name": "A", "email": "a@example.org", "country": "DE", "no_grounds": True}),
        web.post("/api/v1/letter", json={"name": "A"}),
        web.get("/en/", headers={"Host": "evil.example"}),
    ]
    for r in responses:
        h = r.headers
        assert h["content-security-policy"] == CSP
        assert "frame-ancestors 'none'" in CSP and "default-src 'self'" in CSP and "unsafe-inline" not in CSP
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert "camera=()" in h["permissions-policy"] and "geolocation=()" in h["permissions-policy"]
        assert "server" not in h or "uvicorn" not in h["server"]
        if r.request.method == "POST":
            assert h["cache-control"] == "no-store", r.request.url
    # No inline script or style anywhere in the pages.
    for page in (responses[1], responses[8], responses[9]):
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
        assert "<style" not in page.text and " style=" not in page.text and " on" + "click=" not in page.text


def test_access_log_holds_no_query_and_no_personal_data(web: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="objector.web.access"):
        web.post("/en/letter", data=ANNA)
        web.get("/en/?email=anna@example.org")
    lines = [r.getMessage() for r in caplog.records if r.name == "objector.web.access"]
    assert re.fullmatch(r"POST /en/letter 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /en/ 200 \d+\.\dms", lines[1])
    assert not any("anna" in line.lower() for line in lines)


# --- hosting: host names, origins, limits -----------------------------------------------------

def test_host_allow_list() -> None:
    with client() as local:
        assert local.get("/en/").status_code == 200
        assert local.get("/en/", headers={"Host": "localhost:8000"}).status_code == 200
        # DNS rebinding: a foreign name that resolves to 127.0.0.1.
        assert local.get("/en/", headers={"Host": "attacker.example"}).status_code == 400
    with client(host="0.0.0.0", allowed_hosts=("objector.example.org",)) as hosted:
        assert hosted.get("/en/", headers={"Host": "objector.example.org"}).status_code == 200
        assert hosted.get("/en/", headers={"Host": "127.0.0.1"}).status_code == 400


def test_cross_site_posts_are_refused(web: TestClient) -> None:
    assert web.post("/en/letter", data=ANNA, headers={"Origin": "https://evil.example"}).status_code == 403
    assert web.post("/api/v1/decision", json={"country": "DE"},
                    headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert web.post("/en/letter", data=ANNA, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}
                    ).status_code == 403
    # Our own forms: with Referrer-Policy no-referrer the browser sends Origin: null.
    assert web.post("/en/letter", data=ANNA, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}
                    ).status_code == 200
    assert web.post("/en/letter", data=ANNA, headers={"Origin": BASE}).status_code == 200


def test_body_and_field_limits(web: TestClient) -> None:
    big = web.post("/api/v1/decision", content=b"{" + b" " * 70_000 + b"}",
                   headers={"Content-Type": "application/json"})
    assert big.status_code == 413 and "64 KB" in big.text
    long_name = web.post("/api/v1/letter", json={"name": "A" * 5000, "email": "a@example.org", "country": "DE"})
    assert long_name.status_code == 422
    assert long_name.json()["field"] == "name" and "too long" in long_name.json()["message"]
    page = web.post("/en/letter", data={**ANNA, "reason": "x" * 3500})
    assert page.status_code == 422 and "is too long (3500 characters; at most 3000)" in page.text
    many = web.post("/en/letter", content=("&".join(f"f{i}=1" for i in range(200))).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert many.status_code == 400


HOSTILE = ["<script>alert(1)</script>", "{{ 7*7 }}{% raw %}", "a\r\nBcc: x@evil.example", "file:///etc/passwd",
           "\"><img src=x onerror=alert(1)>", "${7*7} #{7*7} %(name)s"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_literally(web: TestClient, text: str) -> None:
    for field in ("name", "email", "address", "profile_url", "reason", "state", "kind", "date", "locale"):
        r = web.post("/en/letter", data={**ANNA, field: text})
        assert r.status_code in (200, 422), field
        assert "<script>alert" not in r.text and "<img src=x" not in r.text
        assert "49" not in r.text.replace("2049", "")
    ok = web.post("/en/letter", data={**ANNA, "reason": text})
    if "\r" not in text:
        assert ok.status_code == 200
        from markupsafe import escape

        assert str(escape(" ".join(text.split()))) in ok.text
    api = web.post("/api/v1/letter", json={"name": "Anna", "email": "anna@example.org", "country": "DE",
                                           "reason": text, "format": "text"})
    assert api.status_code == 200 and " ".join(text.split()) in api.text


# --- the JSON API -----------------------------------------------------------------------------

def test_api_decision_is_what_explain_prints(web: TestClient) -> None:
    r = web.post("/api/v1/decision", json={"country": "US", "state": "TX", "on": "2026-11-25"})
    status, out, _ = cli("explain", "--country", "US", "--state", "TX", "--on", "2026-11-25", "--json",
                         "--locale", "en")
    assert r.status_code == 200 and status == 0
    assert r.json() == json.loads(out)


def test_api_letter_is_what_the_command_line_writes(web: TestClient) -> None:
    body = {"name": "Alex Example", "email": "alex@example.org", "country": "US", "state": "VA",
            "address": ["1 Sample Street", "Sample Town"], "profile_url": "https://www.linkedin.com/in/alex-example",
            "locale": "en", "date": "2026-11-25"}
    _status, out, _ = cli("letter", "--name", "Alex Example", "--email", "alex@example.org", "--country", "US",
                         "--state", "VA", "--address", "1 Sample Street", "--address", "Sample Town",
                         "--profile-url", "https://www.linkedin.com/in/alex-example", "--locale", "en",
                         "--date", "2026-11-25")
    r = web.post("/api/v1/letter", json=body)
    assert r.status_code == 200 and r.text == out
    assert r.headers["content-type"].startswith("text/plain")
    media = {"eml": "message/rfc822", "ics": "text/calendar", "howto": "text/plain", "json": "application/json",
             "html": "text/html", "pdf": "application/pdf", "zip": "application/zip"}
    for fmt, kind in media.items():
        got = web.post("/api/v1/letter", json={**body, "format": fmt})
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind), fmt
    assert web.post("/api/v1/letter", json={**body, "format": "json"}).json()["reference"].startswith("OBJ-")


@pytest.mark.parametrize(("change", "field"), [
    ({"email": "not-an-email"}, "email"), ({"country": "XX"}, "country"), ({"state": "ZZ"}, "state"),
    ({"date": "25.11.2026"}, "date"), ({"profile_url": "https://evil.example/in/a"}, "profile_url"),
    ({"kind": "poem"}, "kind"), ({"locale": "xx"}, "locale"), ({"reason_preset": "nope"}, "reason_preset"),
    ({"name": ""}, "name"), ({"reason": None, "reason_preset": None}, "reason"),
])
def test_api_bad_field_is_422_with_the_cli_message(web: TestClient, change: dict[str, Any], field: str) -> None:
    body = {"name": "Anna", "email": "anna@example.org", "country": "FR", "reason_preset": "safety", **change}
    argv = ["letter"]
    for key, value in body.items():
        if value is not None:
            argv += [f"--{key.replace('_', '-')}", value]
    r = web.post("/api/v1/letter", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == field
    if field == "kind":  # argparse refuses it before objector's own check
        assert r.json()["message"].startswith("unknown letter kind 'poem'")
        return
    status, _, err = cli(*argv)
    assert status == 2
    assert err.strip() == f"objector: error: {field}: {r.json()['message']}"


def test_api_refuses_unknown_keys_and_wrong_types(web: TestClient) -> None:
    r = web.post("/api/v1/letter", json={"name": "A", "email": "a@example.org", "country": "DE", "evil": 1})
    assert r.status_code == 422 and r.json()["field"] == "evil"
    r = web.post("/api/v1/letter", json={"name": ["A"], "email": "a@example.org", "country": "DE"})
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = web.post("/api/v1/decision", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = web.post("/api/v1/decision", json={"country": "DE", "on": "2026-02-30"})
    assert r.status_code == 422 and r.json() == {
        "error": "on: '2026-02-30' is not a valid date (use YYYY-MM-DD)", "field": "on",
        "message": "'2026-02-30' is not a valid date (use YYYY-MM-DD)"}


def test_openapi_schema_describes_the_api(web: TestClient) -> None:
    schema = web.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {"/api/v1/decision", "/api/v1/letter"}
    letter = schema["components"]["schemas"]["LetterRequest"]["properties"]
    assert set(letter) == {"name", "email", "country", "state", "address", "profile_url", "reason",
                           "reason_preset", "no_grounds", "kind", "date", "locale", "format"}
    assert set(schema["components"]["schemas"]["DecisionRequest"]["properties"]) == {"country", "state", "on",
                                                                                     "locale"}


# --- the PDF pool -----------------------------------------------------------------------------

def test_full_pool_answers_503_with_retry_after() -> None:
    with client(queue=0) as c:
        pool = c.app.app.state.web.pool  # type: ignore[attr-defined]
        pool.busy = pool.capacity
        r = c.post("/api/v1/letter", json={"name": "A", "email": "a@example.org", "country": "DE",
                                           "no_grounds": True, "format": "pdf"})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        page = c.post("/en/download", data={**ANNA, "format": "pdf"})
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        # Formats without a PDF do not wait for the pool.
        assert c.post("/en/download", data={**ANNA, "format": "text"}).status_code == 200
        pool.busy = 0
        assert c.post("/en/download", data={**ANNA, "format": "pdf"}).status_code == 200


def test_worker_processes_render_and_bound_the_queue() -> None:
    async def scenario() -> tuple[bytes, bool, bool]:
        pool = PDFPool(workers=1, queue=0, timeout=60)
        try:
            fields = {"name": "Anna", "email": "anna@example.org", "country": "DE", "state": None,
                      "address": [], "profile_url": None, "reason": None, "reason_preset": "safety",
                      "no_grounds": False, "kind": None, "date": None, "locale": None}
            pdfs = await pool.pdfs(fields, "2026-11-25")
            slow = asyncio.ensure_future(pool.run(time.sleep, 1.0))
            await asyncio.sleep(0.05)
            try:
                await pool.run(time.sleep, 0)
                refused = False
            except Busy:
                refused = True
            await slow
            await pool.run(time.sleep, 0)  # the slot is free again
            return pdfs["letter.pdf"], refused, pool.busy == 0
        finally:
            pool.stop()

    pdf, refused, freed = asyncio.run(scenario())
    assert pdf.startswith(b"%PDF") and refused and freed


# --- the command ------------------------------------------------------------------------------

def test_serve_prints_the_url_and_serves(tmp_path: Path) -> None:
    import urllib.request

    with subprocess.Popen([sys.executable, "-m", "objector", "serve", "--port", "0", "--workers", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
            for _ in range(100):
                try:
                    with urllib.request.urlopen(url + "healthz", timeout=5) as r:
                        assert r.read() == b"ok\n"
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("the server did not answer")
        finally:
            proc.terminate()
            log = proc.communicate(timeout=20)[1]
    assert re.search(r"GET /healthz 200 \d+\.\dms", log)


def test_serve_refuses_to_be_hosted_without_a_host_name() -> None:
    status, _, err = cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert status == 2
    assert "objector: error: allowed_host: serving on 0.0.0.0" in err


def test_hostile_campaign_template_stops_the_server(tmp_path: Path) -> None:
    (tmp_path / "tpl" / "letter").mkdir(parents=True)
    (tmp_path / "tpl" / "letter" / "body.txt.jinja").write_text("Hello\n{{ ''.__class__.__mro__ }}\n")
    (tmp_path / "c.toml").write_text('name = "Test"\ntemplates = "tpl"\nno_grounds = true\n')
    status, out, err = cli("serve", "--campaign", str(tmp_path / "c.toml"), "--port", "0")
    assert status == 2 and out == ""
    assert "body.txt.jinja, line 2" in err


def test_campaign_mode(tmp_path: Path) -> None:
    from objector.campaign import load_campaign

    (tmp_path / "c.toml").write_text(
        'name = "Privacy Now"\nno_grounds = true\n'
        '[organisation]\nname = "Privacy Now e.V."\nemail = "info@privacy-now.example"\n'
        'website = "https://privacy-now.example"\n'
        '[representation]\narticle_80 = true\nnot_for_profit = true\n'
        '[extra_paragraphs]\n"*" = ["We stand together against AI training."]\n')
    campaign = load_campaign(tmp_path / "c.toml")
    with client(campaign=campaign) as c:
        page = c.get("/en/")
        assert "Privacy Now" in page.text and "info@privacy-now.example" in page.text
        data = {k: v for k, v in ANNA.items() if k != "reason_preset"}
        letter = c.post("/en/letter", data=data)
        assert "We stand together against AI training." in letter.text
        assert 'value="mandate"' in letter.text
        mandate = c.post("/en/download", data={**data, "format": "mandate"})
        assert mandate.status_code == 200 and mandate.content.startswith(b"%PDF")
        bundle = zipfile.ZipFile(io.BytesIO(c.post("/en/download", data={**data, "format": "zip"}).content))
        assert any(n.endswith("/mandate.pdf") for n in bundle.namelist())


def test_text_path_does_not_import_the_server() -> None:
    code = ("import sys, io; from objector.cli import main; "
            "main(['letter','--name','A','--email','a@example.org','--country','US','--state','CA'], "
            "stdout=io.StringIO()); "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'objector.web') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
