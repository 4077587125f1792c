// Keyboard shortcuts: Space play/pause, ←/→ previous/next, Shift+←/→ seek, =/- volume ±10,
// Mod+K or / search, Shift+C the playing album, L favourite the playing track, ? help. On a focused card the arrows, Home and
// End move between cards instead (CardGrid takes them: keys already handled are left alone).
import { useEffect } from 'react';
import { notifyError } from '../lib/notify';
import { togglePlayingFavourite } from '../stores/favourites';
import { usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export const SHORTCUTS: [keys: string, what: string][] = [
  ['Space', 'Play / pause'],
  ['←  →', 'Previous / next track'],
  ['Shift+←  Shift+→', 'Back / forward 10 seconds'],
  ['=  -', 'Volume up / down'],
  [`${MAC ? '⌘' : 'Ctrl'}+K  /`, 'Search'],
  ['Shift+C', 'Go to the playing album'],
  ['L', 'Add the playing track to favourites, or remove it'],
  ['Shift+?', 'This help'],
  ['←↑↓→  Home  End', 'On a card: move between cards'],
];

/** How far Shift+←/→ seek (seconds). */
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

export function handleShortcut(event: KeyboardEvent, actions: ShortcutActions): boolean {
  // A widget that took the key for itself (a menu's arrows, a sortable grip's Space) keeps it.
  if (event.defaultPrevented || event.altKey) return false;
  const mod = event.ctrlKey || event.metaKey;
  if (mod) {
    // Mod+K works from inside a text field too: that is where one is when wanting another search.
    if (event.key.toLowerCase() !== 'k' || event.shiftKey) return false;
    actions.search();
    return true;
  }
  if (typing(event.target)) return false;
  const player = usePlayer.getState();
  const settings = useSettings.getState();
  const volume = settings.settings.volume;
  switch (event.key) {
    case ' ':
      // A focused button would also take Space as a click: only ours applies.
      void player.togglePlay();
      return true;
    case 'ArrowLeft':
      if (event.shiftKey) player.seek(Math.max(0, player.currentTime - SEEK_STEP));
      else void player.previous();
      return true;
    case 'ArrowRight':
      if (event.shiftKey) player.seek(player.currentTime + SEEK_STEP);
      else void player.next();
      return true;
    case '=':
    case '+':
      settings.update({ volume: Math.min(100, volume + 10) });
      return true;
    case '-':
    case '_':
      settings.update({ volume: Math.max(0, volume - 10) });
      return true;
    case '/':
      actions.search();
      return true;
    case 'C':
      if (!event.shiftKey || !player.track) return false;
      actions.album(player.track.album_id);
      return true;
    case 'l':
      if (!player.track) return false;
      togglePlayingFavourite(player.track).catch((err: unknown) => notifyError(err, 'Cannot change your favourites'));
      return true;
    case '?':
      actions.help();
      return true;
    default:
      return false;
  }
}

export function useShortcuts(actions: ShortcutActions): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // A held key repeats only what adds up (volume, seeking): a held Space toggles once.
      const adds = ['=', '+', '-', '_'].includes(event.key) || (event.shiftKey && event.key.startsWith('Arrow'));
      if (event.repeat && !adds) return;
      if (handleShortcut(event, actions)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}
