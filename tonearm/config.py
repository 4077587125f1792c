"""Settings: defaults → config file → TONEARM_* environment → CLI flags, built once, frozen."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """A setting has a value we cannot use; the message says which and why."""


@dataclass(frozen=True)
class Config:
    """Every setting, documented in the README's settings table (a test keeps them in step)."""

    library: tuple[Path, ...] = ()
    database_url: str | None = None
    zookeeper: str | None = None
    zookeeper_session_timeout: float = 10.0
    cluster_secret: str | None = None
    node_id: str | None = None
    advertise_url: str | None = None
    data_dir: Path = Path("data")
    host: str = "0.0.0.0"
    port: int = 8080
    scan_interval: int = 300
    scan_on_start: bool = True
    scan_shard_files: int = 2000
    scan_workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    enrichment: bool = True
    musicbrainz_url: str = "https://musicbrainz.org"
    coverart_url: str = "https://coverartarchive.org"
    musicbrainz_rate: float = 1.0
    musicbrainz_contact: str = "https://github.com/tonearm-music/tonearm"
    secure_cookies: bool = False
    log_level: str = "INFO"
    cover_cache_mb: int = 512
    cover_max_size: int = 2048
    cover_workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    analysis: bool = True
    analysis_workers: int = 1
    analysis_shard_tracks: int = 200
    recommend_refresh_interval: int = 600
    mix_refresh_interval: int = 86400
    party_host_grace: int = 600
    # The desktop app's pages come from these origins (Tauri: macOS/Linux, Windows).
    cors_origins: tuple[str, ...] = ("tauri://localhost", "http://tauri.localhost")
    # Reverse proxies whose X-Forwarded-* headers are believed (api/proxy.py); none by default.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "postgres"


_INT_RANGES = {
    "cover_max_size": (16, 16384),
    "cover_workers": (1, 64),
    "analysis_workers": (1, 64),
    "analysis_shard_tracks": (1, 100_000),
    "party_host_grace": (0, 7 * 86400),
}


def _parse(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(Config)}[name]
    try:
        if name == "library":
            parts = raw.split(os.pathsep) if isinstance(raw, str) else list(raw)
            return tuple(Path(p).expanduser() for p in parts if str(p).strip())
        if name == "data_dir":
            return Path(str(raw)).expanduser()
        if name == "cors_origins":
            return _origins(raw)
        if name == "trusted_proxies":
            return _networks(raw)
        if kind == "int":
            value = int(raw)
            if value < 0 or (name == "port" and not 0 < value < 65536):
                raise ValueError(value)
            low, high = _INT_RANGES.get(name, (0, value))
            if not low <= value <= high:
                raise ValueError(value)
            return value
        if kind == "float":
            number = float(raw)
            if not 0 < number < 3600:
                raise ValueError(number)
            return number
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return text in {"1", "true", "yes", "on"}
        if name == "log_level":
            level = str(raw).upper()
            if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
                raise ValueError(raw)
            return level
        text = str(raw).strip()
        return text or None if kind.startswith("str |") else text
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: cannot use {raw!r}") from exc


_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s?#]+$")


def _origins(raw: Any) -> tuple[str, ...]:
    """`*` or `scheme://host[:port]` each, from a comma-separated string or a list."""
    parts = raw.replace(",", " ").split() if isinstance(raw, str) else [str(p) for p in raw]
    origins = tuple(p.strip().rstrip("/").lower() for p in parts if p.strip())
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(origin)
    return origins


def _networks(raw: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """IPs and CIDRs, from a comma- or whitespace-separated string or a list. Host bits are
    forgiven (`10.1.2.3/16` is `10.1.0.0/16`); anything else that is not a network fails."""
    parts = raw.replace(",", " ").split() if isinstance(raw, str) else [str(p) for p in raw]
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in parts if p.strip())


def _apply(config: Config, values: Mapping[str, Any], source: str) -> Config:
    known = {f.name for f in fields(Config)}
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        name = key.replace("-", "_")
        if name not in known:
            log.warning("%s: unknown setting %r ignored", source, key)
            continue
        if raw is not None:
            changes[name] = _parse(name, raw)
    return replace(config, **changes)


def load_config(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Config:
    """Build the one Config of this process. `overrides` are CLI flags (None = not given)."""
    env = os.environ if environ is None else environ
    config = Config()
    data_dir = Path(env.get("TONEARM_DATA_DIR") or (overrides or {}).get("data_dir") or "data")
    file = Path(env["TONEARM_CONFIG"]) if env.get("TONEARM_CONFIG") else data_dir / "tonearm.toml"
    if file.is_file():
        try:
            config = _apply(config, tomllib.loads(file.read_text()), str(file))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: {exc}") from exc
    elif env.get("TONEARM_CONFIG"):
        raise ConfigError(f"config file {file} does not exist")
    prefix = "TONEARM_"
    from_env = {
        k[len(prefix) :].lower(): v
        for k, v in env.items()
        if k.startswith(prefix) and k != "TONEARM_CONFIG"
    }
    config = _apply(config, from_env, "environment")
    return validate(_apply(config, overrides or {}, "command line"))


def validate(config: Config) -> Config:
    """Checks across settings, at start, with a message that says what to do."""
    if config.zookeeper and not config.cluster_secret:
        raise ConfigError(
            "setting 'cluster_secret': required with 'zookeeper' (replicas authenticate"
            " to each other with it); set TONEARM_CLUSTER_SECRET on every replica"
        )
    if config.cluster_secret is not None and len(config.cluster_secret) < 16:
        raise ConfigError("setting 'cluster_secret': use at least 16 characters")
    return config
