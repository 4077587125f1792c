// The user's settings (theme, volume, visualizer layout, keyboard shortcuts): applied at once, cached locally so a
// reload starts right, and saved to the server (debounced) so they follow the user.
import { create } from 'zustand';
import { api, errorMessage } from '../api';
import type { Settings, WidgetLayout } from '../api/types';

const CACHE_KEY = 'tonearm.settings';
export const SAVE_DELAY_MS = 400;
export const DEFAULT_SETTINGS: Settings = { theme: 'auto', volume: 50, visualizers: {}, shortcuts: {} };

function cached(): Settings {
  try {
    const raw = globalThis.localStorage?.getItem(CACHE_KEY);
    if (raw) return { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<Settings>) };
  } catch {
    // a broken cache is replaced by the server's copy
  }
  return DEFAULT_SETTINGS;
}

function cache(settings: Settings): void {
  try {
    globalThis.localStorage?.setItem(CACHE_KEY, JSON.stringify(settings));
  } catch {
    // private mode: the server keeps them anyway
  }
}

interface SettingsStore {
  settings: Settings;
  loaded: boolean;
  saveError: string | null;
  load(): Promise<void>;
  update(patch: Partial<Settings>): void;
  setWidget(id: string, layout: WidgetLayout): void;
  flush(keepalive?: boolean): Promise<void>;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let pending: Partial<Settings> = {};

export const useSettings = create<SettingsStore>((set, get) => ({
  settings: cached(),
  loaded: false,
  saveError: null,

  async load() {
    const settings = await api.settings();
    // Changes made while loading win over what the server had.
    const merged = { ...settings, ...pending };
    cache(merged);
    set({ settings: merged, loaded: true });
  },

  update(patch) {
    const settings = { ...get().settings, ...patch };
    cache(settings);
    set({ settings });
    pending = { ...pending, ...patch };
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void get().flush(), SAVE_DELAY_MS);
  },

  setWidget(id, layout) {
    const visualizers = { ...get().settings.visualizers, [id]: { ...get().settings.visualizers[id], ...layout } };
    get().update({ visualizers });
  },

  async flush(keepalive = false) {
    if (timer) clearTimeout(timer);
    timer = null;
    const patch = pending;
    pending = {};
    if (Object.keys(patch).length === 0) return;
    try {
      await api.saveSettings(patch, keepalive);
      set({ saveError: null });
    } catch (err) {
      set({ saveError: errorMessage(err) });
    }
  },
}));

export function resetSettingsForTests(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  pending = {};
  useSettings.setState({ settings: DEFAULT_SETTINGS, loaded: false, saveError: null });
}

if (typeof window !== 'undefined') {
  // A change made just before closing or reloading the tab is not lost.
  window.addEventListener('pagehide', () => void useSettings.getState().flush(true));
}
