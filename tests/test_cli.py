"""The `tonearm` command as a person runs it: real processes, the embedded default."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.audio import make_track

TONEARM = [sys.executable, "-m", "tonearm"]


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TONEARM, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONEARM_")}
    return (
        env | {"TONEARM_DATA_DIR": str(tmp_path / "data"), "TONEARM_LOG_LEVEL": "WARNING"} | extra
    )


def test_user_add_and_scan_against_a_database(tmp_path: Path, db_url: str) -> None:
    make_track(tmp_path / "m" / "a.mp3", title="One")
    make_track(tmp_path / "m" / "b.flac", title="Two")
    env = base_env(tmp_path, TONEARM_DATABASE_URL=db_url, TONEARM_LIBRARY=str(tmp_path / "m"))

    added = run(env, "user", "add", "ada", "--admin", "--password-stdin", stdin="a long password\n")
    assert added.returncode == 0, added.stderr
    assert "administrator ada" in added.stdout
    dup = run(env, "user", "add", "ADA", "--password-stdin", stdin="a long password\n")
    assert dup.returncode == 1
    assert dup.stderr.strip() == "tonearm: a user named 'ADA' already exists"
    weak = run(env, "user", "add", "bob", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "8 to 1024" in weak.stderr

    scanned = run(env, "scan", "--wait")
    assert scanned.returncode == 0, scanned.stderr
    assert "2 files, 2 added" in scanned.stdout


def test_scan_without_a_library_is_a_clear_error(tmp_path: Path, db_url: str) -> None:
    result = run(base_env(tmp_path, TONEARM_DATABASE_URL=db_url), "scan")
    assert result.returncode == 1
    assert "no library configured" in result.stderr


def test_bad_setting_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run(base_env(tmp_path, TONEARM_PORT="eighty"), "migrate")
    assert result.returncode == 1
    assert result.stderr.strip() == "tonearm: setting 'port': cannot use 'eighty'"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: Any = None, token: str | None = None, method: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_serve_on_the_embedded_default(tmp_path: Path) -> None:
    """`make run`'s path: no database configured, three folders, one of them gone later."""
    roots = [tmp_path / name for name in ("a", "b", "c")]
    make_track(
        roots[0] / "Artist" / "Album" / "01.mp3", title="First", artists=["Artist"], album="Album"
    )
    make_track(roots[1] / "x.flac", title="Second")
    make_track(roots[2] / "y.ogg", title="Third")
    port = _free_port()
    env = base_env(
        tmp_path,
        TONEARM_LIBRARY=os.pathsep.join(map(str, roots)),
        TONEARM_HOST="127.0.0.1",
        TONEARM_PORT=str(port),
    )
    proc = subprocess.Popen([*TONEARM, "serve"], env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(f"{base}/readyz")["status"] == "ready":
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.2)
        token = _call(f"{base}/api/v1/auth/setup", {"name": "ada", "password": "a long password"})[
            "token"
        ]

        def scan_done() -> dict[str, Any]:
            for _ in range(100):
                state = _call(f"{base}/api/v1/scan", token=token)
                if state["state"] == "idle" and state["last"]:
                    return dict(state["last"])
                time.sleep(0.1)
            raise AssertionError("scan did not finish")

        assert scan_done()["progress"]["added"] == 3  # the scan at start
        tracks = _call(f"{base}/api/v1/tracks", token=token)
        assert tracks["total"] == 3

        # A drive disappears; a scan asked for over HTTP is run by the server's loop.
        for f in roots[2].iterdir():
            f.unlink()
        roots[2].rmdir()
        queued = _call(f"{base}/api/v1/scan", {}, token=token)
        for _ in range(100):
            last = scan_done()
            if last["id"] == queued["id"]:
                break
        libs = _call(f"{base}/api/v1/libraries", token=token)["items"]
        assert [(lib["status"], lib["track_count"]) for lib in libs] == [
            ("online", 1), ("online", 1), ("offline", 1)
        ]  # fmt: skip
        assert _call(f"{base}/api/v1/tracks", token=token)["total"] == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert code == 0
