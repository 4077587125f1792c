// The user's event websocket: the play state at once and after every change, from any device.
// A lost connection is retried with backoff (0.5 s doubling to 10 s); the server resends the
// whole state on connect, so nothing is missed.
import { useEffect } from 'react';
import { withMediaToken, wsUrl } from '../api';
import type { PlayerState } from '../api/types';
import { usePlayer } from '../stores/player';

export const MAX_BACKOFF_MS = 10_000;

export function nextBackoff(ms: number): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(500, ms * 2));
}

export function usePlayerSocket(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let backoff = 250;
    let stopped = false;
    let first = true;

    const connect = () => {
      socket = new WebSocket(wsUrl(withMediaToken('/api/v1/me/ws')));
      socket.onopen = () => {
        backoff = 250;
        usePlayer.setState({ connection: 'online' });
      };
      socket.onmessage = (event) => {
        try {
          const message = JSON.parse(String(event.data)) as { type?: string; state?: PlayerState };
          if (message.type === 'player' && message.state) {
            usePlayer.getState().apply(message.state, first ? 'initial' : 'sync');
            first = false;
          }
        } catch {
          // not for us
        }
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        usePlayer.setState({ connection: 'reconnecting' });
        backoff = nextBackoff(backoff);
        timer = setTimeout(connect, backoff);
      };
    };
    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  }, [enabled]);
}
