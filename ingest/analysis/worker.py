"""Every replica's analysis worker: analyse the shards assigned to this node, one at a time,
in the replica's worker processes, and send the results to the primary in batches. A shard
whose results were refused stays assigned and is redone at the next poll; what was already
written is not analysed again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence

import numpy as np

from cluster import Cluster, Role
from ingest.analysis.pool import AnalysisPool
from ingest.analysis.results import MAX_SECONDS, Analysis, Result
from ingest.analysis.sinks import AnalysisSink
from ingest.vector import FEATURE_NAMES, FEATURE_VERSION, to_bytes
from ingest.walk import probe
from store.analysis import AnalysisJob, AnalysisShard, AnalysisStore, AnalysisWrite
from tonearm import metrics

log = logging.getLogger(__name__)

POLL = 2.0  # seconds: a safety net under NOTIFY
RETRY_AFTER = 2.0
BATCH = 32  # results per write: one transaction and one NOTIFY (index refresh) each
# The beat tracker always answers a tempo; below this rhythm strength (onset autocorrelation at
# the beat period) there is no beat to speak of — pink noise scores 0.05, clear beats 0.85+ —
# and the track API says null. The vector keeps the raw tempo either way.
MIN_RHYTHM_STRENGTH = 0.2
_STRENGTH = FEATURE_NAMES.index("rhythm_strength")


def to_write(job: AnalysisJob, result: Result) -> AnalysisWrite:
    """What the primary stores for one file. Stamped with the file version the catalogue
    held when the job was read, so a file changed since is analysed again after the rescan."""
    if not isinstance(result, Analysis):
        return AnalysisWrite(job.track_id, job.size, job.mtime_ns, "failed", error=result.reason)
    # Peaks of a track cut at MAX_SECONDS would squeeze its first 20 minutes into the whole
    # waveform: those are left to the waveform endpoint, which decodes all of it.
    whole = result.duration < MAX_SECONDS - 1
    peaks = np.clip(np.rint(result.peaks * 255), 0, 255).astype(np.uint8).tobytes()
    beat = result.bpm > 0 and result.vector[_STRENGTH] >= MIN_RHYTHM_STRENGTH
    return AnalysisWrite(
        job.track_id,
        job.size,
        job.mtime_ns,
        "ok",
        features=to_bytes(result.vector),
        bpm=result.bpm if beat else None,
        key=result.key or None,
        loudness_lufs=result.loudness_lufs,
        replay_gain_db=result.replay_gain_db,
        peaks=peaks if whole else None,
    )


def _present(jobs: Sequence[AnalysisJob]) -> tuple[dict[bytes, AnalysisJob], str | None]:
    """(path → job of the files that exist here, a root that is offline here if any).
    Runs in a thread: it touches the disks."""
    for root in {j.root for j in jobs}:
        online, reason = probe(root)
        if not online:
            return {}, f"{root}: {reason}"
    out = {}
    for job in jobs:
        path = os.path.join(os.fsencode(job.root), job.rel_path)
        if os.path.isfile(path):
            out[path] = job
    return out, None


class AnalysisWorker:
    def __init__(
        self,
        cluster: Cluster,
        store: AnalysisStore,
        pool: AnalysisPool,
        make_sink: Callable[[], AnalysisSink | None],
    ) -> None:
        self.cluster = cluster
        self.store = store
        self.pool = pool
        self.make_sink = make_sink
        self.event = asyncio.Event()  # set on NOTIFY tonearm_shards

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), POLL)
            self.event.clear()
            view = self.cluster.view
            if view.suspended or view.role is Role.CANDIDATE:
                continue
            try:
                shards = await self.store.assigned_to(view.node_id)
            except OSError as exc:
                log.warning("cannot read analysis assignments: %s", exc)
                continue
            for shard in shards:
                if not await self._do(shard):
                    break  # the primary refused or is away: poll again later

    async def _do(self, shard: AnalysisShard) -> bool:
        """Analyse one shard; False if it must be tried again later."""
        try:
            sink = self.make_sink()
            if sink is None:
                log.info("analysis shard %d waits: no primary to send results to", shard.id)
                await asyncio.sleep(RETRY_AFTER)
                return False
            jobs = await self.store.jobs(shard.track_ids, FEATURE_VERSION)
            present, offline = await asyncio.to_thread(_present, jobs)
            if offline is not None:
                log.warning("analysis shard %d: %s is offline here", shard.id, offline)
                await sink.release(shard, f"offline on {self.cluster.node_id}: {offline}")
                return True
            skipped = len(jobs) - len(present)
            if skipped:  # gone since the scan: the next scan removes them
                metrics.ANALYSED.labels("skipped").inc(skipped)
            await self._analyse(shard, sink, present)
            await sink.finish(shard)
            metrics.ANALYSIS_SHARDS.labels("done").inc()
            log.info("analysis shard %d done (%d tracks)", shard.id, len(present))
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "analysis shard %d not finished (%s: %s); will retry",
                shard.id, type(exc).__name__, exc,
            )  # fmt: skip
            await asyncio.sleep(RETRY_AFTER)
            return False

    async def _analyse(
        self, shard: AnalysisShard, sink: AnalysisSink, present: dict[bytes, AnalysisJob]
    ) -> None:
        batch: list[AnalysisWrite] = []

        async def flush() -> None:
            if batch:
                await sink.write(shard, batch)
                for result in ("ok", "failed"):
                    metrics.ANALYSED.labels(result).inc(sum(w.status == result for w in batch))
                batch.clear()

        async with contextlib.aclosing(self.pool.run(list(present))) as chunks:
            async for results in chunks:
                for result in results:
                    write = to_write(present[os.fsencode(result.path)], result)
                    if write.status == "failed":
                        log.warning("cannot analyse %r: %s", result.path, write.error)
                    batch.append(write)
                if len(batch) >= BATCH:
                    await flush()
        await flush()
