"""The meetings feature as one service object, built once by bot/services.py with its
database, clock, calendar, messenger factory and presenter: handlers call
`services.meetings.<operation>(...)` and give only what the member said.

The work is in the feature's modules (service.py: the plan and chairs; schedule.py: the Teams
meeting; agenda.py; takeaway.py; cycle.py: the job); their functions take the same parts
explicitly, for tests and tools that set a forum up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from cards.views.meetings import Agenda, MeetingInfo, Proposal, Takeaway
from forum_ops.db import Database
from forum_ops.meetings import agenda, schedule, service, takeaway
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.members.model import Member
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Calendar, Clock


@dataclass(frozen=True)
class Meetings:
    db: Database
    clock: Clock
    calendar: Calendar
    messengers: MessengerFactory
    cards: MeetingCards
    chair_quiet: timedelta  # an offer to chair unanswered this long is taken up

    @property
    def offers(self) -> service.ChairOffers:
        return service.ChairOffers(self.chair_quiet, self.messengers, self.cards)

    def list_meetings(self) -> tuple[MeetingInfo, ...]:
        return service.list_meetings(self.db, self.clock)

    def edit_plan(self, member: Member, text: str) -> service.PlanChange:
        return service.edit_plan(self.db, self.clock, member, text)

    async def follow_plan_change(self, change: service.PlanChange) -> schedule.Scheduled:
        return await schedule.follow_plan_change(self.db, self.calendar, self.clock, change)

    def chair(self, member: Member, text: str) -> service.ChairChange:
        return service.chair(self.db, self.clock, member, text, self.offers)

    async def schedule(self, member: Member, text: str) -> schedule.Scheduled:
        told = schedule.Secretariat(self.messengers, self.cards)
        return await schedule.schedule(self.db, self.calendar, self.clock, member, text, told)

    def deliveries(self) -> tuple[service.MeetingDelivery, ...]:
        return service.meeting_deliveries(self.db, self.clock)

    def show_agenda(self, text: str) -> Agenda:
        return agenda.show_agenda(self.db, self.clock, text)

    def propose(self, member: Member, text: str) -> Proposal:
        return agenda.propose(self.db, self.clock, member, text, self.messengers, self.cards)

    def decide(self, member: Member, item_id: object, accept: bool) -> Proposal:
        return agenda.decide(
            self.db, self.clock, member, item_id, accept, self.messengers, self.cards
        )

    def show_takeaway(self, text: str) -> Takeaway:
        return takeaway.show_takeaway(self.db, self.clock, text)

    def write_takeaway(
        self, member: Member, meeting_id: object, data: Mapping[str, object], publish: bool
    ) -> Takeaway:
        return takeaway.write(
            self.db, self.clock, member, meeting_id, data, publish, self.messengers, self.cards
        )
