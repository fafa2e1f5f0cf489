"""What every front end needs around a dispatch, in one place for Slack, Teams and the console.

An adapter turns its payload into a `Request`, hands it to its `Responder`, and renders the
`Reply` it gets back; it keeps nothing else. The responder owns:

- **metrics**: every command is counted by platform, command and outcome, with its duration
  (horch_commands_total, horch_command_seconds), and every answer by how it was delivered
  (horch_posts_total{kind="answer"});
- **the deadline**: a handler still busy after `deadline` seconds (a model drafting) gets
  the platform's "working…" notice, and its answer is either awaited (Slack: the ack went
  out long ago) or posted later in the background (Teams: the turn must end);
- **retry with a Try again button**: an answer the platform keeps refusing is tried again
  for `patience.answer` seconds (bot.patience), then replaced by a notice with a Try again
  button (`failure_notice`), tried for `patience.notice` seconds more, else counted as lost;
- **the concurrency limit**: work after an ack (`spawn`) runs at most `concurrency` at a
  time; a job still running after `hold` seconds waits on a model or the network, not the
  CPU, and gives its slot up, so slow drafts never hold up quick commands. The tasks are
  kept, so shutting down lets them finish (`drain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot.patience import Patience, count_answer, deliver_or_notify, failure_notice
from core.i18n import Translator
from core.metrics import COMMAND_SECONDS, COMMANDS
from core.reply import Reply, Request
from handlers.context import Services
from handlers.dispatch import command_label, dispatch_outcome
from handlers.registry import Registry

log = logging.getLogger(__name__)
# Requests worked on at once after an ack; more wait their turn (see Responder.spawn).
CONCURRENCY = 4
HOLD_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 5.0

Send = Callable[[], Awaitable[object]]


class Responder:
    """Dispatches a front end's requests and sees their answers delivered.

    One per front end (`platform` is the metrics label: slack, teams, console). `deadline`
    is how long a handler may take before "working…" (None: never, as in the console)."""

    def __init__(
        self,
        services: Services,
        platform: str,
        *,
        deadline: float | None = None,
        patience: Patience | None = None,
        registry: Registry | None = None,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.services = services
        self.platform = platform
        self.deadline = deadline
        self.patience = patience or Patience()
        self.registry = registry
        self.concurrency = concurrency
        self.hold = HOLD_SECONDS
        self.tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None

    async def answer(self, request: Request) -> Reply:
        """Dispatch `request` and count it: horch_commands_total by platform, command and
        outcome, and horch_command_seconds. Each command is counted once, whatever its
        platform; a request that the Try again button runs again is counted as that click."""
        registry = self.registry if self.registry is not None else self.services.registry
        label = command_label(registry, request)
        started = time.monotonic()
        outcome = "cancelled"
        try:
            reply, outcome = await dispatch_outcome(registry, self.services, request)
        finally:
            COMMANDS.labels(self.platform, label, outcome).inc()
            COMMAND_SECONDS.labels(self.platform, label).observe(time.monotonic() - started)
        return reply

    async def respond(
        self,
        request: Request,
        *,
        working: Send | None = None,
        later: Callable[[Reply], Awaitable[None]] | None = None,
        what: str = "a slow command",
    ) -> Reply | None:
        """`answer(request)` within the deadline. Past it, `working()` says so (if given);
        then, with `later`, the answer is handed to `later` in the background and None is
        returned; without, it is awaited and returned."""
        if self.deadline is None:
            return await self.answer(request)
        task = asyncio.ensure_future(self.answer(request))
        done, _ = await asyncio.wait({task}, timeout=self.deadline)
        if task in done:
            return task.result()
        if working is not None:
            await working()
        if later is None:
            return await task

        async def finish() -> None:
            await later(await task)

        self.spawn(finish(), what, bounded=False)
        return None

    async def deliver(
        self,
        send: Send,
        notice: Callable[[Reply], Awaitable[object]],
        *,
        passing: Callable[[BaseException], bool],
        t: Translator,
        request: Request | None,
        what: str,
    ) -> None:
        """Deliver an answer with `send`, trying again while the platform's refusals are
        `passing`; if it cannot go out in time, `notice` gets the failure notice (with its
        Try again button) to render and post. Counted either way (bot.patience)."""
        await deliver_or_notify(
            send,
            lambda: notice(failure_notice(t, request)),
            platform=self.platform,
            passing=passing,
            patience=self.patience,
            what=what,
        )

    async def post(self, send: Send) -> None:
        """Post an answer once, in the request's own turn (no retry); counted as delivered."""
        await send()
        count_answer(self.platform, "ok")

    def spawn(
        self, work: Coroutine[Any, Any, None], what: str = "a request", *, bounded: bool = True
    ) -> asyncio.Task[None]:
        """Run `work` after the ack (or the turn); the task is kept until it is done, and a
        failure is logged, never lost. `bounded` work waits for one of `concurrency` slots
        (the rest is already dispatched and only finishes)."""
        runner = self._bounded(work) if bounded else work
        task = asyncio.create_task(self._logged(runner, what), name=f"{self.platform}: {what}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _logged(self, work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: %s failed", self.platform, what)

    async def _bounded(self, work: Coroutine[Any, Any, None]) -> None:
        # At most `concurrency` requests are worked on at once; the rest wait parked, so a
        # burst cannot crowd the event loop (and the acks of the requests behind it).
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        task: asyncio.Future[None] | None = None
        holding = False
        try:
            await self._slots.acquire()
            holding = True
            task = asyncio.ensure_future(work)
            done, _ = await asyncio.wait({task}, timeout=self.hold)
            if not done:
                self._slots.release()
                holding = False
            await task
        finally:
            if holding:
                self._slots.release()
            if task is None:
                work.close()  # cancelled while waiting its turn (shutdown)
            elif not task.done():
                task.cancel()

    async def drain(self, timeout: float | None = SHUTDOWN_GRACE_SECONDS) -> None:
        """Let running work finish (tests, shutdown), including work it starts; cancel what
        is left after `timeout` seconds (None: wait as long as it takes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.tasks:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            _, pending = await asyncio.wait(set(self.tasks), timeout=left)
            if pending and deadline is not None and time.monotonic() >= deadline:
                for task in pending:
                    task.cancel()
                for task in pending:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                return
