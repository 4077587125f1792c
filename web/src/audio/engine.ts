// The one audio element and the one AudioContext of the app.
//
// element → MediaElementSource → tap (gain 1: visualizers connect here, so they do not shrink
// with the volume) → volume gain → speakers. The context is made on first use and kept for
// the life of the page (StrictMode and hot reloads reuse it: a second MediaElementSource on
// one element throws). Volume is stored 0–100 and applied as (v/100)² on the gain node; the
// element itself stays at full volume once routed (iOS ignores element.volume anyway).

export interface Graph {
  context: AudioContext;
  /** Connect analysers to this node. */
  tap: AudioNode;
}

export function gainFor(volume: number): number {
  const v = Math.min(100, Math.max(0, volume)) / 100;
  return v * v;
}

export class AudioEngine {
  readonly audio: HTMLAudioElement;
  private graph: (Graph & { gain: GainNode }) | null = null;
  private volume = 50;

  constructor(audio?: HTMLAudioElement) {
    this.audio = audio ?? document.createElement('audio');
    this.audio.preload = 'auto';
    this.audio.dataset.tonearm = 'player';
    if (!this.audio.isConnected && typeof document !== 'undefined') {
      this.audio.hidden = true;
      document.body.appendChild(this.audio);
    }
  }

  /** The audio graph, made on first call. Call `resume()` from a user gesture to hear it. */
  ensureGraph(): Graph | null {
    if (this.graph) return this.graph;
    const Ctx = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return null;
    const context = new Ctx({ latencyHint: 'playback' });
    const source = context.createMediaElementSource(this.audio);
    const tap = context.createGain();
    const gain = context.createGain();
    source.connect(tap);
    tap.connect(gain);
    gain.connect(context.destination);
    this.graph = { context, tap, gain };
    this.applyVolume();
    return this.graph;
  }

  get context(): AudioContext | null {
    return this.graph?.context ?? null;
  }

  async resume(): Promise<void> {
    const graph = this.ensureGraph();
    if (graph && graph.context.state === 'suspended') {
      try {
        await graph.context.resume();
      } catch {
        // resumed by the next gesture instead
      }
    }
  }

  setVolume(volume: number): void {
    this.volume = Math.round(Math.min(100, Math.max(0, volume)));
    this.applyVolume();
  }

  getVolume(): number {
    return this.volume;
  }

  /** What actually reaches the speakers, 0..1: the gain node times the element's volume. */
  outputLevel(): number {
    const gain = this.graph ? this.graph.gain.gain.value : 1;
    return gain * this.audio.volume;
  }

  private applyVolume(): void {
    const level = gainFor(this.volume);
    if (this.graph) {
      this.audio.volume = 1;
      this.graph.gain.gain.setValueAtTime(level, this.graph.context.currentTime);
      this.graph.gain.gain.value = level;
    } else {
      this.audio.volume = level;
    }
  }

  /** Point the element at a new source (crossOrigin first, or analysers would hear silence).
   * Anonymous: same-origin requests still send the cookie; another origin's URL carries a media token. */
  load(url: string, startAt = 0): void {
    this.audio.crossOrigin = 'anonymous';
    this.audio.src = url;
    if (startAt > 0) {
      const seek = () => {
        if (Number.isFinite(this.audio.duration) && startAt < this.audio.duration) this.audio.currentTime = startAt;
      };
      this.audio.addEventListener('loadedmetadata', seek, { once: true });
    }
    this.audio.load();
  }

  /** Play; false when the browser refused (no user gesture yet): the UI then shows paused. */
  async play(): Promise<boolean> {
    await this.resume();
    try {
      await this.audio.play();
      return true;
    } catch (err) {
      if ((err as Error).name === 'AbortError') return true; // a newer load took over
      return false;
    }
  }

  pause(): void {
    this.audio.pause();
  }

  seek(seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const duration = this.audio.duration;
    this.audio.currentTime = Number.isFinite(duration) ? Math.min(Math.max(0, seconds), duration) : Math.max(0, seconds);
  }
}

const KEY = '__tonearmEngine';

/** The app-wide engine (kept on globalThis so hot reloads and StrictMode reuse it). */
export function getEngine(): AudioEngine {
  const holder = globalThis as unknown as Record<string, AudioEngine | undefined>;
  if (!holder[KEY]) holder[KEY] = new AudioEngine();
  return holder[KEY]!;
}
