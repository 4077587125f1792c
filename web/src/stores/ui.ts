import { create } from 'zustand';

interface UiStore {
  queueOpen: boolean;
  helpOpen: boolean;
  navOpen: boolean;
  /** Bumped to ask the search page to focus its field (Mod+K). */
  searchFocus: number;
  /** Bumped per playlist when its tracks change from elsewhere (a drop, a track's menu), so an
   *  open playlist page loads it again. */
  playlistVersions: Record<number, number>;
  toggleQueue(): void;
  setHelp(open: boolean): void;
  toggleNav(): void;
  focusSearch(): void;
}

export const useUi = create<UiStore>((set) => ({
  queueOpen: false,
  helpOpen: false,
  navOpen: false,
  searchFocus: 0,
  playlistVersions: {},
  toggleQueue: () => set((s) => ({ queueOpen: !s.queueOpen })),
  setHelp: (helpOpen) => set({ helpOpen }),
  toggleNav: () => set((s) => ({ navOpen: !s.navOpen })),
  focusSearch: () => set((s) => ({ searchFocus: s.searchFocus + 1 })),
}));

/** Say that a playlist's tracks changed, so a page showing it reloads. */
export function playlistChanged(id: number): void {
  useUi.setState((s) => ({ playlistVersions: { ...s.playlistVersions, [id]: (s.playlistVersions[id] ?? 0) + 1 } }));
}
