// The listen party we host or follow: its state from the party's websocket, our estimate
// of the server's clock (NTP-style pings), and what that means for the player — a member's
// player follows the party (stores/player.ts `follow`), a host's own player drives it and
// tells the party, now and then, exactly where it is.
import { create } from 'zustand';
import { api, withMediaToken, wsUrl } from '../api';
import type { Party, PartyEvent } from '../api/types';
import { getEngine } from '../audio/engine';
import { nextBackoff } from '../hooks/usePlayerSocket';
import { bestSample, clockSample, type ClockSample } from '../lib/clock';
import { notifyDone } from '../lib/notify';
import { usePlayer } from './player';

export type PartyConnection = 'idle' | 'connecting' | 'online' | 'reconnecting';

/** Pings on connecting (a burst, to find a short round trip soon), then one this often. */
export const FIRST_PINGS = 8;
export const PING_EVERY_MS = 5_000;
/** How often a playing host reports its position (on top of every play, seek and track). */
export const REPORT_EVERY_MS = 5_000;
/** Events that move the music: a member goes exactly there. */
const HARD_EVENTS = new Set(['sync', 'track', 'play', 'pause', 'seek', 'host']);

interface PartyStore {
  party: Party | null;
  last: PartyEvent | null;
  connection: PartyConnection;
  /** Server clock minus ours (ms), and the round trip it was measured over; null: not yet. */
  offset: number | null;
  rtt: number | null;

  load(): Promise<void>;
  start(requireCode: boolean, allowSuggestions?: boolean): Promise<Party>;
  join(id: string, code?: string): Promise<Party>;
  leave(): Promise<void>;
  end(): Promise<void>;
  handOver(userId: number, leave: boolean): Promise<void>;
  newCode(): Promise<void>;
  removeCode(): Promise<void>;
  setSuggestions(allow: boolean): Promise<void>;
  suggest(trackId: number): Promise<void>;
  /** Our best estimate of the server's clock now (ms since the epoch). */
  serverNow(): number;
  reset(): void;
}

/** Our clock in ms since the epoch, from the monotonic timer (no jumps when the OS resets it). */
export function localNow(): number {
  return performance.timeOrigin + performance.now();
}

let socket: WebSocket | null = null;
let socketFor: string | null = null;
let timers: ReturnType<typeof setTimeout>[] = [];
let pinger: ReturnType<typeof setInterval> | null = null;
let reporter: ReturnType<typeof setInterval> | null = null;
let samples: ClockSample[] = [];
let pingId = 0;

export const useParty = create<PartyStore>((set, get) => {
  function send(message: object): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function ping(): void {
    send({ type: 'ping', id: ++pingId, t0: localNow() });
  }

  /** A playing host says exactly where its own music is, on the server's clock. */
  function report(): void {
    const { party, offset } = get();
    const player = usePlayer.getState();
    const audio = getEngine().audio;
    if (!party?.you_are_host || offset === null || !player.track || audio.paused) return;
    send({
      type: 'position',
      track_id: player.track.id,
      position_ms: Math.round(audio.currentTime * 1000),
      at_ms: get().serverNow(),
    });
  }

  function onEvent(event: PartyEvent): void {
    const previous = get().party;
    if (event.type === 'ended' || event.type === 'left') {
      disconnect();
      set({ party: null, last: null });
      usePlayer.getState().unfollow(false);
      notifyDone(event.type === 'ended' ? 'The listen party has ended' : 'You left the listen party');
      return;
    }
    set({ party: event.party, last: event });
    if (event.party.you_are_host) {
      usePlayer.getState().unfollow(true);
      if (event.type === 'code' && event.party.code_rotated && event.party.code !== previous?.code) {
        notifyDone(`Too many wrong guesses: the code is now ${event.party.code}`);
      }
      return;
    }
    usePlayer.getState().follow(event, event.track, HARD_EVENTS.has(event.type), () => get().serverNow());
  }

  function connect(id: string): void {
    if (socketFor === id && socket) return;
    disconnect();
    socketFor = id;
    let backoff = 250;
    const open = () => {
      if (socketFor !== id) return;
      set({ connection: socket ? 'reconnecting' : 'connecting' });
      const ws = new WebSocket(wsUrl(withMediaToken(`/api/v1/parties/${encodeURIComponent(id)}/ws`)));
      socket = ws;
      ws.onopen = () => {
        backoff = 250;
        set({ connection: 'online' });
        for (let n = 0; n < FIRST_PINGS; n++) timers.push(setTimeout(ping, n * 60));
        // Once the clock is known, a host that is already playing says where it is.
        timers.push(setTimeout(report, FIRST_PINGS * 60 + 100));
      };
      ws.onmessage = (message) => {
        const received = localNow();
        let data: { type?: string } & Record<string, unknown>;
        try {
          data = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (data.type === 'pong') {
          const { t0, t1, t2 } = data as unknown as { t0: number; t1: number; t2: number };
          samples = [...samples.slice(-15), clockSample(t0, t1, t2, received)];
          const best = bestSample(samples);
          const first = get().offset === null;
          if (best) set({ offset: best.offset, rtt: best.rtt });
          // The first estimate may move the schedule by as much as our clock was off.
          const last = get().last;
          if (first && last && !last.party.you_are_host) {
            usePlayer.getState().follow(last, last.track, true, () => get().serverNow());
          }
        } else if (data.type && 'party' in data) {
          onEvent(data as unknown as PartyEvent);
        }
      };
      ws.onclose = () => {
        if (socket !== ws || socketFor !== id) return;
        set({ connection: 'reconnecting' });
        backoff = nextBackoff(backoff);
        timers.push(setTimeout(() => void retry(), backoff));
      };
    };
    // Back in without a code (we are still a member) — unless the party went on without us.
    const retry = async () => {
      try {
        const { party } = await api.myParty();
        if (socketFor !== id) return;
        if (party?.id === id) {
          open();
          return;
        }
        disconnect();
        set({ party: null, last: null });
        usePlayer.getState().unfollow(false);
      } catch {
        if (socketFor !== id) return;
        backoff = nextBackoff(backoff);
        timers.push(setTimeout(() => void retry(), backoff)); // the server is away: later
      }
    };
    open();
    pinger = setInterval(ping, PING_EVERY_MS);
    reporter = setInterval(report, REPORT_EVERY_MS);
  }

  function disconnect(): void {
    socketFor = null;
    timers.forEach(clearTimeout);
    timers = [];
    if (pinger) clearInterval(pinger);
    if (reporter) clearInterval(reporter);
    pinger = reporter = null;
    const ws = socket;
    socket = null;
    ws?.close();
    samples = [];
    set({ connection: 'idle', offset: null, rtt: null });
  }

  // A host's play, seek and new track are reported the moment the music really moves.
  if (typeof window !== 'undefined') {
    const audio = getEngine().audio;
    audio.addEventListener('playing', () => report());
    audio.addEventListener('seeked', () => report());
  }

  function refresh(party: Party): void {
    set({ party });
  }

  return {
    party: null,
    last: null,
    connection: 'idle',
    offset: null,
    rtt: null,

    async load() {
      const { party } = await api.myParty();
      set({ party });
      if (party) connect(party.id);
    },

    async start(requireCode, allowSuggestions = false) {
      const party = await api.startParty(requireCode, allowSuggestions);
      set({ party });
      connect(party.id);
      return party;
    },

    async join(id, code) {
      const party = await api.joinParty(id, code);
      set({ party });
      connect(party.id);
      return party;
    },

    async leave() {
      const party = get().party;
      if (!party) return;
      await api.leaveParty(party.id);
      disconnect();
      set({ party: null, last: null });
      usePlayer.getState().unfollow(false);
    },

    async end() {
      const party = get().party;
      if (!party) return;
      await api.endParty(party.id);
      disconnect();
      set({ party: null, last: null });
    },

    async handOver(userId, leave) {
      const party = get().party;
      if (!party) return;
      if (leave) {
        await api.leaveParty(party.id, { hand_to: userId });
        disconnect();
        set({ party: null, last: null });
      } else {
        refresh(await api.handOver(party.id, userId));
      }
    },

    async newCode() {
      const party = get().party;
      if (party) refresh(await api.newPartyCode(party.id));
    },

    async removeCode() {
      const party = get().party;
      if (party) refresh(await api.removePartyCode(party.id));
    },

    async setSuggestions(allow) {
      const party = get().party;
      if (party) refresh(await api.partySettings(party.id, allow));
    },

    async suggest(trackId) {
      const party = get().party;
      if (party) await api.suggest(party.id, trackId);
    },

    serverNow() {
      return localNow() + (get().offset ?? 0);
    },

    reset() {
      disconnect();
      set({ party: null, last: null });
    },
  };
});
