"""`python -m tonearm_presence`: the companion (also the PyInstaller sidecar's entry point)."""

from tonearm_presence.companion import main

if __name__ == "__main__":
    raise SystemExit(main())
