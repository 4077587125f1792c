// Keyboard shortcuts: Space play/pause, ←/→ previous/next, =/- volume ±10, / search, ? help.
import { useEffect } from 'react';
import { usePlayer } from '../stores/player';
import { useSettings } from '../stores/settings';

export const SHORTCUTS: [keys: string, what: string][] = [
  ['Space', 'Play / pause'],
  ['←  →', 'Previous / next track'],
  ['=  -', 'Volume up / down'],
  ['/', 'Search'],
  ['?', 'This help'],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.getAttribute?.('role') === 'slider';
}

export function handleShortcut(event: KeyboardEvent, actions: { search(): void; help(): void }): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return false;
  const player = usePlayer.getState();
  const settings = useSettings.getState();
  const volume = settings.settings.volume;
  switch (event.key) {
    case ' ':
      // A focused button would also take Space as a click: only ours applies.
      void player.togglePlay();
      return true;
    case 'ArrowLeft':
      void player.previous();
      return true;
    case 'ArrowRight':
      void player.next();
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
    case '?':
      actions.help();
      return true;
    default:
      return false;
  }
}

export function useShortcuts(actions: { search(): void; help(): void }): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (handleShortcut(event, actions)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}
