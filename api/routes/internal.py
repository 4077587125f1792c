"""Replica-to-primary endpoints: walk and analysis shard results from secondaries.
Authenticated with the cluster secret, never with user sessions; without a secret
configured they refuse."""

from __future__ import annotations

import hmac

from aiohttp import web

from api.auth import public
from api.context import services
from api.params import field, json_body, path_id, required
from api.serialize import respond
from ingest.analysis import wire as analysis_wire
from ingest.sinks import SECRET_HEADER
from ingest.wire import decode_track, unb64
from store.analysis import AnalysisShard
from store.cluster import Shard
from tonearm.errors import Forbidden, Invalid, NotFound

routes = web.RouteTableDef()


async def _member_request(request: web.Request) -> tuple[str, dict[str, object]]:
    """(the sending member, the body) of a request carrying the cluster secret."""
    secret = services(request).config.cluster_secret
    if not secret:
        raise Forbidden("internal endpoints are off: no cluster secret", code="cluster_disabled")
    sent = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(sent.encode(), secret.encode()):
        raise Forbidden("wrong cluster secret", code="cluster_forbidden")
    body = await json_body(request)
    return required(body, "member", str), body


async def _shard_request(request: web.Request) -> tuple[Shard, str, dict[str, object]]:
    member, body = await _member_request(request)
    shard = await services(request).scanner.clusters.shard(path_id(request))
    if shard is None:
        raise NotFound("no such shard")
    return shard, member, body


def _progress(body: dict[str, object]) -> dict[str, int]:
    raw = field(body, "progress", dict, required=False) or {}
    if not all(isinstance(v, int) for v in raw.values()):
        raise Invalid("progress values are integers", code="invalid_field")
    return {str(k): int(v) for k, v in raw.items()}


@routes.post("/internal/v1/shards/{id}/batch")
@public
async def shard_batch(request: web.Request) -> web.Response:
    shard, member, body = await _shard_request(request)
    tracks = [decode_track(t) for t in required(body, "tracks", list)]
    writer = services(request).scanner.writer
    await writer.write(shard.id, member, shard.library_id, tracks, _progress(body))
    return respond({"written": len(tracks)})


@routes.post("/internal/v1/shards/{id}/finish")
@public
async def shard_finish(request: web.Request) -> web.Response:
    shard, member, body = await _shard_request(request)
    missing = [unb64(p) for p in required(body, "missing", list)]
    writer = services(request).scanner.writer
    await writer.finish(shard.id, member, shard.library_id, missing, _progress(body))
    return respond({"removed": len(missing)})


@routes.post("/internal/v1/shards/{id}/release")
@public
async def shard_release(request: web.Request) -> web.Response:
    shard, member, body = await _shard_request(request)
    await services(request).scanner.writer.release(shard.id, member, required(body, "reason", str))
    return respond({"released": shard.id})


async def _analysis_request(request: web.Request) -> tuple[AnalysisShard, str, dict[str, object]]:
    member, body = await _member_request(request)
    shard = await services(request).scanner.analysis_store.shard(path_id(request))
    if shard is None:
        raise NotFound("no such analysis shard")
    return shard, member, body


@routes.post("/internal/v1/analysis/{id}/batch")
@public
async def analysis_batch(request: web.Request) -> web.Response:
    shard, member, body = await _analysis_request(request)
    version = required(body, "version", int)
    results = [analysis_wire.decode(r) for r in required(body, "results", list)]
    await services(request).scanner.analysis_writer.write(shard.id, member, version, results)
    return respond({"written": len(results)})


@routes.post("/internal/v1/analysis/{id}/finish")
@public
async def analysis_finish(request: web.Request) -> web.Response:
    shard, member, _ = await _analysis_request(request)
    await services(request).scanner.analysis_writer.finish(shard.id, member)
    return respond({"finished": shard.id})


@routes.post("/internal/v1/analysis/{id}/release")
@public
async def analysis_release(request: web.Request) -> web.Response:
    shard, member, body = await _analysis_request(request)
    reason = required(body, "reason", str)
    await services(request).scanner.analysis_writer.release(shard.id, member, reason)
    return respond({"released": shard.id})
