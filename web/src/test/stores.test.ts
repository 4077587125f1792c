import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorMessage, request } from '../api/client';
import { getEngine } from '../audio/engine';
import { currentKey, usePlayer } from '../stores/player';
import { resetSettingsForTests, SAVE_DELAY_MS, useSettings } from '../stores/settings';
import { mockFetch, state, track } from './helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('api client', () => {
  it('turns the server error into a readable ApiError', async () => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: { code: 'invalid_setting', message: 'volume must be a whole number' } }), { status: 400 }),
    );
    const err = await request('/api/v1/me/settings').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_setting');
    expect(errorMessage(err)).toBe('Volume must be a whole number.');
  });

  it('says so when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await request('/api/v1/me').catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('network_error');
  });
});

describe('settings store', () => {
  beforeEach(() => {
    localStorage.clear();
    resetSettingsForTests();
  });

  it('applies a change at once and saves a burst of changes in one PUT', async () => {
    vi.useFakeTimers();
    const calls = mockFetch({ theme: 'auto', volume: 30, visualizers: {} });
    const { update, setWidget } = useSettings.getState();
    update({ volume: 40 });
    update({ volume: 30 });
    setWidget('spectrum', { visible: true, x: 10 });
    expect(useSettings.getState().settings.volume).toBe(30);
    expect(JSON.parse(localStorage.getItem('tonearm.settings')!).volume).toBe(30);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS + 10);
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('PUT');
    expect(calls[0].body).toEqual({ volume: 30, visualizers: { spectrum: { visible: true, x: 10 } } });
  });

  it('loads from the server, keeping changes made meanwhile', async () => {
    mockFetch({ theme: 'dark', volume: 70, visualizers: {} });
    useSettings.getState().update({ volume: 15 });
    await useSettings.getState().load();
    expect(useSettings.getState().settings).toMatchObject({ theme: 'dark', volume: 15 });
  });
});

describe('player store', () => {
  beforeEach(() => {
    usePlayer.getState().reset();
    usePlayer.setState({ state: null });
  });

  it('loads the current track of a newer state and ignores older ones', () => {
    const engine = getEngine();
    usePlayer.getState().apply(state(3, track(1, 'One')), 'initial');
    expect(usePlayer.getState().track?.title).toBe('One');
    expect(engine.audio.src).toContain('/api/v1/tracks/1/stream');
    usePlayer.getState().apply(state(2, track(2, 'Stale')), 'sync');
    expect(usePlayer.getState().track?.title).toBe('One');
    usePlayer.getState().apply(state(4, track(2, 'Two')), 'sync');
    expect(engine.audio.src).toContain('/api/v1/tracks/2/stream');
    expect(currentKey(usePlayer.getState().state)).toBe('2/context/');
  });

  it('plays a context through the server and starts the audio', async () => {
    const calls = mockFetch(state(1, track(5, 'Five')));
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play');
    await usePlayer.getState().playContext({ type: 'album', id: 7 }, 5);
    expect(calls[0]).toMatchObject({ method: 'POST', body: { context: { type: 'album', id: 7 }, start_track_id: 5 } });
    expect(calls[0].url).toContain('/api/v1/me/player/play');
    expect(play).toHaveBeenCalled();
    expect(usePlayer.getState().playing).toBe(true);
  });

  it('moves a queue entry at once, then takes the server answer', async () => {
    const a = { entry_id: 1, track: track(11, 'A') };
    const b = { entry_id: 2, track: track(12, 'B') };
    usePlayer.getState().apply(state(1, track(1), { queue: [a, b] }), 'initial');
    let resolve!: (r: Response) => void;
    vi.stubGlobal('fetch', () => new Promise<Response>((r) => (resolve = r)));
    const moving = usePlayer.getState().queueMove(2, 0);
    expect(usePlayer.getState().state!.queue.map((e) => e.entry_id)).toEqual([2, 1]);
    resolve(new Response(JSON.stringify(state(2, track(1), { queue: [b, a] }))));
    await moving;
    expect(usePlayer.getState().state!.version).toBe(2);
  });

  it('asks the server for the next track when one ends, and plays it', async () => {
    usePlayer.getState().apply(state(1, track(1, 'One')), 'initial');
    const next = state(2, track(9, 'Queued'));
    next.current!.source = 'queue';
    next.current!.entry_id = 4;
    const calls = mockFetch({ track: track(9, 'Queued'), source: 'queue', state: next });
    await usePlayer.getState().ended();
    expect(calls[0]).toMatchObject({ method: 'POST', body: { explicit: false } });
    expect(usePlayer.getState().track?.title).toBe('Queued');
  });
});
