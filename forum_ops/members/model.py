"""Values of the forum's domain: organisations, roles and members."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrganisationKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    ICB = "icb"
    SECRETARIAT = "secretariat"


class Role(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"
    SECRETARIAT = "secretariat"
    DATA_SUBMITTER = "data_submitter"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Organisation:
    code: str  # DfE LA code ("202"), ICB ODS code ("QMJ") or "LIIA"
    name: str
    kind: OrganisationKind
    inner_outer: str | None = None  # "Inner" / "Outer" for local authorities
    subregion: str | None = None  # North Central, North East, North West, South East, South West


@dataclass(frozen=True)
class Member:
    aad_object_id: str
    name: str
    email: str
    organisation: Organisation
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.MEMBER}))
    topics: tuple[str, ...] = ()

    def has(self, role: Role) -> bool:
        return role in self.roles

    # The permission questions: every command asks these, none re-derives them.

    @property
    def borough(self) -> str | None:
        """The DfE LA code of the member's own borough; None for ICB and secretariat staff."""
        org = self.organisation
        return org.code if org.kind is OrganisationKind.LOCAL_AUTHORITY else None

    @property
    def is_secretariat(self) -> bool:
        return self.has(Role.SECRETARIAT)

    @property
    def is_data_submitter(self) -> bool:
        """May send their borough's returns: the role, held by someone at a borough."""
        return self.borough is not None and self.has(Role.DATA_SUBMITTER)

    def may_see_borough(self, code: str) -> bool:
        """A borough's own figures are for that borough and the forum's secretariat."""
        return code == self.borough or self.is_secretariat
