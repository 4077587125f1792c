// A listen party member's playback: the one audio element plays the party's timeline,
// scheduled against the server's clock. Each party event is applied at once (a new track
// is loaded and started where the timeline is by the time it can play); between events a
// once-a-second check pulls the element back in line (lib/clock.ts: a touch faster or
// slower for small errors, a seek for large ones), so members stay together however their
// audio clocks drift.
import { streamUrl } from '../api';
import { correction, positionAt, type Timeline } from '../lib/clock';
import type { AudioEngine } from './engine';

export const CHECK_EVERY_MS = 1000;
/** Paused: only a position this far off is worth a seek. */
const PAUSED_SLACK_MS = 50;

export class Follower {
  private timeline: Timeline | null = null;
  private loaded: number | null = null;
  private ready = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly engine: AudioEngine,
    private serverNow: () => number,
    /** The browser would not start playing without a click (true), or now plays (false). */
    private readonly onBlocked: (blocked: boolean) => void = () => undefined,
  ) {}

  setClock(serverNow: () => number): void {
    this.serverNow = serverNow;
  }

  /** A party event. `hard` (the host played, paused, sought, changed track): go exactly
   * there; otherwise (a drift report, a queue edit) only nudge, so nothing is heard. */
  apply(timeline: Timeline, hard: boolean): void {
    this.timeline = timeline;
    const audio = this.engine.audio;
    if (timeline.track_id === null) {
      this.loaded = null;
      audio.pause();
      audio.removeAttribute('src');
      return;
    }
    if (timeline.track_id !== this.loaded) {
      this.loaded = timeline.track_id;
      this.ready = false;
      const trackId = timeline.track_id;
      audio.playbackRate = 1;
      this.engine.load(streamUrl(trackId));
      audio.addEventListener(
        'canplay',
        () => {
          if (this.loaded !== trackId) return; // another track came meanwhile
          this.ready = true;
          this.check(true);
        },
        { once: true },
      );
    } else if (this.ready) {
      this.check(hard);
    }
    this.timer ??= setInterval(() => this.check(false), CHECK_EVERY_MS);
  }

  /** Where the party's track is now (ms), or null. */
  target(): number | null {
    return this.timeline ? positionAt(this.timeline, this.serverNow()) : null;
  }

  /** Bring the element in line with the timeline; `hard` (a new event): seek, not nudge. */
  check(hard: boolean): void {
    const t = this.timeline;
    if (!t || !this.ready || t.track_id === null) return;
    const audio = this.engine.audio;
    const target = positionAt(t, this.serverNow());
    const duration = Number.isFinite(audio.duration) ? audio.duration * 1000 : Infinity;
    if (!t.playing || target >= duration) {
      audio.pause();
      audio.playbackRate = 1;
      const at = Math.min(target, duration);
      if (Math.abs(audio.currentTime * 1000 - at) > PAUSED_SLACK_MS) this.engine.seek(at / 1000);
      return;
    }
    if (audio.paused) {
      this.engine.seek(target / 1000);
      void this.engine.play().then((ok) => this.onBlocked(!ok));
      return;
    }
    const fix = correction(audio.currentTime * 1000, target);
    if (fix.kind === 'seek' || (hard && fix.kind === 'rate')) {
      audio.playbackRate = 1;
      this.engine.seek(target / 1000);
    } else if (fix.kind === 'rate') {
      audio.playbackRate = fix.rate;
    } else {
      audio.playbackRate = 1;
    }
  }

  /** From a click: a browser that refused to start on its own may start now. */
  async kick(): Promise<void> {
    await this.engine.resume();
    this.check(true);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.timeline = null;
    this.loaded = null;
    this.ready = false;
    this.engine.audio.playbackRate = 1;
  }
}
