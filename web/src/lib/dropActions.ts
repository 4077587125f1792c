// What a drop of albums or tracks does: append them to a playlist, or to the personal queue
// (or play them, when nothing plays and nothing is queued), and say how it went.
import { api } from '../api';
import type { PlayerState, Playlist } from '../api/types';
import { usePlayer } from '../stores/player';
import { playlistChanged } from '../stores/ui';
import { describeItems, type DragItems } from './drag';
import { attempt, notifyDone } from './notify';

/** The track ids the items stand for, in play order (an album's come from the server). */
export async function trackIdsOf(items: DragItems): Promise<number[]> {
  if (items.kind === 'tracks') return items.ids;
  const album = await api.album(items.id);
  return (album.tracks ?? []).map((t) => t.id);
}

export function dropOnPlaylist(playlist: Pick<Playlist, 'id' | 'name'>, items: DragItems): void {
  attempt(async () => {
    const ids = await trackIdsOf(items);
    if (ids.length === 0) return;
    await api.addToPlaylist(playlist.id, ids);
    playlistChanged(playlist.id);
    notifyDone(`Added ${describeItems(items, ids.length)} to ${playlist.name}`);
  }, `Cannot add to ${playlist.name}`);
}

/** Whether a drop on the queue plays (an empty queue with nothing playing, as in Feishin)
 *  rather than appends. A paused track counts as playing: a drop must not throw it away. */
export function dropPlays(state: PlayerState | null, playing: boolean): boolean {
  return !playing && !state?.current?.track && (state?.queue.length ?? 0) === 0;
}

export function dropOnQueue(items: DragItems): void {
  const { state, playing } = usePlayer.getState();
  if (dropPlays(state, playing)) {
    attempt(async () => {
      // An album plays as itself (next tracks, history, "Next from this album"); tracks as a list.
      const context = items.kind === 'album' ? { type: 'album' as const, id: items.id } : { type: 'tracks' as const, track_ids: items.ids };
      await usePlayer.getState().playContext(context);
      notifyDone(`Playing ${items.kind === 'album' ? `“${items.title}”` : describeItems(items, items.ids.length)}`);
    }, 'Cannot play');
    return;
  }
  attempt(async () => {
    const ids = await trackIdsOf(items);
    if (ids.length === 0) return;
    const added = await usePlayer.getState().queueAddMany(ids);
    const what = added === ids.length ? describeItems(items, ids.length) : `${added} of ${ids.length} tracks (the queue is full)`;
    notifyDone(`Added ${what} to the queue`);
  }, 'Cannot queue');
}
