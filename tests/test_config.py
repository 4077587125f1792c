"""Settings: precedence, validation, and the README documenting every one."""

from __future__ import annotations

import re
from dataclasses import fields
from ipaddress import ip_network
from pathlib import Path

import pytest

from tonearm.config import Config, ConfigError, load_config

README = Path(__file__).parent.parent / "README.md"


def test_defaults() -> None:
    config = load_config(environ={})
    assert config.library == ()
    assert config.database_url is None
    assert config.port == 8080


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    (tmp_path / "tonearm.toml").write_text(
        'library = ["/a", "/b"]\nport = 9000\nscan_interval = 60\nbogus = 1\n'
    )
    env = {"TONEARM_DATA_DIR": str(tmp_path)}
    config = load_config(environ=env)
    assert config.library == (Path("/a"), Path("/b"))
    assert (config.port, config.scan_interval) == (9000, 60)

    env |= {"TONEARM_PORT": "9100", "TONEARM_LIBRARY": "/x:/y:/z"}
    config = load_config(environ=env)
    assert config.port == 9100
    assert config.library == (Path("/x"), Path("/y"), Path("/z"))

    config = load_config(environ=env, overrides={"port": 9200, "host": None})
    assert config.port == 9200 and config.host == "0.0.0.0"


@pytest.mark.parametrize(
    ("key", "value"),
    [("TONEARM_PORT", "eighty"), ("TONEARM_PORT", "70000"), ("TONEARM_SCAN_ON_START", "maybe"),
     ("TONEARM_SCAN_INTERVAL", "-1"), ("TONEARM_LOG_LEVEL", "LOUD"),
     ("TONEARM_COVER_MAX_SIZE", "0"), ("TONEARM_COVER_MAX_SIZE", "99999"),
     ("TONEARM_COVER_WORKERS", "0"), ("TONEARM_COVER_CACHE_MB", "-5"),
     ("TONEARM_PARTY_HOST_GRACE", "-1"), ("TONEARM_PARTY_HOST_GRACE", "a while")],
)  # fmt: skip
def test_bad_values_are_clear_errors(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key.removeprefix("TONEARM_").lower()):
        load_config(environ={key: value})


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(environ={"TONEARM_CONFIG": str(tmp_path / "nope.toml")})


def test_every_setting_is_documented() -> None:
    text = README.read_text()
    for f in fields(Config):
        assert re.search(rf"\| `{f.name}` \| `TONEARM_{f.name.upper()}` \|", text), f.name


def test_zookeeper_needs_a_cluster_secret() -> None:
    with pytest.raises(ConfigError, match="cluster_secret"):
        load_config(environ={"TONEARM_ZOOKEEPER": "127.0.0.1:2181"})
    with pytest.raises(ConfigError, match="16 characters"):
        load_config(environ={"TONEARM_ZOOKEEPER": "zk:2181", "TONEARM_CLUSTER_SECRET": "short"})
    config = load_config(
        environ={"TONEARM_ZOOKEEPER": "zk:2181", "TONEARM_CLUSTER_SECRET": "x" * 16,
                 "TONEARM_ZOOKEEPER_SESSION_TIMEOUT": "4.5"}
    )  # fmt: skip
    assert config.zookeeper_session_timeout == 4.5


def test_cors_origins() -> None:
    assert load_config(environ={}).cors_origins == ("tauri://localhost", "http://tauri.localhost")
    env = {"TONEARM_CORS_ORIGINS": "https://Music.example.org/, tauri://localhost"}
    assert load_config(environ=env).cors_origins == (
        "https://music.example.org",
        "tauri://localhost",
    )
    assert load_config(environ={"TONEARM_CORS_ORIGINS": ""}).cors_origins == ()
    assert load_config(environ={"TONEARM_CORS_ORIGINS": "*"}).cors_origins == ("*",)
    for bad in ("music.example.org", "https://music.example.org/app", "http://"):
        with pytest.raises(ConfigError, match="cors_origins"):
            load_config(environ={"TONEARM_CORS_ORIGINS": bad})


def test_trusted_proxies(tmp_path: Path) -> None:
    assert load_config(environ={}).trusted_proxies == ()
    env = {"TONEARM_TRUSTED_PROXIES": "10.244.0.0/16, 192.168.1.5 fd00::/8,,10.1.2.3/8"}
    assert load_config(environ=env).trusted_proxies == (
        ip_network("10.244.0.0/16"),
        ip_network("192.168.1.5/32"),
        ip_network("fd00::/8"),
        ip_network("10.0.0.0/8"),  # host bits forgiven
    )
    (tmp_path / "tonearm.toml").write_text('trusted_proxies = ["::1", "127.0.0.0/8"]\n')
    from_file = load_config(environ={"TONEARM_DATA_DIR": str(tmp_path)})
    assert from_file.trusted_proxies == (ip_network("::1/128"), ip_network("127.0.0.0/8"))
    for bad in ("10.0.0.0/33", "proxy.lan", "10.0.0.0/8;", "*"):
        with pytest.raises(ConfigError, match="trusted_proxies"):
            load_config(environ={"TONEARM_TRUSTED_PROXIES": bad})
