"""Listen parties: a host whose play state drives what every member hears, on any replica.

rules.py (join codes, lock-out, which player change becomes which event) and clock.py (the
NTP-style clock arithmetic), both pure → service.py (create, join, leave, hand over, the
timeline taken from the host's player) → hub.py (the websocket of each member, fed by
PostgreSQL LISTEN/NOTIFY through the process's one listener in api/events.py). The wire
protocol is in README.md.
"""
