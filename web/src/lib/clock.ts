// Clock arithmetic for listen parties, pure (the server has the same in api/party/clock.py).
//
// One exchange: we stamp t0 as the ping leaves, the server t1 as it arrives and t2 as the
// pong leaves, we stamp t3 as it arrives. With symmetric paths the server's clock is ahead
// of ours by ((t1 - t0) + (t2 - t3)) / 2, wrong by at most half the round trip; the
// exchange with the shortest round trip is the most trustworthy (NTP's clock filter).

export interface ClockSample {
  /** Add to our clock to get the server's (ms). */
  offset: number;
  rtt: number;
}

export function clockSample(t0: number, t1: number, t2: number, t3: number): ClockSample {
  return { offset: (t1 - t0 + (t2 - t3)) / 2, rtt: Math.max(0, t3 - t0 - (t2 - t1)) };
}

/** How many recent exchanges the estimate looks at: old ones forget a clock that drifted. */
export const CLOCK_WINDOW = 8;

/** The recent sample with the shortest round trip, or null before the first. */
export function bestSample(samples: readonly ClockSample[]): ClockSample | null {
  let best: ClockSample | null = null;
  for (const s of samples.slice(-CLOCK_WINDOW)) if (!best || s.rtt < best.rtt) best = s;
  return best;
}

/** The party's timeline: the track was at `position_ms` at server time `server_time_ms`. */
export interface Timeline {
  track_id: number | null;
  position_ms: number;
  playing: boolean;
  server_time_ms: number;
}

/** Where the track is (ms) at server time `serverNow`. */
export function positionAt(t: Timeline, serverNow: number): number {
  if (!t.playing) return Math.max(0, t.position_ms);
  return Math.max(0, t.position_ms + (serverNow - t.server_time_ms));
}

// Drift correction: small errors are pulled in by playing a touch faster or slower (the
// browser keeps the pitch), large ones are a seek; below the first, leave it be.
export const DEAD_BAND_MS = 25;
export const SEEK_BEYOND_MS = 250;
export const MAX_RATE_CHANGE = 0.05;
/** Correct this share of the error per second (a proportional controller). */
export const CATCH_UP_PER_S = 0.5;

export type Correction = { kind: 'none' } | { kind: 'rate'; rate: number } | { kind: 'seek'; to: number };

/** What to do about being at `actualMs` when the timeline says `targetMs`. */
export function correction(actualMs: number, targetMs: number): Correction {
  const error = actualMs - targetMs; // > 0: ahead of the party
  const size = Math.abs(error);
  if (size <= DEAD_BAND_MS) return { kind: 'none' };
  if (size > SEEK_BEYOND_MS) return { kind: 'seek', to: Math.max(0, targetMs) };
  const change = Math.min(MAX_RATE_CHANGE, (size / 1000) * CATCH_UP_PER_S);
  return { kind: 'rate', rate: error > 0 ? 1 - change : 1 + change };
}
