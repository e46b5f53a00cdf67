"""The outbox's delivery worker: claims due messages and sends them through the adapter.

One worker runs in each app process (started and stopped with the app). It keeps Teams' limits
(per conversation and per app and tenant, sliding windows from settings), retries 412, 429, 502,
503 and 504, network errors and an app token that could not be had (TokenUnavailable, as a 503)
with Retry-After or exponential backoff with jitter, slows the whole worker after a 429 (as
Company Communicator's global throttle does), and dead-letters a message after its last attempt,
telling the secretariat at most once an hour.

A request the service refused posted nothing, so its place in the windows is given back: with one
request in ten refused, the limit still carries nine accepted messages in ten requests' time plus
the retries, instead of losing a tenth of it. The windows stay the ceiling; the 429s say if the
service counts otherwise, and each 429 pauses everything.

A worker leases only what the tenant's limits will let it send in the next moment (the budget of
`lease_ahead_seconds`, less what it holds waiting for a slot), so a `kill -9` leaves few messages
leased: only messages sent but not yet recorded can go twice, and they are among those few.

botbuilder raises the connector's errors inside `continue_conversation`, where they would go to
`on_turn_error` and be swallowed; the send callback here catches them and hands back an outcome.
A proactive send clears the continuation activity's id, or the SDK would make up a replyToId.

Updates in place are paced (issue 28): a conversation's updates go no faster than its windows'
sustained rate up to PACE_HORIZON_SECONDS (60 per 30 s: one each half second), not in bursts of
7 a second. A burst would spend the 30 seconds' budget in 15 and hold the card's next update,
the one with the final tally of a vote storm, for the rest of the window; paced, the outbox
coalesces what comes meanwhile (forum_ops/outbox/queue.py) and the newest goes at the next step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationParameters
from sqlalchemy.orm import Session

from bot.connector import TRANSIENT_ERRORS, Codec, ConnectorError, in_words
from bot.ordered_lock import OrderedLock
from bot.services import Doorbell, Services
from bot.settings import Settings
from bot.transports import Transport
from forum_ops.outbox import queue as outbox
from forum_ops.outbox.conversations import opened_place, remember_conversation
from forum_ops.outbox.queue import Claimed, Operation
from forum_ops.outbox.ratelimit import SlidingWindows, Throttle, Window

log = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 429, 502, 503, 504})
# Teams counts a message when it arrives; windows are kept this much wider for the journey.
LIMIT_MARGIN_SECONDS = 0.02
MAX_RETRY_AFTER_SECONDS = 3600.0
LATE_WAKE_CREDIT_SECONDS = 0.005
ONE_HOUR = timedelta(hours=1)
# Updates in place keep the sustained pace of the conversation's windows up to this long (an
# hour's window would slow a storm's updates to one each 2 s for no gain within the minute).
PACE_HORIZON_SECONDS = 60.0


def update_pace(windows: tuple[Window, ...]) -> tuple[Window, ...]:
    """One update per the slowest average spacing among windows up to the horizon."""
    spacings = [w.seconds / w.count for w in windows if w.seconds <= PACE_HORIZON_SECONDS]
    return (Window(1, max(spacings)),) if spacings else ()


@dataclass(frozen=True)
class DeliveryPolicy:
    per_conversation: tuple[Window, ...]
    per_tenant: tuple[Window, ...]
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    throttle_seconds: float
    tenant_burst: int
    count_refused: bool
    lease: timedelta
    poll_seconds: float
    # Messages leased at once: what the tenant's limits let go within `lease_ahead_seconds`
    # (a kill -9 can double only leased messages), never more than `batch`.
    lease_ahead_seconds: float = 0.5
    batch: int = 64  # messages in hand at most: claimed, waiting for limits or sending

    @staticmethod
    def from_settings(settings: Settings) -> DeliveryPolicy:
        return DeliveryPolicy(
            per_conversation=Window.parse(settings.forum_outbox_conversation_limits),
            per_tenant=Window.parse(settings.forum_outbox_tenant_limits),
            max_attempts=settings.forum_outbox_max_attempts,
            backoff_seconds=settings.forum_outbox_backoff_seconds,
            backoff_max_seconds=settings.forum_outbox_backoff_max_seconds,
            throttle_seconds=settings.forum_outbox_throttle_seconds,
            tenant_burst=settings.forum_outbox_tenant_burst,
            count_refused=settings.forum_outbox_count_refused,
            lease=timedelta(seconds=settings.forum_outbox_lease_seconds),
            poll_seconds=settings.forum_outbox_poll_seconds,
            lease_ahead_seconds=settings.forum_outbox_lease_ahead_seconds,
        )


@dataclass(frozen=True)
class Outcome:
    sent: bool
    activity_id: str | None = None
    status: int | None = None  # the connector's HTTP status when it refused
    retry_after: float | None = None
    error: str = ""
    opened: str | None = None  # the member's 1:1 chat, when this message opened it

    @property
    def retryable(self) -> bool:
        return not self.sent and (self.status is None or self.status in RETRYABLE)

    @property
    def refused(self) -> bool:
        """The service answered with an error status: nothing was posted. (A network error may
        have reached it; a bug may have stopped before or after the request.)"""
        return not self.sent and bool(self.status)


@dataclass(frozen=True)
class Later:
    """The limits would hold a message too long: give it back, due in `seconds`."""

    seconds: float


class OutboxWorker:
    def __init__(
        self,
        services: Services,
        adapter: Transport,
        codec: Codec,
        policy: DeliveryPolicy,
        doorbell: Doorbell,
        on_dead: Callable[[Session, Claimed, str, datetime], list[outbox.Outgoing]],
        rng: random.Random | None = None,
    ) -> None:
        self._services, self._adapter, self._codec = services, adapter, codec
        self._policy, self._doorbell, self._on_dead = policy, doorbell, on_dead
        self._random = rng or random.Random()  # noqa: S311 - jitter, not security
        self.owner = f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # The tenant's budget goes out smoothly, a few at a time (a burst of 50 arrives bunched
        # up); a conversation's few messages a second need no smoothing.
        self._conversations = SlidingWindows(policy.per_conversation, LIMIT_MARGIN_SECONDS)
        pace = update_pace(policy.per_conversation)
        self._updates = SlidingWindows(pace, LIMIT_MARGIN_SECONDS) if pace else None
        self._tenants = SlidingWindows(
            policy.per_tenant, LIMIT_MARGIN_SECONDS, burst=policy.tenant_burst
        )
        self._throttle = Throttle(policy.throttle_seconds, policy.backoff_max_seconds)
        self._released = asyncio.Event()
        self._tenant_turn = OrderedLock()
        self._queues: dict[str, list[Claimed]] = {}
        self._drains: dict[str, asyncio.Task[None]] = {}
        self._in_hand = 0  # claimed and not yet done with
        self._held: set[int] = set()  # their ids, never claimed again while in hand
        self._sending = 0  # of those, past their slot: being sent or recorded
        self._tenants_seen: set[str] = set()
        self._room = asyncio.Event()
        self._stopping = False

    # -- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Claim due messages whenever the limits will let more go in the next moment than are
        in hand; each conversation's messages go out in order from its own queue."""
        log.info("outbox.worker_started", extra={"owner": self.owner})
        while not self._stopping:
            room = self._room_now()
            if room <= 0:
                # woken when a message is done with, or when the windows have moved on
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._room.wait(), self._policy.lease_ahead_seconds)
                self._room.clear()
                continue
            try:
                claimed = await self._claim_into_queues(room)
            except Exception:
                log.exception("outbox.claim_failed")
                claimed = 0
            if not claimed and not self._stopping:
                await self._doorbell.wait(self._policy.poll_seconds)
        if self._drains:
            await asyncio.gather(*self._drains.values(), return_exceptions=True)

    def _room_now(self) -> int:
        """How many to claim now: the tenant's budget for the next `lease_ahead_seconds`, less the
        messages in hand still waiting for a slot (those being sent have counted already), within
        `batch`. One at least when nothing is in hand, so a full window never stalls the loop.
        The budget of the freest tenant seen (the forum serves one tenant in practice)."""
        now, policy = time.monotonic(), self._policy
        budget = max(
            self._tenants.budget(tenant, now, policy.lease_ahead_seconds, policy.batch)
            for tenant in self._tenants_seen or {""}
        )
        waiting = self._in_hand - self._sending
        room = min(policy.batch - self._in_hand, budget - waiting)
        return max(room, 1) if self._in_hand == 0 else room

    def stop(self) -> None:
        self._stopping = True
        self._doorbell.ring()
        self._room.set()

    async def _claim_into_queues(self, room: int) -> int:
        await self._respect_pause()
        batch, history = await self._services.run(self._claim, room)
        now_wall, now = self._services.clock.now(), time.monotonic()
        for conversation_id, sent_times in history.items():
            self._conversations.seed(
                conversation_id, [now - (now_wall - t).total_seconds() for t in sent_times]
            )
        for message in batch:
            self._held.add(message.id)
            self._queues.setdefault(message.conversation_id, []).append(message)
            self._tenants_seen.add(message.tenant_id)
            self._in_hand += 1
            if message.conversation_id not in self._drains:
                self._drains[message.conversation_id] = asyncio.create_task(
                    self._drain(message.conversation_id)
                )
        return len(batch)

    def _claim(self, room: int) -> tuple[list[Claimed], dict[str, list[datetime]]]:
        now = self._services.clock.now()
        with self._services.db.transaction() as session:
            batch = outbox.claim(
                session, self.owner, now, room, self._policy.lease, frozenset(self._held)
            )
            unknown = {
                m.conversation_id for m in batch if not self._conversations.known(m.conversation_id)
            }
            history = outbox.recent_sends(session, unknown, now - ONE_HOUR) if unknown else {}
        return batch, history

    async def _drain(self, conversation_id: str) -> None:
        """Deliver one conversation's queue in order. After a failure, or when the limits would
        hold the lease too long, what is left goes back to the outbox (a message being retried
        does not hold back the ones after it)."""
        queue = self._queues[conversation_id]
        try:
            while queue:
                message = queue[0]
                slot = await self._take_slot(message)
                if isinstance(slot, Later):
                    await self._give_back(queue, slot.seconds)
                    continue
                self._sending += 1
                try:
                    outcome = await self._send(message)
                    self._heed(message, slot, outcome)
                    retry_in = await self._services.run(self._record, message, outcome)
                finally:
                    self._sending -= 1
                if retry_in is not None:  # wake when it is due rather than at the next poll
                    asyncio.get_running_loop().call_later(retry_in, self._doorbell.ring)
                queue.pop(0)  # still `message`: claims only append
                self._done([message])
                if not outcome.sent and queue:
                    await self._give_back(queue, 0.0)
        except Exception:
            log.exception("outbox.drain_failed")  # their leases run out; they are sent again
            self._done(queue)
            queue.clear()
        finally:
            del self._queues[conversation_id]
            del self._drains[conversation_id]

    async def _give_back(self, queue: list[Claimed], wait: float) -> None:
        """Return a conversation's queued messages to the outbox, due after `wait` seconds.
        Taken off the queue before the await, so messages claimed meanwhile stay queued."""
        rest = queue[:]
        queue.clear()
        self._done(rest)
        await self._services.run(self._release, rest, wait)

    def _done(self, messages: list[Claimed]) -> None:
        self._in_hand -= len(messages)
        self._held.difference_update(m.id for m in messages)
        self._room.set()

    async def _take_slot(self, message: Claimed) -> float | Later:
        """Sleep until both limits allow one more and count it, returning the time it is
        counted at; or, if that would hold the lease too long, say when to try again."""
        longest_hold = self._policy.lease.total_seconds() / 3
        # This conversation's limits: only this task sends to it, so its wait is exact.
        now = time.monotonic()
        wait = self._conversations.wait(message.conversation_id, now)
        paced = self._updates if message.operation is Operation.UPDATE else None
        if paced is not None:
            wait = max(wait, paced.wait(message.conversation_id, now))
        if wait > longest_hold:
            return Later(wait)
        if wait > 0:
            await asyncio.sleep(wait)
        # The tenant's limit is shared by every conversation: take turns in the order messages
        # were written, so one task waits on the clock and the rest queue (no herd waking at
        # every tick), and a retry that falls due goes ahead of the messages written after it.
        # Opening a 1:1 chat is a request of its own before the message.
        async with self._tenant_turn.turn(message.id):
            slot = await self._tenant_slot(message.tenant_id, longest_hold)
            if message.operation is Operation.OPEN and not isinstance(slot, Later):
                slot = await self._tenant_slot(message.tenant_id, longest_hold)
            if isinstance(slot, Later):
                return slot
            self._conversations.record(message.conversation_id, slot)
            if paced is not None:
                paced.record(message.conversation_id, slot)
        return slot

    async def _tenant_slot(self, tenant_id: str, longest_hold: float) -> float | Later:
        allowed_at: float | None = None
        while True:
            await self._respect_pause()
            now = time.monotonic()
            wait = self._tenants.wait(tenant_id, now)
            if wait <= 0:
                break
            if wait > longest_hold:
                return Later(wait)
            # a refused request gives its place back: then look again at once
            released = await self._released_within(wait)
            allowed_at = None if released else now + wait
        # Count the message at the moment the limits allowed it rather than when this task
        # woke, so that small late wake-ups do not add up into a slower pace; but credit at
        # most LATE_WAKE_CREDIT, so that catching up after a real stall cannot bunch sends.
        sent_at = max(allowed_at, now - LATE_WAKE_CREDIT_SECONDS) if allowed_at is not None else now
        self._tenants.record(tenant_id, sent_at)
        return sent_at

    async def _released_within(self, seconds: float) -> bool:
        self._released.clear()
        try:
            await asyncio.wait_for(self._released.wait(), seconds)
        except TimeoutError:
            return False
        return True

    def _heed(self, message: Claimed, slot: float, outcome: Outcome) -> None:
        """What an answer says about the limits: a refused request gives its place back (it
        posted nothing), and a 429 slows the whole worker, not just this message."""
        if outcome.sent or not outcome.refused or self._policy.count_refused:
            # Teams counts a message when it arrives, which on a busy machine can be well after
            # its slot. Counting it from its answer (after it arrived) keeps the next one's
            # spacing however long this one took on its way: in its conversation, and in the
            # tenant's windows (a send delayed by more than the margin let the next two of
            # another conversation arrive within the second of it).
            answered = time.monotonic()
            self._conversations.move(message.conversation_id, slot, answered)
            if self._updates is not None:  # a no-op unless this was a paced update
                self._updates.move(message.conversation_id, slot, answered)
            self._tenants.move(message.tenant_id, slot, answered)
        if outcome.sent:
            self._throttle.accepted(slot)
            return
        if outcome.refused and not self._policy.count_refused:
            self._conversations.release(message.conversation_id, slot)
            if self._updates is not None:
                self._updates.release(message.conversation_id, slot)
            self._tenants.release(message.tenant_id, slot)
            self._released.set()
        if outcome.status == 429:
            retry_after = outcome.retry_after
            pause = self._throttle.refused(
                slot,
                time.monotonic(),
                None if retry_after is None else min(retry_after, MAX_RETRY_AFTER_SECONDS),
            )
            log.info("outbox.throttled", extra={"pause_seconds": round(pause, 3)})

    async def _respect_pause(self) -> None:
        while (pause := self._throttle.wait(time.monotonic())) > 0:  # noqa: ASYNC110 - a 429 may extend it
            await asyncio.sleep(pause)

    # -- one message -----------------------------------------------------------------------------

    async def _send(self, message: Claimed) -> Outcome:
        if message.operation is Operation.OPEN:
            return await self._open_and_send(message)
        reference_json = message.reference
        if message.operation is Operation.REPLY:
            if not message.target_activity_id:  # the message to reply under is not sent (yet)
                return Outcome(False, None, None, None, f"{message.target_key} is not sent yet")
            reference_json = threaded(reference_json, message.target_activity_id)
        reference = self._codec.load("ConversationReference", reference_json)
        result: list[Outcome] = []

        async def callback(turn_context: TurnContext) -> None:
            turn_context.activity.id = None  # else the SDK makes up a replyToId from it
            result.append(await self._guarded(message, self._operate(turn_context, message)))

        await self._adapter.continue_conversation(
            reference, callback, self._services.settings.microsoft_app_id or None
        )
        return result[0] if result else Outcome(False, None, 0, None, "the adapter ran no turn")

    async def _open_and_send(self, message: Claimed) -> Outcome:
        """Open the member's 1:1 chat (Teams hands back the existing one if there is one), then
        send the message there."""
        reference, tenant = message.reference, message.tenant_id
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=reference["bot"]["id"]),
            members=[ChannelAccount(id=reference["user"]["aadObjectId"])],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )
        result: list[Outcome] = []

        async def send(turn_context: TurnContext) -> Outcome:
            activity = self._codec.load("Activity", message.activity)
            activity.id = None
            response = await turn_context.send_activity(activity)
            opened = turn_context.activity.conversation.id
            return Outcome(True, getattr(response, "id", None), opened=opened)

        async def callback(turn_context: TurnContext) -> None:
            result.append(await self._guarded(message, send(turn_context)))

        opening = self._adapter.create_conversation(
            self._services.settings.microsoft_app_id or None,
            callback,
            parameters,
            reference.get("channelId", "msteams"),
            reference["serviceUrl"],
        )
        refused = await self._guarded(message, _no_outcome(opening))
        return result[0] if result else refused

    async def _guarded(self, message: Claimed, attempt: Awaitable[Outcome]) -> Outcome:
        """The attempt's outcome, with the connector's refusals and network errors as outcomes
        (inside a turn botbuilder would hand them to on_turn_error, where they are lost)."""
        try:
            return await attempt
        except ConnectorError as error:
            return Outcome(False, None, error.status, error.retry_after, in_words(error))
        except TRANSIENT_ERRORS as error:  # the network, getting a token or sending: retried
            return Outcome(False, None, None, None, in_words(error))
        except Exception as error:  # a bug or a bad payload: never retried
            log.exception("outbox.send_bug", extra={"purpose": message.purpose})
            return Outcome(False, None, 0, None, f"{type(error).__name__}: {error}")

    async def _operate(self, turn_context: TurnContext, message: Claimed) -> Outcome:
        if message.operation in (Operation.SEND, Operation.REPLY):
            activity = self._codec.load("Activity", message.activity)
            activity.id = None
            response = await turn_context.send_activity(activity)
            return Outcome(True, getattr(response, "id", None))
        if not message.target_activity_id:  # the message to change has not been sent (yet)
            return Outcome(False, None, None, None, f"{message.target_key} is not sent yet")
        if message.operation is Operation.UPDATE:
            activity = self._codec.load("Activity", message.activity)
            activity.id = message.target_activity_id
            await turn_context.update_activity(activity)
        else:
            await turn_context.delete_activity(message.target_activity_id)
        return Outcome(True, message.target_activity_id)

    # -- recording outcomes (in the executor) ----------------------------------------------------

    def _record(self, message: Claimed, outcome: Outcome) -> float | None:
        """Store the outcome; returns the retry's delay in seconds when one was scheduled."""
        now, policy = self._services.clock.now(), self._policy
        with self._services.db.transaction() as session:
            if outcome.sent:
                outbox.mark_sent(session, message.id, self.owner, now, outcome.activity_id)
                if outcome.opened:
                    remember_conversation(
                        session, opened_place(message.reference, outcome.opened), now
                    )
            elif not outcome.retryable:
                outbox.mark_failed(session, message.id, self.owner, now, outcome.error)
                log.warning(
                    "outbox.failed", extra={"purpose": message.purpose, "status": outcome.status}
                )
            elif message.attempts >= policy.max_attempts:
                error = f"{outcome.error} (after {message.attempts} attempts)"
                outbox.mark_dead(session, message.id, self.owner, now, error)
                outbox.enqueue_all(session, self._on_dead(session, message, error, now), now)
                log.warning(
                    "outbox.dead", extra={"purpose": message.purpose, "status": outcome.status}
                )
            else:
                delay = self._retry_delay(message.attempts, outcome)
                outbox.mark_retry(
                    session,
                    message.id,
                    self.owner,
                    now,
                    now + timedelta(seconds=delay),
                    outcome.error,
                )
                log.info(
                    "outbox.retry",
                    extra={
                        "purpose": message.purpose,
                        "status": outcome.status,
                        "delay_seconds": round(delay, 3),
                    },
                )
                return delay
        return None

    def _retry_delay(self, attempts: int, outcome: Outcome) -> float:
        if outcome.retry_after is not None:  # the service said when: honour it (within reason)
            return min(outcome.retry_after, MAX_RETRY_AFTER_SECONDS)
        # exponential, with full jitter: retries of messages refused together spread out
        ceiling = min(
            self._policy.backoff_max_seconds, self._policy.backoff_seconds * 2 ** (attempts - 1)
        )
        return self._random.uniform(0, ceiling)

    def _release(self, messages: list[Claimed], wait: float) -> None:
        now = self._services.clock.now()
        with self._services.db.transaction() as session:
            for message in messages:
                outbox.release(session, message.id, self.owner, now, now + timedelta(seconds=wait))


def threaded(reference: dict[str, Any], activity_id: str) -> dict[str, Any]:
    """A channel's reference pointed at one message's thread (Teams' `;messageid=` form); a
    chat has no threads, so its reference is kept."""
    conversation = dict(reference.get("conversation") or {})
    if conversation.get("conversationType") != "channel":
        return reference
    root = str(conversation.get("id", "")).split(";messageid=", 1)[0]
    return {**reference, "conversation": {**conversation, "id": f"{root};messageid={activity_id}"}}


async def _no_outcome(step: Awaitable[object]) -> Outcome:
    """A step whose success is reported elsewhere (by its callback): here only its errors count."""
    await step
    return Outcome(False, None, 0, None, "the adapter ran no turn")
