"""Cluster membership, primary election and fencing (standalone until the ZooKeeper issue)."""
