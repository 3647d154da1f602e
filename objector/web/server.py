"""``objector serve``: check the options and the campaign, bind, print the URL, run uvicorn."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from .app import WebConfig, create_app


def check_campaign(campaign: Any) -> None:
    """Compile the campaign's templates and render a sample letter, as ``objector batch`` does:
    a hostile template stops the server before it starts, naming the template and line."""
    from ..letter import compose
    from ..person import Person

    sample = Person.create("Sample Member", "member@example.org", "DE")
    campaign.check_templates(lambda: campaign.render_html(
        compose(sample, campaign.kind, on=dt.date.today(), locale=campaign.spec.locale, allow_no_grounds=True,
                extra_paragraphs=campaign.extra_paragraphs, templates=campaign.environment)))


def config_from(host: str, port: int, workers: int | None, root_path: str, allowed_hosts: list[str] | None,
                campaign_file: str | None) -> WebConfig:
    """The configuration, or InputError naming the option that is wrong."""
    import os

    if not 0 <= port <= 65535:
        raise InputError("port", "must be between 0 and 65535")
    count = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if not 0 <= count <= 64:
        raise InputError("workers", "must be between 0 and 64")
    if root_path and (not root_path.startswith("/") or root_path.endswith("/") or "//" in root_path):
        raise InputError("root_path", "must start with '/' and not end with one, e.g. /objector")
    campaign = None
    if campaign_file:
        from ..campaign import load_campaign

        campaign = load_campaign(Path(campaign_file))
        check_campaign(campaign)
    config = WebConfig(host=host, port=port, workers=count, queue=max(4, count * 4), root_path=root_path,
                       allowed_hosts=tuple(allowed_hosts or ()), campaign=campaign)
    if config.hosted and not config.allowed_hosts:
        raise InputError("allowed_host", f"serving on {host} makes the page reachable by others: name the host "
                         "name people use with --allowed-host NAME (e.g. --allowed-host objector.example.org)")
    return config


def serve(config: WebConfig, out: IO[str], err: IO[str], open_browser: bool = False) -> int:
    """Run until interrupted; prints the URL first. Returns the exit status."""
    import uvicorn

    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise InputError("port", f"cannot listen on {config.host}:{config.port} ({exc.strerror or exc})") from None
    sock.listen(128)
    port = sock.getsockname()[1]
    shown = f"[{config.host}]" if family == socket.AF_INET6 else config.host
    url = f"http://{shown}:{port}{config.root_path}/"
    out.write(f"{url}\n")
    out.flush()
    err.write("objector: serving the letter page (it keeps nothing about anyone); press Ctrl+C to stop\n")
    _access_log(err)
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(
        app, access_log=False, server_header=False, proxy_headers=False, log_level="warning",
        timeout_keep_alive=5, timeout_graceful_shutdown=10, limit_concurrency=256, lifespan="on"))
    if open_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    server.run(sockets=[sock])
    return 0


def _access_log(stream: IO[str]) -> None:
    """Our access log (method, path, status, time) on stderr; uvicorn's own, which prints
    query strings and client addresses, stays off."""
    log = logging.getLogger("objector.web.access")
    if not log.handlers:
        handler = logging.StreamHandler(stream if stream is not sys.stderr else sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
