import { describe, expect, it } from 'vitest';
import {
  bestSample,
  clockSample,
  CLOCK_WINDOW,
  correction,
  DEAD_BAND_MS,
  MAX_RATE_CHANGE,
  positionAt,
  SEEK_BEYOND_MS,
} from '../lib/clock';

/** One exchange with a server `offset` ms ahead: `up` and `down` ms on the wire. */
function exchange(offset: number, up: number, down: number, t0 = 1000, handling = 2) {
  const t1 = t0 + up + offset;
  const t2 = t1 + handling;
  const t3 = t0 + up + handling + down;
  return clockSample(t0, t1, t2, t3);
}

describe('clock offset', () => {
  it('is exact over symmetric paths, whichever way the clocks differ', () => {
    expect(exchange(7300, 20, 20)).toEqual({ offset: 7300, rtt: 40 });
    expect(exchange(-42.5, 3, 3)).toEqual({ offset: -42.5, rtt: 6 });
  });

  it('is never wrong by more than half the round trip', () => {
    for (const [up, down] of [[1, 90], [90, 1], [0, 0], [35, 5]]) {
      const s = exchange(500, up, down);
      expect(Math.abs(s.offset - 500)).toBeLessThanOrEqual(s.rtt / 2);
    }
  });

  it('trusts the recent exchange with the shortest round trip', () => {
    expect(bestSample([])).toBeNull();
    const samples = [exchange(100, 60, 5), exchange(100, 2, 3), exchange(100, 30, 30)];
    expect(bestSample(samples)?.rtt).toBe(5);
    // Only the last CLOCK_WINDOW count: a very old lucky one is forgotten.
    const later = [exchange(0, 1, 1), ...Array.from({ length: CLOCK_WINDOW }, () => exchange(200, 10, 10))];
    expect(bestSample(later)?.offset).toBe(200);
  });
});

describe('scheduling', () => {
  const timeline = { track_id: 3, position_ms: 10_000, playing: true, server_time_ms: 50_000 };

  it('moves on in real time while playing, and stands still when paused', () => {
    expect(positionAt(timeline, 52_500)).toBe(12_500);
    expect(positionAt({ ...timeline, playing: false }, 52_500)).toBe(10_000);
    expect(positionAt({ ...timeline, position_ms: 100 }, 49_000)).toBe(0);
  });

  it('puts two members with different clocks at the same place', () => {
    // Member A's clock is right; member B's is 7.3 s fast. Each estimates its offset.
    const real = 51_234;
    const a = exchange(0, 4, 6);
    const b = exchange(-7300, 9, 3);
    const atA = positionAt(timeline, real + a.offset);
    const atB = positionAt(timeline, real + 7300 + b.offset);
    expect(Math.abs(atA - atB)).toBeLessThan(50);
  });
});

describe('drift correction', () => {
  it('leaves a tiny error alone', () => {
    expect(correction(10_000 + DEAD_BAND_MS, 10_000)).toEqual({ kind: 'none' });
  });

  it('plays a little slower when ahead and faster when behind, never by more than 5 %', () => {
    const ahead = correction(10_080, 10_000);
    const behind = correction(9_920, 10_000);
    expect(ahead.kind === 'rate' && ahead.rate < 1 && ahead.rate >= 1 - MAX_RATE_CHANGE).toBe(true);
    expect(behind.kind === 'rate' && behind.rate > 1 && behind.rate <= 1 + MAX_RATE_CHANGE).toBe(true);
    if (ahead.kind !== "rate" || behind.kind !== "rate") throw new Error("expected rate changes");
    expect(1 - ahead.rate).toBeCloseTo(behind.rate - 1, 9);
  });

  it('seeks when far off', () => {
    expect(correction(10_000 + SEEK_BEYOND_MS + 1, 10_000)).toEqual({ kind: 'seek', to: 10_000 });
    expect(correction(0, 4_000)).toEqual({ kind: 'seek', to: 4_000 });
  });
});
