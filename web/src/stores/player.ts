// The player: the server's play state (what plays, the queue, shuffle/repeat) and what the
// audio element is doing here. Every decision about what comes next is the server's; this
// store asks it, then loads what it answers.
import { create } from 'zustand';
import { api, ApiError, streamUrl } from '../api';
import type { ContextType, PlayerState, PlayerStep, Repeat, Track } from '../api/types';
import { getEngine } from '../audio/engine';
import { Follower } from '../audio/follower';
import type { Timeline } from '../lib/clock';
import { movesBetween } from '../lib/queue';
import { previousAction } from '../lib/previous';

export type Connection = 'connecting' | 'online' | 'reconnecting';

interface PlayerStore {
  state: PlayerState | null;
  /** What the audio element holds: track and the key of the server's current item. */
  track: Track | null;
  loadedKey: string | null;
  playing: boolean;
  currentTime: number;
  duration: number;
  metadataReady: boolean;
  connection: Connection;
  error: string | null;
  /** Following a listen party's host: the element plays the party, not our own state. */
  following: boolean;
  /** …but the browser wants a click before it plays. */
  followBlocked: boolean;

  apply(state: PlayerState, how: 'sync' | 'initial'): void;
  playContext(context: { type: ContextType; id?: number; track_ids?: number[] }, startTrackId?: number, shuffle?: boolean): Promise<void>;
  togglePlay(): Promise<void>;
  next(): Promise<void>;
  previous(): Promise<void>;
  ended(): Promise<void>;
  seek(seconds: number): void;
  queueAdd(trackId: number, mode: 'next' | 'last'): Promise<void>;
  queueRemove(entryId: number): Promise<void>;
  queueMove(entryId: number, index: number): Promise<void>;
  /** Append several tracks in order; answers how many made it (the queue has a limit). */
  queueAddMany(trackIds: readonly number[]): Promise<number>;
  /** Remove several entries; ones already gone (played meanwhile) are no error. */
  queueRemoveMany(entryIds: readonly number[]): Promise<void>;
  /** Put the queue in `order` (its entry ids, rearranged) with the server's one-entry moves. */
  queueReorder(order: readonly number[]): Promise<void>;
  /** Play a queued entry now: it moves to the queue's front, then "next" takes it. */
  queuePlay(entryId: number): Promise<void>;
  setShuffle(on: boolean): Promise<void>;
  setRepeat(mode: Repeat): Promise<void>;
  /** Play what the party plays (each party event), on the server's clock. */
  follow(timeline: Timeline, track: Track | null, hard: boolean, serverNow: () => number): void;
  /** Stop following. `keep`: we became the host, so the music plays on as our own. */
  unfollow(keep: boolean): void;
  reset(): void;
}

/** Our own controls do nothing to the music while we follow a party. */
export class FollowingError extends Error {
  constructor() {
    super('You are following a listen party: leave it to play your own music.');
    this.name = 'FollowingError';
  }
}

export function currentKey(state: PlayerState | null): string | null {
  const cur = state?.current;
  if (!cur?.track) return null;
  return `${cur.track.id}/${cur.source}/${cur.entry_id ?? ''}`;
}

export const NEXT_REPEAT: Record<Repeat, Repeat> = { off: 'all', all: 'one', one: 'off' };

// Listening time of the loaded track, reported when it changes (the home page's history).
let listened = { trackId: 0, ms: 0, lastTime: 0, context: null as PlayerState['context'] };

function reportListen(): void {
  const { trackId, ms, context } = listened;
  const track = usePlayer.getState().track;
  if (!trackId || !track) return;
  if (ms >= Math.min(30_000, track.duration * 500)) {
    void api
      .listen(trackId, Math.round(ms), context ? { type: context.type, id: context.id } : undefined)
      .catch(() => undefined);
  }
  listened = { trackId: 0, ms: 0, lastTime: 0, context: null };
}

export const usePlayer = create<PlayerStore>((set, get) => {
  const engine = () => getEngine();
  let follower: Follower | null = null;
  // The track that was playing when we took a party over: when our own state arrives with
  // it as current, the element carries on instead of loading it again from the start.
  let handoff: number | null = null;

  /** Take a newer state; load its current track if the element holds another one. */
  function take(state: PlayerState, play: 'keep' | 'play' | 'paused'): boolean {
    const old = get().state;
    if (old && state.version < old.version) return false; // a late, older answer
    const key = currentKey(state);
    const track = state.current?.track ?? null;
    if (get().following) {
      set({ state }); // kept for when we stop following
      return false;
    }
    if (handoff !== null && track?.id === handoff && key !== get().loadedKey) {
      handoff = null;
      set({ state, track, loadedKey: key });
      return false;
    }
    const changed = key !== get().loadedKey;
    if (changed) {
      reportListen();
      const wasPlaying = get().playing;
      set({ state, track, loadedKey: key, metadataReady: false, currentTime: 0, duration: track?.duration ?? 0 });
      if (track) {
        listened = { trackId: track.id, ms: 0, lastTime: 0, context: state.current?.source === 'context' ? state.context : null };
        engine().load(streamUrl(track.id), play === 'paused' ? state.position_ms / 1000 : 0);
        if (play === 'play' || (play === 'keep' && wasPlaying)) void startPlaying();
      } else {
        engine().pause();
        engine().audio.removeAttribute('src');
      }
    } else {
      set({ state, track });
    }
    return changed;
  }

  async function startPlaying(): Promise<void> {
    const ok = await engine().play();
    if (!ok) set({ playing: false, error: 'The browser blocked playback: press play to start.' });
  }

  async function step(call: Promise<PlayerStep>): Promise<void> {
    const before = get().loadedKey;
    const result = await call;
    if (!result.track) {
      // Nothing more to play: stop at the end.
      take(result.state, 'paused');
      engine().pause();
      return;
    }
    const changed = take(result.state, 'play');
    if (!changed || currentKey(result.state) === before) {
      engine().seek(0); // repeat one, or "previous" restarting the track
      await startPlaying();
    }
  }

  function report(body: { playing?: boolean; position_ms?: number }): void {
    if (!get().state?.current) return;
    void api.updatePlayer(body).then((state) => take(state, 'keep')).catch(() => undefined);
  }

  // Follow the element.
  if (typeof window !== 'undefined') {
    const audio = engine().audio;
    audio.addEventListener('play', () => set({ playing: true, error: null }));
    audio.addEventListener('pause', () => set({ playing: false }));
    audio.addEventListener('loadedmetadata', () => set({ metadataReady: true, duration: audio.duration }));
    audio.addEventListener('durationchange', () => {
      if (Number.isFinite(audio.duration)) set({ duration: audio.duration });
    });
    audio.addEventListener('timeupdate', () => {
      const t = audio.currentTime;
      const delta = t - listened.lastTime;
      if (!audio.paused && delta > 0 && delta < 2) listened.ms += delta * 1000;
      listened.lastTime = t;
      set({ currentTime: t });
    });
    audio.addEventListener('ended', () => void get().ended());
  }

  return {
    state: null,
    track: null,
    loadedKey: null,
    playing: false,
    currentTime: 0,
    duration: 0,
    metadataReady: false,
    connection: 'connecting',
    error: null,
    following: false,
    followBlocked: false,

    apply(state, how) {
      take(state, how === 'initial' ? 'paused' : 'keep');
    },

    async playContext(context, startTrackId, shuffle) {
      if (get().following) throw new FollowingError();
      await engine().resume(); // inside the click: the context may start
      const state = await api.play(context, startTrackId, shuffle);
      if (!take(state, 'play')) {
        engine().seek(0);
        await startPlaying();
      }
    },

    async togglePlay() {
      if (get().following) {
        await follower?.kick(); // a browser that would not start on its own may now
        return;
      }
      const { track, playing } = get();
      if (!track) {
        // Nothing loaded: carry on with whatever the server has next.
        await step(api.next(true));
        return;
      }
      if (playing) {
        engine().pause();
        report({ playing: false, position_ms: Math.round(engine().audio.currentTime * 1000) });
      } else {
        await startPlaying();
        report({ playing: true });
      }
    },

    async next() {
      if (get().following) return;
      await engine().resume();
      await step(api.next(true));
    },

    async previous() {
      if (get().following) return;
      await engine().resume();
      const t = engine().audio.currentTime;
      if (get().track && previousAction(t) === 'restart') {
        get().seek(0); // and tell the server, like any seek
        return;
      }
      await step(api.previous(Math.round(t * 1000)));
    },

    async ended() {
      if (get().following) return; // the host's player moves on, and the party with it
      await step(api.next(false));
    },

    seek(seconds) {
      if (get().following) return;
      engine().seek(seconds);
      set({ currentTime: engine().audio.currentTime });
      report({ position_ms: Math.round(engine().audio.currentTime * 1000) });
    },

    async queueAdd(trackId, mode) {
      take(await api.queue(trackId, mode), 'keep');
    },

    async queueRemove(entryId) {
      take(await api.queueRemove(entryId), 'keep');
    },

    async queueMove(entryId, index) {
      const state = get().state;
      if (state) {
        // Show the move at once; the server's answer confirms or corrects it.
        const queue = [...state.queue];
        const from = queue.findIndex((e) => e.entry_id === entryId);
        if (from >= 0) {
          const [entry] = queue.splice(from, 1);
          queue.splice(index, 0, entry);
          set({ state: { ...state, queue } });
        }
      }
      try {
        take(await api.queueMove(entryId, index), 'keep');
      } catch (err) {
        if (state) set({ state });
        throw err;
      }
    },

    async queueAddMany(trackIds) {
      let added = 0;
      for (const id of trackIds) {
        // One at a time, in order: the server appends each after the previous one.
        try {
          take(await api.queue(id, 'last'), 'keep');
        } catch (err) {
          if (added > 0 && err instanceof ApiError && err.code === 'queue_full') break;
          throw err;
        }
        added += 1;
      }
      return added;
    },

    async queueRemoveMany(entryIds) {
      for (const id of entryIds) {
        try {
          take(await api.queueRemove(id), 'keep');
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404)) throw err;
        }
      }
    },

    async queueReorder(order) {
      const state = get().state;
      if (!state) return;
      const byId = new Map(state.queue.map((e) => [e.entry_id, e]));
      const current = state.queue.map((e) => e.entry_id);
      const moves = movesBetween(current, order);
      if (moves.length === 0) return;
      // Show the new order at once; the server's answers, one per move, settle it.
      const queue = order.flatMap((id) => byId.get(id) ?? []);
      set({ state: { ...state, queue } });
      let last: PlayerState | null = null;
      try {
        for (const move of moves) last = await api.queueMove(move.id, move.index);
      } catch (err) {
        // Part of it may have happened: show what the server holds now.
        set({ state });
        take(last ?? (await api.player()), 'keep');
        throw err;
      }
      if (last) take(last, 'keep');
    },

    async queuePlay(entryId) {
      if (get().following) throw new FollowingError();
      await engine().resume(); // inside the click: the context may start
      const first = get().state?.queue[0]?.entry_id;
      if (first !== entryId) take(await api.queueMove(entryId, 0), 'keep');
      await step(api.next(true));
    },

    async setShuffle(on) {
      take(await api.updatePlayer({ shuffle: on }), 'keep');
    },

    async setRepeat(mode) {
      take(await api.updatePlayer({ repeat: mode }), 'keep');
    },

    follow(timeline, track, hard, serverNow) {
      if (!get().following) {
        reportListen();
        handoff = null;
        set({ following: true, error: null });
      }
      if (!follower) follower = new Follower(engine(), serverNow, (blocked) => set({ followBlocked: blocked }));
      follower.setClock(serverNow);
      if (track?.id !== get().track?.id) {
        set({ track, loadedKey: track ? `party/${track.id}` : null, currentTime: 0, duration: track?.duration ?? 0, metadataReady: false });
      }
      follower.apply(timeline, hard);
    },

    unfollow(keep) {
      if (!get().following) return;
      follower?.stop();
      set({ following: false, followBlocked: false });
      if (keep) {
        // Our own state is about to become the party's (the server copies it over); until
        // it arrives the element plays on undisturbed.
        handoff = get().track?.id ?? null;
        const own = get().state;
        if (own && own.current?.track?.id === handoff) {
          handoff = null;
          set({ loadedKey: currentKey(own) });
        }
        return;
      }
      engine().pause();
      set({ loadedKey: null });
      const own = get().state;
      if (own) take(own, 'paused');
      else {
        engine().audio.removeAttribute('src');
        set({ track: null });
      }
    },

    reset() {
      follower?.stop();
      set({ following: false, followBlocked: false });
      engine().pause();
      engine().audio.removeAttribute('src');
      set({ state: null, track: null, loadedKey: null, playing: false, currentTime: 0, duration: 0, metadataReady: false });
    },
  };
});
