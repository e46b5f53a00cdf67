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
