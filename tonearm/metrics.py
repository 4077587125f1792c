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
PARTIES_ACTIVE = Gauge(
    "tonearm_parties_active",
    "Listen parties running (the database's count: the same on every replica)",
)
PARTY_JOINS = Counter(
    "tonearm_party_joins_total", "Listen-party join attempts, by result", ["result"]
)  # ok, member (back again), refused, locked_out
PARTY_CODE_ROTATIONS = Counter(
    "tonearm_party_code_rotations_total", "Join codes replaced after too many wrong guesses"
)
PARTY_SOCKETS = Gauge("tonearm_party_sockets", "Listen-party websockets open on this replica")
PARTY_SUGGESTIONS = Counter(
    "tonearm_party_suggestions_total", "Members' track suggestions, by result", ["result"]
)  # ok, rate_limited
PARTIES_HOST_GONE = Counter(
    "tonearm_party_host_gone_total",
    "Listen parties this replica ended because the host had no socket open for party_host_grace",
)
RECOMMEND_INDEX_TRACKS = Gauge(
    "tonearm_recommend_index_tracks", "Analysed tracks in this replica's similarity index"
)
RECOMMEND_QUERY_SECONDS = Histogram(
    "tonearm_recommend_query_seconds",
    "Time of one nearest-neighbour search in the similarity index",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)
ANALYSED = Counter(
    "tonearm_analysis_tracks_total",
    "Tracks this replica analysed, by result",
    ["result"],  # ok, failed, skipped (file gone since the scan)
)
ANALYSIS_PENDING = Gauge(
    "tonearm_analysis_pending_tracks", "Tracks waiting for audio analysis (set by the primary)"
)
ANALYSIS_SECONDS = Histogram(
    "tonearm_analysis_seconds",
    "Wall time to decode and analyse one track in a worker process",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
ANALYSIS_SHARDS = Counter(
    "tonearm_analysis_shards_total", "Analysis shards, by what happened", ["result"]
)  # done (this replica finished one), reassigned, released (primary)
