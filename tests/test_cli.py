"""The `tonearm` command as a person runs it: real processes, the embedded default."""

from __future__ import annotations

import contextlib
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


def _wait_ready(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if _call(f"{base}/readyz")["status"] == "ready":
                return
        except OSError:
            pass
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "server exited"
        assert time.monotonic() < deadline, "server did not become ready"
        time.sleep(0.2)


def _last_scan(base: str, token: str) -> dict[str, Any]:
    """The last finished scan, once none is running."""
    for _ in range(100):
        state = _call(f"{base}/api/v1/scan", token=token)
        if state["state"] == "idle" and state["last"]:
            return dict(state["last"])
        time.sleep(0.1)
    raise AssertionError("scan did not finish")


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
        _wait_ready(base, proc)
        token = _call(f"{base}/api/v1/auth/setup", {"name": "ada", "password": "a long password"})[
            "token"
        ]

        assert _last_scan(base, token)["progress"]["added"] == 3  # the scan at start
        tracks = _call(f"{base}/api/v1/tracks", token=token)
        assert tracks["total"] == 3

        # A drive disappears; a scan asked for over HTTP is run by the server's loop.
        for f in roots[2].iterdir():
            f.unlink()
        roots[2].rmdir()
        queued = _call(f"{base}/api/v1/scan", {}, token=token)
        for _ in range(100):
            last = _last_scan(base, token)
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


def _group(pgid: int) -> dict[int, int]:
    """pid → parent pid of the live processes of a process group (zombies are as good as
    gone)."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out[int(name)] = int(fields[1])
    return out


def test_a_server_killed_with_sigkill_leaves_nothing_running(tmp_path: Path) -> None:
    """As the OOM killer or `kill -9` do: only the server process dies. Its worker processes
    follow it, and the embedded PostgreSQL it leaves behind stops after the next clean run."""
    make_track(tmp_path / "m" / "a.flac", title="One")
    port = _free_port()
    env = base_env(
        tmp_path,
        TONEARM_LIBRARY=str(tmp_path / "m"),
        TONEARM_HOST="127.0.0.1",
        TONEARM_PORT=str(port),
    )
    # Its own process group, so that what it started can be found after it is gone.
    proc = subprocess.Popen(
        [*TONEARM, "serve"], env=env, stderr=subprocess.DEVNULL, text=True, start_new_session=True
    )
    pg_dir = tmp_path / "data" / "postgres"
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, proc)
        token = _call(f"{base}/api/v1/auth/setup", {"name": "ada", "password": "a long password"})
        assert _last_scan(base, token["token"])["progress"]["added"] == 1
        # The scan's pool workers idle on their queues: the forkserver's children.
        assert any(ppid not in (proc.pid, 1) for ppid in _group(proc.pid).values())
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20
        while left := _group(proc.pid):
            assert time.monotonic() < deadline, f"still running after the server died: {left}"
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert (pg_dir / "postmaster.pid").exists()  # the postmaster is left, as after any crash

    migrated = run(base_env(tmp_path), "migrate")
    assert migrated.returncode == 0, migrated.stderr
    deadline = time.monotonic() + 20
    while (pg_dir / "postmaster.pid").exists():
        assert time.monotonic() < deadline, "the embedded PostgreSQL was never stopped"
        time.sleep(0.2)
