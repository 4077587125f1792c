"""Each user's play state, shared by their devices.

state.py (frozen data, JSON form) → rules.py (next, previous, queue, shuffle, repeat) and
edits.py (a playing playlist edited), all pure → autoplay.py (what continues a finished
context) → service.py (load, apply, store with a version check, expand for clients).
"""
