"""The test harness, shipped with the package so anyone extending the bot can use it.

- `FakeConnector`: a Bot Connector on loopback. It records what the bot sends, serves the member
  look-ups botbuilder makes, serves files sent to the bot and takes files the bot uploads to a
  member's OneDrive, can be told to fail the next calls (429/5xx with Retry-After), and
  publishes OpenID metadata and a signing key so tests can send properly signed (or forged) tokens.
- `FakeGraph`: a Microsoft Graph on loopback (users, calendar events with online meetings).
- `TokensAfterFailures`: app tokens that fail the first few times (an Entra ID outage).
- `BotClient`: posts Teams-shaped activities to a running app, rewritten to point at the fakes.
- `forumbot_serve` and `wait_healthy`: the real app as a separate process (crash and replica
  tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.auth import ISSUER


@dataclass
class Call:
    """One request the bot made to the fake connector."""

    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any] | None
    authorization: str | None = None
    peer: str = ""  # the bot's end of the TCP connection: shows whether connections are reused
    at: float = field(default_factory=time.monotonic)

    @property
    def cards(self) -> list[dict[str, Any]]:
        attachments = (self.body or {}).get("attachments") or []
        return [
            a["content"]
            for a in attachments
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass(frozen=True)
class Upload:
    """A file the bot PUT to an upload session (a member allowed a file consent card)."""

    session: str
    content_range: str | None
    body: bytes


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    code: str = "ServiceError"


def _peer(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return f"{peer[0]}:{peer[1]}" if peer else ""


def _signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _LoopbackServer:
    """An aiohttp app served on a free 127.0.0.1 port; `async with` starts and stops it."""

    def __init__(self) -> None:
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self._url = ""

    @property
    def url(self) -> str:
        assert self._url, "start the server first"
        return self._url

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


TEAMS_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))  # per conversation: count, seconds
TEAMS_APP_LIMITS = ((50, 1.0),)  # per app and tenant


@dataclass
class Attempt:
    """Every request to send, update or delete, whatever the answer."""

    method: str
    conversation_id: str
    status: int
    at: float


class FakeConnector(_LoopbackServer):
    KEY_ID = "fake-connector-key"
    OPENING = "create:"  # the conversation a create-conversation request is recorded under

    def __init__(
        self,
        *,
        endorsements: tuple[str, ...] = ("msteams", "emulator"),
        limits: tuple[tuple[int, float], ...] = (),
        app_limits: tuple[tuple[int, float], ...] = (),
        failure_rate: float = 0.0,
        seed: int = 0,
        latency: float = 0.0,
    ) -> None:
        """`limits` (e.g. TEAMS_LIMITS) are enforced per conversation and `app_limits` (e.g.
        TEAMS_APP_LIMITS) across all conversations: a message over any of them gets 429 and is
        counted in `breaches`. `failure_rate` answers that share of
        requests at random with 429 or 503 (seeded), as a busy service would. `latency` is how
        long each send, update or delete takes to answer (a slow service)."""
        super().__init__()
        self.calls: list[Call] = []
        self.attempts: list[Attempt] = []
        self.breaches = 0
        self.limits = limits
        self.app_limits = app_limits
        self.failure_rate = failure_rate
        self.latency = latency
        self._random = random.Random(seed)  # noqa: S311 - a fake's dice
        self._accepted: dict[str, list[float]] = {}
        self.members: dict[str, dict[str, Any]] = {}  # member id -> TeamsChannelAccount JSON
        self.failures: list[Failure] = []
        self.broken: dict[str, Failure] = {}
        self.endorsements = endorsements
        self._key = _signing_key()
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        conv = "/v3/conversations/{conversation}"
        self.app.router.add_post(conv + "/activities", self._send)
        self.app.router.add_post(conv + "/activities/{activity}", self._send)
        self.app.router.add_put(conv + "/activities/{activity}", self._update)
        self.app.router.add_delete(conv + "/activities/{activity}", self._delete)
        self.app.router.add_get(conv + "/members/{member}", self._member)
        self.app.router.add_get(conv + "/members", self._members)
        self.app.router.add_post("/v3/conversations", self._create_conversation)
        self.app.router.add_get("/.well-known/openidconfiguration", self._openid)
        self.app.router.add_get("/keys", self._jwks)
        self.files: dict[str, bytes] = {}
        self.downloads = 0
        self.app.router.add_get("/files/{token}", self._file)
        self.uploads: list[Upload] = []  # files the bot PUT into a member's "OneDrive"
        self.app.router.add_put("/uploads/{session}", self._upload)

    # -- what tests use ------------------------------------------------------------------------

    @property
    def service_url(self) -> str:
        return self.url + "/"

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openidconfiguration"

    def offer_file(self, body: bytes) -> str:
        """Serve a file as Teams does for an upload to the bot: at an unguessable download URL."""
        token = secrets.token_urlsafe(16)
        self.files[token] = body
        return f"{self.url}/files/{token}"

    def upload_info(self, name: str) -> dict[str, str]:
        """What Teams puts in a `fileConsent/invoke` when a member allows a file: an upload
        session in their OneDrive (here, on this fake) and where the file will be."""
        session = secrets.token_urlsafe(16)
        return {
            "contentUrl": f"{self.url}/onedrive/{name}",
            "fileType": name.rpartition(".")[2],
            "name": name,
            "uniqueId": session,
            "uploadUrl": f"{self.url}/uploads/{session}",
        }

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.uploads.append(
            Upload(request.match_info["session"], request.headers.get("Content-Range"), body)
        )
        return web.json_response({"id": request.match_info["session"]}, status=201)

    async def _file(self, request: web.Request) -> web.Response:
        self.downloads += 1
        body = self.files.get(request.match_info["token"])
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(body=body, content_type="application/octet-stream")

    def fail_next(self, count: int, status: int, retry_after: str | None = None) -> None:
        """Answer the next `count` requests, to whatever conversation, with `status`."""
        self.failures.extend(Failure(status, retry_after) for _ in range(count))

    def fail_conversation(self, conversation_id: str, status: int) -> None:
        """Answer every request to this conversation with `status`, until told otherwise."""
        self.broken[conversation_id] = Failure(status)

    def sent(self) -> list[Call]:
        """Messages the bot posted (new messages and replies), in order."""
        return [
            c
            for c in self.calls
            if c.method == "POST" and c.body is not None and c.body.get("type") == "message"
        ]

    def opened(self) -> list[dict[str, Any]]:
        """The bodies of requests to open a 1:1 chat (create conversation) that were accepted."""
        return [c.body for c in self.calls if c.conversation_id.startswith(self.OPENING) and c.body]

    def sent_cards(self) -> list[dict[str, Any]]:
        return [card for call in self.sent() for card in call.cards]

    async def wait_for_sent(self, count: int, within: float = 5.0) -> list[Call]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.sent()) >= count), within
            )
        return self.sent()

    def token(
        self,
        app_id: str,
        service_url: str | None = None,
        *,
        issuer: str = ISSUER,
        expires_in: int = 3600,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        """A Bot Framework channel token, signed by this connector's key unless told otherwise."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": app_id, "iat": now, "nbf": now, "exp": now + expires_in}
        if service_url:
            claims["serviceurl"] = service_url
        return jwt.encode(
            claims, key or self._key, algorithm="RS256", headers={"kid": kid or self.KEY_ID}
        )

    # -- the fake API --------------------------------------------------------------------------

    def _over_limit(self, conversation_id: str, now: float) -> bool:
        def over(accepted: list[float], limits: tuple[tuple[int, float], ...]) -> bool:
            return any(sum(1 for t in accepted if t > now - s) >= count for count, s in limits)

        everything = [t for times in self._accepted.values() for t in times]
        return over(self._accepted.get(conversation_id, []), self.limits) or over(
            everything, self.app_limits
        )

    async def _record(self, call: Call) -> web.Response | None:
        if self.latency:
            await asyncio.sleep(self.latency)
        now = time.monotonic()
        failure = self.broken.get(call.conversation_id) or (
            self.failures.pop(0) if self.failures else None
        )
        limited = self.limits or self.app_limits
        if failure is None and limited and self._over_limit(call.conversation_id, now):
            self.breaches += 1
            failure = Failure(429, "1", "TooManyRequests")
        if failure is None and self.failure_rate and self._random.random() < self.failure_rate:
            failure = Failure(self._random.choice((429, 503)), None, "Busy")
        self.attempts.append(
            Attempt(call.method, call.conversation_id, failure.status if failure else 200, now)
        )
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            body = {"error": {"code": failure.code, "message": f"fake failure {failure.status}"}}
            return web.json_response(body, status=failure.status, headers=headers)
        self._accepted.setdefault(call.conversation_id, []).append(now)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return None

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body = await request.json()
        assert isinstance(body, dict)
        return body

    async def _send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        conversation, reply_to = (
            request.match_info["conversation"],
            request.match_info.get("activity"),
        )
        call = Call(
            "POST",
            conversation,
            reply_to,
            body,
            request.headers.get("Authorization"),
            _peer(request),
        )
        failed = await self._record(call)
        return failed or web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        activity = request.match_info["activity"]
        call = Call(
            "PUT",
            request.match_info["conversation"],
            activity,
            body,
            request.headers.get("Authorization"),
        )
        failed = await self._record(call)
        return failed or web.json_response({"id": activity})

    async def _delete(self, request: web.Request) -> web.Response:
        call = Call(
            "DELETE", request.match_info["conversation"], request.match_info["activity"], None
        )
        return await self._record(call) or web.Response(status=200)

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            error = {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}}
            return web.json_response(error, status=404)
        return web.json_response(member)

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.members.values()))

    async def _create_conversation(self, request: web.Request) -> web.Response:
        """Opens a 1:1 chat: the same member always gets the same chat, as in Teams."""
        body = await self._body(request)
        member = str((body.get("members") or [{}])[0].get("id", ""))
        call = Call(
            "POST", f"{self.OPENING}{member}", None, body, request.headers.get("Authorization")
        )
        failed = await self._record(call)
        return failed or web.json_response(
            {"id": f"a:1to1-{member}", "activityId": None}, status=201
        )

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": self.url + "/keys"})

    async def _jwks(self, request: web.Request) -> web.Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update(kid=self.KEY_ID, use="sig", endorsements=list(self.endorsements))
        return web.json_response({"keys": [jwk]})


@dataclass
class GraphCall:
    """One change the bot asked of the fake Graph: create, update, cancel or delete."""

    method: str
    path: str
    body: dict[str, Any] | None


class FakeGraph(_LoopbackServer):
    """Enough of Microsoft Graph v1.0 for the forum: users, and calendar events with Teams
    meetings (create, update, cancel, delete), each change recorded in `changes`."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # as created
        self.changes: list[GraphCall] = []
        self._ids = itertools.count(1)
        self._failures: list[int] = []  # statuses to answer the next changes with
        self.app.router.add_get("/v1.0/users/{user}", self._user)
        self.app.router.add_post("/v1.0/groups/{group}/events", self._create_event)
        self.app.router.add_post("/v1.0/users/{user}/events", self._create_event)
        event = "/v1.0/users/{user}/events/{event}"
        self.app.router.add_patch(event, self._update_event)
        self.app.router.add_delete(event, self._delete_event)
        self.app.router.add_post(event + "/cancel", self._cancel_event)

    @property
    def base_url(self) -> str:
        return self.url + "/v1.0"

    def event(self, event_id: str) -> dict[str, Any] | None:
        return next((e for e in self.events if e["id"] == event_id), None)

    def fail_next(self, count: int, status: int) -> None:
        """Answer the next `count` changes with `status` (403, 429, 503...), as Graph may."""
        self._failures.extend([status] * count)

    def _failure(self) -> web.Response | None:
        if not self._failures:
            return None
        status = self._failures.pop(0)
        error = {"error": {"code": f"Http{status}", "message": "refused by the fake Graph"}}
        headers = {"Retry-After": "0"} if status in (429, 503) else None
        return web.json_response(error, status=status, headers=headers)

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["user"])
        if user is None:
            error = {"error": {"code": "Request_ResourceNotFound", "message": "no such user"}}
            return web.json_response(error, status=404)
        return web.json_response(user)

    def _not_found(self) -> web.Response:
        error = {"error": {"code": "ErrorItemNotFound", "message": "no such event"}}
        return web.json_response(error, status=404)

    async def _create_event(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.changes.append(GraphCall("POST", request.path, copy.deepcopy(body)))
        if (failed := self._failure()) is not None:
            return failed
        again = body.get("transactionId") and next(
            (e for e in self.events if e.get("transactionId") == body["transactionId"]), None
        )
        if again:  # Graph's transactionId: a retried create gives back the same event
            return web.json_response(again, status=201)
        event = {**body, "id": f"event-{next(self._ids)}"}
        if event.get("isOnlineMeeting"):
            event["onlineMeeting"] = {"joinUrl": f"{self.url}/meet/{event['id']}"}
        self.events.append(event)
        return web.json_response(event, status=201)

    async def _update_event(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.changes.append(GraphCall("PATCH", request.path, copy.deepcopy(body)))
        if (failed := self._failure()) is not None:
            return failed
        event = self.event(request.match_info["event"])
        if event is None:
            return self._not_found()
        event.update(body)
        return web.json_response(event)

    async def _cancel_event(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.changes.append(GraphCall("POST", request.path, copy.deepcopy(body)))
        event = self.event(request.match_info["event"])
        if event is None:
            return self._not_found()
        event["isCancelled"] = True
        return web.Response(status=202)

    async def _delete_event(self, request: web.Request) -> web.Response:
        self.changes.append(GraphCall("DELETE", request.path, None))
        event = self.event(request.match_info["event"])
        if event is None:
            return self._not_found()
        self.events.remove(event)
        return web.Response(status=204)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def forumbot_serve(
    database_url: str, **settings: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`forumbot serve` as a real process on a free loopback port, with these settings (by
    field name, e.g. forum_outbox_lease_seconds="2"); yields the process and its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
    env.update(FORUM_DATABASE_URL=database_url, FORUM_LOG_LEVEL="WARNING")
    env.update({name.upper(): value for name, value in settings.items()})
    process = subprocess.Popen(  # noqa: S603 - our own command line, with arguments we write
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(20)


async def wait_healthy(base_url: str, within: float = 30.0, poll: float = 0.1) -> None:
    """Until GET /healthz says the app is ready to serve (200, and `"ready"` not false); fails
    after `within` seconds. The app answers 200 with `"ready": false` while it is still starting
    (bot/app.py); a server that never starts in the background (the stock echo bot of bench/)
    does not say "ready" at all."""
    async with aiohttp.ClientSession() as http:
        for _ in range(int(within / poll)):
            try:
                async with http.get(base_url + "/healthz") as response:
                    if response.status == 200 and (await response.json()).get("ready", True):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(poll)
    raise TimeoutError(f"{base_url} was not ready within {within} s")


def load_activity(path: str | Path, **rewrite: Any) -> dict[str, Any]:
    """A captured Teams payload with fields rewritten, e.g. serviceUrl and the tenant.

    Keys name dotted paths (`from.aadObjectId`); `tenant` sets channelData.tenant.id and
    conversation.tenantId together.
    """
    activity = json.loads(Path(path).read_text(encoding="utf-8"))
    return rewrite_activity(activity, **rewrite)


def rewrite_activity(activity: dict[str, Any], **rewrite: Any) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    tenant = rewrite.pop("tenant", None)
    if tenant is not None:
        activity.setdefault("channelData", {}).setdefault("tenant", {})["id"] = tenant
        if "conversation" in activity:
            activity["conversation"]["tenantId"] = tenant
    for dotted, value in rewrite.items():
        target = activity
        *parents, last = dotted.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return activity


class BotClient:
    """Posts activities to a running bot over HTTP, as the Bot Connector would."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession) -> None:
        self.messages_url = base_url.rstrip("/") + "/api/messages"
        self._http = http

    async def post(
        self,
        activity: dict[str, Any] | bytes,
        *,
        token: str | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        data = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self._http.post(self.messages_url, data=data, headers=headers) as response:
            text = await response.text()
            try:
                body = json.loads(text) if text else None
            except json.JSONDecodeError:
                body = text
            return response.status, body


class TokensAfterFailures:
    """A TokenSource whose first `failures` tokens are asked of `failing` (e.g. azure-identity
    pointed at a closed port: a real network error) and the rest of `then`."""

    def __init__(self, failing: Any, failures: int, then: Any) -> None:
        self._failing, self._then, self.failures = failing, then, failures
        self.asked = 0

    async def token(self) -> str | None:
        self.asked += 1
        source = self._failing if self.asked <= self.failures else self._then
        token: str | None = await source.token()
        return token

    async def close(self) -> None:
        await self._failing.close()
        await self._then.close()


class StaticCredential:
    """An azure-identity style async credential that hands out a fixed token (for fakes)."""

    def __init__(self, token: str = "fake-graph-token") -> None:  # noqa: S107 - a fake's token
        self._token = token

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> StaticCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
