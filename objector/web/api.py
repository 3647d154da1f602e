"""The JSON API (``/api/v1``): a decision, or a letter in any format, from the command line's option names."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..decision import decide, parse_date
from ..errors import GroundsRequired, InputError, ObjectorError
from ..i18n import ui_locale
from .letters import LETTER_FORMATS, MEDIA_TYPES, LetterFields, attachment, build_letter, file_name
from .pdfpool import Busy

RETRY_AFTER = "5"


class DecisionRequest(BaseModel):
    """``objector explain``'s options."""

    model_config = ConfigDict(extra="forbid")

    country: str = Field(description="ISO country code, e.g. DE, GB, US")
    state: str | None = Field(None, description="state or province (required for US, e.g. CA; QC for Quebec)")
    on: str | None = Field(None, description="the date to decide for, YYYY-MM-DD (default: today)")
    locale: str | None = Field(None, description="language of the reasoning (default: en)")


class LetterRequest(BaseModel):
    """``objector letter``'s options."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="your full name")
    email: str = Field(description="the e-mail address of your LinkedIn account")
    country: str = Field(description="ISO country code where you live, e.g. FR")
    state: str | None = Field(None, description="state or province (required for US)")
    address: list[str] | None = Field(None, description="the lines of your postal address")
    profile_url: str | None = Field(None, description="your LinkedIn profile URL")
    reason: str | None = Field(None, description="grounds relating to your particular situation (GDPR Art. 21(1))")
    reason_preset: str | None = Field(None, description="an example reason (see 'objector reasons')")
    no_grounds: bool = Field(False, description="write an Art. 21(1) objection without personal grounds")
    kind: str | None = Field(None, description="letter kind: auto (the default), objection, erasure, "
                                               "consent-withdrawal, opt-out")
    date: str | None = Field(None, description="the letter date, YYYY-MM-DD (default: today)")
    locale: str | None = Field(None, description="letter language, e.g. de, fr_CA (default: your country's)")
    format: Literal["text", "eml", "pdf", "html", "ics", "howto", "json", "zip"] = Field(
        "text", description="the output format; zip holds every format")


class ErrorBody(BaseModel):
    """A refused request: the field and the command line's message for it."""

    error: str
    field: str
    message: str


def _error(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": f"{field}: {message}", "field": field, "message": message}, status,
                        headers=headers)


def install(app: FastAPI, state: Any) -> None:
    """Add the API routes and the error mapping (a bad field is a 422 naming it, never a 500)."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p != "body"]
        field = loc[0] if loc else "body"
        message = str(first.get("msg", "invalid"))
        if first.get("type") == "json_invalid":
            field, message = "body", "is not valid JSON"
        elif first.get("type") == "extra_forbidden":
            message = "is not an option (see the OpenAPI schema at /api/v1/openapi.json)"
        elif first.get("type") == "missing":
            message = "is required"
        return _error(422, field, message)

    responses: dict[int | str, dict[str, Any]] = {
        422: {"model": ErrorBody, "description": "a field is invalid; the message is the command line's"},
    }

    @app.post("/api/v1/decision", responses=responses, summary="Which law applies, and what to do")
    async def decision(body: DecisionRequest) -> Response:
        """What ``objector explain --json`` prints."""
        try:
            on = parse_date(body.on, "on") if body.on is not None else dt.date.today()
            locale = ui_locale(body.locale) if body.locale else "en"
            d = decide(body.country, body.state, on)
        except InputError as exc:
            return _error(422, exc.field, exc.message)
        return Response(json.dumps(d.to_json(locale), ensure_ascii=False), media_type="application/json")

    letter_responses: dict[int | str, dict[str, Any]] = {
        **responses,
        200: {"description": "the letter in the format asked for",
              "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in LETTER_FORMATS}},
        503: {"model": ErrorBody, "description": "every PDF worker is busy; retry after Retry-After seconds"},
    }

    @app.post("/api/v1/letter", responses=letter_responses, response_class=Response,
              summary="The letter in one format")
    async def letter(body: LetterRequest) -> Response:
        """What ``objector letter --format FORMAT`` writes (``zip``: every format, as ``--format all``)."""
        from .pages import letter_file

        try:
            f = LetterFields(name=body.name, email=body.email, country=body.country, state=body.state,
                             address=tuple(body.address or ()), profile_url=body.profile_url, reason=body.reason,
                             reason_preset=body.reason_preset, no_grounds=body.no_grounds, kind=body.kind,
                             date=body.date, locale=body.locale).checked()
            letter = build_letter(f, state.campaign, state.today())
        except GroundsRequired as exc:
            return _error(422, "reason", str(exc).removeprefix("reason: "))
        except InputError as exc:
            return _error(422, exc.field, exc.message)
        except ObjectorError as exc:  # a campaign template that fails on this person's values
            return _error(422, "campaign", str(exc))
        try:
            data = await letter_file(state, letter, f, body.format)
        except Busy:
            return _error(503, "format", "every PDF worker is busy; try again shortly",
                          {"Retry-After": RETRY_AFTER})
        return Response(data, media_type=MEDIA_TYPES[body.format],
                        headers={"Content-Disposition": attachment(file_name(letter, body.format))})
