// What the page tells the desktop app (the session for the Discord companion, the player
// for the tray) and what the app tells the page (the tray's buttons). Nothing in a browser.
import { useEffect } from 'react';
import { getToken } from '../api';
import { useAuth } from '../stores/auth';
import { usePlayer } from '../stores/player';
import { isDesktop, onTray, playerStatus, presenceSession } from './bridge';

export function useDesktopBridge(): void {
  const status = useAuth((s) => s.status);
  const playing = usePlayer((s) => s.playing);
  const title = usePlayer((s) => (s.track ? `${s.track.title} - ${s.track.artist}` : null));

  useEffect(() => {
    if (!isDesktop()) return;
    presenceSession(status === 'signed-in' ? getToken() : null);
  }, [status]);

  useEffect(() => {
    if (isDesktop()) playerStatus(playing, title);
  }, [playing, title]);

  useEffect(
    () =>
      onTray((action) => {
        const player = usePlayer.getState();
        if (action === 'toggle') void player.togglePlay();
        else if (action === 'next') void player.next();
        else if (action === 'previous') void player.previous();
      }),
    [],
  );
}
