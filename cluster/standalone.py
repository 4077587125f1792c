"""A cluster of one: this node is the primary, with a fresh term at every start."""

from __future__ import annotations

import logging

from cluster.base import Cluster, Member, Role
from store.cluster import ClusterStore

log = logging.getLogger(__name__)


class Standalone(Cluster):
    def __init__(self, store: ClusterStore, node_id: str, address: str, version: str) -> None:
        super().__init__("standalone", node_id)
        self.store = store
        self.me = Member(node_id, address, version)

    async def start(self) -> None:
        epoch = await self.store.claim_next(self.node_id)
        log.info("standalone: primary of a cluster of one, term %d", epoch)
        self._publish(role=Role.PRIMARY, epoch=epoch, primary_id=self.node_id, members=(self.me,))

    async def stop(self) -> None:
        self._publish(role=Role.CANDIDATE, epoch=None)
