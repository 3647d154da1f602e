"""The FastAPI application: the journey's pages, the JSON API, static assets, strict headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..resources import templates_dir
from .pdfpool import PDFPool
from .security import LOOPBACK_NAMES, MAX_BODY, Guard, is_loopback


@dataclass(frozen=True)
class WebConfig:
    """How the server runs (``objector serve``'s options)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    queue: int = 4
    root_path: str = ""
    allowed_hosts: tuple[str, ...] = ()
    campaign: Any = None  # objector.campaign.Campaign
    max_body: int = MAX_BODY
    pdf_timeout: float = 60.0

    @property
    def hosted(self) -> bool:
        """Bound to an address other people can reach (not loopback)."""
        return not is_loopback(self.host)

    @property
    def host_names(self) -> tuple[str, ...]:
        """The names the Host header may carry."""
        return self.allowed_hosts if self.hosted else (*LOOPBACK_NAMES, *self.allowed_hosts)


@dataclass
class WebState:
    """What every request handler reads: the configuration and the PDF pool (nothing about people)."""

    config: WebConfig
    pool: PDFPool

    @property
    def campaign(self) -> Any:
        return self.config.campaign

    def today(self) -> dt.date:
        return dt.date.today()


def create_app(config: WebConfig | None = None) -> Guard:
    """The whole application, wrapped in the guard that sets headers and refuses what it must."""
    config = config or WebConfig()
    state = WebState(config, PDFPool(config.workers, config.queue, config.campaign, config.pdf_timeout))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.pool.start()
        try:
            yield
        finally:
            state.pool.stop()

    app = FastAPI(title="objector", version=_version(), openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan, root_path=config.root_path,
                  description="Letters that stop LinkedIn from using your data to train AI. The JSON "
                              "bodies use the command line's option names.")
    app.state.web = state
    from .api import install as install_api
    from .pages import install as install_pages

    install_api(app, state)
    install_pages(app, state)
    app.mount("/static", StaticFiles(directory=str(templates_dir() / "web" / "static")), name="static")
    return Guard(app, config.host_names, config.max_body)


def _version() -> str:
    from .. import __version__

    return __version__
