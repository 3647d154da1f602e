"""The Jinja environments: sandboxed, strict, autoescaped HTML, gettext per letter locale."""

from __future__ import annotations

from functools import cache
from typing import NoReturn

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import DataError
from .i18n import translations
from .resources import templates_dir


def _missing_paragraph(demand_id: str) -> NoReturn:
    raise DataError(f"template letter/demands.txt.jinja has no paragraph for demand {demand_id!r}")


@cache
def environment(locale: str) -> ImmutableSandboxedEnvironment:
    """One cached environment per letter locale (independent, so globals never leak).

    The sandbox keeps templates (ours, translators' and later campaigns') from
    reaching Python internals; StrictUndefined turns a typo into an error instead
    of an empty gap in a legal letter; only ``*.html.jinja`` is autoescaped.
    """
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html.jinja",), default_for_string=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["raise_missing"] = _missing_paragraph
    return env
