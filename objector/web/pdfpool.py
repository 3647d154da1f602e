"""PDFs for the web page: a bounded pool of worker processes, each with one FontConfiguration."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import ObjectorError

# Per worker process: the campaign (if any) and the one renderer whose font
# configuration every PDF of that process shares (flat memory, as in a batch).
_campaign: Any = None
_renderer: Any = None


class Busy(ObjectorError):
    """Every worker is rendering and the short queue is full: try again shortly."""


def _init(campaign_path: str | None) -> None:
    global _campaign, _renderer
    from ..output.pdf import PDFRenderer

    _renderer = PDFRenderer()
    if campaign_path is not None:
        from ..campaign import load_campaign

        _campaign = load_campaign(Path(campaign_path))


def _warm() -> int:
    return os.getpid()


def render_pdfs(fields: dict[str, Any], today: str, campaign: Any = None) -> dict[str, bytes]:
    """In a worker: the letter's PDF (``letter.pdf``) and, for a campaign, its mandate files.

    The worker builds the letter again from the validated fields: a few milliseconds,
    and plain data crosses the process boundary rather than the whole decision.
    """
    import datetime as dt

    from ..batch import render_files
    from .letters import LetterFields, build_letter

    global _renderer
    if _renderer is None:  # in-process use (no pool): the module's own renderer
        from ..output.pdf import PDFRenderer

        _renderer = PDFRenderer()
    f = LetterFields(**{**fields, "address": tuple(fields["address"])})
    c = campaign if campaign is not None else _campaign
    letter = build_letter(f, c, dt.date.fromisoformat(today))
    return render_files(letter, ("pdf",), _renderer, campaign=c)


class PDFPool:
    """At most ``workers`` renders at once and ``queue`` waiting; beyond that :class:`Busy`.

    ``workers=0`` renders in a thread of this process (for tests and tiny set-ups),
    with the same bound of one render plus the queue. A render that takes longer
    than ``timeout`` seconds is answered as busy; its slot frees when it ends.
    """

    def __init__(self, workers: int, queue: int, campaign: Any = None, timeout: float = 60.0) -> None:
        self.workers = workers
        self.capacity = max(workers, 1) + queue
        self.timeout = timeout
        self.campaign = campaign
        self.campaign_path = str(campaign.path) if campaign is not None else None
        self.busy = 0
        self.executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes and load each one's fonts in the background."""
        if self.workers == 0 or self.executor is not None:
            return
        # spawn, not fork: the server's threads and event loop must not be copied.
        self.executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_init, initargs=(self.campaign_path,))
        for _ in range(self.workers):
            self.executor.submit(_warm)

    def stop(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    async def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in a worker; Busy when the pool and its queue are full or it times out."""
        if self.busy >= self.capacity:
            raise Busy("every PDF worker is busy")
        self.busy += 1
        loop = asyncio.get_running_loop()
        if self.executor is None and self.workers > 0:
            self.start()
        if self.executor is not None:
            future: Future[Any] = self.executor.submit(func, *args)
        else:
            future = Future()
            loop.run_in_executor(None, _fill, future, func, args)
        # The slot frees when the work ends, not when a waiter gives up: the bound stays true.
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), self.timeout)
        except TimeoutError:
            raise Busy("the PDF took too long") from None

    def _release(self) -> None:
        self.busy -= 1

    async def pdfs(self, fields: dict[str, Any], today: str) -> dict[str, bytes]:
        # In a worker the campaign is the one it loaded; in this process, ours.
        args = (fields, today) if self.workers else (fields, today, self.campaign)
        result: dict[str, bytes] = await self.run(render_pdfs, *args)
        return result


def _fill(future: Future[Any], func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        future.set_result(func(*args))
    except BaseException as exc:  # handed to the waiting request, which reports it
        future.set_exception(exc)
