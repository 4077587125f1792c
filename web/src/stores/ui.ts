import { create } from 'zustand';

interface UiStore {
  queueOpen: boolean;
  helpOpen: boolean;
  navOpen: boolean;
  toggleQueue(): void;
  setHelp(open: boolean): void;
  toggleNav(): void;
}

export const useUi = create<UiStore>((set) => ({
  queueOpen: false,
  helpOpen: false,
  navOpen: false,
  toggleQueue: () => set((s) => ({ queueOpen: !s.queueOpen })),
  setHelp: (helpOpen) => set({ helpOpen }),
  toggleNav: () => set((s) => ({ navOpen: !s.navOpen })),
}));
