"""The journey, server-rendered: where you live, what applies, your details, your letter."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..decision import Decision, decide
from ..errors import GroundsRequired, InputError, ObjectorError
from . import ui
from .letters import (
    MEDIA_TYPES,
    LetterFields,
    attachment,
    build_letter,
    file_name,
    from_form,
    render_format,
    render_zip,
)
from .pdfpool import Busy

MAX_FORM_FIELDS = 64
RETRY_AFTER = "5"


class BadForm(Exception):
    """A body that is no form we sent (not UTF-8, too many fields)."""


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


async def _form(request: Request) -> list[tuple[str, str]]:
    body = await request.body()
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                         strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadForm from None


def install(app: FastAPI, state: Any) -> None:
    """Add the pages to ``app``."""

    def page(request: Request, locale: str, template: str, status: int = 200, switch: Any = None,
             **context: Any) -> HTMLResponse:
        base = _base(request)
        campaign = state.campaign
        html = ui.environment(locale).get_template(f"web/{template}.html.jinja").render(
            lang=ui.html_lang(locale), dir=ui.direction(locale), locale=locale, base=base,
            languages=[(code, ui.language_name(code)) for code in ui.ui_locales()],
            switch=switch or {"method": "get", "action": f"{base}/language", "carry": []},
            campaign=({"name": campaign.name, "footer": campaign.footer()} if campaign else None),
            errors=context.pop("errors", []), **context)
        return HTMLResponse(html, status_code=status)

    def post_switch(request: Request, step: str, carry: list[tuple[str, str]]) -> dict[str, Any]:
        """The language switch of a page reached by POST: it posts the same answers again."""
        return {"method": "post", "action": step, "carry": carry}

    def locale_of(lang: str, pairs: list[tuple[str, str]] | None = None) -> str | None:
        chosen = next((v for k, v in pairs or () if k == "ui"), None)
        return (ui.ui_locale_or_none(chosen) if chosen else None) or ui.ui_locale_or_none(lang)

    def not_found(request: Request) -> HTMLResponse:
        locale = ui.negotiate(request.headers.get("accept-language"))
        _ = ui.ui(locale).gettext
        return page(request, locale, "error", 404, heading=_("Page not found"), message="")

    def bad_form(request: Request, locale: str) -> HTMLResponse:
        _ = ui.ui(locale).gettext
        return page(request, locale, "error", 400, heading=_("Something went wrong"),
                    message=_("The form could not be read. Please start again."))

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        locale = ui.negotiate(request.headers.get("accept-language"))
        return RedirectResponse(f"{_base(request)}/{locale}/", 303, headers={"Vary": "Accept-Language"})

    @app.get("/healthz", include_in_schema=False)
    async def health() -> Response:
        return Response("ok\n", media_type="text/plain")

    @app.get("/language", include_in_schema=False)
    async def language(request: Request, to: str = "") -> Response:
        locale = ui.ui_locale_or_none(to) or ui.negotiate(request.headers.get("accept-language"))
        return RedirectResponse(f"{_base(request)}/{locale}/", 303)

    @app.get("/{lang}/", include_in_schema=False)
    async def where(request: Request, lang: str) -> Response:
        locale = ui.ui_locale_or_none(lang)
        if locale is None:
            return not_found(request)
        return place_page(request, locale)

    def place_page(request: Request, locale: str, country: str = "", errors: Any = (),
                   status: int = 200) -> HTMLResponse:
        return page(request, locale, "place", status, countries=ui.countries(locale), country=country,
                    errors=list(errors), action=f"{_base(request)}/{locale}/place")

    def state_page(request: Request, locale: str, country: str, chosen: str = "", errors: Any = (),
                   status: int = 200) -> HTMLResponse:
        carry = [("country", country)]
        return page(request, locale, "state", status, country=country,
                    country_name=dict(ui.countries(locale)).get(country, country),
                    states=ui.subdivisions(country), chosen=chosen, required=country == "US", errors=list(errors),
                    action=f"{_base(request)}/{locale}/place",
                    switch=post_switch(request, f"{_base(request)}/{locale}/place", [*carry, ("ask_state", "1")]))

    async def read_form(request: Request, lang: str) -> tuple[str, list[tuple[str, str]]] | Response:
        """The posted form and the interface language, or the page that says why not."""
        try:
            pairs = await _form(request)
        except BadForm:
            return bad_form(request, ui.ui_locale_or_none(lang) or "en")
        locale = locale_of(lang, pairs)
        if locale is None:
            return not_found(request)
        return locale, pairs

    @app.post("/{lang}/place", include_in_schema=False)
    async def place(request: Request, lang: str) -> Response:
        read = await read_form(request, lang)
        if isinstance(read, Response):
            return read
        locale, pairs = read
        form = dict(pairs)
        country = form.get("country", "").strip()
        _ = ui.ui(locale).gettext
        if not country:
            return place_page(request, locale, errors=[("country", _("Choose the country where you live."))],
                              status=422)
        try:
            from ..decision import normalise_country

            code = normalise_country(country[:20])
        except InputError as exc:
            return place_page(request, locale, country, [(exc.field, exc.message)], 422)
        state_given = "state" in form and "ask_state" not in form
        if ui.subdivisions(code) and not state_given:
            return state_page(request, locale, code, form.get("state", ""))
        try:
            decision = decide(code, form.get("state") or None, state.today())
        except InputError as exc:
            if exc.field == "state":
                message = _("Choose your state.") if not form.get("state") else exc.message
                return state_page(request, locale, code, form.get("state", ""), [("state", message)], 422)
            return place_page(request, locale, country, [(exc.field, exc.message)], 422)
        return decision_page(request, locale, decision)

    def decision_page(request: Request, locale: str, d: Decision) -> HTMLResponse:
        carry = [("country", d.country), *([("state", d.state)] if d.state else [])]
        base = _base(request)
        return page(request, locale, "decision", decision=ui.decision_view(d, locale), carry=carry,
                    action=f"{base}/{locale}/details",
                    switch=post_switch(request, f"{base}/{locale}/place", carry))

    def details_page(request: Request, locale: str, f: LetterFields, errors: list[tuple[str, str]] | None = None,
                     status: int = 200) -> HTMLResponse:
        base = _base(request)
        try:
            d: Decision | None = decide(f.country, f.state, state.today())
        except InputError:
            d = None
        kinds = ui.kind_names(locale)
        letter_kinds = [("", kinds["auto"])] + [(k, kinds[k]) for k in (d.letters if d else ())]
        from ..i18n import country_locales, is_letter_locale

        local = [c for c in country_locales(f.country, f.state) if is_letter_locale(c)] if d else []
        others = [c for c in ui.ui_locales() if c not in local]
        _ = ui.ui(locale).gettext
        letter_locales = [("", _("The language of the place where you live"))] + [
            (c, ui.language_name(c)) for c in (*local, *others)]
        carry = [("country", f.country), *([("state", f.state)] if f.state else [])]
        return page(request, locale, "details", status, f=f, address_text="\n".join(f.address),
                    reasons=ui.reasons(locale), kinds=letter_kinds, letter_locales=letter_locales,
                    errors=errors or [], carry=carry, action=f"{base}/{locale}/letter",
                    needs_grounds=bool(d and any(dem.needs_grounds for _, dem in d.demands())),
                    switch=post_switch(request, f"{base}/{locale}/details", f.as_pairs()))

    @app.post("/{lang}/details", include_in_schema=False)
    async def details(request: Request, lang: str) -> Response:
        try:
            pairs = await _form(request)
            f = from_form(pairs)
        except BadForm:
            return bad_form(request, ui.ui_locale_or_none(lang) or "en")
        except InputError as exc:
            f, errors = LetterFields(country=dict(pairs).get("country", "")[:20]), [(exc.field, exc.message)]
            return details_page(request, locale_of(lang, pairs) or "en", f, errors, 422)
        locale = locale_of(lang, pairs)
        if locale is None:
            return not_found(request)
        return details_page(request, locale, f)

    def field_error(locale: str, exc: ObjectorError) -> tuple[str, str]:
        _ = ui.ui(locale).gettext
        if isinstance(exc, GroundsRequired):
            return "reason", _(
                "An objection needs grounds relating to your particular situation: choose an example, write "
                "your own, or both.")
        if isinstance(exc, InputError):
            return exc.field, exc.message
        return "form", str(exc)

    async def letter_from(request: Request, lang: str) -> tuple[str, LetterFields, Any] | Response:
        read = await read_form(request, lang)
        if isinstance(read, Response):
            return read
        locale, pairs = read
        try:
            f = from_form(pairs)
        except InputError as exc:
            short = LetterFields(country=dict(pairs).get("country", "")[:20])
            return details_page(request, locale, short, [(exc.field, exc.message)], 422)
        try:
            letter = build_letter(f, state.campaign, state.today())
        except ObjectorError as exc:
            return details_page(request, locale, f, [field_error(locale, exc)], 422)
        return locale, f, letter

    @app.post("/{lang}/letter", include_in_schema=False)
    async def letter(request: Request, lang: str) -> Response:
        result = await letter_from(request, lang)
        if isinstance(result, Response):
            return result
        locale, f, letter = result
        base = _base(request)
        # The downloads carry the letter's date: the files match the preview even past midnight.
        carry = [(k, v) for k, v in f.as_pairs() if k != "date"] + [("date", letter.date.isoformat())]
        campaign = state.campaign
        mandate = bool(campaign and campaign.member_files(letter))
        return page(request, locale, "letter", view=ui.letter_view(letter, locale), carry=carry,
                    download=f"{base}/{locale}/download", back=f"{base}/{locale}/details", mandate=mandate,
                    switch=post_switch(request, f"{base}/{locale}/letter", carry))

    @app.post("/{lang}/download", include_in_schema=False)
    async def download(request: Request, lang: str) -> Response:
        result = await letter_from(request, lang)
        if isinstance(result, Response):
            return result
        locale, f, letter = result
        fmt = next((v for k, v in await _form(request) if k == "format"), "text")
        if fmt not in MEDIA_TYPES or (fmt == "mandate" and not state.campaign):
            fmt = "text"
        try:
            data = await letter_file(state, letter, f, fmt)
        except Busy:
            _ = ui.ui(locale).gettext
            response = page(request, locale, "error", 503, heading=_("Busy"),
                            message=_("Many letters are being written right now. Please try again in a "
                                      "few seconds."))
            response.headers["Retry-After"] = RETRY_AFTER
            return response
        return Response(data, media_type=MEDIA_TYPES[fmt],
                        headers={"Content-Disposition": attachment(file_name(letter, fmt))})


async def letter_file(state: Any, letter: Any, f: LetterFields, fmt: str) -> bytes:
    """One download of ``letter``; PDFs (also inside the .eml and .zip) come from the worker pool."""
    campaign = state.campaign
    if fmt in ("pdf", "eml", "zip", "mandate"):
        pdfs = await state.pool.pdfs(f.as_dict(), letter.date.isoformat())
        if fmt == "zip":
            return render_zip(letter, pdfs, campaign)
        if fmt == "mandate":
            return bytes(pdfs.get("mandate.pdf") or campaign.member_files(letter)["mandate.txt"])
        return render_format(letter, fmt, pdfs["letter.pdf"], campaign)
    return render_format(letter, fmt, None, campaign)
