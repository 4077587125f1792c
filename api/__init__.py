"""The HTTP API: aiohttp app, routes, auth, errors and the OpenAPI document."""
