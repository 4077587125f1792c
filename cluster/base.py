"""What ingest/ and api/ see of the cluster: a view (role, epoch, members) and its changes."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from tonearm import metrics


class Role(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    CANDIDATE = "candidate"  # not (yet) part of a term: electing, or the session was lost


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    address: str  # base URL of its API, as other replicas reach it
    version: str


@dataclass(frozen=True, slots=True)
class View:
    mode: str  # "standalone" or "zookeeper"
    node_id: str
    role: Role = Role.CANDIDATE
    epoch: int | None = None  # this node's term, while it is primary
    primary_id: str | None = None
    members: tuple[Member, ...] = ()
    suspended: bool = False  # connection to ZooKeeper uncertain: start no new work
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_primary(self) -> bool:
        return self.role is Role.PRIMARY and not self.suspended and self.epoch is not None

    def member(self, member_id: str | None) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)


class Cluster(ABC):
    """One small interface with two implementations: standalone and ZooKeeper."""

    def __init__(self, mode: str, node_id: str) -> None:
        self._view = View(mode=mode, node_id=node_id)
        self._changed = asyncio.Event()

    @property
    def view(self) -> View:
        return self._view

    @property
    def node_id(self) -> str:
        return self._view.node_id

    def _publish(self, **changes: Any) -> None:
        view = replace(self._view, **changes)
        if view == self._view:
            return
        self._view = view
        metrics.CLUSTER_PRIMARY.set(1 if view.is_primary else 0)
        metrics.CLUSTER_EPOCH.set(view.epoch or 0)
        metrics.CLUSTER_MEMBERS.set(len(view.members))
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self) -> View:
        """Wait for the next change of the view and return it."""
        await self._changed.wait()
        return self._view

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...
