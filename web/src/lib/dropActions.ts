// What a drop of albums or tracks does: append them to a playlist, or to the personal queue,
// and say how it went.
import { api } from '../api';
import type { Playlist } from '../api/types';
import { usePlayer } from '../stores/player';
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
    notifyDone(`Added ${describeItems(items, ids.length)} to ${playlist.name}`);
  }, `Cannot add to ${playlist.name}`);
}

export function dropOnQueue(items: DragItems): void {
  attempt(async () => {
    const ids = await trackIdsOf(items);
    if (ids.length === 0) return;
    const added = await usePlayer.getState().queueAddMany(ids);
    const what = added === ids.length ? describeItems(items, ids.length) : `${added} of ${ids.length} tracks (the queue is full)`;
    notifyDone(`Added ${what} to the queue`);
  }, 'Cannot queue');
}
