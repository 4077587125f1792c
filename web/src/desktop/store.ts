// The desktop app's own state in the page: its settings, and whether the server setup shows.
import { create } from 'zustand';
import type { DesktopInfo } from './bridge';

interface DesktopStore {
  /** Null in a browser. */
  info: DesktopInfo | null;
  /** The setup screen is open (first run, or "Change server" from the settings). */
  setupOpen: boolean;
  setInfo(info: DesktopInfo | null): void;
  openSetup(open: boolean): void;
}

export const useDesktop = create<DesktopStore>((set) => ({
  info: null,
  setupOpen: false,
  setInfo: (info) => set({ info }),
  openSetup: (open) => set({ setupOpen: open }),
}));
