"""The directory and the recommendations tracker as one service object, built once by
bot/services.py with its database and clock: handlers call `services.directory.<operation>`.
The work is in service.py (entries) and recommendations.py (the tracker), whose functions take
the same parts explicitly, for tests and tools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cards.views.directory import DirectoryPage, Entry, Recommendation, Tracker
from forum_ops.db import Database
from forum_ops.directory import recommendations, service
from forum_ops.members.model import Member
from forum_ops.ports import Clock


@dataclass(frozen=True)
class Directory:
    db: Database
    clock: Clock

    def search(self, words: str) -> DirectoryPage:
        return service.search_directory(self.db, self.clock, words)

    def secretariat_list(self, member: Member, listing: str) -> DirectoryPage:
        return service.secretariat_list(self.db, self.clock, member, listing)

    def suggest(self, member: Member, values: Mapping[str, object]) -> Entry:
        return service.suggest_entry(self.db, self.clock, member, values)

    def approve(
        self, member: Member, entry_id: int, values: Mapping[str, object] | None = None
    ) -> Entry:
        return service.approve_entry(self.db, self.clock, member, entry_id, values)

    def decline(self, member: Member, entry_id: int) -> Entry:
        return service.decline_entry(self.db, self.clock, member, entry_id)

    def mark_checked(self, member: Member, entry_id: int) -> Entry:
        return service.mark_checked(self.db, self.clock, member, entry_id)

    def add_takeaway(self, member: Member, title: str, summary: str, link: str = "") -> Entry:
        return service.add_takeaway(self.db, self.clock, member, title, summary, link)

    def tracker(self) -> Tracker:
        return recommendations.show_tracker(self.db, self.clock)

    def update_recommendation(
        self, member: Member, number: object, values: Mapping[str, object]
    ) -> Recommendation:
        return recommendations.update_recommendation(self.db, self.clock, member, number, values)
