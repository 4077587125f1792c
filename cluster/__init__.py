"""Cluster membership, primary election and fencing, behind one small interface.

`make_cluster` picks the implementation: ZooKeeper when `zookeeper` is configured,
otherwise a standalone cluster of one."""

from __future__ import annotations

import os
import secrets
import socket

from cluster.base import Cluster, Member, Role, View
from store.cluster import ClusterStore, Fenced
from tonearm import __version__
from tonearm.config import Config

__all__ = ["Cluster", "Fenced", "Member", "Role", "View", "make_cluster", "node_identity"]


def node_identity(config: Config) -> tuple[str, str]:
    """(node id, advertised API address). The id is unique per process start so a restarted
    replica never collides with its own not-yet-expired ephemeral node."""
    host = socket.gethostname()
    node_id = config.node_id or f"{host}-{os.getpid()}-{secrets.token_hex(2)}"
    address = config.advertise_url or f"http://{host}:{config.port}"
    return node_id, address.rstrip("/")


def make_cluster(config: Config, store: ClusterStore) -> Cluster:
    node_id, address = node_identity(config)
    if config.zookeeper:
        from cluster.zookeeper import ZooKeeperCluster

        return ZooKeeperCluster(
            config.zookeeper,
            store,
            node_id,
            address,
            __version__,
            session_timeout=config.zookeeper_session_timeout,
        )
    from cluster.standalone import Standalone

    return Standalone(store, node_id, address, __version__)
