"""Real processes for cluster tests: a ZooKeeper server (Debian's package) and `tonearm
serve` replicas, each on its own loopback port, logging to files under the test's tmp."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ZK_CLASSPATH = ":".join(
    f"/usr/share/java/{jar}" for jar in ("zookeeper.jar", "slf4j-api.jar", "netty.jar")
)
SECRET = "test-cluster-secret-0123456789"
SESSION_TIMEOUT = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, ValueError, KeyError) as exc:
            last = exc
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def zookeeper_available() -> bool:
    return shutil.which("java") is not None and Path("/usr/share/java/zookeeper.jar").exists()


class ZooKeeper:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        (workdir / "zoo.cfg").write_text(
            f"tickTime=500\ndataDir={workdir / 'data'}\nclientPort={self.port}\n"
            "clientPortAddress=127.0.0.1\nminSessionTimeout=1000\nmaxSessionTimeout=20000\n"
            "admin.enableServer=false\n4lw.commands.whitelist=ruok\n"
        )

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.dir / "zookeeper.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            ["java", "-Xmx256m", "-cp", ZK_CLASSPATH,
             "org.apache.zookeeper.server.ZooKeeperServerMain", str(self.dir / "zoo.cfg")],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self._ruok, 30, "zookeeper to answer ruok")

    def _ruok(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"ruok")
            return s.recv(4) == b"imok"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Replica:
    def __init__(self, name: str, workdir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self.env = env | {
            "TONEARM_NODE_ID": name,
            "TONEARM_PORT": str(self.port),
            "TONEARM_HOST": "127.0.0.1",
            "TONEARM_ADVERTISE_URL": self.url,
            "TONEARM_DATA_DIR": str(workdir / name),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Replica:
        out = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tonearm", "serve"],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its worker processes go with it (kill, stop)
        )
        wait_for(lambda: self.get("/readyz")["status"] == "ready", 60, f"{self.name} to be ready")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """A crash as a container or systemd unit has one: the server and its workers at
        once (a SIGKILL of the server alone leaves its forkserver and workers behind)."""
        assert self.proc is not None
        self._kill_group()
        self.proc.wait(10)

    def _kill_group(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self._kill_group()  # whatever outlived the server

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    def get(self, path: str, token: str | None = None) -> Any:
        return self.request("GET", path, token=token)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def cluster_env(db_url: str, zk: ZooKeeper, library: list[Path], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONEARM_")}
    return (
        env
        | {
            "TONEARM_DATABASE_URL": db_url,
            "TONEARM_ZOOKEEPER": zk.hosts,
            "TONEARM_ZOOKEEPER_SESSION_TIMEOUT": str(SESSION_TIMEOUT),
            "TONEARM_CLUSTER_SECRET": SECRET,
            "TONEARM_LIBRARY": os.pathsep.join(map(str, library)),
            "TONEARM_SCAN_ON_START": "false",
            "TONEARM_SCAN_INTERVAL": "0",
            "TONEARM_SCAN_WORKERS": "1",
            "TONEARM_SCAN_SHARD_FILES": "40",
            "TONEARM_ANALYSIS": "false",  # its own test turns it on
            "TONEARM_LOG_LEVEL": "INFO",
        }
        | extra
    )


def query(db_url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run one query against the cluster's database from a (synchronous) test."""
    import asyncio

    import asyncpg

    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(db_url)
        try:
            return [dict(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())
