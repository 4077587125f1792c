"""Clock arithmetic for synchronised playback, pure: NTP-style offset estimates and where a
party's track is at a given server time. The web UI has the same in web/src/lib/clock.ts.

One exchange: the client stamps t0 as it sends, the server t1 as it receives and t2 as it
answers, the client t3 as the answer arrives. With symmetric paths, the server's clock is
ahead of the client's by ((t1 - t0) + (t2 - t3)) / 2, give or take half the round trip;
the exchange with the shortest round trip is the most trustworthy (NTP's clock filter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    offset_ms: float  # add to the client's clock to get the server's
    rtt_ms: float

    @property
    def error_ms(self) -> float:
        """The most the offset can be wrong by, whatever the paths' asymmetry."""
        return self.rtt_ms / 2


def sample(t0: float, t1: float, t2: float, t3: float) -> Sample:
    offset = ((t1 - t0) + (t2 - t3)) / 2
    rtt = max(0.0, (t3 - t0) - (t2 - t1))
    return Sample(offset, rtt)


def best(samples: Iterable[Sample]) -> Sample:
    """The sample with the shortest round trip; ValueError when there is none."""
    return min(samples, key=lambda s: s.rtt_ms)


def position_at(position_ms: float, playing: bool, anchor_ms: float, now_ms: float) -> float:
    """Where the track is at server time `now_ms`, given it was at `position_ms` at
    `anchor_ms` and has moved on in real time since if playing."""
    if not playing:
        return max(0.0, position_ms)
    return max(0.0, position_ms + (now_ms - anchor_ms))
