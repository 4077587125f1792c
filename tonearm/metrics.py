"""Prometheus metrics the server exports (one process-wide registry, as prometheus-client intends)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "tonearm_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "tonearm_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SCAN_FILES = Counter(
    "tonearm_scan_files_total",
    "Files seen by scans, by outcome",
    ["outcome"],  # unchanged, added, updated, removed, failed, skipped
)
SCAN_ERRORS = Counter("tonearm_scan_errors_total", "Files or folders a scan could not read")
SCANS = Counter("tonearm_scans_total", "Scans finished", ["result"])
SCAN_RUNNING = Gauge("tonearm_scan_running", "1 while this replica runs a scan")
LIBRARY_ONLINE = Gauge("tonearm_library_online", "1 when a library root is online", ["library"])
LIBRARY_TRACKS = Gauge("tonearm_library_tracks", "Tracks held per library root", ["library"])
CLUSTER_PRIMARY = Gauge("tonearm_cluster_is_primary", "1 while this replica is the primary")
CLUSTER_EPOCH = Gauge(
    "tonearm_cluster_epoch", "The epoch of this replica's primary term, 0 when not primary"
)
CLUSTER_MEMBERS = Gauge("tonearm_cluster_members", "Live members this replica sees")
SHARDS = Counter("tonearm_shards_total", "Scan shards finished by this replica", ["result"])
INGEST_BATCH_SECONDS = Histogram(
    "tonearm_ingest_batch_seconds",
    "Time to commit one batch of ingested tracks on the primary",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
COVER_CACHE = Counter(
    "tonearm_cover_cache_total", "Resized cover lookups in the disk cache", ["result"]
)  # hit, miss
COVER_RESIZE_SECONDS = Histogram(
    "tonearm_cover_resize_seconds",
    "Time to decode, resize and encode one cover variant",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
ENRICH_REQUESTS = Counter(
    "tonearm_enrich_requests_total", "Requests to metadata services", ["service"]
)
ENRICHED = Counter("tonearm_enriched_albums_total", "Albums looked up, by result", ["result"])
ENRICH_QUEUE = Gauge("tonearm_enrich_queue", "Albums waiting for enrichment")
