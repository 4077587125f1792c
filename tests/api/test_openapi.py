"""The OpenAPI document and the routes agree, both ways."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from api.routes.web import SPA_PATH

Client = TestClient  # type: ignore[type-arg]


def registered(app: web.Application) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS") or route.resource is None:
            continue
        if route.resource.canonical == SPA_PATH:
            continue  # the web UI's pages and files, not part of the API
        out.add((route.method.lower(), route.resource.canonical))
    return out


async def test_document_matches_routes(client: Client) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == registered(client.app)


async def test_every_schema_reference_resolves(client: Client) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    schemas = doc["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


async def test_public_routes_are_marked_public_in_the_document(client: Client) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            url = path.replace("{id}", "1").replace("{kind}", "tracks")
            resp = await client.request(method.upper(), url)
            security = op.get("security")
            if security == []:
                assert resp.status != 401, (method, path)
            elif security == [{"clusterSecret": []}]:
                assert resp.status == 403, (method, path)  # no cluster secret configured
            else:
                assert resp.status == 401, (method, path)
