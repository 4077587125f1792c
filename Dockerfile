# Tonearm container image: the server, the built web UI and the native libraries it needs.
#   docker build -t tonearm:0.1.0 .
#   docker run -p 8080:8080 -v /music:/music:ro -e TONEARM_LIBRARY=/music tonearm:0.1.0
# Without TONEARM_DATABASE_URL the image runs the embedded PostgreSQL in /data (trying it
# out); the Helm chart (deploy/helm/tonearm) points every replica at one shared PostgreSQL.

# --- the web UI -----------------------------------------------------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npx --no-install vite build --logLevel warn

# --- the Python environment -----------------------------------------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api/ api/
COPY cluster/ cluster/
COPY ingest/ ingest/
COPY recommend/ recommend/
COPY store/ store/
COPY tonearm/ tonearm/
RUN /opt/venv/bin/pip install .

# --- the runtime image ----------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# libvips42 resizes covers (pyvips), ffmpeg decodes audio for waveforms and analysis;
# essentia's PyPI wheel is self-contained (it needs only libstdc++, already in the base).
# Not pinned: bookworm's security updates should land on every rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvips42 ffmpeg \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 tonearm \
 && useradd --system --uid 10001 --gid tonearm --home-dir /data --shell /usr/sbin/nologin tonearm \
 && mkdir -p /data \
 && chown tonearm:tonearm /data
COPY --from=build /opt/venv /opt/venv
# api/routes/web.py serves <site-packages>/web/dist (two levels above its package).
COPY --from=web /src/web/dist /opt/venv/lib/python3.11/site-packages/web/dist
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TONEARM_DATA_DIR=/data \
    TONEARM_HOST=0.0.0.0 \
    TONEARM_PORT=8080
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["tonearm"]
CMD ["serve"]
