"""The stock botbuilder 4.17.1 echo bot, as Microsoft's samples build it: the baseline for turns.py.

Run: python bench/stock_echo.py <port> [--patched]

--patched makes msrest's `ClientRetryPolicy.safe_codes` a frozenset: msrest builds a retry
policy for each of the two connector clients of a turn and tests 999 codes against a 500-item
list each time (about 6 ms of CPU a client). Without that bug the same stock bot is the
cheapest turn this pipeline (aiohttp, CloudAdapter, msrest) can serve: the floor every command
is measured against.
"""

import sys

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")


def main() -> None:
    if "--patched" in sys.argv:
        from msrest.universal_http.requests import ClientRetryPolicy

        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
