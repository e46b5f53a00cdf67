"""A Messenger (forum_ops/ports.py) for one unit of work: services and scheduled jobs are given
a MessengerFactory and make one per transaction, so what they queue commits with their change.

Apart from ports.py because it names the storage's Session, which the presentation layer (cards
import ports for RenderedCard) must not reach.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from sqlalchemy.orm import Session

from forum_ops.ports import Messenger

# (session, now) -> messages queued in that transaction: bot/messenger.py's OutboxMessenger
# (Services.messenger); tests pass `lambda session, now: fake`.
MessengerFactory: TypeAlias = Callable[[Session, datetime], Messenger]
