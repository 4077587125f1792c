import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueEntry } from '../api/types';
import { usePlayer } from '../stores/player';
import { mockFetch, state, track } from './helpers';

afterEach(() => vi.unstubAllGlobals());

const entries = (...ids: number[]): QueueEntry[] => ids.map((id) => ({ entry_id: id, track: track(id) }));
const order = () => usePlayer.getState().state!.queue.map((e) => e.entry_id);

describe('the player store’s queue edits of several entries', () => {
  beforeEach(() => {
    usePlayer.getState().reset();
    usePlayer.getState().apply(state(1, track(99), { queue: entries(1, 2, 3, 4, 5) }), 'initial');
  });

  it('reorders with the fewest server moves and shows the order at once', async () => {
    let answer = 1;
    const calls: { url: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init?.body)) });
      answer += 1;
      return new Response(JSON.stringify(state(answer, track(99), { queue: entries(4, 5, 1, 2, 3) })));
    });
    const moving = usePlayer.getState().queueReorder([4, 5, 1, 2, 3]);
    expect(order()).toEqual([4, 5, 1, 2, 3]);
    await moving;
    expect(calls.map((c) => [c.url.replace(/.*queue\//, ''), c.body])).toEqual([
      ['4/move', { index: 0 }],
      ['5/move', { index: 1 }],
    ]);
    expect(usePlayer.getState().state!.version).toBe(3);
  });

  it('shows what the server holds when a move fails', async () => {
    vi.stubGlobal('fetch', async (url: string) =>
      url.endsWith('/move')
        ? new Response(JSON.stringify({ error: { code: 'not_found', message: 'no queue entry with id 5' } }), { status: 404 })
        : new Response(JSON.stringify(state(7, track(99), { queue: entries(1, 2, 3, 4) }))),
    );
    await expect(usePlayer.getState().queueReorder([5, 1, 2, 3, 4])).rejects.toThrow('no queue entry');
    expect(order()).toEqual([1, 2, 3, 4]);
  });

  it('removes several entries, passing over ones already gone', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      if (url.endsWith('/2')) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'gone' } }), { status: 404 });
      return new Response(JSON.stringify(state(calls.length + 1, track(99), { queue: entries(1, 5) })));
    });
    await usePlayer.getState().queueRemoveMany([2, 3, 4]);
    expect(calls.map((u) => u.replace(/.*queue\//, ''))).toEqual(['2', '3', '4']);
    expect(order()).toEqual([1, 5]);
  });

  it('appends several tracks in order', async () => {
    const calls = mockFetch(state(2, track(99), { queue: entries(1, 2, 3, 4, 5, 6) }));
    expect(await usePlayer.getState().queueAddMany([31, 32])).toBe(2);
    expect(calls.map((c) => c.body)).toEqual([
      { track_id: 31, mode: 'last' },
      { track_id: 32, mode: 'last' },
    ]);
  });

  it('plays a queued entry: to the front, then next', async () => {
    const playing = state(3, track(4), { queue: entries(1, 2, 3, 5) });
    playing.current = { track: track(4), source: 'queue', entry_id: 4 };
    const calls = mockFetch(state(2, track(99), { queue: entries(4, 1, 2, 3, 5) }), { track: track(4), source: 'queue', state: playing });
    await usePlayer.getState().queuePlay(4);
    expect(calls.map((c) => [c.url.replace(/.*player\//, ''), c.body])).toEqual([
      ['queue/4/move', { index: 0 }],
      ['next', { explicit: true }],
    ]);
    expect(usePlayer.getState().track?.id).toBe(4);
  });
});
