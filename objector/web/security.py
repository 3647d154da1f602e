"""Every response's headers, the Host and Origin checks, the body limit, and the access log."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024
# A client that has not sent its whole (small) body by then is holding a slot.
BODY_TIMEOUT = 10.0

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                            b"interest-cohort=(), browsing-topics=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

access_log = logging.getLogger("objector.web.access")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def _host_name(value: str) -> str:
    """The name in a Host header or origin's authority, without the port."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware around the whole app (pages, API, static files, errors).

    ``allowed_hosts`` are the names the Host header may carry (always including the
    loopback names when serving locally, which stops DNS rebinding: a foreign page
    whose name resolves to 127.0.0.1 sends its own name as Host).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...], max_body: int = MAX_BODY) -> None:
        self.app = app
        self.allowed = {_host_name(h) for h in allowed_hosts}
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        path = scope.get("path", "")
        method = scope.get("method", "")

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += HEADERS
                cache = b"public, max-age=3600" if _is_static(scope) and status == 200 else b"no-store"
                headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _plain(send_with_headers, *refusal)
                return
            if method in ("POST", "PUT", "PATCH"):
                body = await self._body(scope, receive)
                if isinstance(body, tuple):
                    await _plain(send_with_headers, *body)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_with_headers)
        finally:
            # Method, path (never the query), status and time: nothing about the person.
            access_log.info("%s %s %d %.1fms", method, path, status, (time.perf_counter() - started) * 1000)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _host_name(headers.get("host", ""))
        if host not in self.allowed:
            return 400, "This server does not answer to that host name."
        if scope.get("method") == "POST":
            fetch_site = headers.get("sec-fetch-site", "")
            origin = headers.get("origin")
            if fetch_site in ("cross-site", "same-site"):
                return 403, "Requests from other sites are refused."
            # With Referrer-Policy no-referrer a browser sends "Origin: null" for our own
            # forms; Sec-Fetch-Site (sent with it) tells those apart from another site's.
            if origin and origin != "null":
                authority = origin.partition("://")[2]
                if authority.lower() != headers.get("host", "").lower():
                    return 403, "Requests from other sites are refused."
            elif origin == "null" and fetch_site not in ("same-origin", "none"):
                return 403, "Requests from other sites are refused."
        return None

    async def _body(self, scope: Scope, receive: Receive) -> bytes | tuple[int, str]:
        for key, value in scope.get("headers", []):
            if key.lower() == b"content-length":
                try:
                    if int(value) > self.max_body:
                        return 413, f"The request is larger than {self.max_body // 1024} KB."
                except ValueError:
                    return 400, "Bad Content-Length."
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return 400, "The client went away."
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body:
                        return 413, f"The request is larger than {self.max_body // 1024} KB."
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            return 408, "The request took too long to arrive."
        return b"".join(chunks)


_OURS = {k for k, _ in HEADERS} | {b"cache-control"}


def _is_static(scope: Scope) -> bool:
    path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root):]  # behind a proxy's prefix (--root-path)
    return path.startswith("/static/") and scope.get("method") == "GET"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _plain(send: Send, status: int, message: str) -> None:
    """A refusal: JSON for the API, a line of text otherwise (both short and fixed)."""
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
