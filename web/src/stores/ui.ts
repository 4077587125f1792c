import { create } from 'zustand';

interface UiStore {
  queueOpen: boolean;
  helpOpen: boolean;
  navOpen: boolean;
  /** Bumped to ask the search page to focus its field (Mod+K). */
  searchFocus: number;
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
  toggleQueue: () => set((s) => ({ queueOpen: !s.queueOpen })),
  setHelp: (helpOpen) => set({ helpOpen }),
  toggleNav: () => set((s) => ({ navOpen: !s.navOpen })),
  focusSearch: () => set((s) => ({ searchFocus: s.searchFocus + 1 })),
}));
