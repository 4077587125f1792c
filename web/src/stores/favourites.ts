// The signed-in user's favourites as this tab knows them. A toggle shows at once and is rolled
// back if the server refuses it; every view (player bar, track menus, album and artist pages,
// the Favourites page) reads the same entry, so a heart changed in one is changed in all.
// Where the tab has no entry, the `favourite` flag the item came with from the server counts.
import { create } from 'zustand';
import { api } from '../api';
import type { FavouriteKind, Track } from '../api/types';

/** One item's state: `value` is shown; `confirmed` is the server's last word on it;
 *  `pending` toggles are on their way (one after another, so the last one wins). */
export interface Entry {
  value: boolean;
  confirmed: boolean;
  pending: number;
}

export function favouriteKey(kind: FavouriteKind, id: number): string {
  return `${kind}:${id}`;
}

/** A toggle to `on` is asked for; `shown` is what was shown before it (the item's own flag
 *  when the tab has no entry yet), which a refusal goes back to. */
export function requested(entry: Entry | undefined, on: boolean, shown: boolean): Entry {
  return { value: on, confirmed: entry ? entry.confirmed : shown, pending: (entry?.pending ?? 0) + 1 };
}

/** The server answered the toggle to `on`. A refusal rolls back to the server's last word,
 *  unless a later toggle is still on its way: that one decides what is shown. */
export function settled(entry: Entry, on: boolean, ok: boolean): Entry {
  const pending = Math.max(0, entry.pending - 1);
  const confirmed = ok ? on : entry.confirmed;
  return { value: pending > 0 || ok ? entry.value : confirmed, confirmed, pending };
}

/** The server told us an item's state (an item that came without its flag): the tab's own
 *  entry, made by a toggle here, is at least as new, so it stays. */
export function learned(entry: Entry | undefined, value: boolean): Entry {
  return entry ?? { value, confirmed: value, pending: 0 };
}

interface FavouritesStore {
  entries: Record<string, Entry>;
  /** Bumped whenever the server takes a change: lists of favourites load again. */
  changes: number;
  /** Make the item a favourite (`on`) or not; rejects (after rolling back) when the server refuses. */
  set(kind: FavouriteKind, id: number, on: boolean, shown: boolean): Promise<void>;
  learn(kind: FavouriteKind, id: number, value: boolean): void;
  /** Ask the server about a track that came without its flag (the player's tracks). */
  ensureTrack(id: number): Promise<void>;
  reset(): void;
}

// Toggles of one item go out one after another, so they reach the server in the order made.
const chains = new Map<string, Promise<unknown>>();
const asking = new Set<number>();

export const useFavourites = create<FavouritesStore>((set, get) => ({
  entries: {},
  changes: 0,

  set(kind, id, on, shown) {
    const key = favouriteKey(kind, id);
    set((s) => ({ entries: { ...s.entries, [key]: requested(s.entries[key], on, shown) } }));
    const settle = (ok: boolean) =>
      set((s) => {
        const entry = s.entries[key];
        if (!entry) return {}; // reset meanwhile (signed out)
        return { entries: { ...s.entries, [key]: settled(entry, on, ok) }, changes: s.changes + (ok ? 1 : 0) };
      });
    const run = (chains.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => (on ? api.addFavourite(kind, id) : api.removeFavourite(kind, id)));
    chains.set(key, run);
    return run.then(
      () => settle(true),
      (err: unknown) => {
        settle(false);
        throw err;
      },
    ).finally(() => {
      if (chains.get(key) === run) chains.delete(key);
    });
  },

  learn(kind, id, value) {
    const key = favouriteKey(kind, id);
    const entry = get().entries[key];
    if (entry) return;
    set((s) => ({ entries: { ...s.entries, [key]: learned(s.entries[key], value) } }));
  },

  async ensureTrack(id) {
    if (get().entries[favouriteKey('tracks', id)] || asking.has(id)) return;
    asking.add(id);
    try {
      const track = await api.track(id);
      if (track.favourite !== undefined) get().learn('tracks', id, track.favourite);
    } finally {
      asking.delete(id);
    }
  },

  reset() {
    chains.clear();
    asking.clear();
    set({ entries: {}, changes: 0 });
  },
}));

/** Whether the item is a favourite: this tab's entry, else the item's own flag (undefined
 *  when neither says: an item from a view that carries no flag). */
export function useFavourite(kind: FavouriteKind, id: number | undefined, flag?: boolean): boolean | undefined {
  return useFavourites((s) => (id === undefined ? undefined : (s.entries[favouriteKey(kind, id)]?.value ?? flag)));
}

/** Flip it; the caller shows a refusal (the heart has gone back by then). */
export function toggleFavourite(kind: FavouriteKind, id: number, shown: boolean): Promise<void> {
  return useFavourites.getState().set(kind, id, !shown, shown);
}

/** Flip the playing track (L): its flag may first have to be asked for. */
export async function togglePlayingFavourite(track: Track): Promise<void> {
  const key = favouriteKey('tracks', track.id);
  const shown = () => useFavourites.getState().entries[key]?.value ?? track.favourite;
  if (shown() === undefined) await useFavourites.getState().ensureTrack(track.id);
  const now = shown();
  if (now !== undefined) await toggleFavourite('tracks', track.id, now);
}
