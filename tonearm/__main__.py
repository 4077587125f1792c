"""`python -m tonearm` is the `tonearm` command."""

from tonearm.cli import main

main()
