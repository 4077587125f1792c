"""How long `make desktop` takes: cold (an empty CARGO_TARGET_DIR, no sidecar), warm with
nothing changed, and warm after a change to the app's Rust. Prints a table.

    .venv/bin/python bench/desktop_build.py [--target-dir /tmp/tonearm-bench-target]

The cold run rebuilds every crate (~600) on this machine's cores: expect 10+ minutes on
two. Crates already downloaded to ~/.cargo/registry are not fetched again, so a machine
that never built it adds their download (~40 MB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIDECAR_DIR = ROOT / "clients" / "tauri" / "src-tauri" / "binaries"
RUST = ROOT / "clients" / "tauri" / "src-tauri" / "src" / "lib.rs"


def make_desktop(target: Path) -> float:
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    started = time.monotonic()
    subprocess.run(["make", "-C", str(ROOT), "desktop"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-dir", type=Path, default=Path("/tmp/tonearm-bench-target"))
    args = parser.parse_args()
    shutil.rmtree(args.target_dir, ignore_errors=True)
    shutil.rmtree(SIDECAR_DIR, ignore_errors=True)
    shutil.rmtree(ROOT / "build" / "desktop", ignore_errors=True)
    rows = [("cold: every crate, the sidecar, the .deb", make_desktop(args.target_dir))]
    rows.append(("warm, nothing changed", make_desktop(args.target_dir)))
    RUST.touch()
    rows.append(("warm, the app's Rust changed", make_desktop(args.target_dir)))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("| make desktop | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
