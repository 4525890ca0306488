"""Who is an admin, a trainer or a worker: one rule for the chat and the dashboard.

An Entra app role the token carries (`Coach.Admin`, `Coach.Trainer`) or an object id listed
in ADMIN_IDS / TRAINER_IDS makes the role; admin wins over trainer; anyone else is a worker.
A chat turn carries no token, so there only the object ids count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ADMIN_ROLE = "Coach.Admin"
TRAINER_ROLE = "Coach.Trainer"


class Role(StrEnum):
    ADMIN = "admin"
    TRAINER = "trainer"
    WORKER = "worker"

    @property
    def trains(self) -> bool:
        """May run quiz campaigns (trainers and admins)."""
        return self in (Role.ADMIN, Role.TRAINER)


@dataclass(frozen=True)
class RoleRule:
    admin_ids: frozenset[str] = frozenset()
    trainer_ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, admin_ids: Iterable[str], trainer_ids: Iterable[str]) -> RoleRule:
        return cls(frozenset(admin_ids), frozenset(trainer_ids))

    def role(self, object_id: str | None, app_roles: Iterable[str] = ()) -> Role:
        roles = set(app_roles)
        if ADMIN_ROLE in roles or (object_id is not None and object_id in self.admin_ids):
            return Role.ADMIN
        if TRAINER_ROLE in roles or (object_id is not None and object_id in self.trainer_ids):
            return Role.TRAINER
        return Role.WORKER
