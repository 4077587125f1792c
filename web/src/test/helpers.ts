import { vi } from 'vitest';
import type { PlayerState, Track } from '../api/types';

export function track(id: number, title = `Track ${id}`): Track {
  return {
    id, title, artist: 'Artist', artists: [{ id: 1, name: 'Artist' }], album_id: 7, album: 'Album',
    album_artist: 'Artist', track_no: id, disc_no: null, year: 2020, genres: [], duration: 180,
    format: 'flac', bitrate: null, cover_id: null, available: true,
  };
}

export function state(version: number, current: Track | null, extra: Partial<PlayerState> = {}): PlayerState {
  return {
    version, updated_at: null,
    current: current ? { track: current, source: 'context', entry_id: null } : null,
    context: { type: 'album', id: 7, track_count: 3, index: 0 },
    queue: [], next_tracks: [], shuffle: false, repeat: 'off', volume: 100, position_ms: 0, playing: true,
    ...extra,
  };
}

/** A fetch that answers each call with the next body, recording what was asked. */
export function mockFetch(...bodies: unknown[]) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  const fn = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const body = bodies.length > 1 ? bodies.shift() : bodies[0];
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}
