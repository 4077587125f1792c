// The OS media keys and lock screen (Media Session API), and the tab title.
import { useEffect } from 'react';
import { coverUrl } from '../api';
import { tabTitle } from '../lib/format';
import { usePlayer } from '../stores/player';

export function useMediaSession(): void {
  const track = usePlayer((s) => s.track);
  const playing = usePlayer((s) => s.playing);
  const duration = usePlayer((s) => s.duration);
  const currentTime = usePlayer((s) => s.currentTime);

  useEffect(() => {
    document.title = tabTitle(track);
  }, [track]);

  useEffect(() => {
    const session = navigator.mediaSession;
    if (!session) return;
    if (!track) {
      session.metadata = null;
      return;
    }
    session.metadata = new MediaMetadata({
      title: track.title,
      artist: track.artist,
      album: track.album,
      artwork: [96, 256, 512].map((size) => ({
        src: new URL(coverUrl(track.cover_id, size), window.location.href).href,
        sizes: `${size}x${size}`,
        type: 'image/jpeg',
      })),
    });
  }, [track]);

  useEffect(() => {
    const session = navigator.mediaSession;
    if (!session) return;
    session.playbackState = track ? (playing ? 'playing' : 'paused') : 'none';
  }, [track, playing]);

  useEffect(() => {
    const session = navigator.mediaSession;
    if (!session?.setPositionState) return;
    // It throws on a missing duration, a position past it, or rate 0.
    if (!track || !Number.isFinite(duration) || duration <= 0) return;
    try {
      session.setPositionState({ duration, position: Math.min(Math.max(0, currentTime), duration), playbackRate: 1 });
    } catch {
      // ignored: a transient state during a track change
    }
  }, [track, duration, Math.floor(currentTime)]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const session = navigator.mediaSession;
    if (!session) return;
    const player = () => usePlayer.getState();
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ['play', () => void (player().playing ? undefined : player().togglePlay())],
      ['pause', () => void (player().playing ? player().togglePlay() : undefined)],
      ['stop', () => void (player().playing ? player().togglePlay() : undefined)],
      ['previoustrack', () => void player().previous()],
      ['nexttrack', () => void player().next()],
      ['seekto', (details) => details.seekTime != null && player().seek(details.seekTime)],
    ];
    for (const [action, handler] of handlers) {
      try {
        session.setActionHandler(action, handler);
      } catch {
        // not supported by this browser
      }
    }
    return () => {
      for (const [action] of handlers) {
        try {
          session.setActionHandler(action, null);
        } catch {
          // not supported by this browser
        }
      }
    };
  }, []);
}
