"""`forumbot chat`: a conversation with the bot in the terminal, through the real adapter over HTTP.

The chat plays Teams: it posts activities to the bot's /api/messages and receives the bot's replies
on a loopback Bot Connector (the harness's FakeConnector), and shows what the bot sends this
member as it arrives, proactive cards too. Cards are shown as text: headings, facts, and buttons
numbered through the chat, so an earlier card's stay pressable; pressing one prompts for the
card's inputs and sends what Teams would send (a message with `value` for Action.Submit, an
`adaptiveCard/action` invoke for Execute), or opens an Action.ShowCard's card under it. `/file
<path> [words]` sends a file, as Teams sends one in 1:1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import shlex
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from bot.teams import FILE_DOWNLOAD_INFO
from bot.testing import BotClient, Call, FakeConnector
from cards.markdown import unescape_markdown
from forum_ops.demo import DEMO_SECRETARIAT_ID

_LINK = re.compile(r"\[(.+?)\]\((https?://[^)\s]+)\)")  # a markdown link, shown as "text <url>"
LOCAL_TENANT = "00000000-0000-4000-8000-00000000f0f0"
BOT_ID = "28:send-forum-assistant"
INPUT_TYPES = (
    "Input.Text",
    "Input.Number",
    "Input.Date",
    "Input.Time",
    "Input.Toggle",
    "Input.ChoiceSet",
)


@dataclass
class Shown:
    """A card as the terminal shows it: lines of text, its actions and its inputs."""

    lines: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)


def show_card(card: dict[str, Any]) -> Shown:
    shown = Shown()
    _walk(card.get("body", []), shown)
    shown.actions += [a for a in card.get("actions", []) if isinstance(a, dict)]
    return shown


def _walk(elements: list[Any], shown: Shown) -> None:
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "TextBlock":
            raw = str(element.get("text", ""))
            text = unescape_markdown(_LINK.sub(r"\1 <\2>", raw))
            heading = element.get("weight") == "Bolder" and not _LINK.search(raw)
            shown.lines.append(text.upper() if heading else text)
        elif kind == "FactSet":
            facts = [
                (
                    unescape_markdown(str(f.get("title", ""))),
                    unescape_markdown(str(f.get("value", ""))),
                )
                for f in element.get("facts", [])
            ]
            width = max((len(t) for t, _ in facts), default=0)
            shown.lines += [f"  {title:<{width}}  {value}" for title, value in facts]
        elif kind == "Table":
            rows = [
                [
                    unescape_markdown(str(cell["items"][0].get("text", "")))
                    if cell.get("items")
                    else ""
                    for cell in row.get("cells", [])
                ]
                for row in element.get("rows", [])
            ]
            widths = [
                max(len(r[i]) for r in rows if i < len(r))
                for i in range(max(map(len, rows), default=0))
            ]
            shown.lines += [
                "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()
                for r in rows
            ]
        elif kind == "Image":
            shown.lines.append(
                f"[picture: {element.get('altText', 'no description')}] {element.get('url')}"
            )
        elif kind in INPUT_TYPES:
            shown.inputs.append(element)
        elif kind in ("Container", "Column"):
            _walk(element.get("items", []), shown)
        elif kind == "ColumnSet":
            _walk([{"type": "Column", **c} for c in element.get("columns", [])], shown)
        elif kind == "ActionSet":
            shown.actions += [a for a in element.get("actions", []) if isinstance(a, dict)]


def _read(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


@dataclass(frozen=True)
class Button:
    """A button shown in the terminal: it stays pressable by its number while the chat lasts,
    as a card's buttons stay in Teams. `inputs` are what pressing it sends: its card's inputs
    and, for a button of a card opened by Action.ShowCard, the card it was opened from."""

    action: dict[str, Any]
    inputs: tuple[dict[str, Any], ...]


class ChatSession:
    def __init__(
        self,
        bot: BotClient,
        channel: FakeConnector,
        aad_object_id: str,
        tenant: str,
        ask: Callable[[str], str],
        say: Callable[[str], None],
    ) -> None:
        self._bot, self._channel = bot, channel
        self._aad, self._tenant = aad_object_id, tenant
        self._ask, self._say = ask, say
        self._conversation = f"a:chat-{uuid.uuid4().hex}"
        self._ids = itertools.count(1)
        self._seen = 0
        self._buttons: dict[int, Button] = {}
        self._numbers = itertools.count(1)

    def _activity(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"chat-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self._channel.service_url,
            "from": {"id": f"29:{self._aad}", "aadObjectId": self._aad, "name": "You"},
            "recipient": {"id": BOT_ID, "name": "SEND Forum"},
            "conversation": {
                "id": self._conversation,
                "conversationType": "personal",
                "tenantId": self._tenant,
            },
            "channelData": {"tenant": {"id": self._tenant}},
            **fields,
        }

    async def start(self) -> None:
        await self._post(
            self._activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]), settle=3.0
        )

    async def say(self, text: str) -> None:
        await self._post(self._activity("message", text=text))

    async def send_file(self, line: str) -> None:
        """`/file <path> [words]`: the file as Teams sends one to the bot in 1:1 (a download URL
        on the connector), with the words as the message's text."""
        try:
            path, *words = shlex.split(line.removeprefix("/file"))
        except ValueError:
            path, words = "", []
        if not path:
            self._say("(say which file: /file <path> [words], e.g. /file return.xlsx 2025-26)")
            return
        try:
            body = await asyncio.to_thread(_read, path)
        except OSError as error:
            self._say(f"(cannot read {path}: {error.strerror or error})")
            return
        url = self._channel.offer_file(body)
        name = Path(path).name
        attachment = {
            "contentType": FILE_DOWNLOAD_INFO,
            "contentUrl": url,
            "name": name,
            "content": {
                "downloadUrl": url,
                "uniqueId": uuid.uuid4().hex,
                "fileType": Path(name).suffix.lstrip("."),
            },
        }
        self._say(f"(sending {name}, {len(body):,} bytes)")
        await self._post(self._activity("message", text=" ".join(words), attachments=[attachment]))

    async def pick(self, number: int) -> None:
        button = self._buttons.get(number)
        if button is None:
            self._say(f"(there is no button {number})")
            return
        action = button.action
        kind = action.get("type")
        if kind == "Action.OpenUrl":
            self._say(f"(open {action.get('url')})")
            return
        if kind == "Action.ShowCard":  # opens under its card, in the client: nothing is sent
            card = action.get("card")
            self._show(card if isinstance(card, dict) else {}, button.inputs)
            return
        data = {**(action.get("data") or {}), **self._gather_inputs(button.inputs)}
        if kind == "Action.Execute":
            invoke = self._activity(
                "invoke",
                name="adaptiveCard/action",
                value={
                    "action": {"type": "Action.Execute", "verb": action.get("verb"), "data": data},
                    "trigger": "manual",
                },
            )
            status, body = await self._bot.post(invoke)
            if status == 200 and isinstance(body, dict) and isinstance(body.get("value"), dict):
                self._show(body["value"])
            else:
                self._say(f"(the bot answered {status})")
        else:
            await self._post(self._activity("message", text="", value=data))

    def _gather_inputs(self, inputs: tuple[dict[str, Any], ...]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field_ in inputs:
            label = field_.get("label") or field_.get("placeholder") or field_.get("id")
            if field_.get("type") == "Input.ChoiceSet":
                choices = field_.get("choices", [])
                for i, choice in enumerate(choices, 1):
                    self._say(f"    {i}. {choice.get('title')}")
                answer = self._ask(f"  {label} (number): ").strip()
                if answer.isdigit() and 1 <= int(answer) <= len(choices):
                    values[field_["id"]] = choices[int(answer) - 1].get("value")
            elif field_.get("type") == "Input.Toggle":
                answer = self._ask(f"  {label} (y/n): ").strip().lower()
                values[field_["id"]] = (
                    field_.get("valueOn", "true")
                    if answer.startswith("y")
                    else field_.get("valueOff", "false")
                )
            else:
                values[field_["id"]] = self._ask(f"  {label}: ")
        return values

    async def _post(self, activity: dict[str, Any], settle: float = 0.4) -> None:
        """Post, then show the reply (what comes later is shown as it arrives: `watch`)."""
        status, _ = await self._bot.post(activity)
        if status >= 400:
            self._say(f"(the bot answered {status})")
        with contextlib.suppress(TimeoutError):
            await self._channel.wait_for_sent(self._seen + 1, within=settle)
        self.show_new()

    def _mine(self, call: Call) -> bool:
        """Sent to this chat, or to a 1:1 chat the bot opened with this member."""
        return call.conversation_id == self._conversation or (
            call.conversation_id.startswith("a:1to1-") and call.conversation_id.endswith(self._aad)
        )

    def show_new(self) -> None:
        """Whatever the bot has sent this member since last shown: replies, and proactive
        messages (asks routed to them, agendas, reminders, announcements) as they come."""
        sent = self._channel.sent()
        for call in sent[self._seen :]:
            if not self._mine(call):
                continue
            for card in call.cards:
                self._show(card)
            if not call.cards and call.body and call.body.get("text"):
                self._say(str(call.body["text"]))
        self._seen = len(sent)

    async def watch(self, poll: float = 0.2) -> None:
        """Show proactive messages while the member types (or thinks)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await self._channel.wait_for_sent(len(self._channel.sent()) + 1, within=poll)
            self.show_new()

    def _show(self, card: dict[str, Any], inherited: tuple[dict[str, Any], ...] = ()) -> None:
        shown = show_card(card)
        self._say("")
        for line in shown.lines:
            self._say(line)
        inputs = (*inherited, *shown.inputs)
        for action in shown.actions:
            number = next(self._numbers)
            self._buttons[number] = Button(action, inputs)
            self._say(f"  [{number}] {action.get('title', action.get('type'))}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        await self.start()
        watching = asyncio.create_task(self.watch())
        try:
            while True:
                try:
                    line = (await loop.run_in_executor(None, self._ask, "\nyou> ")).strip()
                except EOFError:
                    return
                if line.lower() in ("quit", "exit", "bye"):
                    return
                if line.isdigit():
                    await self.pick(int(line))
                elif line.startswith("/file"):
                    await self.send_file(line)
                elif line:
                    await self.say(line)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            self.show_new()


async def run_chat(
    settings: Settings,
    as_id: str | None,
    *,
    url: str | None = None,
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
) -> int:
    if settings.auth_enabled and url is None:
        say("forumbot chat talks to the bot without Teams' authentication: unset MICROSOFT_APP_ID.")
        return 2
    tenant = next(iter(sorted(settings.allowed_tenants)), LOCAL_TENANT)
    runner: web.AppRunner | None = None
    async with FakeConnector() as channel, aiohttp.ClientSession() as http:
        if url is None:
            # the port is chosen before the app is made, so its links (charts, the return
            # template) point at this very server, as `serve --port` does, unless the settings
            # name FORUM_PUBLIC_URL
            listening = socket.create_server(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{listening.getsockname()[1]}"
            if "forum_public_url" not in settings.model_fields_set:
                settings = settings.model_copy(update={"forum_public_url": url})
            # files sent with /file are served by the chat's own connector, over http
            settings = settings.model_copy(update={"forum_test_file_origins": channel.url})
            runner = web.AppRunner(create_app(settings), access_log=None)
            await runner.setup()
            await web.SockSite(runner, listening).start()
        say(
            f"Talking to the SEND Forum assistant at {url}. Type a command (help), a button's "
            "number to press it, /file <path> [words] to send a file, quit to leave."
        )
        try:
            session = ChatSession(
                BotClient(url, http), channel, as_id or DEMO_SECRETARIAT_ID, tenant, ask, say
            )
            await session.run()
        finally:
            if runner is not None:
                await runner.cleanup()
    return 0
