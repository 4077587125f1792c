// The window's keyboard shortcuts (the actions, default keys and the user's bindings are in
// lib/shortcuts.ts and their settings). On a focused card the arrows, Home and End move
// between cards instead (CardGrid takes them: keys already handled are left alone).
import { useEffect } from 'react';
import { actionFor, resolveBindings, type Resolved, shortcutDef, type ShortcutId } from '../lib/shortcuts';
import { notifyError } from '../lib/notify';
import { togglePlayingFavourite } from '../stores/favourites';
import { usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';

/** How far the seek keys move (seconds). */
export const SEEK_STEP = 10;

export interface ShortcutActions {
  search(): void;
  help(): void;
  album(id: number): void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.getAttribute?.('role') === 'slider';
}

/** What the user's keys are now (their settings over the defaults). */
export function currentBindings(): Resolved {
  return resolveBindings(useSettings.getState().settings.shortcuts);
}

/** Do `id`; false when it does not apply now (nothing playing), so the key is left alone. */
function run(id: ShortcutId, actions: ShortcutActions): boolean {
  const player = usePlayer.getState();
  const settings = useSettings.getState();
  const volume = settings.settings.volume;
  switch (id) {
    case 'play_pause':
      // A focused button would also take Space as a click: only ours applies.
      void player.togglePlay();
      return true;
    case 'previous':
      void player.previous();
      return true;
    case 'next':
      void player.next();
      return true;
    case 'seek_back':
      player.seek(Math.max(0, player.currentTime - SEEK_STEP));
      return true;
    case 'seek_forward':
      player.seek(player.currentTime + SEEK_STEP);
      return true;
    case 'volume_up':
      settings.update({ volume: Math.min(100, volume + 10) });
      return true;
    case 'volume_down':
      settings.update({ volume: Math.max(0, volume - 10) });
      return true;
    case 'search':
    case 'quick_search':
      actions.search();
      return true;
    case 'playing_album':
      if (!player.track) return false;
      actions.album(player.track.album_id);
      return true;
    case 'favourite':
      if (!player.track) return false;
      togglePlayingFavourite(player.track).catch((err: unknown) => notifyError(err, 'Cannot change your favourites'));
      return true;
    case 'help':
      actions.help();
      return true;
    default:
      return false; // the queue's keys belong to its list
  }
}

export function handleShortcut(event: KeyboardEvent, actions: ShortcutActions, bindings: Resolved = currentBindings()): boolean {
  // A widget that took the key for itself (a menu's arrows, a sortable grip's Space, the
  // shortcut recorder in Settings) keeps it.
  if (event.defaultPrevented) return false;
  const id = actionFor(event, bindings, 'global');
  if (!id) return false;
  // In a text field the keys type; only a Mod combination (Mod+K: where one is when wanting
  // another search) still acts.
  const mod = event.ctrlKey || event.metaKey;
  if (typing(event.target) && !mod) return false;
  // A held key repeats only what adds up (volume, seeking): a held Space toggles once.
  if (event.repeat && !shortcutDef(id).repeats) return true;
  return run(id, actions);
}

export function useShortcuts(actions: ShortcutActions): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (handleShortcut(event, actions)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}
