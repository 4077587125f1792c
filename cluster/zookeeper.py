"""The ZooKeeper cluster: ephemeral members, an election on ephemeral sequential nodes,
and the winner's znode czxid as the epoch (ZooKeeper orders it, so it only grows).

kazoo runs its own threads; its callbacks only schedule work on our event loop, and every
blocking ZooKeeper call runs in a thread. Session rules: SUSPENDED pauses new work; LOST
ends the term for good — the node runs for election again with a new znode and never
resumes a term on the next CONNECTED."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NodeExistsError, NoNodeError
from kazoo.protocol.states import KazooState
from kazoo.retry import KazooRetry

from cluster.base import Cluster, Member, Role
from store.cluster import ClusterStore

log = logging.getLogger(__name__)

RESYNC_EVERY = 5.0  # seconds: a safety net under the watches


class ZooKeeperCluster(Cluster):
    def __init__(
        self,
        hosts: str,
        store: ClusterStore,
        node_id: str,
        address: str,
        version: str,
        *,
        session_timeout: float = 10.0,
        root: str = "/tonearm",
    ) -> None:
        super().__init__("zookeeper", node_id)
        self.store = store
        self.me = Member(node_id, address, version)
        self.root = root.rstrip("/")
        self.zk = KazooClient(
            hosts=hosts,
            timeout=session_timeout,
            connection_retry=KazooRetry(max_tries=-1, delay=0.2, max_delay=2.0),
            command_retry=KazooRetry(max_tries=3, delay=0.1, max_delay=1.0),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._election_node: str | None = None  # our znode's name in this session
        self._member_created = False
        self._lost = False
        self._dirty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # kazoo threads → event loop

    def _poke(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._dirty.set)

    def _on_state(self, state: str) -> None:
        # Runs in kazoo's thread and must not block. The flags are read by the refresh.
        if state == KazooState.LOST:
            self._lost = True
        self._poke()

    def _on_children(self, _children: list[str]) -> bool:
        self._poke()
        return True  # keep watching

    # lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.zk.add_listener(self._on_state)
        await asyncio.to_thread(self.zk.start, 30)
        for path in (f"{self.root}/members", f"{self.root}/election"):
            await asyncio.to_thread(self.zk.ensure_path, path)
        self.zk.ChildrenWatch(f"{self.root}/election", self._on_children)
        self.zk.ChildrenWatch(f"{self.root}/members", self._on_children)
        self._dirty.set()
        self._task = asyncio.create_task(self._run(), name="zookeeper-cluster")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._publish(role=Role.CANDIDATE, epoch=None)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.zk.stop)
            await asyncio.to_thread(self.zk.close)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), RESYNC_EVERY)
            self._dirty.clear()
            try:
                await self._refresh()
            except asyncio.CancelledError:
                raise
            except (KazooException, OSError) as exc:
                log.warning("zookeeper refresh failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                self._dirty.set()
            except Exception:
                log.exception("cluster refresh failed; retrying")
                await asyncio.sleep(1)
                self._dirty.set()

    # the state machine

    async def _refresh(self) -> None:
        if self._lost:
            # The session is gone and so are our ephemeral nodes: the term is over.
            self._lost = False
            self._election_node = None
            self._member_created = False
            if self._view.role is Role.PRIMARY:
                log.warning("zookeeper session lost: term %s is over", self._view.epoch)
            self._publish(role=Role.CANDIDATE, epoch=None, suspended=False)
        if self.zk.state != KazooState.CONNECTED:
            self._publish(suspended=True)
            return
        if self._view.suspended:
            self._publish(suspended=False)
        await asyncio.to_thread(self._ensure_nodes)
        children = await asyncio.to_thread(self.zk.get_children, f"{self.root}/election")
        if self._election_node not in children:
            # Deleted under us (session expired between calls): start over next round.
            self._election_node = None
            self._publish(role=Role.CANDIDATE, epoch=None)
            self._dirty.set()
            return
        ordered = sorted(children, key=lambda name: name.rsplit("_", 1)[-1])
        leader = ordered[0]
        members = await asyncio.to_thread(self._members)
        if leader == self._election_node:
            await self._lead(members)
        else:
            primary = await asyncio.to_thread(self._node_owner, leader)
            self._publish(role=Role.SECONDARY, epoch=None, primary_id=primary, members=members)

    async def _lead(self, members: tuple[Member, ...]) -> None:
        stat = await asyncio.to_thread(
            self.zk.exists, f"{self.root}/election/{self._election_node}"
        )
        if stat is None:
            self._dirty.set()
            return
        epoch = int(stat.czxid)
        if self._view.role is not Role.PRIMARY or self._view.epoch != epoch:
            if not await self.store.claim(epoch, self.node_id):
                current, holder = await self.store.term()
                if current != epoch:
                    log.error(
                        "won the election with epoch %d but the database holds term %d of %s;"
                        " not taking over (was ZooKeeper's data reset?)",
                        epoch, current, holder,
                    )  # fmt: skip
                    self._publish(role=Role.CANDIDATE, epoch=None, members=members)
                    return
            log.info("primary now, term %d", epoch)
        self._publish(role=Role.PRIMARY, epoch=epoch, primary_id=self.node_id, members=members)

    # blocking helpers (run in threads)

    def _ensure_nodes(self) -> None:
        data = json.dumps(
            {"id": self.me.id, "address": self.me.address, "version": self.me.version}
        ).encode()
        member_path = f"{self.root}/members/{self.node_id}"
        if not self._member_created or self.zk.exists(member_path) is None:
            try:
                self.zk.create(member_path, data, ephemeral=True)
            except NodeExistsError:
                # Left by an earlier process with our id whose session has not expired yet.
                self.zk.delete(member_path)
                self.zk.create(member_path, data, ephemeral=True)
            self._member_created = True
        if self._election_node is None:
            path = self.zk.create(
                f"{self.root}/election/n_", self.node_id.encode(), ephemeral=True, sequence=True
            )
            self._election_node = path.rsplit("/", 1)[-1]

    def _node_owner(self, name: str) -> str | None:
        try:
            data, _ = self.zk.get(f"{self.root}/election/{name}")
        except NoNodeError:
            return None
        return bytes(data).decode() or None

    def _members(self) -> tuple[Member, ...]:
        out = []
        for child in sorted(self.zk.get_children(f"{self.root}/members")):
            try:
                data, _ = self.zk.get(f"{self.root}/members/{child}")
                info: dict[str, Any] = json.loads(data)
            except (NoNodeError, ValueError):
                continue
            out.append(Member(str(info["id"]), str(info["address"]), str(info.get("version", "?"))))
        return tuple(out)
